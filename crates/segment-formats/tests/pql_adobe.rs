//! PQL as Adobe's own documents and segment builder write it (sources in
//! `tests/data/pql_adobe.json`): each example is read, and what it reads round-trips
//! (tree → PQL → tree gives the same tree) in PQL text and pql/json; what is not read is refused
//! naming the construct and where it is.

mod common;

use segment_formats::{parse_as, render_as, Error, Format, Position};
use serde_json::Value;

fn examples() -> Vec<Value> {
    let text = include_str!("data/pql_adobe.json");
    let doc: Value = serde_json::from_str(text).unwrap();
    doc["examples"].as_array().unwrap().clone()
}

/// Reads `text` as `format`, then renders and reads the tree back in PQL text and pql/json.
fn reads_and_round_trips(format: Format, text: &str) -> serde_json::Value {
    let schema = common::schema();
    let tree = parse_as(format, text, &schema, None)
        .unwrap_or_else(|e| panic!("{format:?} did not read {text}: {e}"));
    for back in [Format::PqlText, Format::PqlJson] {
        let rendered = render_as(back, &tree, &schema, None)
            .unwrap_or_else(|e| panic!("{back:?} did not render what {text} reads: {e}"));
        let again = parse_as(back, &rendered, &schema, None)
            .unwrap_or_else(|e| panic!("{back:?} did not read {rendered}: {e}"));
        assert_eq!(again, tree, "{back:?}: {text}\n→ {rendered}");
    }
    serde_json::to_value(&tree.root).unwrap()
}

fn format_of(name: &str) -> Format {
    match name {
        "pql_text" => Format::PqlText,
        "pql_json" => Format::PqlJson,
        other => panic!("unknown format {other}"),
    }
}

#[test]
fn every_example_reads_as_its_expected_tree_or_is_refused_by_name() {
    let mut read = 0;
    let mut refused = 0;
    for example in examples() {
        let format = format_of(example["format"].as_str().unwrap());
        let text = match &example["input"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if let Some(expected) = example.get("root") {
            let root = reads_and_round_trips(format, &text);
            assert_eq!(&root, expected, "{text}");
            read += 1;
        } else {
            let refusal = &example["refused"];
            let err = parse_as(format, &text, &common::schema(), None)
                .expect_err(&format!("{text} should be refused"));
            let message = err.to_string();
            assert!(
                message.contains(refusal["construct"].as_str().unwrap()),
                "{text}: {message}"
            );
            let at = match &err {
                Error::Unrepresentable { at, .. } | Error::Syntax { at, .. } => at.clone(),
                other => panic!("{text}: {other:?}"),
            };
            let expected_at = match (&refusal["line"], &refusal["pointer"]) {
                (Value::Number(line), _) => Position::Text {
                    line: line.as_u64().unwrap() as usize,
                    column: refusal["column"].as_u64().unwrap() as usize,
                },
                (_, Value::String(p)) => Position::json(p.clone()),
                _ => panic!("{text}: a refusal says where"),
            };
            assert_eq!(at, expected_at, "{text}: {message}");
            refused += 1;
        }
    }
    assert!(read >= 10 && refused >= 5, "read {read}, refused {refused}");
}
