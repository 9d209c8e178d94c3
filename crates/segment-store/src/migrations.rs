//! Versioned schema migrations. The schema version is SQLite's `user_version`; each migration
//! runs in its own IMMEDIATE transaction that also bumps the version, so a crash leaves the file
//! at the previous version or the next, never in between, and two processes opening the same
//! file at once migrate it once.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::Result;

/// Marks a SQLite file as a segment library (`PRAGMA application_id`): "SgLb".
pub const APPLICATION_ID: i64 = 0x5367_4c62;

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration, in order. Never edit a released one: add a new one.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "segments and their revisions",
        sql: r#"
CREATE TABLE segments (
    id            TEXT PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL,
    segment_type  TEXT NOT NULL CHECK (segment_type IN ('STATIC', 'DYNAMIC')),
    status        TEXT NOT NULL CHECK (status IN ('ACTIVE', 'INACTIVE')),
    scope         TEXT NOT NULL CHECK (scope IN ('USER', 'PROJECT')),
    author_id     TEXT,
    author_name   TEXT,
    entity        TEXT,
    data_source   TEXT,
    definition    TEXT,
    revision      INTEGER NOT NULL CHECK (revision >= 0),
    date_created  TEXT NOT NULL,
    date_modified TEXT NOT NULL,
    date_deleted  TEXT
) STRICT;
CREATE TABLE revisions (
    segment_id    TEXT NOT NULL REFERENCES segments (id),
    revision      INTEGER NOT NULL CHECK (revision >= 0),
    action        TEXT NOT NULL,
    restored_from INTEGER,
    date_saved    TEXT NOT NULL,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL,
    segment_type  TEXT NOT NULL,
    status        TEXT NOT NULL,
    scope         TEXT NOT NULL,
    author_id     TEXT,
    author_name   TEXT,
    entity        TEXT,
    data_source   TEXT,
    definition    TEXT,
    PRIMARY KEY (segment_id, revision)
) STRICT, WITHOUT ROWID;
CREATE INDEX segments_by_modified ON segments (date_modified);
"#,
    },
    Migration {
        version: 2,
        name: "count history",
        sql: r#"
CREATE TABLE counts (
    id          INTEGER PRIMARY KEY,
    segment_id  TEXT NOT NULL REFERENCES segments (id),
    revision    INTEGER NOT NULL,
    count       INTEGER NOT NULL CHECK (count >= 0),
    total       INTEGER,
    computed_at TEXT NOT NULL,
    data_source TEXT,
    as_of       TEXT
) STRICT;
CREATE INDEX counts_by_segment ON counts (segment_id, id);
"#,
    },
    Migration {
        version: 3,
        name: "memberships, the membership-change log, evaluations",
        sql: r#"
CREATE TABLE memberships (
    segment_id   TEXT NOT NULL REFERENCES segments (id),
    member       TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('ACTIVE', 'INACTIVE')),
    date_created TEXT NOT NULL,
    date_removed TEXT,
    expires_at   TEXT,
    data_bag     TEXT,
    PRIMARY KEY (segment_id, member)
) STRICT, WITHOUT ROWID;
CREATE TABLE membership_changes (
    segment_id        TEXT NOT NULL REFERENCES segments (id),
    seq               INTEGER NOT NULL,
    member            TEXT NOT NULL,
    operation         TEXT NOT NULL CHECK (operation IN ('ADDED', 'REMOVED')),
    date_changed      TEXT NOT NULL,
    -- NULL when the same as date_changed (every ADDED entry): a third less to write.
    date_first        TEXT,
    individuals_count INTEGER NOT NULL,
    PRIMARY KEY (segment_id, seq)
) STRICT, WITHOUT ROWID;
CREATE TABLE evaluations (
    id           INTEGER PRIMARY KEY,
    segment_id   TEXT NOT NULL REFERENCES segments (id),
    revision     INTEGER NOT NULL,
    computed_at  TEXT NOT NULL,
    as_of        TEXT,
    data_source  TEXT,
    member_count INTEGER NOT NULL
) STRICT;
CREATE TABLE evaluation_members (
    evaluation_id INTEGER NOT NULL REFERENCES evaluations (id),
    member        TEXT NOT NULL,
    PRIMARY KEY (evaluation_id, member)
) STRICT, WITHOUT ROWID;
"#,
    },
    Migration {
        version: 4,
        name: "connection profiles",
        sql: r#"
CREATE TABLE connections (
    name          TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('postgresql', 'spark')),
    url           TEXT NOT NULL,
    schema_name   TEXT,
    date_created  TEXT NOT NULL,
    date_modified TEXT NOT NULL
) STRICT, WITHOUT ROWID;
"#,
    },
];

/// The schema version this build writes.
pub const LATEST: i64 = 4;

pub fn version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Brings the schema up to [`LATEST`].
pub fn migrate(conn: &mut Connection) -> Result<i64> {
    migrate_to(conn, LATEST)
}

/// Applies the migrations up to `target` (tests build every earlier schema with it).
pub fn migrate_to(conn: &mut Connection, target: i64) -> Result<i64> {
    for migration in MIGRATIONS.iter().filter(|m| m.version <= target) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Read inside the write lock: another process may have migrated meanwhile.
        let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if current >= migration.version {
            continue;
        }
        tx.execute_batch(migration.sql)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.pragma_update(None, "user_version", migration.version)?;
        tx.commit()?;
    }
    version(conn)
}
