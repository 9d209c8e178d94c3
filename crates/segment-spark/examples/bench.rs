//! Count timings on Spark for docs/PERFORMANCE.md: each segment file's count (with the total,
//! one round trip) warm, and all of them as one statement of counts:
//!   cargo run --release -p segment-spark --example bench -- sc://127.0.0.1:15002 DATABASE SEG.json…

use std::sync::atomic::AtomicBool;
use std::time::Instant;

const RUNS: usize = 5;

fn median(mut ms: Vec<f64>) -> f64 {
    ms.sort_by(f64::total_cmp);
    ms[ms.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, database, files @ ..] = args.as_slice() else {
        return Err("usage: bench sc://host:port DATABASE SEG.json…".into());
    };
    let started = Instant::now();
    let source = segment_spark::SparkSource::connect(
        &segment_spark::ConnectUrl::parse(url)?,
        Some(database),
    )?;
    println!(
        "connect and schema: {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    // The demo data's anchor, as segment-bench counts.
    let now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 1, 0, 0, 0).unwrap();
    let cancel = AtomicBool::new(false);
    let mut queries = Vec::new();
    for file in files {
        let segment = segment_model::canonical::parse(&std::fs::read_to_string(file)?)?;
        let query = segment_model::validate::check(&segment, source.schema(), None, now)
            .map_err(|p| format!("{file}: {p:?}"))?;
        let first = Instant::now();
        let (count, _) = source.count(&query, &cancel)?;
        let cold = first.elapsed().as_secs_f64() * 1000.0;
        let ms: Vec<f64> = (0..RUNS)
            .map(|_| {
                let t = Instant::now();
                let _ = source.count(&query, &cancel);
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        println!(
            "{file}: {count}  first {cold:.0} ms, median {:.0} ms",
            median(ms)
        );
        queries.push(query);
    }
    let ms: Vec<f64> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            let _ = source.counts(&queries, &cancel);
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    println!(
        "all {} counts in one statement: median {:.0} ms",
        queries.len(),
        median(ms)
    );
    Ok(())
}
