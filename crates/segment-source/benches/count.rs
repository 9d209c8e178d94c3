//! Count latency on the demo data: the segments of the SQLite count notes, each run several
//! times after a warm-up; prints the median and the best run in milliseconds.
//!
//! ```sh
//! cargo bench -p segment-source --bench count                    # 20,000 profiles (the app's default)
//! SB_BENCH_PROFILES=100000 cargo bench -p segment-source --bench count
//! SB_BENCH_DATA=path/to/file.sqlite cargo bench -p segment-source --bench count   # an existing demo file
//! ```

use std::time::{Duration, Instant};

use chrono::DateTime;
use segment_source::{DataSource, DemoOptions, DEFAULT_DEMO_PROFILES};
use serde_json::{json, Value};

const RUNS: usize = 7;

fn cond(attribute: &str, operator: &str, value: Value) -> Value {
    json!({ "type": "condition", "attribute": attribute, "operator": operator, "value": value })
}

fn event(name: &str, constraint: Option<Value>, window: Option<Value>, extra: Vec<Value>) -> Value {
    let mut children = vec![cond("name", "is", json!(name))];
    children.extend(extra);
    let mut node = json!({ "type": "relationship", "relationship": "events", "filter": { "combinator": "and", "children": children } });
    if let Some(c) = constraint {
        node["constraint"] = c;
    }
    if let Some(w) = window {
        node["window"] = w;
    }
    node
}

fn segments() -> Vec<(&'static str, Vec<Value>)> {
    let last = |n: u32| json!({ "type": "in_the_last", "amount": n, "unit": "day" });
    let at_least = |n: u32| json!({ "type": "occurrences", "operator": "at_least", "value": n });
    vec![
        ("country = 'US'", vec![cond("country", "is", json!("US"))]),
        (
            "country in (…) AND age between AND plan <> 'free'",
            vec![
                cond("country", "is_one_of", json!(["US", "CA", "GB"])),
                cond("age", "between", json!([25, 45])),
                cond("plan", "is_not", json!("free")),
            ],
        ),
        (
            "email contains 'gmail'",
            vec![cond("email", "contains", json!("gmail"))],
        ),
        (
            "signed up in the last 90 days",
            vec![cond(
                "signed_up_at",
                "in_the_last",
                json!({"amount": 90, "unit": "day"}),
            )],
        ),
        (
            "purchase ≥ 3 times in the last 30 days",
            vec![event("purchase", Some(at_least(3)), Some(last(30)), vec![])],
        ),
        (
            "attribute AND event AND NOT another event",
            vec![
                cond("plan", "is", json!("pro")),
                event("purchase", None, Some(last(90)), vec![]),
                json!({ "type": "group", "combinator": "and", "negated": true, "children": [event("support_ticket", None, None, vec![])] }),
            ],
        ),
        (
            "OR of two AND-groups mixing attributes and events",
            vec![json!({ "type": "group", "combinator": "or", "children": [
                { "type": "group", "combinator": "and", "children": [cond("country", "is", json!("US")), event("purchase", Some(at_least(2)), None, vec![])] },
                { "type": "group", "combinator": "and", "children": [cond("age", "less_than", json!(30)), event("login", Some(at_least(5)), Some(last(60)), vec![])] },
            ]})],
        ),
        (
            "sum(amount) of purchases over 100 > 500",
            vec![event(
                "purchase",
                Some(
                    json!({ "type": "aggregate", "function": "sum", "attribute": "amount", "operator": "more_than", "value": 500 }),
                ),
                None,
                vec![cond("amount", "greater_than", json!(100))],
            )],
        ),
        (
            "JSON array tags contains 'vip'",
            vec![cond("tags", "contains_any_of", json!(["vip"]))],
        ),
    ]
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = match std::env::var_os("SB_BENCH_DATA") {
        Some(p) => p.into(),
        None => {
            let profiles = std::env::var("SB_BENCH_PROFILES")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(DEFAULT_DEMO_PROFILES);
            let path = dir.path().join("demo.sqlite");
            let summary = segment_source::generate_demo(&path, DemoOptions { profiles, seed: 42 })
                .expect("demo data");
            println!(
                "demo: {} profiles, {} events, {} orders, {:.1} MB, generated in {:.2} s",
                summary.profiles,
                summary.events,
                summary.orders,
                summary.bytes as f64 / 1e6,
                summary.elapsed.as_secs_f64()
            );
            path
        }
    };
    let started = Instant::now();
    let source = DataSource::open_read_only(&path).expect("open");
    println!(
        "open + schema introspection: {:.1} ms",
        ms(started.elapsed())
    );
    let now = DateTime::from_timestamp(
        source
            .suggested_now()
            .unwrap_or(segment_source::demo::ANCHOR),
        0,
    )
    .expect("now");
    println!(
        "{:>9} {:>9} {:>9}  segment",
        "median ms", "best ms", "count"
    );
    for (name, children) in segments() {
        let doc = json!({ "version": 1, "entity": "profiles", "root": { "combinator": "and", "children": children } });
        let segment: segment_model::Segment = serde_json::from_value(doc).expect("segment");
        let query =
            segment_model::validate::check(&segment, source.schema(), None, now).expect("valid");
        let result = source.count(&query).expect("count"); // warm-up (and the total, cached)
        let times: Vec<Duration> = (0..RUNS)
            .map(|_| {
                let t = Instant::now();
                source.count(&query).expect("count");
                t.elapsed()
            })
            .collect();
        let best = *times.iter().min().expect("runs");
        println!(
            "{:>9.2} {:>9.2} {:>9}  {name}",
            ms(median(times)),
            ms(best),
            result.count
        );
    }
}
