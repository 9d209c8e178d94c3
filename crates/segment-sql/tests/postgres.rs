//! The PostgreSQL dialect: a snapshot of the whole corpus, and, when a server is at hand, the
//! same execution checks as on SQLite (the corpus, its negations and random trees). Set `SEGMENT_SQL_PSQL` to a psql command line, e.g.
//! `psql -h /tmp/pg -p 5432 -U postgres -d postgres`; the test creates and drops its own schema.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{not, Db, V};
use segment_model::ir::Query;
use segment_sql::{build, display, Dialect, Postgres, SqlValue};

#[test]
fn corpus_snapshot() {
    let db = common::database();
    let mut text = String::new();
    for (name, query) in common::all_cases(&db) {
        let shown = display(&query, &Postgres).unwrap_or_else(|e| panic!("{name}: {e}"));
        let built = build(&query, &Postgres).unwrap_or_else(|e| panic!("{name}: {e}"));
        text.push_str(&format!(
            "==== {name}\n{shown}\n-- build\n{}\n-- params {:?}\n\n",
            built.sql, built.params
        ));
    }
    insta::assert_snapshot!("corpus", text);
}

/// A statement placed after others' parameters numbers its own after them, and binds the
/// same values as on its own.
#[test]
fn placeholders_are_numbered_after_an_offset() {
    let db = common::database();
    let shift = |sql: &str, offset: usize| {
        let mut out = String::new();
        let mut chars = sql.chars().peekable();
        while let Some(c) = chars.next() {
            out.push(c);
            if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
                let mut n = String::new();
                while let Some(d) = chars.next_if(char::is_ascii_digit) {
                    n.push(d);
                }
                out.push_str(&(n.parse::<usize>().unwrap() + offset).to_string());
            }
        }
        out
    };
    let keys = segment_sql::Output::Keys { limit: 10 };
    for (name, query) in common::all_cases(&db) {
        let alone = segment_sql::build_output(&query, keys, &Postgres).unwrap();
        let after = segment_sql::build_output_after(&query, keys, &Postgres, 3).unwrap();
        assert_eq!(after.params, alone.params, "{name}");
        assert_eq!(after.sql, shift(&alone.sql, 3), "{name}");
    }
}

fn quote(name: &str) -> String {
    Postgres.quote_identifier(name)
}

fn literal(v: &V) -> String {
    let value = match v {
        V::Null => SqlValue::Null,
        V::Int(i) => SqlValue::Integer(*i),
        V::Real(f) => SqlValue::Real(*f),
        V::Text(s) => SqlValue::Text(s.clone()),
    };
    Postgres.literal(&value).expect("literal")
}

/// The tables of the SQLite fixture, recreated in a fresh PostgreSQL schema.
fn load_script(db: &Db) -> String {
    let mut script = String::from(
        "DROP SCHEMA IF EXISTS segment_sql_test CASCADE;\nCREATE SCHEMA segment_sql_test;\nSET search_path = segment_sql_test;\n",
    );
    for table in db.tables.values() {
        let columns: Vec<String> = table
            .columns
            .iter()
            .map(|(name, declared, _, _)| {
                let ty = match *declared {
                    "INTEGER PRIMARY KEY" => "bigint PRIMARY KEY",
                    "INTEGER" => "bigint",
                    "REAL" => "double precision",
                    _ => "text",
                };
                format!("{} {ty}", quote(name))
            })
            .collect();
        script.push_str(&format!(
            "CREATE TABLE {} ({});\n",
            quote(&table.name),
            columns.join(", ")
        ));
        for row in &table.rows {
            let values: Vec<String> = row.iter().map(literal).collect();
            script.push_str(&format!(
                "INSERT INTO {} VALUES ({});\n",
                quote(&table.name),
                values.join(", ")
            ));
        }
    }
    script
}

fn run_psql(command: &str, script: &str) -> String {
    let mut parts = command.split_whitespace();
    let program = parts.next().expect("a psql command");
    let mut child = Command::new(program)
        .args(parts)
        .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("psql runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(script.as_bytes())
        .expect("script written");
    let output = child.wait_with_output().expect("psql finishes");
    assert!(
        output.status.success(),
        "psql failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8 output")
}

#[test]
fn counts_on_postgres_match_the_reference() {
    let Ok(command) = std::env::var("SEGMENT_SQL_PSQL") else {
        // CI always runs it: scripts/test.sh starts a server through scripts/with-postgres.sh.
        assert!(
            std::env::var_os("CI").is_none(),
            "SEGMENT_SQL_PSQL is not set: run the tests through scripts/with-postgres.sh"
        );
        eprintln!("SEGMENT_SQL_PSQL not set: PostgreSQL execution skipped");
        return;
    };
    let db = common::database();
    let mut script = load_script(&db);
    let mut expected = Vec::new();
    let mut names = Vec::new();
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
    for (i, (name, q)) in cases.iter().enumerate() {
        let n = db.reference(&q.entity.name, &q.filter).len();
        let shown = display(q, &Postgres).unwrap_or_else(|e| panic!("{name}: {e}"));
        script.push_str(&format!("{shown};\n"));
        let built = build(q, &Postgres).unwrap_or_else(|e| panic!("{name}: {e}"));
        script.push_str(&format!("PREPARE q{i} AS {};\n", built.sql));
        let args: Vec<String> = built
            .params
            .iter()
            .map(|v| Postgres.literal(v).expect("literal"))
            .collect();
        if args.is_empty() {
            script.push_str(&format!("EXECUTE q{i};\n"));
        } else {
            script.push_str(&format!("EXECUTE q{i}({});\n", args.join(", ")));
        }
        for form in ["displayed", "prepared"] {
            expected.push(n as i64);
            names.push(format!("{name} ({form})"));
        }
    }
    script.push_str("DROP SCHEMA segment_sql_test CASCADE;\n");
    let output = run_psql(&command, &script);
    let got: Vec<i64> = output
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.trim().parse().expect("a count"))
        .collect();
    assert_eq!(got.len(), expected.len(), "one count per query");
    let wrong: Vec<String> = names
        .iter()
        .zip(got.iter().zip(&expected))
        .filter(|(_, (g, e))| g != e)
        .map(|(name, (g, e))| format!("{name}: PostgreSQL {g}, reference {e}"))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
