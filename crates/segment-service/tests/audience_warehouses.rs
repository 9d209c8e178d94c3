//! The audience tools where the data lives: breakdowns (text, true/false, number bins, dates by
//! month, related aggregates, records without a value) and a split's balance report on
//! PostgreSQL and on Spark give exactly what they give on the SQLite file (in its SQL and in
//! the engine) for the same demo data. Needs `SEGMENT_PG_URL` (`scripts/with-postgres.sh`)
//! and/or `SEGMENT_SPARK_URL` (`scripts/with-spark.sh`); each missing server is skipped.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use segment_service::audience::{
    Breakdown, BreakdownOptions, Dimension, Period, RowKind, SplitGroup, SplitRequest, SplitResult,
};
use segment_service::{
    open_backend, open_location, Backend, CheckedSegment, EngineCache, Location, Method,
    OpenOptions, Prefer, Service,
};
use segment_source::{CancelToken, DemoOptions};
use serde_json::{json, Value};

/// The demo (3,000 profiles, seed 11) as a SQLite file.
fn demo() -> &'static PathBuf {
    static DEMO: OnceLock<PathBuf> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let path = dir.join("demo.sqlite");
        let options = DemoOptions {
            profiles: 3000,
            seed: 11,
        };
        segment_source::generate_demo(&path, options).unwrap();
        path
    })
}

fn local() -> Service {
    segment_service::open_sqlite(demo(), None, EngineCache::new()).unwrap()
}

/// The demo copied into a PostgreSQL schema of this run's own.
fn postgres() -> Option<Service> {
    let Ok(url) = std::env::var("SEGMENT_PG_URL") else {
        eprintln!("SEGMENT_PG_URL is not set (scripts/with-postgres.sh sets it): skipped");
        return None;
    };
    static SCHEMA: OnceLock<String> = OnceLock::new();
    let schema = SCHEMA.get_or_init(|| {
        let schema = format!("audience_{}", std::process::id());
        let settings = segment_postgres::Settings {
            url: url.clone(),
            schema: Some(schema.clone()),
            ..Default::default()
        };
        segment_postgres::load::copy_sqlite(demo(), &settings, true).unwrap();
        schema
    });
    Some(open(&url, schema))
}

/// The demo copied into a Spark database (Parquet, native types) of this run's own.
fn spark() -> Option<Service> {
    let Ok(url) = std::env::var("SEGMENT_SPARK_URL") else {
        eprintln!("SEGMENT_SPARK_URL is not set (scripts/with-spark.sh sets it): skipped");
        return None;
    };
    static DATABASE: OnceLock<String> = OnceLock::new();
    let database = DATABASE.get_or_init(|| {
        let database = format!("audience_{}", std::process::id());
        let client =
            segment_spark::SparkClient::connect(&segment_spark::ConnectUrl::parse(&url).unwrap())
                .unwrap();
        let staging = tempfile::tempdir().unwrap().keep();
        segment_spark::load::copy_sqlite(demo(), &client, &database, &staging).unwrap();
        database
    });
    Some(open(&url, database))
}

fn open(url: &str, schema: &str) -> Service {
    let options = OpenOptions {
        schema: Some(schema),
        ..Default::default()
    };
    open_location(&Location::parse(url).unwrap(), &options, EngineCache::new()).unwrap()
}

/// Scores of 4,000 people as a SQLite file: `score`, a real with about 3,900 distinct values
/// (one in 50 without a value); `edge`, tenths from -0.6 to 0.6 (bars of 0.1, where 0.3 / 0.1
/// is 2.9999999999999996 in double precision: values on a bar's edge); `level`, an integer.
fn scores() -> &'static PathBuf {
    static SCORES: OnceLock<PathBuf> = OnceLock::new();
    SCORES.get_or_init(|| {
        let path = tempfile::tempdir().unwrap().keep().join("scores.sqlite");
        let db = rusqlite::Connection::open(&path).unwrap();
        db.execute_batch(
            "CREATE TABLE people (id INTEGER PRIMARY KEY, score REAL, edge REAL, level INTEGER);",
        )
        .unwrap();
        let mut insert = db
            .prepare("INSERT INTO people VALUES (?1, ?2, ?3, ?4)")
            .unwrap();
        for i in 0..4000i64 {
            let score = (i % 50 != 0).then(|| ((i * 7919) % 100_003) as f64 / 37.0);
            let edge = ((i % 13) - 6) as f64 / 10.0;
            insert
                .execute(rusqlite::params![i, score, edge, i % 97])
                .unwrap();
        }
        path
    })
}

/// The scores in a warehouse: a schema (PostgreSQL) or database (Spark) of this run's own.
fn scores_there(url_var: &str) -> Option<Arc<dyn Backend>> {
    let url = std::env::var(url_var).ok()?;
    let name = format!("scores_{}", std::process::id());
    if url_var == "SEGMENT_PG_URL" {
        let settings = segment_postgres::Settings {
            url: url.clone(),
            schema: Some(name.clone()),
            ..Default::default()
        };
        segment_postgres::load::copy_sqlite(scores(), &settings, true).unwrap();
    } else {
        let client =
            segment_spark::SparkClient::connect(&segment_spark::ConnectUrl::parse(&url).unwrap())
                .unwrap();
        let staging = tempfile::tempdir().unwrap().keep();
        segment_spark::load::copy_sqlite(scores(), &client, &name, &staging).unwrap();
    }
    let options = OpenOptions {
        schema: Some(&name),
        ..Default::default()
    };
    Some(open_backend(&Location::parse(&url).unwrap(), &options).unwrap())
}

/// A data source that counts the statements the audience tools run and the rows they read,
/// and the key lists they read (`matching_keys`).
struct Counting {
    inner: Arc<dyn Backend>,
    statements: AtomicUsize,
    rows: AtomicUsize,
    key_lists: AtomicUsize,
}

impl Counting {
    fn new(inner: Arc<dyn Backend>) -> Arc<Counting> {
        Arc::new(Counting {
            inner,
            statements: AtomicUsize::new(0),
            rows: AtomicUsize::new(0),
            key_lists: AtomicUsize::new(0),
        })
    }

    /// Key lists read since the last call.
    fn take_key_lists(&self) -> usize {
        self.key_lists.swap(0, Ordering::SeqCst)
    }

    /// Statements and rows since the last call.
    fn take(&self) -> (usize, usize) {
        (
            self.statements.swap(0, Ordering::SeqCst),
            self.rows.swap(0, Ordering::SeqCst),
        )
    }
}

impl Backend for Counting {
    fn location(&self) -> String {
        self.inner.location()
    }
    fn schema(&self) -> &segment_model::Schema {
        self.inner.schema()
    }
    fn count(
        &self,
        query: &segment_model::ir::Query,
        token: &CancelToken,
    ) -> segment_service::Result<segment_source::CountResult> {
        self.inner.count(query, token)
    }
    fn matching_keys(
        &self,
        query: &segment_model::ir::Query,
        limit: u64,
        token: &CancelToken,
    ) -> segment_service::Result<Vec<Value>> {
        self.key_lists.fetch_add(1, Ordering::SeqCst);
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
        query: &segment_model::ir::Query,
        keys: &[Value],
        token: &CancelToken,
    ) -> segment_service::Result<Vec<bool>> {
        self.inner.keys_matching(query, keys, token)
    }
    fn overlap(
        &self,
        queries: &[segment_model::ir::Query],
        token: &CancelToken,
    ) -> segment_service::Result<segment_engine::explain::Overlap> {
        self.inner.overlap(queries, token)
    }
    fn sql_dialect(&self) -> segment_service::registry::SqlDialect {
        self.inner.sql_dialect()
    }
    fn engine_load(&self) -> Option<segment_service::engine_cache::EngineLoad> {
        self.inner.engine_load()
    }
    fn select_rows(
        &self,
        statement: &segment_sql::Statement,
        token: &CancelToken,
    ) -> segment_service::Result<Vec<Vec<segment_sql::SqlCell>>> {
        let rows = self.inner.select_rows(statement, token)?;
        self.statements.fetch_add(1, Ordering::SeqCst);
        self.rows.fetch_add(rows.len(), Ordering::SeqCst);
        Ok(rows)
    }
}

/// Number breakdowns are pushed down by bar: a real column with thousands of distinct values,
/// values on the bars' edges, an integer column and a related count give what the engine
/// gives, reading one row per bar (and one for the range), not one per value.
fn number_bars_equal_the_files(name: &str, warehouse: Option<Arc<dyn Backend>>) {
    let local_backend: Arc<dyn Backend> =
        Arc::new(segment_service::SqliteBackend::open(scores(), None).unwrap());
    let local = Counting::new(local_backend);
    let local_service = Service::new(local.clone(), EngineCache::new());
    let there = warehouse.map(Counting::new);
    let there_service = there
        .as_ref()
        .map(|c| Service::new(c.clone(), EngineCache::new()));
    let token = CancelToken::new();
    let segment = |service: &Service| {
        let root = json!({"combinator": "and", "children": [
            {"type": "condition", "attribute": "level", "operator": "less_than", "value": 40}]});
        let segment = json!({"version": 1, "entity": "people", "root": root});
        let now = "2026-11-01T00:00:00Z".parse().unwrap();
        CheckedSegment::from_json(segment, service.schema(), None, now).unwrap()
    };
    let cases = [
        ("score", 12),
        ("score", 40),
        ("edge", 12),
        ("level", 12),
        ("edge", 3),
    ];
    for (column, bins) in cases {
        let dimension = Dimension::parse(column).unwrap();
        let options = BreakdownOptions {
            bins: Some(bins),
            ..Default::default()
        };
        let on_file = segment(&local_service);
        let memory = local_service
            .breakdown(&on_file, &dimension, &options, Prefer::Engine, &token)
            .unwrap();
        let _ = local.take();
        let sql = local_service
            .breakdown(&on_file, &dimension, &options, Prefer::Sql, &token)
            .unwrap();
        let (statements, rows) = local.take();
        assert_eq!((memory.method, sql.method), (Method::Memory, Method::Sql));
        assert_eq!(
            figures(&sql),
            figures(&memory),
            "SQLite, {column} in {bins}"
        );
        assert_eq!(statements, 2, "SQLite, {column}: the range, then the bars");
        // One row per bar with records, one for the records without a value, one for the range.
        assert!(
            rows <= sql.rows.len() + 1,
            "SQLite, {column}: {rows} rows read"
        );
        if column == "score" {
            assert!(sql.rows.iter().any(|r| r.kind == RowKind::Missing));
        }
        if let (Some(there), Some(service)) = (&there, &there_service) {
            let remote = service
                .breakdown(
                    &segment(service),
                    &dimension,
                    &options,
                    Prefer::EngineIfReady,
                    &token,
                )
                .unwrap_or_else(|e| panic!("{name}, {column}: {e}"));
            let (statements, rows) = there.take();
            assert_eq!(remote.method, Method::Sql);
            assert_eq!(
                figures(&remote),
                figures(&memory),
                "{name}, {column} in {bins}"
            );
            assert_eq!(statements, 2, "{name}, {column}: the range, then the bars");
            assert!(
                rows <= remote.rows.len() + 1,
                "{name}, {column}: {rows} rows read"
            );
        }
    }
}

fn checked(service: &Service, root: Value) -> CheckedSegment {
    let segment = json!({"version": 1, "entity": "profiles", "root": root});
    let now = "2026-11-01T00:00:00Z".parse().unwrap();
    CheckedSegment::from_json(segment, service.schema(), None, now).unwrap()
}

fn segments() -> Vec<Value> {
    let c = |attribute: &str, operator: &str, value: Value| json!({"type": "condition", "attribute": attribute, "operator": operator, "value": value});
    vec![
        json!({"combinator": "and", "children": [c("country", "is", json!("US"))]}),
        json!({"combinator": "or", "children": [
            c("plan", "is", json!("pro")),
            {"type": "relationship", "relationship": "orders",
             "constraint": {"type": "occurrences", "operator": "at_least", "value": 2},
             "filter": {"combinator": "and", "children": []}}]}),
    ]
}

/// Every kind of breakdown: text, true/false, integer and real bins, dates by month and by
/// what suits the range, related counts, sums, averages and latest dates.
fn breakdowns() -> Vec<(Dimension, BreakdownOptions)> {
    let by = |text: &str| Dimension::parse(text).unwrap();
    let month = BreakdownOptions {
        period: Some(Period::Month),
        ..Default::default()
    };
    vec![
        (by("country"), BreakdownOptions::default()),
        (
            by("plan"),
            BreakdownOptions {
                by_lift: true,
                top: Some(2),
                ..Default::default()
            },
        ),
        (by("is_subscribed"), BreakdownOptions::default()),
        (by("age"), BreakdownOptions::default()),
        (by("lifetime_value"), BreakdownOptions::default()),
        (by("signed_up_at"), month.clone()),
        (by("birth_date"), BreakdownOptions::default()),
        (by("last_seen_at"), month),
        (by("orders.count"), BreakdownOptions::default()),
        (by("orders.sum(items)"), BreakdownOptions::default()),
        (by("orders.avg(total)"), BreakdownOptions::default()),
        (by("orders.max(placed_at)"), BreakdownOptions::default()),
    ]
}

/// What must be equal: everything but the time taken, the method and its notice.
fn figures(b: &Breakdown) -> Value {
    let mut v = serde_json::to_value(b).unwrap();
    for k in ["ms", "method", "notice"] {
        v.as_object_mut().unwrap().remove(k);
    }
    v
}

fn breakdowns_equal_the_files(name: &str, warehouse: &Service) {
    let local = local();
    let token = CancelToken::new();
    let mut compared = 0;
    let mut missing_rows = 0;
    for root in segments() {
        let on_file = checked(&local, root.clone());
        let there = checked(warehouse, root);
        for (dimension, options) in breakdowns() {
            let sql = local
                .breakdown(&on_file, &dimension, &options, Prefer::Sql, &token)
                .unwrap();
            let memory = local
                .breakdown(&on_file, &dimension, &options, Prefer::Engine, &token)
                .unwrap();
            let remote = warehouse
                .breakdown(&there, &dimension, &options, Prefer::EngineIfReady, &token)
                .unwrap_or_else(|e| panic!("{name}, {dimension:?}: {e}"));
            assert_eq!(remote.method, Method::Sql, "{name}: pushed down");
            assert_eq!(memory.method, Method::Memory);
            assert_eq!(figures(&sql), figures(&memory), "SQLite, {dimension:?}");
            assert_eq!(figures(&remote), figures(&sql), "{name}, {dimension:?}");
            assert!(remote.count > 0 && remote.rows.len() > 1, "{dimension:?}");
            missing_rows += remote
                .rows
                .iter()
                .filter(|r| r.kind == RowKind::Missing && r.count > 0)
                .count();
            compared += 1;
        }
    }
    assert_eq!(compared, 24);
    // Records without a value are tallied alike too (age, birth date, last seen, latest order…).
    assert!(
        missing_rows >= 4,
        "only {missing_rows} breakdowns had members without a value"
    );
}

fn split_request() -> SplitRequest {
    let group = |name: &str, percent: f64| SplitGroup {
        name: name.into(),
        percent,
    };
    SplitRequest {
        groups: vec![group("a", 45.0), group("b", 45.0), group("holdout", 10.0)],
        salt: "spring-campaign".into(),
        balance: [
            "age",
            "country",
            "is_subscribed",
            "lifetime_value",
            "signed_up_at",
            "orders.count",
        ]
        .iter()
        .map(|d| Dimension::parse(d).unwrap())
        .collect(),
    }
}

fn split_figures(s: &SplitResult) -> Value {
    let mut v = serde_json::to_value(s).unwrap();
    for k in ["ms", "method", "notice"] {
        v.as_object_mut().unwrap().remove(k);
    }
    v
}

fn split_balance_equals_the_files(name: &str, warehouse: &Service) {
    let local = local();
    let token = CancelToken::new();
    let request = split_request();
    for root in segments() {
        let on_file = checked(&local, root.clone());
        let there = checked(warehouse, root);
        let sql = local
            .split(&on_file, &request, Prefer::Sql, &token)
            .unwrap();
        let memory = local
            .split(&on_file, &request, Prefer::Engine, &token)
            .unwrap();
        let remote = warehouse
            .split(&there, &request, Prefer::EngineIfReady, &token)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(remote.method, Method::Sql);
        assert!(
            !remote
                .notice
                .as_deref()
                .unwrap_or_default()
                .contains("no balance report"),
            "{name}: {:?}",
            remote.notice
        );
        assert_eq!(split_figures(&sql), split_figures(&memory), "SQLite");
        assert_eq!(split_figures(&remote), split_figures(&sql), "{name}");
        assert!(remote.balance.len() >= 6, "{:?}", remote.balance);
        assert!(remote.groups.iter().all(|g| g.count > 0));
    }
}

/// Tiers (the demo's two segments, then in the other order): the same waterfall and the same
/// members kept by each tier as on the file.
fn tiers_equal_the_files(name: &str, warehouse: &Service) {
    let local = local();
    let token = CancelToken::new();
    let mut roots = segments();
    for _ in 0..2 {
        let named = |service: &Service| -> Vec<(String, CheckedSegment)> {
            roots
                .iter()
                .enumerate()
                .map(|(i, root)| (format!("tier {i}"), checked(service, root.clone())))
                .collect()
        };
        let (on_file, there) = (named(&local), named(warehouse));
        let memory = local.tiers(&on_file, Prefer::Engine, &token).unwrap();
        let remote = warehouse
            .tiers(&there, Prefer::EngineIfReady, &token)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(remote.method, Method::Sql);
        assert_eq!(
            split_figures_of(&remote),
            split_figures_of(&memory),
            "{name}"
        );
        assert!(remote.tiers[1].lost > 0, "{name}: {remote:?}");
        let sorted = |lists: Vec<Vec<String>>| -> Vec<Vec<String>> {
            lists
                .into_iter()
                .map(|mut keys| {
                    keys.sort();
                    keys
                })
                .collect()
        };
        let kept = sorted(
            local
                .tier_members(&on_file, Prefer::Engine, &token)
                .unwrap(),
        );
        let kept_there = sorted(
            warehouse
                .tier_members(&there, Prefer::EngineIfReady, &token)
                .unwrap(),
        );
        assert_eq!(kept_there, kept, "{name}: the members each tier keeps");
        roots.reverse();
    }
}

fn split_figures_of(value: &impl serde::Serialize) -> Value {
    let mut v = serde_json::to_value(value).unwrap();
    for k in ["ms", "method", "notice"] {
        v.as_object_mut().unwrap().remove(k);
    }
    v
}

#[test]
fn tiers_on_postgresql_equal_the_files() {
    let Some(pg) = postgres() else { return };
    tiers_equal_the_files("PostgreSQL", &pg);
}

#[test]
fn tiers_on_spark_equal_the_files() {
    let Some(spark) = spark() else { return };
    tiers_equal_the_files("Spark", &spark);
}

/// Tiers without exports are counted on the source: one grouped statement, at most one row
/// per tier and one for the records in none, no key list read; the figures are the engine's.
/// With exports each tier's keys are read, and each tier keeps the engine's members.
fn tiers_counted_on_the_source(name: &str, backend: Arc<dyn Backend>, prefer: Prefer) {
    let counting = Counting::new(backend);
    let service = Service::new(counting.clone(), EngineCache::new());
    let local = local();
    let token = CancelToken::new();
    let mut roots = segments();
    roots.push(json!({"combinator": "and", "children": [
        {"type": "condition", "attribute": "plan", "operator": "is", "value": "pro"}]}));
    for _ in 0..2 {
        let named = |service: &Service| -> Vec<(String, CheckedSegment)> {
            roots
                .iter()
                .enumerate()
                .map(|(i, root)| (format!("tier {i}"), checked(service, root.clone())))
                .collect()
        };
        let (on_file, there) = (named(&local), named(&service));
        let memory = local.tiers(&on_file, Prefer::Engine, &token).unwrap();
        let _ = (counting.take(), counting.take_key_lists());
        let counted = service
            .tiers(&there, prefer, &token)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let (statements, rows) = counting.take();
        assert_eq!(counted.method, Method::Sql, "{name}");
        assert_eq!(
            split_figures_of(&counted),
            split_figures_of(&memory),
            "{name}"
        );
        assert_eq!(counting.take_key_lists(), 0, "{name}: no key list read");
        assert_eq!(statements, 1, "{name}: one grouped statement");
        assert!(rows <= roots.len() + 1, "{name}: {rows} rows read");
        let sorted = |lists: Vec<Vec<String>>| -> Vec<Vec<String>> {
            lists
                .into_iter()
                .map(|mut keys| {
                    keys.sort();
                    keys
                })
                .collect()
        };
        let kept = sorted(
            local
                .tier_members(&on_file, Prefer::Engine, &token)
                .unwrap(),
        );
        let kept_there = sorted(service.tier_members(&there, prefer, &token).unwrap());
        assert_eq!(kept_there, kept, "{name}: the members each tier keeps");
        assert_eq!(counting.take_key_lists(), roots.len(), "{name}: exports");
        roots.reverse();
    }
}

/// The demo's backend where `service` (from [`postgres`] or [`spark`]) reads it.
fn demo_backend(url_var: &str) -> Option<Arc<dyn Backend>> {
    let url = std::env::var(url_var).ok()?;
    let schema = format!("audience_{}", std::process::id());
    let options = OpenOptions {
        schema: Some(&schema),
        ..Default::default()
    };
    Some(open_backend(&Location::parse(&url).unwrap(), &options).unwrap())
}

#[test]
fn tiers_on_sqlite_are_counted_in_one_statement() {
    let backend = Arc::new(segment_service::SqliteBackend::open(demo(), None).unwrap());
    tiers_counted_on_the_source("SQLite", backend, Prefer::Sql);
}

#[test]
fn tiers_on_postgresql_are_counted_in_one_statement() {
    let Some(_) = postgres() else { return };
    let backend = demo_backend("SEGMENT_PG_URL").unwrap();
    tiers_counted_on_the_source("PostgreSQL", backend, Prefer::EngineIfReady);
}

#[test]
fn tiers_on_spark_are_counted_in_one_statement() {
    let Some(_) = spark() else { return };
    let backend = demo_backend("SEGMENT_SPARK_URL").unwrap();
    tiers_counted_on_the_source("Spark", backend, Prefer::EngineIfReady);
}

#[test]
fn number_bars_on_sqlite_equal_the_engine() {
    number_bars_equal_the_files("SQLite", None);
}

#[test]
fn number_bars_on_postgresql_equal_the_files() {
    let Some(pg) = scores_there("SEGMENT_PG_URL") else {
        eprintln!("SEGMENT_PG_URL is not set (scripts/with-postgres.sh sets it): skipped");
        return;
    };
    number_bars_equal_the_files("PostgreSQL", Some(pg));
}

#[test]
fn number_bars_on_spark_equal_the_files() {
    let Some(spark) = scores_there("SEGMENT_SPARK_URL") else {
        eprintln!("SEGMENT_SPARK_URL is not set (scripts/with-spark.sh sets it): skipped");
        return;
    };
    number_bars_equal_the_files("Spark", Some(spark));
}

#[test]
fn breakdowns_on_postgresql_equal_the_files() {
    let Some(pg) = postgres() else { return };
    breakdowns_equal_the_files("PostgreSQL", &pg);
}

#[test]
fn split_balance_on_postgresql_equals_the_files() {
    let Some(pg) = postgres() else { return };
    split_balance_equals_the_files("PostgreSQL", &pg);
}

#[test]
fn breakdowns_on_spark_equal_the_files() {
    let Some(spark) = spark() else { return };
    breakdowns_equal_the_files("Spark", &spark);
}

#[test]
fn split_balance_on_spark_equals_the_files() {
    let Some(spark) = spark() else { return };
    split_balance_equals_the_files("Spark", &spark);
}
