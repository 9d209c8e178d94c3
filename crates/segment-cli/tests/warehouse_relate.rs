//! `relate --data ADDRESS --schema S` on a warehouse's tables that declare no foreign key (as
//! many warehouses' do not): the relationship is kept in the sidecar store keyed by the address
//! and schema, every later command on that address counts through it exactly as on the same
//! data in a file related the same way, and removing it takes it away again. Needs
//! `SEGMENT_PG_URL` (scripts/with-postgres.sh) or `SEGMENT_SPARK_URL` (scripts/with-spark.sh);
//! each test is skipped without its server.

use std::path::Path;

use segment_testkit::{and, cond, in_the_last, related, segment, within, Cli, Workdir};
use serde_json::Value;

fn bin(store: &str) -> Cli {
    Cli::new(env!("CARGO_BIN_EXE_segment-builder")).env("SEGMENT_BUILDER_STORE", store)
}

/// Customers and their purchases, related only by a column whose name says nothing
/// (`purchases.buyer` → `customers.id`), with no foreign key declared.
fn shop_file(dir: &Workdir) -> String {
    let path = dir.path("shop.sqlite");
    let db = rusqlite::Connection::open(&path).unwrap();
    db.execute_batch(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, country TEXT);
         CREATE TABLE purchases (id INTEGER PRIMARY KEY, buyer INTEGER, amount REAL, at DATETIME);
         CREATE TABLE refunds (id INTEGER PRIMARY KEY, customer_id INTEGER);",
    )
    .unwrap();
    for id in 1..=60 {
        let country = ["US", "FR", "DE"][id % 3];
        db.execute(
            "INSERT INTO customers VALUES (?1, ?2)",
            rusqlite::params![id as i64, country],
        )
        .unwrap();
    }
    for id in 1..=200i64 {
        let day = 1 + id % 28;
        db.execute(
            "INSERT INTO purchases VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![
                id,
                1 + (id * 7) % 45,
                (id % 13) as f64 * 10.0,
                format!("2026-10-{day:02} 12:00:00")
            ],
        )
        .unwrap();
    }
    // Refunds of customers 1–80: the first 60 exist, so a proposal matches 75% of its keys.
    for id in 1..=80i64 {
        db.execute("INSERT INTO refunds VALUES (?1, ?1)", [id])
            .unwrap();
    }
    path.to_string_lossy().into_owned()
}

/// Customers with at least two purchases over 50 in the last 20 days.
fn segment_file(dir: &Workdir) -> String {
    let purchases = within(
        related("purchases", 2, [cond("amount", "greater_than", 50)]),
        in_the_last(20, "day"),
    );
    dir.json("big-buyers.json", &segment("customers", and([purchases])))
}

/// `names_related`: whether the warehouse relates `x_id` columns by their names itself (Spark,
/// whose catalog keeps no keys), so `refunds.customer_id` is a relationship, not a proposal.
fn relate_and_count(warehouse: &str, schema: &str, dir: &Workdir, file: &str, names_related: bool) {
    let store = dir.path("sources.json");
    let cli = bin(store.to_str().unwrap());
    let segment = segment_file(dir);
    let on_warehouse = |args: &[&str]| -> (Value, String, bool) {
        let mut all = args.to_vec();
        all.extend(["--data", warehouse, "--schema", schema]);
        cli.outcome(&all)
    };
    let count = ["count", "--segment", &segment, "--now", "2026-11-01"];

    let (listed, err, ok) = on_warehouse(&["relate"]);
    assert!(ok, "{err}");
    assert_eq!(listed["confirmed"], serde_json::json!([]));
    // What the names suggest, checked where the data is, as on the file.
    let in_file = cli.ok(&["relate", "--data", file]);
    let proposal = &in_file["proposals"][0];
    assert_eq!(
        (
            &proposal["child_column"],
            &proposal["matched_share"],
            &proposal["sampled"]
        ),
        (
            &Value::from("customer_id"),
            &Value::from(0.75),
            &Value::from(80)
        )
    );
    if names_related {
        assert_eq!(listed["proposals"], serde_json::json!([]));
    } else {
        assert_eq!(listed["proposals"], in_file["proposals"]);
    }
    let (_, err, ok) = on_warehouse(&count);
    assert!(!ok, "no relationship yet, yet it counted");
    assert!(
        err.contains("no related records") || err.contains("“purchases” is not a relationship"),
        "{err}"
    );

    let (added, err, ok) =
        on_warehouse(&["relate", "purchases.buyer", "customers.id", "--time", "at"]);
    assert!(ok, "{err}");
    assert_eq!(added["added"]["child"], "purchases.buyer");
    assert_eq!(added["relationships"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        (&added["matched_share"], &added["sampled_keys"]),
        (&Value::from(1.0), &Value::from(45))
    );
    let (listed, _, _) = on_warehouse(&["relate"]);
    assert_eq!(listed["confirmed"][0]["parent"], "customers.id");

    // The same link on the file, in the same store, under the file's own key.
    cli.ok(&[
        "relate",
        "--data",
        file,
        "purchases.buyer",
        "customers.id",
        "--time",
        "at",
    ]);
    let mut on_file = count.to_vec();
    on_file.extend(["--data", file]);
    let local = cli.ok(&on_file);
    let (remote, err, ok) = on_warehouse(&count);
    assert!(ok, "{err}");
    assert_eq!(remote["count"], local["count"]);
    assert!(local["count"].as_u64().unwrap() > 0, "{local}");

    let (_, err, ok) = on_warehouse(&["relate", "purchases.buyer", "customers.id", "--remove"]);
    assert!(ok, "{err}");
    let (_, _, ok) = on_warehouse(&count);
    assert!(!ok, "the relationship was removed, yet it counted");
    // The file keeps its own link: removing the warehouse's left it.
    let (other, _, _) = cli.outcome(&["relate", "--data", file]);
    assert_eq!(other["confirmed"].as_array().map(Vec::len), Some(1));
}

#[test]
fn a_relationship_confirmed_on_postgresql_counts_as_on_the_file() {
    let Ok(url) = std::env::var("SEGMENT_PG_URL") else {
        eprintln!("SEGMENT_PG_URL is not set (scripts/with-postgres.sh sets it): skipped");
        return;
    };
    let dir = Workdir::new();
    let file = shop_file(&dir);
    let schema = format!("relate_{}", std::process::id());
    let settings = segment_postgres::Settings {
        url: url.clone(),
        schema: Some(schema.clone()),
        ..Default::default()
    };
    segment_postgres::load::copy_sqlite(Path::new(&file), &settings, true).unwrap();
    relate_and_count(&url, &schema, &dir, &file, false);
}

#[test]
fn a_relationship_confirmed_on_spark_counts_as_on_the_file() {
    let Ok(url) = std::env::var("SEGMENT_SPARK_URL") else {
        eprintln!("SEGMENT_SPARK_URL is not set (scripts/with-spark.sh sets it): skipped");
        return;
    };
    let dir = Workdir::new();
    let file = shop_file(&dir);
    let database = format!("relate_{}", std::process::id());
    let client =
        segment_spark::SparkClient::connect(&segment_spark::ConnectUrl::parse(&url).unwrap())
            .unwrap();
    let staging = tempfile::tempdir().unwrap();
    segment_spark::load::copy_sqlite(Path::new(&file), &client, &database, staging.path()).unwrap();
    relate_and_count(&url, &database, &dir, &file, true);
}
