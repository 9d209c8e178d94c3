//! The bring-your-own-data commands through Tauri's IPC (mock runtime): preview, import with
//! progress events, relationships proposed and confirmed into the sidecar store, statistics.

mod common;

use std::sync::{Arc, Mutex};

use common::{any_time, column, fields, find, invoke, related, segment, within};
use segment_builder_desktop::AppState;
use serde_json::{json, Value};
use tauri::{Listener, WebviewWindow};

/// The tests set `SEGMENT_BUILDER_STORE` (process-wide): one at a time.
static ENV: Mutex<()> = Mutex::new(());

/// The app without data, until a test opens some; the files of `dir` are allowed (as the
/// scripted tests allow theirs with `SEGMENT_BUILDER_ALLOW_DIRS`).
fn window(dir: &std::path::Path) -> WebviewWindow<tauri::test::MockRuntime> {
    common::window(AppState::with_grants(common::scripted(
        dir,
        vec![dir.to_path_buf()],
    )))
}

#[test]
fn import_relate_and_describe_through_ipc() {
    let _env = ENV.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    std::env::set_var("SEGMENT_BUILDER_STORE", dir.path().join("sources.json"));
    let db = dir.path().join("shop.sqlite");
    let customers = dir.path().join("customers.csv");
    std::fs::write(&customers, "id,Full Name,country\n1,Ann,US\n2,Bob,FR\n").unwrap();
    let orders = dir.path().join("orders.ndjson");
    let mut text = String::new();
    for n in 1..=20 {
        text.push_str(&format!("{{\"id\":{n},\"customer_id\":{},\"status\":\"paid\",\"total\":{n}.5,\"placed_at\":\"2026-10-{:02}T10:00:00Z\"}}\n", n % 2 + 1, n));
    }
    std::fs::write(&orders, text).unwrap();
    let w = window(dir.path());
    let events = Arc::new(Mutex::new(Vec::<Value>::new()));
    let seen = events.clone();
    w.listen_any("import-progress", move |e| {
        seen.lock()
            .unwrap()
            .push(serde_json::from_str(e.payload()).unwrap())
    });

    let preview = invoke(
        &w,
        "import_preview",
        json!({"request": {"file": customers, "into": db}, "rows": 1}),
    )
    .unwrap();
    assert_eq!(preview["columns"][1]["name"], "full_name");
    assert_eq!(preview["rows"].as_array().unwrap().len(), 1);

    let report = invoke(
        &w,
        "import_file",
        json!({"request": {"file": customers, "into": db}, "import_id": 1}),
    )
    .unwrap();
    assert_eq!(report["table"], "customers");
    let report = invoke(
        &w,
        "import_file",
        json!({"request": {"file": orders, "into": db}, "import_id": 2}),
    )
    .unwrap();
    assert_eq!(report["rows"], 20);
    assert_eq!(report["proposals"][0]["parent"], "customers");
    assert!(events
        .lock()
        .unwrap()
        .iter()
        .any(|e| e["import_id"] == 2 && e["progress"]["phase"] == "loading"));

    let again = invoke(
        &w,
        "import_file",
        json!({"request": {"file": orders, "into": db}, "import_id": 3}),
    )
    .unwrap_err();
    assert_eq!(again["kind"], "invalid_request");

    let rels = invoke(&w, "relationships", json!({"data": db})).unwrap();
    assert_eq!(rels["proposals"].as_array().unwrap().len(), 1);
    let link = rels["proposals"][0].clone();
    let link = json!({"child": link["child"], "child_column": link["child_column"], "parent": link["parent"], "parent_column": link["parent_column"]});
    let rels = invoke(&w, "relate", json!({"request": {"data": db, "link": link}})).unwrap();
    assert!(rels["proposals"].as_array().unwrap().is_empty());
    let names: Vec<&str> = fields(&rels["schema"]["relationships"], "name");
    assert_eq!(names, ["orders", "customer"]);

    let bad = json!({"child": "orders", "child_column": "status", "parent": "customers", "parent_column": "id"});
    let err = invoke(&w, "relate", json!({"request": {"data": db, "link": bad}})).unwrap_err();
    assert!(
        err["message"].as_str().unwrap().contains("one type"),
        "{err}"
    );

    let stats = invoke(&w, "schema_stats", json!({"data": db})).unwrap();
    let customers = find(&stats, "name", "customers");
    assert_eq!(customers["rows"], 2);
    assert_eq!(customers["columns"][1]["label"], "Full Name");

    invoke(&w, "cancel_import", json!({"import_id": 99})).unwrap();
}

#[test]
fn switching_data_sources_follows_the_sidecar() {
    let _env = ENV.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    std::env::set_var("SEGMENT_BUILDER_STORE", dir.path().join("sources.json"));
    let db = dir.path().join("imported").join("shop.sqlite");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    let customers = dir.path().join("customers.csv");
    std::fs::write(&customers, "id,Country,signed_up\n1,US,2026-01-02T00:00:00Z\n2,FR,2026-02-03T00:00:00Z\n3,US,2026-03-04T00:00:00Z\n").unwrap();
    let orders = dir.path().join("orders.csv");
    std::fs::write(&orders, "id,customer_id,total,placed_at\n1,1,10,2026-10-01T00:00:00Z\n2,1,20,2026-10-02T00:00:00Z\n3,3,5,2026-10-03T00:00:00Z\n").unwrap();
    let w = window(dir.path());
    invoke(
        &w,
        "import_file",
        json!({"request": {"file": customers, "into": db}, "import_id": 11}),
    )
    .unwrap();
    invoke(
        &w,
        "import_file",
        json!({"request": {"file": orders, "into": db}, "import_id": 12}),
    )
    .unwrap();

    // Open it: no relationship yet; then relate, reopen, and the schema has both directions.
    let info = invoke(&w, "open_data", json!({"data": db})).unwrap();
    assert_eq!(info["path"], db.display().to_string());
    assert!(info["schema"]["relationships"]
        .as_array()
        .unwrap()
        .is_empty());
    let link = json!({"child": "orders", "child_column": "customer_id", "parent": "customers", "parent_column": "id"});
    invoke(&w, "relate", json!({"request": {"data": db, "link": link}})).unwrap();
    let info = invoke(&w, "open_data", json!({"data": db})).unwrap();
    assert_eq!(info["schema"]["relationships"].as_array().unwrap().len(), 2);

    // The time column and a label go to the sidecar.
    let rels = invoke(
        &w,
        "set_time_column",
        json!({"data": db, "table": "orders", "column": "placed_at"}),
    )
    .unwrap();
    let to_orders = find(&rels["schema"]["relationships"], "to_entity", "orders").clone();
    assert_eq!(to_orders["time_column"], "placed_at");
    let err = invoke(
        &w,
        "set_time_column",
        json!({"data": db, "table": "orders", "column": "nope"}),
    )
    .unwrap_err();
    assert_eq!(err["kind"], "invalid_request");
    invoke(&w, "set_label", json!({"data": db, "table": "customers", "column": "country", "label": "Country of residence"})).unwrap();
    let stats = invoke(&w, "schema_stats", json!({"data": db})).unwrap();
    let customers = find(&stats, "name", "customers");
    assert_eq!(customers["columns"][1]["label"], "Country of residence");

    // The builder's preview counts on the open data source, through the relationship.
    let segment = segment(
        "customers",
        common::and([within(related("orders", 1, []), any_time())]),
    );
    let preview = invoke(
        &w,
        "preview",
        json!({"request": {"request_id": 1, "segment": segment, "entity": "customers"}}),
    )
    .unwrap();
    assert_eq!(preview["total"], 3, "{preview}");
    assert_eq!(preview["count"], 2, "{preview}");

    // Samples and overlap wait for the engine, which loads with the confirmed relationship (the
    // CLI's `count`/`sample`/`overlap` use the same pipeline); once loaded, previews count in
    // memory through it.
    let samples = invoke(
        &w,
        "samples",
        json!({"request": {"segment": segment, "entity": "customers", "n": 5}}),
    )
    .unwrap();
    let keys: Vec<&Value> = column(&samples["samples"], "key");
    assert_eq!(keys, [&json!(1), &json!(3)], "{samples}");
    let overlap = invoke(
        &w,
        "overlap",
        json!({"request": {"segments": [segment, segment], "entity": "customers"}}),
    )
    .unwrap();
    assert_eq!(overlap["counts"], json!([2, 2]), "{overlap}");
    let preview = invoke(
        &w,
        "preview",
        json!({"request": {"request_id": 2, "segment": segment, "entity": "customers"}}),
    )
    .unwrap();
    assert_eq!(preview["engine"], "memory", "{preview}");
    assert_eq!(preview["count"], 2, "{preview}");

    // A file that is not SQLite is refused and the open data source stays.
    let err = invoke(
        &w,
        "open_data",
        json!({"data": dir.path().join("customers.csv")}),
    )
    .unwrap_err();
    assert_eq!(err["kind"], "source", "{err}");
    assert_eq!(
        invoke(&w, "get_source", json!({})).unwrap()["path"],
        db.display().to_string()
    );
}
