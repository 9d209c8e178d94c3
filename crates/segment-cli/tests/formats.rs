//! `segment-builder render` and `convert` end to end: every output format from one segment, a
//! round trip through Census and PQL, and located errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_segment-builder"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("utf-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn data() -> &'static str {
    static DATA: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DATA.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.sqlite");
        let out = run(&[
            "demo",
            "--out",
            path.to_str().unwrap(),
            "--profiles",
            "300",
            "--seed",
            "3",
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        (dir, path)
    });
    path.to_str().unwrap()
}

fn file(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

const SEGMENT: &str = r#"{
  "version": 1,
  "entity": "profiles",
  "root": {
    "combinator": "and",
    "children": [
      { "type": "condition", "attribute": "country", "operator": "is", "value": "O'Hara" },
      {
        "type": "relationship",
        "relationship": "events",
        "constraint": { "type": "occurrences", "operator": "at_least", "value": 2 },
        "window": { "type": "in_the_last", "amount": 180, "unit": "day" },
        "filter": {
          "combinator": "and",
          "children": [{ "type": "condition", "attribute": "name", "operator": "is", "value": "purchase" }]
        }
      }
    ]
  }
}"#;

#[test]
fn every_output_format_from_one_segment() {
    let dir = tempfile::tempdir().unwrap();
    let seg = file(dir.path(), "seg.json", SEGMENT);
    let expect: &[(&str, &str)] = &[
        ("canonical", "\"version\": 1"),
        ("census", "\"moleculeIndex\""),
        ("pql-text", "country = "),
        ("pql-json", "\"nodeType\""),
        ("odata", "country eq 'O''Hara'"),
        ("odp", "root_condition"),
        ("sql-sqlite", "t0.\"country\" = 'O''Hara'"),
        ("sql-postgres", "t0.\"country\" = 'O''Hara'"),
        ("sql-duckdb", "t0.\"country\" = 'O''Hara'"),
        ("sql-bigquery", "t0.`country` = 'O\\'Hara'"),
        ("sql-snowflake", "t0.\"country\" = 'O''Hara'"),
        ("sql-ansi", "t0.\"country\" = 'O''Hara'"),
        ("english", "purchase"),
    ];
    for (format, needle) in expect {
        let out = run(&[
            "render",
            "--to",
            format,
            "--data",
            data(),
            "--segment",
            &seg,
            "--now",
            "2026-11-01",
        ]);
        let text = stdout(&out);
        assert!(text.contains(needle), "{format}: no {needle:?} in\n{text}");
    }
}

#[test]
fn census_to_pql_text_to_canonical_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let seg = file(dir.path(), "seg.json", SEGMENT);
    let census = stdout(&run(&[
        "render",
        "--to",
        "census",
        "--data",
        data(),
        "--segment",
        &seg,
    ]));
    let census_file = file(dir.path(), "census.json", &census);
    let pql = stdout(&run(&[
        "convert",
        "--from",
        "census",
        "--to",
        "pql-text",
        "--data",
        data(),
        &census_file,
    ]));
    let direct = stdout(&run(&[
        "render",
        "--to",
        "pql-text",
        "--data",
        data(),
        "--segment",
        &seg,
    ]));
    assert_eq!(pql, direct);
    let pql_file = file(dir.path(), "seg.pql", &pql);
    let canonical = stdout(&run(&[
        "convert",
        "--from",
        "pql-text",
        "--to",
        "canonical",
        "--data",
        data(),
        "--entity",
        "profiles",
        &pql_file,
    ]));
    let back = file(dir.path(), "back.json", &canonical);
    // The canonical result is valid against the data and says the same thing.
    let out = run(&["validate", "--data", data(), "--segment", &back]);
    assert!(
        out.status.success(),
        "{}{}",
        stderr(&out),
        String::from_utf8_lossy(&out.stdout)
    );
    let again = stdout(&run(&[
        "render",
        "--to",
        "pql-text",
        "--data",
        data(),
        "--segment",
        &back,
    ]));
    assert_eq!(again, pql);
    let sql_before = stdout(&run(&[
        "render",
        "--to",
        "sql-sqlite",
        "--data",
        data(),
        "--segment",
        &seg,
        "--now",
        "2026-11-01",
    ]));
    let sql_after = stdout(&run(&[
        "render",
        "--to",
        "sql-sqlite",
        "--data",
        data(),
        "--segment",
        &back,
        "--now",
        "2026-11-01",
    ]));
    assert_eq!(sql_before, sql_after);
}

#[test]
fn a_parse_error_shows_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let bad = file(dir.path(), "bad.pql", "country = \"US\" and (age > ");
    let out = run(&[
        "convert",
        "--from",
        "pql-text",
        "--to",
        "canonical",
        "--data",
        data(),
        "--entity",
        "profiles",
        &bad,
    ]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("bad.pql") && err.contains("line 1, column"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn output_only_formats_and_unknown_names_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let seg = file(dir.path(), "seg.json", SEGMENT);
    let out = run(&["convert", "--from", "sql-sqlite", "--to", "canonical", &seg]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("sql-sqlite is output-only"),
        "{}",
        stderr(&out)
    );
    let out = run(&["convert", "--from", "english", "--to", "canonical", &seg]);
    assert!(
        stderr(&out).contains("english is output-only"),
        "{}",
        stderr(&out)
    );
    let out = run(&["render", "--to", "sql-oracle", "--segment", &seg]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown format \"sql-oracle\": one of canonical, census"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn what_a_dialect_cannot_express_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let seg = file(
        dir.path(),
        "regex.json",
        r#"{"version": 1, "entity": "profiles", "root": {"combinator": "and", "children": [
            {"type": "condition", "attribute": "email", "operator": "matches_regex", "value": "^a"}]}}"#,
    );
    let out = run(&[
        "render",
        "--to",
        "sql-ansi",
        "--data",
        data(),
        "--segment",
        &seg,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot write sql-ansi: ANSI SQL cannot express regular expressions"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("(at /root/children/0)"),
        "the node is named: {}",
        stderr(&out)
    );
    let out = run(&[
        "render",
        "--to",
        "sql-duckdb",
        "--data",
        data(),
        "--segment",
        &seg,
    ]);
    assert!(stdout(&out).contains("regexp_matches(t0.\"email\", '^a')"));
}
