//! A Spark database as a data source: the schema read once, then every count, key list and
//! overlap asked of Spark as SQL in the Spark dialect, values as named arguments.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use segment_engine::explain::Overlap;
use segment_model::ir::{EntityRef, Expr, Query};
use segment_model::Schema;
use segment_sql::{Output, Spark, SqlValue, Statement};
use serde_json::Value;

use crate::client::{Param, Rows, SparkClient};
use crate::error::{Error, Result};
use crate::introspect::{introspect, quote};
use crate::url::ConnectUrl;

/// `LIMIT` of a key list that wants every key: Spark's LIMIT takes a 32-bit integer.
const ALL_ROWS: u64 = i32::MAX as u64;

/// An open Spark database, counted where it is.
pub struct SparkSource {
    client: SparkClient,
    database: String,
    schema: Schema,
    shaped: Vec<(String, String)>,
    skipped: Vec<(String, String, String)>,
    totals: Mutex<HashMap<String, u64>>,
}

impl SparkSource {
    /// Connects, sets the session to UTC and the database (`None`: the server's current one),
    /// and reads the schema.
    pub fn connect(url: &ConnectUrl, database: Option<&str>) -> Result<Self> {
        let client = SparkClient::connect(url)?;
        client.query("SET spark.sql.session.timeZone = UTC", &[])?;
        if let Some(database) = database {
            client.query(&format!("USE {}", quote(database)), &[])?;
        }
        let database = client
            .query("SELECT current_database()", &[])?
            .rows
            .first()
            .and_then(|r| r.first())
            .and_then(Value::as_str)
            .unwrap_or("default")
            .to_string();
        let introspected = introspect(&client)?;
        if introspected.schema.entities.is_empty() {
            return Err(Error::NoTables {
                endpoint: url.display(),
                database,
            });
        }
        Ok(SparkSource {
            client,
            database,
            schema: introspected.schema,
            shaped: introspected.shaped,
            skipped: introspected.skipped,
            totals: Mutex::new(HashMap::new()),
        })
    }

    /// `sc://host:port` and the database.
    pub fn label(&self) -> String {
        format!(
            "{} (database {})",
            self.client.url().display(),
            self.database
        )
    }

    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The Spark database read.
    pub fn namespace(&self) -> &str {
        &self.database
    }

    /// Replaces the schema with one of the same tables and columns whose relationships and time
    /// columns the user confirmed beside the data (the sidecar store's, applied by the caller).
    pub fn set_schema(&mut self, schema: Schema) {
        self.schema = schema;
    }

    pub fn client(&self) -> &SparkClient {
        &self.client
    }

    /// Columns left out of the schema: (table, column, why).
    pub fn skipped_columns(&self) -> &[(String, String, String)] {
        &self.skipped
    }

    /// Tables with native types read through their shaping sub-select.
    fn shape(&self, sql: &str) -> String {
        let mut sql = sql.to_string();
        for (table, select) in &self.shaped {
            let from = format!("FROM {} AS t", quote(table));
            sql = sql.replace(&from, &format!("FROM {select} AS t"));
        }
        sql
    }

    fn rows(&self, sql: &str, params: &[SqlValue], cancel: Option<&AtomicBool>) -> Result<Rows> {
        let named: Vec<(String, Param)> = params
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("p{}", i + 1), param(v)))
            .collect();
        let cancelled = || cancel.is_some_and(|c| c.load(Ordering::SeqCst));
        self.client
            .query_cancellable(&self.shape(sql), &named, &cancelled)
    }

    /// Every row of a generated read-only statement in the Spark dialect (the audience tools'
    /// grouped SELECTs), values as named arguments, read from the Arrow batches as cells.
    pub fn select_cells(
        &self,
        statement: &Statement,
        cancel: &AtomicBool,
    ) -> Result<Vec<Vec<segment_sql::SqlCell>>> {
        let named: Vec<(String, Param)> = statement
            .params
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("p{}", i + 1), param(v)))
            .collect();
        let cancelled = || cancel.load(Ordering::SeqCst);
        self.client.query_read(
            &self.shape(&statement.sql),
            &named,
            &cancelled,
            crate::arrow::sql_cell,
        )
    }

    fn each_batch(
        &self,
        sql: &str,
        params: &[SqlValue],
        cancel: &AtomicBool,
        take: &mut dyn FnMut(Rows),
    ) -> Result<()> {
        let named: Vec<(String, Param)> = params
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("p{}", i + 1), param(v)))
            .collect();
        let cancelled = || cancel.load(Ordering::SeqCst);
        self.client
            .query_each_batch(&self.shape(sql), &named, &cancelled, take)
    }

    fn first_row(&self, rows: &Rows) -> Result<Vec<u64>> {
        let row = rows
            .rows
            .first()
            .ok_or_else(|| Error::Answer("no row".into()))?;
        row.iter()
            .map(|v| {
                v.as_u64()
                    .ok_or_else(|| Error::Answer("a count that is not a whole number".into()))
            })
            .collect()
    }

    /// Records matching `query` and the entity's total, in one round trip.
    pub fn count(&self, query: &Query, cancel: &AtomicBool) -> Result<(u64, u64)> {
        let count = segment_sql::build(query, &Spark)?;
        let total = self.total_statement(&query.entity.name)?;
        let (texts, params) = combine(&[count, total]);
        let sql = format!("SELECT ({}), ({})", texts[0], texts[1]);
        let row = self.first_row(&self.rows(&sql, &params, Some(cancel))?)?;
        let (count, total) = (row[0], row[1]);
        self.remember_total(&query.entity.name, total);
        Ok((count, total))
    }

    /// Records matching each of `queries` (all over the same entity) in ONE statement
    /// ([`segment_sql::build_counts`]: a scalar sub-select each, which Spark plans together; its
    /// correlated `EXISTS` cannot be joined once as PostgreSQL's related records are).
    pub fn counts(&self, queries: &[Query], cancel: &AtomicBool) -> Result<Vec<u64>> {
        if queries.is_empty() {
            return Ok(Vec::new());
        }
        let statement = segment_sql::build_counts(queries, &Spark)?;
        self.first_row(&self.rows(&statement.sql, &statement.params, Some(cancel))?)
    }

    fn total_statement(&self, entity: &str) -> Result<Statement> {
        let entity = self
            .schema
            .entity(entity)
            .ok_or_else(|| Error::UnknownEntity(entity.to_string()))?;
        let query = Query {
            entity: EntityRef {
                name: entity.name.clone(),
                key: entity.key.clone(),
            },
            filter: Expr::True,
            now: 0,
        };
        Ok(segment_sql::build_output(&query, Output::Total, &Spark)?)
    }

    fn remember_total(&self, entity: &str, total: u64) {
        if let Ok(mut totals) = self.totals.lock() {
            totals.insert(entity.to_string(), total);
        }
    }

    /// The records of `entity`.
    pub fn total(&self, entity: &str) -> Result<u64> {
        if let Some(n) = self.totals.lock().ok().and_then(|t| t.get(entity).copied()) {
            return Ok(n);
        }
        let statement = self.total_statement(entity)?;
        let total = self.first_row(&self.rows(&statement.sql, &statement.params, None)?)?[0];
        self.remember_total(entity, total);
        Ok(total)
    }

    /// The keys of up to `limit` matching records, in key order.
    pub fn matching_keys(
        &self,
        query: &Query,
        limit: u64,
        cancel: &AtomicBool,
    ) -> Result<Vec<Value>> {
        let limit = limit.min(ALL_ROWS);
        let statement = segment_sql::build_output(query, Output::Keys { limit }, &Spark)?;
        let rows = self.rows(&statement.sql, &statement.params, Some(cancel))?;
        Ok(rows
            .rows
            .into_iter()
            .filter_map(|r| r.into_iter().next())
            .filter(|v| !v.is_null())
            .collect())
    }

    /// Every matching key, in key order, handed over batch by batch as Spark sends its Arrow
    /// batches (member lists for freeze: the whole answer is never collected).
    pub fn each_key_batch(
        &self,
        query: &Query,
        cancel: &AtomicBool,
        take: &mut dyn FnMut(Vec<Value>),
    ) -> Result<()> {
        let statement = segment_sql::build_output(query, Output::Keys { limit: ALL_ROWS }, &Spark)?;
        self.each_batch(
            &statement.sql,
            &statement.params,
            cancel,
            &mut |rows: Rows| {
                take(
                    rows.rows
                        .into_iter()
                        .filter_map(|r| r.into_iter().next())
                        .filter(|v| !v.is_null())
                        .collect(),
                )
            },
        )
    }

    /// `table` as a FROM item with its columns shaped as counts read them, sampled to about
    /// `percent` % of its rows when given (`TABLESAMPLE (p PERCENT)`, which Spark applies to
    /// a sub-select too). Statistics read it (the service builds them).
    pub fn sampled_from(&self, table: &str, percent: Option<f64>) -> String {
        let sample = percent
            .map(|p| format!(" TABLESAMPLE ({:.6} PERCENT)", p.clamp(0.000001, 100.0)))
            .unwrap_or_default();
        match self.shaped.iter().find(|(t, _)| t == table) {
            Some((_, select)) => format!("{select}{sample}"),
            None => format!("{}{sample}", quote(table)),
        }
    }

    /// Every row of a generated SELECT (no user value in it), as JSON values.
    pub fn select_values(&self, sql: &str) -> Result<Vec<Vec<Value>>> {
        Ok(self.client.query(sql, &[])?.rows)
    }

    /// For each of `keys`, whether its record matches `query`.
    pub fn keys_matching(
        &self,
        query: &Query,
        keys: &[Value],
        cancel: &AtomicBool,
    ) -> Result<Vec<bool>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let all = segment_sql::build_output(query, Output::Keys { limit: ALL_ROWS }, &Spark)?;
        let mut params = all.params.clone();
        let list = key_list(keys, &mut params);
        let sql = format!("SELECT k FROM ({}) AS s(k) WHERE k IN ({list})", all.sql);
        let found = self.rows(&sql, &params, Some(cancel))?;
        let found: Vec<&Value> = found.rows.iter().filter_map(|r| r.first()).collect();
        Ok(keys
            .iter()
            .map(|k| found.iter().any(|f| same_key(f, k)))
            .collect())
    }

    /// The records of `entity` with these keys, as JSON objects in the keys' order (native
    /// values as Spark writes them in JSON).
    pub fn records(&self, entity: &str, key: &str, keys: &[Value]) -> Result<Vec<Value>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut params = Vec::new();
        let list = key_list(keys, &mut params);
        // Aliased `r`, not `t…`: the records as stored, not shaped.
        let sql = format!(
            "SELECT r.{k}, to_json(struct(r.*)) FROM {} AS r WHERE r.{k} IN ({list})",
            quote(entity),
            k = quote(key)
        );
        let rows = self.rows(&sql, &params, None)?;
        let found: Vec<(Value, Value)> = rows
            .rows
            .into_iter()
            .map(|r| {
                let record = r
                    .get(1)
                    .and_then(Value::as_str)
                    .and_then(|t| serde_json::from_str(t).ok())
                    .unwrap_or(Value::Null);
                (r.into_iter().next().unwrap_or(Value::Null), record)
            })
            .collect();
        Ok(keys
            .iter()
            .map(|k| {
                found
                    .iter()
                    .find(|(f, _)| same_key(f, k))
                    .map_or(Value::Null, |(_, r)| r.clone())
            })
            .collect())
    }

    /// The exact overlap of 2–3 queries over one entity, in one statement.
    pub fn overlap(&self, queries: &[Query], cancel: &AtomicBool) -> Result<Overlap> {
        let n = queries.len();
        let statements = queries
            .iter()
            .map(|q| segment_sql::build_output(q, Output::Keys { limit: ALL_ROWS }, &Spark))
            .collect::<segment_sql::Result<Vec<_>>>()?;
        let (texts, params) = combine(&statements);
        let ctes: Vec<String> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| format!("s{i}(k) AS ({t})"))
            .collect();
        let arms: Vec<String> = (0..n)
            .map(|i| format!("SELECT k, {} AS bit FROM s{i}", 1u32 << i))
            .collect();
        let sql = format!(
            "WITH {} SELECT mask, count(*) FROM (SELECT k, sum(DISTINCT bit) AS mask FROM ({}) u GROUP BY k) m GROUP BY mask",
            ctes.join(", "),
            arms.join(" UNION ALL ")
        );
        let rows = self.rows(&sql, &params, Some(cancel))?;
        let mut exact = vec![0u64; 1 << n];
        for row in &rows.rows {
            let number = |i: usize| row.get(i).and_then(Value::as_u64);
            let (Some(mask), Some(count)) = (number(0), number(1)) else {
                return Err(Error::Answer("an overlap region without numbers".into()));
            };
            *exact
                .get_mut(usize::try_from(mask).unwrap_or(usize::MAX))
                .ok_or_else(|| Error::Answer("an unknown overlap region".into()))? = count;
        }
        let total = self.total(&queries[0].entity.name)?;
        Ok(Overlap::from_regions(&exact, n, total))
    }
}

/// A bound value as Spark reads the same literal written in the text: a whole number that fits
/// 32 bits is an INT (as `LIMIT` requires), a larger one a BIGINT.
pub fn param(value: &SqlValue) -> Param {
    match value {
        SqlValue::Null => Param::Null,
        SqlValue::Integer(i) => i32::try_from(*i).map_or(Param::Long(*i), Param::Int),
        SqlValue::Real(f) => Param::Double(*f),
        SqlValue::Text(s) => Param::Text(s.clone()),
    }
}

/// `:pN` placeholders outside quotes moved up by `offset`, so statements built on their own
/// combine into one (their parameters appended in order).
pub fn renumber(sql: &str, offset: usize) -> String {
    if offset == 0 {
        return sql.to_string();
    }
    let mut out = String::with_capacity(sql.len() + 16);
    let mut chars = sql.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == '\\' && q == '\'' {
                    out.extend(chars.next());
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '\'' || c == '`' => {
                quote = Some(c);
                out.push(c);
            }
            None if c == ':' && chars.peek() == Some(&'p') => {
                chars.next();
                let mut digits = String::new();
                while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                    digits.push(d);
                    chars.next();
                }
                match digits.parse::<usize>() {
                    Ok(n) => out.push_str(&format!(":p{}", n + offset)),
                    Err(_) => out.push_str(":p"),
                }
            }
            None => out.push(c),
        }
    }
    out
}

/// Statements combined into one: their texts (renumbered) and all their parameters.
pub fn combine(statements: &[Statement]) -> (Vec<String>, Vec<SqlValue>) {
    let mut texts = Vec::new();
    let mut params = Vec::new();
    for s in statements {
        texts.push(renumber(&s.sql, params.len()));
        params.extend(s.params.iter().cloned());
    }
    (texts, params)
}

/// `:pN, :pN+1, …` for `keys`, appended to `params` (integers as integers, others as text).
fn key_list(keys: &[Value], params: &mut Vec<SqlValue>) -> String {
    let mut names = Vec::with_capacity(keys.len());
    for key in keys {
        params.push(match key {
            Value::Number(n) => n.as_i64().map_or_else(
                || SqlValue::Real(n.as_f64().unwrap_or(f64::NAN)),
                SqlValue::Integer,
            ),
            Value::String(s) => SqlValue::Text(s.clone()),
            other => SqlValue::Text(other.to_string()),
        });
        names.push(format!(":p{}", params.len()));
    }
    names.join(", ")
}

fn same_key(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::String(x), Value::Number(y)) | (Value::Number(y), Value::String(x)) => {
            *x == y.to_string()
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_move_but_quoted_text_does_not() {
        assert_eq!(
            renumber(
                r"SELECT `a:p1` FROM t WHERE x = :p1 AND y IN (:p2, :p12) AND z = ':p3\':p4'",
                4
            ),
            r"SELECT `a:p1` FROM t WHERE x = :p5 AND y IN (:p6, :p16) AND z = ':p3\':p4'"
        );
    }

    #[test]
    fn small_integers_are_ints() {
        assert_eq!(param(&SqlValue::Integer(10)), Param::Int(10));
        assert_eq!(param(&SqlValue::Integer(1 << 40)), Param::Long(1 << 40));
    }
}
