//! A saved segment that refers to another ("is in segment") works in every command that reads
//! it from the library: `segments count`, `members freeze`, `segments export --sql`,
//! `breakdown --id`, and `trend` on its definition, all agreeing with `count`.

use std::path::Path;

use segment_testkit::{all_of, cond, Cli, Workdir};
use serde_json::{json, Value};

const NOW: &str = "2026-11-01";

fn cli() -> Cli {
    Cli::new(env!("CARGO_BIN_EXE_segment-builder"))
}

fn data() -> &'static Path {
    &segment_testkit::demo(&cli(), 2000, Some(5)).path
}

#[test]
fn a_saved_segment_with_a_reference_counts_freezes_breaks_down_and_trends() {
    let dir = Workdir::new();
    let store = dir.path("library.sqlite");
    let store = store.to_str().unwrap();
    let d = data().to_str().unwrap();
    let us = dir.file(
        "us.json",
        all_of("profiles", [cond("country", "is", "US")]).to_string(),
    );
    let in_us_paid = dir.file(
        "in_us_paid.json",
        all_of(
            "profiles",
            [
                json!({"type": "in_segment", "segment": "us"}),
                cond("plan", "is_not", "free"),
            ],
        )
        .to_string(),
    );
    for (id, file) in [("us", &us), ("us_paid", &in_us_paid)] {
        cli().ok(&[
            "segments", "--store", store, "save", id, "--file", file, "--name", id,
        ]);
    }
    let expected = cli().ok(&[
        "count",
        "--data",
        d,
        "--segment",
        &in_us_paid,
        "--store",
        store,
        "--now",
        NOW,
    ])["count"]
        .as_u64()
        .unwrap();
    let us_count = cli().ok(&["count", "--data", d, "--segment", &us, "--now", NOW])["count"]
        .as_u64()
        .unwrap();
    assert!(
        expected > 0 && expected < us_count,
        "{expected} of {us_count}"
    );

    let counted = cli().ok(&[
        "segments", "--store", store, "count", "us_paid", "--data", d, "--now", NOW,
    ]);
    assert_eq!(count_in(&counted), Some(expected), "{counted}");

    cli().ok(&[
        "members",
        "--store",
        store,
        "freeze",
        "us_paid",
        "--into",
        "us_paid_frozen",
        "--data",
        d,
        "--now",
        NOW,
    ]);
    let frozen = cli().ok(&["segments", "--store", store, "show", "us_paid_frozen"]);
    assert_eq!(
        frozen["individualCount"].as_u64(),
        Some(expected),
        "{frozen}"
    );

    let breakdown = cli().ok(&[
        "breakdown",
        "--data",
        d,
        "--id",
        "us_paid",
        "--store",
        store,
        "--by",
        "country",
        "--now",
        NOW,
        "--json",
    ]);
    assert_eq!(breakdown["count"].as_u64(), Some(expected), "{breakdown}");
    // Every member is in "us": all of them in the US row.
    let us_row = &breakdown["rows"][0];
    assert_eq!(
        (&us_row["label"], us_row["count"].as_u64()),
        (&json!("US"), Some(expected))
    );

    let trend = cli().ok(&[
        "trend",
        "--data",
        d,
        "--segment",
        &in_us_paid,
        "--store",
        store,
        "--now",
        NOW,
        "--days",
        "14",
        "--step",
        "week",
        "--json",
    ]);
    let last = trend["points"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["count"].as_u64(), Some(expected), "{trend}");

    let out = dir.path("export");
    cli().ok(&[
        "segments",
        "--store",
        store,
        "export",
        "us_paid",
        "--out",
        out.to_str().unwrap(),
        "--sql",
        "--data",
        d,
    ]);
    let sql = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".sql"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .unwrap_or_default();
    assert!(sql.contains("\"country\" = 'US'"), "{sql}");
}

/// The count a `segments count` answer recorded.
fn count_in(answer: &Value) -> Option<u64> {
    answer["count"]
        .as_u64()
        .or_else(|| answer["recordCount"].as_u64())
        .or_else(|| answer["counts"][0]["count"].as_u64())
}
