//! The DuckDB dialect: a snapshot of the whole corpus, and the same execution checks as on SQLite
//! (the corpus, its negations and random trees) on a real DuckDB, through Python's `duckdb`
//! package. The execution check runs when `SEGMENT_SQL_DUCKDB=1` or `CI` is set (and must then
//! find the package); Python is `SEGMENT_SQL_DUCKDB_PYTHON`, else the venv scripts/setup.sh
//! creates (`target/duckdb-venv`), else `python3`.

mod common;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use common::{not, Db, V};
use segment_model::ir::Query;
use segment_sql::{build, display, Dialect, DuckDb, SqlValue};
use serde_json::{json, Value};

#[test]
fn corpus_snapshot() {
    let db = common::database();
    insta::assert_snapshot!("corpus", common::corpus_text(&db, &DuckDb));
}

fn value(v: &V) -> SqlValue {
    match v {
        V::Null => SqlValue::Null,
        V::Int(i) => SqlValue::Integer(*i),
        V::Real(f) => SqlValue::Real(*f),
        V::Text(s) => SqlValue::Text(s.clone()),
    }
}

fn param(v: &SqlValue) -> Value {
    match v {
        SqlValue::Null => Value::Null,
        SqlValue::Integer(i) => json!(i),
        SqlValue::Real(f) => json!(f),
        SqlValue::Text(s) => json!(s),
    }
}

/// The tables of the SQLite fixture, recreated in an in-memory DuckDB database.
fn load_statements(db: &Db) -> Vec<String> {
    let mut statements = Vec::new();
    for table in db.tables.values() {
        let columns: Vec<String> = table
            .columns
            .iter()
            .map(|(name, declared, _, _)| {
                let ty = match *declared {
                    "INTEGER PRIMARY KEY" => "BIGINT PRIMARY KEY",
                    "INTEGER" => "BIGINT",
                    "REAL" => "DOUBLE",
                    _ => "VARCHAR",
                };
                format!("{} {ty}", DuckDb.quote_identifier(name))
            })
            .collect();
        let name = DuckDb.quote_identifier(&table.name);
        statements.push(format!("CREATE TABLE {name} ({})", columns.join(", ")));
        for row in &table.rows {
            let values: Vec<String> = row
                .iter()
                .map(|v| DuckDb.literal(&value(v)).expect("literal"))
                .collect();
            statements.push(format!("INSERT INTO {name} VALUES ({})", values.join(", ")));
        }
    }
    statements
}

/// Reads `{"setup": [sql…], "queries": [[sql, params]…]}` and prints one count per query.
const DRIVER: &str = r#"
import json, sys
import duckdb
job = json.load(sys.stdin)
con = duckdb.connect()
for sql in job["setup"]:
    con.execute(sql)
for sql, params in job["queries"]:
    print(con.execute(sql, params).fetchone()[0])
"#;

fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("SEGMENT_SQL_DUCKDB_PYTHON") {
        return PathBuf::from(p);
    }
    let venv =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/duckdb-venv/bin/python");
    if venv.exists() {
        return venv;
    }
    PathBuf::from("python3")
}

fn run_duckdb(job: &Value) -> String {
    let python = python();
    let mut child = Command::new(&python)
        .args(["-c", DRIVER])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{} does not run: {e}", python.display()));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(job.to_string().as_bytes())
        .expect("job written");
    let output = child.wait_with_output().expect("python finishes");
    assert!(
        output.status.success(),
        "DuckDB through {} failed (is the duckdb package installed? run scripts/setup.sh): {}",
        python.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8 output")
}

#[test]
fn counts_on_duckdb_match_the_reference() {
    let wanted = std::env::var("SEGMENT_SQL_DUCKDB").is_ok_and(|v| v == "1")
        || std::env::var_os("CI").is_some();
    if !wanted {
        eprintln!("SEGMENT_SQL_DUCKDB not set: DuckDB execution skipped (set SEGMENT_SQL_DUCKDB=1 to run it)");
        return;
    }
    let db = common::database();
    let mut cases: Vec<(String, Query)> = Vec::new();
    for (name, q) in common::all_cases(&db) {
        let negated = Query {
            filter: not(q.filter.clone()),
            ..q.clone()
        };
        cases.push((format!("NOT {name}"), negated));
        cases.push((name, q));
    }
    let profiles = db.table("profiles");
    for (i, tree) in common::random_trees(&common::profile_leaves(&db), 7, 300)
        .into_iter()
        .enumerate()
    {
        cases.push((format!("random tree {i}"), common::query(profiles, tree)));
    }
    let mut queries = Vec::new();
    let mut expected = Vec::new();
    let mut names = Vec::new();
    for (name, q) in &cases {
        let n = db.reference(&q.entity.name, &q.filter).len() as i64;
        let shown = display(q, &DuckDb).unwrap_or_else(|e| panic!("{name}: {e}"));
        let built = build(q, &DuckDb).unwrap_or_else(|e| panic!("{name}: {e}"));
        queries.push(json!([shown, []]));
        queries.push(json!([
            built.sql,
            built.params.iter().map(param).collect::<Vec<_>>()
        ]));
        for form in ["displayed", "executable"] {
            expected.push(n);
            names.push(format!("{name} ({form})"));
        }
    }
    let output = run_duckdb(&json!({ "setup": load_statements(&db), "queries": queries }));
    let got: Vec<i64> = output
        .lines()
        .map(|l| l.trim().parse().expect("a count"))
        .collect();
    assert_eq!(got.len(), expected.len(), "one count per query");
    let wrong: Vec<String> = names
        .iter()
        .zip(got.iter().zip(&expected))
        .filter(|(_, (g, e))| g != e)
        .map(|(name, (g, e))| format!("{name}: DuckDB {g}, reference {e}"))
        .collect();
    assert!(
        wrong.is_empty(),
        "{} of {} wrong:\n{}",
        wrong.len(),
        got.len(),
        wrong.join("\n")
    );
}
