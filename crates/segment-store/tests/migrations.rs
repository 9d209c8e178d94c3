//! The schema upgrades from every earlier version with the data intact: from the frozen copies of
//! the released schemas (`tests/fixtures/schema-v<N>.sql`, data written once and never edited,
//! so a change to a released migration cannot go unnoticed) and from what today's migrations
//! build. Several processes opening the same file at once migrate it once, without an error.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use rusqlite::{params, Connection};
use segment_store::migrations::{migrate_to, LATEST, MIGRATIONS};
use segment_store::*;

const DEFINITION: &str = "{\n  \"version\": 1,\n  \"root\": {\n    \"combinator\": \"and\",\n    \"children\": []\n  }\n}\n";

/// Rows a library at `version` may hold, written with that version's tables.
fn fill(conn: &Connection, version: i64) {
    if version >= 1 {
        for (id, kind) in [("old_dynamic", "DYNAMIC"), ("old_static", "STATIC")] {
            conn.execute(
                "INSERT INTO segments (id, name, description, segment_type, status, scope, definition, revision, date_created, date_modified) \
                 VALUES (?1, ?1, '', ?2, 'ACTIVE', 'USER', ?3, 0, '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z')",
                params![id, kind, DEFINITION],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO revisions (segment_id, revision, action, date_saved, name, description, segment_type, status, scope, definition) \
                 VALUES (?1, 0, 'create', '2025-01-01T00:00:00.000Z', ?1, '', ?2, 'ACTIVE', 'USER', ?3)",
                params![id, kind, DEFINITION],
            )
            .unwrap();
        }
    }
    if version >= 2 {
        conn.execute(
            "INSERT INTO counts (segment_id, revision, count, total, computed_at) VALUES ('old_dynamic', 0, 42, 100, '2025-01-02T00:00:00.000Z')",
            [],
        )
        .unwrap();
    }
    if version >= 3 {
        conn.execute(
            "INSERT INTO memberships (segment_id, member, status, date_created) VALUES ('old_static', 'm1', 'ACTIVE', '2025-01-01T00:00:00.000Z')",
            [],
        )
        .unwrap();
    }
}

/// Opens the library at `path`, built at version `from` and filled by [`fill`], and checks that
/// it is at the latest version with its data intact and takes new work.
fn check_upgraded(path: &Path, from: i64) {
    let mut store = Store::open(path).unwrap_or_else(|e| panic!("from {from}: {e}"));
    let version: i64 = store
        .connection()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, LATEST);
    store.check_integrity().unwrap();
    assert_eq!(schema_of(store.connection()), schema_of(&frozen(LATEST)));
    if from >= 1 {
        let got = store.get("old_dynamic").unwrap();
        assert_eq!(got.revision, 0);
        assert_eq!(
            got.definition,
            Some(serde_json::from_str(DEFINITION).unwrap())
        );
        assert_eq!(
            got.record_count.map(|c| c.count),
            if from >= 2 { Some(42) } else { None }
        );
        assert_eq!(
            store.individual_count("old_static").unwrap(),
            u64::from(from >= 3)
        );
        // And the upgraded file takes new work.
        let d = SegmentDraft {
            id: "old_dynamic".into(),
            description: Some("upgraded".into()),
            ..Default::default()
        };
        assert_eq!(store.save(&d).unwrap().revision, 1);
        store
            .add_members("old_static", &["m2"], &AddOptions::default())
            .unwrap();
        assert_eq!(
            store.individual_count("old_static").unwrap(),
            1 + u64::from(from >= 3)
        );
    }
    drop(store);
    // Opening again is a no-op.
    Store::open(path).unwrap();
}

#[test]
fn every_earlier_schema_upgrades_with_its_data() {
    assert_eq!(MIGRATIONS.last().unwrap().version, LATEST);
    for (i, m) in MIGRATIONS.iter().enumerate() {
        assert_eq!(m.version, i as i64 + 1, "migrations are numbered 1, 2, 3…");
    }
    for from in 0..=LATEST {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite");
        {
            let mut conn = Connection::open(&path).unwrap();
            assert_eq!(migrate_to(&mut conn, from).unwrap(), from);
            fill(&conn, from);
        }
        check_upgraded(&path, from);
    }
}

fn fixture(version: i64) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/schema-v{version}.sql"))
}

/// An in-memory database built from the frozen copy of the schema at `version`.
fn frozen(version: i64) -> Connection {
    let sql = std::fs::read_to_string(fixture(version))
        .unwrap_or_else(|e| panic!("{}: {e}", fixture(version).display()));
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(&sql).unwrap();
    conn
}

/// Everything a schema is made of, comparable across files: each table's and index's
/// definition, the version and the application id.
fn schema_of(conn: &Connection) -> Vec<String> {
    let mut stmt = conn
        .prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name")
        .unwrap();
    let mut rows: Vec<String> = stmt
        .query_map([], |r| {
            Ok(format!(
                "{} {} on {}: {}",
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?.unwrap_or_default()
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for pragma in ["user_version", "application_id"] {
        let value: i64 = conn
            .query_row(&format!("PRAGMA {pragma}"), [], |r| r.get(0))
            .unwrap();
        rows.push(format!("{pragma} = {value}"));
    }
    rows
}

/// A released migration is never edited: each version's migrations still build exactly its
/// frozen schema, and every version has its frozen copy.
#[test]
fn the_migrations_build_exactly_the_frozen_schemas() {
    for version in 1..=LATEST {
        let mut built = Connection::open_in_memory().unwrap();
        migrate_to(&mut built, version).unwrap();
        assert_eq!(
            schema_of(&built),
            schema_of(&frozen(version)),
            "the migrations up to {version} no longer build {}: released migrations are never \
             edited (add a migration and its frozen schema instead)",
            fixture(version).display()
        );
    }
    assert!(
        !fixture(LATEST + 1).exists(),
        "a frozen schema newer than this build"
    );
}

#[test]
fn every_frozen_schema_upgrades_with_its_data() {
    for from in 1..=LATEST {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("released.sqlite");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(&std::fs::read_to_string(fixture(from)).unwrap())
                .unwrap();
            fill(&conn, from);
        }
        check_upgraded(&path, from);
    }
}

const OPEN_ENV: &str = "SEGMENT_STORE_TEST_OPEN_STORE";
const GO_ENV: &str = "SEGMENT_STORE_TEST_OPEN_GO";

/// One of the processes of the concurrent-migration tests. Not a test on its own: it returns at
/// once without the environment. It waits for the go file, so that all open at the same moment.
#[test]
fn opener() {
    let (Ok(path), Ok(go)) = (std::env::var(OPEN_ENV), std::env::var(GO_ENV)) else {
        return;
    };
    while !Path::new(&go).exists() {
        std::thread::yield_now();
    }
    // libtest has printed "test opener ... " without a line break: start on a line of our own.
    match Store::open(&path) {
        Ok(store) => {
            let version: i64 = store
                .connection()
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .unwrap();
            println!("\nopened at version {version}");
        }
        Err(e) => println!("\nfailed: {e}"),
    }
}

/// Starts `processes` openers of `path` at once; returns what each printed.
fn open_at_once(path: &Path, processes: usize) -> Vec<String> {
    let go = path.with_extension("go");
    let children: Vec<_> = (0..processes)
        .map(|_| {
            Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "opener", "--nocapture", "--test-threads=1"])
                .env(OPEN_ENV, path)
                .env(GO_ENV, &go)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    std::fs::write(&go, b"").unwrap();
    children
        .into_iter()
        .map(|mut child| {
            let mut out = String::new();
            child
                .stdout
                .take()
                .unwrap()
                .read_to_string(&mut out)
                .unwrap();
            assert!(child.wait().unwrap().success(), "{out}");
            out.lines()
                .find(|l| l.starts_with("opened") || l.starts_with("failed"))
                .unwrap_or("no answer")
                .to_string()
        })
        .collect()
}

#[test]
fn processes_opening_a_new_library_at_once_create_it_once() {
    for round in 0..10 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("library.sqlite");
        let answers = open_at_once(&path, 4);
        let expected = format!("opened at version {LATEST}");
        assert!(
            answers.iter().all(|a| *a == expected),
            "round {round}: {answers:?}"
        );
        let conn = Connection::open(&path).unwrap();
        assert_eq!(
            schema_of(&conn),
            schema_of(&frozen(LATEST)),
            "round {round}"
        );
    }
}

#[test]
fn processes_opening_a_released_library_at_once_migrate_it_once() {
    for from in 1..LATEST {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("released.sqlite");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(&std::fs::read_to_string(fixture(from)).unwrap())
                .unwrap();
            fill(&conn, from);
        }
        let answers = open_at_once(&path, 4);
        let expected = format!("opened at version {LATEST}");
        assert!(
            answers.iter().all(|a| *a == expected),
            "from {from}: {answers:?}"
        );
        check_upgraded(&path, from);
    }
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.sqlite");
    drop(Store::open(&path).unwrap());
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", LATEST + 1)
        .unwrap();
    drop(conn);
    assert!(matches!(
        Store::open(&path).unwrap_err(),
        Error::TooNew { .. }
    ));
}
