//! "Why / why not" judges one record on its own row and related rows: for every kind of
//! relationship constraint (first and last time, first and last record, distinct periods,
//! sequences, counts of zero, aggregates) and for text, list and negated conditions, each
//! node's verdict and the membership equal SQL's for that record.

use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use segment_model::Segment;
use segment_service::explain_record::{explain_record, parse_key};
use segment_service::{EngineCache, Method};
use segment_source::CancelToken;
use serde_json::{json, Value};

fn demo() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let path = dir.join("demo.sqlite");
        let options = segment_source::DemoOptions {
            profiles: 200,
            seed: 5,
        };
        segment_source::generate_demo(&path, options).unwrap();
        path
    })
}

fn events(constraint: Value, window: Option<Value>) -> Value {
    let mut node = json!({"type": "relationship", "relationship": "events",
        "constraint": constraint,
        "filter": {"combinator": "and", "children": [
            {"type": "condition", "attribute": "name", "operator": "is_one_of",
             "value": ["purchase", "login"]}]}});
    if let Some(window) = window {
        node["window"] = window;
    }
    node
}

fn segments() -> Vec<Value> {
    let last_60_days = Some(json!({"type": "in_the_last", "amount": 60, "unit": "day"}));
    vec![
        events(
            json!({"type": "first_time", "operator": "in_the_last",
                      "value": {"amount": 90, "unit": "day"}}),
            None,
        ),
        events(
            json!({"type": "last_time", "operator": "more_than_ago",
                      "value": {"amount": 20, "unit": "day"}}),
            last_60_days.clone(),
        ),
        events(
            json!({"type": "first_time", "operator": "before", "value": "2026-08-01"}),
            None,
        ),
        events(
            json!({"type": "last_record", "condition": {
                      "attribute": "name", "operator": "is", "value": "purchase"}}),
            None,
        ),
        events(
            json!({"type": "distinct_periods", "unit": "day", "operator": "at_least",
                      "value": 2}),
            last_60_days.clone(),
        ),
        events(
            json!({"type": "sequence", "steps": [
                {"filter": {"combinator": "and", "children": [{"type": "condition",
                    "attribute": "name", "operator": "is", "value": "login"}]}},
                {"filter": {"combinator": "and", "children": [{"type": "condition",
                    "attribute": "name", "operator": "is", "value": "purchase"}]}}]}),
            None,
        ),
        events(
            json!({"type": "occurrences", "operator": "exactly", "value": 0}),
            last_60_days,
        ),
        events(
            json!({"type": "aggregate", "function": "avg", "attribute": "amount",
                      "operator": "more_than", "value": 20}),
            None,
        ),
        json!({"type": "condition", "attribute": "email", "operator": "contains", "value": "a"}),
        json!({"type": "condition", "attribute": "tags", "operator": "contains_any_of",
               "value": ["vip", "beta"]}),
        json!({"type": "condition", "attribute": "age", "operator": "is_null"}),
    ]
}

#[test]
fn every_constraint_is_judged_for_one_record_as_sql_judges_it() {
    let service = segment_service::open_sqlite(demo(), None, EngineCache::new()).unwrap();
    assert!(service.dataset().is_ok());
    let token = CancelToken::new();
    let now: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
    let nodes = segments();
    let mut members = 0;
    for (i, pair) in nodes
        .iter()
        .zip(nodes.iter().skip(1).chain(&nodes[..1]))
        .enumerate()
    {
        let negated = i % 3 == 0;
        let segment: Segment = serde_json::from_value(json!({"version": 1, "entity": "profiles",
            "root": {"combinator": if i % 2 == 0 { "or" } else { "and" }, "children": [
                pair.0,
                {"type": "group", "combinator": "and", "negated": negated, "children": [pair.1]}]}}))
        .unwrap();
        let checked = service.check(segment, None, now).unwrap();
        let variants = checked.variants(service.schema());
        for id in (1..=200).step_by(9) {
            let key = parse_key(&id.to_string(), service.schema(), &checked).unwrap();
            let explained = explain_record(&service, &checked, &key, &token).unwrap();
            assert_eq!(explained.method, Method::Memory, "segment {i}");
            let keys = std::slice::from_ref(&key);
            let member = service
                .backend()
                .keys_matching(&checked.query, keys, &token)
                .unwrap()[0];
            assert_eq!(explained.member, member, "segment {i}, id {id}");
            members += u32::from(member);
            for (verdict, variant) in explained.nodes[1..].iter().zip(&variants) {
                let in_sql = service
                    .backend()
                    .keys_matching(&variant.alone, keys, &token)
                    .unwrap()[0];
                assert_eq!(
                    verdict.met, in_sql,
                    "segment {i}, id {id}, {}",
                    verdict.path
                );
            }
        }
    }
    assert!(members > 10, "members and non-members are both judged");
}
