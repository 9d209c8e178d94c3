//! Reading a definition in any format: by name, or detected from its content. JSON input is one
//! of the JSON formats (canonical, Census, pql/json, ODP), anything else one of the text ones
//! (PQL text, OData); the first that reads it wins, and when none does, the error of the parser
//! that got furthest is the likeliest to help.

use segment_formats::{Format, Position};
use segment_model::{Schema, Segment};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::registry::{entry_of, input_names, REGISTRY};

/// A definition that was read, and the format it was read as.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportedDefinition {
    pub segment: Segment,
    /// The format's registry name (`pql-text`, `odata`…).
    pub format: String,
    pub label: String,
}

/// Why a definition does not read: at a line/column (text) or JSON Pointer (JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{message}")]
#[ts(export)]
pub struct DefinitionError {
    pub message: String,
    /// The format whose error this is (its registry name), when known.
    pub format: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    /// JSON Pointer into the input (JSON formats) or the tree.
    pub path: Option<String>,
    pub hint: Option<String>,
}

impl DefinitionError {
    pub fn new(message: impl Into<String>) -> Self {
        DefinitionError {
            message: message.into(),
            format: None,
            line: None,
            column: None,
            path: None,
            hint: None,
        }
    }

    /// A parser's error, with its place and hint taken apart.
    pub fn of(format: Option<Format>, e: &segment_formats::Error) -> Self {
        let mut out = DefinitionError::new(e.to_string());
        out.format = format.map(|f| entry_of(f).name.to_string());
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

    /// How far into the input the parser got before failing.
    fn progress(&self) -> (u32, u32) {
        match (self.line, self.column, &self.path) {
            (Some(l), Some(c), _) => (l, c),
            (_, _, Some(p)) => (0, p.matches('/').count() as u32),
            _ => (0, 0),
        }
    }

    /// Where, for one line of text: `line L, column C`, a JSON Pointer, or nothing.
    pub fn place(&self) -> Option<String> {
        match (self.line, self.column, &self.path) {
            (Some(l), Some(c), _) => Some(format!("line {l}, column {c}")),
            (_, _, Some(p)) => Some(p.clone()),
            _ => None,
        }
    }
}

/// The formats detection tries, in order.
fn readers() -> impl Iterator<Item = Format> {
    REGISTRY
        .iter()
        .filter(|e| e.parses)
        .filter_map(|e| match e.target {
            crate::registry::Target::Tree(f) => Some(f),
            crate::registry::Target::Sql(_) => None,
        })
}

/// Reads `text` as `format` (a registry name; empty or `auto` to detect it). A definition
/// without a base entity gets `entity`.
pub fn import(
    text: &str,
    format: Option<&str>,
    schema: &Schema,
    entity: Option<&str>,
) -> Result<ImportedDefinition, DefinitionError> {
    let format = match format
        .map(str::trim)
        .filter(|f| !f.is_empty() && *f != "auto")
    {
        Some(name) => Some(crate::registry::input_format(name).map_err(|_| {
            let mut e =
                DefinitionError::new(format!("{name} is not a format that can be imported"));
            e.hint = Some(format!("one of {}", input_names()));
            e
        })?),
        None => None,
    };
    let (format, mut segment) = read(text, format, schema, entity)?;
    if segment.entity.is_none() {
        segment.entity = entity.map(str::to_string);
    }
    let entry = entry_of(format);
    Ok(ImportedDefinition {
        segment,
        format: entry.name.to_string(),
        label: entry.label().to_string(),
    })
}

/// Reads `text` as `format`, or as the first format that reads it.
pub fn read(
    text: &str,
    format: Option<Format>,
    schema: &Schema,
    entity: Option<&str>,
) -> Result<(Format, Segment), DefinitionError> {
    if text.trim().is_empty() {
        return Err(DefinitionError::new("paste or open a segment definition"));
    }
    if let Some(format) = format {
        return segment_formats::parse_as(format, text, schema, entity)
            .map(|s| (format, s))
            .map_err(|e| DefinitionError::of(Some(format), &e));
    }
    detect(text, schema, entity)
}

/// A definition read without data: the format, the tree (its base entity set) and the schema
/// inferred from the document (`segment_formats::infer`), which the renderers then use. Only
/// SQL and counting need data; every tree format reads and writes without it.
#[derive(Debug, Clone)]
pub struct ReadWithoutData {
    pub format: Format,
    pub segment: Segment,
    pub schema: Schema,
}

/// Reads `text` as `format` (or the first format that reads it) with no data: attributes as
/// written, typed by the document's own values and operators; the base entity `entity`, or the
/// format's (PQL's `person`, ODP's `customer`, OData's `record`, the document's own for
/// canonical and Census).
pub fn read_without_data(
    text: &str,
    format: Option<Format>,
    entity: Option<&str>,
) -> Result<ReadWithoutData, DefinitionError> {
    if text.trim().is_empty() {
        return Err(DefinitionError::new("paste or open a segment definition"));
    }
    let formats: Vec<Format> = match format {
        Some(f) => vec![f],
        None => {
            let json = is_json(text);
            readers()
                .filter(|f| matches!(f, Format::PqlText | Format::Odata) != json)
                .collect()
        }
    };
    let mut best: Option<DefinitionError> = None;
    for f in &formats {
        match segment_formats::parse_without_data(*f, text, entity) {
            Ok((segment, schema)) => {
                return Ok(ReadWithoutData {
                    format: *f,
                    segment,
                    schema,
                })
            }
            Err(e) => {
                let e = DefinitionError::of(Some(*f), &e);
                if best.as_ref().is_none_or(|b| e.progress() > b.progress()) {
                    best = Some(e);
                }
            }
        }
    }
    let mut e = best.unwrap_or_else(|| DefinitionError::new("no format reads it"));
    if format.is_none() {
        e.message = format!(
            "{} (read as {}: no format reads it)",
            e.message,
            e.format.as_deref().unwrap_or("?")
        );
    }
    Err(e)
}

/// "Import definition" with no data source: as [`import`], the schema inferred.
pub fn import_without_data(
    text: &str,
    format: Option<&str>,
    entity: Option<&str>,
) -> Result<ImportedDefinition, DefinitionError> {
    let format = input_format_named(format)?;
    let read = read_without_data(text, format, entity)?;
    let entry = entry_of(read.format);
    Ok(ImportedDefinition {
        segment: read.segment,
        format: entry.name.to_string(),
        label: entry.label().to_string(),
    })
}

fn is_json(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with(['{', '['])
}

/// The format a registry name (empty or `auto`: detect it) reads.
fn input_format_named(format: Option<&str>) -> Result<Option<Format>, DefinitionError> {
    match format
        .map(str::trim)
        .filter(|f| !f.is_empty() && *f != "auto")
    {
        Some(name) => crate::registry::input_format(name).map(Some).map_err(|_| {
            let mut e =
                DefinitionError::new(format!("{name} is not a format that can be imported"));
            e.hint = Some(format!("one of {}", input_names()));
            e
        }),
        None => Ok(None),
    }
}

/// The first format that reads `text`; else the error of the one that got furthest.
pub fn detect(
    text: &str,
    schema: &Schema,
    entity: Option<&str>,
) -> Result<(Format, Segment), DefinitionError> {
    let json = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with(['{', '[']);
    let mut best: Option<DefinitionError> = None;
    for format in readers().filter(|f| matches!(f, Format::PqlText | Format::Odata) != json) {
        match segment_formats::parse_as(format, text, schema, entity) {
            Ok(segment) => return Ok((format, segment)),
            Err(e) => {
                let e = DefinitionError::of(Some(format), &e);
                if best.as_ref().is_none_or(|b| e.progress() > b.progress()) {
                    best = Some(e);
                }
            }
        }
    }
    let mut e = best.unwrap_or_else(|| DefinitionError::new("no format reads it"));
    e.message = format!(
        "{} (read as {}: no format reads it)",
        e.message,
        e.format.as_deref().unwrap_or("?")
    );
    Err(e)
}

/// Microsoft Graph compares text ignoring case where standard OData does not: an OData
/// definition imported "as Graph reads it" has every text comparison case-insensitive
/// (`segment_formats::odata::as_graph_reads_it`, the CLI's `convert --odata-ignore-case`).
/// Definitions in other formats are unchanged.
pub fn read_as_graph(imported: &mut ImportedDefinition) {
    if imported.format == entry_of(Format::Odata).name {
        segment_formats::odata::as_graph_reads_it(&mut imported.segment);
    }
}
