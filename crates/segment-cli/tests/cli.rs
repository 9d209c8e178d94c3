//! The `segment-builder` binary end to end: every command, and bad input.

use std::path::Path;
use std::process::Output;

use segment_testkit::{and, cond, fields, recent_purchasers, segment_of, Cli, Workdir};
use segment_testkit::{json as stdout_json, stderr};

fn cli() -> Cli {
    Cli::new(env!("CARGO_BIN_EXE_segment-builder"))
}

fn run(args: &[&str]) -> Output {
    cli().run(args)
}

/// One demo file for all tests (generated through the CLI itself).
fn data() -> &'static Path {
    let demo = segment_testkit::demo(&cli(), 2000, Some(5));
    let summary = &demo.summary;
    assert_eq!(summary["profiles"], 2000);
    assert!(summary["events"].as_u64().unwrap() > 10_000);
    assert_eq!(summary["anchor"], "2026-11-01T00:00:00Z");
    &demo.path
}

/// US profiles with at least 2 purchase events in the last 180 days.
fn us_purchasers() -> String {
    recent_purchasers("US").to_string()
}

fn d() -> &'static str {
    data().to_str().unwrap()
}

#[test]
fn schema_prints_entities_and_relationships() {
    let out = run(&["schema", "--data", d()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let schema = stdout_json(&out);
    let names: Vec<&str> = fields(&schema["entities"], "name");
    assert_eq!(names, ["profiles", "events", "orders"]);
    assert!(schema["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["name"] == "events" && r["from_entity"] == "profiles"));
}

#[test]
fn count_validate_and_sql_of_a_canonical_segment() {
    let dir = Workdir::new();
    let seg = dir.file("us.json", &us_purchasers());
    let out = run(&["validate", "--data", d(), "--segment", &seg]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout_json(&out), serde_json::json!({ "valid": true }));

    let out = run(&[
        "count",
        "--data",
        d(),
        "--segment",
        &seg,
        "--now",
        "2026-11-01T00:00:00Z",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let result = stdout_json(&out);
    let count = result["count"].as_u64().unwrap();
    assert_eq!(result["total"], 2000);
    assert!(count > 0 && count < 2000, "{result}");

    // The same count by hand, with the SQL the `sql` command prints.
    let out = run(&[
        "sql",
        "--data",
        d(),
        "--segment",
        &seg,
        "--now",
        "2026-11-01",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let sql = stdout_json(&out);
    assert_eq!(sql["dialect"], "sqlite");
    assert_eq!(sql["now"], "2026-11-01T00:00:00Z");
    let readable = sql["sql"].as_str().unwrap();
    assert!(
        readable.contains("'US'") && readable.contains("'purchase'"),
        "{readable}"
    );
    let executable = sql["statement"]["sql"].as_str().unwrap();
    assert!(
        !executable.contains("'US'"),
        "values are bound: {executable}"
    );
    assert_eq!(sql["statement"]["params"][0], "US");
    assert_eq!(rusqlite_free_count(readable), count);

    // A dialect asked for wins over the file's own; an unknown one is named.
    let out = run(&[
        "sql",
        "--data",
        d(),
        "--segment",
        &seg,
        "--now",
        "2026-11-01",
        "--dialect",
        "spark",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let on_spark = stdout_json(&out);
    assert_eq!(on_spark["dialect"], "spark");
    assert!(
        on_spark["sql"].as_str().unwrap().contains("`profiles`"),
        "{on_spark}"
    );
    let out = run(&[
        "sql",
        "--data",
        d(),
        "--segment",
        &seg,
        "--dialect",
        "mysql",
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("unknown SQL dialect"),
        "{}",
        stderr(&out)
    );

    // A later "now" moves the window: the default is the current time, after the demo's anchor.
    let out = run(&[
        "count",
        "--data",
        d(),
        "--segment",
        &seg,
        "--now",
        "2030-01-01",
    ]);
    assert_eq!(stdout_json(&out)["count"], 0);
    let out = run(&["count", "--data", d(), "--segment", &seg]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Runs the readable SQL (values inlined) on the demo file through the library.
fn rusqlite_free_count(sql: &str) -> u64 {
    let source = segment_source::DataSource::open_read_only(data()).unwrap();
    source.count_sql(sql, &[], None).unwrap()
}

#[test]
fn census_molecules_are_detected_from_the_content() {
    let dir = Workdir::new();
    let canonical = dir.json("plan.json", &segment_of(and([cond("plan", "is", "pro")])));
    let census = dir.file(
        "plan-census.json",
        r#"[{"attribute":"plan","attribute_type":"column","operator":"is","value":"pro"}]"#,
    );
    let a = run(&[
        "count",
        "--data",
        d(),
        "--segment",
        &canonical,
        "--entity",
        "profiles",
    ]);
    let b = run(&[
        "count",
        "--data",
        d(),
        "--segment",
        &census,
        "--entity",
        "profiles",
    ]);
    assert!(a.status.success(), "{}", stderr(&a));
    assert!(b.status.success(), "{}", stderr(&b));
    assert_eq!(stdout_json(&a), stdout_json(&b));
}

#[test]
fn malformed_json_names_the_file_line_and_column() {
    let dir = Workdir::new();
    let seg = dir.file(
        "broken.json",
        "{\n  \"version\": 1,\n  \"root\": {\n    \"combinator\": \"and\",,\n",
    );
    for command in ["count", "sql"] {
        let out = run(&[command, "--data", d(), "--segment", &seg]);
        assert_eq!(out.status.code(), Some(1));
        assert!(out.stdout.is_empty());
        let err = stderr(&out);
        assert!(
            err.contains("broken.json")
                && err.contains("line 4, column 25")
                && err.contains("not valid JSON"),
            "{err}"
        );
    }
    let out = run(&["validate", "--data", d(), "--segment", &seg]);
    assert_eq!(out.status.code(), Some(1));
    let v = stdout_json(&out);
    assert_eq!(v["valid"], false);
    assert_eq!(v["problems"][0]["path"], "line 4, column 25");
}

#[test]
fn unknown_attribute_is_located_by_json_pointer() {
    let dir = Workdir::new();
    let seg = dir.json(
        "typo.json",
        &segment_of(and([cond("plan", "is", "pro"), cond("contry", "is", "US")])),
    );
    let out = run(&["count", "--data", d(), "--segment", &seg]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("typo.json: /root/children/1/attribute") && err.contains("contry"),
        "{err}"
    );

    let out = run(&["validate", "--data", d(), "--segment", &seg]);
    assert_eq!(out.status.code(), Some(1));
    let v = stdout_json(&out);
    assert_eq!(v["valid"], false);
    assert_eq!(v["problems"][0]["path"], "/root/children/1/attribute");
    assert!(v["problems"][0]["message"]
        .as_str()
        .unwrap()
        .contains("contry"));

    let out = run(&[
        "count",
        "--data",
        d(),
        "--segment",
        &seg,
        "--entity",
        "nowhere",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("nowhere"), "{}", stderr(&out));
}

#[test]
fn missing_files_and_bad_arguments_are_clear_errors() {
    let dir = Workdir::new();
    let seg = dir.file("us.json", &us_purchasers());
    let missing_seg = dir.path("absent.json");
    let out = run(&[
        "count",
        "--data",
        d(),
        "--segment",
        missing_seg.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("absent.json: file not found"),
        "{}",
        stderr(&out)
    );

    let missing_data = dir.path("absent.sqlite");
    for command in ["schema", "count"] {
        let mut args = vec![command, "--data", missing_data.to_str().unwrap()];
        if command == "count" {
            args.extend(["--segment", &seg]);
        }
        let out = run(&args);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stderr(&out).contains("data file not found") && stderr(&out).contains("absent.sqlite"),
            "{}",
            stderr(&out)
        );
    }

    let not_db = dir.file("not-a-db.sqlite", &"plain text, not SQLite. ".repeat(100));
    let out = run(&["schema", "--data", &not_db]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is not a SQLite database"),
        "{}",
        stderr(&out)
    );

    let out = run(&[
        "count",
        "--data",
        d(),
        "--segment",
        &seg,
        "--now",
        "last tuesday",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("--now \"last tuesday\""),
        "{}",
        stderr(&out)
    );

    let out = run(&["count", "--data", d()]);
    assert_eq!(out.status.code(), Some(2), "usage errors exit 2");
    assert!(stderr(&out).contains("--segment"), "{}", stderr(&out));

    let out = run(&[
        "demo",
        "--out",
        dir.path("no/such/dir/x.sqlite").to_str().unwrap(),
        "--profiles",
        "10",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot write the demo data"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_closed_standard_output_ends_the_command_quietly() {
    use std::process::Stdio;
    let mut child = cli()
        .command()
        .args(["schema", "--data", d(), "--stats"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the pipe before the command writes, as `| head -0` does (the statistics take a
    // moment to compute, so the write comes after).
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{:?}: {err}", out.status);
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn inputs_beyond_the_size_limit_are_refused_not_read_to_the_end() {
    let out = run(&["validate", "--data", d(), "--segment", "/dev/zero"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("/dev/zero") && err.contains("larger than 16 MiB"),
        "{err}"
    );
}

#[test]
fn a_byte_order_mark_before_a_segment_file_is_ignored() {
    let dir = Workdir::new();
    let seg = dir.file("bom.json", format!("\u{feff}{}", us_purchasers()));
    let out = run(&["validate", "--data", d(), "--segment", &seg]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&["convert", "--to", "odata", "--data", d(), &seg]);
    assert!(out.status.success(), "{}", stderr(&out));
}
