//! `segment-builder breakdown`, `split` and `tiers`: words by default, JSON with `--json`;
//! rows sum to `count`, groups to the count and to the files written, tiers to their union,
//! with the engine and with SQL alike; library segments frozen per group and per tier.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use segment_testkit::{all_of, cond, Cli, Workdir};

fn bin() -> Cli {
    Cli::new(env!("CARGO_BIN_EXE_segment-builder"))
}

fn demo() -> String {
    segment_testkit::demo(&bin(), 1000, None)
        .path_str()
        .to_string()
}

fn count(data: &str, seg: &str) -> u64 {
    bin().ok(&["count", "--data", data, "--segment", seg])["count"]
        .as_u64()
        .unwrap()
}

#[test]
fn a_breakdown_sums_to_the_count_in_memory_and_in_sql() {
    let dir = Workdir::new();
    let data = demo();
    let paid = dir.json(
        "paid.json",
        &all_of("profiles", [cond("plan", "is_not", "free")]),
    );
    let expected = count(&data, &paid);
    for by in ["country", "age", "orders.sum(total)", "signed_up_at"] {
        let mut seen = Vec::new();
        for engine in ["engine", "sql"] {
            let args = [
                "breakdown",
                "--data",
                &data,
                "--segment",
                &paid,
                "--by",
                by,
                "--engine",
                engine,
                "--json",
            ];
            let b = bin().ok(&args);
            let rows = b["rows"].as_array().unwrap();
            let sum: u64 = rows.iter().map(|r| r["count"].as_u64().unwrap()).sum();
            assert_eq!(
                (b["count"].as_u64(), sum),
                (Some(expected), expected),
                "{by}"
            );
            assert_eq!(
                b["method"],
                if engine == "engine" { "memory" } else { "sql" }
            );
            seen.push(b["rows"].clone());
        }
        assert_eq!(seen[0], seen[1], "{by}: the engine and SQL agree");
    }
    let words = bin().run(&[
        "breakdown",
        "--data",
        &data,
        "--segment",
        &paid,
        "--by",
        "country",
        "--by-lift",
    ]);
    let text = String::from_utf8(words.stdout).unwrap();
    assert!(
        text.contains("by country") && text.contains("lift"),
        "{text}"
    );
    let bad = bin().fails(&[
        "breakdown",
        "--data",
        &data,
        "--segment",
        &paid,
        "--by",
        "colour",
    ]);
    assert!(bad.contains("no attribute “colour”"), "{bad}");
}

fn lines(path: &std::path::Path) -> BTreeSet<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["user_account_id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn a_split_partitions_the_members_into_files_and_frozen_segments() {
    let dir = Workdir::new();
    let data = demo();
    let store = dir.path("library.sqlite");
    let store = store.to_str().unwrap();
    let paid = dir.json(
        "paid.json",
        &all_of("profiles", [cond("plan", "is_not", "free")]),
    );
    bin().ok(&[
        "segments", "--store", store, "save", "paid", "--file", &paid, "--name", "Paid",
    ]);
    let out = dir.path("groups");
    let split = bin().ok(&[
        "split",
        "--data",
        &data,
        "--id",
        "paid",
        "--store",
        store,
        "--group",
        "A=45",
        "--group",
        "B=45",
        "--group",
        "Holdout=10",
        "--salt",
        "spring",
        "--balance",
        "age",
        "--out-dir",
        out.to_str().unwrap(),
        "--freeze",
        "spring",
        "--json",
    ]);
    let expected = count(&data, &paid);
    let groups = split["groups"].as_array().unwrap();
    let counts: Vec<u64> = groups
        .iter()
        .map(|g| g["count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts.iter().sum::<u64>(), expected);
    let files: Vec<BTreeSet<String>> = ["a", "b", "holdout"]
        .iter()
        .map(|n| lines(&out.join(format!("{n}.ndjson"))))
        .collect();
    assert_eq!(
        files.iter().map(|f| f.len() as u64).collect::<Vec<_>>(),
        counts
    );
    let union: BTreeSet<&String> = files.iter().flatten().collect();
    assert_eq!(union.len() as u64, expected, "no member in two groups");
    assert_eq!(split["balance"][0]["attribute"], "age");
    // Stable: the same salt in SQL gives the same counts.
    let again = bin().ok(&[
        "split",
        "--data",
        &data,
        "--segment",
        &paid,
        "--group",
        "A=45",
        "--group",
        "B=45",
        "--group",
        "Holdout=10",
        "--salt",
        "spring",
        "--engine",
        "sql",
        "--json",
    ]);
    assert_eq!(again["groups"], json!(groups));
    let frozen = bin().ok(&[
        "members",
        "--store",
        store,
        "list",
        "spring_holdout",
        "--size",
        "1000",
    ]);
    assert_eq!(
        frozen["page"]["totalElements"].as_u64(),
        Some(counts[2]),
        "{frozen}"
    );
    let bad = bin().fails(&[
        "split",
        "--data",
        &data,
        "--segment",
        &paid,
        "--group",
        "A=50",
        "--group",
        "B=40",
        "--salt",
        "s",
    ]);
    assert!(bad.contains("add up to 90%"), "{bad}");
}

#[test]
fn tiers_keep_each_record_in_its_first_tier() {
    let dir = Workdir::new();
    let data = demo();
    let store = dir.path("library.sqlite");
    let store = store.to_str().unwrap();
    let us = dir.json(
        "us.json",
        &all_of("profiles", [cond("country", "is", "US")]),
    );
    let paid = dir.json(
        "paid.json",
        &all_of("profiles", [cond("plan", "is_not", "free")]),
    );
    bin().ok(&[
        "segments", "--store", store, "save", "us", "--file", &us, "--name", "US",
    ]);
    let out = dir.path("tiers");
    let tiers = bin().ok(&[
        "tiers",
        "--data",
        &data,
        "--store",
        store,
        "--tier",
        "us",
        "--tier",
        &paid,
        "--out-dir",
        out.to_str().unwrap(),
        "--json",
    ]);
    let (n_us, n_paid) = (count(&data, &us), count(&data, &paid));
    let t = tiers["tiers"].as_array().unwrap();
    assert_eq!(t[0]["count"].as_u64(), Some(n_us));
    assert_eq!(t[1]["matched"].as_u64(), Some(n_paid));
    let kept = t[1]["count"].as_u64().unwrap();
    let lost = t[1]["lost_to"][0].as_u64().unwrap();
    assert_eq!(kept + lost, n_paid);
    assert_eq!(tiers["union"].as_u64(), Some(n_us + kept));
    assert_eq!(lines(&out.join("us.ndjson")).len() as u64, n_us);
    assert_eq!(lines(&out.join("paid.ndjson")).len() as u64, kept);
    let words = bin().run(&[
        "tiers", "--data", &data, "--store", store, "--tier", "us", "--tier", &paid,
    ]);
    let text = String::from_utf8(words.stdout).unwrap();
    assert!(text.contains(&format!("{lost} to us")), "{text}");
}
