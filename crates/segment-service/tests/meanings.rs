//! Declared column meanings end to end: SQLite files storing event times as epoch seconds or
//! milliseconds in `INTEGER` columns, or as ISO text, and lists as JSON arrays in `TEXT`. Without a
//! declaration they have no time windows or date operators; declared (in the sidecar store),
//! the engine and the SQL count them, equally, and as the same records whatever the storage.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, Utc};
use segment_model::ColumnMeaning;
use segment_service::{CheckedSegment, EngineCache, Method, NodeCounts, Prefer, Service};
use segment_source::CancelToken;
use serde_json::{json, Value};

const DAY: i64 = 86_400;
const PROFILES: i64 = 120;

fn now() -> DateTime<Utc> {
    "2026-11-01T00:00:00Z".parse().unwrap()
}

/// One event: its profile, and how long before "now" it happened, in milliseconds.
fn events() -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    for profile in 1..=PROFILES {
        for k in 0..(profile % 4) {
            let days = (profile * 7 + k * 13) % 90;
            // An hour and a few milliseconds off the day boundary: no bound is ever touched.
            out.push((
                profile,
                (days * DAY + 3_600) * 1000 + (profile * 37 + k) % 1000,
            ));
        }
    }
    out
}

#[derive(Clone, Copy, Debug)]
enum Stored {
    Seconds,
    Millis,
    IsoT,
    IsoSpace,
}

impl Stored {
    fn declared(self) -> (&'static str, ColumnMeaning) {
        match self {
            Stored::Seconds => ("INTEGER", ColumnMeaning::EpochSeconds),
            Stored::Millis => ("INTEGER", ColumnMeaning::EpochMillis),
            Stored::IsoT | Stored::IsoSpace => ("TEXT", ColumnMeaning::IsoDatetime),
        }
    }

    fn value(self, at_ms: i64) -> rusqlite::types::Value {
        use rusqlite::types::Value as V;
        let at = DateTime::from_timestamp_millis(at_ms).unwrap();
        match self {
            Stored::Seconds => V::Integer(at_ms.div_euclid(1000)),
            Stored::Millis => V::Integer(at_ms),
            Stored::IsoT => V::Text(at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()),
            Stored::IsoSpace => V::Text(at.format("%Y-%m-%d %H:%M:%S").to_string()),
        }
    }
}

/// A data file with `profiles(id, tags TEXT)` and `events(id, profile_id, name, ts)`, `ts`
/// stored as `stored` says.
fn data_file(dir: &Path, stored: Stored) -> PathBuf {
    let path = dir.join(format!("{stored:?}.sqlite"));
    let conn = rusqlite::Connection::open(&path).unwrap();
    let (ts_type, _) = stored.declared();
    conn.execute_batch(&format!(
        "CREATE TABLE profiles (id INTEGER PRIMARY KEY, tags TEXT);
         CREATE TABLE events (id INTEGER PRIMARY KEY,
             profile_id INTEGER REFERENCES profiles(id), name TEXT, ts {ts_type});"
    ))
    .unwrap();
    for id in 1..=PROFILES {
        let tags = match id % 3 {
            0 => r#"["vip","beta"]"#,
            1 => "[]",
            _ => r#"["beta"]"#,
        };
        conn.execute(
            "INSERT INTO profiles VALUES (?1, ?2)",
            rusqlite::params![id, tags],
        )
        .unwrap();
    }
    let now_ms = now().timestamp_millis();
    for (i, (profile, ago)) in events().into_iter().enumerate() {
        conn.execute(
            "INSERT INTO events VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![
                i as i64 + 1,
                profile,
                if i % 2 == 0 { "purchase" } else { "view" },
                stored.value(now_ms - ago)
            ],
        )
        .unwrap();
    }
    path
}

fn service(path: &Path, store: &segment_import::Store) -> Service {
    segment_service::open_sqlite(path, Some(store), EngineCache::new()).unwrap()
}

fn check(service: &Service, entity: &str, root: Value) -> Result<CheckedSegment, String> {
    let segment = json!({"version": 1, "entity": entity, "root": root});
    CheckedSegment::from_json(segment, service.schema(), None, now()).map_err(|e| format!("{e:?}"))
}

/// The count in memory and in SQL, which must agree.
fn count(service: &Service, checked: &CheckedSegment) -> u64 {
    let token = CancelToken::new();
    let memory = service
        .count(checked, Prefer::Engine, NodeCounts::None, &token)
        .unwrap();
    let sql = service
        .count(checked, Prefer::Sql, NodeCounts::None, &token)
        .unwrap();
    assert_eq!(memory.method, Method::Memory, "{:?}", memory.notice);
    assert_eq!(sql.method, Method::Sql);
    assert_eq!(memory.count, sql.count, "engine and SQL disagree");
    memory.count
}

fn active_in_last_30_days() -> Value {
    json!({"combinator": "and", "children": [{
        "type": "relationship", "relationship": "events",
        "constraint": {"type": "occurrences", "operator": "at_least", "value": 1},
        "window": {"type": "in_the_last", "amount": 30, "unit": "day"},
        "filter": {"combinator": "and", "children": []}}]})
}

fn events_in_october() -> Value {
    json!({"combinator": "and", "children": [{
        "type": "condition", "attribute": "ts", "operator": "date_part_is",
        "value": {"part": "month", "values": [10]}}]})
}

fn events_in_last_2_weeks() -> Value {
    json!({"combinator": "and", "children": [{
        "type": "condition", "attribute": "ts", "operator": "in_the_last",
        "value": {"amount": 14, "unit": "day"}}]})
}

#[test]
fn declared_time_columns_count_the_same_in_memory_and_in_sql_whatever_the_storage() {
    let dir = tempfile::tempdir().unwrap();
    let store = segment_import::Store::new(dir.path().join("sources.json"));
    let now_ms = now().timestamp_millis();
    let expected_active = (1..=PROFILES)
        .filter(|p| {
            events()
                .iter()
                .any(|(q, ago)| q == p && *ago < 30 * DAY * 1000)
        })
        .count() as u64;
    let expected_october = events()
        .iter()
        .filter(|(_, ago)| {
            DateTime::from_timestamp_millis(now_ms - ago)
                .unwrap()
                .month()
                == 10
        })
        .count() as u64;
    let expected_recent = events()
        .iter()
        .filter(|(_, ago)| *ago < 14 * DAY * 1000)
        .count() as u64;
    assert!(expected_active > 10 && expected_active < PROFILES as u64);
    assert!(expected_october > 10 && expected_recent > 10);

    for stored in [
        Stored::Seconds,
        Stored::Millis,
        Stored::IsoT,
        Stored::IsoSpace,
    ] {
        let path = data_file(dir.path(), stored);
        // Before the declaration: no time window, no date operator.
        let before = service(&path, &store);
        assert!(
            check(&before, "events", events_in_october()).is_err(),
            "{stored:?}: a date operator on an undeclared column"
        );
        let (_, meaning) = stored.declared();
        segment_import::meaning::declare(&path, &store, "events", "ts", meaning).unwrap();
        let after = service(&path, &store);
        let active = check(&after, "profiles", active_in_last_30_days()).unwrap();
        assert_eq!(
            count(&after, &active),
            expected_active,
            "{stored:?}: active"
        );
        let october = check(&after, "events", events_in_october()).unwrap();
        assert_eq!(
            count(&after, &october),
            expected_october,
            "{stored:?}: October"
        );
        let recent = check(&after, "events", events_in_last_2_weeks()).unwrap();
        assert_eq!(
            count(&after, &recent),
            expected_recent,
            "{stored:?}: 2 weeks"
        );
    }
}

#[test]
fn declared_json_arrays_are_lists() {
    let dir = tempfile::tempdir().unwrap();
    let store = segment_import::Store::new(dir.path().join("sources.json"));
    let path = data_file(dir.path(), Stored::Seconds);
    let vip = json!({"combinator": "and", "children": [{
        "type": "condition", "attribute": "tags", "operator": "contains_any_of",
        "value": ["vip"]}]});
    assert!(check(&service(&path, &store), "profiles", vip.clone()).is_err());
    segment_import::meaning::declare(&path, &store, "profiles", "tags", ColumnMeaning::JsonArray)
        .unwrap();
    let after = service(&path, &store);
    let checked = check(&after, "profiles", vip).unwrap();
    assert_eq!(count(&after, &checked), (PROFILES / 3) as u64);
}

#[test]
fn a_declaration_the_values_contradict_is_refused_and_removing_one_restores_the_column() {
    let dir = tempfile::tempdir().unwrap();
    let store = segment_import::Store::new(dir.path().join("sources.json"));
    let path = data_file(dir.path(), Stored::IsoT);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("UPDATE events SET ts = 'yesterday' WHERE id IN (3, 5)", [])
        .unwrap();
    drop(conn);
    let refused =
        segment_import::meaning::declare(&path, &store, "events", "ts", ColumnMeaning::IsoDatetime)
            .unwrap_err()
            .to_string();
    assert!(refused.contains("2 of its"), "{refused}");
    assert!(refused.contains("“yesterday”"), "{refused}");
    assert!(
        !refused.contains('…'),
        "every distinct value shown: {refused}"
    );
    assert!(store.get(&path).unwrap().meanings.is_empty());
    let refused = segment_import::meaning::declare(
        &path,
        &store,
        "events",
        "ts",
        ColumnMeaning::EpochSeconds,
    )
    .unwrap_err()
    .to_string();
    assert!(refused.contains("are not whole numbers"), "{refused}");

    let path = data_file(dir.path(), Stored::Millis);
    segment_import::meaning::declare(&path, &store, "events", "ts", ColumnMeaning::EpochMillis)
        .unwrap();
    assert!(check(&service(&path, &store), "events", events_in_october()).is_ok());
    let removed = segment_import::meaning::undeclare(&path, &store, "events", "ts").unwrap();
    assert_eq!(removed, ColumnMeaning::EpochMillis);
    assert!(check(&service(&path, &store), "events", events_in_october()).is_err());
}

#[test]
fn names_and_values_propose_meanings_without_applying_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = segment_import::Store::new(dir.path().join("sources.json"));
    for (stored, meaning) in [
        (Stored::Seconds, ColumnMeaning::EpochSeconds),
        (Stored::Millis, ColumnMeaning::EpochMillis),
        (Stored::IsoSpace, ColumnMeaning::IsoDatetime),
    ] {
        let path = data_file(dir.path(), stored);
        let opened = segment_import::open(&path, Some(&store)).unwrap();
        let listed = segment_import::meaning::list(&opened).unwrap();
        let proposed: Vec<(String, ColumnMeaning)> = listed
            .proposals
            .iter()
            .map(|p| (format!("{}.{}", p.table, p.column), p.meaning))
            .collect();
        assert_eq!(
            proposed,
            vec![
                ("profiles.tags".to_string(), ColumnMeaning::JsonArray),
                ("events.ts".to_string(), meaning),
            ],
            "{stored:?}"
        );
        assert!(listed.declared.is_empty());
        let ts = opened
            .schema
            .entity("events")
            .unwrap()
            .column("ts")
            .unwrap();
        assert_ne!(ts.data_type, segment_model::DataType::Datetime);
    }
}
