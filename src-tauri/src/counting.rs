//! Counts, samples and overlap in the app: IPC types and thin commands over `segment-service`
//! (the pipeline the CLI uses too). The engine-or-SQL policy, the engine's background load and
//! its cache all live in the service; this module only adapts requests and responses.

use segment_model::Segment;
use segment_service::{CheckedSegment, Method, SampleOrder};
use segment_source::CancelToken;
use serde::{Deserialize, Serialize};
use tauri::{Runtime, State};
use ts_rs::TS;

use crate::commands::blocking;
use crate::ipc::{AppError, ErrorKind};
use crate::references::Library;
use crate::state::{AppState, Loaded};

/// How a count was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CountEngine {
    /// The in-memory columnar engine.
    Memory,
    /// The generated SQL on the data file.
    Sql,
}

/// One node of the tree: records it matches alone, and records the segment matches without it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NodeCountInfo {
    /// JSON Pointer of the node (as problems use), e.g. `/root/children/0`.
    pub path: String,
    #[ts(type = "number")]
    pub count: u64,
    #[ts(type = "number")]
    pub without: u64,
}

impl From<Method> for CountEngine {
    fn from(method: Method) -> Self {
        match method {
            Method::Memory => CountEngine::Memory,
            Method::Sql => CountEngine::Sql,
        }
    }
}

impl From<segment_service::NodeCount> for NodeCountInfo {
    fn from(n: segment_service::NodeCount) -> Self {
        NodeCountInfo {
            path: n.path,
            count: n.count,
            without: n.without,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Samples and overlap.

/// Sample records matching a segment.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[ts(export)]
pub struct SampleRequest {
    #[ts(as = "Segment")]
    pub segment: serde_json::Value,
    #[serde(default)]
    pub entity: Option<String>,
    #[serde(default)]
    pub now: Option<String>,
    /// How many records (at most 100).
    pub n: u32,
    /// Absent: the first records by key; else a random pick, repeatable for this seed.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub seed: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SampleRecord {
    /// The record's key (e.g. the profile id), exact.
    #[ts(type = "number | string")]
    pub key: serde_json::Value,
    /// Paths of the nodes this record meets on its own.
    pub met: Vec<String>,
    /// The record's fields.
    #[ts(type = "Record<string, unknown> | null")]
    pub record: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SampleResponse {
    pub samples: Vec<SampleRecord>,
    /// The key column.
    pub key: String,
}

/// Compare 2–3 segments over the same records.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[ts(export)]
pub struct OverlapRequest {
    #[ts(as = "Vec<Segment>")]
    pub segments: Vec<serde_json::Value>,
    #[serde(default)]
    pub entity: Option<String>,
    #[serde(default)]
    pub now: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OverlapRegion {
    /// Indexes of the segments this region is inside (and of no other).
    pub segments: Vec<u32>,
    #[ts(type = "number")]
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OverlapResponse {
    /// Each segment's count.
    #[ts(type = "number[]")]
    pub counts: Vec<u64>,
    /// Every region of the Venn diagram: records in exactly the listed segments.
    pub regions: Vec<OverlapRegion>,
    /// Jaccard index of every pair, `[i][j]`.
    pub jaccard: Vec<Vec<f64>>,
    #[ts(type = "number")]
    pub total: u64,
}

/// Checks one segment of a request; its problems as an error at `at`.
fn checked(
    value: &serde_json::Value,
    loaded: &Loaded,
    entity: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
    at: &str,
    library: &Library,
) -> Result<CheckedSegment, AppError> {
    let schema = loaded.service.schema();
    let gather = |s: &Segment| library.gather(s);
    CheckedSegment::from_json_in(value.clone(), schema, entity, now, gather).map_err(|problems| {
        AppError {
            path: Some(at.to_string()),
            ..segment_service::Error::Invalid(problems).into()
        }
    })
}

pub fn run_samples(
    state: &AppState,
    request: SampleRequest,
    library: &Library,
) -> Result<SampleResponse, AppError> {
    let loaded = state.loaded()?;
    let now = segment_service::resolve_now(request.now.as_deref(), loaded.default_now())?;
    let checked = checked(
        &request.segment,
        &loaded,
        request.entity.as_deref(),
        now,
        "/segment",
        library,
    )?;
    let order = request.seed.map_or(SampleOrder::First, SampleOrder::Random);
    let samples = loaded.service.samples(
        &checked,
        request.n.min(100) as usize,
        order,
        &CancelToken::new(),
    )?;
    Ok(SampleResponse {
        samples: samples
            .into_iter()
            .map(|s| SampleRecord {
                key: exact_in_javascript(s.key),
                met: s.met,
                record: s.record,
            })
            .collect(),
        key: checked.query.entity.key.clone(),
    })
}

/// A key as the web view reads it exactly: integers beyond 2^53 would be rounded by
/// `JSON.parse`, so they travel as text.
fn exact_in_javascript(key: serde_json::Value) -> serde_json::Value {
    const SAFE: i64 = (1 << 53) - 1;
    match key.as_i64() {
        Some(i) if !(-SAFE..=SAFE).contains(&i) => serde_json::Value::String(i.to_string()),
        _ => key,
    }
}

pub fn run_overlap(
    state: &AppState,
    request: OverlapRequest,
    library: &Library,
) -> Result<OverlapResponse, AppError> {
    if !(2..=3).contains(&request.segments.len()) {
        return Err(AppError::new(
            ErrorKind::InvalidRequest,
            format!("compare 2 or 3 segments, not {}", request.segments.len()),
        ));
    }
    let loaded = state.loaded()?;
    let now = segment_service::resolve_now(request.now.as_deref(), loaded.default_now())?;
    let entity = request.entity.as_deref();
    let segments = request
        .segments
        .iter()
        .enumerate()
        .map(|(i, s)| checked(s, &loaded, entity, now, &format!("/segments/{i}"), library))
        .collect::<Result<Vec<_>, _>>()?;
    let overlap = loaded.service.overlap(&segments, &CancelToken::new())?;
    Ok(OverlapResponse {
        counts: overlap.counts,
        regions: overlap
            .regions
            .into_iter()
            .map(|r| OverlapRegion {
                segments: r.segments.into_iter().map(|i| i as u32).collect(),
                count: r.count,
            })
            .collect(),
        jaccard: overlap.jaccard,
        total: overlap.total,
    })
}

/// Up to `n` records matching the segment (first by key, or random), each with the nodes it met
/// and its fields. Needs the count engine (waits for it to load).
#[tauri::command]
pub async fn samples<R: Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    request: SampleRequest,
) -> Result<SampleResponse, AppError> {
    let state = state.inner().clone();
    let library = Library::of(&app);
    blocking(move || run_samples(&state, request, &library)).await
}

/// Exact overlap of 2–3 segments: each count, every Venn region, Jaccard of each pair.
#[tauri::command]
pub async fn overlap<R: Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    request: OverlapRequest,
) -> Result<OverlapResponse, AppError> {
    let state = state.inner().clone();
    let library = Library::of(&app);
    blocking(move || run_overlap(&state, request, &library)).await
}
