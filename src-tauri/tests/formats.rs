//! `render_formats` and `import_definition` through Tauri's IPC, without a window (tauri's mock
//! runtime), against a small demo data set.

mod common;

use std::sync::OnceLock;

use common::{all_of, cond, fields, find, sql, Fixture};
use serde_json::{json, Value};

fn invoke(cmd: &str, body: Value) -> Result<Value, Value> {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    common::cached(&FIXTURE, || Fixture::demo(50, 7, |_| {})).invoke(cmd, body)
}

fn us_segment() -> Value {
    all_of("profiles", [cond("country", "is", "US")])
}

#[test]
fn renders_all_thirteen_formats() {
    let out = invoke(
        "render_formats",
        json!({ "segment": us_segment(), "entity": null, "now": null }),
    )
    .unwrap();
    let formats: Vec<&str> = fields(&out, "format");
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
            "sql-spark",
            "sql-bigquery",
            "sql-snowflake",
            "sql-ansi",
            "english"
        ]
    );
    let by = |name: &str| find(&out, "format", name).clone();
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
    let bad = all_of("profiles", [cond("no_such_column", "equals", 1)]);
    let out = invoke("render_formats", json!({ "segment": bad })).unwrap();
    let sql = find(&out, "format", "sql-sqlite");
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
    let seg = all_of("profiles", [sql("age > 30")]);
    let out = invoke("render_formats", json!({ "segment": seg })).unwrap();
    let pql = find(&out, "format", "pql-text");
    assert!(pql["text"].is_null(), "{pql}");
    let message = pql["error"]["message"].as_str().unwrap();
    assert!(message.contains("cannot express"), "{message}");
    assert_eq!(pql["error"]["path"], "/root/children/0", "{pql}");
    let canonical = find(&out, "format", "canonical");
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
    // One error type for every command: the definition's place is under `definition`.
    assert_eq!(err["kind"], "definition", "{err}");
    assert_eq!(err["status"], 400, "{err}");
    let at = &err["definition"];
    assert_eq!(at["format"], "odata", "{err}");
    assert_eq!(at["line"], 2, "{err}");
    assert_eq!(at["column"], 11, "{err}");
}

#[test]
fn malformed_json_is_located() {
    let err = invoke(
        "import_definition",
        json!({ "text": "{\n  \"version\": 1,\n  \"root\": }", "entity": "profiles" }),
    )
    .unwrap_err();
    let at = &err["definition"];
    assert!(at["line"].is_number() || at["path"].is_string(), "{err}");
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

/// "Import definition" and the Formats pane with no data source (here: the data could not be
/// opened): definitions read with their attributes as written, the tree formats render, SQL
/// says it needs data.
#[test]
fn import_definition_and_formats_work_without_a_data_source() {
    let dir = tempfile::tempdir().unwrap();
    let state =
        segment_builder_desktop::AppState::with_grants(common::scripted(dir.path(), Vec::new()));
    state.load(&dir.path().join("missing.sqlite"), false);
    let w = common::window(state);

    let imported = common::invoke(
        &w,
        "import_definition",
        json!({ "text": "homeAddress.countryISO = \"CA\" and person.birthYear = 1985", "format": null, "entity": null }),
    )
    .unwrap();
    assert_eq!(imported["format"], "pql-text");
    assert_eq!(imported["segment"]["entity"], "person");

    let out = common::invoke(
        &w,
        "render_formats",
        json!({ "segment": imported["segment"], "entity": null, "now": null }),
    )
    .unwrap();
    let odata = find(&out, "format", "odata");
    assert_eq!(
        odata["text"],
        "homeAddress/countryISO eq 'CA' and person/birthYear eq 1985"
    );
    let sql = find(&out, "format", "sql-sqlite");
    assert!(sql["text"].is_null());
    assert!(
        sql["error"]["message"]
            .as_str()
            .unwrap()
            .contains("data source"),
        "{sql}"
    );

    let refused = common::invoke(
        &w,
        "import_definition",
        json!({ "text": "Style has Sales.Pattern'Yellow'", "format": "odata", "entity": null }),
    )
    .unwrap_err();
    let message = refused.to_string();
    assert!(message.contains("the has operator"), "{message}");
    assert!(!message.contains("one of: )"), "{message}");
}

/// With data open, a definition from another system can be read as written (`withoutData`);
/// otherwise the data's schema checks it.
#[test]
fn import_definition_can_take_attributes_as_written() {
    let pql = "homeAddress.countryISO = \"CA\"";
    let checked = invoke(
        "import_definition",
        json!({ "text": pql, "format": "pql-text", "entity": null }),
    )
    .unwrap_err();
    assert!(checked.to_string().contains("homeAddress"), "{checked}");
    let imported = invoke(
        "import_definition",
        json!({ "text": pql, "format": "pql-text", "entity": null, "withoutData": true }),
    )
    .unwrap();
    assert_eq!(imported["segment"]["entity"], "person");
    assert_eq!(
        imported["segment"]["root"]["children"][0]["attribute"],
        "homeAddress.countryISO"
    );
}
