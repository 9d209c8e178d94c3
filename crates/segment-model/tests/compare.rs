//! Validation of a condition comparing two attributes of the same record: the typed IR, and
//! each problem at its JSON Pointer.

mod common;

use chrono::{DateTime, Utc};
use segment_model::ir::{CompareOp, Expr};
use segment_model::validate;
use segment_model::Segment;
use serde_json::{json, Value};

fn now() -> DateTime<Utc> {
    "2024-05-16T00:00:00Z".parse().unwrap()
}

fn check(condition: Value) -> Result<Expr, Vec<(String, String)>> {
    let mut node = json!({"type": "condition"});
    node.as_object_mut()
        .unwrap()
        .extend(condition.as_object().unwrap().clone());
    let segment: Segment = serde_json::from_value(json!({"version": 1, "entity": "profiles",
        "root": {"combinator": "and", "children": [node]}}))
    .unwrap();
    validate::check(&segment, &common::schema(), None, now())
        .map(|q| q.filter)
        .map_err(|problems| problems.into_iter().map(|p| (p.path, p.message)).collect())
}

#[test]
fn two_attributes_of_one_type_become_a_comparison() {
    let Ok(Expr::Compare(c)) = check(json!({"attribute": "signed_up_at", "operator": "before",
        "value": {"attribute": "birth_date", "date_only": true}}))
    else {
        panic!("not a comparison")
    };
    assert_eq!(c.left.name, "signed_up_at");
    assert_eq!(c.right.name, "birth_date");
    assert_eq!(c.op, CompareOp::Lt);
    assert!(c.date_only);
    let Ok(Expr::Compare(c)) = check(
        json!({"attribute": "email", "operator": "is_not", "value": {"attribute": "country"}}),
    ) else {
        panic!("not a comparison")
    };
    assert_eq!((c.op, c.date_only), (CompareOp::Ne, false));
}

#[test]
fn each_problem_is_located() {
    let problem = |condition: Value| check(condition).unwrap_err().remove(0);
    let (path, message) =
        problem(json!({"attribute": "email", "operator": "is", "value": {"attribute": "emial"}}));
    assert_eq!(path, "/root/children/0/value/attribute");
    assert!(
        message.contains("“emial” is not an attribute of profiles"),
        "{message}"
    );
    let (path, message) =
        problem(json!({"attribute": "email", "operator": "is", "value": {"attribute": "age"}}));
    assert_eq!(path, "/root/children/0/value/attribute");
    assert!(
        message.contains("email is text and age is number"),
        "{message}"
    );
    let (path, message) = problem(
        json!({"attribute": "email", "operator": "contains", "value": {"attribute": "country"}}),
    );
    assert_eq!(path, "/root/children/0/operator");
    assert!(message.contains("Use one of: is, is not"), "{message}");
    let (path, _) = problem(
        json!({"attribute": "age", "operator": "equals", "value": {"attribute": "id", "date_only": true}}),
    );
    assert_eq!(path, "/root/children/0/value/date_only");
    let (path, _) = problem(
        json!({"attribute": "is_subscribed", "operator": "is_true", "value": {"attribute": "is_subscribed"}}),
    );
    assert_eq!(path, "/root/children/0/operator");
    let (path, _) =
        problem(json!({"attribute": "age", "operator": "equals", "value": {"attribute": ""}}));
    assert_eq!(path, "/root/children/0/value");
    let (path, _) = problem(json!({"attribute": "email", "operator": "is",
        "value": {"attribute": "country"}, "case_sensitive": false}));
    assert_eq!(path, "/root/children/0/case_sensitive");
}
