//! Every `--data` takes a `postgresql://` address (with `--schema`): schema, validate, count
//! (per node), sample, overlap, sql, render, members freeze, breakdown, split and tiers give
//! what they give on the same data in a SQLite file. Needs `SEGMENT_PG_URL` (scripts/with-postgres.sh); skipped without.

use segment_testkit::{all_of, cond, or, related, segment, Cli, Workdir};
use serde_json::Value;

fn bin() -> Cli {
    Cli::new(env!("CARGO_BIN_EXE_segment-builder"))
}

/// The demo file, and the same data in a PostgreSQL schema of this test's own.
fn demo_on_postgres(url: &str, name: &str) -> (String, String) {
    let file = segment_testkit::demo(&bin(), 3000, None)
        .path_str()
        .to_string();
    let schema = format!("cli_{name}_{}", std::process::id());
    let settings = segment_postgres::Settings {
        url: url.to_string(),
        schema: Some(schema.clone()),
        ..Default::default()
    };
    segment_postgres::load::copy_sqlite(std::path::Path::new(&file), &settings, true).unwrap();
    (file, schema)
}

fn server() -> Option<String> {
    let url = std::env::var("SEGMENT_PG_URL").ok();
    if url.is_none() {
        eprintln!("SEGMENT_PG_URL is not set (scripts/with-postgres.sh sets it): skipped");
    }
    url
}

#[test]
fn every_command_counts_on_postgresql_as_on_the_file() {
    let Some(url) = server() else { return };
    let (file, schema) = demo_on_postgres(&url, "commands");
    let dir = Workdir::new();
    let a = dir.json(
        "a.json",
        &segment(
            "profiles",
            or([
                cond("plan", "is", "pro"),
                related("events", 2, [cond("name", "is", "purchase")]),
            ]),
        ),
    );
    let b = dir.json("b.json", &all_of("profiles", [cond("country", "is", "US")]));
    let on = |data: &str, args: &[&str]| -> Value {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--data", data]);
        if data.starts_with("postgresql") {
            all.extend(["--schema", &schema]);
        }
        bin().ok(&all)
    };
    let now = ["--now", "2026-11-01"];
    let count = |data: &str| {
        let mut args = vec!["count", "--segment", &a, "--explain"];
        args.extend(now);
        on(data, &args)
    };
    let (local, pg) = (count(&file), count(&url));
    assert_eq!(pg["count"], local["count"]);
    assert_eq!(pg["total"], local["total"]);
    assert_eq!(pg["engine"], "sql");
    assert!(pg["count"].as_u64().unwrap() > 0);
    let nodes = |v: &Value| v["nodes"].clone();
    assert_eq!(nodes(&pg), nodes(&local), "per-node counts");

    let keys = |v: Value| -> Vec<Value> {
        v["samples"]
            .as_array()
            .or(v.as_array())
            .unwrap_or(&Vec::new())
            .iter()
            .map(|s| s["key"].clone())
            .collect()
    };
    let sample = |data: &str| {
        on(
            data,
            &["sample", "--segment", &a, "-n", "5", "--now", "2026-11-01"],
        )
    };
    assert_eq!(keys(sample(&url)), keys(sample(&file)));

    let overlap = |data: &str| {
        on(
            data,
            &[
                "overlap",
                "--segment",
                &a,
                "--segment",
                &b,
                "--now",
                "2026-11-01",
            ],
        )
    };
    let (o_pg, o_local) = (overlap(&url), overlap(&file));
    assert_eq!(o_pg["regions"], o_local["regions"]);

    let schema_json = on(&url, &["schema"]);
    let names: Vec<&str> = schema_json["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["events", "orders", "profiles"]);
    assert_eq!(
        schema_json["relationships"].as_array().unwrap().len(),
        on(&file, &["schema"])["relationships"]
            .as_array()
            .unwrap()
            .len()
    );

    // `sql` on an address writes PostgreSQL's SQL (its `$n` parameters), unless asked otherwise.
    let sql_of = |extra: &[&str]| {
        let mut args = vec!["sql", "--segment", &a, "--now", "2026-11-01"];
        args.extend(extra);
        on(&url, &args)
    };
    let sql = sql_of(&[]);
    assert_eq!(sql["dialect"], "postgresql");
    let statement = sql["statement"]["sql"].as_str().unwrap();
    assert!(statement.contains("$1"), "{statement}");
    let chosen = sql_of(&["--dialect", "sqlite"]);
    assert_eq!(chosen["dialect"], "sqlite");
    assert!(!chosen["statement"]["sql"].as_str().unwrap().contains("$1"));

    let valid = on(&url, &["validate", "--segment", &a]);
    assert_eq!(valid["valid"], true, "{valid}");
}

#[test]
fn freeze_stores_the_members_postgresql_finds() {
    let Some(url) = server() else { return };
    let (file, schema) = demo_on_postgres(&url, "freeze");
    let dir = Workdir::new();
    let store = dir.path("library.sqlite").to_str().unwrap().to_string();
    let seg = dir.json(
        "us.json",
        &all_of("profiles", [cond("country", "is", "US")]),
    );
    let lib = |args: &[&str]| {
        let mut all = vec![args[0], "--store", &store];
        all.extend_from_slice(&args[1..]);
        bin().ok(&all)
    };
    lib(&["segments", "save", "us", "--file", &seg, "--data", &file]);
    let frozen = lib(&[
        "members", "freeze", "us", "--into", "us_pg", "--data", &url, "--schema", &schema,
    ]);
    let local = bin().ok(&["count", "--data", &file, "--segment", &seg]);
    assert_eq!(frozen["individualCount"], local["count"]);
}

#[test]
fn a_wrong_address_says_what_failed() {
    let err = bin().fails(&[
        "count",
        "--data",
        "postgresql://nobody@127.0.0.1:1/x",
        "--segment",
        "none.json",
    ]);
    assert!(
        err.contains("none.json") || err.contains("cannot reach"),
        "{err}"
    );
    let dir = Workdir::new();
    let seg = dir.json(
        "us.json",
        &all_of("profiles", [cond("country", "is", "US")]),
    );
    let err = bin().fails(&[
        "count",
        "--data",
        "postgresql://nobody@127.0.0.1:1/x",
        "--segment",
        &seg,
    ]);
    assert!(
        err.contains("cannot reach the PostgreSQL server nobody@127.0.0.1:1/x"),
        "{err}"
    );
    let err = bin().fails(&["count", "--data", "mysql://x@y/z", "--segment", &seg]);
    assert!(err.contains("unknown kind of data location"), "{err}");
}

#[test]
fn breakdown_and_split_on_postgresql_print_what_the_file_prints() {
    let Some(url) = server() else { return };
    let (file, schema) = demo_on_postgres(&url, "audience");
    let dir = Workdir::new();
    let paid = dir.json(
        "paid.json",
        &all_of("profiles", [cond("plan", "is_not", "free")]),
    );
    let run = |data: &str, args: &[&str]| -> (String, String) {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--data", data, "--segment", &paid, "--now", "2026-11-01"]);
        if data.starts_with("postgresql") {
            all.extend(["--schema", &schema]);
        }
        let out = bin().run(&all);
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(out.status.success(), "{all:?} failed: {stderr}");
        (String::from_utf8(out.stdout).unwrap(), stderr)
    };
    let figures = |text: &str| -> Value {
        let mut v: Value = serde_json::from_str(text).unwrap();
        for k in ["ms", "method", "notice"] {
            v.as_object_mut().unwrap().remove(k);
        }
        v
    };
    for by in [
        "country",
        "is_subscribed",
        "age",
        "lifetime_value",
        "birth_date",
        "orders.sum(total)",
        "orders.max(placed_at)",
    ] {
        let words = ["breakdown", "--by", by];
        let (local, (pg, notice)) = (run(&file, &words), run(&url, &words));
        assert_eq!(pg, local.0, "{by}: the same words");
        assert!(pg.contains("records by") && pg.lines().count() > 3, "{pg}");
        assert!(!notice.contains("error"), "{notice}");
        let json = ["breakdown", "--by", by, "--period", "month", "--json"];
        let (local, pg) = (run(&file, &json).0, run(&url, &json).0);
        assert_eq!(figures(&pg), figures(&local), "{by}");
        let pg: Value = serde_json::from_str(&pg).unwrap();
        assert_eq!(pg["method"], "sql");
    }
    let split = [
        "split",
        "--group",
        "a=45",
        "--group",
        "b=45",
        "--group",
        "holdout=10",
        "--salt",
        "s1",
        "--balance",
        "age",
        "--balance",
        "country",
        "--balance",
        "signed_up_at",
        "--json",
    ];
    let (local, pg) = (run(&file, &split).0, run(&url, &split).0);
    assert_eq!(figures(&pg), figures(&local), "split balance");
    let pg: Value = serde_json::from_str(&pg).unwrap();
    assert!(pg["balance"].as_array().unwrap().len() >= 3, "{pg}");

    // Tiers: the same waterfall and the same members in each tier's export.
    let us = dir.json(
        "us.json",
        &all_of("profiles", [cond("country", "is", "US")]),
    );
    let tiers = |data: &str, extra: &[&str]| -> String {
        let mut all = vec!["tiers", "--data", data, "--tier", &paid, "--tier", &us];
        all.extend(["--now", "2026-11-01"]);
        all.extend(extra);
        if data.starts_with("postgresql") {
            all.extend(["--schema", &schema]);
        }
        let out = bin().run(&all);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{all:?} failed: {stderr}");
        String::from_utf8(out.stdout).unwrap()
    };
    let (local, pg) = (tiers(&file, &[]), tiers(&url, &[]));
    assert_eq!(pg, local, "tiers: the same words");
    assert!(pg.contains("records are in a tier"), "{pg}");
    let (local, pg) = (tiers(&file, &["--json"]), tiers(&url, &["--json"]));
    assert_eq!(figures(&pg), figures(&local), "tiers");
    let pg: Value = serde_json::from_str(&pg).unwrap();
    assert_eq!(pg["method"], "sql");
    assert!(pg["tiers"][1]["lost"].as_u64().unwrap() > 0, "{pg}");
    let members = |data: &str, out: &str| -> Vec<Vec<String>> {
        let out = dir.path(out);
        tiers(data, &["--out-dir", out.to_str().unwrap()]);
        ["paid", "us"]
            .iter()
            .map(|tier| {
                let text = std::fs::read_to_string(out.join(format!("{tier}.ndjson"))).unwrap();
                let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
                lines.sort();
                lines
            })
            .collect()
    };
    let (local, pg) = (members(&file, "tiers-file"), members(&url, "tiers-pg"));
    assert!(local.iter().all(|keys| !keys.is_empty()));
    assert_eq!(pg, local, "each tier's members");
}
