//! `segment-builder segments …` and `members …` end to end, on a real library file.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use segment_testkit::{all_of, cond, json as json_of, stderr, Cli, Workdir};

fn cli() -> Cli {
    Cli::new(env!("CARGO_BIN_EXE_segment-builder"))
}

fn data() -> &'static Path {
    &segment_testkit::demo(&cli(), 2000, Some(5)).path
}

/// A library file in a temporary directory, passed with `--store`.
struct Lib {
    dir: Workdir,
    store: String,
}

impl Lib {
    fn new() -> Lib {
        let dir = Workdir::new();
        let store = dir.path("library.sqlite").to_str().unwrap().to_string();
        Lib { dir, store }
    }

    fn args<'a>(&'a self, group: &'a str, args: &[&'a str]) -> Vec<&'a str> {
        let mut all = vec![group, "--store", &self.store];
        all.extend_from_slice(args);
        all
    }

    fn run(&self, group: &str, args: &[&str]) -> Output {
        cli().run(&self.args(group, args))
    }

    fn ok(&self, group: &str, args: &[&str]) -> Value {
        cli().ok(&self.args(group, args))
    }

    fn fails(&self, group: &str, args: &[&str]) -> String {
        let err = cli().fails(&self.args(group, args));
        assert!(err.starts_with("error: "), "{err}");
        err
    }

    fn file(&self, name: &str, text: &str) -> String {
        self.dir.file(name, text)
    }
}

fn country(value: &str) -> String {
    all_of("profiles", [cond("country", "is", value)]).to_string()
}

#[test]
fn save_show_history_diff_restore_delete() {
    let lib = Lib::new();
    let d = data().to_str().unwrap();
    let us = lib.file("us.json", &country("US"));
    let ca = lib.file("ca.json", &country("CA"));
    let saved = lib.ok(
        "segments",
        &[
            "save",
            "North_America",
            "--file",
            &us,
            "--data",
            d,
            "--name",
            "North America",
        ],
    );
    assert_eq!(
        (saved["id"].as_str(), saved["revision"].as_i64()),
        (Some("north_america"), Some(0))
    );
    let counted = lib.ok("segments", &["count", "north_america", "--data", d]);
    assert!(counted["count"].as_u64().unwrap() > 0);
    assert_eq!(counted["total"], 2000);
    assert_eq!(
        lib.ok(
            "segments",
            &["save", "north_america", "--description", "first draft"]
        )["revision"],
        1
    );
    assert_eq!(
        lib.ok(
            "segments",
            &["save", "north_america", "--file", &ca, "--if-revision", "1"]
        )["revision"],
        2
    );
    let err = lib.fails(
        "segments",
        &["save", "north_america", "--file", &us, "--if-revision", "1"],
    );
    assert!(err.contains("revision 2, not 1"), "{err}");

    let shown = lib.ok("segments", &["show", "NORTH_AMERICA"]);
    assert_eq!(shown["definition"]["root"]["children"][0]["value"], "CA");
    assert_eq!(shown["recordCount"]["revision"], 0);
    assert_eq!(
        lib.ok("segments", &["show", "north_america", "--revision", "0"])["definition"]["root"]
            ["children"][0]["value"],
        "US"
    );

    let history = lib.ok("segments", &["history", "north_america"]);
    assert_eq!(history["revisions"].as_array().unwrap().len(), 3);
    assert_eq!(history["counts"].as_array().unwrap().len(), 1);

    let diff = lib.ok("segments", &["diff", "north_america", "0"]);
    assert_eq!(diff["to"], 2);
    let changes = diff["conditions"].as_array().unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["path"], "/root/children/0/value");
    assert_eq!(
        (changes[0]["before"].as_str(), changes[0]["after"].as_str()),
        (Some("US"), Some("CA"))
    );

    assert_eq!(
        lib.ok("segments", &["restore", "north_america", "0"])["revision"],
        3
    );
    assert_eq!(
        lib.ok("segments", &["show", "north_america"])["definition"]["root"]["children"][0]
            ["value"],
        "US"
    );

    let list = lib.ok(
        "segments",
        &["list", "--search", "north", "--sort", "dateModified:desc"],
    );
    assert_eq!(list["page"]["totalElements"], 1);
    assert_eq!(
        lib.ok("segments", &["delete", "north_america"])["segment_ids"],
        serde_json::json!([])
    );
    let err = lib.fails("segments", &["show", "north_america"]);
    assert!(
        err.contains("Segment not found.") && err.contains(&lib.store),
        "{err}"
    );
}

#[test]
fn bad_input_is_refused_with_its_location() {
    let lib = Lib::new();
    let d = data().to_str().unwrap();
    let err = lib.fails(
        "segments",
        &[
            "save",
            "1bad",
            "--file",
            &lib.file("x.json", &country("US")),
        ],
    );
    assert!(err.contains("[a-z][a-z0-9_]*"), "{err}");
    let broken = lib.file(
        "broken.json",
        "{\"version\": 1,\n \"root\": {\"combinator\": \"and\", \"children\": [}\n}",
    );
    let err = lib.fails("segments", &["save", "x", "--file", &broken]);
    assert!(
        err.contains("broken.json") && err.contains("line 2"),
        "{err}"
    );
    let unknown = lib.file("unknown.json", &country("US").replace("country", "colour"));
    let err = lib.fails("segments", &["save", "x", "--file", &unknown, "--data", d]);
    assert!(
        err.contains("unknown.json") && err.contains("/root/children/0"),
        "{err}"
    );
    // Nothing was saved by the failures.
    assert_eq!(lib.ok("segments", &["list"])["page"]["totalElements"], 0);
    let err = lib.fails("segments", &["list", "--sort", "name;drop"]);
    assert!(err.contains("--sort"), "{err}");
    // A hostile name is stored verbatim.
    let name = "x'); DROP TABLE segments; --";
    lib.ok(
        "segments",
        &[
            "save",
            "hostile",
            "--file",
            &lib.file("h.json", &country("US")),
            "--name",
            name,
        ],
    );
    assert_eq!(lib.ok("segments", &["show", "hostile"])["name"], name);
}

#[test]
fn memberships_commands_freeze_and_evaluations() {
    let lib = Lib::new();
    let d = data().to_str().unwrap();
    lib.ok(
        "segments",
        &["save", "friends", "--type", "STATIC", "--name", "Friends"],
    );
    let added = lib.ok("members", &["add", "friends", "ann", "bob", "cid"]);
    assert_eq!(added["individualCount"], 3);
    let removed = lib.ok("members", &["remove", "friends", "bob"]);
    assert_eq!(removed["individualCount"], 2);
    let listed = lib.ok("members", &["list", "friends", "--status", "INACTIVE"]);
    assert_eq!(listed["items"][0]["individualIdentifier"], "bob");
    assert!(listed["items"][0]["dateRemoved"].is_string());
    let changes = lib.ok("members", &["changes", "friends"]);
    assert_eq!(changes["page"]["totalElements"], 4);
    assert_eq!(changes["items"][3]["operation"], "REMOVED");
    assert_eq!(changes["items"][3]["individualsCount"], 2);

    // Bulk commands: a bad line aborts the whole file, with its line number.
    let cmds = lib.file(
        "cmds.ndjson",
        "{\"operation\":\"UPDATE\",\"expiration_duration\":0,\"user_account_id\":\"dan\",\"segment_id\":\"friends\"}\n\
         {\"operation\":\"DELETE\",\"user_account_id\":\"ann\",\"segment_technical_name\":\"Friends\"}\n\
         {\"operation\":\"UPDATE\",\"user_account_id\":\"eve\",\"segment_id\":\"friends\"}\n",
    );
    let err = lib.fails("members", &["import", &cmds]);
    assert!(
        err.contains("cmds.ndjson:3:") && err.contains("expiration_duration"),
        "{err}"
    );
    assert_eq!(
        lib.ok("segments", &["show", "friends"])["individualCount"],
        2
    );
    let report = lib.ok("members", &["import", &cmds, "--on-error", "skip"]);
    assert_eq!(report["applied"], 2);
    assert_eq!(report["skipped"][0]["line"], 3);
    assert_eq!(
        lib.ok("segments", &["show", "friends"])["individualCount"],
        2
    );

    let out = lib.dir.path("friends.csv");
    let exported = lib.ok(
        "members",
        &["export", "friends", "--out", out.to_str().unwrap()],
    );
    assert_eq!(exported["lines"], 2);
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(
        csv.starts_with("operation,user_account_id,segment_id"),
        "{csv}"
    );
    lib.ok("segments", &["save", "copy", "--type", "static"]);
    let copied = lib.file("copy.csv", &csv.replace(",friends,", ",copy,"));
    assert_eq!(lib.ok("members", &["import", &copied])["applied"], 2);

    // Members only on ACTIVE STATIC segments.
    lib.ok(
        "segments",
        &[
            "save",
            "us",
            "--file",
            &lib.file("us.json", &country("US")),
            "--data",
            d,
        ],
    );
    let err = lib.fails("members", &["add", "us", "x"]);
    assert!(err.contains("ACTIVE STATIC"), "{err}");

    // Freeze, then two evaluations and who entered / left.
    let frozen = lib.ok(
        "members",
        &["freeze", "us", "--into", "us_nov", "--data", d],
    );
    let n = frozen["individualCount"].as_u64().unwrap();
    assert!(n > 100);
    let shown = lib.ok("segments", &["show", "us_nov"]);
    assert_eq!(
        (
            shown["segmentType"].as_str(),
            shown["individualCount"].as_u64()
        ),
        (Some("STATIC"), Some(n))
    );
    let e1 = lib.ok("members", &["evaluate", "us", "--data", d]);
    assert_eq!(e1["memberCount"].as_u64(), Some(n));
    lib.ok(
        "segments",
        &["save", "us", "--file", &lib.file("ca.json", &country("CA"))],
    );
    let e2 = lib.ok("members", &["evaluate", "us", "--data", d]);
    let diff = lib.ok(
        "members",
        &[
            "diff",
            &e1["evaluation"].to_string(),
            &e2["evaluation"].to_string(),
            "--limit",
            "5",
        ],
    );
    assert_eq!(diff["leftCount"].as_u64(), Some(n));
    assert_eq!(diff["enteredCount"], e2["memberCount"]);
    assert_eq!(diff["left"].as_array().unwrap().len(), 5);
}

#[test]
fn files_export_import_conflicts_and_records() {
    let lib = Lib::new();
    let d = data().to_str().unwrap();
    lib.ok(
        "segments",
        &[
            "save",
            "us",
            "--file",
            &lib.file("us.json", &country("US")),
            "--data",
            d,
        ],
    );
    lib.ok(
        "segments",
        &[
            "save",
            "fr",
            "--file",
            &lib.file("fr.json", &country("FR")),
            "--data",
            d,
        ],
    );
    let dir = lib.dir.path("defs");
    let exported = lib.ok(
        "segments",
        &[
            "export",
            "--all",
            "--out",
            dir.to_str().unwrap(),
            "--sql",
            "--data",
            d,
        ],
    );
    assert_eq!(exported["exported"].as_array().unwrap().len(), 2);
    let sql = std::fs::read_to_string(dir.join("us.sql")).unwrap();
    assert!(sql.contains("'US'"), "{sql}");
    let file = std::fs::read_to_string(dir.join("us.json")).unwrap();
    assert!(
        file.starts_with(
            "{\n  \"format\": \"segment-builder/segment\",\n  \"version\": 1,\n  \"id\": \"us\""
        ),
        "{file}"
    );

    // Into another library: created; into the same after an edit: a conflict, not an overwrite.
    let other = Lib::new();
    let report = other.ok("segments", &["import", dir.to_str().unwrap()]);
    assert_eq!(report["created"], serde_json::json!(["fr", "us"]));
    lib.ok(
        "segments",
        &["save", "us", "--file", &lib.file("ca.json", &country("CA"))],
    );
    let out = lib.run("segments", &["import", dir.to_str().unwrap()]);
    assert!(!out.status.success());
    let report = json_of(&out);
    assert_eq!(report["conflicts"][0]["id"], "us");
    assert!(
        stderr(&out).contains("conflict:") && stderr(&out).contains("us.json"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        lib.ok("segments", &["show", "us"])["definition"]["root"]["children"][0]["value"],
        "CA"
    );
    let report = lib.ok(
        "segments",
        &["import", dir.to_str().unwrap(), "--overwrite"],
    );
    assert_eq!(report["updated"], serde_json::json!(["us"]));

    // Matching records as CSV and NDJSON.
    let csv = lib.dir.path("us.csv");
    let done = lib.ok(
        "segments",
        &[
            "export",
            "us",
            "--records",
            "--data",
            d,
            "--out",
            csv.to_str().unwrap(),
        ],
    );
    let count = lib.ok("segments", &["count", "us", "--data", d])["count"]
        .as_u64()
        .unwrap();
    assert_eq!(done["records"].as_u64(), Some(count));
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(text.lines().count() as u64, count + 1);
    let nd = lib.dir.path("us.ndjson");
    lib.ok(
        "segments",
        &[
            "export",
            "us",
            "--records",
            "--data",
            d,
            "--out",
            nd.to_str().unwrap(),
        ],
    );
    let first: Value = serde_json::from_str(
        std::fs::read_to_string(&nd)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(first["country"], "US");
}
