//! `segment-builder trend`, `explain-record` and `near-misses`: words by default, JSON with
//! `--json`; the trend's points equal `count --now` at each instant; a member and a
//! non-member explained; near misses of each node.

use serde_json::Value;

use segment_testkit::{all_of, cond, in_the_last, related, within, Cli, Workdir};

fn bin() -> Cli {
    Cli::new(env!("CARGO_BIN_EXE_segment-builder"))
}

fn demo() -> String {
    segment_testkit::demo(&bin(), 1000, None)
        .path_str()
        .to_string()
}

fn recent_buyers(dir: &Workdir) -> String {
    dir.json(
        "seg.json",
        &all_of(
            "profiles",
            [
                cond(
                    "plan",
                    "is_one_of",
                    serde_json::json!(["pro", "starter", "free"]),
                ),
                within(
                    related("events", 1, [cond("name", "is", "purchase")]),
                    in_the_last(30, "day"),
                ),
            ],
        ),
    )
}

#[test]
fn each_trend_point_equals_count_as_of_its_instant() {
    let dir = Workdir::new();
    let data = demo();
    let seg = recent_buyers(&dir);
    let trend = bin().ok(&[
        "trend",
        "--data",
        &data,
        "--segment",
        &seg,
        "--now",
        "2026-11-01",
        "--days",
        "21",
        "--step",
        "week",
        "--json",
    ]);
    let points = trend["points"].as_array().unwrap();
    let instants: Vec<&str> = points.iter().map(|p| p["at"].as_str().unwrap()).collect();
    assert_eq!(
        instants,
        [
            "2026-10-11T00:00:00Z",
            "2026-10-18T00:00:00Z",
            "2026-10-25T00:00:00Z",
            "2026-11-01T00:00:00Z"
        ]
    );
    assert_eq!(trend["method"], "memory");
    assert!(trend["note"].as_str().unwrap().contains("as they are now"));
    let mut previous: Option<u64> = None;
    for point in points {
        let at = point["at"].as_str().unwrap();
        let counted = bin().ok(&["count", "--data", &data, "--segment", &seg, "--now", at]);
        assert_eq!(point["count"], counted["count"], "as of {at}");
        let count = point["count"].as_u64().unwrap();
        if let Some(before) = previous {
            let (entered, left) = (
                point["entered"].as_u64().unwrap(),
                point["left"].as_u64().unwrap(),
            );
            assert_eq!(before + entered - left, count, "as of {at}");
        } else {
            assert_eq!(point["entered"], Value::Null);
        }
        previous = Some(count);
    }
    // Words: a table and the note; a bad step is refused.
    let out = bin().run(&["trend", "--data", &data, "--segment", &seg, "--days", "3"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("as of"), "{text}");
    assert!(text.contains("attributes of the records themselves are as they are now"));
    let error = bin().fails(&[
        "trend",
        "--data",
        &data,
        "--segment",
        &seg,
        "--step",
        "month",
    ]);
    assert!(error.contains("use day or week"), "{error}");
}

#[test]
fn explain_record_tells_a_member_and_a_non_member_why() {
    let dir = Workdir::new();
    let data = demo();
    let seg = recent_buyers(&dir);
    let args = ["--data", &data, "--segment", &seg, "--now", "2026-11-01"];
    let sample = bin().ok(&[&["sample"][..], &args, &["-n", "1"]].concat());
    let member = sample["samples"][0]["key"].to_string();
    let explained = bin().ok(&[
        &["explain-record"][..],
        &args,
        &["--key", &member, "--json"],
    ]
    .concat());
    assert_eq!(explained["member"], true);
    assert_eq!(explained["nodes"][0]["path"], "/root");
    assert_eq!(explained["nodes"][0]["met"], true);
    let events = &explained["nodes"][2];
    assert_eq!(events["path"], "/root/children/1");
    assert!(events["related"]["records"].as_u64().unwrap() >= 1);

    // A profile of the "enterprise" plan is not in it, and the plan says why.
    let conn = rusqlite_free_lookup(&data);
    let outsider =
        bin().ok(&[&["explain-record"][..], &args, &["--key", &conn, "--json"]].concat());
    assert_eq!(outsider["member"], false);
    assert_eq!(outsider["nodes"][1]["met"], false);
    assert_eq!(outsider["nodes"][1]["value"], "enterprise");
    let words = bin().run(&[&["explain-record"][..], &args, &["--key", &conn]].concat());
    let text = String::from_utf8_lossy(&words.stdout);
    assert!(text.contains("is not in the segment"), "{text}");
    assert!(
        text.contains("not met  whose plan is pro, starter or free"),
        "{text}"
    );

    let unknown = bin().run(&[&["explain-record"][..], &args, &["--key", "987654"]].concat());
    assert!(
        String::from_utf8_lossy(&unknown.stdout).contains("No record of profiles has id 987654")
    );
    let error = bin().fails(&[&["explain-record"][..], &args, &["--key", "abc"]].concat());
    assert!(error.contains("not a number"), "{error}");
}

/// The id of the first enterprise profile, through the CLI itself.
fn rusqlite_free_lookup(data: &str) -> String {
    let dir = Workdir::new();
    let seg = dir.json(
        "ent.json",
        &all_of("profiles", [cond("plan", "is", "enterprise")]),
    );
    let sample = bin().ok(&["sample", "--data", data, "--segment", &seg, "-n", "1"]);
    sample["samples"][0]["key"].to_string()
}

#[test]
fn near_misses_list_each_node_with_its_curves() {
    let dir = Workdir::new();
    let data = demo();
    let seg = recent_buyers(&dir);
    let args = ["--data", &data, "--segment", &seg, "--now", "2026-11-01"];
    let found = bin().ok(&[&["near-misses"][..], &args, &["--json"]].concat());
    let count = bin().ok(&[&["count"][..], &args].concat())["count"]
        .as_u64()
        .unwrap();
    assert_eq!(found["count"].as_u64(), Some(count));
    let nodes = found["nodes"].as_array().unwrap();
    let explained = bin().ok(&[&["count"][..], &args, &["--explain"]].concat());
    for (node, counted) in nodes.iter().zip(explained["nodes"].as_array().unwrap()) {
        assert_eq!(node["path"], counted["path"]);
        assert_eq!(node["without"], counted["without"]);
        assert_eq!(
            node["more_if_dropped"].as_u64().unwrap(),
            counted["without"].as_u64().unwrap() - count
        );
    }
    let curves = nodes[1]["curves"].as_array().unwrap();
    let kinds: Vec<&str> = curves.iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["occurrences", "window"]);
    let at_current = curves[1]["points"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["value"] == 30.0)
        .unwrap();
    assert_eq!(at_current["count"].as_u64(), Some(count));
    let words = bin().run(&[&["near-misses"][..], &args].concat());
    let text = String::from_utf8_lossy(&words.stdout);
    assert!(
        text.contains(&format!("{count} of 1000 records match")),
        "{text}"
    );
}
