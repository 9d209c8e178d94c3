//! The schema upgrades from every earlier version with the data intact.

mod common;

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
        let mut store = Store::open(&path).unwrap_or_else(|e| panic!("from {from}: {e}"));
        let version: i64 = store
            .connection()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, LATEST);
        store.check_integrity().unwrap();
        if from >= 1 {
            let got = store.get("old_dynamic").unwrap();
            assert_eq!(got.revision, 0);
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
        }
        drop(store);
        // Opening again is a no-op.
        Store::open(&path).unwrap();
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
