//! The demo data copied into PostgreSQL (native types: timestamps, dates, booleans, jsonb)
//! counts exactly as the engine counts the SQLite file: every demo corpus case with its
//! per-node counts, samples, overlap and member lists; and PostgreSQL's failures come back as
//! actionable errors. Needs a server: `SEGMENT_PG_URL` (set by `scripts/with-postgres.sh`);
//! without it every test here says so and passes.

use segment_service::{
    open_location, CheckedSegment, EngineCache, Error, Location, NodeCounts, OpenOptions, Prefer,
    SampleOrder, Service,
};
use segment_source::{CancelToken, DemoOptions};

fn server() -> Option<String> {
    let url = std::env::var("SEGMENT_PG_URL").ok();
    if url.is_none() {
        eprintln!("SEGMENT_PG_URL is not set (scripts/with-postgres.sh sets it): skipped");
    }
    url
}

struct Pair {
    engine: Service,
    pg: Service,
    now: chrono::DateTime<chrono::Utc>,
    _dir: tempfile::TempDir,
}

/// The demo of the reference corpus (3,000 profiles, seed 11), as a SQLite file counted by the
/// engine and as a PostgreSQL schema of its own.
fn pair(url: &str, name: &str) -> Pair {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.sqlite");
    segment_source::generate_demo(
        &path,
        DemoOptions {
            profiles: 3000,
            seed: 11,
        },
    )
    .unwrap();
    let schema = format!("demo_{name}_{}", std::process::id());
    let settings = segment_postgres::Settings {
        url: url.to_string(),
        schema: Some(schema.clone()),
        ..Default::default()
    };
    segment_postgres::load::copy_sqlite(&path, &settings, true).unwrap();
    let engine = segment_service::open_sqlite(&path, None, EngineCache::new()).unwrap();
    let options = OpenOptions {
        schema: Some(&schema),
        ..Default::default()
    };
    let pg = open_location(&Location::parse(url).unwrap(), &options, EngineCache::new()).unwrap();
    // The reference corpus's pinned "now" (expected.json's counts are as of it).
    let now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 10, 15, 12, 34, 56).unwrap();
    Pair {
        engine,
        pg,
        now,
        _dir: dir,
    }
}

fn check(service: &Service, text: &str, now: chrono::DateTime<chrono::Utc>) -> CheckedSegment {
    let segment = segment_model::canonical::parse(text).unwrap();
    service.check(segment, None, now).unwrap()
}

#[test]
fn the_demo_corpus_counts_the_same_on_postgresql_nodes_included() {
    let Some(url) = server() else { return };
    let p = pair(&url, "corpus");
    let token = CancelToken::new();
    let mut compared = 0;
    for case in segment_testkit::corpus::corpus("demo") {
        if case.text.contains("\"type\": \"sql\"") {
            // Raw SQL is written for SQLite; PostgreSQL may spell it differently.
            continue;
        }
        let on_engine = check(&p.engine, &case.text, p.now);
        let on_pg = check(&p.pg, &case.text, p.now);
        let engine = p
            .engine
            .count(&on_engine, Prefer::Engine, NodeCounts::Always, &token)
            .unwrap();
        let pg =
            p.pg.count(&on_pg, Prefer::EngineIfReady, NodeCounts::Always, &token)
                .unwrap_or_else(|e| panic!("{}: {e}", case.file));
        assert_eq!(
            (pg.count, pg.total),
            (engine.count, engine.total),
            "{}",
            case.file
        );
        assert_eq!(pg.nodes, engine.nodes, "{}: per-node counts", case.file);
        compared += 1;
    }
    assert!(compared > 150, "only {compared} cases compared");
}

#[test]
fn samples_overlap_and_members_match_the_engine() {
    let Some(url) = server() else { return };
    let p = pair(&url, "explore");
    let token = CancelToken::new();
    let cases: Vec<_> = segment_testkit::corpus::corpus("demo")
        .into_iter()
        .filter(|c| {
            ["003-", "012-", "040-"]
                .iter()
                .any(|p| c.file.starts_with(p))
        })
        .collect();
    assert_eq!(cases.len(), 3);
    let on = |s: &Service| -> Vec<CheckedSegment> {
        cases.iter().map(|c| check(s, &c.text, p.now)).collect()
    };
    let (engine, pg) = (on(&p.engine), on(&p.pg));
    let a = p.engine.overlap(&engine, &token).unwrap();
    let b = p.pg.overlap(&pg, &token).unwrap();
    assert_eq!(
        (&a.counts, &a.regions, a.total),
        (&b.counts, &b.regions, b.total)
    );
    for (e, g) in engine.iter().zip(&pg) {
        assert_eq!(
            p.engine.members(e, &token).unwrap(),
            p.pg.members(g, &token).unwrap()
        );
        let first = |s: &Service, c| -> Vec<(serde_json::Value, Vec<String>)> {
            s.samples(c, 5, SampleOrder::First, &token)
                .unwrap()
                .into_iter()
                .map(|r| (r.key, r.met))
                .collect()
        };
        assert_eq!(first(&p.engine, e), first(&p.pg, g));
        let records = p.pg.samples(g, 2, SampleOrder::Random(7), &token).unwrap();
        for r in records {
            assert_eq!(r.record["id"], r.key, "the record is the sampled one");
        }
    }
}

#[test]
fn failures_say_what_went_wrong() {
    let Some(url) = server() else { return };
    let open = |url: &str, schema: Option<&str>| {
        let options = OpenOptions {
            schema,
            ..Default::default()
        };
        open_location(&Location::parse(url).unwrap(), &options, EngineCache::new())
    };
    match open(&url, Some("no_such_schema")) {
        Err(Error::Warehouse { kind, message, .. }) => {
            assert_eq!(kind, "no_tables");
            assert!(message.contains("no_such_schema"), "{message}");
        }
        other => panic!("{:?}", other.err()),
    }
    match open("postgresql://nobody@127.0.0.1:1/none", None) {
        Err(Error::Warehouse { kind, message, .. }) => {
            assert_eq!(kind, "unreachable", "{message}");
            assert!(message.contains("127.0.0.1:1"), "{message}");
        }
        other => panic!("{:?}", other.err()),
    }
    match open("sc://127.0.0.1:1", None) {
        Err(Error::SourceUnavailable { .. }) | Err(Error::Warehouse { .. }) => {}
        other => panic!("{:?}", other.err()),
    }
}

#[test]
fn a_cancelled_count_stops() {
    let Some(url) = server() else { return };
    let p = pair(&url, "cancel");
    let case = segment_testkit::corpus::corpus("demo").remove(0);
    let checked = check(&p.pg, &case.text, p.now);
    let token = CancelToken::new();
    token.cancel();
    assert!(matches!(
        p.pg.count(&checked, Prefer::Sql, NodeCounts::None, &token),
        Err(Error::Cancelled)
    ));
}

/// Random trees: 2–4 corpus segments (their roots as groups, some negated) under a random AND
/// or OR, nested once in a while: PostgreSQL counts each as the engine does, nodes included.
#[test]
fn random_trees_of_corpus_conditions_count_the_same() {
    let Some(url) = server() else { return };
    let p = pair(&url, "random");
    let roots: Vec<serde_json::Value> = segment_testkit::corpus::corpus("demo")
        .into_iter()
        .filter(|c| !c.text.contains("\"type\": \"sql\""))
        .map(|c| serde_json::from_str::<serde_json::Value>(&c.text).unwrap())
        .filter(|v| v["entity"] == "profiles")
        .map(|v| v["root"].clone())
        .filter(|root| root["children"].as_array().is_some_and(|c| !c.is_empty()))
        .collect();
    let mut state: u64 = 0x5EED;
    let mut next = |n: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as usize) % n
    };
    let token = CancelToken::new();
    for round in 0..40 {
        let group = |next: &mut dyn FnMut(usize) -> usize| {
            let children: Vec<serde_json::Value> = (0..2 + next(3))
                .map(|_| {
                    let mut root = roots[next(roots.len())].clone();
                    root["type"] = "group".into();
                    root["negated"] = serde_json::Value::Bool(next(3) == 0);
                    root
                })
                .collect();
            serde_json::json!({
                "combinator": if next(2) == 0 { "and" } else { "or" },
                "children": children,
            })
        };
        let mut root = group(&mut next);
        if next(3) == 0 {
            let mut inner = group(&mut next);
            inner["type"] = "group".into();
            root["children"].as_array_mut().unwrap().push(inner);
        }
        let text =
            serde_json::json!({"version": 1, "entity": "profiles", "root": root}).to_string();
        let (e, g) = (check(&p.engine, &text, p.now), check(&p.pg, &text, p.now));
        let engine = p
            .engine
            .count(&e, Prefer::Engine, NodeCounts::Always, &token)
            .unwrap();
        let pg =
            p.pg.count(&g, Prefer::Sql, NodeCounts::Always, &token)
                .unwrap_or_else(|err| panic!("round {round}: {err}\n{text}"));
        assert_eq!(pg.count, engine.count, "round {round}: {text}");
        assert_eq!(
            pg.nodes, engine.nodes,
            "round {round}: per-node counts of {text}"
        );
    }
}

#[test]
fn the_readable_sql_is_in_the_sources_dialect_unless_one_is_chosen() {
    use segment_service::registry::SqlDialect;
    let Some(url) = server() else { return };
    let p = pair(&url, "dialect");
    assert_eq!(p.pg.sql_dialect(), SqlDialect::Postgres);
    assert_eq!(p.engine.sql_dialect(), SqlDialect::Sqlite);
    let mut differing = 0;
    for case in segment_testkit::corpus::corpus("demo") {
        let query = check(&p.pg, &case.text, p.now).query;
        let (dialect, on_pg) = p.pg.readable_sql(&query, None).unwrap();
        assert_eq!(dialect, SqlDialect::Postgres);
        assert_eq!(
            on_pg,
            segment_sql::display(&query, &segment_sql::Postgres).unwrap()
        );
        let on_file = p.engine.readable_sql(&query, None).unwrap().1;
        assert_eq!(
            on_file,
            segment_sql::display(&query, &segment_sql::Sqlite).unwrap()
        );
        // A dialect the user chose wins over the source's.
        let chosen = p.pg.readable_sql(&query, Some(SqlDialect::Sqlite)).unwrap();
        assert_eq!(chosen, (SqlDialect::Sqlite, on_file.clone()));
        differing += usize::from(on_pg != on_file);
    }
    assert!(differing > 0, "no corpus case is spelled differently");
}
