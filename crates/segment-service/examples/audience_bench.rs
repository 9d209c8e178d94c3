//! Times the audience tools on a data file with the engine loaded (median and slowest of N runs):
//! `cargo run --release -p segment-service --example audience_bench -- DATA.sqlite [RUNS]`.
//! The figures are in docs/PERFORMANCE.md ("Audience tools").

use std::time::Instant;

use segment_service::audience::{BreakdownOptions, Dimension, SplitGroup, SplitRequest};
use segment_service::{CheckedSegment, EngineCache, Prefer, Service};
use segment_source::CancelToken;
use serde_json::json;

fn timed(runs: usize, mut f: impl FnMut()) -> (f64, f64) {
    f(); // warm: the split's buckets are hashed once per salt
    let mut ms: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    (ms[ms.len() / 2], ms[ms.len() - 1])
}

fn segment(service: &Service, root: serde_json::Value) -> CheckedSegment {
    let now = segment_service::resolve_now(None, service.backend().default_now()).expect("now");
    let value = json!({"version": 1, "entity": "profiles", "root": root});
    CheckedSegment::from_json(value, service.schema(), None, now).expect("a valid segment")
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .expect("usage: audience_bench DATA.sqlite [RUNS]");
    let runs: usize = args
        .next()
        .map_or(15, |r| r.parse().expect("RUNS is a number"));
    let service =
        segment_service::open_sqlite(path.as_ref(), None, EngineCache::new()).expect("open");
    let t = Instant::now();
    service.dataset().expect("the engine loads the data");
    println!("engine load: {:.1} s", t.elapsed().as_secs_f64());
    let token = CancelToken::new();
    let paid = segment(
        &service,
        json!({"combinator": "and", "children": [
        {"type": "condition", "attribute": "plan", "operator": "is_not", "value": "free"}]}),
    );
    let buyers = segment(
        &service,
        json!({"combinator": "and", "children": [
        {"type": "relationship", "relationship": "events",
         "constraint": {"type": "occurrences", "operator": "at_least", "value": 2},
         "window": {"type": "in_the_last", "amount": 30, "unit": "day"},
         "filter": {"combinator": "and", "children": [
            {"type": "condition", "attribute": "name", "operator": "is", "value": "purchase"}]}}]}),
    );
    let t = Instant::now();
    let count = service
        .count(
            &paid,
            Prefer::Engine,
            segment_service::NodeCounts::None,
            &token,
        )
        .expect("count")
        .count;
    println!(
        "count (paid): {count} in {:.1} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let options = BreakdownOptions::default();
    println!("| operation | median ms | slowest ms |");
    println!("| --- | ---: | ---: |");
    let row =
        |name: &str, (median, max): (f64, f64)| println!("| {name} | {median:.1} | {max:.1} |");
    for (name, by) in [
        ("breakdown by country (text)", "country"),
        ("breakdown by age (histogram)", "age"),
        ("breakdown by lifetime_value (histogram)", "lifetime_value"),
        ("breakdown by signed_up_at (months)", "signed_up_at"),
        ("breakdown by number of orders", "orders.count"),
    ] {
        let dimension = Dimension::parse(by).expect("dimension");
        row(
            name,
            timed(runs, || {
                service
                    .breakdown(&paid, &dimension, &options, Prefer::Engine, &token)
                    .expect("breakdown");
            }),
        );
    }
    let group = |name: &str, percent: f64| SplitGroup {
        name: name.into(),
        percent,
    };
    let split = SplitRequest {
        groups: vec![group("A", 45.0), group("B", 45.0), group("Holdout", 10.0)],
        salt: "bench".into(),
        balance: Vec::new(),
    };
    let t = Instant::now();
    service
        .split(&paid, &split, Prefer::Engine, &token)
        .expect("split");
    println!(
        "first split with a new salt (hashing every key): {:.1} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    row(
        "3-way split (45/45/10)",
        timed(runs, || {
            service
                .split(&paid, &split, Prefer::Engine, &token)
                .expect("split");
        }),
    );
    let balanced = SplitRequest {
        balance: vec![Dimension::parse("age").expect("age")],
        ..split.clone()
    };
    row(
        "3-way split with the balance of age",
        timed(runs, || {
            service
                .split(&paid, &balanced, Prefer::Engine, &token)
                .expect("split");
        }),
    );
    let tiers = vec![("buyers".to_string(), buyers), ("paid".to_string(), paid)];
    row(
        "2 tiers (30-day buyers, paid)",
        timed(runs, || {
            service
                .tiers(&tiers, Prefer::Engine, &token)
                .expect("tiers");
        }),
    );
}
