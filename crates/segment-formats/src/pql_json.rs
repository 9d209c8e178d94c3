//! Adobe PQL in `pql/json` (seed 001): the same expressions as [`crate::pql_text`], as JSON nodes
//! (`nodeType` fnApply / fieldLookup / parameterReference / literal). `workAddress.country = "US"`
//! is exactly the seed's
//! `{"nodeType":"fnApply","fnName":"=","params":[{"nodeType":"fieldLookup","fieldName":"country","object":{"nodeType":"fieldLookup","fieldName":"workAddress","object":{"nodeType":"parameterReference","position":1}}},{"nodeType":"literal","literalType":"String","value":"US"}]}`.
//!
//! The node encoding of constructs the seed does not show (variables, `occurs`, lists) is
//! documented in this crate's `pql::json` module: a function call `x.f(a)` is `fnApply` `f` with
//! params `[x, a]`; the variable of `exists`/`select` is a `variableReference` node.
//!
//! Rendering writes the compact JSON of the node (as the seed's `expression.value`). Parsing
//! reads a node, or a segment definition object whose `expression` holds `pql/json` (a JSON
//! string or object) or `pql/text`. Errors in an embedded `expression.value` string are located
//! by a JSON Pointer into that embedded document, prefixed `/expression/value`.
//!
//! What cannot be expressed is as for PQL text.

use segment_model::{Schema, Segment};
use serde_json::Value;

use crate::error::{Error, Position, Result};
use crate::pql::{self, At};
use crate::Format;

/// Renders `segment` as a pql/json node (compact JSON text).
pub fn render(segment: &Segment, schema: &Schema, entity: Option<&str>) -> Result<String> {
    Ok(to_value(segment, schema, entity)?.to_string())
}

/// The pql/json node of `segment`.
pub fn to_value(segment: &Segment, schema: &Schema, entity: Option<&str>) -> Result<Value> {
    let p = pql::lower(Format::PqlJson, segment, schema, entity)?;
    Ok(pql::json::encode(&p))
}

/// Parses pql/json (a node, or a definition with an `expression`) into a (normalized) tree.
pub fn parse(text: &str, schema: &Schema, entity: Option<&str>) -> Result<Segment> {
    let text = crate::strip_bom(text);
    let value: Value = serde_json::from_str(text).map_err(|e| json_error(&e, ""))?;
    from_value(&value, schema, entity)
}

/// Where the PQL of a document is: a segment definition's `expression`, or the document itself
/// when it is an expression (`{"type": "PQL", "format": "pql/json", "value": …}`); `None` for a
/// bare node.
fn expression(value: &Value) -> Option<(&Value, &'static str)> {
    if value.get("nodeType").is_some() {
        return None;
    }
    match value.get("expression") {
        Some(expression) => Some((expression, "/expression")),
        None if value.get("value").is_some()
            && (value.get("format").is_some() || value.get("type").is_some()) =>
        {
            Some((value, ""))
        }
        None => None,
    }
}

pub fn from_value(value: &Value, schema: &Schema, entity: Option<&str>) -> Result<Segment> {
    let (node, base) = match expression(value) {
        Some((expression, at)) => {
            let format = expression
                .get("format")
                .and_then(Value::as_str)
                .unwrap_or("pql/json");
            let inner = expression.get("value").unwrap_or(&Value::Null);
            let value_at = format!("{at}/value");
            match (format, inner) {
                ("pql/text", Value::String(text)) => {
                    return crate::pql_text::parse(text, schema, entity)
                }
                ("pql/json", Value::String(text)) => {
                    let parsed: Value =
                        serde_json::from_str(text).map_err(|e| json_error(&e, &value_at))?;
                    (parsed, value_at)
                }
                ("pql/json", node @ Value::Object(_)) => (node.clone(), value_at),
                (other, _) => return Err(Error::syntax(
                    Format::PqlJson,
                    Position::json(if at.is_empty() { "/format" } else { at }),
                    format!(
                        "expression format \"{other}\" with this value is not read",
                        other = crate::clip(other)
                    ),
                    "use format pql/json (value: the node, or its JSON as a string) or pql/text",
                )),
            }
        }
        None => (value.clone(), String::new()),
    };
    let p = pql::json::decode(&node, &base)?;
    let locate = |at: &At| match at {
        At::Pointer(p) => Position::json(p.clone()),
        At::Offset(_) | At::Rendered => Position::json(base.clone()),
    };
    pql::raise(Format::PqlJson, &p, schema, entity, &locate)
}

fn json_error(e: &serde_json::Error, inside: &str) -> Error {
    let message = e.to_string();
    let message = match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message,
    };
    let hint = if inside.is_empty() {
        String::new()
    } else {
        format!("in the JSON string at {inside}")
    };
    Error::syntax(
        Format::PqlJson,
        Position::Text {
            line: e.line(),
            column: e.column(),
        },
        message,
        hint,
    )
}
