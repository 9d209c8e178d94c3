//! The local segment library: one SQLite file per user holding saved segments with every
//! revision, their count history, static memberships with their change log, and evaluations.
//!
//! Every write is one IMMEDIATE transaction on a WAL database with `synchronous=FULL`: a crash
//! or a kill at any moment leaves each save either complete or absent. Two processes (the app
//! and the CLI) can use the same file at once; writers wait for each other (busy timeout).
//! Every value is bound as a parameter; ids and names are data, never SQL.
//!
//! Modules: [`migrations`] (versioned schema), `segments` (save, get, list, delete), `history`
//! (revisions, diff, restore), [`diff`] (structural tree diff, pure), `counts` (count history),
//! `members` (memberships, change log, freeze, evaluations), [`commands`] (bulk NDJSON/CSV
//! membership commands), [`files`] (one canonical JSON file per segment).

pub mod commands;
mod connections;
mod counts;
pub mod diff;
mod error;
pub mod files;
mod history;
mod members;
pub mod migrations;
mod model;
mod references;
mod segments;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

pub use connections::ConnectionProfile;
pub use counts::CountInput;
pub use diff::{ChangeKind, CountChange, FieldChange, RevisionDiff, TreeChange};
pub use error::{clip, quoted, Error, LineProblem, Result};
pub use members::{AddOptions, EvaluationDiff, EvaluationInfo, MembersOutcome, MembershipFilter};
pub use model::*;
pub use references::Usage;
pub use segments::{ListQuery, SortField};

/// How long a writer waits for another process's transaction before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Page cache size in KiB.
const CACHE_KIB: i64 = 64 << 10;

type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// An open segment library.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    clock: Clock,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// The file's application id and how many schema objects it has, read in one snapshot.
fn header(conn: &mut Connection) -> rusqlite::Result<(i64, i64)> {
    let tx = conn.transaction()?;
    let app: i64 = tx.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let tables: i64 = tx.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
    tx.commit()?;
    Ok((app, tables))
}

/// Switches the file to WAL. The switch can fail with "busy" at once, without the busy
/// handler, while another process is creating the same library: it is retried, up to the busy
/// timeout.
fn use_wal(conn: &Connection) -> rusqlite::Result<String> {
    let started = std::time::Instant::now();
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)) {
            Err(e)
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                    && started.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            other => return other,
        }
    }
}

impl Store {
    /// Opens the library at `path`, creating it (and its folder) if absent, and migrates it to
    /// the current schema.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| Error::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let open_err = |source: rusqlite::Error| match source.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => Error::NotAStore { path: path.clone() },
            _ => Error::Open {
                path: path.clone(),
                source,
            },
        };
        let mut conn = Connection::open_with_flags(&path, flags).map_err(open_err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        // The header tells a foreign SQLite file apart before anything is written to it. Both
        // are read in one transaction: another process may create the library in between, and
        // its tables without its id would look like another application's file.
        let (app, tables) = header(&mut conn).map_err(open_err)?;
        if app != migrations::APPLICATION_ID && (app != 0 || tables > 0) {
            return Err(Error::NotAStore { path });
        }
        let mode = use_wal(&conn).map_err(open_err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::Corrupt(format!(
                "cannot switch {} to WAL (journal mode {mode})",
                path.display()
            )));
        }
        // A page cache large enough for bulk membership writes (allocated only as used).
        conn.execute_batch(&format!(
            "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -{CACHE_KIB}; PRAGMA temp_store = MEMORY;"
        ))
        .map_err(open_err)?;
        let found = migrations::version(&conn)?;
        if found > migrations::LATEST {
            return Err(Error::TooNew {
                path,
                found,
                supported: migrations::LATEST,
            });
        }
        migrations::migrate(&mut conn).map_err(|e| match e {
            Error::Sqlite(source) => open_err(source),
            other => other,
        })?;
        Ok(Store {
            conn,
            path,
            clock: Arc::new(Utc::now),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Replaces the clock (tests pin time with it).
    pub fn set_clock(&mut self, clock: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) {
        self.clock = Arc::new(clock);
    }

    /// The connection, for read-only checks (integrity, tests).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// `PRAGMA integrity_check` and the foreign keys: `Ok(())` or what is wrong.
    pub fn check_integrity(&self) -> Result<()> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let lines: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if lines != ["ok"] {
            return Err(Error::Corrupt(lines.join("; ")));
        }
        let broken: i64 =
            self.conn
                .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                    r.get(0)
                })?;
        if broken > 0 {
            return Err(Error::Corrupt(format!(
                "{broken} row(s) refer to missing rows"
            )));
        }
        Ok(())
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// Runs `f` in one IMMEDIATE transaction: all of it is committed, or none of it.
    pub(crate) fn write<T>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>, DateTime<Utc>) -> Result<T>,
    ) -> Result<T> {
        let now = self.now();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx, now)?;
        tx.commit()?;
        Ok(value)
    }

    /// Runs `f` in one read transaction (a consistent snapshot).
    pub(crate) fn read<T>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>, DateTime<Utc>) -> Result<T>,
    ) -> Result<T> {
        let now = self.now();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Deferred)?;
        let value = f(&tx, now)?;
        tx.finish()?;
        Ok(value)
    }
}

/// The stored spelling of an instant: RFC 3339 UTC with milliseconds (sorts as text).
pub fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parses a user-typed date or instant (`2026-11-01`, RFC 3339…) to the stored spelling.
pub fn parse_instant(field: &str, text: &str) -> Result<String> {
    segment_model::time::parse_moment(text)
        .map(|m| stamp(m.start()))
        .ok_or_else(|| {
            Error::invalid(
                field,
                format!(
                    "{} is not an ISO-8601 date or date-time",
                    crate::error::quoted(text)
                ),
            )
        })
}
