//! Near misses: for each node, how many more records the segment would have without it (the
//! per-node "without" counts), and for a numeric threshold (a number compared, an occurrence
//! count, an aggregate) or a time window ("in the last N days") a small curve of the
//! segment's count as that value moves, so the marketer sees where a cut-off matters.

use std::time::Instant;

use segment_engine::Evaluator;
use segment_model::Segment;
use segment_source::CancelToken;
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use crate::checked::CheckedSegment;
use crate::error::Result;
use crate::service::{Method, NodeCounts, Prefer, Service};

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct NearMisses {
    /// The segment's count as it is.
    #[ts(type = "number")]
    pub count: u64,
    #[ts(type = "number")]
    pub total: u64,
    pub nodes: Vec<NearMiss>,
    #[ts(type = "\"memory\" | \"sql\"")]
    pub method: Method,
    pub notice: Option<String>,
    pub elapsed_ms: f64,
}

/// One node of the tree.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct NearMiss {
    /// JSON Pointer of the node.
    pub path: String,
    /// Records the node matches on its own.
    #[ts(type = "number")]
    pub alone: u64,
    /// Records the segment matches without the node.
    #[ts(type = "number")]
    pub without: u64,
    /// How many more records would match if the node were dropped (without − count; 0 when
    /// dropping it does not add any).
    #[ts(type = "number")]
    pub more_if_dropped: u64,
    /// Curves of the segment's count as one of the node's values moves.
    pub curves: Vec<Curve>,
}

/// What a curve moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CurveKind {
    /// The number a condition compares with.
    Value,
    /// The number of related records (at least, at most…).
    Occurrences,
    /// The number an aggregate of related records compares with.
    Aggregate,
    /// The length of a time window ("in the last N days").
    Window,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Curve {
    pub kind: CurveKind,
    /// JSON Pointer of the value moved.
    pub pointer: String,
    /// The value as the segment has it.
    pub current: f64,
    /// The window's unit (day, week…), for a window.
    pub unit: Option<String>,
    /// The segment's count at each value, in increasing value order (the current one included).
    pub points: Vec<CurvePoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CurvePoint {
    pub value: f64,
    #[ts(type = "number")]
    pub count: u64,
}

const NUMBER_OPERATORS: &[&str] = &[
    "less_than",
    "less_than_or_equal",
    "greater_than",
    "greater_than_or_equal",
    "equals",
    "not_equals",
];
const AGO_OPERATORS: &[&str] = &[
    "in_the_last",
    "more_than_ago",
    "less_than_ago",
    "in_the_next",
];
const COUNT_OPERATORS: &[&str] = &[
    "at_least",
    "at_most",
    "exactly",
    "more_than",
    "less_than",
    "not_equals",
];

/// The near misses of `checked`, counted in memory when the engine can, else in SQL.
pub fn near_misses(
    service: &Service,
    checked: &CheckedSegment,
    token: &CancelToken,
) -> Result<NearMisses> {
    let started = Instant::now();
    let counted = service.count(checked, Prefer::Engine, NodeCounts::Always, token)?;
    let document = serde_json::to_value(&checked.segment).unwrap_or(Value::Null);
    let data = match counted.method {
        Method::Memory => Some(service.dataset()?),
        Method::Sql => None,
    };
    let evaluator = data
        .as_deref()
        .map(|d| Evaluator::with_cancel(d, token.flag()));
    let count_at = |segment: Segment| -> Result<Option<u64>> {
        let (schema, refs) = (service.schema(), checked.references.clone());
        let moved = CheckedSegment::check_in(segment, schema, checked.entity(), checked.now, refs);
        let Ok(moved) = moved else {
            return Ok(None);
        };
        Ok(Some(match &evaluator {
            Some(e) => e.matching(&moved.query)?.count(),
            None => service.backend().count(&moved.query, token)?.count,
        }))
    };
    let mut nodes = Vec::new();
    for node in counted.nodes.unwrap_or_default() {
        let mut curves = Vec::new();
        for (kind, pointer, current, unit, values) in movable(&document, &node.path) {
            let mut points = Vec::new();
            for value in values {
                let Some(segment) = moved(&document, &pointer, value) else {
                    continue;
                };
                if let Some(count) = count_at(segment)? {
                    points.push(CurvePoint { value, count });
                }
            }
            if points.len() > 1 {
                curves.push(Curve {
                    kind,
                    pointer,
                    current,
                    unit,
                    points,
                });
            }
        }
        nodes.push(NearMiss {
            more_if_dropped: node.without.saturating_sub(counted.count),
            path: node.path,
            alone: node.count,
            without: node.without,
            curves,
        });
    }
    Ok(NearMisses {
        count: counted.count,
        total: counted.total,
        nodes,
        method: counted.method,
        notice: counted.notice,
        elapsed_ms: (started.elapsed().as_secs_f64() * 100_000.0).round() / 100.0,
    })
}

type Movable = (CurveKind, String, f64, Option<String>, Vec<f64>);

/// The values of the node at `path` a curve can move, each with the values to try.
fn movable(document: &Value, path: &str) -> Vec<Movable> {
    let Some(node) = document.pointer(path) else {
        return Vec::new();
    };
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
    let mut out = Vec::new();
    match node.get("type").and_then(Value::as_str) {
        Some("condition") => {
            let operator = text(node, "operator").unwrap_or_default();
            let value = &node["value"];
            if NUMBER_OPERATORS.contains(&operator.as_str()) {
                if let Some(v) = value.as_f64() {
                    let whole = value.is_i64() || value.is_u64();
                    out.push((
                        CurveKind::Value,
                        format!("{path}/value"),
                        v,
                        None,
                        around(v, whole),
                    ));
                }
            } else if AGO_OPERATORS.contains(&operator.as_str()) {
                if let Some(v) = value.as_f64() {
                    let unit = Some("day".to_string());
                    out.push((
                        CurveKind::Window,
                        format!("{path}/value"),
                        v,
                        unit,
                        lengths(v),
                    ));
                } else if let Some(v) = value.get("amount").and_then(Value::as_f64) {
                    let unit = text(value, "unit");
                    let pointer = format!("{path}/value/amount");
                    out.push((CurveKind::Window, pointer, v, unit, lengths(v)));
                }
            }
        }
        Some("relationship") => {
            let constraint = &node["constraint"];
            let operator = text(constraint, "operator").unwrap_or_default();
            if let Some(v) = constraint["value"].as_f64() {
                let pointer = format!("{path}/constraint/value");
                match text(constraint, "type").as_deref() {
                    Some("occurrences") if COUNT_OPERATORS.contains(&operator.as_str()) => {
                        let low = (v - 3.0).max(0.0);
                        let values = (0..8).map(|i| low + f64::from(i)).collect();
                        out.push((CurveKind::Occurrences, pointer, v, None, values));
                    }
                    Some("aggregate") if COUNT_OPERATORS.contains(&operator.as_str()) => {
                        let whole = constraint["value"].is_i64() || constraint["value"].is_u64();
                        out.push((CurveKind::Aggregate, pointer, v, None, around(v, whole)));
                    }
                    _ => {}
                }
            }
            let window = &node["window"];
            if text(window, "type").as_deref() == Some("in_the_last") {
                if let Some(v) = window["amount"].as_f64() {
                    let unit = text(window, "unit");
                    let pointer = format!("{path}/window/amount");
                    out.push((CurveKind::Window, pointer, v, unit, lengths(v)));
                }
            }
        }
        _ => {}
    }
    out
}

/// Thresholds around `v`: a quarter of it to three times it (0 to 10 around 0), whole numbers
/// when `v` is one.
fn around(v: f64, whole: bool) -> Vec<f64> {
    let raw: Vec<f64> = if v == 0.0 {
        vec![-2.0, -1.0, 0.0, 1.0, 2.0, 5.0, 10.0]
    } else {
        [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0]
            .iter()
            .map(|f| v * f)
            .collect()
    };
    tidy(raw, whole, v)
}

/// Window lengths around `v` (whole units, at least 1).
fn lengths(v: f64) -> Vec<f64> {
    let raw = [0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0]
        .iter()
        .map(|f| (v * f).max(1.0))
        .collect();
    tidy(raw, true, v)
}

fn tidy(mut values: Vec<f64>, whole: bool, current: f64) -> Vec<f64> {
    if whole {
        for v in &mut values {
            *v = v.round();
        }
    }
    values.push(current);
    values.retain(|v| v.is_finite());
    values.sort_by(f64::total_cmp);
    values.dedup();
    values
}

/// The segment with the value at `pointer` set to `value` (an integer when it is whole).
fn moved(document: &Value, pointer: &str, value: f64) -> Option<Segment> {
    let mut copy = document.clone();
    let slot = copy.pointer_mut(pointer)?;
    *slot = if value.fract() == 0.0 && value.abs() < 9.0e15 {
        Value::from(value as i64)
    } else {
        Value::from(value)
    };
    serde_json::from_value(copy).ok()
}
