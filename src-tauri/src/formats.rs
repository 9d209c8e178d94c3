//! The segment in every format (the *Formats* pane) and "Import definition": thin adapters over
//! `segment-formats` and `segment-sql`, mirroring the CLI's 13 format names
//! (`crates/segment-cli/src/formats.rs`).

use segment_formats::{Format, Position};
use segment_model::{validate, Schema, Segment};
use segment_sql::{Ansi, BigQuery, Dialect, DuckDb, Postgres, Snowflake, Sqlite};
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

use crate::commands::resolve_now;
use crate::ipc::{ErrorKind, IpcError};
use crate::state::AppState;

/// One format of the segment: its text, or why it cannot be written.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RenderedFormat {
    /// The CLI's name (`pql-text`, `sql-postgres`, …).
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

/// A definition read by "Import definition".
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportedDefinition {
    pub segment: Segment,
    /// The format it was read as (the CLI's name).
    pub format: String,
    pub label: String,
}

/// Why a definition does not import: at a line/column (text) or JSON Pointer (JSON).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DefinitionError {
    pub message: String,
    /// The format whose error this is (the CLI's name), when known.
    pub format: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    /// JSON Pointer into the input (JSON formats) or the tree.
    pub path: Option<String>,
    pub hint: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Tree(Format),
    Sql(&'static str, &'static str),
}

/// Every format, in the CLI's order.
const TARGETS: [Target; 13] = [
    Target::Tree(Format::Canonical),
    Target::Tree(Format::Census),
    Target::Tree(Format::PqlText),
    Target::Tree(Format::PqlJson),
    Target::Tree(Format::Odata),
    Target::Tree(Format::Odp),
    Target::Sql("sql-sqlite", "SQL (SQLite)"),
    Target::Sql("sql-postgres", "SQL (PostgreSQL)"),
    Target::Sql("sql-duckdb", "SQL (DuckDB)"),
    Target::Sql("sql-bigquery", "SQL (BigQuery)"),
    Target::Sql("sql-snowflake", "SQL (Snowflake)"),
    Target::Sql("sql-ansi", "SQL (ANSI)"),
    Target::Tree(Format::English),
];

/// Auto-detection tries these in order.
const PARSERS: [Format; 6] = [
    Format::Canonical,
    Format::Census,
    Format::PqlJson,
    Format::Odp,
    Format::PqlText,
    Format::Odata,
];

fn name(format: Format) -> String {
    format.name().replace('_', "-")
}

fn dialect(name: &str) -> &'static dyn Dialect {
    match name {
        "sql-sqlite" => &Sqlite,
        "sql-postgres" => &Postgres,
        "sql-duckdb" => &DuckDb,
        "sql-bigquery" => &BigQuery,
        "sql-snowflake" => &Snowflake,
        _ => &Ansi,
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, IpcError> + Send + 'static,
) -> Result<T, IpcError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| IpcError::new(ErrorKind::Internal, format!("the task failed: {e}")))?
}

/// The segment in all 13 formats; a format that cannot express it carries the renderer's error.
pub fn render_all(
    segment: &Segment,
    schema: &Schema,
    entity: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<RenderedFormat> {
    // SQL needs a valid segment; check it once.
    let query = validate::check(segment, schema, entity, now);
    TARGETS
        .iter()
        .map(|target| match *target {
            Target::Tree(format) => {
                let result = segment_formats::render_as(format, segment, schema, entity);
                let (text, error) = match result {
                    Ok(text) => (Some(text), None),
                    Err(e) => (
                        None,
                        Some(RenderError {
                            message: e.to_string(),
                            path: e.path().map(str::to_string),
                        }),
                    ),
                };
                RenderedFormat {
                    format: name(format),
                    label: format.label().to_string(),
                    parses: format.parses(),
                    text,
                    error,
                }
            }
            Target::Sql(name, label) => {
                let (text, error) = match &query {
                    Ok(query) => match segment_sql::display(query, dialect(name)) {
                        Ok(text) => (Some(text), None),
                        Err(e) => {
                            let path = segment_sql::locate_unsupported(
                                segment,
                                schema,
                                entity,
                                now,
                                dialect(name),
                            );
                            (
                                None,
                                Some(RenderError {
                                    message: format!("{label} cannot write this segment: {e}"),
                                    path,
                                }),
                            )
                        }
                    },
                    Err(problems) => {
                        let first = problems.first();
                        let message = match first {
                            Some(p) => format!("SQL needs a valid segment: {}", p.message),
                            None => "SQL needs a valid segment".to_string(),
                        };
                        (
                            None,
                            Some(RenderError {
                                message,
                                path: first.map(|p| p.path.clone()).filter(|p| !p.is_empty()),
                            }),
                        )
                    }
                };
                RenderedFormat {
                    format: name.to_string(),
                    label: label.to_string(),
                    parses: false,
                    text,
                    error,
                }
            }
        })
        .collect()
}

fn definition_error(format: Option<Format>, e: &segment_formats::Error) -> DefinitionError {
    let mut out = DefinitionError {
        message: e.to_string(),
        format: format.map(name),
        line: None,
        column: None,
        path: None,
        hint: None,
    };
    match e {
        segment_formats::Error::Syntax { message, hint, .. } => {
            out.message = message.clone();
            out.hint = Some(hint.clone()).filter(|h| !h.is_empty());
        }
        segment_formats::Error::Unrepresentable {
            construct, hint, ..
        } => {
            out.message = format!("{construct} cannot be imported");
            out.hint = Some(hint.clone()).filter(|h| !h.is_empty());
        }
        segment_formats::Error::Model(segment_model::Error::Json {
            line,
            column,
            message,
        }) => {
            out.message = format!("not valid JSON: {message}");
            out.line = u32::try_from(*line).ok();
            out.column = u32::try_from(*column).ok();
        }
        segment_formats::Error::Model(model) => {
            if let Some(p) = model.problems().first() {
                out.message = p.message.clone();
                out.path = Some(p.path.clone()).filter(|p| !p.is_empty());
            }
        }
        _ => {}
    }
    match e.position() {
        Some(Position::Text { line, column }) => {
            out.line = u32::try_from(*line).ok();
            out.column = u32::try_from(*column).ok();
        }
        Some(Position::Json { pointer }) => out.path = Some(pointer.clone()),
        None => {}
    }
    if out.path.is_none() {
        out.path = e.path().map(str::to_string);
    }
    out
}

/// How far into the input a parser got before failing: the parser that read the most is the
/// likeliest format of an input none reads.
fn progress(e: &DefinitionError) -> (u32, u32) {
    match (e.line, e.column, &e.path) {
        (Some(l), Some(c), _) => (l, c),
        (_, _, Some(p)) => (0, p.matches('/').count() as u32),
        _ => (0, 0),
    }
}

/// Reads `text` as `format` (a CLI name), or, without one, as the first format that reads it.
pub fn import(
    text: &str,
    format: Option<&str>,
    schema: &Schema,
    entity: Option<&str>,
) -> Result<ImportedDefinition, DefinitionError> {
    let done = |format: Format, mut segment: Segment| {
        if segment.entity.is_none() {
            segment.entity = entity.map(str::to_string);
        }
        ImportedDefinition {
            segment,
            format: name(format),
            label: format.label().to_string(),
        }
    };
    if text.trim().is_empty() {
        return Err(DefinitionError {
            message: "paste or open a segment definition".into(),
            format: None,
            line: None,
            column: None,
            path: None,
            hint: None,
        });
    }
    if let Some(wanted) = format
        .map(str::trim)
        .filter(|f| !f.is_empty() && *f != "auto")
    {
        let format = Format::from_name(wanted)
            .filter(|f| f.parses())
            .ok_or_else(|| DefinitionError {
                message: format!("{wanted} is not a format that can be imported"),
                format: None,
                line: None,
                column: None,
                path: None,
                hint: Some(format!(
                    "one of {}",
                    PARSERS
                        .iter()
                        .map(|f| name(*f))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            })?;
        return segment_formats::parse_as(format, text, schema, entity)
            .map(|s| done(format, s))
            .map_err(|e| definition_error(Some(format), &e));
    }
    // JSON input is one of the JSON formats, anything else one of the text ones.
    let json = text.trim_start().starts_with(['{', '[']);
    let mut best: Option<DefinitionError> = None;
    for format in PARSERS
        .into_iter()
        .filter(|f| matches!(f, Format::PqlText | Format::Odata) != json)
    {
        match segment_formats::parse_as(format, text, schema, entity) {
            Ok(segment) => return Ok(done(format, segment)),
            Err(e) => {
                let e = definition_error(Some(format), &e);
                if best.as_ref().map_or(true, |b| progress(&e) > progress(b)) {
                    best = Some(e);
                }
            }
        }
    }
    let mut e = best.expect("at least one parser was tried");
    e.message = format!(
        "{} (read as {}: no format reads it)",
        e.message,
        e.format.as_deref().unwrap_or("?")
    );
    Err(e)
}

/// The segment (canonical JSON) in all 13 formats, against the open data's schema.
#[tauri::command]
pub async fn render_formats(
    state: State<'_, AppState>,
    segment: serde_json::Value,
    entity: Option<String>,
    now: Option<String>,
) -> Result<Vec<RenderedFormat>, IpcError> {
    let state = state.inner().clone();
    blocking(move || {
        let loaded = state.loaded()?;
        let segment: Segment = serde_json::from_value(segment).map_err(|e| IpcError {
            kind: ErrorKind::InvalidRequest,
            message: format!("not a segment: {e}"),
            path: None,
        })?;
        let now = resolve_now(now.as_deref(), loaded.default_now)?;
        Ok(render_all(
            &segment,
            &loaded.info.schema,
            entity.as_deref().or(segment.entity.as_deref()),
            now,
        ))
    })
    .await
}

/// "Import definition": the tree of a pasted or opened definition, or where it does not parse.
#[tauri::command]
pub async fn import_definition(
    state: State<'_, AppState>,
    text: String,
    format: Option<String>,
    entity: Option<String>,
) -> Result<ImportedDefinition, DefinitionError> {
    let state = state.inner().clone();
    let failed = |message: String| DefinitionError {
        message,
        format: None,
        line: None,
        column: None,
        path: None,
        hint: None,
    };
    tauri::async_runtime::spawn_blocking(move || {
        let loaded = state.loaded().map_err(|e| failed(e.message))?;
        import(
            &text,
            format.as_deref(),
            &loaded.info.schema,
            entity.as_deref(),
        )
    })
    .await
    .map_err(|e| failed(format!("the task failed: {e}")))?
}
