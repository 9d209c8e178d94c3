//! Schema statistics for the schema browser and the builder's value suggestions: per entity its
//! row count, per column its type, null share, distinct count, min/max (numbers, dates) or its
//! most frequent values (text, booleans, and the elements of JSON arrays).
//!
//! Computed on the read-only, sandboxed connection: one scan per table for NULLs and min/max,
//! one for distinct counts, one grouped query per text-like column for its top values. Tables
//! over [`EXACT_ROWS`] rows get distinct counts and top values from a sample; mostly unique
//! text columns (emails) get no top values.

use std::collections::BTreeMap;

use rusqlite::types::Value;
use segment_model::{DataType, Schema, Storage};
use segment_source::DataSource;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::names::quote;

/// How many most frequent values are listed.
pub const TOP_VALUES: usize = 10;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct EntityStats {
    pub name: String,
    pub key: String,
    #[ts(type = "number")]
    pub rows: u64,
    /// Set when the table is large: distinct counts and top values come from a sample of this
    /// many rows (distinct counts are then lower bounds, top counts estimates).
    #[ts(optional, type = "number")]
    pub sampled_rows: Option<u64>,
    pub columns: Vec<ColumnStats>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ColumnStats {
    pub name: String,
    /// The label the user (or the imported header) gave the column.
    #[ts(optional)]
    pub label: Option<String>,
    pub data_type: DataType,
    pub storage: Storage,
    pub declared_type: String,
    #[ts(type = "number")]
    pub nulls: u64,
    /// NULLs among all rows (0 when the table is empty).
    pub null_share: f64,
    #[ts(type = "number")]
    pub distinct: u64,
    /// Numbers and dates (dates as ISO-8601 text).
    #[ts(optional, type = "unknown")]
    pub min: Option<serde_json::Value>,
    #[ts(optional, type = "unknown")]
    pub max: Option<serde_json::Value>,
    /// Text, booleans and array elements: the most frequent values, most frequent first.
    pub top: Vec<TopValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TopValue {
    #[ts(type = "unknown")]
    pub value: serde_json::Value,
    #[ts(type = "number")]
    pub count: u64,
}

/// Tables with more rows than this (a quarter million) get their distinct counts and top values from a systematic
/// sample (every k-th row) of about [`SAMPLE_ROWS`] rows; row counts, NULLs and min/max stay
/// exact.
pub const EXACT_ROWS: u64 = 250_000;
pub const SAMPLE_ROWS: u64 = 100_000;

/// Statistics of every entity of `schema` (the source's, with the sidecar applied), with the
/// labels per table and column.
pub fn compute(
    source: &DataSource,
    schema: &Schema,
    labels: &BTreeMap<String, BTreeMap<String, String>>,
) -> Result<Vec<EntityStats>> {
    compute_with(source, schema, labels, EXACT_ROWS, SAMPLE_ROWS)
}

/// [`compute`] with other thresholds: tables over `exact_rows` rows are sampled down to about
/// `sample_rows` rows for distinct counts and top values.
pub fn compute_with(
    source: &DataSource,
    schema: &Schema,
    labels: &BTreeMap<String, BTreeMap<String, String>>,
    exact_rows: u64,
    sample_rows: u64,
) -> Result<Vec<EntityStats>> {
    let conn = source.connection();
    let mut out = Vec::new();
    for entity in &schema.entities {
        let table = quote(&entity.name);
        // One scan: rows, non-NULL values, min and max of every column.
        let mut select = vec!["count(*)".to_string()];
        for c in &entity.columns {
            let q = quote(&c.name);
            select.push(format!("count({q}), min({q}), max({q})"));
        }
        let sql = format!("SELECT {} FROM {table}", select.join(", "));
        let row: Vec<Value> = conn.query_row(&sql, [], |r| {
            (0..1 + 3 * entity.columns.len())
                .map(|i| r.get::<_, Value>(i))
                .collect()
        })?;
        let rows = as_u64(&row[0]);
        // Distinct counts (and top values): exact, or from a sample of a large table.
        let integer_key = entity.key == "rowid"
            || entity
                .column(&entity.key)
                .is_some_and(|c| c.storage == Storage::Integer);
        let (from, sampled_rows) = if rows > exact_rows {
            let step = rows.div_ceil(sample_rows.max(1));
            let sample = if integer_key {
                format!(
                    "(SELECT * FROM {table} WHERE {} % {step} = 0)",
                    quote(&entity.key)
                )
            } else {
                format!("(SELECT * FROM {table} LIMIT {sample_rows})")
            };
            let n: i64 =
                conn.query_row(&format!("SELECT count(*) FROM {sample}"), [], |r| r.get(0))?;
            (sample, u64::try_from(n).unwrap_or(0))
        } else {
            (table.clone(), rows)
        };
        let sampled = sampled_rows != rows;
        let distinct: Vec<Value> = if entity.columns.is_empty() {
            Vec::new()
        } else {
            let cols: Vec<String> = entity
                .columns
                .iter()
                .map(|c| format!("count(DISTINCT {})", quote(&c.name)))
                .collect();
            let sql = format!("SELECT {} FROM {from}", cols.join(", "));
            conn.query_row(&sql, [], |r| {
                (0..entity.columns.len())
                    .map(|i| r.get::<_, Value>(i))
                    .collect()
            })?
        };
        let scale = if sampled && sampled_rows > 0 {
            rows as f64 / sampled_rows as f64
        } else {
            1.0
        };
        let mut columns = Vec::new();
        for (i, c) in entity.columns.iter().enumerate() {
            let base = 1 + 3 * i;
            let non_null = as_u64(&row[base]);
            let nulls = rows.saturating_sub(non_null);
            let ranged = matches!(c.data_type, DataType::Number | DataType::Datetime);
            // Mostly unique values (emails, ids) have no "top values" worth a grouped query.
            let unique_ish = as_u64(&distinct[i]) * 2 > sampled_rows && sampled_rows > 100;
            let mut top = match c.data_type {
                DataType::Text if unique_ish => Vec::new(),
                DataType::Text | DataType::Boolean => {
                    top_values(source, &from, &c.name, c.storage)?
                }
                DataType::Array => top_elements(source, &from, &c.name).unwrap_or_default(),
                _ => Vec::new(),
            };
            for t in &mut top {
                t.count = (t.count as f64 * scale).round() as u64;
            }
            columns.push(ColumnStats {
                name: c.name.clone(),
                label: labels
                    .get(&entity.name)
                    .and_then(|l| l.get(&c.name))
                    .cloned(),
                data_type: c.data_type,
                storage: c.storage,
                declared_type: c.declared_type.clone(),
                nulls,
                null_share: if rows > 0 {
                    nulls as f64 / rows as f64
                } else {
                    0.0
                },
                distinct: as_u64(&distinct[i]),
                min: ranged.then(|| shown(&row[base + 1], c.storage)).flatten(),
                max: ranged.then(|| shown(&row[base + 2], c.storage)).flatten(),
                top,
            });
        }
        out.push(EntityStats {
            name: entity.name.clone(),
            key: entity.key.clone(),
            rows,
            sampled_rows: sampled.then_some(sampled_rows),
            columns,
        });
    }
    Ok(out)
}

fn as_u64(v: &Value) -> u64 {
    match v {
        Value::Integer(i) => u64::try_from(*i).unwrap_or(0),
        _ => 0,
    }
}

/// A stored value as shown: Unix seconds and milliseconds as ISO-8601 (milliseconds floored to
/// the second they stand for), booleans as true/false.
fn shown(v: &Value, storage: Storage) -> Option<serde_json::Value> {
    let iso = |seconds: i64, raw: i64| match chrono::DateTime::from_timestamp(seconds, 0) {
        Some(t) => serde_json::Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        None => serde_json::json!(raw),
    };
    Some(match (v, storage) {
        (Value::Null, _) => return None,
        (Value::Integer(i), Storage::UnixSeconds) => iso(*i, *i),
        (Value::Integer(i), Storage::UnixMillis) => iso(i.div_euclid(1000), *i),
        (Value::Integer(i), Storage::Boolean) => serde_json::Value::Bool(*i != 0),
        (Value::Integer(i), _) => serde_json::json!(i),
        (Value::Real(f), _) => serde_json::json!(f),
        (Value::Text(s), _) => serde_json::Value::String(s.clone()),
        (Value::Blob(_), _) => return None,
    })
}

/// `from`: a quoted table name or a parenthesised sample of it.
fn top_values(
    source: &DataSource,
    from: &str,
    column: &str,
    storage: Storage,
) -> Result<Vec<TopValue>> {
    let q = quote(column);
    let sql = format!(
        "SELECT {q}, count(*) AS n FROM {from} WHERE {q} IS NOT NULL GROUP BY {q} ORDER BY n DESC, {q} LIMIT {TOP_VALUES}"
    );
    collect_top(source, &sql, storage)
}

fn top_elements(source: &DataSource, from: &str, column: &str) -> Result<Vec<TopValue>> {
    let q = quote(column);
    let sql = format!(
        "SELECT j.value, count(*) AS n FROM {from} AS t, json_each(CASE WHEN json_valid(t.{q}) THEN t.{q} ELSE '[]' END) AS j \
         GROUP BY j.value ORDER BY n DESC, j.value LIMIT {TOP_VALUES}"
    );
    collect_top(source, &sql, Storage::Text)
}

fn collect_top(source: &DataSource, sql: &str, storage: Storage) -> Result<Vec<TopValue>> {
    let mut stmt = source.connection().prepare(sql)?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, Value>(0)?, r.get::<_, i64>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (value, count) = row?;
        if let Some(value) = shown(&value, storage) {
            out.push(TopValue {
                value,
                count: u64::try_from(count).unwrap_or(0),
            });
        }
    }
    Ok(out)
}
