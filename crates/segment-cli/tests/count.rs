//! `segment-builder count`: the engine by default, `--engine sql`, `--explain`, the fallback.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

fn cli(args: &[&str]) -> (Value, String, bool) {
    let out = Command::new(env!("CARGO_BIN_EXE_segment-builder")).args(args).output().expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    (serde_json::from_str(&stdout).unwrap_or(Value::Null), String::from_utf8_lossy(&out.stderr).to_string(), out.status.success())
}

fn demo(dir: &Path) -> String {
    let path = dir.join("demo.sqlite");
    let (_, err, ok) = cli(&["demo", "--out", path.to_str().unwrap(), "--profiles", "3000"]);
    assert!(ok, "{err}");
    path.to_str().unwrap().to_string()
}

fn write(dir: &Path, name: &str, value: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, value.to_string()).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn engine_and_sql_agree_and_explain_lists_every_node() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo(dir.path());
    let segment = write(dir.path(), "seg.json", &json!({"version": 1, "entity": "profiles", "root": {"combinator": "or", "children": [
        {"type": "condition", "attribute": "plan", "operator": "is", "value": "pro"},
        {"type": "relationship", "relationship": "events",
         "constraint": {"type": "occurrences", "operator": "at_least", "value": 2},
         "window": {"type": "in_the_last", "amount": 60, "unit": "day"},
         "filter": {"combinator": "and", "children": [{"type": "condition", "attribute": "name", "operator": "is", "value": "purchase"}]}}]}}));
    let args = ["count", "--data", &data, "--segment", &segment, "--now", "2026-11-01"];
    let (engine, err, ok) = cli(&args);
    assert!(ok, "{err}");
    let (sql, _, _) = cli(&[&args[..], &["--engine", "sql"]].concat());
    assert_eq!(engine, sql);
    assert!(engine["count"].as_u64().unwrap() > 0);

    let (explained, err, ok) = cli(&[&args[..], &["--explain"]].concat());
    assert!(ok, "{err}");
    assert_eq!(explained["engine"], "engine");
    assert_eq!(explained["count"], engine["count"]);
    let paths: Vec<&str> = explained["nodes"].as_array().unwrap().iter().map(|n| n["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["/root/children/0", "/root/children/1", "/root/children/1/filter/children/0"]);
    // Without the OR's first branch, only the second remains: its own count.
    assert_eq!(explained["nodes"][0]["without"], explained["nodes"][1]["count"]);
    let (sql_explained, _, _) = cli(&[&args[..], &["--explain", "--engine", "sql"]].concat());
    assert_eq!(sql_explained["nodes"], explained["nodes"]);
}

#[test]
fn raw_sql_falls_back_to_sql_with_a_notice() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo(dir.path());
    let segment = write(dir.path(), "seg.json", &json!({"version": 1, "entity": "profiles", "root": {"combinator": "and", "children": [
        {"type": "sql", "sql": "age > 40"}]}}));
    let (out, err, ok) = cli(&["count", "--data", &data, "--segment", &segment, "--explain"]);
    assert!(ok, "{err}");
    assert_eq!(out["engine"], "sql");
    assert!(err.contains("notice:") && err.contains("raw SQL"), "{err}");
}
