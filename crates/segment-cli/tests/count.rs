//! `segment-builder count`: the engine by default, `--engine sql`, `--explain`, the fallback.

use serde_json::{json, Value};

use segment_testkit::{
    all_of, cond, fields, in_the_last, or, related, segment, sql, strs, within, Cli, Workdir,
};

fn bin() -> Cli {
    Cli::new(env!("CARGO_BIN_EXE_segment-builder"))
}

fn cli(args: &[&str]) -> (Value, String, bool) {
    bin().outcome(args)
}

/// The demo file with 3000 profiles, once for all tests (they only read it).
fn demo() -> String {
    segment_testkit::demo(&bin(), 3000, None)
        .path_str()
        .to_string()
}

#[test]
fn engine_and_sql_agree_and_explain_lists_every_node() {
    let dir = Workdir::new();
    let data = demo();
    let segment = dir.json(
        "seg.json",
        &segment(
            "profiles",
            or([
                cond("plan", "is", "pro"),
                within(
                    related("events", 2, [cond("name", "is", "purchase")]),
                    in_the_last(60, "day"),
                ),
            ]),
        ),
    );
    let args = [
        "count",
        "--data",
        &data,
        "--segment",
        &segment,
        "--now",
        "2026-11-01",
    ];
    let (engine, err, ok) = cli(&args);
    assert!(ok, "{err}");
    let (sql, _, _) = cli(&[&args[..], &["--engine", "sql"]].concat());
    assert_eq!(engine, sql);
    assert!(engine["count"].as_u64().unwrap() > 0);

    let (explained, err, ok) = cli(&[&args[..], &["--explain"]].concat());
    assert!(ok, "{err}");
    assert_eq!(explained["engine"], "engine");
    assert_eq!(explained["count"], engine["count"]);
    let paths: Vec<&str> = fields(&explained["nodes"], "path");
    assert_eq!(
        paths,
        [
            "/root/children/0",
            "/root/children/1",
            "/root/children/1/filter/children/0"
        ]
    );
    // Without the OR's first branch, only the second remains: its own count.
    assert_eq!(
        explained["nodes"][0]["without"],
        explained["nodes"][1]["count"]
    );
    let (sql_explained, _, _) = cli(&[&args[..], &["--explain", "--engine", "sql"]].concat());
    assert_eq!(sql_explained["nodes"], explained["nodes"]);
}

#[test]
fn raw_sql_falls_back_to_sql_with_a_notice() {
    let dir = Workdir::new();
    let data = demo();
    let segment = dir.json("seg.json", &all_of("profiles", [sql("age > 40")]));
    let (out, err, ok) = cli(&["count", "--data", &data, "--segment", &segment, "--explain"]);
    assert!(ok, "{err}");
    assert_eq!(out["engine"], "sql");
    assert!(err.contains("notice:") && err.contains("raw SQL"), "{err}");
}

#[test]
fn samples_are_matching_records_with_the_nodes_they_met() {
    let dir = Workdir::new();
    let data = demo();
    let segment = dir.json(
        "seg.json",
        &segment(
            "profiles",
            or([cond("plan", "is", "pro"), cond("country", "is", "DE")]),
        ),
    );
    let (out, err, ok) = cli(&["sample", "--data", &data, "--segment", &segment, "-n", "5"]);
    assert!(ok, "{err}");
    let samples = out["samples"].as_array().unwrap();
    assert_eq!(samples.len(), 5);
    let mut previous = f64::MIN;
    for s in samples {
        let key = s["key"].as_f64().unwrap();
        assert!(key > previous, "first N by key");
        previous = key;
        let record = &s["record"];
        let met: Vec<&str> = strs(&s["met"]);
        assert_eq!(
            met.contains(&"/root/children/0"),
            record["plan"] == "pro",
            "{s}"
        );
        assert_eq!(
            met.contains(&"/root/children/1"),
            record["country"] == "DE",
            "{s}"
        );
        assert!(!met.is_empty());
    }
    let (a, _, _) = cli(&[
        "sample",
        "--data",
        &data,
        "--segment",
        &segment,
        "-n",
        "5",
        "--random",
        "7",
    ]);
    let (b, _, _) = cli(&[
        "sample",
        "--data",
        &data,
        "--segment",
        &segment,
        "-n",
        "5",
        "--random",
        "7",
    ]);
    assert_eq!(a, b, "a seed repeats its sample");
}

#[test]
fn overlap_regions_add_up_and_match_sql_counts() {
    let dir = Workdir::new();
    let data = demo();
    let condition =
        |attribute: &str, value: &str| all_of("profiles", [cond(attribute, "is", value)]);
    let a = dir.json("a.json", &condition("plan", "pro"));
    let b = dir.json("b.json", &condition("country", "US"));
    let both = dir.json(
        "both.json",
        &all_of(
            "profiles",
            [cond("plan", "is", "pro"), cond("country", "is", "US")],
        ),
    );
    let (out, err, ok) = cli(&["overlap", "--data", &data, "--segment", &a, "--segment", &b]);
    assert!(ok, "{err}");
    let (sql_both, _, _) = cli(&[
        "count",
        "--data",
        &data,
        "--segment",
        &both,
        "--engine",
        "sql",
    ]);
    let region = |members: Value| {
        out["regions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["segments"] == members)
            .unwrap()["count"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(region(json!([0, 1])), sql_both["count"].as_u64().unwrap());
    assert_eq!(
        region(json!([0])) + region(json!([0, 1])),
        out["counts"][0].as_u64().unwrap()
    );
    let jaccard = out["jaccard"][0][1].as_f64().unwrap();
    let union = out["counts"][0].as_u64().unwrap() + out["counts"][1].as_u64().unwrap()
        - region(json!([0, 1]));
    assert!((jaccard - region(json!([0, 1])) as f64 / union as f64).abs() < 1e-12);
    let (_, err, ok) = cli(&["overlap", "--data", &data, "--segment", &a]);
    assert!(!ok && err.contains("2 or 3"), "{err}");
}

#[test]
fn data_too_large_for_the_memory_budget_is_counted_with_sql() {
    let dir = Workdir::new();
    let data = demo();
    let segment = dir.json("seg.json", &all_of("profiles", [cond("plan", "is", "pro")]));
    let out = bin().env("SEGMENT_ENGINE_MAX_BYTES", "10000").run(&[
        "count",
        "--data",
        &data,
        "--segment",
        &segment,
        "--explain",
    ]);
    assert!(out.status.success());
    let stdout: Value = serde_json::from_slice(&out.stdout).unwrap();
    let stderr = segment_testkit::stderr(&out);
    assert_eq!(stdout["engine"], "sql");
    assert!(stderr.contains("GiB allowed"), "{stderr}");
    let (engine, _, _) = cli(&["count", "--data", &data, "--segment", &segment]);
    assert_eq!(stdout["count"], engine["count"]);
}
