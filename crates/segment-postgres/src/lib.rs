//! # segment-postgres: PostgreSQL as a data source, every count pushed down
//!
//! [`PostgresSource::connect`] reaches a server from a `postgresql://` address ([`Settings`]:
//! password given for the session, in the address, `PGPASSWORD` or `~/.pgpass`; never written),
//! reads one schema's tables, columns and declared keys (`introspect`), and then answers what the
//! count service asks: counts with the total, many counts in one statement of conditional
//! aggregates (per-node counts in one round trip), matching keys, records by key, which of some
//! keys match, and overlap regions in one statement. SQL comes from `segment-sql`'s PostgreSQL
//! dialect with every value bound; each statement runs in a read-only transaction under a
//! statement timeout, and a raised cancellation flag sends the server a cancel request.
//!
//! The client runs on a small runtime of its own (one worker thread), so callers stay blocking.

mod cells;
mod connect;
mod error;
mod introspect;
pub mod load;
mod profile;
mod run;
mod tls;

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::Mutex;
use std::time::Duration;

use segment_engine::explain::Overlap;
use segment_model::ir::Query;
use segment_model::Schema;
use segment_sql::{Output, Postgres, SqlValue, Statement};
use serde_json::Value;
use tokio_postgres::types::Type;
use tokio_postgres::{Client, Row};
use tokio_postgres_rustls::MakeRustlsConnect;

pub use connect::{Settings, DEFAULT_TIMEOUT};
use error::Target;
pub use error::{Error, Result};
use run::Runner;
pub use tls::{TlsMode, TlsSettings};

/// `LIMIT` of a keys statement that wants every matching key.
const ALL_ROWS: u64 = i64::MAX as u64;

/// An open PostgreSQL schema, counted where it is.
pub struct PostgresSource {
    runtime: tokio::runtime::Runtime,
    /// One statement (and its transaction) at a time on the connection.
    client: Mutex<Client>,
    target: Target,
    schema_name: String,
    schema: Schema,
    shaped: Vec<(String, String)>,
    skipped: Vec<(String, String, String)>,
    timeout: Duration,
    totals: Mutex<HashMap<String, u64>>,
    /// How the connection was encrypted: cancel requests go the same way.
    tls: Option<MakeRustlsConnect>,
    tls_mode: TlsMode,
}

impl PostgresSource {
    /// Connects and reads the schema. Fails with what the user can act on: unreachable,
    /// password needed or refused, no such database, no readable table in the schema.
    pub fn connect(settings: &Settings) -> Result<Self> {
        let (config, target, tls_settings) = connect::config(settings)?;
        let tls = tls::connector(&tls_settings)?;
        let runtime = connect::runtime()?;
        let schema_name = settings.schema.clone().unwrap_or_else(|| "public".into());
        let timeout = settings.statement_timeout.unwrap_or(DEFAULT_TIMEOUT);
        let (client, introspected) = runtime.block_on(async {
            let client = connect::open(&config, tls.clone(), &target, timeout.as_secs()).await?;
            let introspected = introspect::introspect(&client, &schema_name)
                .await
                .map_err(|e| target.error(e, timeout.as_secs()))?;
            Ok::<_, Error>((client, introspected))
        })?;
        if introspected.schema.entities.is_empty() {
            return Err(Error::NoTables {
                server: target.server.clone(),
                schema: schema_name,
            });
        }
        Ok(PostgresSource {
            runtime,
            client: Mutex::new(client),
            target,
            schema_name,
            schema: introspected.schema,
            shaped: introspected.shaped,
            skipped: introspected.skipped,
            timeout,
            totals: Mutex::new(HashMap::new()),
            tls,
            tls_mode: tls_settings.mode,
        })
    }

    /// The TLS mode the connection was made with (`disable` on a Unix socket).
    pub fn tls_mode(&self) -> TlsMode {
        self.tls_mode
    }

    fn runner<'a>(&'a self, client: &'a Client) -> Runner<'a> {
        Runner {
            client,
            target: &self.target,
            search_path: &self.schema_name,
            timeout: self.timeout,
            shaped: &self.shaped,
            tls: self.tls.as_ref(),
            work_mem: run::WORK_MEM,
        }
    }

    /// `user@host:port/database`, and the schema when it is not `public`.
    pub fn label(&self) -> String {
        if self.schema_name == "public" {
            self.target.server.clone()
        } else {
            format!("{} (schema {})", self.target.server, self.schema_name)
        }
    }

    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The PostgreSQL schema read (`public` unless another was asked for).
    pub fn namespace(&self) -> &str {
        &self.schema_name
    }

    /// Replaces the schema with one of the same tables and columns whose relationships and time
    /// columns the user confirmed beside the data (the sidecar store's, applied by the caller).
    pub fn set_schema(&mut self, schema: Schema) {
        self.schema = schema;
    }

    /// Columns left out of the schema: (table, column, why).
    pub fn skipped_columns(&self) -> &[(String, String, String)] {
        &self.skipped
    }

    fn rows(
        &self,
        sql: &str,
        params: &[SqlValue],
        cancel: Option<&AtomicBool>,
    ) -> Result<Vec<Row>> {
        let client = self.client.lock().unwrap_or_else(|p| p.into_inner());
        let runner = self.runner(&client);
        self.runtime.block_on(runner.rows(sql, params, cancel))
    }

    fn integer(&self, row: &Row, i: usize) -> Result<u64> {
        row.try_get::<_, i64>(i)
            .ok()
            .and_then(|n| u64::try_from(n).ok())
            .ok_or_else(|| self.unexpected("a count that is not a whole number"))
    }

    fn unexpected(&self, what: &str) -> Error {
        Error::Query {
            server: self.target.server.clone(),
            message: format!("the server returned {what}"),
        }
    }

    /// Records matching `query` and the entity's total, in one round trip.
    pub fn count(&self, query: &Query, cancel: &AtomicBool) -> Result<(u64, u64)> {
        let count = segment_sql::build(query, &Postgres)?;
        let total = self.total_statement(&query.entity.name)?;
        let (texts, params) = run::combine(&[count, total]);
        let sql = format!("SELECT ({}), ({})", texts[0], texts[1]);
        let rows = self.rows(&sql, &params, Some(cancel))?;
        let row = rows.first().ok_or_else(|| self.unexpected("no row"))?;
        let (count, total) = (self.integer(row, 0)?, self.integer(row, 1)?);
        self.remember_total(&query.entity.name, total);
        Ok((count, total))
    }

    /// Records matching each of `queries` (all over the same entity) in ONE statement
    /// ([`segment_sql::build_counts`]: one scan of the entity, a conditional count each, every
    /// distinct related-record condition joined once), with `work_mem` `COUNTS_WORK_MEM` (256 MB).
    pub fn counts(&self, queries: &[Query], cancel: &AtomicBool) -> Result<Vec<u64>> {
        if queries.is_empty() {
            return Ok(Vec::new());
        }
        let statement = segment_sql::build_counts(queries, &Postgres)?;
        let client = self.client.lock().unwrap_or_else(|p| p.into_inner());
        let runner = run::Runner {
            work_mem: run::COUNTS_WORK_MEM,
            ..self.runner(&client)
        };
        let rows =
            self.runtime
                .block_on(runner.rows(&statement.sql, &statement.params, Some(cancel)))?;
        let row = rows.first().ok_or_else(|| self.unexpected("no row"))?;
        (0..queries.len()).map(|i| self.integer(row, i)).collect()
    }

    fn total_statement(&self, entity: &str) -> Result<Statement> {
        let entity = self
            .schema
            .entity(entity)
            .ok_or_else(|| Error::UnknownEntity(entity.to_string()))?;
        let query = Query {
            entity: segment_model::ir::EntityRef {
                name: entity.name.clone(),
                key: entity.key.clone(),
            },
            filter: segment_model::ir::Expr::True,
            now: 0,
        };
        Ok(segment_sql::build_output(&query, Output::Total, &Postgres)?)
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
        let rows = self.rows(&statement.sql, &statement.params, None)?;
        let row = rows.first().ok_or_else(|| self.unexpected("no row"))?;
        let total = self.integer(row, 0)?;
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
        let statement = segment_sql::build_output(query, Output::Keys { limit }, &Postgres)?;
        let rows = self.rows(&statement.sql, &statement.params, Some(cancel))?;
        Ok(rows
            .iter()
            .map(|r| value_of(r, 0))
            .filter(|v| !v.is_null())
            .collect())
    }

    /// Every matching key, in key order, handed over `batch` keys at a time as the server
    /// sends them (a cursor in one read-only transaction): member lists for freeze never hold
    /// the whole answer's rows.
    pub fn each_key_batch(
        &self,
        query: &Query,
        batch: usize,
        cancel: &AtomicBool,
        take: &mut dyn FnMut(Vec<Value>),
    ) -> Result<()> {
        let statement =
            segment_sql::build_output(query, Output::Keys { limit: ALL_ROWS }, &Postgres)?;
        let client = self.client.lock().unwrap_or_else(|p| p.into_inner());
        let runner = self.runner(&client);
        let mut keys_of = |rows: Vec<Row>| {
            take(
                rows.iter()
                    .map(|r| value_of(r, 0))
                    .filter(|v| !v.is_null())
                    .collect(),
            )
        };
        self.runtime.block_on(runner.each_batch(
            &statement.sql,
            &statement.params,
            batch,
            Some(cancel),
            &mut keys_of,
        ))
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
        let all = segment_sql::build_output(query, Output::Keys { limit: ALL_ROWS }, &Postgres)?;
        let n = all.params.len() + 1;
        let (keys_param, compare) = key_list(keys, n);
        let sql = format!(
            "WITH s(k) AS ({}) SELECT k FROM s WHERE {}",
            all.sql,
            compare("k")
        );
        let mut params = all.params.clone();
        params.push(SqlValue::Null);
        let found = self.rows_with_keys(&sql, &params, keys_param, cancel)?;
        let found: Vec<Value> = found.iter().map(|r| value_of(r, 0)).collect();
        Ok(keys
            .iter()
            .map(|k| found.iter().any(|f| same_key(f, k)))
            .collect())
    }

    /// The records of `entity` with these keys, as JSON objects in the keys' order (native
    /// values as PostgreSQL writes them in JSON).
    pub fn records(&self, entity: &str, key: &str, keys: &[Value]) -> Result<Vec<Value>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let table = introspect::quote(entity);
        let key_expr = if key == "ctid" {
            "CAST(t.ctid AS text)".to_string()
        } else {
            format!("t.{}", introspect::quote(key))
        };
        let (keys_param, compare) = key_list(keys, 1);
        let sql = format!(
            "SELECT {key_expr}, CAST(to_jsonb(t) AS text) FROM {}.{table} AS t WHERE {}",
            introspect::quote(&self.schema_name),
            compare(&key_expr)
        );
        let rows =
            self.rows_with_keys(&sql, &[SqlValue::Null], keys_param, &AtomicBool::new(false))?;
        let found: Vec<(Value, Value)> = rows
            .iter()
            .map(|r| {
                let record = r
                    .try_get::<_, String>(1)
                    .ok()
                    .and_then(|t| serde_json::from_str(&t).ok())
                    .unwrap_or(Value::Null);
                (value_of(r, 0), record)
            })
            .collect();
        Ok(keys
            .iter()
            .map(|k| {
                found
                    .iter()
                    .find(|(f, _)| same_key(f, k))
                    .map(|(_, r)| r.clone())
                    .unwrap_or(Value::Null)
            })
            .collect())
    }

    /// Runs `sql` whose last parameter is the key list.
    fn rows_with_keys(
        &self,
        sql: &str,
        params: &[SqlValue],
        keys: KeyList,
        cancel: &AtomicBool,
    ) -> Result<Vec<Row>> {
        let client = self.client.lock().unwrap_or_else(|p| p.into_inner());
        let runner = self.runner(&client);
        self.runtime
            .block_on(runner.rows_with_list(sql, params, keys, Some(cancel)))
    }

    /// The exact overlap of 2–3 queries over one entity, in one statement.
    pub fn overlap(&self, queries: &[Query], cancel: &AtomicBool) -> Result<Overlap> {
        let n = queries.len();
        let statements = queries
            .iter()
            .map(|q| segment_sql::build_output(q, Output::Keys { limit: ALL_ROWS }, &Postgres))
            .collect::<segment_sql::Result<Vec<_>>>()?;
        let (texts, params) = run::combine(&statements);
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
        for row in &rows {
            let mask = usize::try_from(self.integer(row, 0)?).unwrap_or(usize::MAX);
            let count = self.integer(row, 1)?;
            *exact
                .get_mut(mask)
                .ok_or_else(|| self.unexpected("an unknown region"))? = count;
        }
        let total = self.total(&queries[0].entity.name)?;
        Ok(Overlap::from_regions(&exact, n, total))
    }
}

/// A list of keys bound as ONE array parameter: integers as `bigint[]`, anything else as
/// `text[]` compared with the key as text.
pub(crate) enum KeyList {
    Integers(Vec<i64>),
    Texts(Vec<String>),
}

type Compare = Box<dyn Fn(&str) -> String>;

fn key_list(keys: &[Value], index: usize) -> (KeyList, Compare) {
    let integers: Option<Vec<i64>> = keys.iter().map(Value::as_i64).collect();
    match integers {
        Some(ints) => (
            KeyList::Integers(ints),
            Box::new(move |k: &str| format!("{k} = ANY(${index})")),
        ),
        None => (
            KeyList::Texts(
                keys.iter()
                    .map(|k| match k {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect(),
            ),
            Box::new(move |k: &str| format!("CAST({k} AS text) = ANY(${index})")),
        ),
    }
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

/// A key or value of a result row as JSON (integers exactly; text as text).
fn value_of(row: &Row, i: usize) -> Value {
    let ty = row.columns().get(i).map(|c| c.type_().clone());
    match ty {
        Some(Type::INT2) => row
            .try_get::<_, Option<i16>>(i)
            .ok()
            .flatten()
            .map(Value::from),
        Some(Type::INT4) => row
            .try_get::<_, Option<i32>>(i)
            .ok()
            .flatten()
            .map(Value::from),
        Some(Type::INT8) => row
            .try_get::<_, Option<i64>>(i)
            .ok()
            .flatten()
            .map(Value::from),
        Some(Type::FLOAT4) => row
            .try_get::<_, Option<f32>>(i)
            .ok()
            .flatten()
            .map(|f| Value::from(f64::from(f))),
        Some(Type::FLOAT8) => row
            .try_get::<_, Option<f64>>(i)
            .ok()
            .flatten()
            .map(Value::from),
        _ => row
            .try_get::<_, Option<String>>(i)
            .ok()
            .flatten()
            .map(Value::String),
    }
    .unwrap_or(Value::Null)
}
