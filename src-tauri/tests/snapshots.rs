//! The copies of local data kept for fast starts, through Tauri's IPC (mock runtime): the
//! Data screen lists them (source file, size) and removes them.

mod common;

use common::invoke;
use segment_builder_desktop::AppState;
use segment_service::EngineStatus;
use serde_json::json;

#[test]
fn the_engine_s_copy_is_listed_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let kept = dir.path().join("app-data").join("snapshots");
    let state = AppState::new();
    state.keep_engine_snapshots_in(Some(kept.clone()));
    let w = common::window(state.clone());

    let none = invoke(&w, "engine_snapshots", json!({})).unwrap();
    assert_eq!(none["dir"], kept.display().to_string());
    assert_eq!(none["snapshots"], json!([]));

    let data = dir.path().join("demo.sqlite");
    state.load(&data, true);
    let loaded = state.loaded().unwrap();
    assert!(matches!(
        loaded.service.wait_for_engine(),
        EngineStatus::Ready(_)
    ));

    let listed = invoke(&w, "engine_snapshots", json!({})).unwrap();
    let copies = listed["snapshots"].as_array().unwrap();
    assert_eq!(copies.len(), 1, "{listed}");
    let source = std::fs::canonicalize(&data).unwrap();
    assert_eq!(copies[0]["source"], source.display().to_string());
    assert!(copies[0]["bytes"].as_u64().unwrap() > 0);
    assert_eq!(listed["bytes"], copies[0]["bytes"]);

    let cleared = invoke(&w, "clear_engine_snapshots", json!({})).unwrap();
    assert_eq!(cleared["snapshots"], 1);
    assert_eq!(cleared["bytes"], listed["bytes"]);
    let after = invoke(&w, "engine_snapshots", json!({})).unwrap();
    assert_eq!(after["snapshots"], json!([]));
    // The user's file itself is untouched.
    assert!(data.exists());
}
