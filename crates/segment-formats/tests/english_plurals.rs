//! English counts related records with the right number: "at least 1 event", "at least 2 events".

mod common;

use segment_formats::{render_as, Format};
use serde_json::json;

fn english_for(operator: &str, value: serde_json::Value) -> String {
    let segment = common::segment(common::and(vec![json!({
        "type": "relationship",
        "relationship": "events",
        "constraint": {"type": "occurrences", "operator": operator, "value": value},
        "filter": common::and(vec![common::cond("amount", "greater_than", json!(10))]),
    })]));
    render_as(Format::English, &segment, &common::schema(), None).expect("renders")
}

#[test]
fn one_related_record_is_singular() {
    let text = english_for("at_least", json!(1));
    assert!(text.contains("at least 1 event where"), "{text}");
    assert!(!text.contains("1 events"), "{text}");
    assert!(english_for("exactly", json!(1)).contains("exactly 1 event where"));
}

#[test]
fn other_counts_stay_plural() {
    assert!(english_for("at_least", json!(3)).contains("at least 3 events where"));
    assert!(english_for("between", json!([1, 2])).contains("between 1 and 2 events where"));
    assert!(english_for("not_equals", json!(1)).contains("other than 1 events where"));
}
