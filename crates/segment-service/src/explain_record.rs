//! "Why is this record (not) in the segment?": for one key typed in, every node of the tree with
//! whether that record meets it on its own (as the per-node counts count it) and the values
//! that decided it: the record's own value of a condition's attribute, and for a relationship
//! condition how many of its related records passed the filter and window, their aggregate and
//! their first and last time. The root is met exactly when the record is counted.

use chrono::DateTime;
use segment_engine::explain::Key;
use segment_engine::record::{row_of, RecordJudge, RelatedFacts};
use segment_engine::Evaluator;
use segment_model::ir::{Expr, Related};
use segment_model::schema::DataType;
use segment_model::Schema;
use segment_source::CancelToken;
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use crate::checked::{CheckedSegment, NodeVariant};
use crate::error::{Error, Result};
use crate::service::{Method, Service};

/// One record against the whole tree.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RecordExplanation {
    /// The key as the data holds it.
    #[ts(type = "number | string")]
    pub key: Value,
    /// Whether a record has this key.
    pub found: bool,
    /// Whether the record is in the segment (the root is met).
    pub member: bool,
    /// The record's fields (null when not found).
    #[ts(type = "Record<string, unknown> | null")]
    pub record: Value,
    /// The root (`/root`) first, then every node depth first.
    pub nodes: Vec<NodeVerdict>,
    #[ts(type = "\"memory\" | \"sql\"")]
    pub method: Method,
    /// Why it was judged in SQL (without the related records' details), when it was.
    pub notice: Option<String>,
    /// Milliseconds spent judging (after the engine was loaded).
    pub elapsed_ms: f64,
}

/// One node for one record.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct NodeVerdict {
    /// JSON Pointer of the node, as per-node counts and problems use.
    pub path: String,
    /// Whether the record meets the node on its own (inside its enclosing relationships).
    pub met: bool,
    /// A condition on the record itself: the record's value of its attribute (absent for
    /// other nodes; null when the record has no value).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(type = "unknown", optional)]
    pub value: Option<Value>,
    /// A relationship condition (or a condition on its related records): what they were.
    pub related: Option<RelatedSummary>,
}

/// A record's related records for one relationship condition.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RelatedSummary {
    /// Related records that passed the filter and the time window.
    #[ts(type = "number")]
    pub records: u64,
    /// The constraint's aggregate over them, when it has one and they have values.
    pub aggregate: Option<f64>,
    /// Their earliest and latest time (ISO 8601, UTC).
    pub first_time: Option<String>,
    pub last_time: Option<String>,
}

impl From<RelatedFacts> for RelatedSummary {
    fn from(f: RelatedFacts) -> Self {
        let iso = |t: i64| {
            DateTime::from_timestamp(t, 0)
                .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        };
        RelatedSummary {
            records: f.records,
            aggregate: f.aggregate,
            first_time: f.first_time.and_then(iso),
            last_time: f.last_time.and_then(iso),
        }
    }
}

/// A key as typed, read as the entity's key column holds it (a number or text).
pub fn parse_key(text: &str, schema: &Schema, checked: &CheckedSegment) -> Result<Value> {
    let entity = &checked.query.entity;
    let text = text.trim();
    let column = schema
        .entity(&entity.name)
        .and_then(|e| e.column(&entity.key));
    let bad = |what: &str| Error::Request {
        message: format!("“{text}” is not {what} ({} is a {what})", entity.key),
        path: Some("/key".into()),
    };
    if text.is_empty() {
        return Err(Error::Request {
            message: format!("enter a {} to explain", entity.key),
            path: Some("/key".into()),
        });
    }
    match column.map(|c| c.data_type) {
        Some(DataType::Number) => match text.parse::<i64>() {
            Ok(i) => Ok(Value::from(i)),
            Err(_) => text
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .ok_or_else(|| bad("a number")),
        },
        _ => Ok(Value::String(text.to_string())),
    }
}

/// Explains the record with `key` against `checked`: in memory when the engine can, else in SQL.
pub fn explain_record(
    service: &Service,
    checked: &CheckedSegment,
    key: &Value,
    token: &CancelToken,
) -> Result<RecordExplanation> {
    let entity = &checked.query.entity;
    let record = service
        .backend()
        .records(&entity.name, &entity.key, std::slice::from_ref(key))?
        .into_iter()
        .next()
        .unwrap_or(Value::Null);
    let variants = checked.variants(service.schema());
    let judged = match in_memory(service, checked, &variants, key, &record, token) {
        Err(Error::EngineUnavailable(why)) => {
            in_sql(service, checked, &variants, key, &record, token).map(|mut e| {
                e.notice = Some(why);
                e
            })
        }
        other => other,
    }?;
    Ok(judged)
}

fn in_memory(
    service: &Service,
    checked: &CheckedSegment,
    variants: &[NodeVariant],
    key: &Value,
    record: &Value,
    token: &CancelToken,
) -> Result<RecordExplanation> {
    let data = service.dataset()?;
    let started = std::time::Instant::now();
    let entity = &checked.query.entity;
    let engine_key = match key {
        Value::Number(n) => match n.as_i64() {
            Some(i) => Key::Int(i),
            None => Key::Real(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Key::Text(s.clone()),
        _ => return Err(Error::request("a key is a number or text")),
    };
    let evaluator = Evaluator::with_cancel(&data, token.flag());
    let Some(row) = row_of(&data, &entity.name, &entity.key, &engine_key)? else {
        return Ok(not_found(key, Method::Memory));
    };
    // The record is judged on its own row and related rows: no node is evaluated over every
    // record (the evaluator only serves the constraints the judge reads from bitmaps).
    let judge = RecordJudge::new(&evaluator, &data, &entity.name, row)?;
    let member = judge.meets(&checked.query.filter)?;
    let mut nodes = vec![NodeVerdict {
        path: "/root".into(),
        met: member,
        value: None,
        related: None,
    }];
    let document = serde_json::to_value(&checked.segment).unwrap_or(Value::Null);
    for variant in variants {
        let met = if variant.alone.entity.name == entity.name {
            judge.meets(&variant.alone.filter)?
        } else {
            evaluator.matching(&variant.alone)?.contains(row)
        };
        let related = match described_relationship(&variant.path, &variant.alone.filter) {
            Some(related) => Some(judge.facts(related)?.into()),
            None => None,
        };
        nodes.push(NodeVerdict {
            value: own_value(&document, &variant.path, record),
            path: variant.path.clone(),
            met,
            related,
        });
    }
    Ok(RecordExplanation {
        key: key.clone(),
        found: true,
        member,
        record: record.clone(),
        nodes,
        method: Method::Memory,
        notice: None,
        elapsed_ms: millis(started),
    })
}

fn millis(since: std::time::Instant) -> f64 {
    (since.elapsed().as_secs_f64() * 100_000.0).round() / 100.0
}

fn in_sql(
    service: &Service,
    checked: &CheckedSegment,
    variants: &[NodeVariant],
    key: &Value,
    record: &Value,
    token: &CancelToken,
) -> Result<RecordExplanation> {
    let started = std::time::Instant::now();
    if record.is_null() {
        return Ok(not_found(key, Method::Sql));
    }
    let backend = service.backend();
    let keys = std::slice::from_ref(key);
    let meets = |query| -> Result<bool> {
        Ok(backend
            .keys_matching(query, keys, token)?
            .first()
            .copied()
            .unwrap_or(false))
    };
    let member = meets(&checked.query)?;
    let mut nodes = vec![NodeVerdict {
        path: "/root".into(),
        met: member,
        value: None,
        related: None,
    }];
    let document = serde_json::to_value(&checked.segment).unwrap_or(Value::Null);
    for variant in variants {
        nodes.push(NodeVerdict {
            path: variant.path.clone(),
            met: meets(&variant.alone)?,
            value: own_value(&document, &variant.path, record),
            related: None,
        });
    }
    Ok(RecordExplanation {
        key: key.clone(),
        found: true,
        member,
        record: record.clone(),
        nodes,
        method: Method::Sql,
        notice: None,
        elapsed_ms: millis(started),
    })
}

fn not_found(key: &Value, method: Method) -> RecordExplanation {
    RecordExplanation {
        key: key.clone(),
        found: false,
        member: false,
        record: Value::Null,
        nodes: Vec::new(),
        method,
        notice: None,
        elapsed_ms: 0.0,
    }
}

/// A condition directly on the record: the record's value of its attribute.
fn own_value(document: &Value, path: &str, record: &Value) -> Option<Value> {
    if path.contains("/filter/") {
        return None;
    }
    let node = document.pointer(path)?;
    if node.get("type").and_then(Value::as_str) != Some("condition") {
        return None;
    }
    let attribute = node.get("attribute")?.as_str()?;
    Some(record.get(attribute).cloned().unwrap_or(Value::Null))
}

/// The relationship condition whose related records explain the node at `path`: the node
/// itself when it is a relationship condition on the record, or the relationship enclosing a
/// condition on its related records (then counted with that condition as its only filter).
/// Deeper nodes (related records of related records) have no single set of records to show.
fn described_relationship<'q>(path: &str, alone: &'q Expr) -> Option<&'q Related> {
    match path.matches("/filter/").count() {
        0 | 1 => first_related(alone),
        _ => None,
    }
}

fn first_related(expr: &Expr) -> Option<&Related> {
    match expr {
        Expr::Related(related) => Some(related),
        Expr::And(items) | Expr::Or(items) if items.len() == 1 => first_related(&items[0]),
        Expr::Not(inner) => first_related(inner),
        _ => None,
    }
}
