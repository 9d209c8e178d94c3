//! A SQLite file opened read-only, sandboxed and tuned for counting.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusqlite::types::Value;
use rusqlite::{Connection, InterruptHandle, OpenFlags};
use segment_model::ir::Query;
use segment_model::Schema;
use segment_sql::{Output, SqlValue, Sqlite};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::introspect::{introspect, quote_ident};
use crate::sandbox;

/// Memory-map at least this much of the file (more when the file is larger), so counts read
/// pages straight from the OS cache.
const MIN_MMAP_BYTES: u64 = 256 << 20;
/// Page cache size in KiB (negative in the pragma): large, allocated only as used.
const CACHE_KIB: i64 = 256 << 10;
/// How many SQLite VM steps run between two checks of a cancellation token.
const CANCEL_CHECK_STEPS: i32 = 1000;

/// Limits on every statement run on a data source (counts, sample keys, totals): raw SQL
/// conditions are user code and must not run for minutes or take the machine's memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// A statement running longer fails with [`Error::TimeLimit`] (checked every few thousand
    /// SQLite VM steps).
    pub time: Duration,
    /// SQLite heap a statement may take (process-wide, see `sandbox::HeapLimit`), beyond which
    /// it fails with [`Error::MemoryLimit`]; one string or blob may take at most half of it.
    pub heap_bytes: u64,
}

impl Limits {
    /// Far above what a compiled count needs (they take milliseconds to a few seconds), well
    /// below what a runaway raw SQL condition would take.
    pub const DEFAULT: Limits = Limits {
        time: Duration::from_secs(60),
        heap_bytes: 1 << 30,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// The result of a count: matching records and all records of the entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CountResult {
    pub count: u64,
    pub total: u64,
}

/// A cancellation flag for one count; cancelling makes that count return [`Error::Cancelled`]
/// within a few thousand SQLite VM steps. Cheap to clone and to share across threads.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> Self {
        CancelToken::default()
    }
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
    /// The flag itself, for the count engine's `Evaluator::with_cancel`.
    pub fn flag(&self) -> &AtomicBool {
        &self.0
    }
}

/// Interrupts whatever statement the data source is running right now, from any thread (a
/// no-op when it runs none). The interrupted count returns [`Error::Cancelled`].
#[derive(Clone)]
pub struct Interrupter(Arc<InterruptHandle>);

impl Interrupter {
    pub fn interrupt(&self) {
        self.0.interrupt();
    }
}

impl std::fmt::Debug for Interrupter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Interrupter")
    }
}

/// A SQLite file opened read-only: its schema, and counts of segments over it.
///
/// The connection is read-only at every level: opened with `SQLITE_OPEN_READ_ONLY` (creating
/// nothing beside the file, see [`open_read_only_connection`]), `PRAGMA query_only`, and an
/// authorizer that allows only reading (see `sandbox`).
pub struct DataSource {
    conn: Connection,
    path: PathBuf,
    schema: Schema,
    application_id: i64,
    user_version: i64,
    totals: Mutex<HashMap<String, u64>>,
    interrupter: Interrupter,
    limits: Limits,
}

impl std::fmt::Debug for DataSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataSource")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl DataSource {
    /// Opens a SQLite file read-only and reads its schema.
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let meta = match std::fs::metadata(&path) {
            Ok(meta) => meta,
            Err(_) => return Err(Error::NotFound { path }),
        };
        if !meta.is_file() {
            return Err(Error::NotADatabase { path });
        }
        let open_err = |source: rusqlite::Error| match source.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => Error::NotADatabase { path: path.clone() },
            // A log with pages not yet in the file needs its `-shm` index, which SQLite could
            // neither find nor create: the folder is not writable.
            Some(rusqlite::ErrorCode::CannotOpen) if has_pending_log(&path) => {
                Error::PendingLog { path: path.clone() }
            }
            _ => Error::Open {
                path: path.clone(),
                source,
            },
        };
        let conn = open_read_only_connection(&path).map_err(open_err)?;
        // Reading the header first tells a non-database file apart before anything else.
        let application_id: i64 = conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(open_err)?;
        let user_version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(open_err)?;
        let mmap = meta.len().saturating_add(64 << 20).max(MIN_MMAP_BYTES);
        conn.execute_batch(&format!(
            "PRAGMA query_only = ON; PRAGMA mmap_size = {mmap}; PRAGMA cache_size = -{CACHE_KIB}; \
             PRAGMA temp_store = MEMORY;"
        ))
        .map_err(open_err)?;
        sandbox::register_functions(&conn).map_err(open_err)?;
        let schema = introspect(&conn).map_err(|source| match source.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => Error::NotADatabase { path: path.clone() },
            _ => Error::Schema {
                path: path.clone(),
                source,
            },
        })?;
        sandbox::install_authorizer(&conn);
        sandbox::set_length_limit(&conn, Limits::DEFAULT.heap_bytes / 2);
        let interrupter = Interrupter(Arc::new(conn.get_interrupt_handle()));
        Ok(DataSource {
            conn,
            path,
            schema,
            application_id,
            user_version,
            totals: Mutex::new(HashMap::new()),
            interrupter,
            limits: Limits::DEFAULT,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The sandboxed read-only connection, for other read queries (samples, distinct values).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The limits every statement on this data source runs under.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Changes the limits of the statements run from now on.
    pub fn set_limits(&mut self, limits: Limits) {
        sandbox::set_length_limit(&self.conn, limits.heap_bytes / 2);
        self.limits = limits;
    }

    /// A handle that interrupts the statement running on this data source, from another thread.
    pub fn interrupter(&self) -> Interrupter {
        self.interrupter.clone()
    }

    /// For the built-in demo data, the instant it was generated as of (Unix seconds): the natural
    /// "evaluate as of" for relative dates, since the data does not move with the wall clock.
    pub fn suggested_now(&self) -> Option<i64> {
        crate::demo::anchor_of(self.application_id, self.user_version)
    }

    /// Counts the records matching `query` and all records of its entity.
    pub fn count(&self, query: &Query) -> Result<CountResult> {
        self.count_impl(query, None)
    }

    /// [`DataSource::count`], stopped with [`Error::Cancelled`] as soon as `cancel` is cancelled
    /// (checked every few thousand SQLite steps, and before starting).
    pub fn count_cancellable(&self, query: &Query, cancel: &CancelToken) -> Result<CountResult> {
        self.count_impl(query, Some(cancel))
    }

    fn count_impl(&self, query: &Query, cancel: Option<&CancelToken>) -> Result<CountResult> {
        let statement = segment_sql::build(query, &Sqlite)?;
        let count = self.count_sql(&statement.sql, &bind_values(&statement.params), cancel)?;
        let total = self.total(&query.entity.name)?;
        Ok(CountResult { count, total })
    }

    /// The keys of up to `limit` records matching `query`, in key order (sample records).
    pub fn matching_keys(
        &self,
        query: &Query,
        limit: u64,
        cancel: Option<&CancelToken>,
    ) -> Result<Vec<Value>> {
        let statement = segment_sql::build_output(query, Output::Keys { limit }, &Sqlite)?;
        self.with_cancel(cancel, || {
            let mut stmt = self
                .conn
                .prepare_cached(&statement.sql)
                .map_err(Error::from_query)?;
            let rows = stmt
                .query_map(
                    rusqlite::params_from_iter(bind_values(&statement.params).iter()),
                    |r| r.get::<_, Value>(0),
                )
                .map_err(Error::from_query)?;
            rows.collect::<rusqlite::Result<Vec<Value>>>()
                .map_err(Error::from_query)
        })
    }

    /// The readable SQL of the count of `query` (values inlined), as SQLite runs it.
    pub fn display_sql(query: &Query) -> Result<String> {
        Ok(segment_sql::display(query, &Sqlite)?)
    }

    /// The number of records of an entity (cached: the file is opened read-only).
    pub fn total(&self, entity: &str) -> Result<u64> {
        if let Some(n) = self.totals.lock().ok().and_then(|t| t.get(entity).copied()) {
            return Ok(n);
        }
        if self.schema.entity(entity).is_none() {
            return Err(Error::UnknownEntity(entity.to_string()));
        }
        let n = self.count_sql(
            &format!("SELECT count(*) FROM {}", quote_ident(entity)),
            &[],
            None,
        )?;
        if let Ok(mut totals) = self.totals.lock() {
            totals.insert(entity.to_string(), n);
        }
        Ok(n)
    }

    /// Runs a statement returning one count (first column of the first row) with bound
    /// parameters, inside the sandbox; `cancel` makes it stop early with [`Error::Cancelled`].
    pub fn count_sql(
        &self,
        sql: &str,
        params: &[Value],
        cancel: Option<&CancelToken>,
    ) -> Result<u64> {
        self.with_cancel(cancel, || self.run_count(sql, params))
    }

    /// Runs `run` under the data source's limits (time through the progress handler, memory
    /// through the heap limit) and `cancel`; a stop becomes [`Error::Cancelled`],
    /// [`Error::TimeLimit`] or [`Error::MemoryLimit`].
    fn with_cancel<T>(
        &self,
        cancel: Option<&CancelToken>,
        run: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        if cancel.is_some_and(CancelToken::is_cancelled) {
            return Err(Error::Cancelled);
        }
        let limits = self.limits;
        let start = Instant::now();
        let timed_out = Arc::new(AtomicBool::new(false));
        let watched = cancel.cloned();
        let flag = Arc::clone(&timed_out);
        self.conn.progress_handler(
            CANCEL_CHECK_STEPS,
            Some(move || {
                if watched.as_ref().is_some_and(CancelToken::is_cancelled) {
                    return true;
                }
                if start.elapsed() >= limits.time {
                    flag.store(true, Ordering::SeqCst);
                    return true;
                }
                false
            }),
        );
        let heap = sandbox::HeapLimit::enter(limits.heap_bytes);
        let result = run();
        drop(heap);
        self.conn.progress_handler(0, None::<fn() -> bool>);
        result.map_err(|e| match e {
            Error::Cancelled if timed_out.load(Ordering::SeqCst) => Error::TimeLimit(limits.time),
            Error::Query { source }
                if matches!(
                    source.sqlite_error_code(),
                    Some(rusqlite::ErrorCode::OutOfMemory | rusqlite::ErrorCode::TooBig)
                ) =>
            {
                Error::MemoryLimit(limits.heap_bytes)
            }
            other => other,
        })
    }

    fn run_count(&self, sql: &str, params: &[Value]) -> Result<u64> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(Error::from_query)?;
        let n: i64 = stmt
            .query_row(rusqlite::params_from_iter(params.iter()), |r| r.get(0))
            .map_err(Error::from_query)?;
        u64::try_from(n).map_err(|_| Error::Internal(format!("the count statement returned {n}")))
    }
}

/// The keys of up to `limit` records matching `query`, first by key, computed in SQL: works
/// for every segment the SQL path counts, raw SQL conditions included (the in-memory engine
/// cannot run those). Same as [`DataSource::matching_keys`].
pub fn sample_keys(
    source: &DataSource,
    query: &Query,
    limit: u64,
    cancel: Option<&CancelToken>,
) -> Result<Vec<Value>> {
    source.matching_keys(query, limit, cancel)
}

/// Keys bound in one `IN (…)` list: far below SQLite's parameter limit.
const KEYS_PER_STATEMENT: usize = 500;

/// For each of `keys` (in order), whether its record matches `query`, computed in SQL: which
/// nodes a sample record met, for segments the in-memory engine cannot run. Keys compare as
/// SQLite compares them (an integer key matches `Value::Integer`, not the same digits as text).
pub fn keys_matching(
    source: &DataSource,
    query: &Query,
    keys: &[Value],
    cancel: Option<&CancelToken>,
) -> Result<Vec<bool>> {
    let all = segment_sql::build_output(query, Output::Keys { limit: ALL_ROWS }, &Sqlite)?;
    let mut matched = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(KEYS_PER_STATEMENT) {
        let marks = vec!["?"; chunk.len()].join(", ");
        // The segment's own statement, unchanged, as a CTE: its parameters bind first, then
        // the keys.
        let sql = format!(
            "WITH s(k) AS ({}) SELECT k FROM s WHERE k IN ({marks})",
            all.sql
        );
        let mut params = bind_values(&all.params);
        params.extend(chunk.iter().cloned());
        let found = source.with_cancel(cancel, || {
            let mut stmt = source.conn.prepare(&sql).map_err(Error::from_query)?;
            let rows = stmt
                .query_map(rusqlite::params_from_iter(params.iter()), |r| {
                    r.get::<_, Value>(0)
                })
                .map_err(Error::from_query)?;
            rows.collect::<rusqlite::Result<Vec<Value>>>()
                .map_err(Error::from_query)
        })?;
        matched.extend(chunk.iter().map(|k| found.contains(k)));
    }
    Ok(matched)
}

/// `LIMIT` of a keys statement that wants every matching key.
const ALL_ROWS: u64 = i64::MAX as u64;

/// The exact overlap of 2–3 segments over the same entity, computed in SQL (for segments the
/// in-memory engine cannot run, such as raw SQL conditions): each segment's count, the count of
/// every Venn region (records in exactly the segments listed) and the Jaccard index of each
/// pair — the same result as `segment_engine::explain::overlap`.
///
/// One statement: each segment's compiled keys statement (its values bound as parameters) is a
/// CTE; every key gets the bit mask of the segments it is in (`sum(DISTINCT bit)`, exact even if
/// a key repeated), and records are counted per mask.
pub fn overlap_counts(
    source: &DataSource,
    queries: &[Query],
    cancel: Option<&CancelToken>,
) -> Result<segment_engine::explain::Overlap> {
    use segment_engine::explain::Overlap;
    if !(2..=3).contains(&queries.len()) {
        return Err(Error::Unsupported(format!(
            "an overlap of {} segments (2 or 3)",
            queries.len()
        )));
    }
    if queries.iter().any(|q| q.entity != queries[0].entity) {
        return Err(Error::Unsupported(
            "an overlap of segments over different entities".to_string(),
        ));
    }
    let mut ctes = Vec::new();
    let mut arms = Vec::new();
    let mut params = Vec::new();
    for (i, query) in queries.iter().enumerate() {
        let keys = segment_sql::build_output(query, Output::Keys { limit: ALL_ROWS }, &Sqlite)?;
        ctes.push(format!("s{i}(k) AS ({})", keys.sql));
        arms.push(format!("SELECT k, {} AS bit FROM s{i}", 1u32 << i));
        params.extend(bind_values(&keys.params));
    }
    let sql = format!(
        "WITH {} SELECT mask, count(*) FROM (SELECT k, sum(DISTINCT bit) AS mask FROM ({}) GROUP BY k) GROUP BY mask",
        ctes.join(", "),
        arms.join(" UNION ALL ")
    );
    let n = queries.len();
    let mut exact = vec![0u64; 1 << n];
    let rows = source.with_cancel(cancel, || {
        let mut stmt = source.conn.prepare(&sql).map_err(Error::from_query)?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(params.iter()), |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
            })
            .map_err(Error::from_query)?;
        rows.collect::<rusqlite::Result<Vec<(i64, i64)>>>()
            .map_err(Error::from_query)
    })?;
    for (mask, count) in rows {
        let slot = usize::try_from(mask)
            .ok()
            .and_then(|m| exact.get_mut(m))
            .ok_or_else(|| {
                Error::Internal(format!("the overlap statement returned mask {mask}"))
            })?;
        *slot = u64::try_from(count)
            .map_err(|_| Error::Internal(format!("the overlap statement returned {count}")))?;
    }
    let total = source.total(&queries[0].entity.name)?;
    Ok(Overlap::from_regions(&exact, n, total))
}

/// Opens a user's SQLite file for reading so that nothing is ever created beside it, also in a
/// folder the user cannot write.
///
/// A plain read-only open of a WAL-mode file creates `-shm` and `-wal` files next to it (and
/// fails when it cannot). So:
/// - a WAL-mode file without a `-wal` log (or with an empty one) has everything in the main
///   file: it is opened `immutable=1`, which takes no locks and needs no `-shm`. The file is
///   then assumed not to change while open: a program that starts writing it meanwhile is not
///   seen (reopen to see its changes).
/// - otherwise (a rollback-journal file, or a WAL file whose log holds pages not yet
///   checkpointed, i.e. a writer has it open or left it so) it is opened `mode=ro`, which reads
///   the log and sees concurrent commits; rollback-journal files get nothing beside them, WAL
///   files use the writer's existing `-shm`. A log left without its `-shm` in a folder that
///   cannot be written cannot be read: that is [`Error::PendingLog`] (reading the file without
///   its log would silently miss committed data).
pub fn open_read_only_connection(path: &Path) -> rusqlite::Result<Connection> {
    let immutable = is_wal_without_log(path);
    let uri = file_uri(path, if immutable { "immutable=1" } else { "mode=ro" });
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    Connection::open_with_flags(uri, flags)
}

/// Whether a non-empty `-wal` log lies beside `path`.
fn has_pending_log(path: &Path) -> bool {
    let mut log = path.as_os_str().to_os_string();
    log.push("-wal");
    std::fs::metadata(PathBuf::from(log)).is_ok_and(|m| m.len() > 0)
}

/// Whether `path` is a WAL-mode SQLite file whose `-wal` log is absent or empty.
fn is_wal_without_log(path: &Path) -> bool {
    use std::io::Read;
    let mut header = [0u8; 20];
    let read = std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut header));
    // Bytes 18 and 19 of the header (file format write/read versions) are 2 in WAL mode.
    let wal = read.is_ok() && header.starts_with(b"SQLite format 3\0") && header[18] == 2;
    wal && !has_pending_log(path)
}

/// A SQLite `file:` URI for `path` with a query string; every byte outside a safe set is
/// percent-encoded, so `?`, `#` and `%` in names stay part of the path.
fn file_uri(path: &Path, query: &str) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    #[cfg(unix)]
    let bytes = {
        use std::os::unix::ffi::OsStrExt;
        absolute.as_os_str().as_bytes().to_vec()
    };
    #[cfg(not(unix))]
    let bytes = {
        let text = absolute.to_string_lossy().replace('\\', "/");
        let text = if text.starts_with('/') {
            text
        } else {
            format!("/{text}")
        };
        text.into_bytes()
    };
    let mut uri = String::from("file:");
    for b in bytes {
        if b.is_ascii_alphanumeric() || b"/-._~:".contains(&b) {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push('?');
    uri.push_str(query);
    uri
}

/// segment-sql's parameter values as rusqlite values.
pub fn bind_values(params: &[SqlValue]) -> Vec<Value> {
    params
        .iter()
        .map(|p| match p {
            SqlValue::Null => Value::Null,
            SqlValue::Integer(i) => Value::Integer(*i),
            SqlValue::Real(f) => Value::Real(*f),
            SqlValue::Text(s) => Value::Text(s.clone()),
        })
        .collect()
}

/// Every row of a read-only statement (values bound), under the data source's limits and
/// `cancel`: the grouped and per-member statements of breakdowns and splits.
pub fn select_rows(
    source: &DataSource,
    sql: &str,
    params: &[Value],
    cancel: Option<&CancelToken>,
) -> Result<Vec<Vec<Value>>> {
    source.with_cancel(cancel, || {
        let mut stmt = source.conn.prepare(sql).map_err(Error::from_query)?;
        let width = stmt.column_count();
        let rows = stmt
            .query_map(rusqlite::params_from_iter(params.iter()), |r| {
                (0..width).map(|i| r.get::<_, Value>(i)).collect()
            })
            .map_err(Error::from_query)?;
        rows.collect::<rusqlite::Result<Vec<Vec<Value>>>>()
            .map_err(Error::from_query)
    })
}
