//! Census molecules from seed 002 parse, and are written back exactly as read.

mod common;

use segment_model::{census, validate, Node};
use serde_json::{json, Value};

fn seed_list_example() -> Value {
    // "Valid name" from GET /sources/[ID]/filter_segments, verbatim.
    json!([
        [
            {"attribute": "id", "attribute_type": "column", "operator": "isnotnull", "value": null, "moleculeIndex": 0, "atomIndex": 0}
        ],
        "AND",
        {
            "relationship_id": 1,
            "molecules": [
                [
                    {"attribute": "user_id", "attribute_type": "column", "operator": "lessthan", "value": "3", "moleculeIndex": 0, "atomIndex": 0},
                    "AND",
                    [
                        {"attribute": "user_id", "attribute_type": "column", "operator": "equals", "value": null}
                    ]
                ]
            ],
            "moleculeIndex": 2
        }
    ])
}

fn round_trip(value: &Value) -> Value {
    let schema = common::schema();
    let segment = census::from_value(value, &schema, Some("profiles")).expect("reads");
    // And through the canonical text, as a file would be stored.
    let text = segment_model::canonical::to_string_pretty(&segment);
    let reread = segment_model::canonical::parse(&text).expect("canonical reads back");
    assert_eq!(reread, segment);
    census::to_value(&reread, &schema, Some("profiles")).expect("writes")
}

#[test]
fn every_seed_example_round_trips_exactly() {
    let examples = [
        seed_list_example(),
        json!([[{"attribute": "id", "attribute_type": "column", "operator": "isnotnull", "value": null, "moleculeIndex": 0, "atomIndex": 0}]]),
        // POST example: a number attribute compared with "exactly" and a string value.
        json!([[{"attribute": "id", "attribute_type": "column", "operator": "exactly", "value": "2", "moleculeIndex": 0, "atomIndex": 0}]]),
        // PATCH example: no molecules at all.
        json!([]),
        // Relationship molecule example with an occurrences constraint.
        json!([{"relationship_id": 1, "constraint": {"type": "occurrences", "operator": "greaterthan", "value": 1},
                "molecules": [{"attribute": "event_name", "operator": "exactly", "value": "login"}]}]),
    ];
    for example in examples {
        assert_eq!(round_trip(&example), example);
    }
}

#[test]
fn api_response_wrappers_are_read() {
    let schema = common::schema();
    let wrapped = json!({"status": "success", "data": {"id": 3, "molecules": seed_list_example()}});
    let bare = census::from_value(&seed_list_example(), &schema, None).expect("bare");
    let from_wrapper = census::from_value(&wrapped, &schema, None).expect("wrapped");
    assert_eq!(bare, from_wrapper);
}

#[test]
fn the_seed_example_validates_and_means_what_it_says() {
    let schema = common::schema();
    let segment = census::from_value(&seed_list_example(), &schema, None).expect("reads");
    assert_eq!(segment.entity.as_deref(), Some("profiles"));
    let Node::Relationship(rel) = &segment.root.children[1] else {
        panic!("second molecule is the relationship")
    };
    assert_eq!(rel.relationship, "events");
    let now = chrono::DateTime::parse_from_rfc3339("2024-06-01T00:00:00Z")
        .unwrap()
        .to_utc();
    // `user_id equals null` is a value problem: validation says so, at the node.
    let problems = validate::check(&segment, &schema, None, now).expect_err("null is not a number");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(
        problems[0].path,
        "/root/children/1/filter/children/0/children/1/children/0/value"
    );
}

#[test]
fn built_trees_get_the_seed_layout() {
    let schema = common::schema();
    let segment: segment_model::Segment = serde_json::from_value(json!({
        "version": 1, "entity": "profiles",
        "root": {"combinator": "or", "children": [
            {"type": "group", "combinator": "and", "children": [
                {"type": "condition", "attribute": "country", "operator": "is", "value": "US"},
                {"type": "condition", "attribute": "age", "operator": "greater_than", "value": 30}
            ]},
            {"type": "relationship", "relationship": "events",
             "constraint": {"type": "occurrences", "operator": "at_least", "value": 3},
             "window": {"type": "in_the_last", "amount": 30, "unit": "day"},
             "filter": {"combinator": "and", "children": [
                {"type": "condition", "attribute": "name", "operator": "is", "value": "purchase"}]}}
        ]}
    }))
    .unwrap();
    let written = census::to_value(&segment, &schema, None).unwrap();
    assert_eq!(
        written,
        json!([
            [
                {"attribute": "country", "attribute_type": "column", "operator": "exactly", "value": "US", "moleculeIndex": 0, "atomIndex": 0},
                "AND",
                {"attribute": "age", "attribute_type": "column", "operator": "greaterthan", "value": 30, "moleculeIndex": 0, "atomIndex": 2}
            ],
            "OR",
            {"relationship_id": 1,
             "constraint": {"type": "occurrences", "operator": "atleast", "value": 3},
             "time_window": {"type": "in_the_last", "amount": 30, "unit": "day"},
             "molecules": [{"attribute": "name", "attribute_type": "column", "operator": "exactly", "value": "purchase", "moleculeIndex": 0}],
             "moleculeIndex": 2}
        ])
    );
    // Reading it back gives the same meaning (layout hints aside).
    let back = census::from_value(&written, &schema, None).unwrap();
    let now = chrono::Utc::now();
    assert_eq!(
        validate::check(&back, &schema, None, now).unwrap(),
        validate::check(&segment, &schema, None, now).unwrap()
    );
}

#[test]
fn malformed_molecules_are_located() {
    let schema = common::schema();
    let cases = [
        (
            json!([[{"attribute": "id", "operator": "isnotnull"}], "AND"]),
            "/1",
        ),
        (
            json!([[{"attribute": "id", "operator": "isnotnull"}], "AND", [], "OR", []]),
            "/3",
        ),
        (json!(["AND"]), "/0"),
        (
            json!([{"relationship_id": 99, "molecules": []}]),
            "/0/relationship_id",
        ),
        (
            json!([[{"attribute": "email", "operator": "frobnicates", "value": "x"}]]),
            "/0/0/operator",
        ),
        (
            json!([[{"attribute": "email", "operator": "contains", "valujso": "x"}]]),
            "/0/0/valujso",
        ),
        (json!({"molecules": 3}), "/molecules"),
    ];
    for (input, path) in cases {
        let err = census::from_value(&input, &schema, None).expect_err("malformed");
        let problems = err.problems();
        assert_eq!(problems[0].path, path, "{input} gave {err}");
    }
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let schema = common::schema();
    let mut value = json!([{"attribute": "id", "operator": "isnotnull", "value": null}]);
    for _ in 0..10_000 {
        value = Value::Array(vec![value]);
    }
    let err = census::from_value(&value, &schema, None).expect_err("too deep");
    assert!(err.to_string().contains("nested more than"), "{err}");
    // serde_json's own recursion limit also guards text input.
    std::mem::forget(value); // dropping 10k nested Vecs recursively is itself deep; not the point here
}

/// A Census `like` reads back as the tree's like (case folded), so a case-sensitive like cannot
/// be written, while `case_sensitive: false` on a like is what it already means.
#[test]
fn census_refuses_a_case_sensitive_like() {
    let schema = common::schema();
    let with = |flag: bool| -> segment_model::Segment {
        serde_json::from_value(json!({"version": 1, "entity": "profiles", "root": {
            "combinator": "and", "negated": false, "children": [{"type": "condition",
            "attribute": "email", "operator": "like", "value": "%@x.org",
            "case_sensitive": flag}]}}))
        .unwrap()
    };
    let refused = census::to_value(&with(true), &schema, Some("profiles")).expect_err("refused");
    assert!(
        refused.to_string().contains("case-sensitive LIKE"),
        "{refused}"
    );
    census::to_value(&with(false), &schema, Some("profiles")).expect("a folded like is written");
}
