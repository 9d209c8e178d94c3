//! The commands through Tauri's IPC, without a window (tauri's mock runtime), against a small
//! demo data set generated in a temporary directory.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use common::{and, cond, fields, find, related, segment, segment_of, Fixture};
use segment_builder_desktop::AppState;
use serde_json::{json, Value};

/// One demo file for all tests (generating it is the slow part).
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    common::cached(&FIXTURE, || Fixture::demo(400, 7, |_| {}))
}

/// Invokes `cmd`; Ok(response) or Err(the serialized error).
fn invoke(cmd: &str, body: Value) -> Result<Value, Value> {
    fixture().invoke(cmd, body)
}

/// A preview as of `now` (default: the data's). The tests run in parallel over one state, where
/// a newer request cancels an older one: each preview takes the next id and has its response
/// before another test's preview starts.
fn preview_as_of(segment: Value, now: Option<&str>) -> Result<Value, Value> {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let id = NEXT.fetch_add(1, Ordering::SeqCst);
    let response = invoke(
        "preview",
        json!({ "request": { "segment": segment, "request_id": id, "now": now } }),
    );
    if let Ok(response) = &response {
        assert_eq!(response["request_id"], id, "the response names its request");
    }
    response
}

fn preview(segment: Value) -> Result<Value, Value> {
    preview_as_of(segment, None)
}

fn count_sql(sql: &str) -> u64 {
    fixture().count_sql(sql)
}

#[test]
fn get_source_describes_the_demo_data() {
    let info = invoke("get_source", json!({})).unwrap();
    assert_eq!(info["path"], json!(fixture().path.display().to_string()));
    assert_eq!(info["demo"], json!(true));
    assert_eq!(info["default_entity"], json!("profiles"));
    assert_eq!(info["default_now"], json!("2026-11-01T00:00:00Z"));
    let entities: Vec<&str> = fields(&info["schema"]["entities"], "name");
    for name in ["profiles", "events", "orders"] {
        assert!(entities.contains(&name), "{entities:?}");
    }
    let rels = info["schema"]["relationships"].as_array().unwrap();
    assert!(
        rels.iter()
            .any(|r| r["from_entity"] == "profiles" && r["to_entity"] == "events"),
        "{rels:?}"
    );
    let text = find(&info["types"], "data_type", "text");
    let is_one_of = find(&text["operators"], "operator", "is_one_of");
    assert_eq!(is_one_of["label"], "is one of");
    assert_eq!(is_one_of["unary"], false);
}

#[test]
fn problems_come_back_as_data_located_at_the_node() {
    let segment = segment(
        "profiles",
        and([
            cond("country", "is", "US"),
            cond("no_such_column", "is", "x"),
        ]),
    );
    let response = preview(segment).unwrap();
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
    let response =
        preview(json!({ "version": 1, "root": { "combinator": "xor", "children": [] } })).unwrap();
    assert_eq!(response["count"], Value::Null);
    assert!(!response["problems"].as_array().unwrap().is_empty());
}

#[test]
fn errors_are_tagged_objects() {
    let segment = segment_of(and([]));
    let err = preview_as_of(segment, Some("yesterday-ish")).unwrap_err();
    assert_eq!(err["kind"], "invalid_request", "{err}");
    assert_eq!(err["path"], "/now");
    assert!(err["message"].as_str().unwrap().contains("yesterday-ish"));
}

#[test]
fn a_relationship_segment_counts_like_plain_sql() {
    let segment = segment(
        "profiles",
        and([
            cond("country", "is", "US"),
            related("events", 2, [cond("name", "is", "purchase")]),
        ]),
    );
    let response = preview(segment).unwrap();
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

#[test]
fn a_raw_sql_typo_is_an_error_at_its_node_with_the_databases_words() {
    let segment = segment(
        "profiles",
        and([
            cond("country", "is", "US"),
            json!({"type": "sql", "sql": "age >> > 3"}),
        ]),
    );
    let err = preview(segment).unwrap_err();
    assert_eq!(err["kind"], "query", "{err}");
    assert_eq!(err["path"], "/root/children/1");
    assert_eq!(err["message"], "near \">\": syntax error (at character 8)");
}
