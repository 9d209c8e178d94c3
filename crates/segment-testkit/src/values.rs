//! Reading JSON results (the CLI's stdout, the app's IPC responses) in assertions.

use serde_json::Value;

/// The strings of a JSON array (panics on anything else).
pub fn strs(array: &Value) -> Vec<&str> {
    items(array).iter().map(|s| s.as_str().unwrap()).collect()
}

/// The string field `key` of every object of a JSON array.
pub fn fields<'a>(array: &'a Value, key: &str) -> Vec<&'a str> {
    items(array)
        .iter()
        .map(|o| o[key].as_str().unwrap())
        .collect()
}

/// The field `key` of every object of a JSON array (e.g. the keys of samples).
pub fn column<'a>(array: &'a Value, key: &str) -> Vec<&'a Value> {
    items(array).iter().map(|o| &o[key]).collect()
}

/// The first object of a JSON array whose `key` is `value` (panics when there is none).
pub fn find<'a>(array: &'a Value, key: &str, value: &str) -> &'a Value {
    items(array)
        .iter()
        .find(|o| o[key] == value)
        .unwrap_or_else(|| panic!("no {key} = {value:?} in {array}"))
}

/// The elements of a JSON array (panics on anything else).
pub fn items(array: &Value) -> &Vec<Value> {
    array
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {array}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_arrays() {
        let v = json!([{ "name": "a", "n": 1 }, { "name": "b", "n": 2 }]);
        assert_eq!(fields(&v, "name"), ["a", "b"]);
        assert_eq!(find(&v, "name", "b")["n"], 2);
        assert_eq!(strs(&json!(["x", "y"])), ["x", "y"]);
        assert_eq!(items(&v).len(), 2);
        assert_eq!(column(&v, "n"), [&json!(1), &json!(2)]);
    }
}
