//! `segment-builder count`: the exact count, by the in-memory engine unless `--engine sql`;
//! `--explain` adds per-node counts ("alone" and "without this node") and timings.

use std::process::ExitCode;
use std::time::Instant;

use chrono::{DateTime, Utc};
use clap::ValueEnum;
use segment_model::ir::Query;
use segment_model::Segment;
use segment_source::DataSource;
use serde_json::{json, Value};

use crate::{check, data, parse, read_segment, Failure, SegmentInput};

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    /// The in-memory columnar engine (loads the data first; fastest for repeated counts).
    Engine,
    /// The generated SQL, run on the data file.
    Sql,
}

impl Engine {
    fn name(self) -> &'static str {
        match self {
            Engine::Engine => "engine",
            Engine::Sql => "sql",
        }
    }
}

fn millis(started: Instant) -> f64 {
    (started.elapsed().as_secs_f64() * 100_000.0).round() / 100.0
}

pub fn run(
    input: &SegmentInput,
    now: DateTime<Utc>,
    engine: Engine,
    explain: bool,
) -> Result<(Value, ExitCode), Failure> {
    let (source, schema) = data::open(&input.data)?;
    let text = read_segment(&input.segment)?;
    let entity = input.entity.as_deref();
    let (segment, _) = parse(&text, &schema, entity).map_err(|p| located(input, p))?;
    let query = check(&segment, &schema, entity, now).map_err(|p| located(input, p))?;

    if engine == Engine::Sql {
        let started = Instant::now();
        let result = source.count(&query)?;
        let mut out = json!({ "count": result.count, "total": result.total });
        if explain {
            out["engine"] = json!("sql");
            out["timings"] = json!({ "count_ms": millis(started) });
            out["nodes"] = sql_node_counts(&source, &segment, entity, now)?;
        }
        return Ok((out, ExitCode::SUCCESS));
    }

    let started = Instant::now();
    let loaded = segment_source::engine::load_dataset(&source);
    let load_ms = millis(started);
    let data = match loaded {
        Ok(data) => data,
        Err(e) => {
            return fallback(
                &source,
                &query,
                &segment,
                entity,
                now,
                explain,
                &e.to_string(),
            )
        }
    };
    let started = Instant::now();
    let rows = match segment_engine::Evaluator::new(&data).matching(&query) {
        Ok(rows) => rows,
        Err(e) => {
            return fallback(
                &source,
                &query,
                &segment,
                entity,
                now,
                explain,
                &e.to_string(),
            )
        }
    };
    let count_ms = millis(started);
    let mut out = json!({ "count": rows.count(), "total": rows.len() });
    if explain {
        let started = Instant::now();
        let nodes = segment_engine::explain::node_counts(&data, &schema, &segment, entity, now)
            .map_err(|e| Failure::new(e.to_string()))?;
        out["engine"] = json!(Engine::Engine.name());
        out["timings"] =
            json!({ "load_ms": load_ms, "count_ms": count_ms, "nodes_ms": millis(started) });
        out["memory_bytes"] = json!(data.heap_bytes());
        out["nodes"] = serde_json::to_value(nodes).map_err(|e| Failure::new(e.to_string()))?;
    }
    Ok((out, ExitCode::SUCCESS))
}

/// The engine cannot count this segment (e.g. a raw SQL condition): count with SQL and say so.
fn fallback(
    source: &DataSource,
    query: &Query,
    segment: &Segment,
    entity: Option<&str>,
    now: DateTime<Utc>,
    explain: bool,
    why: &str,
) -> Result<(Value, ExitCode), Failure> {
    eprintln!("notice: {why}");
    let started = Instant::now();
    let result = source.count(query)?;
    let mut out = json!({ "count": result.count, "total": result.total });
    if explain {
        out["engine"] = json!("sql");
        out["notice"] = json!(why);
        out["timings"] = json!({ "count_ms": millis(started) });
        out["nodes"] = sql_node_counts(source, segment, entity, now)?;
    }
    Ok((out, ExitCode::SUCCESS))
}

fn sql_node_counts(
    source: &DataSource,
    segment: &Segment,
    entity: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Value, Failure> {
    let schema = source.schema();
    let mut nodes = Vec::new();
    for variant in segment_model::explain::node_variants(segment) {
        let (Ok(alone), Ok(without)) = (
            segment_model::validate::check(&variant.alone, schema, entity, now),
            segment_model::validate::check(&variant.without, schema, entity, now),
        ) else {
            continue;
        };
        nodes.push(json!({
            "path": variant.path,
            "count": source.count(&alone)?.count,
            "without": source.count(&without)?.count,
        }));
    }
    Ok(Value::Array(nodes))
}

fn located(input: &SegmentInput, problems: Vec<segment_model::Problem>) -> Failure {
    Failure(
        problems
            .iter()
            .map(|p| crate::located(&input.segment, p))
            .collect(),
    )
}

/// `segment-builder sample`: up to N matching records with the nodes each met, and their values.
pub fn sample(
    input: &SegmentInput,
    now: DateTime<Utc>,
    n: usize,
    random: Option<u64>,
) -> Result<(Value, ExitCode), Failure> {
    let (source, schema) = data::open(&input.data)?;
    let text = read_segment(&input.segment)?;
    let entity = input.entity.as_deref();
    let (segment, _) = parse(&text, &schema, entity).map_err(|p| located(input, p))?;
    let query = check(&segment, &schema, entity, now).map_err(|p| located(input, p))?;
    let data =
        segment_source::engine::load_dataset(&source).map_err(|e| Failure::new(e.to_string()))?;
    let order = random.map_or(
        segment_engine::explain::SampleOrder::First,
        segment_engine::explain::SampleOrder::Random,
    );
    let samples = segment_engine::explain::samples(&data, &schema, &segment, entity, now, n, order)
        .map_err(|e| Failure::new(e.to_string()))?;
    let records = segment_source::records_by_key(
        &source,
        &query.entity.name,
        &query.entity.key,
        samples.iter().map(|s| s.key),
    )?;
    let listed: Vec<Value> = samples
        .iter()
        .zip(records)
        .map(|(s, record)| json!({ "key": s.key, "met": s.met, "record": record }))
        .collect();
    Ok((json!({ "samples": listed }), ExitCode::SUCCESS))
}

/// `segment-builder overlap`: exact intersections of 2–3 segments, the Venn regions and Jaccard.
pub fn overlap(
    data_path: &std::path::Path,
    segments: &[std::path::PathBuf],
    entity: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(Value, ExitCode), Failure> {
    if !(2..=3).contains(&segments.len()) {
        return Err(Failure::new(format!(
            "give 2 or 3 --segment files, not {}",
            segments.len()
        )));
    }
    let (source, schema) = data::open(data_path)?;
    let mut queries = Vec::new();
    for path in segments {
        let input = SegmentInput {
            data: data_path.to_path_buf(),
            segment: path.clone(),
            entity: entity.map(str::to_string),
        };
        let text = read_segment(path)?;
        let (segment, _) = parse(&text, &schema, entity).map_err(|p| located(&input, p))?;
        queries.push(check(&segment, &schema, entity, now).map_err(|p| located(&input, p))?);
    }
    let data =
        segment_source::engine::load_dataset(&source).map_err(|e| Failure::new(e.to_string()))?;
    let overlap = segment_engine::explain::overlap(&data, &queries)
        .map_err(|e| Failure::new(e.to_string()))?;
    Ok((
        serde_json::to_value(overlap).map_err(|e| Failure::new(e.to_string()))?,
        ExitCode::SUCCESS,
    ))
}
