//! Canonical segment JSON (the tree the CLI reads and the app's commands take), built in tests.

use serde_json::{json, Value};

/// `{"type": "condition", "attribute", "operator", "value"}`.
pub fn cond(attribute: &str, operator: &str, value: impl Into<Value>) -> Value {
    json!({ "type": "condition", "attribute": attribute, "operator": operator, "value": value.into() })
}

/// A raw SQL condition.
pub fn sql(text: &str) -> Value {
    json!({ "type": "sql", "sql": text })
}

/// A group whose children must all hold.
pub fn and(children: impl IntoIterator<Item = Value>) -> Value {
    group("and", children)
}

/// A group of which one child must hold.
pub fn or(children: impl IntoIterator<Item = Value>) -> Value {
    group("or", children)
}

fn group(combinator: &str, children: impl IntoIterator<Item = Value>) -> Value {
    let children: Vec<Value> = children.into_iter().collect();
    json!({ "combinator": combinator, "children": children })
}

/// A relationship node: at least `at_least` related records meeting all of `filter`.
pub fn related(
    relationship: &str,
    at_least: u64,
    filter: impl IntoIterator<Item = Value>,
) -> Value {
    json!({ "type": "relationship", "relationship": relationship,
            "constraint": { "type": "occurrences", "operator": "at_least", "value": at_least },
            "filter": and(filter) })
}

/// A relationship node limited to a time `window` ([`in_the_last`], [`any_time`]).
pub fn within(mut relationship: Value, window: Value) -> Value {
    relationship["window"] = window;
    relationship
}

pub fn in_the_last(amount: u64, unit: &str) -> Value {
    json!({ "type": "in_the_last", "amount": amount, "unit": unit })
}

pub fn any_time() -> Value {
    json!({ "type": "any_time" })
}

/// A version 1 segment of `entity` with `root`.
pub fn segment(entity: &str, root: Value) -> Value {
    json!({ "version": 1, "entity": entity, "root": root })
}

/// A segment without an entity (the reader's default).
pub fn segment_of(root: Value) -> Value {
    json!({ "version": 1, "root": root })
}

/// A segment of `entity` whose root is all of `children`.
pub fn all_of(entity: &str, children: impl IntoIterator<Item = Value>) -> Value {
    segment(entity, and(children))
}

/// On the demo data: profiles in `country` with at least 2 purchase events in the last 180 days.
pub fn recent_purchasers(country: &str) -> Value {
    all_of(
        "profiles",
        [
            cond("country", "is", country),
            within(
                related("events", 2, [cond("name", "is", "purchase")]),
                in_the_last(180, "day"),
            ),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_canonical_shape() {
        assert_eq!(
            all_of("profiles", [cond("country", "is", "US")]).to_string(),
            r#"{"version":1,"entity":"profiles","root":{"combinator":"and","children":[{"type":"condition","attribute":"country","operator":"is","value":"US"}]}}"#
        );
        let node = within(
            related("events", 2, [cond("name", "is", "purchase")]),
            in_the_last(30, "day"),
        );
        assert_eq!(node["constraint"]["value"], 2);
        assert_eq!(node["window"]["amount"], 30);
        assert_eq!(node["filter"]["children"][0]["value"], "purchase");
        assert_eq!(or([sql("age > 1")])["combinator"], "or");
        assert_eq!(segment_of(and([]))["root"]["children"], json!([]));
    }
}
