//! Where the records are: the [`Backend`] trait every data source implements (counts, keys and
//! records through its SQL), and the local SQLite file. A warehouse plugs in as another
//! implementation; the front ends only ever hold a `dyn Backend`.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use segment_engine::explain::{Key, Overlap};
use segment_model::ir::Query;
use segment_model::Schema;
use segment_source::{CancelToken, CountResult, DataSource};
use serde_json::Value;

use crate::engine_cache::{EngineLoad, Stamp};
use crate::error::Result;

/// A data source the service counts on.
pub trait Backend: Send + Sync {
    /// Where the data is, for people (a file path, a server's address).
    fn location(&self) -> String;
    /// The schema segments are checked against (with confirmed relationships applied).
    fn schema(&self) -> &Schema;
    /// What a warehouse's tables are known by in the sidecar store (`None`: a local file,
    /// known by its path).
    fn warehouse_key(&self) -> Option<segment_import::WarehouseKey> {
        None
    }
    /// The data's natural "now" (Unix seconds), e.g. the demo data's end date.
    fn default_now(&self) -> Option<i64> {
        None
    }
    /// The matching and total records of `query`, stopped early when `token` is cancelled.
    fn count(&self, query: &Query, token: &CancelToken) -> Result<CountResult>;
    /// The keys of up to `limit` matching records, in key order.
    fn matching_keys(&self, query: &Query, limit: u64, token: &CancelToken) -> Result<Vec<Value>>;
    /// All records of `entity`.
    fn total(&self, entity: &str) -> Result<u64>;
    /// The records of `entity` with these key values, as JSON objects in the keys' order.
    fn records(&self, entity: &str, key: &str, keys: &[Value]) -> Result<Vec<Value>>;
    /// For each of `keys`, whether its record matches `query` (the nodes a sample met, in SQL).
    fn keys_matching(
        &self,
        query: &Query,
        keys: &[Value],
        token: &CancelToken,
    ) -> Result<Vec<bool>>;
    /// The exact overlap of 2–3 queries over the same entity, in SQL.
    fn overlap(&self, queries: &[Query], token: &CancelToken) -> Result<Overlap>;
    /// The matching records of each of `queries` (one entity). A warehouse answers in one
    /// round trip; by default one count each.
    fn counts(&self, queries: &[Query], token: &CancelToken) -> Result<Vec<u64>> {
        queries
            .iter()
            .map(|q| Ok(self.count(q, token)?.count))
            .collect()
    }
    /// The version of the data where the location alone cannot tell (a file's modification
    /// time): remembered counts of another version are not reused.
    fn data_version(&self) -> Option<String> {
        None
    }
    /// Every matching key in key order, handed to `take` about `batch` keys at a time (member
    /// lists for freeze). A warehouse streams them as its server sends them (a PostgreSQL
    /// cursor, Spark's Arrow batches); by default one list cut into batches.
    fn each_key_batch(
        &self,
        query: &Query,
        batch: usize,
        token: &CancelToken,
        take: &mut dyn FnMut(Vec<Value>),
    ) -> Result<()> {
        let keys = self.matching_keys(query, i64::MAX as u64, token)?;
        for chunk in keys.chunks(batch.max(1)) {
            take(chunk.to_vec());
        }
        Ok(())
    }
    /// Statistics of every table (the schema browser's numbers), read where the data is; a
    /// large warehouse table from a sample (`warehouse_stats`). A local file's are
    /// `segment_import::stats`' (with its labels), so by default none here.
    /// The distinct child keys sampled for a proposed relationship and the share found in the
    /// parent, checked where the data is (a warehouse's; a file's are `segment_import`'s).
    fn link_match(&self, _link: &segment_import::Link) -> Result<(u64, f64)> {
        Err(crate::Error::EngineUnavailable(
            "a local file's relationships are checked with segment_import::relate".into(),
        ))
    }
    fn stats(
        &self,
        _limits: crate::warehouse_stats::SampleLimits,
        _token: &CancelToken,
    ) -> Result<Vec<segment_import::stats::EntityStats>> {
        Err(crate::Error::EngineUnavailable(
            "statistics of a local file are read with segment_import::stats".into(),
        ))
    }
    /// How to load this data into the in-memory engine; `None` when it stays where it is (a
    /// warehouse: every count pushed down as SQL).
    fn engine_load(&self) -> Option<EngineLoad> {
        None
    }
    /// The SQL dialect this source runs (what the SQL pane and the CLI's `sql` show by default).
    fn sql_dialect(&self) -> crate::registry::SqlDialect {
        crate::registry::SqlDialect::Sqlite
    }
    /// Every row of a read-only statement in this source's dialect ([`Backend::sql_dialect`])
    /// built by the audience tools (breakdowns, split balance), values bound, each value as a
    /// dialect-neutral [`segment_sql::SqlCell`]. A backend that runs no such statement refuses.
    fn select_rows(
        &self,
        _statement: &segment_sql::Statement,
        _token: &CancelToken,
    ) -> Result<Vec<Vec<segment_sql::SqlCell>>> {
        Err(crate::Error::EngineUnavailable(format!(
            "{} does not run breakdown statements",
            self.location()
        )))
    }
}

/// A local SQLite file, opened read-only and sandboxed, with the sidecar's relationships, time
/// columns and labels applied to its schema.
pub struct SqliteBackend {
    path: PathBuf,
    /// One statement at a time on the connection.
    source: Mutex<DataSource>,
    /// Shared with the engine's background loads (cloning it per preview would copy it).
    schema: Arc<Schema>,
    /// Hashed once: the engine cache compares it on every preview.
    schema_hash: u64,
    default_now: Option<i64>,
}

impl SqliteBackend {
    /// Opens `path` with what `store` keeps for it (nothing when `store` is `None`).
    pub fn open(path: &Path, store: Option<&segment_import::Store>) -> Result<Self> {
        let opened = segment_import::open(path, store)?;
        Ok(SqliteBackend {
            path: path.to_path_buf(),
            default_now: opened.source.suggested_now(),
            source: Mutex::new(opened.source),
            schema_hash: schema_hash(&opened.schema),
            schema: Arc::new(opened.schema),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn source(&self) -> std::sync::MutexGuard<'_, DataSource> {
        self.source.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Backend for SqliteBackend {
    fn location(&self) -> String {
        self.path.display().to_string()
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn default_now(&self) -> Option<i64> {
        self.default_now
    }

    fn count(&self, query: &Query, token: &CancelToken) -> Result<CountResult> {
        Ok(self.source().count_cancellable(query, token)?)
    }

    fn matching_keys(&self, query: &Query, limit: u64, token: &CancelToken) -> Result<Vec<Value>> {
        let keys = self.source().matching_keys(query, limit, Some(token))?;
        Ok(keys.into_iter().filter_map(key_json).collect())
    }

    fn total(&self, entity: &str) -> Result<u64> {
        Ok(self.source().total(entity)?)
    }

    fn records(&self, entity: &str, key: &str, keys: &[Value]) -> Result<Vec<Value>> {
        let source = self.source();
        Ok(segment_source::engine::records_by_key(
            &source,
            entity,
            key,
            keys.iter().filter_map(engine_key),
        )?)
    }

    fn keys_matching(
        &self,
        query: &Query,
        keys: &[Value],
        token: &CancelToken,
    ) -> Result<Vec<bool>> {
        let keys: Vec<rusqlite::types::Value> = keys.iter().map(sql_key).collect();
        Ok(segment_source::keys_matching(
            &self.source(),
            query,
            &keys,
            Some(token),
        )?)
    }

    fn overlap(&self, queries: &[Query], token: &CancelToken) -> Result<Overlap> {
        Ok(segment_source::overlap_counts(
            &self.source(),
            queries,
            Some(token),
        )?)
    }

    fn select_rows(
        &self,
        statement: &segment_sql::Statement,
        token: &CancelToken,
    ) -> Result<Vec<Vec<segment_sql::SqlCell>>> {
        let params = segment_source::bind_values(&statement.params);
        let rows =
            segment_source::select_rows(&self.source(), &statement.sql, &params, Some(token))?;
        Ok(rows
            .into_iter()
            .map(|row| row.into_iter().map(sqlite_cell).collect())
            .collect())
    }

    fn data_version(&self) -> Option<String> {
        let modified = std::fs::metadata(&self.path)
            .and_then(|m| m.modified())
            .ok()?;
        let since = modified.duration_since(std::time::UNIX_EPOCH).ok()?;
        Some(since.as_nanos().to_string())
    }

    fn engine_load(&self) -> Option<EngineLoad> {
        let path = self.path.clone();
        let schema = Arc::clone(&self.schema);
        let stamp = Stamp {
            location: self.location(),
            modified: std::fs::metadata(&path).and_then(|m| m.modified()).ok(),
            schema_hash: self.schema_hash,
        };
        let snapshot = crate::snapshots::SnapshotSource {
            file: path.clone(),
            schema: Arc::clone(&schema),
        };
        Some(EngineLoad {
            stamp,
            snapshot: Some(snapshot),
            run: Box::new(move |progress, budget| {
                let source = DataSource::open_read_only(&path).map_err(|e| e.to_string())?;
                segment_source::engine::load_dataset_within(&source, &schema, progress, budget)
                    .map_err(|e| e.to_string())
            }),
        })
    }
}

pub(crate) fn schema_hash(schema: &Schema) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    serde_json::to_string(schema)
        .unwrap_or_default()
        .hash(&mut hasher);
    hasher.finish()
}

/// A SQLite value as a dialect-neutral cell (a BLOB has no reading here: NULL).
fn sqlite_cell(value: rusqlite::types::Value) -> segment_sql::SqlCell {
    use rusqlite::types::Value as V;
    use segment_sql::SqlCell as C;
    match value {
        V::Null | V::Blob(_) => C::Null,
        V::Integer(i) => C::Integer(i),
        V::Real(f) => C::Real(f),
        V::Text(s) => C::Text(s),
    }
}

/// A result cell as a record key (JSON): integers and text exactly; decimals and whole reals
/// as integers when they are whole (a key read from a warehouse as `numeric`).
pub fn cell_key(cell: &segment_sql::SqlCell) -> Option<Value> {
    use segment_sql::SqlCell as C;
    match cell {
        C::Text(s) => Some(Value::String(s.clone())),
        C::Null | C::Boolean(_) | C::Date(_) | C::Timestamp(_) => None,
        other => match other.as_i64() {
            Some(i) => Some(Value::from(i)),
            None => other
                .as_f64()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number),
        },
    }
}

/// A record key as JSON: integers and text exactly; reals as numbers.
pub fn key_json(key: rusqlite::types::Value) -> Option<Value> {
    match key {
        rusqlite::types::Value::Integer(i) => Some(Value::from(i)),
        rusqlite::types::Value::Text(s) => Some(Value::String(s)),
        rusqlite::types::Value::Real(f) => serde_json::Number::from_f64(f).map(Value::Number),
        rusqlite::types::Value::Null | rusqlite::types::Value::Blob(_) => None,
    }
}

/// A JSON key as the engine's key.
fn engine_key(key: &Value) -> Option<Key> {
    match key {
        Value::Number(n) => n
            .as_i64()
            .map(Key::Int)
            .or_else(|| n.as_f64().map(Key::Real)),
        Value::String(s) => Some(Key::Text(s.clone())),
        _ => None,
    }
}

/// A JSON key as a SQLite value (bound as a parameter).
fn sql_key(key: &Value) -> rusqlite::types::Value {
    use rusqlite::types::Value as V;
    match key {
        Value::Number(n) => n
            .as_i64()
            .map(V::Integer)
            .or_else(|| n.as_f64().map(V::Real))
            .unwrap_or(V::Null),
        Value::String(s) => V::Text(s.clone()),
        _ => V::Null,
    }
}

/// A key as a member identifier (static segments store text).
pub fn key_text(key: &Value) -> Option<String> {
    match key {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
