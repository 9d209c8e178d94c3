//! Size over time, "why / why not" and near misses in the app (src-tauri/src/insight.rs)
//! through Tauri's IPC without a window, against the preview's count and SQL on a small demo file.

mod common;

use std::sync::OnceLock;

use common::{all_of, cond, related, Fixture};
use serde_json::{json, Value};

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    common::cached(&FIXTURE, || Fixture::demo(300, 5, |_| {}))
}

fn invoke(cmd: &str, body: Value) -> Result<Value, Value> {
    fixture().invoke(cmd, body)
}

fn buyers() -> Value {
    all_of(
        "profiles",
        [
            cond("plan", "is_one_of", json!(["free", "starter", "pro"])),
            related("events", 1, [cond("name", "is", "purchase")]),
        ],
    )
}

#[test]
fn the_trend_ends_with_the_count_as_of_now() {
    let trend = invoke(
        "insight_trend",
        json!({"request": {"segment": buyers(), "now": "2026-11-01", "days": 14, "step": "week"}}),
    )
    .unwrap();
    let points = trend["points"].as_array().unwrap();
    assert_eq!(points.len(), 3);
    assert_eq!(points[2]["at"], "2026-11-01T00:00:00Z");
    let all_time = fixture().count_sql(
        "SELECT count(*) FROM profiles p WHERE p.plan IN ('free', 'starter', 'pro') AND EXISTS \
         (SELECT 1 FROM events e WHERE e.profile_id = p.id AND e.name = 'purchase' \
          AND e.ts <= 1793491200)",
    );
    assert_eq!(points[2]["count"].as_u64(), Some(all_time));
    assert!(trend["note"].as_str().unwrap().contains("as they are now"));
}

#[test]
fn a_member_and_a_non_member_are_explained() {
    let member = fixture().keys_sql(
        "SELECT p.id FROM profiles p WHERE p.plan = 'pro' AND EXISTS \
         (SELECT 1 FROM events e WHERE e.profile_id = p.id AND e.name = 'purchase') ORDER BY p.id",
    )[0];
    let outsider =
        fixture().keys_sql("SELECT id FROM profiles WHERE plan = 'enterprise' ORDER BY id")[0];
    for (key, member_expected) in [(member, true), (outsider, false)] {
        let explained = invoke(
            "insight_explain_record",
            json!({"request": {"segment": buyers(), "now": "2026-11-01", "key": key.to_string()}}),
        )
        .unwrap();
        assert_eq!(explained["member"], member_expected, "{key}");
        assert_eq!(explained["nodes"][0]["met"], member_expected);
        assert_eq!(explained["nodes"][1]["met"], member_expected);
    }
    let error = invoke(
        "insight_explain_record",
        json!({"request": {"segment": buyers(), "key": "abc"}}),
    )
    .unwrap_err();
    assert!(
        error["message"].as_str().unwrap().contains("not a number"),
        "{error}"
    );
}

#[test]
fn near_misses_have_the_preview_counts() {
    let found = invoke(
        "insight_near_misses",
        json!({"request": {"segment": buyers(), "now": "2026-11-01"}}),
    )
    .unwrap();
    let nodes = found["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 3);
    let count = found["count"].as_u64().unwrap();
    assert_eq!(
        nodes[0]["more_if_dropped"].as_u64().unwrap(),
        nodes[0]["without"].as_u64().unwrap() - count
    );
    assert_eq!(nodes[1]["curves"][0]["kind"], "occurrences");
}
