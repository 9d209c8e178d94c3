//! Counts made in SQL are remembered for the session, per (definition, source, as-of): asking
//! again sends no query (a backend that counts its calls says so), another definition, another
//! "now" or per-node counts not yet made do, a reopened service starts afresh, and a file
//! changed in place is counted again. On PostgreSQL (`SEGMENT_PG_URL`, scripts/with-postgres.sh)
//! too; without a server that test says so and passes.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use segment_engine::explain::Overlap;
use segment_model::ir::Query;
use segment_model::Schema;
use segment_service::{
    Backend, CheckedSegment, EngineCache, Location, NodeCounts, OpenOptions, Prefer, Service,
    SqliteBackend,
};
use segment_source::{CancelToken, CountResult, DemoOptions};
use serde_json::{json, Value};

/// A backend that counts how many counting round trips reach it.
struct Counting {
    inner: Arc<dyn Backend>,
    calls: Arc<AtomicUsize>,
}

impl Backend for Counting {
    fn location(&self) -> String {
        self.inner.location()
    }
    fn schema(&self) -> &Schema {
        self.inner.schema()
    }
    fn data_version(&self) -> Option<String> {
        self.inner.data_version()
    }
    fn engine_load(&self) -> Option<segment_service::engine_cache::EngineLoad> {
        self.inner.engine_load()
    }
    fn count(&self, query: &Query, token: &CancelToken) -> segment_service::Result<CountResult> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.count(query, token)
    }
    fn counts(&self, queries: &[Query], token: &CancelToken) -> segment_service::Result<Vec<u64>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.counts(queries, token)
    }
    fn matching_keys(
        &self,
        query: &Query,
        limit: u64,
        token: &CancelToken,
    ) -> segment_service::Result<Vec<Value>> {
        self.inner.matching_keys(query, limit, token)
    }
    fn total(&self, entity: &str) -> segment_service::Result<u64> {
        self.inner.total(entity)
    }
    fn records(
        &self,
        entity: &str,
        key: &str,
        keys: &[Value],
    ) -> segment_service::Result<Vec<Value>> {
        self.inner.records(entity, key, keys)
    }
    fn keys_matching(
        &self,
        query: &Query,
        keys: &[Value],
        token: &CancelToken,
    ) -> segment_service::Result<Vec<bool>> {
        self.inner.keys_matching(query, keys, token)
    }
    fn overlap(&self, queries: &[Query], token: &CancelToken) -> segment_service::Result<Overlap> {
        self.inner.overlap(queries, token)
    }
}

fn counting(inner: Arc<dyn Backend>) -> (Service, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let backend = Counting {
        inner,
        calls: Arc::clone(&calls),
    };
    (Service::new(Arc::new(backend), EngineCache::new()), calls)
}

fn demo(dir: &Path, profiles: u64) -> PathBuf {
    let path = dir.join("demo.sqlite");
    segment_source::generate_demo(&path, DemoOptions { profiles, seed: 5 }).unwrap();
    path
}

fn now(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// "country is US, and at least 2 purchases in the last 90 days".
fn us_buyers(service: &Service, at: DateTime<Utc>) -> CheckedSegment {
    let segment = json!({"version": 1, "entity": "profiles", "root": {"combinator": "and", "children": [
        {"type": "condition", "attribute": "country", "operator": "is", "value": "US"},
        {"type": "relationship", "relationship": "events",
         "constraint": {"type": "occurrences", "operator": "at_least", "value": 2},
         "window": {"type": "in_the_last", "amount": 90, "unit": "day"},
         "filter": {"combinator": "and", "children": [
            {"type": "condition", "attribute": "name", "operator": "is", "value": "purchase"}]}}]}});
    CheckedSegment::from_json(segment, service.schema(), None, at).unwrap()
}

fn plan_pro(service: &Service, at: DateTime<Utc>) -> CheckedSegment {
    let segment = json!({"version": 1, "entity": "profiles", "root": {"combinator": "and", "children": [
        {"type": "condition", "attribute": "plan", "operator": "is", "value": "pro"}]}});
    CheckedSegment::from_json(segment, service.schema(), None, at).unwrap()
}

/// Asks the service for a count in SQL (with per-node counts as asked); its count, whether it
/// was remembered, and how many round trips reached the backend meanwhile.
fn ask(
    service: &Service,
    calls: &AtomicUsize,
    checked: &CheckedSegment,
    nodes: NodeCounts,
) -> (u64, bool, usize) {
    let before = calls.load(Ordering::SeqCst);
    let counted = service
        .count(checked, Prefer::Sql, nodes, &CancelToken::new())
        .unwrap();
    (
        counted.count,
        counted.cached,
        calls.load(Ordering::SeqCst) - before,
    )
}

/// The hits and misses every source must show, on `service` (whose backend counts calls).
fn hits_and_misses(service: &Service, calls: &AtomicUsize) {
    let at = now("2026-11-01T00:00:00Z");
    let us = us_buyers(service, at);
    let (count, cached, trips) = ask(service, calls, &us, NodeCounts::None);
    assert!(
        !cached && trips == 1 && count > 0,
        "{count} {cached} {trips}"
    );
    // The same definition, source and as-of: remembered, no round trip.
    assert_eq!(ask(service, calls, &us, NodeCounts::None), (count, true, 0));
    // Checked again from its JSON (another CheckedSegment, the same definition): still a hit.
    assert_eq!(
        ask(service, calls, &us_buyers(service, at), NodeCounts::None),
        (count, true, 0)
    );
    // Per-node counts not made yet: only they are counted (one round trip), the count is
    // remembered; within a budget too (the remembered count cost nothing).
    assert_eq!(
        ask(service, calls, &us, NodeCounts::Always),
        (count, true, 1)
    );
    let pro = plan_pro(service, at);
    let (pro_count, _, trips) = ask(service, calls, &pro, NodeCounts::None);
    assert_eq!(trips, 1);
    let budget = NodeCounts::WithinBudget(std::time::Duration::from_secs(3600));
    assert_eq!(ask(service, calls, &pro, budget), (pro_count, true, 1));
    // ...and remembered with them, for either kind of request.
    let with_nodes = service
        .count(&us, Prefer::Sql, NodeCounts::Always, &CancelToken::new())
        .unwrap();
    assert!(with_nodes.cached && with_nodes.nodes.as_ref().is_some_and(|n| n.len() == 3));
    assert_eq!(ask(service, calls, &us, NodeCounts::None), (count, true, 0));
    // Another as-of time (the 90-day window moves): a miss.
    let later = us_buyers(service, now("2026-12-15T00:00:00Z"));
    assert_eq!(ask(service, calls, &later, NodeCounts::None).2, 1);
    // Another definition was a miss; both are remembered, with their per-node counts.
    assert_eq!(ask(service, calls, &pro, budget).2, 0);
    assert_eq!(ask(service, calls, &us, NodeCounts::None).2, 0);
    assert_eq!(service.remembered_results(), 3);
    // A superseded (cancelled) request is not answered from memory either.
    let cancelled = CancelToken::new();
    cancelled.cancel();
    assert!(matches!(
        service.count(&us, Prefer::Sql, NodeCounts::None, &cancelled),
        Err(segment_service::Error::Cancelled)
    ));
    // Forgotten on request (a reload).
    service.forget_results();
    assert_eq!(
        ask(service, calls, &us, NodeCounts::None),
        (count, false, 1)
    );
}

#[test]
fn sql_counts_are_remembered_per_definition_source_and_as_of() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo(dir.path(), 400);
    let backend = Arc::new(SqliteBackend::open(&path, None).unwrap());
    let (service, calls) = counting(backend.clone());
    hits_and_misses(&service, &calls);

    // A service opened again on the same data (reconnect, reload) starts afresh.
    let (reopened, calls) = counting(backend);
    let us = us_buyers(&reopened, now("2026-11-01T00:00:00Z"));
    assert_eq!(ask(&reopened, &calls, &us, NodeCounts::None).1, false);
    assert_eq!(ask(&reopened, &calls, &us, NodeCounts::None).1, true);
}

#[test]
fn a_file_changed_in_place_is_counted_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo(dir.path(), 300);
    let (service, calls) = counting(Arc::new(SqliteBackend::open(&path, None).unwrap()));
    let us = us_buyers(&service, now("2026-11-01T00:00:00Z"));
    assert_eq!(ask(&service, &calls, &us, NodeCounts::None).2, 1);
    assert_eq!(ask(&service, &calls, &us, NodeCounts::None).2, 0);
    // The file is written by someone else (a newer modification time).
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(later)
        .unwrap();
    assert_eq!(ask(&service, &calls, &us, NodeCounts::None).2, 1);
}

#[test]
fn the_app_preview_is_remembered_on_the_engine_path_only_when_it_counts_in_sql() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo(dir.path(), 300);
    let (service, calls) = counting(Arc::new(SqliteBackend::open(&path, None).unwrap()));
    // The engine counts in memory: nothing is sent to the backend, nothing is remembered.
    let us = us_buyers(&service, now("2026-11-01T00:00:00Z"));
    let counted = service
        .count(&us, Prefer::Engine, NodeCounts::None, &CancelToken::new())
        .unwrap();
    assert!(!counted.cached);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    assert_eq!(service.remembered_results(), 0);
}

#[test]
fn postgresql_counts_are_remembered_for_the_session() {
    let Ok(url) = std::env::var("SEGMENT_PG_URL") else {
        eprintln!("SEGMENT_PG_URL is not set (scripts/with-postgres.sh sets it): skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = demo(dir.path(), 400);
    let schema = format!("result_cache_{}", std::process::id());
    let settings = segment_postgres::Settings {
        url: url.clone(),
        schema: Some(schema.clone()),
        ..Default::default()
    };
    segment_postgres::load::copy_sqlite(&path, &settings, true).unwrap();
    let options = OpenOptions {
        schema: Some(&schema),
        ..Default::default()
    };
    let pg = segment_service::open_backend(&Location::parse(&url).unwrap(), &options).unwrap();
    let (service, calls) = counting(pg);
    hits_and_misses(&service, &calls);
    // The same counts as the file's.
    let file = segment_service::open_sqlite(&path, None, EngineCache::new()).unwrap();
    let at = now("2026-11-01T00:00:00Z");
    let on_file = file
        .count(
            &us_buyers(&file, at),
            Prefer::Engine,
            NodeCounts::None,
            &CancelToken::new(),
        )
        .unwrap();
    assert_eq!(
        ask(&service, &calls, &us_buyers(&service, at), NodeCounts::None).0,
        on_file.count
    );
}
