//! Size over time, "why / why not" for one record and near misses in the app: IPC requests and
//! thin commands over `segment-service` (`trend`, `explain_record`, `near_miss`), the same
//! calls as the CLI's `trend`, `explain-record` and `near-misses`.

use chrono::Duration;
use segment_model::Segment;
use segment_service::explain_record::RecordExplanation;
use segment_service::near_miss::NearMisses;
use segment_service::trend::{Trend, TrendStep};
use segment_service::CheckedSegment;
use segment_source::CancelToken;
use serde::{Deserialize, Serialize};
use tauri::{Runtime, State};
use ts_rs::TS;

use crate::commands::blocking;
use crate::ipc::AppError;
use crate::references::Library;
use crate::state::{AppState, Loaded};

/// The segment's size as of each day or week up to "now".
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[ts(export)]
pub struct TrendRequest {
    #[ts(as = "Segment")]
    pub segment: serde_json::Value,
    #[serde(default)]
    pub entity: Option<String>,
    /// The last instant (the builder's "as of"); absent: the data's own "now".
    #[serde(default)]
    pub now: Option<String>,
    /// How many days back from `now`.
    pub days: u32,
    pub step: TrendStep,
}

/// Why one record is or is not in the segment.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[ts(export)]
pub struct ExplainRecordRequest {
    #[ts(as = "Segment")]
    pub segment: serde_json::Value,
    #[serde(default)]
    pub entity: Option<String>,
    #[serde(default)]
    pub now: Option<String>,
    /// The record's key as typed.
    pub key: String,
}

/// How many more records each condition keeps out, and curves of its thresholds.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[ts(export)]
pub struct NearMissRequest {
    #[ts(as = "Segment")]
    pub segment: serde_json::Value,
    #[serde(default)]
    pub entity: Option<String>,
    #[serde(default)]
    pub now: Option<String>,
}

fn checked(
    loaded: &Loaded,
    segment: &serde_json::Value,
    entity: Option<&str>,
    now: Option<&str>,
    library: &Library,
) -> Result<CheckedSegment, AppError> {
    let now = segment_service::resolve_now(now, loaded.default_now())?;
    let gather = |s: &Segment| library.gather(s);
    CheckedSegment::from_json_in(
        segment.clone(),
        loaded.service.schema(),
        entity,
        now,
        gather,
    )
    .map_err(|problems| segment_service::Error::Invalid(problems).into())
}

pub fn run_trend(
    state: &AppState,
    request: TrendRequest,
    library: &Library,
) -> Result<Trend, AppError> {
    let loaded = state.loaded()?;
    let entity = request.entity.as_deref();
    let now = request.now.as_deref();
    let last = checked(&loaded, &request.segment, entity, now, library)?;
    let from = last.now - Duration::days(i64::from(request.days));
    let instants = segment_service::trend::instants(from, last.now, request.step)?;
    let segment: Segment = last.segment.clone();
    Ok(segment_service::trend::trend_in(
        &loaded.service,
        &segment,
        entity,
        &last.references,
        &instants,
        &CancelToken::new(),
    )?)
}

pub fn run_explain_record(
    state: &AppState,
    request: ExplainRecordRequest,
    library: &Library,
) -> Result<RecordExplanation, AppError> {
    let loaded = state.loaded()?;
    let checked = checked(
        &loaded,
        &request.segment,
        request.entity.as_deref(),
        request.now.as_deref(),
        library,
    )?;
    let key = segment_service::explain_record::parse_key(
        &request.key,
        loaded.service.schema(),
        &checked,
    )?;
    Ok(segment_service::explain_record::explain_record(
        &loaded.service,
        &checked,
        &key,
        &CancelToken::new(),
    )?)
}

pub fn run_near_misses(
    state: &AppState,
    request: NearMissRequest,
    library: &Library,
) -> Result<NearMisses, AppError> {
    let loaded = state.loaded()?;
    let checked = checked(
        &loaded,
        &request.segment,
        request.entity.as_deref(),
        request.now.as_deref(),
        library,
    )?;
    Ok(segment_service::near_miss::near_misses(
        &loaded.service,
        &checked,
        &CancelToken::new(),
    )?)
}

/// The segment's count as of each day or week up to "now", with records entered and left.
#[tauri::command]
pub async fn insight_trend<R: Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    request: TrendRequest,
) -> Result<Trend, AppError> {
    let state = state.inner().clone();
    let library = Library::of(&app);
    blocking(move || run_trend(&state, request, &library)).await
}

/// Every node of the segment met or not by one record, with the values that decided it.
#[tauri::command]
pub async fn insight_explain_record<R: Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    request: ExplainRecordRequest,
) -> Result<RecordExplanation, AppError> {
    let state = state.inner().clone();
    let library = Library::of(&app);
    blocking(move || run_explain_record(&state, request, &library)).await
}

/// Each node's "without" delta and its thresholds' count curves.
#[tauri::command]
pub async fn insight_near_misses<R: Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    request: NearMissRequest,
) -> Result<NearMisses, AppError> {
    let state = state.inner().clone();
    let library = Library::of(&app);
    blocking(move || run_near_misses(&state, request, &library)).await
}
