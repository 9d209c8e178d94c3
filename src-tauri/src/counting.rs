//! Counts in milliseconds: the in-memory count engine in the app. The data source is loaded into
//! the engine on a background thread once it is open, and again when its file changes (another
//! path, or a new modification time after an import). Until it is loaded, or when the engine
//! cannot judge the data or the segment (`Unsupported`), counts run in SQL and say so.
//!
//! Commands: `samples` (first or random N matching records, with the nodes each met and the
//! record's fields) and `overlap` (exact intersections of 2–3 segments, Venn regions, Jaccard).
//! Per-node counts ("alone" and "without this node") come with every preview.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use segment_engine::explain::{self, SampleOrder};
use segment_engine::{Dataset, Evaluator};
use segment_model::ir::Query;
use segment_model::{validate, Schema, Segment};
use segment_source::{CancelToken, DataSource};
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

use crate::commands::resolve_now;
use crate::ipc::{ErrorKind, IpcError};
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

// ---------------------------------------------------------------------------------------------
// The engine's dataset, kept in the app state.

/// Which file a dataset was loaded from, that file's modification time then, and a hash of the
/// schema it was loaded with (a sidecar may add relationships).
type Stamp = (PathBuf, Option<SystemTime>, u64);

#[derive(Clone)]
pub enum EngineStatus {
    Loading,
    Ready(Arc<Dataset>),
    /// The engine cannot hold or judge this data; why.
    Unsupported(String),
}

#[derive(Default)]
struct EngineSlot {
    stamp: Option<Stamp>,
    status: Option<EngineStatus>,
}

/// The engine's dataset for the open data source: loaded in the background, reloaded when the
/// file changes. Cheap to clone.
#[derive(Clone, Default)]
pub struct EngineCell(Arc<(Mutex<EngineSlot>, Condvar)>);

fn stamp(path: &Path, schema: &Schema) -> Stamp {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    serde_json::to_string(schema)
        .unwrap_or_default()
        .hash(&mut hasher);
    (
        path.to_path_buf(),
        std::fs::metadata(path).and_then(|m| m.modified()).ok(),
        hasher.finish(),
    )
}

impl EngineCell {
    /// The dataset's status for the file at `path`, starting a (re)load in the background when
    /// the file is not the one loaded or has changed since. Never blocks on a load.
    pub fn status(&self, path: &Path, schema: &Schema) -> EngineStatus {
        let current = stamp(path, schema);
        let (lock, _) = &*self.0;
        let mut slot = lock.lock().unwrap_or_else(|p| p.into_inner());
        if slot.stamp.as_ref() != Some(&current) || slot.status.is_none() {
            slot.stamp = Some(current.clone());
            slot.status = Some(EngineStatus::Loading);
            let cell = self.clone();
            let schema = schema.clone();
            std::thread::spawn(move || cell.load(current, &schema));
        }
        slot.status.clone().unwrap_or(EngineStatus::Loading)
    }

    /// Like [`status`](Self::status) but waits while the dataset is loading. Blocking.
    pub fn wait(&self, path: &Path, schema: &Schema) -> EngineStatus {
        let status = self.status(path, schema);
        if !matches!(status, EngineStatus::Loading) {
            return status;
        }
        let (lock, ready) = &*self.0;
        let mut slot = lock.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            match &slot.status {
                Some(EngineStatus::Loading) | None => {
                    slot = ready.wait(slot).unwrap_or_else(|p| p.into_inner())
                }
                Some(status) => return status.clone(),
            }
        }
    }

    fn load(&self, for_stamp: Stamp, schema: &Schema) {
        // A connection of its own: SQL counts go on while the engine loads.
        let result = DataSource::open_read_only(&for_stamp.0)
            .map_err(|e| e.to_string())
            .and_then(|source| {
                segment_source::engine::load_dataset_with(&source, schema)
                    .map_err(|e| e.to_string())
            });
        let status = match result {
            Ok(data) => EngineStatus::Ready(Arc::new(data)),
            Err(why) => EngineStatus::Unsupported(why),
        };
        let (lock, ready) = &*self.0;
        let mut slot = lock.lock().unwrap_or_else(|p| p.into_inner());
        // A newer load replaced this one while it ran: leave the slot to it.
        if slot.stamp.as_ref() == Some(&for_stamp) {
            slot.status = Some(status);
            ready.notify_all();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The preview's count.

/// A preview's count, by whichever engine could make it.
pub struct Counted {
    pub count: u64,
    pub total: u64,
    pub engine: CountEngine,
    /// Why the count was made in SQL, when it was.
    pub notice: Option<String>,
    /// Per-node counts (absent when SQL counting was too slow to repeat per node).
    pub nodes: Option<Vec<NodeCountInfo>>,
}

/// SQL node counts are made only if the whole count took less than this.
const SQL_NODES_BUDGET_MS: u128 = 150;

/// Counts `query` (and every node of `segment`) with the engine when it is loaded and can, else
/// with SQL. `token` cancels either.
pub fn count(
    loaded: &Loaded,
    engine: EngineStatus,
    segment: &Segment,
    query: &Query,
    entity: Option<&str>,
    now: DateTime<Utc>,
    token: &CancelToken,
) -> Result<Counted, IpcError> {
    let schema = &loaded.info.schema;
    let notice = match engine {
        EngineStatus::Ready(data) => {
            let evaluator = Evaluator::with_cancel(&data, token.flag());
            let counted = evaluator.matching(query).and_then(|rows| {
                let nodes = explain::node_counts_with(&evaluator, schema, segment, entity, now)?;
                Ok((rows.count(), rows.len() as u64, nodes))
            });
            match counted {
                Ok((count, total, nodes)) => {
                    let nodes = nodes
                        .into_iter()
                        .map(|n| NodeCountInfo {
                            path: n.path,
                            count: n.count,
                            without: n.without,
                        })
                        .collect();
                    return Ok(Counted {
                        count,
                        total,
                        engine: CountEngine::Memory,
                        notice: None,
                        nodes: Some(nodes),
                    });
                }
                Err(segment_engine::Error::Cancelled) => {
                    return Err(IpcError::new(
                        ErrorKind::Cancelled,
                        "a newer preview replaced this one",
                    ))
                }
                Err(e) => Some(e.to_string()),
            }
        }
        EngineStatus::Loading => {
            Some("the count engine is still loading the data; counted with SQL".to_string())
        }
        EngineStatus::Unsupported(why) => Some(why),
    };
    let started = std::time::Instant::now();
    let source = loaded.source.lock().unwrap_or_else(|p| p.into_inner());
    let result = source.count_cancellable(query, token)?;
    let nodes = if started.elapsed().as_millis() < SQL_NODES_BUDGET_MS {
        Some(sql_node_counts(
            &source, schema, segment, entity, now, token,
        )?)
    } else {
        None
    };
    Ok(Counted {
        count: result.count,
        total: result.total,
        engine: CountEngine::Sql,
        notice,
        nodes,
    })
}

fn sql_node_counts(
    source: &DataSource,
    schema: &Schema,
    segment: &Segment,
    entity: Option<&str>,
    now: DateTime<Utc>,
    token: &CancelToken,
) -> Result<Vec<NodeCountInfo>, IpcError> {
    let mut nodes = Vec::new();
    for variant in segment_model::explain::node_variants(segment) {
        let (Ok(alone), Ok(without)) = (
            validate::check(&variant.alone, schema, entity, now),
            validate::check(&variant.without, schema, entity, now),
        ) else {
            continue;
        };
        nodes.push(NodeCountInfo {
            path: variant.path,
            count: source.count_cancellable(&alone, token)?.count,
            without: source.count_cancellable(&without, token)?.count,
        });
    }
    Ok(nodes)
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
    /// The record's key (e.g. the profile id).
    pub key: f64,
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

/// Parses and validates one segment of a request; its problems as an error at `at`.
fn checked(
    value: &serde_json::Value,
    loaded: &Loaded,
    entity: Option<&str>,
    now: DateTime<Utc>,
    at: &str,
) -> Result<(Segment, Query), IpcError> {
    let invalid = |message: String| IpcError {
        kind: ErrorKind::InvalidRequest,
        message,
        path: Some(at.to_string()),
    };
    let segment: Segment = serde_json::from_value(value.clone())
        .map_err(|e| invalid(format!("not a segment: {e}")))?;
    let query =
        validate::check(&segment, &loaded.info.schema, entity, now).map_err(|problems| {
            let first = problems
                .first()
                .map(|p| format!(": {} ({})", p.message, p.path))
                .unwrap_or_default();
            invalid(format!(
                "the segment has {} problem(s){first}",
                problems.len()
            ))
        })?;
    Ok((segment, query))
}

fn ready(state: &AppState, loaded: &Loaded) -> Result<Arc<Dataset>, IpcError> {
    match state
        .engine
        .wait(Path::new(&loaded.info.path), &loaded.info.schema)
    {
        EngineStatus::Ready(data) => Ok(data),
        EngineStatus::Unsupported(why) => Err(IpcError::new(ErrorKind::Source, why)),
        EngineStatus::Loading => Err(IpcError::new(
            ErrorKind::Internal,
            "the count engine is still loading",
        )),
    }
}

fn engine_error(e: segment_engine::Error) -> IpcError {
    match e {
        segment_engine::Error::Cancelled => IpcError::new(ErrorKind::Cancelled, e.to_string()),
        e => IpcError::new(ErrorKind::Query, e.to_string()),
    }
}

pub fn run_samples(state: &AppState, request: SampleRequest) -> Result<SampleResponse, IpcError> {
    let loaded = state.loaded()?;
    let now = resolve_now(request.now.as_deref(), loaded.default_now)?;
    let entity = request.entity.as_deref();
    let (segment, query) = checked(&request.segment, &loaded, entity, now, "/segment")?;
    let data = ready(state, &loaded)?;
    let order = request.seed.map_or(SampleOrder::First, SampleOrder::Random);
    let n = request.n.min(100) as usize;
    let samples = explain::samples(&data, &loaded.info.schema, &segment, entity, now, n, order)
        .map_err(engine_error)?;
    let source = loaded.source.lock().unwrap_or_else(|p| p.into_inner());
    let records = segment_source::records_by_key(
        &source,
        &query.entity.name,
        &query.entity.key,
        samples.iter().map(|s| s.key),
    )?;
    Ok(SampleResponse {
        samples: samples
            .into_iter()
            .zip(records)
            .map(|(s, record)| SampleRecord {
                key: s.key,
                met: s.met,
                record,
            })
            .collect(),
        key: query.entity.key.clone(),
    })
}

pub fn run_overlap(state: &AppState, request: OverlapRequest) -> Result<OverlapResponse, IpcError> {
    if !(2..=3).contains(&request.segments.len()) {
        return Err(IpcError::new(
            ErrorKind::InvalidRequest,
            format!("compare 2 or 3 segments, not {}", request.segments.len()),
        ));
    }
    let loaded = state.loaded()?;
    let now = resolve_now(request.now.as_deref(), loaded.default_now)?;
    let entity = request.entity.as_deref();
    let queries = request
        .segments
        .iter()
        .enumerate()
        .map(|(i, s)| checked(s, &loaded, entity, now, &format!("/segments/{i}")).map(|(_, q)| q))
        .collect::<Result<Vec<_>, _>>()?;
    let data = ready(state, &loaded)?;
    let overlap = explain::overlap(&data, &queries).map_err(engine_error)?;
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

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, IpcError> + Send + 'static,
) -> Result<T, IpcError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| IpcError::new(ErrorKind::Internal, format!("the task failed: {e}")))?
}

/// Up to `n` records matching the segment (first by key, or random), each with the nodes it met
/// and its fields. Needs the count engine (waits for it to load).
#[tauri::command]
pub async fn samples(
    state: State<'_, AppState>,
    request: SampleRequest,
) -> Result<SampleResponse, IpcError> {
    let state = state.inner().clone();
    blocking(move || run_samples(&state, request)).await
}

/// Exact overlap of 2–3 segments: each count, every Venn region, Jaccard of each pair.
#[tauri::command]
pub async fn overlap(
    state: State<'_, AppState>,
    request: OverlapRequest,
) -> Result<OverlapResponse, IpcError> {
    let state = state.inner().clone();
    blocking(move || run_overlap(&state, request)).await
}
