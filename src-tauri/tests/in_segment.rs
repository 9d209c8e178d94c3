//! "Is in segment" in the app's commands (mock runtime): the preview counts a reference to a
//! library segment with per-node counts, samples say the records met it, the SQL pane inlines
//! it, other platforms' formats refuse it at its node, and the library keeps a used segment.

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

fn preview(segment: Value) -> Value {
    invoke(
        "preview",
        json!({ "request": { "segment": segment, "request_id": 1, "now": "2026-11-01" } }),
    )
    .unwrap()
}

fn in_segment(id: &str, negated: bool) -> Value {
    json!({"type": "in_segment", "segment": id, "negated": negated})
}

#[test]
fn preview_samples_formats_and_delete_with_a_reference() {
    let us = all_of("profiles", [cond("country", "is", "US")]);
    invoke(
        "library_save",
        json!({ "draft": { "id": "us", "name": "US", "definition": us, "entity": "profiles" } }),
    )
    .unwrap();
    let direct = fixture().count_sql("SELECT count(*) FROM profiles WHERE country = 'US'");
    let total = fixture().count_sql("SELECT count(*) FROM profiles");
    assert!(direct > 0);

    let referring = all_of(
        "profiles",
        [in_segment("us", false), cond("age", "greater_than", 0)],
    );
    let answer = preview(referring.clone());
    assert_eq!(answer["problems"], json!([]), "{answer}");
    let both =
        fixture().count_sql("SELECT count(*) FROM profiles WHERE country = 'US' AND age > 0");
    assert_eq!(answer["count"], both);
    let node = answer["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["path"] == "/root/children/0")
        .cloned()
        .unwrap();
    assert_eq!(node["count"], direct, "{node}");
    assert!(answer["sql"]
        .as_str()
        .unwrap()
        .contains("t0.\"country\" = 'US'"));
    let not_in = preview(all_of("profiles", [in_segment("us", true)]));
    assert_eq!(not_in["count"], total - direct);

    // An unknown segment is a problem at the row.
    let unknown = preview(all_of("profiles", [in_segment("nope", false)]));
    assert_eq!(
        unknown["problems"],
        json!([{"path": "/root/children/0/segment", "message": "There is no segment “nope” in the library."}])
    );

    // Samples: each record met the reference.
    let samples = invoke(
        "samples",
        json!({ "request": { "segment": all_of("profiles", [in_segment("us", false)]), "n": 3 } }),
    )
    .unwrap();
    for s in samples["samples"].as_array().unwrap() {
        assert_eq!(s["record"]["country"], "US", "{s}");
        assert_eq!(s["met"], json!(["/root/children/0"]), "{s}");
    }

    // Formats: SQL inlines, English says it, OData refuses it at the node.
    let formats = invoke("render_formats", json!({ "segment": referring })).unwrap();
    let find = |name: &str| {
        formats
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["format"] == name)
            .cloned()
            .unwrap()
    };
    assert!(find("sql-postgres")["text"]
        .as_str()
        .unwrap()
        .contains("t0.\"country\" = 'US'"));
    assert!(find("english")["text"]
        .as_str()
        .unwrap()
        .contains("who are in segment “us”"));
    let odata = find("odata");
    assert_eq!(odata["error"]["path"], "/root/children/0", "{odata}");
    assert!(odata["error"]["message"]
        .as_str()
        .unwrap()
        .contains("membership of another segment"));

    // The library keeps a segment another one uses, and says who.
    invoke(
        "library_save",
        json!({ "draft": { "id": "us_adults", "name": "US adults", "definition": referring } }),
    )
    .unwrap();
    let refused = invoke("library_delete", json!({ "id": "us" })).unwrap_err();
    assert_eq!(refused["status"], 409, "{refused}");
    assert!(refused["message"]
        .as_str()
        .unwrap()
        .contains("is used by US adults (us_adults)"));
}

/// The insight commands (trend, why / why not, near misses) read the referenced segment from
/// the library too.
#[test]
fn trend_explain_and_near_misses_resolve_a_reference_from_the_library() {
    let us = all_of("profiles", [cond("country", "is", "US")]);
    invoke(
        "library_save",
        json!({ "draft": { "id": "us_insight", "name": "US (insight)", "definition": us, "entity": "profiles" } }),
    )
    .unwrap();
    let segment = all_of(
        "profiles",
        [
            json!({"type": "in_segment", "segment": "us_insight"}),
            cond("age", "greater_than", 0),
        ],
    );
    let expected =
        fixture().count_sql("SELECT count(*) FROM profiles WHERE country = 'US' AND age > 0");
    assert!(expected > 0);

    let trend = invoke(
        "insight_trend",
        json!({"request": {"segment": segment, "now": "2026-11-01", "days": 14, "step": "week"}}),
    )
    .unwrap();
    let last = trend["points"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["count"].as_u64(), Some(expected), "{trend}");

    let member = fixture()
        .keys_sql("SELECT id FROM profiles WHERE country = 'US' AND age > 0 ORDER BY id")[0];
    let explained = invoke(
        "insight_explain_record",
        json!({"request": {"segment": segment, "now": "2026-11-01", "key": member.to_string()}}),
    )
    .unwrap();
    assert_eq!(explained["member"], true, "{explained}");

    let near = invoke(
        "insight_near_misses",
        json!({"request": {"segment": segment, "now": "2026-11-01"}}),
    )
    .unwrap();
    assert_eq!(near["count"].as_u64(), Some(expected), "{near}");
}
