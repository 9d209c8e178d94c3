//! The `#[tauri::command]` adapters: argument plumbing only. Blocking work (opening the data,
//! validating, counting) runs on tauri's blocking pool, never on the main thread.

use std::time::{Duration, Instant};

use segment_model::Problem;
use segment_service::registry::SqlDialect;
use segment_service::{CheckedSegment, Counted, NodeCounts, Prefer};
use segment_source::CancelToken;
use tauri::{Runtime, State};

use crate::ipc::{
    AppError, EngineProgress, ErrorKind, PreviewRequest, PreviewResponse, SourceInfo,
};
use crate::references::Library;
use crate::state::{AppState, Loaded};

/// Per-node counts in SQL are made only when the whole count took less than this.
const SQL_NODES_BUDGET: Duration = Duration::from_millis(150);

pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| AppError::new(ErrorKind::Internal, format!("the task failed: {e}")))?
}

/// The open data source: its path, schema and the operators of each type.
#[tauri::command]
pub async fn get_source(state: State<'_, AppState>) -> Result<SourceInfo, AppError> {
    let state = state.inner().clone();
    blocking(move || {
        let loaded = state.loaded()?;
        // Start loading the count engine in the background (previews count with SQL meanwhile).
        loaded.service.engine_status();
        Ok(loaded.info.clone())
    })
    .await
}

/// How far the count engine's load of the open data has come; `None` when it is not loading.
#[tauri::command]
pub async fn engine_progress(
    state: State<'_, AppState>,
) -> Result<Option<EngineProgress>, AppError> {
    let state = state.inner().clone();
    blocking(move || {
        let loaded = state.loaded()?;
        Ok(loaded.service.engine_progress().map(|p| EngineProgress {
            percent: (p.fraction() * 1000.0).round() / 10.0,
            seconds_left: p.seconds_left(),
            text: p.to_string(),
        }))
    })
    .await
}

/// Validates a segment, renders its SQL and counts its records. A newer request cancels this
/// one's count (it then fails with kind `cancelled`).
#[tauri::command]
pub async fn preview<R: Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    request: PreviewRequest,
) -> Result<PreviewResponse, AppError> {
    let state = state.inner().clone();
    let token = state.begin(request.request_id);
    let library = Library::of(&app);
    blocking(move || {
        let loaded = state.loaded()?;
        run_preview(&loaded, request, &token, &library)
    })
    .await
}

/// Stops the newest preview's count (the "Cancel" beside "Counting on …"): the count returns
/// `cancelled`, and a warehouse is sent a cancel request for its running statement.
#[tauri::command]
pub fn cancel_preview(state: State<'_, AppState>) {
    state.cancel_newest();
}

pub(crate) fn run_preview(
    loaded: &Loaded,
    request: PreviewRequest,
    token: &CancelToken,
    library: &Library,
) -> Result<PreviewResponse, AppError> {
    let started = Instant::now();
    let now = segment_service::resolve_now(request.now.as_deref(), loaded.default_now())?;
    let respond = |problems: Vec<Problem>,
                   counted: Option<Counted>,
                   sql: Option<(SqlDialect, String)>| PreviewResponse {
        request_id: request.request_id,
        problems,
        count: counted.as_ref().map(|c| c.count),
        total: counted.as_ref().map(|c| c.total),
        engine: counted.as_ref().map(|c| c.method.into()),
        notice: counted.as_ref().and_then(|c| c.notice.clone()),
        nodes: counted.and_then(|c| c.nodes.map(|n| n.into_iter().map(Into::into).collect())),
        sql_dialect: sql
            .as_ref()
            .map(|(dialect, _)| dialect.database().to_string()),
        sql: sql.map(|(_, text)| text),
        now: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    };
    let entity = request.entity.as_deref();
    let schema = loaded.service.schema();
    let gather = |s: &segment_model::Segment| library.gather(s);
    let checked =
        match CheckedSegment::from_json_in(request.segment.clone(), schema, entity, now, gather) {
            Ok(checked) => checked,
            Err(problems) => return Ok(respond(problems, None, None)),
        };
    // Counted first: a failing raw SQL condition is then reported at its node.
    let counted = loaded.service.count(
        &checked,
        Prefer::EngineIfReady,
        NodeCounts::WithinBudget(SQL_NODES_BUDGET),
        token,
    )?;
    // In the open source's dialect: PostgreSQL's SQL when connected to PostgreSQL.
    let sql = loaded.service.readable_sql(&checked.query, None)?;
    Ok(respond(Vec::new(), Some(counted), Some(sql)))
}
