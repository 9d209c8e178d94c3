//! First / last time, the first or most recent record's attribute, and distinct periods:
//! what validation makes of them, and where it locates their problems.

mod common;

use chrono::{DateTime, Utc};
use segment_model::ir::{
    CountTest, Expr, Extreme, Predicate, RelatedConstraint, TimeBound, TimeRange,
};
use segment_model::tree::TimeUnit;
use segment_model::{validate, Schema, Segment};
use serde_json::{json, Value};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-05-16T13:45:10Z")
        .unwrap()
        .to_utc()
}

fn on_events(constraint: Value) -> Segment {
    serde_json::from_value(json!({"version": 1, "entity": "profiles", "root": {
        "combinator": "and",
        "children": [{"type": "relationship", "relationship": "events", "constraint": constraint,
            "filter": {"combinator": "and", "children": [
                {"type": "condition", "attribute": "name", "operator": "is", "value": "purchase"}
            ]}}]
    }}))
    .unwrap()
}

fn constraint_of(constraint: Value, schema: &Schema) -> Result<RelatedConstraint, Vec<String>> {
    match validate::check(&on_events(constraint), schema, None, now()) {
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
fn first_time_in_the_last_30_days_is_a_range_on_the_earliest_time() {
    let c = constraint_of(
        json!({"type": "first_time", "operator": "in_the_last", "value": {"amount": 30, "unit": "day"}}),
        &common::schema(),
    )
    .unwrap();
    let RelatedConstraint::TimeOf {
        which,
        column,
        predicate,
    } = c
    else {
        panic!("{c:?}")
    };
    assert_eq!(which, Extreme::First);
    assert_eq!(column.name, "ts");
    let start = now().timestamp() - 30 * 86_400;
    assert_eq!(
        predicate,
        Predicate::Time {
            range: TimeRange {
                start: Some(TimeBound {
                    at: start,
                    inclusive: true
                }),
                end: Some(TimeBound {
                    at: now().timestamp(),
                    inclusive: true
                }),
            },
            negated: false
        }
    );
}

#[test]
fn last_record_keeps_its_condition_on_the_related_entity() {
    let c = constraint_of(
        json!({"type": "last_record", "condition": {"attribute": "event_name", "operator": "is", "value": "shoes"}}),
        &common::schema(),
    )
    .unwrap();
    let RelatedConstraint::RecordOf { which, test, .. } = c else {
        panic!("{c:?}")
    };
    assert_eq!(which, Extreme::Last);
    let Expr::Column { column, .. } = test else {
        panic!("{test:?}")
    };
    assert_eq!(
        (column.entity.as_str(), column.name.as_str()),
        ("events", "event_name")
    );
}

#[test]
fn distinct_periods_normalise_like_occurrences() {
    let schema = common::schema();
    let at_least_5 = constraint_of(
        json!({"type": "distinct_periods", "unit": "day", "operator": "at_least", "value": 5}),
        &schema,
    )
    .unwrap();
    assert!(matches!(
        at_least_5,
        RelatedConstraint::DistinctPeriods {
            unit: TimeUnit::Day,
            count: CountTest::Range { min: 5, max: None },
            ..
        }
    ));
    let not_2 = constraint_of(
        json!({"type": "distinct_periods", "unit": "week", "operator": "not_equals", "value": 2}),
        &schema,
    )
    .unwrap();
    assert!(matches!(
        not_2,
        RelatedConstraint::DistinctPeriods {
            count: CountTest::Not(2),
            ..
        }
    ));
    // "at least 0 distinct days" holds for everyone, "fewer than 0" for no one.
    let always = on_events(
        json!({"type": "distinct_periods", "unit": "month", "operator": "at_least", "value": 0}),
    );
    let query = validate::check(&always, &schema, None, now()).unwrap();
    assert_eq!(query.filter, Expr::True);
    let never = on_events(
        json!({"type": "distinct_periods", "unit": "month", "operator": "less_than", "value": 0}),
    );
    let query = validate::check(&never, &schema, None, now()).unwrap();
    assert_eq!(query.filter, Expr::False);
}

#[test]
fn problems_are_located_inside_the_constraint() {
    let schema = common::schema();
    let problems =
        constraint_of(json!({"type": "last_time", "operator": "is_null"}), &schema).unwrap_err();
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0]
            .starts_with("/root/children/0/constraint/operator “is null” does not apply to a time"),
        "{problems:?}"
    );

    let problems = constraint_of(
        json!({"type": "first_record", "condition": {"attribute": "colour", "operator": "is", "value": "x"}}),
        &schema,
    )
    .unwrap_err();
    assert!(problems[0].starts_with("/root/children/0/constraint/condition/attribute “colour” is not an attribute of events"), "{problems:?}");

    let problems = constraint_of(
        json!({"type": "distinct_periods", "unit": "hour", "operator": "at_least", "value": -1}),
        &schema,
    )
    .unwrap_err();
    let paths: Vec<&str> = problems
        .iter()
        .map(|p| p.split(' ').next().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "/root/children/0/constraint/unit",
            "/root/children/0/constraint/value"
        ]
    );
}

#[test]
fn a_relationship_without_a_time_column_has_no_first_or_last() {
    let mut schema = common::schema();
    schema.relationships[0].time_column = None;
    for constraint in [
        json!({"type": "first_time", "operator": "in_the_last", "value": {"amount": 30, "unit": "day"}}),
        json!({"type": "last_record", "condition": {"attribute": "name", "operator": "is", "value": "x"}}),
        json!({"type": "distinct_periods", "unit": "day", "operator": "at_least", "value": 2}),
    ] {
        let problems = constraint_of(constraint, &schema).unwrap_err();
        assert_eq!(
            problems,
            ["/root/children/0/constraint events has no date/time column, so there is no first, last or distinct day of them."]
        );
    }
}

#[test]
fn the_canonical_json_reads_back_the_same() {
    for constraint in [
        json!({"type": "first_time", "operator": "in_the_last", "value": {"amount": 30, "unit": "day"}}),
        json!({"type": "last_time", "operator": "more_than_ago", "value": {"amount": 90, "unit": "day"}}),
        json!({"type": "first_record", "condition": {"attribute": "name", "operator": "is", "value": "ads"}}),
        json!({"type": "distinct_periods", "unit": "week", "operator": "between", "value": [2, 4]}),
    ] {
        let segment = on_events(constraint.clone());
        let text = serde_json::to_value(&segment).unwrap();
        assert_eq!(text["root"]["children"][0]["constraint"], constraint);
    }
}
