//! The audience commands through Tauri's IPC (mock runtime, no window): a breakdown summing to
//! the SQL count, a split kept as static segments of the library whose members partition the
//! segment, tiers of saved segments kept once each.

mod common;

use std::sync::OnceLock;

use common::{all_of, cond, Fixture};
use serde_json::{json, Value};

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    common::cached(&FIXTURE, || {
        Fixture::demo(300, 5, |dir| {
            std::env::set_var("SEGMENT_BUILDER_LIBRARY", dir.join("library.sqlite"))
        })
    })
}

fn invoke(cmd: &str, body: Value) -> Result<Value, Value> {
    fixture().invoke(cmd, body)
}

fn us() -> Value {
    all_of("profiles", [cond("country", "is", "US")])
}

#[test]
fn breakdown_split_and_tiers_through_ipc() {
    let n_us = fixture().count_sql("SELECT count(*) FROM profiles WHERE country = 'US'");
    let b = invoke(
        "audience_breakdown",
        json!({"request": {"segment": us(), "dimension": {"kind": "attribute", "column": "plan"}}}),
    )
    .unwrap();
    let rows = b["rows"].as_array().unwrap();
    let sum: u64 = rows.iter().map(|r| r["count"].as_u64().unwrap()).sum();
    assert_eq!((b["count"].as_u64(), sum), (Some(n_us), n_us));

    invoke(
        "library_save",
        json!({"draft": {"id": "us", "name": "US", "definition": us(), "entity": "profiles"}}),
    )
    .unwrap();
    let split = json!({"groups": [{"name": "Test", "percent": 50}, {"name": "Control", "percent": 50}], "salt": "s"});
    let counted = invoke(
        "audience_split",
        json!({"request": {"segment": us(), "split": split}}),
    )
    .unwrap();
    let counts: Vec<u64> = counted["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts.iter().sum::<u64>(), n_us);
    let refused = invoke(
        "audience_split_keep",
        json!({"request": {"segment": us(), "split": split}}),
    )
    .unwrap_err();
    assert!(refused["message"]
        .as_str()
        .unwrap()
        .contains("save the segment first"));
    let kept = invoke(
        "audience_split_keep",
        json!({"request": {"segment": us(), "split": split, "source_id": "us", "prefix": "ab"}}),
    )
    .unwrap();
    assert_eq!(
        kept,
        json!([{"id": "ab_test", "count": counts[0]}, {"id": "ab_control", "count": counts[1]}])
    );
    let members = invoke(
        "members_list",
        json!({"id": "ab_test", "filter": {"page": 0, "size": 1000}}),
    )
    .unwrap();
    assert_eq!(members["page"]["totalElements"].as_u64(), Some(counts[0]));

    invoke(
        "library_save",
        json!({"draft": {"id": "paid", "name": "Paid", "definition": all_of("profiles", [cond("plan", "is_not", "free")]), "entity": "profiles"}}),
    )
    .unwrap();
    let tiers = invoke(
        "audience_tiers",
        json!({"request": {"ids": ["us", "paid"]}}),
    )
    .unwrap();
    let union =
        fixture().count_sql("SELECT count(*) FROM profiles WHERE country = 'US' OR plan <> 'free'");
    assert_eq!(tiers["union"].as_u64(), Some(union));
    assert_eq!(tiers["tiers"][0]["count"].as_u64(), Some(n_us));
    let kept = invoke(
        "audience_tiers_keep",
        json!({"request": {"ids": ["us", "paid"], "prefix": "t"}}),
    )
    .unwrap();
    assert_eq!(kept[1]["id"], "t_paid");
    assert_eq!(kept[1]["count"], tiers["tiers"][1]["count"]);
}
