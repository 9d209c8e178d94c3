//! The `#[tauri::command]` adapters: argument plumbing only. Blocking work (opening the data,
//! validating, counting) runs on tauri's blocking pool, never on the main thread.

use std::time::Instant;

use chrono::{DateTime, Utc};
use segment_model::{validate, Problem, Segment};
use segment_source::CancelToken;
use tauri::State;

use crate::counting::Counted;
use crate::ipc::{ErrorKind, IpcError, PreviewRequest, PreviewResponse, SourceInfo};
use crate::state::{rfc3339, AppState, Loaded};

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, IpcError> + Send + 'static,
) -> Result<T, IpcError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| IpcError::new(ErrorKind::Internal, format!("the task failed: {e}")))?
}

/// The open data source: its path, schema and the operators of each type.
#[tauri::command]
pub async fn get_source(state: State<'_, AppState>) -> Result<SourceInfo, IpcError> {
    let state = state.inner().clone();
    blocking(move || {
        let loaded = state.loaded()?;
        // Start loading the count engine in the background (previews count with SQL meanwhile).
        state
            .engine
            .status(std::path::Path::new(&loaded.info.path), &loaded.info.schema);
        Ok(loaded.info.clone())
    })
    .await
}

/// Validates a segment, renders its SQL and counts its records. A newer request cancels this
/// one's count (it then fails with kind `cancelled`).
#[tauri::command]
pub async fn preview(
    state: State<'_, AppState>,
    request: PreviewRequest,
) -> Result<PreviewResponse, IpcError> {
    let state = state.inner().clone();
    let token = state.begin(request.request_id);
    blocking(move || {
        let loaded = state.loaded()?;
        run_preview(&state, &loaded, request, &token)
    })
    .await
}

pub(crate) fn run_preview(
    state: &AppState,
    loaded: &Loaded,
    request: PreviewRequest,
    token: &CancelToken,
) -> Result<PreviewResponse, IpcError> {
    let started = Instant::now();
    let now = resolve_now(request.now.as_deref(), loaded.default_now)?;
    let respond =
        |problems: Vec<Problem>, counted: Option<Counted>, sql: Option<String>| PreviewResponse {
            request_id: request.request_id,
            problems,
            count: counted.as_ref().map(|c| c.count),
            total: counted.as_ref().map(|c| c.total),
            engine: counted.as_ref().map(|c| c.engine),
            notice: counted.as_ref().and_then(|c| c.notice.clone()),
            nodes: counted.and_then(|c| c.nodes),
            sql,
            now: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        };
    let segment: Segment = match serde_json::from_value(request.segment.clone()) {
        Ok(segment) => segment,
        Err(e) => {
            let problems = segment_model::Error::from_json(&e).problems();
            return Ok(respond(problems, None, None));
        }
    };
    let query = match validate::check(
        &segment,
        &loaded.info.schema,
        request.entity.as_deref(),
        now,
    ) {
        Ok(query) => query,
        Err(problems) => return Ok(respond(problems, None, None)),
    };
    let sql = crate::engine::display_sql(&query)?;
    let engine = state
        .engine
        .status(std::path::Path::new(&loaded.info.path), &loaded.info.schema);
    let counted = crate::counting::count(
        loaded,
        engine,
        &segment,
        &query,
        request.entity.as_deref(),
        now,
        token,
    )?;
    Ok(respond(Vec::new(), Some(counted), Some(sql)))
}

/// The "evaluate as of" instant: the request's, else the data's default, else the clock.
pub(crate) fn resolve_now(
    requested: Option<&str>,
    default_now: Option<i64>,
) -> Result<DateTime<Utc>, IpcError> {
    if let Some(text) = requested.map(str::trim).filter(|t| !t.is_empty()) {
        return segment_model::time::parse_moment(text).map(|m| m.start()).ok_or_else(|| IpcError {
            kind: ErrorKind::InvalidRequest,
            message: format!("“{text}” is not a date or a date and time (like 2026-05-01 or 2026-05-01T12:00:00Z)"),
            path: Some("/now".into()),
        });
    }
    Ok(default_now
        .and_then(|t| rfc3339(t).and_then(|s| DateTime::parse_from_rfc3339(&s).ok()))
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(Utc::now))
}
