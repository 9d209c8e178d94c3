//! Timings of size over time, why / why not and near misses on a data file, the engine loaded
//! once: `cargo run --release -p segment-service --example insight_bench -- FILE.sqlite [RUNS]`.
//! Prints the median and slowest of RUNS runs after a warm-up (see docs/PERFORMANCE.md).

use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use segment_service::trend::{instants, trend, TrendStep};
use segment_service::{explain_record, near_miss, EngineCache};
use segment_source::CancelToken;
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: insight_bench FILE.sqlite [RUNS]")?;
    let runs: usize = args.next().map(|r| r.parse()).transpose()?.unwrap_or(11);
    let service = segment_service::open_sqlite(path.as_ref(), None, EngineCache::new())?;
    let started = Instant::now();
    service.dataset()?;
    println!("engine loaded in {:.1} s", started.elapsed().as_secs_f64());
    let now: DateTime<Utc> = "2026-11-01T00:00:00Z".parse()?;
    let segment = serde_json::from_value(json!({"version": 1, "entity": "profiles",
        "root": {"combinator": "and", "children": [
            {"type": "condition", "attribute": "country", "operator": "is_one_of", "value": ["US", "CA"]},
            {"type": "relationship", "relationship": "events",
             "constraint": {"type": "occurrences", "operator": "at_least", "value": 2},
             "window": {"type": "in_the_last", "amount": 30, "unit": "day"},
             "filter": {"combinator": "and", "children": [
                {"type": "condition", "attribute": "name", "operator": "is", "value": "purchase"}]}}]}}))?;
    let token = CancelToken::new();
    let checked = service.check(segment, None, now)?;
    let daily = instants(now - Duration::days(90), now, TrendStep::Day)?;
    let weekly = instants(now - Duration::days(364), now, TrendStep::Week)?;
    time("90-day daily trend (91 counts)", runs, || {
        trend(&service, &checked.segment, None, &daily, &token).map(|_| ())
    })?;
    time("52-week weekly trend (53 counts)", runs, || {
        trend(&service, &checked.segment, None, &weekly, &token).map(|_| ())
    })?;
    for key in [1, 500_000, 999_999] {
        let key = json!(key);
        time(&format!("why / why not, key {key}"), runs, || {
            explain_record::explain_record(&service, &checked, &key, &token).map(|_| ())
        })?;
    }
    time("near misses (3 nodes, 2 curves)", runs, || {
        near_miss::near_misses(&service, &checked, &token).map(|_| ())
    })?;
    Ok(())
}

fn time(
    name: &str,
    runs: usize,
    mut f: impl FnMut() -> segment_service::Result<()>,
) -> segment_service::Result<()> {
    f()?;
    let mut ms: Vec<f64> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            f().map(|()| started.elapsed().as_secs_f64() * 1000.0)
        })
        .collect::<segment_service::Result<_>>()?;
    ms.sort_by(f64::total_cmp);
    println!(
        "| {name} | {:.1} | {:.1} |",
        ms[ms.len() / 2],
        ms[ms.len() - 1]
    );
    Ok(())
}
