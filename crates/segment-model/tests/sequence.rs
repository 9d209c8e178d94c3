//! Sequences of related records: what validation makes of them (spans in seconds, steps'
//! filters) and where it locates their problems.

mod common;

use chrono::{DateTime, Utc};
use segment_model::ir::{Expr, RelatedConstraint};
use segment_model::{validate, Schema, Segment};
use serde_json::{json, Value};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-05-16T13:45:10Z")
        .unwrap()
        .to_utc()
}

fn named(name: &str) -> Value {
    json!({"combinator": "and", "children": [
        {"type": "condition", "attribute": "name", "operator": "is", "value": name}
    ]})
}

fn check(constraint: Value, schema: &Schema) -> Result<RelatedConstraint, Vec<String>> {
    let segment: Segment = serde_json::from_value(json!({"version": 1, "entity": "profiles",
        "root": {"combinator": "and", "children": [{"type": "relationship",
            "relationship": "events", "constraint": constraint,
            "filter": {"combinator": "and", "children": []}}]}}))
    .unwrap();
    match validate::check(&segment, schema, None, now()) {
        Ok(query) => match query.filter {
            Expr::Related(related) => Ok(related.constraint),
            other => panic!("unexpected {other:?}"),
        },
        Err(problems) => Err(problems
            .iter()
            .map(|p| format!("{} {}", p.path, p.message))
            .collect()),
    }
}

#[test]
fn viewed_then_bought_within_7_days_has_the_gap_in_seconds() {
    let c = check(
        json!({"type": "sequence", "steps": [
            {"filter": named("view")},
            {"filter": named("purchase"), "within": {"amount": 7, "unit": "day"},
             "excluding": named("refund")}
        ], "within": {"amount": 2, "unit": "week"}}),
        &common::schema(),
    )
    .unwrap();
    let RelatedConstraint::Sequence {
        column,
        steps,
        within,
    } = c
    else {
        panic!("{c:?}")
    };
    assert_eq!(column.name, "ts");
    assert_eq!(within, Some(14 * 86_400));
    assert_eq!(steps.len(), 2);
    assert_eq!((steps[0].gap, steps[1].gap), (None, Some(7 * 86_400)));
    assert!(steps[0].excluding.is_none() && steps[1].excluding.is_some());
    assert!(matches!(steps[1].test, Expr::Column { .. }));
}

#[test]
fn problems_are_located_at_the_step_and_the_span() {
    let problems = check(
        json!({"type": "sequence", "steps": [
            {"filter": named("view"), "within": {"amount": 1, "unit": "day"}},
            {"filter": named("purchase"), "within": {"amount": 1, "unit": "month"}}
        ]}),
        &common::schema(),
    )
    .unwrap_err();
    assert_eq!(
        problems,
        [
            "/root/children/0/constraint/steps/0 The first step has no previous step to be within or to exclude from.",
            "/root/children/0/constraint/steps/1/within/unit Say “within” in minutes, hours, days or weeks (months and years vary in length).",
        ]
    );
    let one = check(
        json!({"type": "sequence", "steps": [{"filter": named("view")}]}),
        &common::schema(),
    )
    .unwrap_err();
    assert_eq!(
        one,
        ["/root/children/0/constraint/steps A sequence has 2 to 5 steps; this one has 1."]
    );
}

#[test]
fn a_relationship_without_a_time_column_has_no_sequence() {
    let mut schema = common::schema();
    schema.relationships[0].time_column = None;
    let problems = check(
        json!({"type": "sequence", "steps": [{"filter": named("view")}, {"filter": named("purchase")}]}),
        &schema,
    )
    .unwrap_err();
    assert_eq!(
        problems,
        ["/root/children/0/constraint events has no date/time column, so its records have no order."]
    );
}
