//! One data file counted on every backend in one run, for docs/PERFORMANCE.md: the in-memory
//! engine, PostgreSQL and Spark (Spark Connect), the same demo corpus segments on the same rows.
//! Each segment is counted with its per-node counts (as a preview asks): the first time, then
//! the median of `--runs` warm runs, with the round trips each preview took.
//!
//! ```sh
//! bash scripts/with-postgres.sh bash scripts/with-spark.sh \
//!   cargo run --release -p segment-service --example warehouse_bench -- \
//!     --data target/bench-data/demo-1000000.sqlite --parquet target/bench-data/parquet-1000000
//! # the same Parquet files on the 2-worker cluster (attached, not copied again):
//! bash scripts/with-spark.sh --cluster cargo run --release -p segment-service \
//!   --example warehouse_bench -- --data target/bench-data/demo-1000000.sqlite \
//!   --parquet target/bench-data/parquet-1000000 --no-engine
//! ```
//!
//! PostgreSQL is measured when `SEGMENT_PG_URL` is set (the data copied into schema `bench`
//! unless `--no-load`), Spark when `SEGMENT_SPARK_URL` is set (the data copied as Parquet into
//! `--parquet DIR`, or attached from it when it holds the tables already), the engine unless
//! `--no-engine`. Options: `--runs N` (default 3), `--only SUBSTRING` (segment files),
//! `--no-nodes` (the counts alone, without the per-node counts: the first pass at 10M).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use segment_service::{
    open_location, open_sqlite, EngineCache, EngineStatus, Location, Method, NodeCounts,
    OpenOptions, PostgresBackend, Prefer, Service,
};
use segment_source::CancelToken;

/// Demo corpus segments (tests/corpus/demo): the shapes of the Spark and PostgreSQL tables.
const SHAPES: &[&str] = &[
    "003-country-is-us.json",
    "013-email-contains-gmail.json",
    "120-tags-contain-any-of-vip-beta.json",
    "134-purchased-at-least-2-times-in-the-last-90-days.json",
    "144-sum-of-purchase-amounts-200.json",
    "165-brief-example-us-ca-paid-plan-2-purchases-in-90-days-never-answered-the-churn-survey.json",
    "166-or-of-two-and-groups-mixing-attributes-and-events-negated.json",
];

/// The warehouses' schema (PostgreSQL) and database (Spark) holding the copy.
const DATABASE: &str = "bench";

struct Options {
    data: PathBuf,
    parquet: Option<PathBuf>,
    runs: usize,
    engine: bool,
    load: bool,
    nodes: bool,
    only: Option<String>,
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        data: PathBuf::new(),
        parquet: None,
        runs: 3,
        engine: true,
        load: true,
        nodes: true,
        only: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--data" => options.data = PathBuf::from(value()?),
            "--parquet" => options.parquet = Some(PathBuf::from(value()?)),
            "--runs" => options.runs = value()?.parse().map_err(|e| format!("--runs: {e}"))?,
            "--only" => options.only = Some(value()?),
            "--no-engine" => options.engine = false,
            "--no-load" => options.load = false,
            "--no-nodes" => options.nodes = false,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if options.data.as_os_str().is_empty() {
        return Err("usage: warehouse_bench --data FILE.sqlite [--parquet DIR] [--runs N] [--only S] [--no-engine] [--no-load] [--no-nodes]".into());
    }
    Ok(options)
}

/// One segment's measurements on one backend.
struct Row {
    name: String,
    count: u64,
    method: Method,
    first: (f64, f64),
    warm: (f64, f64),
    notice: Option<String>,
}

fn median(mut ms: Vec<f64>) -> f64 {
    ms.sort_by(f64::total_cmp);
    ms.get(ms.len() / 2).copied().unwrap_or(f64::NAN)
}

fn measure(
    service: &Service,
    prefer: Prefer,
    name: &str,
    text: &str,
    runs: usize,
    nodes: bool,
) -> Result<Row, String> {
    // The demo data's anchor, as segment-bench and the Spark benchmark count.
    let now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 1, 0, 0, 0)
        .single()
        .ok_or("the anchor")?;
    let segment = segment_model::canonical::parse(text).map_err(|e| format!("{name}: {e}"))?;
    let checked = service
        .check(segment, None, now)
        .map_err(|e| format!("{name}: {e}"))?;
    let token = CancelToken::new();
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..=runs {
        // Each run asks the source again, not the session's remembered counts.
        service.forget_results();
        let counted = service
            .count(
                &checked,
                prefer,
                if nodes {
                    NodeCounts::Always
                } else {
                    NodeCounts::None
                },
                &token,
            )
            .map_err(|e| format!("{name}: {e}"))?;
        let t = &counted.timings;
        times.push((t.count_ms, t.nodes_ms.unwrap_or(f64::NAN)));
        last = Some(counted);
    }
    let counted = last.ok_or("no run")?;
    let warm = &times[1..];
    Ok(Row {
        name: name.trim_end_matches(".json").to_string(),
        count: counted.count,
        method: counted.method,
        first: times[0],
        warm: (
            median(warm.iter().map(|t| t.0).collect()),
            median(warm.iter().map(|t| t.1).collect()),
        ),
        notice: counted.notice,
    })
}

fn shapes(only: Option<&str>) -> Result<Vec<(String, String)>, String> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus/demo");
    SHAPES
        .iter()
        .filter(|name| only.is_none_or(|s| name.contains(s)))
        .map(|name| {
            std::fs::read_to_string(corpus.join(name))
                .map(|text| (name.to_string(), text))
                .map_err(|e| format!("{name}: {e}"))
        })
        .collect()
}

fn run_backend(
    label: &str,
    service: &Service,
    prefer: Prefer,
    shapes: &[(String, String)],
    runs: usize,
    nodes: bool,
) -> Vec<Row> {
    println!("\n#### {label}\n");
    println!("| segment | count | count first / warm median ms | per-node counts first / warm median ms | round trips per preview |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    let mut rows = Vec::new();
    for (name, text) in shapes {
        match measure(service, prefer, name, text, runs, nodes) {
            Ok(row) => {
                let trips = match row.method {
                    Method::Memory => "0 (in memory)",
                    Method::Sql => "2 (count with total; all nodes)",
                };
                println!(
                    "| {} | {} | {:.1} / {:.1} | {:.1} / {:.1} | {trips} |",
                    row.name, row.count, row.first.0, row.warm.0, row.first.1, row.warm.1
                );
                if let Some(notice) = &row.notice {
                    println!("|   ↳ counted in SQL: {notice} | | | | |");
                }
                rows.push(row);
            }
            Err(e) => println!("| {name} | failed: {e} | | | |"),
        }
    }
    rows
}

fn engine(options: &Options, shapes: &[(String, String)]) -> Result<Vec<Row>, String> {
    let service =
        open_sqlite(&options.data, None, EngineCache::new()).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let status = service.wait_for_engine();
    let load_s = started.elapsed().as_secs_f64();
    match &status {
        EngineStatus::Ready(data) => println!(
            "engine: loaded in {load_s:.1} s, {:.2} GiB",
            data.heap_bytes() as f64 / (1u64 << 30) as f64
        ),
        EngineStatus::Unsupported(why) => {
            println!(
                "engine: refused after {load_s:.1} s ({why}); counts fall back to SQL on SQLite"
            )
        }
        EngineStatus::Loading => println!("engine: still loading after {load_s:.1} s"),
    }
    Ok(run_backend(
        "engine (SQL on SQLite when it cannot hold the data)",
        &service,
        Prefer::Engine,
        shapes,
        options.runs,
        options.nodes,
    ))
}

fn postgres(options: &Options, url: &str, shapes: &[(String, String)]) -> Result<Vec<Row>, String> {
    let settings = segment_postgres::Settings {
        url: url.to_string(),
        schema: Some(DATABASE.into()),
        // Per-node counts at 10M profiles run past the default minute.
        statement_timeout: Some(Duration::from_secs(3600)),
        ..Default::default()
    };
    if options.load {
        let started = Instant::now();
        let rows = segment_postgres::load::copy_sqlite(&options.data, &settings, true)
            .map_err(|e| e.to_string())?;
        println!(
            "PostgreSQL: copied {rows} rows in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    let backend =
        PostgresBackend::connect(&settings, "postgresql".into()).map_err(|e| e.to_string())?;
    let service = Service::new(Arc::new(backend), EngineCache::new());
    Ok(run_backend(
        "PostgreSQL",
        &service,
        Prefer::Sql,
        shapes,
        options.runs,
        options.nodes,
    ))
}

/// Copies the data file into Parquet tables under `dir` (the Spark database's location), or
/// attaches the tables a previous run left there.
fn spark_tables(options: &Options, url: &str, dir: &Path) -> Result<(), String> {
    let client = segment_spark::SparkClient::connect(
        &segment_spark::ConnectUrl::parse(url).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let dir = std::path::absolute(dir).map_err(|e| e.to_string())?;
    let literal = |p: &Path| format!("'{}'", p.display().to_string().replace('\'', "\\'"));
    let sql = |text: String| {
        client
            .query(&text, &[])
            .map(|_| ())
            .map_err(|e| format!("{text}: {e}"))
    };
    sql(format!(
        "CREATE DATABASE IF NOT EXISTS {DATABASE} LOCATION {}",
        literal(&dir)
    ))?;
    let started = Instant::now();
    if dir.join("profiles").is_dir() {
        let source =
            segment_source::DataSource::open_read_only(&options.data).map_err(|e| e.to_string())?;
        for entity in &source.schema().entities {
            sql(format!(
                "CREATE TABLE IF NOT EXISTS {DATABASE}.`{0}` USING parquet LOCATION {1}",
                entity.name,
                literal(&dir.join(&entity.name))
            ))?;
        }
        println!(
            "Spark: attached the Parquet tables in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    } else {
        // The Parquet files are written into `dir`, one folder per table, and the tables read them.
        let rows = segment_spark::load::copy_sqlite(&options.data, &client, DATABASE, &dir);
        println!(
            "Spark: copied {} rows into Parquet in {:.1} s",
            rows.map_err(|e| e.to_string())?,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

fn spark(options: &Options, url: &str, shapes: &[(String, String)]) -> Result<Vec<Row>, String> {
    let dir = options
        .parquet
        .as_deref()
        .ok_or("--parquet DIR: where Spark keeps the tables")?;
    spark_tables(options, url, dir)?;
    let started = Instant::now();
    let service = open_location(
        &Location::parse(url).map_err(|e| e.to_string())?,
        &OpenOptions {
            schema: Some(DATABASE),
            ..Default::default()
        },
        EngineCache::new(),
    )
    .map_err(|e| e.to_string())?;
    println!(
        "Spark: connect and schema {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    let cluster = std::env::var("SEGMENT_SPARK_CLUSTER").is_ok();
    let label = if cluster {
        "Spark, 2-worker cluster"
    } else {
        "Spark, local[2]"
    };
    Ok(run_backend(
        label,
        &service,
        Prefer::Sql,
        shapes,
        options.runs,
        options.nodes,
    ))
}

/// Every backend's count of each segment must be the engine's (or the first backend's).
fn check_equal(results: &[(&str, Vec<Row>)]) {
    let Some((first, reference)) = results.first() else {
        return;
    };
    for (label, rows) in &results[1..] {
        for row in rows {
            match reference.iter().find(|r| r.name == row.name) {
                Some(r) if r.count != row.count => println!(
                    "MISMATCH {}: {first} {}, {label} {}",
                    row.name, r.count, row.count
                ),
                _ => {}
            }
        }
    }
}

fn main() -> Result<(), String> {
    let options = parse_options()?;
    let shapes = shapes(options.only.as_deref())?;
    println!(
        "{} ({:.0} MB), {} warm runs",
        options.data.display(),
        std::fs::metadata(&options.data)
            .map_err(|e| e.to_string())?
            .len() as f64
            / 1e6,
        options.runs
    );
    let mut results = Vec::new();
    if options.engine {
        results.push(("engine", engine(&options, &shapes)?));
    }
    if let Ok(url) = std::env::var("SEGMENT_PG_URL") {
        match postgres(&options, &url, &shapes) {
            Ok(rows) => results.push(("PostgreSQL", rows)),
            Err(e) => println!("PostgreSQL failed: {e}"),
        }
    }
    if let Ok(url) = std::env::var("SEGMENT_SPARK_URL") {
        match spark(&options, &url, &shapes) {
            Ok(rows) => results.push(("Spark", rows)),
            Err(e) => println!("Spark failed: {e}"),
        }
    }
    check_equal(&results);
    Ok(())
}
