//! The segment in every format (the *Formats* pane) and "Import definition": thin adapters over
//! `segment-service`'s registry (the same table, names and detection as the CLI's).

use segment_model::Segment;
use segment_service::registry::{self, RenderFailure};
pub use segment_service::{DefinitionError, ImportedDefinition};
use serde::{Deserialize, Serialize};
use tauri::{Runtime, State};
use ts_rs::TS;

use crate::commands::blocking;
use crate::ipc::{AppError, ErrorKind};
use crate::state::AppState;

/// One format of the segment: its text, or why it cannot be written.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RenderedFormat {
    /// The registry's name (`pql-text`, `sql-postgres`, …).
    pub format: String,
    /// A name for people.
    pub label: String,
    /// Whether "Import definition" reads this format.
    pub parses: bool,
    pub text: Option<String>,
    pub error: Option<RenderError>,
}

/// Why a format cannot be written (e.g. "PQL (pql/text) cannot express …").
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RenderError {
    pub message: String,
    /// JSON Pointer of the node concerned, when there is one.
    pub path: Option<String>,
}

fn render_error(label: &str, failure: RenderFailure) -> RenderError {
    let path = failure.path();
    let message = match failure {
        RenderFailure::Format(e) => e.to_string(),
        RenderFailure::Invalid(problems) => match problems.first() {
            Some(p) => format!("SQL needs a valid segment: {}", p.message),
            None => "SQL needs a valid segment".to_string(),
        },
        RenderFailure::Dialect { error, .. } => {
            format!("{label} cannot write this segment: {error}")
        }
    };
    RenderError { message, path }
}

/// The segment in every format of the registry, in its order.
pub fn render_all(
    segment: &Segment,
    schema: &segment_model::Schema,
    entity: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
    references: &segment_service::References,
) -> Vec<RenderedFormat> {
    rendered(registry::render_all_in(
        segment, schema, entity, now, references,
    ))
}

fn rendered(
    all: Vec<(&'static registry::Entry, Result<String, RenderFailure>)>,
) -> Vec<RenderedFormat> {
    all.into_iter()
        .map(|(entry, result)| {
            let (text, error) = match result {
                Ok(text) => (Some(text), None),
                Err(failure) => (None, Some(render_error(entry.label(), failure))),
            };
            RenderedFormat {
                format: entry.name.to_string(),
                label: entry.label().to_string(),
                parses: entry.parses,
                text,
                error,
            }
        })
        .collect()
}

/// The segment (canonical JSON) in every format, against the open data's schema.
#[tauri::command]
pub async fn render_formats<R: Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    segment: serde_json::Value,
    entity: Option<String>,
    now: Option<String>,
) -> Result<Vec<RenderedFormat>, AppError> {
    let state = state.inner().clone();
    let library = crate::references::Library::of(&app);
    blocking(move || {
        let segment: Segment = serde_json::from_value(segment)
            .map_err(|e| AppError::new(ErrorKind::InvalidRequest, format!("not a segment: {e}")))?;
        // No data source: the tree formats still render (typed by the segment itself).
        let Ok(loaded) = state.loaded() else {
            return Ok(rendered(registry::render_all_without_data(
                &segment,
                entity.as_deref(),
            )));
        };
        let now = segment_service::resolve_now(now.as_deref(), loaded.default_now())?;
        Ok(render_all(
            &segment,
            loaded.service.schema(),
            entity.as_deref().or(segment.entity.as_deref()),
            now,
            &library.gather(&segment),
        ))
    })
    .await
}

/// "Import definition": the tree of a pasted or opened definition, or where it does not parse.
/// Works with no data source too (see `segment_service::detect::import_without_data`).
/// `odata_ignore_case`: an OData filter is read as Microsoft Graph compares text, ignoring case
/// (`segment_service::detect::read_as_graph`, as the CLI's `--odata-ignore-case`).
#[tauri::command]
pub async fn import_definition(
    state: State<'_, AppState>,
    text: String,
    format: Option<String>,
    entity: Option<String>,
    without_data: Option<bool>,
    odata_ignore_case: Option<bool>,
) -> Result<ImportedDefinition, AppError> {
    let state = state.inner().clone();
    blocking(move || {
        // With a data source its schema checks and types the definition; without one (or when
        // asked to read it as written) the schema is inferred from the document.
        let loaded = match without_data {
            Some(true) => None,
            _ => state.loaded().ok(),
        };
        let mut imported = match loaded {
            Some(loaded) => segment_service::detect::import(
                &text,
                format.as_deref(),
                loaded.service.schema(),
                entity.as_deref(),
            )?,
            None => segment_service::detect::import_without_data(
                &text,
                format.as_deref(),
                entity.as_deref(),
            )?,
        };
        if odata_ignore_case == Some(true) {
            segment_service::detect::read_as_graph(&mut imported);
        }
        Ok(imported)
    })
    .await
}
