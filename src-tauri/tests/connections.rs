//! Warehouse connections through Tauri's IPC (mock runtime): "Test connection" reports the
//! tables or what failed, and connecting makes PostgreSQL the data source the builder counts
//! on, as the SQLite file counts. Needs `SEGMENT_PG_URL` (scripts/with-postgres.sh).

mod common;

use common::{all_of, cond, invoke};
use segment_builder_desktop::AppState;
use serde_json::json;

#[test]
fn test_then_connect_and_count_on_postgresql() {
    let Ok(url) = std::env::var("SEGMENT_PG_URL") else {
        eprintln!("SEGMENT_PG_URL is not set (scripts/with-postgres.sh sets it): skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::env::set_var("SEGMENT_BUILDER_LIBRARY", dir.path().join("library.sqlite"));
    let file = dir.path().join("demo.sqlite");
    segment_source::generate_demo(
        &file,
        segment_source::DemoOptions {
            profiles: 2000,
            seed: 3,
        },
    )
    .unwrap();
    let schema = format!("app_{}", std::process::id());
    let settings = segment_postgres::Settings {
        url: url.clone(),
        schema: Some(schema.clone()),
        ..Default::default()
    };
    segment_postgres::load::copy_sqlite(&file, &settings, true).unwrap();

    let state = AppState::default();
    state.load(&file, false);
    let w = common::window(state);
    let us = all_of("profiles", [cond("country", "is", "US")]);
    let preview = |id: u64| {
        invoke(
            &w,
            "preview",
            json!({"request": {"segment": us, "request_id": id}}),
        )
        .unwrap()
    };
    let on_file = preview(1);

    let wrong = invoke(
        &w,
        "test_connection",
        json!({"request": {"url": url, "schema": "nowhere"}}),
    )
    .unwrap();
    assert_eq!(wrong["ok"], false);
    assert_eq!(wrong["failure"], "no_tables");
    assert!(wrong["message"].as_str().unwrap().contains("nowhere"));
    let unreachable = invoke(
        &w,
        "test_connection",
        json!({"request": {"url": "postgresql://ann@127.0.0.1:1/shop"}}),
    )
    .unwrap();
    assert_eq!(unreachable["failure"], "unreachable");
    let ok = invoke(
        &w,
        "test_connection",
        json!({"request": {"url": url, "schema": schema}}),
    )
    .unwrap();
    assert_eq!(
        (ok["ok"].as_bool(), ok["tables"].as_u64()),
        (Some(true), Some(3))
    );

    let info = invoke(
        &w,
        "connect_source",
        json!({"request": {"url": url, "schema": schema}}),
    )
    .unwrap();
    assert!(info["path"].as_str().unwrap().starts_with("postgresql://"));
    let on_pg = preview(2);
    assert_eq!(on_pg["count"], on_file["count"]);
    assert_eq!(on_pg["engine"], "sql");
    assert!(on_pg["count"].as_u64().unwrap() > 0);
    // The SQL pane shows the SQL the connected source runs: PostgreSQL's, said so.
    assert_eq!(on_file["sql_dialect"], "SQLite");
    assert_eq!(on_pg["sql_dialect"], "PostgreSQL");
    let on_pg_sql = on_pg["sql"].as_str().unwrap();
    assert!(on_pg_sql.starts_with("SELECT"), "{on_pg_sql}");

    // The Data screen lists the warehouse's tables with their columns and rows, as a file's.
    let stats = |data: &str| invoke(&w, "schema_stats", json!({ "data": data })).unwrap();
    let on_pg_stats = stats(info["path"].as_str().unwrap());
    let on_file =
        segment_service::open_sqlite(&file, None, segment_service::EngineCache::new()).unwrap();
    let tables = |v: &serde_json::Value| -> Vec<(String, u64, usize)> {
        let mut all: Vec<_> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let name = e["name"].as_str().unwrap().to_string();
                (
                    name,
                    e["rows"].as_u64().unwrap(),
                    e["columns"].as_array().unwrap().len(),
                )
            })
            .collect();
        all.sort();
        all
    };
    let listed = tables(&on_pg_stats);
    assert_eq!(
        listed.iter().map(|t| t.0.as_str()).collect::<Vec<_>>(),
        ["events", "orders", "profiles"]
    );
    for (name, rows, columns) in &listed {
        assert_eq!(*rows, on_file.backend().total(name).unwrap(), "{name}");
        assert!(*columns > 1, "{name} lists its columns");
    }

    // A profile keeps the address and the schema, never a password.
    let profiles = invoke(
        &w,
        "connection_save",
        json!({"profile": {"name": "Demo warehouse", "url": url, "schema": schema}}),
    )
    .unwrap();
    assert_eq!(profiles[0]["name"], "Demo warehouse");
    let refused = invoke(
        &w,
        "connection_save",
        json!({"profile": {"name": "Bad", "url": "postgresql://ann:pw@db/shop"}}),
    )
    .unwrap_err();
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("never stored"),
        "{refused}"
    );
    let left = invoke(&w, "connection_delete", json!({"name": "Demo warehouse"})).unwrap();
    assert_eq!(left, json!([]));
}
