//! Declared column meanings through Tauri's IPC (mock runtime): proposed, declared (refused
//! when the values contradict), applied when the data is reopened, and removed.

mod common;

use common::{find, invoke};
use segment_builder_desktop::AppState;
use serde_json::json;

/// A SQLite file of the user's own whose `events.ts` holds epoch milliseconds.
fn own_file(path: &std::path::Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, country TEXT);
         CREATE TABLE events (id INTEGER PRIMARY KEY,
             customer_id INTEGER REFERENCES customers(id), name TEXT, ts INTEGER);
         INSERT INTO customers VALUES (1, 'US'), (2, 'FR');
         INSERT INTO events VALUES (1, 1, 'login', 1793487600123), (2, 2, 'login', 1790000000999);",
    )
    .unwrap();
}

#[test]
fn a_column_meaning_is_proposed_declared_applied_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    std::env::set_var("SEGMENT_BUILDER_STORE", dir.path().join("sources.json"));
    let db = dir.path().join("own.sqlite");
    own_file(&db);
    // The user's folder is allowed (as SEGMENT_BUILDER_ALLOW_DIRS allows it in the app).
    let w = common::window(AppState::with_grants(common::scripted(
        dir.path(),
        vec![dir.path().into()],
    )));
    let data = db.display().to_string();

    let listed = invoke(&w, "column_meanings", json!({"data": data})).unwrap();
    let proposal = find(&listed["proposals"], "column", "ts").clone();
    assert_eq!(proposal["meaning"], "epoch-millis");
    assert!(proposal["reason"]
        .as_str()
        .unwrap()
        .contains("milliseconds"));

    let refused = invoke(
        &w,
        "declare_meaning",
        json!({"data": data, "table": "events", "column": "name", "meaning": "iso-datetime"}),
    )
    .unwrap_err();
    assert_eq!(refused["kind"], "invalid_request", "{refused}");
    let message = refused["message"].as_str().unwrap();
    assert!(message.contains("2 of its 2 values"), "{message}");

    let declared = invoke(
        &w,
        "declare_meaning",
        json!({"data": data, "table": "events", "column": "ts", "meaning": "epoch-millis"}),
    )
    .unwrap();
    assert_eq!(declared["declared"][0]["column"], "ts");
    assert_eq!(declared["declared"][0]["meaning"], "epoch-millis");
    assert!(declared["proposals"].as_array().unwrap().is_empty());

    // Reopened, the builder sees a date/time column with date operators and time windows.
    let source = invoke(&w, "open_data", json!({"data": data})).unwrap();
    let events = find(&source["schema"]["entities"], "name", "events").clone();
    let ts = find(&events["columns"], "name", "ts").clone();
    assert_eq!(
        (ts["data_type"].as_str(), ts["storage"].as_str()),
        (Some("datetime"), Some("unix_millis"))
    );
    let window = find(
        &source["schema"]["relationships"],
        "from_entity",
        "customers",
    )
    .clone();
    assert_eq!(window["time_column"], "ts");
    let stats = invoke(&w, "schema_stats", json!({"data": data})).unwrap();
    let events = find(&stats, "name", "events").clone();
    assert_eq!(
        find(&events["columns"], "name", "ts")["max"],
        "2026-10-31T23:00:00Z"
    );

    let removed = invoke(
        &w,
        "declare_meaning",
        json!({"data": data, "table": "events", "column": "ts", "meaning": null}),
    )
    .unwrap();
    assert!(removed["declared"].as_array().unwrap().is_empty());
    assert_eq!(removed["proposals"][0]["column"], "ts");
}
