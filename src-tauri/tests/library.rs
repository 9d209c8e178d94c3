//! The library commands through Tauri's IPC (mock runtime, no window), against a library and a
//! small demo data set in a temporary directory (`SEGMENT_BUILDER_LIBRARY`).

mod common;

use std::sync::OnceLock;

use common::{all_of, cond, Fixture};
use serde_json::{json, Value};

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    common::cached(&FIXTURE, || {
        Fixture::demo(300, 7, |dir| {
            std::env::set_var("SEGMENT_BUILDER_LIBRARY", dir.join("library.sqlite"))
        })
    })
}

fn invoke(cmd: &str, body: Value) -> Result<Value, Value> {
    fixture().invoke(cmd, body)
}

fn us(country: &str) -> Value {
    all_of("profiles", [cond("country", "is", country)])
}

#[test]
fn save_edit_history_diff_restore_and_list() {
    fixture();
    let saved = invoke("library_save", json!({ "draft": { "id": "us_buyers", "name": "US buyers", "definition": us("US"), "entity": "profiles" } })).unwrap();
    assert_eq!(
        (saved["revision"].clone(), saved["created"].clone()),
        (json!(0), json!(true))
    );
    invoke("library_record_count", json!({ "id": "us_buyers", "count": { "count": 10, "total": 300, "dataSource": null, "asOf": null } })).unwrap();
    let saved = invoke(
        "library_save",
        json!({ "draft": { "id": "us_buyers", "definition": us("CA"), "expectedRevision": 0 } }),
    )
    .unwrap();
    assert_eq!(saved["revision"], 1);
    // A stale save is a conflict, not a lost update.
    let e = invoke(
        "library_save",
        json!({ "draft": { "id": "us_buyers", "name": "x", "expectedRevision": 0 } }),
    )
    .unwrap_err();
    assert_eq!(e["status"], 409, "{e}");

    let history = invoke("library_history", json!({ "id": "us_buyers" })).unwrap();
    assert_eq!(history.as_array().unwrap().len(), 2);
    let diff = invoke(
        "library_diff",
        json!({ "id": "us_buyers", "from": 0, "to": 1 }),
    )
    .unwrap();
    let changes = diff["conditions"].as_array().unwrap();
    assert!(
        changes.iter().any(|c| c["change"] == "changed"
            && c["path"].as_str().unwrap().contains("/root/children/0")),
        "{diff}"
    );
    assert_eq!(diff["count"]["from"], 10);

    let restored = invoke(
        "library_restore",
        json!({ "id": "us_buyers", "revision": 0, "expectedRevision": 1 }),
    )
    .unwrap();
    assert_eq!(restored["revision"], 2);
    let got = invoke("library_get", json!({ "id": "us_buyers" })).unwrap();
    assert_eq!(got["definition"]["root"]["children"][0]["value"], "US");

    let page = invoke("library_list", json!({ "query": { "search": "US BUY", "sort": [["revision", "desc"]], "page": 0, "size": 10 } })).unwrap();
    assert_eq!(page["page"]["totalElements"], 1, "{page}");
    assert_eq!(page["items"][0]["id"], "us_buyers");

    let e = invoke(
        "library_save",
        json!({ "draft": { "id": "9 bad", "name": "Bad" } }),
    )
    .unwrap_err();
    assert_eq!(e["status"], 400, "{e}");
}

#[test]
fn freeze_evaluates_on_the_open_data_and_members_can_change() {
    let f = fixture();
    invoke("library_save", json!({ "draft": { "id": "in_us", "name": "In the US", "definition": us("US"), "entity": "profiles" } })).unwrap();
    let frozen = invoke(
        "library_freeze",
        json!({ "id": "in_us", "into": "in_us_frozen", "name": "In the US (frozen)" }),
    )
    .unwrap();
    let expected = f.count_sql("SELECT count(*) FROM profiles WHERE country = 'US'");
    assert_eq!(frozen["individualCount"], expected, "{frozen}");
    let record = invoke("library_get", json!({ "id": "in_us_frozen" })).unwrap();
    assert_eq!(record["segmentType"], "STATIC");

    invoke(
        "members_add",
        json!({ "id": "in_us_frozen", "members": ["zz_extra"] }),
    )
    .unwrap();
    invoke(
        "members_remove",
        json!({ "id": "in_us_frozen", "members": ["zz_extra"] }),
    )
    .unwrap();
    let changes = invoke(
        "members_changes",
        json!({ "id": "in_us_frozen", "operation": "REMOVED", "paging": { "page": 0, "size": 5 } }),
    )
    .unwrap();
    assert_eq!(
        changes["items"][0]["individualIdentifier"], "zz_extra",
        "{changes}"
    );
    assert_eq!(changes["items"][0]["individualsCount"], expected);

    let e = invoke(
        "library_freeze",
        json!({ "id": "in_us", "into": "in_us_frozen" }),
    )
    .unwrap_err();
    assert_eq!(e["status"], 409, "{e}");
}

#[test]
fn export_and_import_a_definition_file() {
    let f = fixture();
    invoke("library_save", json!({ "draft": { "id": "to_export", "name": "To export", "definition": us("FR"), "entity": "profiles" } })).unwrap();
    let path = f.dir.path().join("exported").join("to_export.json");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    // Chosen in the save dialog (answered by the scripted picks): then it may be written.
    f.queue_pick(&path.display().to_string());
    let picked = invoke(
        "pick_save",
        json!({ "default_name": "to_export.json", "filters": [{ "name": "Segment definition", "extensions": ["json"] }] }),
    )
    .unwrap();
    assert_eq!(picked, json!(path.display().to_string()));
    let written = invoke(
        "library_export",
        json!({ "id": "to_export", "path": path.display().to_string() }),
    )
    .unwrap();
    assert_eq!(written, json!(path.display().to_string()));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\"FR\""), "{text}");

    let same = invoke(
        "library_import",
        json!({ "path": path.display().to_string(), "overwrite": false }),
    )
    .unwrap();
    assert_eq!(same["unchanged"], json!(["to_export"]), "{same}");
    invoke("library_delete", json!({ "id": "to_export" })).unwrap();
    let back = invoke(
        "library_import",
        json!({ "path": path.display().to_string(), "overwrite": false }),
    )
    .unwrap();
    assert!(
        back["created"].as_array().unwrap().len() + back["updated"].as_array().unwrap().len() == 1,
        "{back}"
    );
    invoke("library_get", json!({ "id": "to_export" })).unwrap();

    let e = invoke(
        "library_import",
        json!({ "path": f.dir.path().join("nope.json").display().to_string(), "overwrite": false }),
    )
    .unwrap_err();
    assert!(e["status"].as_u64().unwrap() >= 400, "{e}");
    let e = invoke("library_export", json!({ "id": "to_export", "path": " " })).unwrap_err();
    assert_eq!(e["status"], 400);
}
