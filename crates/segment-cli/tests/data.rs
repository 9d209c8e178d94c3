//! `import`, `relate` and `schema --stats` end to end through the binary, with the sidecar store
//! in a temporary directory (`SEGMENT_BUILDER_STORE`).

use serde_json::Value;

use segment_testkit::{
    all_of, and, arg as s, column, cond, find, in_the_last, related, segment, stderr, within, Cli,
    Workdir,
};

/// A temporary directory, and the binary with its sidecar store there.
fn env() -> (Workdir, Cli) {
    let dir = Workdir::new();
    let cli = Cli::new(env!("CARGO_BIN_EXE_segment-builder"))
        .env("SEGMENT_BUILDER_STORE", dir.path("store/sources.json"));
    (dir, cli)
}

const CUSTOMERS: &str = "id,Full Name,country,signed_up_at\n1,Ann,US,2026-01-05\n2,Bob,FR,2026-02-10\n3,Cy,US,2026-03-01\n";

fn orders() -> String {
    let mut text = String::from("id,customer_id,status,total,placed_at\n");
    for n in 1..=30 {
        text.push_str(&format!(
            "{n},{},{},{}.5,2026-10-{:02}T10:00:00Z\n",
            n % 3 + 1,
            if n % 4 == 0 { "refunded" } else { "paid" },
            n * 10,
            n % 28 + 1
        ));
    }
    text
}

#[test]
fn import_relate_count_and_describe() {
    let (dir, cli) = env();
    let db = dir.path("shop.sqlite");
    let customers = dir.file("customers.csv", CUSTOMERS);
    let orders = dir.file("orders.csv", &orders());

    let preview = cli.ok(&["import", "--into", s(&db), "--preview", "2", &customers]);
    assert_eq!(preview["rows"].as_array().unwrap().len(), 2);
    assert_eq!(preview["columns"][1]["name"], "full_name");
    assert!(!db.exists(), "a preview writes nothing");

    let report = cli.ok(&["import", "--into", s(&db), &orders]);
    assert_eq!(report["table"], "orders");
    assert_eq!(report["rows"], 30);
    assert_eq!(
        report["indexes"][0],
        "orders(status, customer_id, placed_at, total)"
    );
    let report = cli.ok(&[
        "import",
        "--into",
        s(&db),
        "--table",
        "customers",
        &customers,
    ]);
    assert_eq!(report["proposals"][0]["child_column"], "customer_id");
    assert!(
        report["confirm_with"][0]
            .as_str()
            .unwrap()
            .ends_with(" orders.customer_id customers.id"),
        "{report}"
    );

    // Proposals are listed, then one is confirmed.
    let listed = cli.ok(&["relate", "--data", s(&db)]);
    assert_eq!(listed["proposals"].as_array().unwrap().len(), 1);
    assert_eq!(listed["relationships"].as_array().unwrap().len(), 0);
    let added = cli.ok(&[
        "relate",
        "--data",
        s(&db),
        "orders.customer_id",
        "customers.id",
    ]);
    assert_eq!(added["matched_share"], 1.0);
    assert_eq!(added["relationships"].as_array().unwrap().len(), 2);

    // Every command now sees the relationship; counts use it.
    let schema = cli.ok(&["schema", "--data", s(&db)]);
    let rel = find(&schema["relationships"], "from_entity", "customers").clone();
    assert_eq!(rel["name"], "orders");
    assert_eq!(rel["time_column"], "placed_at");
    let seg = dir.json(
        "seg.json",
        &segment(
            "customers",
            and([
                cond("country", "is", "US"),
                within(
                    related("orders", 3, [cond("status", "is", "paid")]),
                    in_the_last(30, "day"),
                ),
            ]),
        ),
    );
    let count = cli.ok(&[
        "count",
        "--data",
        s(&db),
        "--segment",
        &seg,
        "--now",
        "2026-11-01",
    ]);
    assert_eq!(count["total"], 3);
    assert_eq!(count["count"], 2);

    // The relationship confirmed with `relate` reaches the in-memory engine: count, sample and
    // overlap run there, as in the app (one pipeline), not in a SQL fallback.
    let args = ["--data", s(&db), "--segment", &seg, "--now", "2026-11-01"];
    let out = cli.run(&[&["count", "--explain"][..], &args].concat());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("notice"), "{}", stderr(&out));
    let explained: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(explained["engine"], "engine", "{explained}");
    assert_eq!(explained["count"], 2);
    assert_eq!(explained["nodes"][1]["path"], "/root/children/1");
    let sql = cli.ok(&[&["count", "--explain", "--engine", "sql"][..], &args].concat());
    assert_eq!(sql["nodes"], explained["nodes"]);
    let sampled = cli.ok(&[&["sample", "-n", "5"][..], &args].concat());
    let keys: Vec<&Value> = column(&sampled["samples"], "key");
    assert_eq!(keys.len(), 2, "{sampled}");
    assert!(
        keys.iter().all(|k| k.is_i64()),
        "exact integer keys: {sampled}"
    );
    let us = dir.json(
        "us.json",
        &all_of("customers", [cond("country", "is", "US")]),
    );
    let overlap = cli.ok(&[
        "overlap",
        "--data",
        s(&db),
        "--segment",
        &seg,
        "--segment",
        &us,
        "--now",
        "2026-11-01",
    ]);
    assert_eq!(overlap["counts"], serde_json::json!([2, 2]), "{overlap}");

    // Statistics, with the headers as labels.
    let stats = cli.ok(&["schema", "--data", s(&db), "--stats"]);
    let customers = find(&stats["entities"], "name", "customers").clone();
    assert_eq!(customers["rows"], 3);
    let col = |n: &str| find(&customers["columns"], "name", n).clone();
    assert_eq!(col("full_name")["label"], "Full Name");
    assert_eq!(col("country")["top"][0]["value"], "US");
    assert_eq!(col("country")["top"][0]["count"], 2);
    assert_eq!(col("signed_up_at")["min"], "2026-01-05");
    assert_eq!(col("country")["null_share"], 0.0);

    // Removing the relationship.
    cli.ok(&[
        "relate",
        "--data",
        s(&db),
        "--remove",
        "orders.customer_id",
        "customers.id",
    ]);
    let schema = cli.ok(&["schema", "--data", s(&db)]);
    assert!(schema["relationships"].as_array().unwrap().is_empty());
    let accepted = cli.ok(&["relate", "--data", s(&db), "--accept-proposals"]);
    assert_eq!(accepted["accepted"].as_array().unwrap().len(), 1);
}

#[test]
fn bad_values_abort_with_located_errors_or_import_as_null() {
    let (dir, cli) = env();
    let db = dir.path("d.sqlite");
    let mut text = String::from("id,age\n");
    for n in 1..=200 {
        text.push_str(&format!("{n},{}\n", if n == 50 { "unknown" } else { "30" }));
    }
    let file = dir.file("people.csv", &text);
    let out = cli.run(&["import", "--into", s(&db), &file]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("1 value does not fit"), "{err}");
    assert!(
        err.contains("line 51, column 2 (age): \"unknown\" is not integer"),
        "{err}"
    );
    assert!(!db.exists());

    let report = cli.ok(&["import", "--into", s(&db), "--on-error", "null", &file]);
    assert_eq!(report["bad_values"]["total"], 1);
    assert_eq!(report["bad_values"]["first"][0]["line"], 51);

    let report = cli.ok(&[
        "import",
        "--into",
        s(&db),
        "--table",
        "as_text",
        "--type",
        "age=text",
        &file,
    ]);
    assert_eq!(report["columns"][1]["type"], "text");

    let out = cli.run(&["import", "--into", s(&db), "--type", "age=wat", &file]);
    assert!(
        stderr(&out).contains("not a column type"),
        "{}",
        stderr(&out)
    );
    let out = cli.run(&["import", "--into", s(&db), "--on-error", "skip", &file]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn malformed_files_and_foreign_databases_fail_clearly() {
    let (dir, cli) = env();
    let db = dir.path("d.sqlite");
    let latin1 = dir.path("latin1.csv");
    std::fs::write(&latin1, b"id,city\n1,K\xf6ln\n").unwrap();
    let out = cli.run(&["import", "--into", s(&db), s(&latin1)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("line 2, column 2: not UTF-8"),
        "{}",
        stderr(&out)
    );

    let missing = cli.run(&["import", "--into", s(&db), s(&dir.path("nope.csv"))]);
    assert!(
        stderr(&missing).contains("cannot read"),
        "{}",
        stderr(&missing)
    );

    let demo = dir.path("demo.sqlite");
    cli.ok(&["demo", "--out", s(&demo), "--profiles", "100"]);
    let file = dir.file("x.csv", "a\n1\n");
    let out = cli.run(&["import", "--into", s(&demo), &file]);
    assert!(
        stderr(&out).contains("not a data source created by import"),
        "{}",
        stderr(&out)
    );

    let out = cli.run(&[
        "relate",
        "--data",
        s(&demo),
        "events.profile_id",
        "profiles.nope",
    ]);
    assert!(
        stderr(&out).contains("unknown column `profiles.nope`"),
        "{}",
        stderr(&out)
    );
    let out = cli.run(&["relate", "--data", s(&demo), "events.name", "profiles.id"]);
    assert!(
        stderr(&out).contains("a relationship joins values of one type"),
        "{}",
        stderr(&out)
    );
}

/// A SQLite file of the user's own (not created by import): `customers`, and `events` whose `ts`
/// holds epoch seconds in an `INTEGER` column.
fn epoch_events(path: &std::path::Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, country TEXT);
         CREATE TABLE events (id INTEGER PRIMARY KEY, customer_id INTEGER, name TEXT, ts INTEGER);
         INSERT INTO customers VALUES (1, 'US'), (2, 'FR'), (3, 'US');",
    )
    .unwrap();
    // 2026-11-01T00:00:00Z minus 2, 10, 40 and 100 days (and an hour).
    let now = 1_793_491_200i64;
    for (id, (customer, days)) in [(1, 2), (1, 40), (2, 10), (3, 100), (3, 40)]
        .into_iter()
        .enumerate()
    {
        conn.execute(
            "INSERT INTO events VALUES (?1, ?2, 'login', ?3)",
            rusqlite::params![id as i64 + 1, customer, now - days * 86_400 - 3_600],
        )
        .unwrap();
    }
}

#[test]
fn declare_an_epoch_column_then_relate_with_its_time_window() {
    let (dir, cli) = env();
    let db = dir.path("own.sqlite");
    epoch_events(&db);
    let relate = [
        "relate",
        "--data",
        s(&db),
        "events.customer_id",
        "customers.id",
        "--time",
        "ts",
    ];

    // Before: an INTEGER column is a number, and `relate --time` says how to fix it.
    let refused = cli.fails(&relate);
    assert!(
        refused.contains("events.ts is not a date/time column"),
        "{refused}"
    );
    assert!(refused.contains("epoch-seconds"), "{refused}");
    let schema = cli.ok(&["schema", "--data", s(&db)]);
    let proposal = find(&schema["meanings"]["proposals"], "column", "ts").clone();
    assert_eq!(proposal["table"], "events");
    assert_eq!(proposal["meaning"], "epoch-seconds");
    assert!(schema["meanings"]["declared"]
        .as_array()
        .unwrap()
        .is_empty());

    // Declared: the schema reads it as a date/time, and the time window works.
    let declared = cli.ok(&["declare", "--data", s(&db), "events.ts", "epoch-seconds"]);
    assert_eq!(declared["declared"]["column"], "events.ts");
    assert_eq!(declared["declared"]["meaning"], "epoch-seconds");
    assert_eq!(declared["column"]["data_type"], "datetime");
    assert_eq!(declared["column"]["storage"], "unix_seconds");
    let schema = cli.ok(&["schema", "--data", s(&db)]);
    assert_eq!(schema["meanings"]["declared"][0]["column"], "ts");
    assert!(schema["meanings"]["proposals"]
        .as_array()
        .unwrap()
        .is_empty());
    let events = find(&schema["entities"], "name", "events").clone();
    assert_eq!(
        find(&events["columns"], "name", "ts")["data_type"],
        "datetime"
    );
    let added = cli.ok(&relate);
    assert_eq!(added["relationships"][0]["time_column"], "ts", "{added}");
    let seg = dir.json(
        "active.json",
        &segment(
            "customers",
            and([within(related("events", 1, []), in_the_last(30, "day"))]),
        ),
    );
    let args = ["--data", s(&db), "--segment", &seg, "--now", "2026-11-01"];
    let memory = cli.ok(&[&["count"][..], &args].concat());
    let sql = cli.ok(&[&["count", "--engine", "sql"][..], &args].concat());
    assert_eq!(memory["count"], 2, "{memory}");
    assert_eq!(sql["count"], 2, "{sql}");
    let stats = cli.ok(&["schema", "--data", s(&db), "--stats"]);
    let events = find(&stats["entities"], "name", "events").clone();
    assert_eq!(
        find(&events["columns"], "name", "ts")["max"],
        "2026-10-29T23:00:00Z"
    );

    // Contradicted by the values: refused, nothing kept.
    let refused = cli.fails(&["declare", "--data", s(&db), "events.name", "iso-datetime"]);
    assert!(refused.contains("cannot treat events.name as"), "{refused}");
    assert!(refused.contains("5 of its 5 values are not"), "{refused}");
    assert!(refused.contains("“login”"), "{refused}");
    let key = cli.fails(&["declare", "--data", s(&db), "events.id", "epoch-seconds"]);
    assert!(key.contains("`id` is the row key of `events`"), "{key}");
    let listed = cli.ok(&["declare", "--data", s(&db)]);
    assert_eq!(listed["declared"].as_array().unwrap().len(), 1, "{listed}");

    // Removed: a number again (the relationship stays, without its time column).
    let removed = cli.ok(&["declare", "--data", s(&db), "--remove", "events.ts"]);
    assert_eq!(removed["removed"]["meaning"], "epoch-seconds");
    let schema = cli.ok(&["schema", "--data", s(&db)]);
    let events = find(&schema["entities"], "name", "events").clone();
    assert_eq!(
        find(&events["columns"], "name", "ts")["data_type"],
        "number"
    );
    let again = cli.fails(&["declare", "--data", s(&db), "--remove", "events.ts"]);
    assert!(
        again.contains("events.ts has no declared meaning"),
        "{again}"
    );
    let usage = cli.fails(&["declare", "--data", s(&db), "events.ts", "weeks"]);
    assert!(usage.contains("epoch-millis"), "{usage}");
}
