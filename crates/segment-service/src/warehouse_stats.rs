//! Statistics of a warehouse's tables (the schema browser's and `schema --stats`' numbers) read
//! where the data is, from a sample when a table is large: a table the server estimates at more
//! than [`EXACT_ROWS`] rows is read through `TABLESAMPLE` sized to about [`SAMPLE_ROWS`] rows, so
//! a billion-row table is profiled in seconds. Then every figure but the row count (the
//! server's estimate) comes from the sample: NULLs and top counts scaled up, distinct counts
//! lower bounds, min/max those of the sample; `sampled_rows` says how many rows were read.
//! The same statistics as a SQLite file's (`segment_import::stats`), in the same types.

use segment_import::stats::{ColumnStats, EntityStats, TopValue, TOP_VALUES};
use segment_model::{Column, DataType, Entity, Schema, Storage};
use segment_sql::Dialect;
use serde_json::Value;

use crate::error::Result;

pub use segment_import::stats::{EXACT_ROWS, SAMPLE_ROWS};

/// When a table is sampled, and how large the sample is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleLimits {
    /// Tables estimated above this many rows are sampled.
    pub exact_rows: u64,
    /// About how many rows a sample reads.
    pub sample_rows: u64,
}

impl Default for SampleLimits {
    fn default() -> Self {
        SampleLimits {
            exact_rows: EXACT_ROWS,
            sample_rows: SAMPLE_ROWS,
        }
    }
}

/// What a warehouse answers for statistics (PostgreSQL and Spark implement it).
pub(crate) trait Profiled {
    /// The server's estimate of a table's rows when it keeps one cheaply.
    fn estimated_rows(&self, table: &str) -> Result<Option<u64>>;
    /// The exact row count (when there is no estimate, or the table is small).
    fn exact_rows(&self, table: &str) -> Result<u64>;
    /// The table as a FROM item, shaped, sampled to about `percent` % when given.
    fn sampled_from(&self, table: &str, percent: Option<f64>) -> String;
    /// Every row of a generated SELECT as JSON values.
    fn select_values(&self, sql: &str) -> Result<Vec<Vec<Value>>>;
    /// How this warehouse spells identifiers, casts and array elements.
    fn spelling(&self) -> Spelling;
}

#[derive(Clone, Copy)]
pub(crate) enum Spelling {
    Postgres,
    Spark,
}

impl Spelling {
    fn quote(self, name: &str) -> String {
        match self {
            Spelling::Postgres => segment_sql::Postgres.quote_identifier(name),
            Spelling::Spark => segment_sql::Spark.quote_identifier(name),
        }
    }

    /// A column's value as an integer, a float or text (what the JSON rows can carry exactly).
    fn cast(self, expr: &str, storage: Storage) -> String {
        let ty = match (storage, self) {
            (Storage::Real, Spelling::Postgres) => "double precision",
            (Storage::Real, Spelling::Spark) => "DOUBLE",
            (
                Storage::Integer | Storage::Boolean | Storage::UnixSeconds | Storage::UnixMillis,
                Spelling::Postgres,
            ) => "bigint",
            (
                Storage::Integer | Storage::Boolean | Storage::UnixSeconds | Storage::UnixMillis,
                Spelling::Spark,
            ) => "BIGINT",
            (_, Spelling::Postgres) => "text",
            (_, Spelling::Spark) => "STRING",
        };
        format!("CAST({expr} AS {ty})")
    }

    /// The elements of a JSON-array text column, one row each, as `v`.
    fn elements(self, from: &str, column: &str) -> String {
        match self {
            Spelling::Postgres => format!(
                "(SELECT e AS v FROM {from} AS t, jsonb_array_elements_text(CASE WHEN jsonb_typeof(CAST(t.{column} AS jsonb)) = 'array' THEN CAST(t.{column} AS jsonb) ELSE '[]' END) AS e)"
            ),
            Spelling::Spark => format!(
                "(SELECT explode_outer(from_json(t.{column}, 'array<string>')) AS v FROM {from} AS t)"
            ),
        }
    }
}

/// Distinct child keys a proposed relationship is checked on, where the data is.
const LINK_SAMPLE_KEYS: u64 = 1_000;

/// How many distinct `link.child_column` values were sampled (the least 1,000, so every engine
/// samples the same ones) and the share of them found in `link.parent_column`: the check a
/// proposal shows, as `segment_import::relate::match_share` makes it on a file. A semi-join,
/// so PostgreSQL looks each key up in the parent's key index.
pub(crate) fn link_match(source: &dyn Profiled, link: &segment_import::Link) -> Result<(u64, f64)> {
    let spelling = source.spelling();
    let (child_column, parent_column) = (
        spelling.quote(&link.child_column),
        spelling.quote(&link.parent_column),
    );
    let sql = format!(
        "WITH s AS (SELECT DISTINCT t.{child_column} AS v FROM {child} AS t \
         WHERE t.{child_column} IS NOT NULL ORDER BY 1 LIMIT {LINK_SAMPLE_KEYS}) \
         SELECT (SELECT COUNT(*) FROM s), (SELECT COUNT(*) FROM s WHERE EXISTS \
         (SELECT 1 FROM {parent} AS t WHERE t.{parent_column} = s.v))",
        child = source.sampled_from(&link.child, None),
        parent = source.sampled_from(&link.parent, None),
    );
    let rows = source.select_values(&sql)?;
    let number = |i: usize| {
        rows.first()
            .and_then(|r| r.get(i))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    };
    let (sampled, matched) = (number(0), number(1));
    let share = if sampled > 0 {
        matched as f64 / sampled as f64
    } else {
        0.0
    };
    Ok((sampled, share))
}

/// Statistics of every entity of `schema`.
pub(crate) fn compute(
    source: &dyn Profiled,
    schema: &Schema,
    limits: SampleLimits,
) -> Result<Vec<EntityStats>> {
    schema
        .entities
        .iter()
        .map(|entity| entity_stats(source, entity, limits))
        .collect()
}

fn entity_stats(
    source: &dyn Profiled,
    entity: &Entity,
    limits: SampleLimits,
) -> Result<EntityStats> {
    let spelling = source.spelling();
    let (rows, percent) = match source.estimated_rows(&entity.name)? {
        Some(estimate) if estimate > limits.exact_rows => (
            estimate,
            Some(100.0 * limits.sample_rows as f64 / estimate as f64),
        ),
        _ => (source.exact_rows(&entity.name)?, None),
    };
    let from = source.sampled_from(&entity.name, percent);
    // One scan: the rows read, then per column non-NULL values, distinct values, min, max.
    let mut select = vec!["COUNT(*)".to_string()];
    for c in &entity.columns {
        let q = format!("t.{}", spelling.quote(&c.name));
        let ranged = matches!(c.data_type, DataType::Number | DataType::Datetime);
        let (min, max) = if ranged {
            (
                spelling.cast(&format!("MIN({q})"), c.storage),
                spelling.cast(&format!("MAX({q})"), c.storage),
            )
        } else {
            ("NULL".into(), "NULL".into())
        };
        select.push(format!("COUNT({q}), COUNT(DISTINCT {q}), {min}, {max}"));
    }
    let sql = format!("SELECT {} FROM {from} AS t", select.join(", "));
    let row = source
        .select_values(&sql)?
        .into_iter()
        .next()
        .unwrap_or_default();
    let read = integer(row.first());
    let sampled = percent.is_some();
    let scale = if sampled && read > 0 {
        rows as f64 / read as f64
    } else {
        1.0
    };
    let mut columns = Vec::new();
    for (i, c) in entity.columns.iter().enumerate() {
        let at = |k: usize| row.get(1 + 4 * i + k);
        let non_null = integer(at(0));
        let distinct = integer(at(1));
        let nulls = if sampled {
            ((read.saturating_sub(non_null)) as f64 * scale).round() as u64
        } else {
            rows.saturating_sub(non_null)
        };
        let unique_ish = distinct * 2 > read && read > 100;
        let mut top = match c.data_type {
            DataType::Text if unique_ish => Vec::new(),
            DataType::Text | DataType::Boolean => {
                let q = format!("t.{}", spelling.quote(&c.name));
                let values = format!("(SELECT {q} AS v FROM {from} AS t)");
                top_values(source, &values, c)?
            }
            DataType::Array => {
                let values = spelling.elements(&from, &spelling.quote(&c.name));
                top_values(source, &values, c).unwrap_or_default()
            }
            _ => Vec::new(),
        };
        for t in &mut top {
            t.count = (t.count as f64 * scale).round() as u64;
        }
        columns.push(ColumnStats {
            name: c.name.clone(),
            label: None,
            data_type: c.data_type,
            storage: c.storage,
            declared_type: c.declared_type.clone(),
            nulls,
            null_share: if rows > 0 {
                (nulls as f64 / rows as f64).min(1.0)
            } else {
                0.0
            },
            distinct,
            min: at(2).and_then(|v| ranged_value(v, c)),
            max: at(3).and_then(|v| ranged_value(v, c)),
            top,
        });
    }
    Ok(EntityStats {
        name: entity.name.clone(),
        key: entity.key.clone(),
        rows,
        sampled_rows: sampled.then_some(read),
        columns,
    })
}

/// The most frequent values of `values` (a sub-select of one column `v`).
fn top_values(source: &dyn Profiled, values: &str, column: &Column) -> Result<Vec<TopValue>> {
    let storage = match column.data_type {
        DataType::Array => Storage::Text,
        _ => column.storage,
    };
    let sql = format!(
        "SELECT s.v, COUNT(*) AS n FROM {values} AS s WHERE s.v IS NOT NULL \
         GROUP BY s.v ORDER BY n DESC, s.v LIMIT {TOP_VALUES}"
    );
    Ok(source
        .select_values(&sql)?
        .into_iter()
        .filter_map(|row| {
            let value = shown(row.first()?, storage)?;
            Some(TopValue {
                value,
                count: integer(row.get(1)),
            })
        })
        .collect())
}

/// A minimum or maximum: a native `date` column (read as Unix seconds) shows its date, as a
/// file's ISO date column does.
fn ranged_value(v: &Value, column: &Column) -> Option<Value> {
    let shown = shown(v, column.storage)?;
    match (&shown, column.declared_type.eq_ignore_ascii_case("date")) {
        (Value::String(iso), true) if column.storage == Storage::UnixSeconds => {
            Some(Value::String(iso.chars().take(10).collect()))
        }
        _ => Some(shown),
    }
}

fn integer(v: Option<&Value>) -> u64 {
    match v {
        Some(Value::Number(n)) => n.as_u64().unwrap_or(0),
        Some(Value::String(s)) => s.parse().unwrap_or(0),
        _ => 0,
    }
}

/// A value as the schema browser shows it: Unix times as ISO-8601, 0/1 as booleans.
fn shown(v: &Value, storage: Storage) -> Option<Value> {
    let whole = || match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    };
    let iso = |seconds: i64| {
        chrono::DateTime::from_timestamp(seconds, 0)
            .map(|t| Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)))
    };
    match (v, storage) {
        (Value::Null, _) => None,
        (_, Storage::UnixSeconds) => whole().and_then(iso),
        (_, Storage::UnixMillis) => whole().and_then(|ms| iso(ms.div_euclid(1000))),
        (_, Storage::Boolean) => whole().map(|i| Value::Bool(i != 0)),
        (Value::String(s), Storage::Integer) => s.parse::<i64>().ok().map(Value::from),
        (Value::String(s), Storage::Real) => s.parse::<f64>().ok().map(Value::from),
        _ => Some(v.clone()),
    }
}
