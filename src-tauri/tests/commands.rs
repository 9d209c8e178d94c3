//! The commands through Tauri's IPC, without a window (tauri's mock runtime), against a small
//! demo data set generated in a temporary directory.

use std::sync::OnceLock;

use segment_builder_desktop::AppState;
use serde_json::{json, Value};
use tauri::test::{
    get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY,
};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;

struct Fixture {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    state: AppState,
}

/// One demo file for all tests (generating it is the slow part).
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.sqlite");
        segment_source::generate_demo(
            &path,
            segment_source::DemoOptions {
                profiles: 400,
                seed: 7,
            },
        )
        .unwrap();
        let state = AppState::new();
        state.load(&path, true);
        Fixture {
            _dir: dir,
            path,
            state,
        }
    })
}

fn window() -> WebviewWindow<MockRuntime> {
    let app = segment_builder_desktop::builder(mock_builder(), fixture().state.clone())
        .build(mock_context(noop_assets()))
        .expect("build the app");
    tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap()
}

/// Invokes `cmd`; Ok(response) or Err(the serialized error).
fn invoke(cmd: &str, body: Value) -> Result<Value, Value> {
    let w = window();
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: tauri::ipc::CallbackFn(0),
        error: tauri::ipc::CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: tauri::ipc::InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(&w, request).map(|r| r.deserialize::<Value>().unwrap())
}

fn preview(segment: Value, request_id: u64) -> Result<Value, Value> {
    invoke(
        "preview",
        json!({ "request": { "segment": segment, "request_id": request_id } }),
    )
}

fn count_sql(sql: &str) -> u64 {
    let conn = rusqlite::Connection::open_with_flags(
        &fixture().path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap() as u64
}

#[test]
fn get_source_describes_the_demo_data() {
    let info = invoke("get_source", json!({})).unwrap();
    assert_eq!(info["path"], json!(fixture().path.display().to_string()));
    assert_eq!(info["demo"], json!(true));
    assert_eq!(info["default_entity"], json!("profiles"));
    assert_eq!(info["default_now"], json!("2026-11-01T00:00:00Z"));
    let entities: Vec<&str> = info["schema"]["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    for name in ["profiles", "events", "orders"] {
        assert!(entities.contains(&name), "{entities:?}");
    }
    let rels = info["schema"]["relationships"].as_array().unwrap();
    assert!(
        rels.iter()
            .any(|r| r["from_entity"] == "profiles" && r["to_entity"] == "events"),
        "{rels:?}"
    );
    let text = info["types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["data_type"] == "text")
        .unwrap();
    let is_one_of = text["operators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["operator"] == "is_one_of")
        .unwrap();
    assert_eq!(is_one_of["label"], "is one of");
    assert_eq!(is_one_of["unary"], false);
}

#[test]
fn problems_come_back_as_data_located_at_the_node() {
    let segment = json!({
        "version": 1,
        "entity": "profiles",
        "root": { "combinator": "and", "children": [
            { "type": "condition", "attribute": "country", "operator": "is", "value": "US" },
            { "type": "condition", "attribute": "no_such_column", "operator": "is", "value": "x" }
        ]}
    });
    let response = preview(segment, 1).unwrap();
    assert_eq!(response["request_id"], 1);
    assert_eq!(response["count"], Value::Null);
    assert_eq!(response["sql"], Value::Null);
    let problems = response["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0]["path"]
            .as_str()
            .unwrap()
            .starts_with("/root/children/1"),
        "{problems:?}"
    );
}

#[test]
fn malformed_trees_are_problems_not_failed_calls() {
    let response = preview(
        json!({ "version": 1, "root": { "combinator": "xor", "children": [] } }),
        2,
    )
    .unwrap();
    assert_eq!(response["count"], Value::Null);
    assert!(!response["problems"].as_array().unwrap().is_empty());
}

#[test]
fn errors_are_tagged_objects() {
    let segment = json!({ "version": 1, "root": { "combinator": "and", "children": [] } });
    let err = invoke(
        "preview",
        json!({ "request": { "segment": segment, "request_id": 3, "now": "yesterday-ish" } }),
    )
    .unwrap_err();
    assert_eq!(err["kind"], "invalid_request", "{err}");
    assert_eq!(err["path"], "/now");
    assert!(err["message"].as_str().unwrap().contains("yesterday-ish"));
}

#[test]
fn a_relationship_segment_counts_like_plain_sql() {
    let segment = json!({
        "version": 1,
        "entity": "profiles",
        "root": { "combinator": "and", "children": [
            { "type": "condition", "attribute": "country", "operator": "is", "value": "US" },
            { "type": "relationship", "relationship": "events",
              "constraint": { "type": "occurrences", "operator": "at_least", "value": 2 },
              "filter": { "combinator": "and", "children": [
                  { "type": "condition", "attribute": "name", "operator": "is", "value": "purchase" }
              ]}}
        ]}
    });
    let response = preview(segment, 4).unwrap();
    assert_eq!(response["problems"], json!([]), "{response}");
    let expected = count_sql(
        "SELECT count(*) FROM profiles p WHERE p.country = 'US' AND \
         (SELECT count(*) FROM events e WHERE e.profile_id = p.id AND e.name = 'purchase') >= 2",
    );
    assert_eq!(response["count"], json!(expected));
    assert_eq!(
        response["total"],
        json!(count_sql("SELECT count(*) FROM profiles"))
    );
    let sql = response["sql"].as_str().unwrap();
    assert!(sql.contains("events"), "{sql}");
    assert_eq!(response["now"], "2026-11-01T00:00:00Z");
}

#[test]
fn a_newer_request_cancels_the_older_count() {
    let state = AppState::new();
    let first = state.begin(1);
    assert!(!first.is_cancelled());
    let second = state.begin(2);
    assert!(first.is_cancelled());
    assert!(!second.is_cancelled());
    // A late, older request is cancelled from the start.
    assert!(state.begin(1).is_cancelled());
    assert!(!second.is_cancelled());
}
