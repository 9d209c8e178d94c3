//! The count benchmark (issue "Counts in milliseconds"): generates the demo data at each size,
//! then measures, in one run, the median and p95 count latency of fixed segment shapes for the
//! in-memory engine, the generated SQL on SQLite (indexed, mmap), and the DuckDB dialect's SQL on DuckDB
//! (when Python's `duckdb` package is installed); also engine load time and memory, and all
//! per-node counts of a 10-node tree. Prints a Markdown report.
//!
//! cargo run --release -p segment-bench -- [--profiles 100000,1000000] [--runs 25]
//!     [--data-dir target/bench-data] [--no-duckdb] [--engine-only] [--only SHAPE-SUBSTRING]
//!     [--snapshots DIR]
//!
//! The data of a size is `DATA-DIR/demo-PROFILES.sqlite`, generated when absent (an existing
//! file of that name, or a link to one, is used as it is). `--snapshots DIR` loads the engine
//! the way the CLI and the app do, through `segment-service` with its snapshots kept in `DIR`:
//! the first run loads from the source and writes the snapshot, later runs map the snapshot;
//! the report says which, and splits the resident memory into heap (`RssAnon`) and mapped
//! file pages (`RssFile`). DuckDB runs under `$SEGMENT_BENCH_PYTHON`, else the venv
//! `scripts/setup.sh tests` makes (`target/duckdb-venv`), else `python3`; its CSV exports are
//! compressed with `zstd` when that program is installed.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use segment_engine::{Dataset, Evaluator};
use segment_model::explain::node_variants;
use segment_model::{validate, Segment};
use segment_source::{DataSource, DemoOptions};
use segment_sql::DuckDb;
use serde_json::{json, Value};

struct Options {
    profiles: Vec<u64>,
    runs: usize,
    data_dir: PathBuf,
    duckdb: bool,
    /// Only the engine (no SQL, no count check): for profiling.
    engine_only: bool,
    /// Only the shapes whose name contains this.
    only: Option<String>,
    /// Load the engine through `segment-service` with its snapshots kept here.
    snapshots: Option<PathBuf>,
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        profiles: vec![100_000, 1_000_000],
        runs: 25,
        data_dir: PathBuf::from("target/bench-data"),
        duckdb: true,
        engine_only: false,
        only: None,
        snapshots: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--profiles" => {
                options.profiles = value()?
                    .split(',')
                    .map(|s| {
                        s.trim()
                            .replace('_', "")
                            .parse::<u64>()
                            .map_err(|e| format!("--profiles: {e}"))
                    })
                    .collect::<Result<_, _>>()?
            }
            "--runs" => options.runs = value()?.parse().map_err(|e| format!("--runs: {e}"))?,
            "--data-dir" => options.data_dir = PathBuf::from(value()?),
            "--no-duckdb" => options.duckdb = false,
            "--engine-only" => {
                options.engine_only = true;
                options.duckdb = false;
            }
            "--only" => options.only = Some(value()?),
            "--snapshots" => options.snapshots = Some(PathBuf::from(value()?)),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(options)
}

fn cond(attribute: &str, operator: &str, value: Value) -> Value {
    json!({"type": "condition", "attribute": attribute, "operator": operator, "value": value})
}

/// The condition, compared ignoring the case of ASCII letters.
fn any_case(mut condition: Value) -> Value {
    condition["case_sensitive"] = json!(false);
    condition
}

fn events(filter: Vec<Value>, constraint: Option<Value>, window: Option<Value>) -> Value {
    let mut rel = json!({"type": "relationship", "relationship": "events", "filter": {"combinator": "and", "children": filter}});
    if let Some(c) = constraint {
        rel["constraint"] = c;
    }
    if let Some(w) = window {
        rel["window"] = w;
    }
    rel
}

fn at_least(n: u64) -> Option<Value> {
    Some(json!({"type": "occurrences", "operator": "at_least", "value": n}))
}

fn last_days(n: u64) -> Option<Value> {
    Some(json!({"type": "in_the_last", "amount": n, "unit": "day"}))
}

fn segment(combinator: &str, children: Vec<Value>) -> Segment {
    match serde_json::from_value(
        json!({"version": 1, "entity": "profiles", "root": {"combinator": combinator, "children": children}}),
    ) {
        Ok(segment) => segment,
        Err(e) => panic!("a benchmark shape is not a valid tree: {e}"),
    }
}

/// The fixed shapes, as the issue lists them.
fn shapes() -> Vec<(&'static str, Segment)> {
    vec![
        (
            "country = 'US'",
            segment("and", vec![cond("country", "is", json!("US"))]),
        ),
        (
            "country in (…) AND age between AND plan <> 'free'",
            segment(
                "and",
                vec![
                    cond("country", "is_one_of", json!(["US", "CA", "GB"])),
                    cond("age", "between", json!([25, 45])),
                    cond("plan", "is_not", json!("free")),
                ],
            ),
        ),
        (
            "email contains 'gmail'",
            segment("and", vec![cond("email", "contains", json!("gmail"))]),
        ),
        (
            "signed up in the last 90 days",
            segment(
                "and",
                vec![cond(
                    "signed_up_at",
                    "in_the_last",
                    json!({"amount": 90, "unit": "day"}),
                )],
            ),
        ),
        (
            "purchase ≥ 3 times in the last 30 days",
            segment(
                "and",
                vec![events(
                    vec![cond("name", "is", json!("purchase"))],
                    at_least(3),
                    last_days(30),
                )],
            ),
        ),
        (
            "attribute AND event AND NOT another event",
            segment(
                "and",
                vec![
                    cond("country", "is", json!("US")),
                    events(
                        vec![cond("name", "is", json!("login"))],
                        None,
                        last_days(30),
                    ),
                    events(
                        vec![cond("name", "is", json!("churn_survey_answered"))],
                        Some(json!({"type": "occurrences", "operator": "exactly", "value": 0})),
                        None,
                    ),
                ],
            ),
        ),
        (
            "OR of two AND-groups mixing attributes and events",
            segment(
                "or",
                vec![
                    json!({"type": "group", "combinator": "and", "children": [
                        cond("plan", "is", json!("pro")),
                        events(vec![cond("name", "is", json!("purchase"))], None, last_days(90))]}),
                    json!({"type": "group", "combinator": "and", "children": [
                        cond("country", "is", json!("DE")),
                        events(vec![cond("name", "is", json!("add_to_cart"))], at_least(2), last_days(14))]}),
                ],
            ),
        ),
        (
            "sum(amount) of purchases over 100 > 500",
            segment(
                "and",
                vec![events(
                    vec![
                        cond("name", "is", json!("purchase")),
                        cond("amount", "greater_than", json!(100)),
                    ],
                    Some(
                        json!({"type": "aggregate", "function": "sum", "attribute": "amount", "operator": "more_than", "value": 500}),
                    ),
                    None,
                )],
            ),
        ),
        (
            "JSON array tags contains 'vip'",
            segment("and", vec![cond("tags", "contains_any_of", json!(["vip"]))]),
        ),
        (
            "email contains 'GMAIL' OR first name starts with 'jo' (any case)",
            segment(
                "or",
                vec![
                    any_case(cond("email", "contains", json!("GMAIL"))),
                    any_case(cond("first_name", "starts_with", json!("jo"))),
                ],
            ),
        ),
        (
            "email ends with '.org'",
            segment("and", vec![cond("email", "ends_with", json!(".org"))]),
        ),
        (
            "email like '%@gmail.com' (any case)",
            segment(
                "and",
                vec![any_case(cond("email", "like", json!("%@gmail.com")))],
            ),
        ),
        (
            "email matches regex '^[a-z]+\\.[a-z]+[0-9]*@'",
            segment(
                "and",
                vec![cond(
                    "email",
                    "matches_regex",
                    json!("^[a-z]+\\.[a-z]+[0-9]*@"),
                )],
            ),
        ),
        (
            "page view, then add to cart within a day, then purchase within 7 days",
            segment(
                "and",
                vec![events(
                    vec![],
                    Some(json!({"type": "sequence", "steps": [
                        {"filter": {"combinator": "and", "children": [cond("name", "is", json!("page_view"))]}},
                        {"filter": {"combinator": "and", "children": [cond("name", "is", json!("add_to_cart"))]},
                         "within": {"amount": 1, "unit": "day"}},
                        {"filter": {"combinator": "and", "children": [cond("name", "is", json!("purchase"))]},
                         "within": {"amount": 7, "unit": "day"}}]})),
                    None,
                )],
            ),
        ),
        (
            "first purchase in the last 30 days",
            segment(
                "and",
                vec![events(
                    vec![cond("name", "is", json!("purchase"))],
                    Some(
                        json!({"type": "first_time", "operator": "in_the_last", "value": {"amount": 30, "unit": "day"}}),
                    ),
                    None,
                )],
            ),
        ),
        (
            "last purchase more than 90 days ago",
            segment(
                "and",
                vec![events(
                    vec![cond("name", "is", json!("purchase"))],
                    Some(
                        json!({"type": "last_time", "operator": "more_than_ago", "value": {"amount": 90, "unit": "day"}}),
                    ),
                    None,
                )],
            ),
        ),
        (
            "most recent purchase's amount > 100",
            segment(
                "and",
                vec![events(
                    vec![cond("name", "is", json!("purchase"))],
                    Some(
                        json!({"type": "last_record", "condition": {"attribute": "amount", "operator": "greater_than", "value": 100}}),
                    ),
                    None,
                )],
            ),
        ),
        (
            "events on ≥ 5 distinct days in the last 90 days",
            segment(
                "and",
                vec![events(
                    vec![],
                    Some(
                        json!({"type": "distinct_periods", "unit": "day", "operator": "at_least", "value": 5}),
                    ),
                    last_days(90),
                )],
            ),
        ),
    ]
}

/// A 10-node tree for the per-node counts.
fn ten_node_tree() -> Segment {
    segment(
        "and",
        vec![
            cond("country", "is_one_of", json!(["US", "CA", "GB", "DE"])),
            json!({"type": "group", "combinator": "or", "children": [
                cond("plan", "is", json!("pro")),
                cond("lifetime_value", "greater_than", json!(200)),
                cond("is_subscribed", "is_true", json!(null))]}),
            events(
                vec![
                    cond("name", "is", json!("purchase")),
                    cond("channel", "is", json!("web")),
                ],
                at_least(2),
                last_days(60),
            ),
            json!({"type": "group", "combinator": "and", "negated": true, "children": [
                cond("email", "ends_with", json!(".org"))]}),
        ],
    )
}

/// A query slower than this is timed once (its first run is the only sample).
const SLOW_QUERY: Duration = Duration::from_secs(3);

fn median_p95(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    if samples.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let median = ms(samples[samples.len() / 2]);
    let p95 = ms(samples[((samples.len() as f64 * 0.95).ceil() as usize)
        .saturating_sub(1)
        .min(samples.len() - 1)]);
    (median, p95)
}

/// The process's memory from `/proc/self/status`, in bytes (0 where unknown).
#[derive(Clone, Copy, Default)]
struct Memory {
    /// Resident memory (`VmRSS`).
    rss: u64,
    /// Of which anonymous pages: the heap (`RssAnon`).
    anon: u64,
    /// Of which file pages mapped in: a mapped snapshot, SQLite's mmap (`RssFile`).
    file: u64,
    /// Peak resident memory so far (`VmHWM`).
    peak: u64,
}

impl Memory {
    fn now() -> Memory {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kib| kib.parse::<u64>().ok())
                .map_or(0, |kib| kib * 1024)
        };
        Memory {
            rss: field("VmRSS:"),
            anon: field("RssAnon:"),
            file: field("RssFile:"),
            peak: field("VmHWM:"),
        }
    }

    fn describe(&self) -> String {
        format!(
            "RSS {:.2} GiB: heap (RssAnon) {:.2} GiB, mapped file pages (RssFile) {:.2} GiB; peak RSS so far {:.2} GiB",
            gib(self.rss),
            gib(self.anon),
            gib(self.file),
            gib(self.peak)
        )
    }
}

fn gib(bytes: u64) -> f64 {
    bytes as f64 / (1u64 << 30) as f64
}

/// Loads the engine the way the CLI and the app do: through `segment-service`, with its
/// snapshots in `dir` (read when valid, else written after a load from the source). Returns
/// the data and how the load went.
fn load_through_service(path: &Path, dir: &Path) -> Result<(Arc<Dataset>, String), String> {
    let backend = segment_service::SqliteBackend::open(path, None).map_err(|e| e.to_string())?;
    let service = segment_service::Service::new(
        Arc::new(backend),
        segment_service::EngineCache::with_snapshots(Some(dir.to_path_buf())),
    );
    let data = service.dataset().map_err(|e| e.to_string())?;
    let how = match service.engine_load_report() {
        Some(report) => format!(
            "{} in {:.2} s (the service's `load_ms`){}",
            match report.from {
                segment_service::snapshots::LoadedFrom::Source => "from the source",
                segment_service::snapshots::LoadedFrom::Snapshot => "**from the snapshot**",
            },
            report.seconds,
            if report.notes.is_empty() {
                String::new()
            } else {
                format!("; {}", report.notes.join("; "))
            }
        ),
        None => "through the service".to_string(),
    };
    Ok((data, how))
}

fn ensure_demo(dir: &Path, profiles: u64) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let path = dir.join(format!("demo-{profiles}.sqlite"));
    if !path.exists() {
        let started = Instant::now();
        let partial = dir.join(format!("demo-{profiles}.partial.sqlite"));
        let _ = std::fs::remove_file(&partial);
        let summary = segment_source::generate_demo(&partial, DemoOptions { profiles, seed: 42 })
            .map_err(|e| e.to_string())?;
        std::fs::rename(&partial, &path).map_err(|e| e.to_string())?;
        println!(
            "generated {} profiles, {} events, {} orders ({:.0} MB) in {:.1} s",
            summary.profiles,
            summary.events,
            summary.orders,
            summary.bytes as f64 / 1e6,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(path)
}

/// CSV exports of the demo tables for DuckDB (written once per size; `TABLE.csv.zst` when
/// `zstd` is installed: a tenth of the disk at 10M profiles, and DuckDB reads it as it is).
fn export_csv(source: &DataSource, dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let zstd = zstd_available();
    for table in ["profiles", "events", "orders"] {
        let plain = dir.join(format!("{table}.csv"));
        let compressed = dir.join(format!("{table}.csv.zst"));
        if plain.exists() || compressed.exists() {
            continue;
        }
        let path = if zstd { compressed } else { plain };
        let entity = source.schema().entity(table).ok_or(format!("no {table}"))?;
        let names: Vec<String> = entity.columns.iter().map(|c| c.name.clone()).collect();
        let mut out = String::new();
        out.push_str(&names.join(","));
        out.push('\n');
        let sql = format!(
            "SELECT {} FROM \"{table}\"",
            names
                .iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut stmt = source
            .connection()
            .prepare(&sql)
            .map_err(|e| e.to_string())?;
        let mut rows = stmt.query([]).map_err(|e| e.to_string())?;
        let tmp = dir.join(format!("{table}.csv.partial"));
        let out_file = std::fs::File::create(&tmp).map_err(|e| e.to_string())?;
        let mut child = None;
        let sink: Box<dyn std::io::Write> = if zstd {
            let mut spawned = Command::new("zstd")
                .args(["-q", "-c"])
                .stdin(Stdio::piped())
                .stdout(out_file)
                .spawn()
                .map_err(|e| format!("running zstd: {e}"))?;
            let stdin = spawned.stdin.take().ok_or("zstd has no input")?;
            child = Some(spawned);
            Box::new(stdin)
        } else {
            Box::new(out_file)
        };
        let mut file = std::io::BufWriter::with_capacity(1 << 20, sink);
        use std::io::Write;
        file.write_all(out.as_bytes()).map_err(|e| e.to_string())?;
        while let Some(row) = rows.next().map_err(|e| e.to_string())? {
            let mut line = String::new();
            for i in 0..names.len() {
                if i > 0 {
                    line.push(',');
                }
                match row.get_ref(i).map_err(|e| e.to_string())? {
                    rusqlite::types::ValueRef::Null => {}
                    rusqlite::types::ValueRef::Integer(v) => line.push_str(&v.to_string()),
                    rusqlite::types::ValueRef::Real(v) => line.push_str(&v.to_string()),
                    rusqlite::types::ValueRef::Text(t) => {
                        line.push('"');
                        line.push_str(&String::from_utf8_lossy(t).replace('"', "\"\""));
                        line.push('"');
                    }
                    rusqlite::types::ValueRef::Blob(_) => {}
                }
            }
            line.push('\n');
            file.write_all(line.as_bytes()).map_err(|e| e.to_string())?;
        }
        file.flush().map_err(|e| e.to_string())?;
        // Closes zstd's input, so that it finishes.
        drop(file);
        if let Some(mut child) = child {
            let status = child.wait().map_err(|e| e.to_string())?;
            if !status.success() {
                return Err(format!("zstd failed on {table}: {status}"));
            }
        }
        std::fs::rename(&tmp, &path).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// How the engine's load went and the process's memory right after it.
struct LoadFigures {
    wall: Duration,
    how: String,
    rss_growth: u64,
    after: Memory,
    /// The engine's bytes borrowed from a mapped snapshot.
    mapped: u64,
}

struct ShapeResult {
    name: &'static str,
    count: u64,
    engine: (f64, f64),
    /// Median and p95, or why SQLite did not count.
    sqlite: Result<(f64, f64), String>,
    duckdb: Option<(f64, f64)>,
}

impl ShapeResult {
    /// The report's table row.
    fn row(&self) -> String {
        let duck = self
            .duckdb
            .map(|(m, p)| format!("{m:.1} / {p:.1}"))
            .unwrap_or_else(|| "–".to_string());
        let sqlite = match &self.sqlite {
            Ok((m, p)) => format!("{m:.1} / {p:.1}"),
            Err(e) => format!("– ({e})"),
        };
        format!(
            "| {} | {} | {:.2} / {:.2} | {sqlite} | {duck} |",
            self.name, self.count, self.engine.0, self.engine.1
        )
    }
}

fn run_size(options: &Options, profiles: u64) -> Result<(), String> {
    let path = ensure_demo(&options.data_dir, profiles)?;
    let source = DataSource::open_read_only(&path).map_err(|e| e.to_string())?;
    let now = source
        .suggested_now()
        .and_then(|t| DateTime::<Utc>::from_timestamp(t, 0))
        .ok_or("the demo file carries no anchor")?;

    let before = Memory::now();
    let started = Instant::now();
    let (data, how): (Arc<Dataset>, String) = match &options.snapshots {
        None => (
            Arc::new(segment_source::engine::load_dataset(&source).map_err(|e| e.to_string())?),
            "from the source".to_string(),
        ),
        Some(dir) => load_through_service(&path, dir)?,
    };
    let load = started.elapsed();
    let after = Memory::now();
    let mapped: u64 = data
        .memory_parts(source.schema())
        .iter()
        .filter(|p| p.mapped)
        .map(|p| p.bytes)
        .sum();
    let load_report = LoadFigures {
        wall: load,
        how,
        rss_growth: after.rss.saturating_sub(before.rss),
        after,
        mapped,
    };
    eprintln!(
        "engine load {:.2} s wall, {}; {}",
        load_report.wall.as_secs_f64(),
        load_report.how,
        after.describe()
    );

    let mut queries = serde_json::Map::new();
    let mut compiled = Vec::new();
    let wanted = |name: &str| options.only.as_deref().is_none_or(|o| name.contains(o));
    for (name, segment) in shapes().into_iter().filter(|(name, _)| wanted(name)) {
        let query = validate::check(&segment, source.schema(), None, now)
            .map_err(|p| format!("{name}: {p:?}"))?;
        // DuckDB runs the DuckDB dialect's SQL: SQLite's spellings (`date()`…) are not its own.
        queries.insert(
            name.to_string(),
            Value::String(segment_sql::display(&query, &DuckDb).map_err(|e| e.to_string())?),
        );
        compiled.push((name, query));
    }

    let duckdb = run_duckdb(options, &source, profiles, queries)?;

    let mut results = Vec::new();
    for (name, query) in &compiled {
        let mut engine_samples = Vec::new();
        let mut count = 0;
        for i in 0..options.runs + 2 {
            let t = Instant::now();
            // A fresh evaluator each time: its cache must not serve a repeated count.
            count = Evaluator::new(&data)
                .matching(query)
                .map_err(|e| e.to_string())?
                .count();
            if i >= 2 {
                engine_samples.push(t.elapsed());
            }
        }
        let mut sqlite_samples = Vec::new();
        let sql_runs = if options.engine_only {
            0
        } else {
            options.runs.min(7) + 1
        };
        let mut sqlite_error = None;
        for i in 0..sql_runs {
            let t = Instant::now();
            // A count SQLite refuses (the count's memory limit at 10M profiles) is reported
            // in its column, not the end of the run.
            let sql = match source.count(query) {
                Ok(sql) => sql,
                Err(e) => {
                    sqlite_error = Some(format!("{e} after {:.1} s", t.elapsed().as_secs_f64()));
                    break;
                }
            };
            let elapsed = t.elapsed();
            if i >= 1 || elapsed > SLOW_QUERY {
                sqlite_samples.push(elapsed);
            }
            if sql.count != count {
                return Err(format!(
                    "{name}: engine counted {count}, SQLite {}",
                    sql.count
                ));
            }
            if elapsed > SLOW_QUERY {
                break;
            }
        }
        let duck = duckdb
            .as_ref()
            .and_then(|d| d.get(*name))
            .filter(|r| r.get("error").is_none())
            .map(|r| {
                if let Some(c) = r["count"].as_u64() {
                    if c != count {
                        eprintln!("warning: {name}: DuckDB counted {c}, the engine {count}");
                    }
                }
                let samples = r["seconds"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_f64)
                            .map(Duration::from_secs_f64)
                            .collect()
                    })
                    .unwrap_or_default();
                median_p95(samples)
            });
        let result = ShapeResult {
            name,
            count,
            engine: median_p95(engine_samples),
            sqlite: match sqlite_error {
                Some(e) => Err(e),
                None => Ok(median_p95(sqlite_samples)),
            },
            duckdb: duck,
        };
        // As it goes, on standard error: a long run that fails later keeps what it measured.
        eprintln!("{}", result.row());
        results.push(result);
    }

    // Per-node counts of a 10-node tree: every node alone and without it.
    let tree = ten_node_tree();
    let variants = node_variants(&tree);
    let mut node_samples = Vec::new();
    for i in 0..options.runs.min(10) + 1 {
        let t = Instant::now();
        // One evaluator per computation of all node counts, as the app does per edit.
        let evaluator = Evaluator::new(&data);
        for variant in &variants {
            for segment in [&variant.alone, &variant.without] {
                let query = validate::check(segment, source.schema(), None, now)
                    .map_err(|p| format!("{p:?}"))?;
                evaluator.matching(&query).map_err(|e| e.to_string())?;
            }
        }
        if i >= 1 {
            node_samples.push(t.elapsed());
        }
    }
    let (node_median, node_p95) = median_p95(node_samples);

    print_report(
        profiles,
        &data,
        &load_report,
        Memory::now(),
        duckdb.as_ref(),
        &results,
        (variants.len(), node_median, node_p95),
    );
    Ok(())
}

/// Runs the shapes on DuckDB (in memory, loaded from a CSV export) when asked and available.
fn run_duckdb(
    options: &Options,
    source: &DataSource,
    profiles: u64,
    queries: serde_json::Map<String, Value>,
) -> Result<Option<Value>, String> {
    if !(options.duckdb && duckdb_available()) {
        return Ok(None);
    }
    let dir = options.data_dir.join(format!("csv-{profiles}"));
    export_csv(source, &dir)?;
    let queries_path = dir.join("queries.json");
    std::fs::write(&queries_path, Value::Object(queries).to_string()).map_err(|e| e.to_string())?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("duckdb_bench.py");
    let output = Command::new(duckdb_python())
        .arg(script)
        .arg(&dir)
        .arg(&queries_path)
        .arg(options.runs.min(15).to_string())
        .output()
        .map_err(|e| format!("running DuckDB: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "DuckDB failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(Some(
        serde_json::from_slice::<Value>(&output.stdout).map_err(|e| e.to_string())?,
    ))
}

/// The markdown section of one data size: load, memory, every shape, per-node counts.
fn print_report(
    profiles: u64,
    data: &Dataset,
    load: &LoadFigures,
    at_end: Memory,
    duckdb: Option<&Value>,
    results: &[ShapeResult],
    (nodes, node_median, node_p95): (usize, f64, f64),
) {
    let sizes = data.sizes();
    println!("\n### {profiles} profiles\n");
    println!(
        "Data: {}. Engine load {:.2} s wall, {}; engine data {:.0} MiB ({:.0} MiB of it mapped from the snapshot; process RSS +{:.0} MiB).",
        sizes
            .iter()
            .map(|(n, s)| format!("{s} {n}"))
            .collect::<Vec<_>>()
            .join(", "),
        load.wall.as_secs_f64(),
        load.how,
        data.heap_bytes() as f64 / 1048576.0,
        load.mapped as f64 / 1048576.0,
        load.rss_growth as f64 / 1048576.0
    );
    println!(
        "Memory after the load: {}. At the end of the run (SQLite's mmap included): {}.",
        load.after.describe(),
        at_end.describe()
    );
    println!(
        "Engine bytes per record: {}.",
        data.heap_bytes_by_table()
            .iter()
            .map(|(name, len, bytes)| format!("{name} {:.0}", *bytes as f64 / (*len).max(1) as f64))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if let Some(d) = duckdb {
        println!(
            "DuckDB (in-memory, loaded from CSV in {:.1} s).",
            d["_load_seconds"].as_f64().unwrap_or(f64::NAN)
        );
    }
    println!();
    println!("| shape | count | engine median / p95 ms | SQLite median / p95 ms | DuckDB median / p95 ms |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for r in results {
        println!("{}", r.row());
    }
    println!(
        "\nPer-node counts of a 10-node tree ({} nodes × alone and without = {} evaluations, validation included): median {:.1} ms, p95 {:.1} ms.",
        nodes,
        nodes * 2,
        node_median,
        node_p95
    );
}

/// The Python that runs DuckDB: `$SEGMENT_BENCH_PYTHON`, else the workspace's DuckDB venv
/// (`scripts/setup.sh tests`), else `python3`.
fn duckdb_python() -> PathBuf {
    if let Some(python) = std::env::var_os("SEGMENT_BENCH_PYTHON").filter(|v| !v.is_empty()) {
        return PathBuf::from(python);
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/duckdb-venv/bin/python");
    if venv.exists() {
        venv
    } else {
        PathBuf::from("python3")
    }
}

/// Whether the `zstd` program is installed (the CSV exports are then compressed with it).
fn zstd_available() -> bool {
    Command::new("zstd")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn duckdb_available() -> bool {
    Command::new(duckdb_python())
        .args(["-c", "import duckdb"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn main() {
    let options = match parse_options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("segment-bench: {e}");
            std::process::exit(2);
        }
    };
    println!(
        "Count benchmark: {} runs per shape (SQLite at most 7), {} cores.",
        options.runs,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    for profiles in options.profiles.clone() {
        if let Err(e) = run_size(&options, profiles) {
            eprintln!("segment-bench: {e}");
            std::process::exit(1);
        }
    }
}
