//! Against a real Spark Connect server (`SEGMENT_SPARK_URL`, as `scripts/with-spark.sh` sets it);
//! each test passes without doing anything when the variable is unset.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use segment_spark::{ConnectUrl, Error, Param, SparkClient};
use serde_json::Value;

fn client() -> Option<SparkClient> {
    let url = std::env::var("SEGMENT_SPARK_URL").ok()?;
    Some(SparkClient::connect(&ConnectUrl::parse(&url).unwrap()).unwrap())
}

fn p(name: &str, value: Param) -> (String, Param) {
    (name.to_string(), value)
}

#[test]
fn named_arguments_are_values_never_sql() {
    let Some(spark) = client() else { return };
    let hostile = "x' OR 1=1 --";
    let rows = spark
        .query(
            "SELECT :s AS s, :n + 1 AS n, :d * 2 AS d, :z IS NULL AS z",
            &[
                p("s", Param::Text(hostile.to_string())),
                p("n", Param::Long(41)),
                p("d", Param::Double(1.25)),
                p("z", Param::Null),
            ],
        )
        .unwrap();
    assert_eq!(rows.columns, ["s", "n", "d", "z"]);
    assert_eq!(
        rows.rows,
        vec![vec![
            Value::from(hostile),
            Value::from(42),
            Value::from(2.5),
            Value::Bool(true)
        ]]
    );
}

#[test]
fn limit_takes_an_integer_and_rows_come_in_order() {
    let Some(spark) = client() else { return };
    let rows = spark
        .query(
            "SELECT id FROM range(0, 100000) WHERE id % :m = 0 ORDER BY id LIMIT :l",
            &[p("m", Param::Long(7)), p("l", Param::Int(3))],
        )
        .unwrap();
    assert_eq!(
        rows.rows,
        vec![
            vec![Value::from(0)],
            vec![Value::from(7)],
            vec![Value::from(14)]
        ]
    );
    let many = spark
        .query(
            "SELECT id, repeat('x', 100) AS pad FROM range(0, 50000)",
            &[],
        )
        .unwrap();
    assert_eq!(many.rows.len(), 50_000);
}

#[test]
fn failures_carry_spark_error_class() {
    let Some(spark) = client() else { return };
    let error = spark
        .query("SELECT * FROM no_such_table_here", &[])
        .unwrap_err();
    assert_eq!(error.class(), Some("TABLE_OR_VIEW_NOT_FOUND"), "{error}");
    let error = spark
        .query("SELECT 1 LIMIT :l", &[p("l", Param::Long(1))])
        .unwrap_err();
    assert!(
        error
            .class()
            .unwrap_or("")
            .starts_with("INVALID_LIMIT_LIKE_EXPRESSION"),
        "{error}"
    );
}

#[test]
fn a_cancelled_query_is_interrupted() {
    let Some(spark) = client() else { return };
    let cancelled = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&cancelled);
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        flag.store(true, Ordering::SeqCst);
    });
    // Minutes of work if not interrupted.
    let error = spark
        .query_cancellable(
            "SELECT count(*) FROM range(0, 5000000000) a WHERE hash(a.id, :s) % 1000003 = 17",
            &[p("s", Param::Text("slow".into()))],
            &|| cancelled.load(Ordering::SeqCst),
        )
        .unwrap_err();
    assert!(matches!(error, Error::Cancelled), "{error}");
    // The session still answers.
    assert_eq!(
        spark
            .query("SELECT 1", &[])
            .unwrap()
            .single_integer()
            .unwrap(),
        1
    );
}

#[test]
fn an_unreachable_server_says_so() {
    if std::env::var("SEGMENT_SPARK_URL").is_err() {
        return;
    }
    let url = ConnectUrl::parse("sc://127.0.0.1:1").unwrap();
    let error = SparkClient::connect(&url).err().unwrap();
    assert!(matches!(error, Error::Unreachable { .. }), "{error}");
    assert!(error.to_string().contains("cannot be reached"), "{error}");
}
