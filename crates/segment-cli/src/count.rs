//! `segment-builder count`, `sample` and `overlap`: adapters over `segment-service` (the same
//! pipeline as the app's preview). The engine counts unless `--engine sql`; when it cannot, the
//! service counts in SQL and its notice goes to stderr.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::ValueEnum;
use segment_service::{CheckedSegment, Method, NodeCounts, Prefer, SampleOrder, Service};
use segment_source::CancelToken;
use serde_json::{json, Value};

use crate::library::StoreArg;
use crate::{data, parse, read_segment, to_json, Failure, SegmentInput};

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    /// The in-memory columnar engine (loads the data first; fastest for repeated counts).
    Engine,
    /// The generated SQL, run on the data file.
    Sql,
}

/// Opens the data and reads and checks the segment file, its problems located in the file.
fn checked(
    service: &Service,
    file: &Path,
    entity: Option<&str>,
    now: DateTime<Utc>,
    library: &StoreArg,
) -> Result<CheckedSegment, Failure> {
    let text = read_segment(file)?;
    let (segment, _) = parse(&text, service.schema(), entity).map_err(|p| located(file, p))?;
    let references = crate::references::gather(&segment, library)?;
    CheckedSegment::check_in(segment, service.schema(), entity, now, references)
        .map_err(|p| located(file, p))
}

fn located(file: &Path, problems: Vec<segment_model::Problem>) -> Failure {
    Failure(problems.iter().map(|p| crate::located(file, p)).collect())
}

pub fn run(
    input: &SegmentInput,
    now: DateTime<Utc>,
    engine: Engine,
    explain: bool,
) -> Result<(Value, ExitCode), Failure> {
    let service = data::service(&input.data)?;
    let checked = checked(
        &service,
        &input.segment,
        input.entity.as_deref(),
        now,
        &input.library,
    )?;
    let prefer = match engine {
        Engine::Engine => Prefer::Engine,
        Engine::Sql => Prefer::Sql,
    };
    let nodes = if explain {
        NodeCounts::Always
    } else {
        NodeCounts::None
    };
    let started = std::time::Instant::now();
    if prefer == Prefer::Engine {
        data::wait_for_engine(&service);
    }
    let waited_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut counted = service.count(&checked, prefer, nodes, &CancelToken::new())?;
    // The load's time, waited for above, belongs to the count's.
    if let Some(load_ms) = counted.timings.load_ms.as_mut() {
        *load_ms = ((*load_ms + waited_ms) * 100.0).round() / 100.0;
    }
    if let Some(why) = &counted.notice {
        eprintln!("notice: {why}");
    }
    let mut out = json!({ "count": counted.count, "total": counted.total });
    if explain {
        out["engine"] = json!(match counted.method {
            Method::Memory => "engine",
            Method::Sql => "sql",
        });
        if let Some(why) = &counted.notice {
            out["notice"] = json!(why);
        }
        out["timings"] = to_json(&counted.timings)?;
        if let Some(bytes) = counted.memory_bytes {
            out["memory_bytes"] = json!(bytes);
            if let Ok(data) = service.dataset() {
                out["memory"] = to_json(&data.memory_parts(service.schema()))?;
            }
        }
        out["nodes"] = to_json(&counted.nodes.unwrap_or_default())?;
    }
    Ok((out, ExitCode::SUCCESS))
}

/// `segment-builder sample`: up to N matching records with the nodes each met, and their values.
pub fn sample(
    input: &SegmentInput,
    now: DateTime<Utc>,
    n: usize,
    random: Option<u64>,
) -> Result<(Value, ExitCode), Failure> {
    let service = data::service(&input.data)?;
    let checked = checked(
        &service,
        &input.segment,
        input.entity.as_deref(),
        now,
        &input.library,
    )?;
    let order = random.map_or(SampleOrder::First, SampleOrder::Random);
    let samples = service.samples(&checked, n, order, &CancelToken::new())?;
    Ok((json!({ "samples": to_json(&samples)? }), ExitCode::SUCCESS))
}

/// `segment-builder overlap`: exact intersections of 2–3 segments, the Venn regions and Jaccard.
pub fn overlap(
    data_path: &Path,
    segments: &[PathBuf],
    entity: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(Value, ExitCode), Failure> {
    if !(2..=3).contains(&segments.len()) {
        return Err(Failure::new(format!(
            "give 2 or 3 --segment files, not {}",
            segments.len()
        )));
    }
    let service = data::service(data_path)?;
    let checked = segments
        .iter()
        .map(|file| checked(&service, file, entity, now, &StoreArg::default()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((
        to_json(&service.overlap(&checked, &CancelToken::new())?)?,
        ExitCode::SUCCESS,
    ))
}
