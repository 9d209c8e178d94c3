//! `render_formats` and `import_definition` through Tauri's IPC, without a window (tauri's mock
//! runtime), against a small demo data set.

use std::sync::OnceLock;

use segment_builder_desktop::AppState;
use serde_json::{json, Value};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;

fn state() -> AppState {
    static FIXTURE: OnceLock<(tempfile::TempDir, AppState)> = OnceLock::new();
    FIXTURE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("demo.sqlite");
            segment_source::generate_demo(
                &path,
                segment_source::DemoOptions {
                    profiles: 50,
                    seed: 7,
                },
            )
            .unwrap();
            let state = AppState::new();
            state.load(&path, true);
            (dir, state)
        })
        .1
        .clone()
}

fn invoke(cmd: &str, body: Value) -> Result<Value, Value> {
    let app = segment_builder_desktop::builder(mock_builder(), state())
        .build(mock_context(noop_assets()))
        .unwrap();
    let w = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
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

fn us_segment() -> Value {
    json!({
        "version": 1,
        "entity": "profiles",
        "root": { "combinator": "and", "children": [
            { "type": "condition", "attribute": "country", "operator": "is", "value": "US" }
        ] }
    })
}

#[test]
fn renders_all_thirteen_formats() {
    let out = invoke(
        "render_formats",
        json!({ "segment": us_segment(), "entity": null, "now": null }),
    )
    .unwrap();
    let formats: Vec<&str> = out
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["format"].as_str().unwrap())
        .collect();
    assert_eq!(
        formats,
        [
            "canonical",
            "census",
            "pql-text",
            "pql-json",
            "odata",
            "odp",
            "sql-sqlite",
            "sql-postgres",
            "sql-duckdb",
            "sql-bigquery",
            "sql-snowflake",
            "sql-ansi",
            "english"
        ]
    );
    let by = |name: &str| {
        out.as_array()
            .unwrap()
            .iter()
            .find(|f| f["format"] == name)
            .unwrap()
            .clone()
    };
    assert!(
        by("pql-text")["text"].as_str().unwrap().contains("\"US\""),
        "{}",
        by("pql-text")
    );
    assert!(
        by("odata")["text"].as_str().unwrap().contains("'US'"),
        "{}",
        by("odata")
    );
    assert!(by("sql-postgres")["text"]
        .as_str()
        .unwrap()
        .contains("'US'"));
    for f in out.as_array().unwrap() {
        assert!(f["text"].is_string() != f["error"].is_object(), "{f}");
    }
}

#[test]
fn a_format_that_cannot_express_the_segment_says_so() {
    // "is blank" on a text attribute: at least one renderer refuses something; whatever refuses
    // carries a message and no text. An invalid segment (unknown attribute) fails SQL with a path.
    let bad = json!({ "version": 1, "entity": "profiles", "root": { "combinator": "and", "children": [
        { "type": "condition", "attribute": "no_such_column", "operator": "equals", "value": 1 } ] } });
    let out = invoke("render_formats", json!({ "segment": bad })).unwrap();
    let sql = out
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["format"] == "sql-sqlite")
        .unwrap();
    assert!(sql["text"].is_null());
    assert!(
        sql["error"]["message"]
            .as_str()
            .unwrap()
            .contains("SQL needs a valid segment"),
        "{sql}"
    );
    assert!(
        sql["error"]["path"]
            .as_str()
            .unwrap_or("")
            .starts_with("/root/children/0"),
        "{sql}"
    );
}

#[test]
fn a_raw_sql_condition_is_refused_by_the_formats_that_cannot_express_it() {
    let seg = json!({ "version": 1, "entity": "profiles", "root": { "combinator": "and", "children": [
        { "type": "sql", "sql": "age > 30" } ] } });
    let out = invoke("render_formats", json!({ "segment": seg })).unwrap();
    let pql = out
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["format"] == "pql-text")
        .unwrap();
    assert!(pql["text"].is_null(), "{pql}");
    let message = pql["error"]["message"].as_str().unwrap();
    assert!(message.contains("cannot express"), "{message}");
    assert_eq!(pql["error"]["path"], "/root/children/0", "{pql}");
    let canonical = out
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["format"] == "canonical")
        .unwrap();
    assert!(canonical["text"].as_str().unwrap().contains("age > 30"));
}

#[test]
fn imports_odata_by_auto_detection() {
    let out = invoke(
        "import_definition",
        json!({ "text": "country eq 'US'", "format": null, "entity": "profiles" }),
    )
    .unwrap();
    assert_eq!(out["format"], "odata", "{out}");
    assert_eq!(out["segment"]["entity"], "profiles");
    let text = out["segment"].to_string();
    assert!(text.contains("country") && text.contains("US"), "{text}");
}

#[test]
fn imports_canonical_json_and_pql_text() {
    let out = invoke(
        "import_definition",
        json!({ "text": us_segment().to_string(), "entity": "profiles" }),
    )
    .unwrap();
    assert_eq!(out["format"], "canonical");
    let out = invoke(
        "import_definition",
        json!({ "text": "country = \"US\"", "format": "pql-text", "entity": "profiles" }),
    )
    .unwrap();
    assert_eq!(out["format"], "pql-text", "{out}");
}

#[test]
fn malformed_odata_is_located() {
    let err = invoke("import_definition", json!({ "text": "country eq 'US' and\n  (age gt )", "format": "odata", "entity": "profiles" }))
        .unwrap_err();
    assert_eq!(err["format"], "odata", "{err}");
    assert_eq!(err["line"], 2, "{err}");
    assert_eq!(err["column"], 11, "{err}");
}

#[test]
fn malformed_json_is_located() {
    let err = invoke(
        "import_definition",
        json!({ "text": "{\n  \"version\": 1,\n  \"root\": }", "entity": "profiles" }),
    )
    .unwrap_err();
    assert!(err["line"].is_number() || err["path"].is_string(), "{err}");
}

#[test]
fn unknown_format_is_refused() {
    let err = invoke(
        "import_definition",
        json!({ "text": "x", "format": "english", "entity": "profiles" }),
    )
    .unwrap_err();
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("cannot be imported")
            || err["message"].as_str().unwrap().contains("not a format"),
        "{err}"
    );
}
