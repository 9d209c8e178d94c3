//! The count service on the demo data: the engine-or-SQL policy, the SQL paths of samples and
//! overlap (segments the engine cannot run, such as raw SQL conditions), cancellation.

use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use segment_service::{
    CheckedSegment, EngineCache, Error, Method, NodeCounts, Prefer, SampleOrder, Service,
};
use segment_source::CancelToken;
use serde_json::{json, Value};

fn demo() -> &'static PathBuf {
    static DEMO: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &DEMO
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("demo.sqlite");
            segment_source::generate_demo(
                &path,
                segment_source::DemoOptions {
                    profiles: 500,
                    seed: 7,
                },
            )
            .unwrap();
            (dir, path)
        })
        .1
}

fn service() -> Service {
    segment_service::open_sqlite(demo(), None, EngineCache::new()).unwrap()
}

fn now() -> DateTime<Utc> {
    "2026-11-01T00:00:00Z".parse().unwrap()
}

fn checked(service: &Service, root: Value) -> CheckedSegment {
    let segment = json!({"version": 1, "entity": "profiles", "root": root});
    CheckedSegment::from_json(segment, service.schema(), None, now()).unwrap()
}

fn us_or_raw_old() -> Value {
    json!({"combinator": "or", "children": [
        {"type": "condition", "attribute": "country", "operator": "is", "value": "US"},
        {"type": "sql", "sql": "age > 60"}]})
}

fn us_or_old() -> Value {
    json!({"combinator": "or", "children": [
        {"type": "condition", "attribute": "country", "operator": "is", "value": "US"},
        {"type": "condition", "attribute": "age", "operator": "greater_than", "value": 60}]})
}

#[test]
fn the_engine_counts_what_it_can_and_sql_the_rest_with_a_notice() {
    let service = service();
    let token = CancelToken::new();
    let plain = checked(&service, us_or_old());
    let counted = service
        .count(&plain, Prefer::Engine, NodeCounts::Always, &token)
        .unwrap();
    assert_eq!(counted.method, Method::Memory);
    assert!(counted.notice.is_none());
    let in_sql = service
        .count(&plain, Prefer::Sql, NodeCounts::Always, &token)
        .unwrap();
    assert_eq!(in_sql.method, Method::Sql);
    assert_eq!((in_sql.count, in_sql.nodes), (counted.count, counted.nodes));

    let raw = checked(&service, us_or_raw_old());
    let counted = service
        .count(&raw, Prefer::Engine, NodeCounts::Always, &token)
        .unwrap();
    assert_eq!(counted.method, Method::Sql);
    assert!(counted.notice.unwrap().contains("raw SQL"));
    assert_eq!(counted.count, in_sql.count);
}

#[test]
fn samples_and_overlap_of_raw_sql_segments_run_in_sql_and_equal_the_engine() {
    let service = service();
    let token = CancelToken::new();
    let plain = checked(&service, us_or_old());
    let raw = checked(&service, us_or_raw_old());
    for order in [SampleOrder::First, SampleOrder::Random(3)] {
        let in_memory = service.samples(&plain, 8, order, &token).unwrap();
        let in_sql = service.samples(&raw, 8, order, &token).unwrap();
        assert_eq!(in_sql.len(), 8);
        if order == SampleOrder::First {
            // The same records, having met the same nodes, with the same fields.
            assert_eq!(in_memory, in_sql);
        }
        for sample in &in_sql {
            assert!(!sample.met.is_empty(), "{sample:?}");
            assert_eq!(sample.record["id"], sample.key);
        }
    }
    let us = checked(
        &service,
        json!({"combinator": "and", "children": [
            {"type": "condition", "attribute": "country", "operator": "is", "value": "US"}]}),
    );
    let in_memory = service.overlap(&[plain, us.clone()], &token).unwrap();
    let in_sql = service.overlap(&[raw, us], &token).unwrap();
    assert_eq!(in_memory, in_sql);
    assert_eq!(
        in_sql.regions.iter().map(|r| r.count).sum::<u64>() <= in_sql.total,
        true
    );
}

#[test]
fn a_random_sample_is_repeatable_for_its_seed() {
    let service = service();
    let token = CancelToken::new();
    let raw = checked(&service, us_or_raw_old());
    let keys = |seed| -> Vec<Value> {
        service
            .samples(&raw, 5, SampleOrder::Random(seed), &token)
            .unwrap()
            .into_iter()
            .map(|s| s.key)
            .collect()
    };
    assert_eq!(keys(9), keys(9));
    assert_ne!(keys(9), keys(10));
}

#[test]
fn a_cancelled_count_says_so_in_memory_and_in_sql() {
    let service = service();
    let token = CancelToken::new();
    token.cancel();
    let plain = checked(&service, us_or_old());
    service.wait_for_engine();
    for prefer in [Prefer::Engine, Prefer::Sql] {
        let result = service.count(&plain, prefer, NodeCounts::None, &token);
        assert!(matches!(result, Err(Error::Cancelled)), "{result:?}");
    }
}

#[test]
fn members_are_every_matching_key() {
    let service = service();
    let token = CancelToken::new();
    let plain = checked(&service, us_or_old());
    let counted = service
        .count(&plain, Prefer::Sql, NodeCounts::None, &token)
        .unwrap();
    let members = service.members(&plain, &token).unwrap();
    assert_eq!(members.ids.len() as u64, counted.count);
    assert_eq!(members.total, counted.total);
}

#[test]
fn a_failing_raw_sql_condition_is_reported_at_its_node_with_its_own_position() {
    let service = service();
    let token = CancelToken::new();
    let typo = checked(
        &service,
        json!({"combinator": "and", "children": [
            {"type": "condition", "attribute": "country", "operator": "is", "value": "US"},
            {"type": "group", "combinator": "or", "children": [
                {"type": "sql", "sql": "age > 60"},
                {"type": "sql", "sql": "age >> > 3"}]}]}),
    );
    match service.count(&typo, Prefer::EngineIfReady, NodeCounts::None, &token) {
        Err(Error::RawSql { message, path }) => {
            assert_eq!(path, "/root/children/1/children/1");
            assert_eq!(message, "near \">\": syntax error (at character 8)");
        }
        other => panic!("expected a located raw SQL failure, got {other:?}"),
    }
    let unknown = checked(
        &service,
        json!({"combinator": "and", "children": [{"type": "sql", "sql": "agee > 3"}]}),
    );
    match service.count(&unknown, Prefer::Sql, NodeCounts::None, &token) {
        Err(Error::RawSql { message, path }) => {
            assert_eq!(path, "/root/children/0");
            assert!(message.starts_with("no such column: agee"), "{message}");
            assert!(!message.contains("SELECT"), "{message}");
        }
        other => panic!("expected a located raw SQL failure, got {other:?}"),
    }
}
