//! The canonical JSON form: `{"version": 1, "entity": …, "root": {…}}`, keys in a stable order
//! (the order of the Rust structs), one file per segment. Also detects which format a definition
//! file is in and reads either.

use serde_json::Value;

use crate::census;
use crate::error::{Error, Result};
use crate::schema::Schema;
use crate::tree::{Segment, CANONICAL_VERSION};

/// The definition formats a file may be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentFormat {
    Canonical,
    Census,
}

/// Parses the canonical form. Unknown fields, wrong types and unsupported versions are errors
/// that name the line and column.
pub fn parse(text: &str) -> Result<Segment> {
    let value: Value = serde_json::from_str(text).map_err(|e| Error::from_json(&e))?;
    check_version(&value)?;
    serde_json::from_str(text).map_err(|e| Error::from_json(&e))
}

fn check_version(value: &Value) -> Result<()> {
    match value.get("version") {
        Some(Value::Number(n)) if n.as_u64() == Some(u64::from(CANONICAL_VERSION)) => Ok(()),
        Some(other) => Err(Error::format(
            "/version",
            format!("unsupported version {other}; this build reads version {CANONICAL_VERSION}"),
        )),
        None => Err(Error::format("/version", "missing \"version\": 1")),
    }
}

/// The canonical text: pretty-printed, stable key order, trailing newline.
pub fn to_string_pretty(segment: &Segment) -> String {
    let mut text = serde_json::to_string_pretty(segment).unwrap_or_default();
    text.push('\n');
    text
}

/// Which format `text` is in: an object with `"version"` and `"root"` is canonical; a JSON array,
/// or an object with `"molecules"` (bare or under `"data"`, as the Census API returns it), is Census.
pub fn detect(text: &str) -> Result<DocumentFormat> {
    let value: Value = serde_json::from_str(text).map_err(|e| Error::from_json(&e))?;
    detect_value(&value)
}

pub fn detect_value(value: &Value) -> Result<DocumentFormat> {
    match value {
        Value::Array(_) => Ok(DocumentFormat::Census),
        Value::Object(map) if map.contains_key("root") || map.contains_key("version") => Ok(DocumentFormat::Canonical),
        Value::Object(map)
            if map.contains_key("molecules")
                || map.get("data").is_some_and(|d| d.get("molecules").is_some()) =>
        {
            Ok(DocumentFormat::Census)
        }
        _ => Err(Error::format(
            "",
            "not a segment definition: expected canonical JSON ({\"version\": 1, \"root\": …}) or Census molecules ([…] or {\"molecules\": […]})",
        )),
    }
}

/// Reads a definition in either format. Census needs the schema to resolve relationship ids and
/// operator spellings, and a base entity (explicit, or the schema's single root entity).
pub fn parse_any(
    text: &str,
    schema: &Schema,
    entity: Option<&str>,
) -> Result<(Segment, DocumentFormat)> {
    let value: Value = serde_json::from_str(text).map_err(|e| Error::from_json(&e))?;
    match detect_value(&value)? {
        DocumentFormat::Canonical => Ok((parse(text)?, DocumentFormat::Canonical)),
        DocumentFormat::Census => Ok((
            census::from_value(&value, schema, entity)?,
            DocumentFormat::Census,
        )),
    }
}
