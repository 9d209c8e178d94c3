//! PostgreSQL against the in-memory engine on the demo data: the same segments counted with
//! per-node counts, best of 3. `SEGMENT_PG_URL=… cargo run --release -p segment-service
//! --example postgres_bench -- PROFILES` (scripts/with-postgres.sh sets the variable).

use std::time::Instant;

use segment_service::{
    open_location, EngineCache, Location, NodeCounts, OpenOptions, Prefer, Service,
};
use segment_source::{CancelToken, DemoOptions};

/// Demo corpus segments (tests/corpus/demo), from a lone attribute to related records.
const SHAPES: &[&str] = &[
    "003-country-is-us.json",
    "134-purchased-at-least-2-times-in-the-last-90-days.json",
    "165-brief-example-us-ca-paid-plan-2-purchases-in-90-days-never-answered-the-churn-survey.json",
    "166-or-of-two-and-groups-mixing-attributes-and-events-negated.json",
];

fn best_of_3(service: &Service, text: &str, prefer: Prefer) -> (u64, f64, f64) {
    let now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 10, 15, 0, 0, 0).unwrap();
    let segment = segment_model::canonical::parse(text).expect("a segment");
    let checked = service.check(segment, None, now).expect("valid");
    let token = CancelToken::new();
    let (mut count_ms, mut nodes_ms, mut count) = (f64::MAX, f64::MAX, 0);
    for _ in 0..3 {
        let started = Instant::now();
        let c = service
            .count(&checked, prefer, NodeCounts::None, &token)
            .expect("counted");
        count_ms = count_ms.min(started.elapsed().as_secs_f64() * 1000.0);
        let started = Instant::now();
        service
            .count(&checked, prefer, NodeCounts::Always, &token)
            .expect("counted");
        nodes_ms = nodes_ms.min(started.elapsed().as_secs_f64() * 1000.0);
        count = c.count;
    }
    (count, count_ms, nodes_ms)
}

fn main() {
    let url = std::env::var("SEGMENT_PG_URL").expect("SEGMENT_PG_URL (scripts/with-postgres.sh)");
    let profiles: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let file = dir.path().join("demo.sqlite");
    let started = Instant::now();
    segment_source::generate_demo(&file, DemoOptions { profiles, seed: 1 }).expect("demo");
    println!(
        "demo of {profiles} profiles: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let settings = segment_postgres::Settings {
        url: url.clone(),
        schema: Some("bench".into()),
        ..Default::default()
    };
    let started = Instant::now();
    let rows = segment_postgres::load::copy_sqlite(&file, &settings, true).expect("copied");
    println!(
        "copied {rows} rows into PostgreSQL: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let engine = segment_service::open_sqlite(&file, None, EngineCache::new()).expect("file");
    let options = OpenOptions {
        schema: Some("bench"),
        ..Default::default()
    };
    let pg = open_location(
        &Location::parse(&url).unwrap(),
        &options,
        EngineCache::new(),
    )
    .expect("pg");
    println!("| segment | count | engine count ms | engine + nodes ms | PostgreSQL count ms | PostgreSQL + nodes ms (2 round trips) |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus/demo");
    for name in SHAPES {
        let text = std::fs::read_to_string(corpus.join(name)).expect("a corpus file");
        let (n, e_count, e_nodes) = best_of_3(&engine, &text, Prefer::Engine);
        let (m, p_count, p_nodes) = best_of_3(&pg, &text, Prefer::Sql);
        assert_eq!(n, m, "{name}: engine {n}, PostgreSQL {m}");
        println!("| {name} | {n} | {e_count:.1} | {e_nodes:.1} | {p_count:.1} | {p_nodes:.1} |");
    }
}
