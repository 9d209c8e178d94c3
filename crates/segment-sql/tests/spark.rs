//! The Spark SQL dialect: a snapshot of the whole corpus, and, when a Spark Connect server is at
//! hand (`SEGMENT_SPARK_URL`, e.g. from `scripts/with-spark.sh`), the same execution checks as on
//! SQLite: the corpus, its negations and random trees, displayed and with named arguments,
//! against the reference evaluator. The fixture is loaded as temporary views of the test's own
//! session; counts travel many to a query (`SELECT (count 1), (count 2), …`), one round trip each.

mod common;

use common::{not, Db, V};
use segment_model::ir::Query;
use segment_spark::{ConnectUrl, Param, SparkClient};
use segment_sql::{build, display, Dialect, Spark, SqlValue};

#[test]
fn corpus_snapshot() {
    let db = common::database();
    insta::assert_snapshot!("corpus", common::corpus_text(&db, &Spark));
}

#[test]
fn spark_spelling() {
    assert_eq!(Spark.quote_identifier("a`b"), "`a``b`");
    assert_eq!(Spark.string_literal("O'Brien \\ x"), r"'O\'Brien \\ x'");
    assert_eq!(Spark.literal(&SqlValue::Real(1.5)).unwrap(), "1.5D");
    assert_eq!(Spark.placeholder(3, &SqlValue::Integer(1)), ":p3");
}

fn value(v: &V) -> SqlValue {
    match v {
        V::Null => SqlValue::Null,
        V::Int(i) => SqlValue::Integer(*i),
        V::Real(f) => SqlValue::Real(*f),
        V::Text(s) => SqlValue::Text(s.clone()),
    }
}

/// A bound value as Spark reads a literal written in the text: 32-bit integers as INT.
fn param(v: &SqlValue) -> Param {
    match v {
        SqlValue::Null => Param::Null,
        SqlValue::Integer(i) => i32::try_from(*i).map_or(Param::Long(*i), Param::Int),
        SqlValue::Real(f) => Param::Double(*f),
        SqlValue::Text(s) => Param::Text(s.clone()),
    }
}

/// The fixture's tables as temporary views of this session.
fn load(spark: &SparkClient, db: &Db) {
    for table in db.tables.values() {
        let columns: Vec<String> = table
            .columns
            .iter()
            .enumerate()
            .map(|(i, (name, declared, _, _))| {
                let ty = match *declared {
                    "INTEGER PRIMARY KEY" | "INTEGER" => "BIGINT",
                    "REAL" => "DOUBLE",
                    _ => "STRING",
                };
                format!(
                    "CAST(col{} AS {ty}) AS {}",
                    i + 1,
                    Spark.quote_identifier(name)
                )
            })
            .collect();
        let rows: Vec<String> = table
            .rows
            .iter()
            .map(|row| {
                let values: Vec<String> = row
                    .iter()
                    .map(|v| Spark.literal(&value(v)).expect("literal"))
                    .collect();
                format!("({})", values.join(", "))
            })
            .collect();
        let sql = format!(
            "CREATE OR REPLACE TEMPORARY VIEW {} AS SELECT {} FROM VALUES {}",
            Spark.quote_identifier(&table.name),
            columns.join(", "),
            rows.join(", ")
        );
        spark
            .query(&sql, &[])
            .unwrap_or_else(|e| panic!("{}: {e}", table.name));
    }
}

/// `:p1`… of statement `k` renamed `:s{k}_1`… outside quoted text, so statements share a query.
fn rename_params(sql: &str, k: usize) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == '\\' && q == '\'' {
                    out.extend(chars.next());
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '\'' || c == '`' => {
                quote = Some(c);
                out.push(c);
            }
            None if c == ':' && chars.peek() == Some(&'p') => {
                chars.next();
                out.push_str(&format!(":s{k}_"));
            }
            None => out.push(c),
        }
    }
    out
}

/// Sequences Spark cannot run: a correlated reference two sub-queries out (three steps, or "no
/// C in between"); Spark resolves outer references only from the query just outside, so the
/// dialect refuses them by name.
const NESTED_CORRELATION: &[&str] = &[
    "view_then_purchase_by_day_no_signup_between_all_within_20_days",
    "three_events_each_within_10_days_in_window",
];

fn counts(spark: &SparkClient, statements: &[(String, Vec<SqlValue>)]) -> Result<Vec<i64>, String> {
    let mut out = Vec::new();
    for (b, batch) in statements.chunks(40).enumerate() {
        let mut columns = Vec::new();
        let mut params = Vec::new();
        for (i, (sql, values)) in batch.iter().enumerate() {
            let k = b * 40 + i;
            columns.push(format!("({}) AS c{k}", rename_params(sql, k)));
            for (n, v) in values.iter().enumerate() {
                params.push((format!("s{k}_{}", n + 1), param(v)));
            }
        }
        let sql = format!("SELECT {}", columns.join(",\n"));
        let rows = spark
            .query(&sql, &params)
            .map_err(|e| format!("batch {b}: {e}"))?;
        out.extend(rows.rows[0].iter().map(|v| v.as_i64().expect("a count")));
    }
    Ok(out)
}

#[test]
fn counts_on_spark_match_the_reference() {
    let Ok(url) = std::env::var("SEGMENT_SPARK_URL") else {
        eprintln!(
            "SEGMENT_SPARK_URL not set: Spark execution skipped (run under scripts/with-spark.sh)"
        );
        return;
    };
    let spark = SparkClient::connect(&ConnectUrl::parse(&url).unwrap()).unwrap();
    spark
        .query("SET spark.sql.session.timeZone = UTC", &[])
        .unwrap();
    let db = common::database();
    load(&spark, &db);
    let mut cases: Vec<(String, Query)> = Vec::new();
    for (name, q) in common::all_cases(&db) {
        if NESTED_CORRELATION.contains(&name.as_str()) {
            // Refused by name before anything is sent (Spark would fail with UNRESOLVED_COLUMN).
            let error = build(&q, &Spark).unwrap_err().to_string();
            assert!(
                error.contains("Spark SQL cannot express a sequence of three or more steps"),
                "{name}: {error}"
            );
            continue;
        }
        let negated = Query {
            filter: not(q.filter.clone()),
            ..q.clone()
        };
        cases.push((format!("NOT {name}"), negated));
        cases.push((name, q));
    }
    let profiles = db.table("profiles");
    let mut leaves: Vec<_> = common::predicate_cases(&db)
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    leaves.extend(
        common::related_cases(&db)
            .into_iter()
            .filter(|(name, q)| {
                q.entity.name == "profiles" && !NESTED_CORRELATION.contains(&name.as_str())
            })
            .map(|(_, q)| q.filter),
    );
    for (i, tree) in common::random_trees(&leaves, 11, 60)
        .into_iter()
        .enumerate()
    {
        cases.push((format!("random tree {i}"), common::query(profiles, tree)));
    }
    let mut statements = Vec::new();
    let mut expected = Vec::new();
    let mut names = Vec::new();
    for (name, q) in &cases {
        let n = db.reference(&q.entity.name, &q.filter).len() as i64;
        let shown = display(q, &Spark).unwrap_or_else(|e| panic!("{name}: {e}"));
        let built = build(q, &Spark).unwrap_or_else(|e| panic!("{name}: {e}"));
        statements.push((shown, Vec::new()));
        statements.push((built.sql, built.params));
        for form in ["displayed", "executable"] {
            expected.push(n);
            names.push(format!("{name} ({form})"));
        }
    }
    let got = counts(&spark, &statements).unwrap_or_else(|e| panic!("{e}"));
    let wrong: Vec<String> = names
        .iter()
        .zip(got.iter().zip(&expected))
        .filter(|(_, (g, e))| g != e)
        .map(|(name, (g, e))| format!("{name}: Spark {g}, reference {e}"))
        .collect();
    assert!(
        wrong.is_empty(),
        "{} of {} wrong:\n{}",
        wrong.len(),
        got.len(),
        wrong.join("\n")
    );
}
