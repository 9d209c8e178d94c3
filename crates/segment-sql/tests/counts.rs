//! Several counts in one statement (`build_counts`, the per-node counts of a warehouse): every
//! column equals the query's own count, on SQLite, for the corpus and random trees whose variants
//! share related-record conditions; and the shape written for PostgreSQL (a snapshot).

mod common;

use common::{not, query};
use segment_model::ir::{Expr, Query};
use segment_sql::{build, build_counts, Postgres, Spark, Sqlite, Statement};

fn counts_in_one(db: &common::Db, statement: &Statement, n: usize) -> Vec<i64> {
    let mut stmt = db
        .conn
        .prepare(&statement.sql)
        .unwrap_or_else(|e| panic!("{e}\n{}", statement.sql));
    let bound = statement.params.iter().map(|v| match v {
        segment_sql::SqlValue::Null => rusqlite::types::Value::Null,
        segment_sql::SqlValue::Integer(i) => rusqlite::types::Value::Integer(*i),
        segment_sql::SqlValue::Real(f) => rusqlite::types::Value::Real(*f),
        segment_sql::SqlValue::Text(s) => rusqlite::types::Value::Text(s.clone()),
    });
    stmt.query_row(rusqlite::params_from_iter(bound), |row| {
        (0..n)
            .map(|i| row.get(i))
            .collect::<rusqlite::Result<Vec<i64>>>()
    })
    .unwrap_or_else(|e| panic!("{e}\n{}", statement.sql))
}

/// A segment's per-node variants, roughly: the tree, each part alone, the tree without each.
fn variants(parts: &[Expr]) -> Vec<Expr> {
    let mut out = vec![Expr::And(parts.to_vec())];
    for (i, part) in parts.iter().enumerate() {
        out.push(part.clone());
        let mut rest = parts.to_vec();
        rest.remove(i);
        out.push(Expr::And(rest));
        out.push(not(part.clone()));
    }
    out
}

/// Checks the statement's columns; whether it computes related records once for several.
fn check(db: &common::Db, queries: &[Query], what: &str) -> bool {
    let one = build_counts(queries, &Sqlite).unwrap_or_else(|e| panic!("{what}: {e}"));
    let together = counts_in_one(db, &one, queries.len());
    let alone: Vec<i64> = queries
        .iter()
        .map(|q| db.count(&build(q, &Sqlite).unwrap()))
        .collect();
    assert_eq!(together, alone, "{what}\n{}", one.sql);
    one.sql.contains("LEFT JOIN")
}

#[test]
fn each_column_is_its_query_count_on_the_corpus() {
    let db = common::database();
    let cases = common::all_cases(&db);
    for (name, q) in &cases {
        let negated = Query {
            filter: not(q.filter.clone()),
            ..q.clone()
        };
        check(&db, &[q.clone(), negated, q.clone()], name);
    }
}

#[test]
fn variants_sharing_related_conditions_count_as_alone() {
    let db = common::database();
    let p = db.table("profiles");
    let leaves = common::profile_leaves(&db);
    let mut joined = 0;
    for (round, tree) in common::random_trees(&leaves, 7, 200)
        .into_iter()
        .enumerate()
    {
        let parts = match tree {
            Expr::And(items) | Expr::Or(items) => items,
            other => vec![other],
        };
        let queries: Vec<Query> = variants(&parts).into_iter().map(|e| query(p, e)).collect();
        joined += usize::from(check(&db, &queries, &format!("round {round}")));
    }
    assert!(
        joined >= 20,
        "only {joined} of 200 statements joined related records"
    );
}

#[test]
fn the_postgresql_shape() {
    let db = common::database();
    let cases = common::all_cases(&db);
    let find = |prefix: &str| {
        cases
            .iter()
            .find(|(name, _)| name.starts_with(prefix))
            .map(|(_, q)| q.filter.clone())
            .unwrap_or_else(|| panic!("no case {prefix}"))
    };
    let p = db.table("profiles");
    let attribute = find("is_null");
    let related = cases
        .iter()
        .find(|(_, q)| q.entity.name == "profiles" && format!("{q:?}").contains("Related"))
        .map(|(_, q)| q.filter.clone())
        .expect("a related case over profiles");
    let plain = build_counts(
        &[
            query(p, attribute.clone()),
            query(p, not(attribute.clone())),
        ],
        &Postgres,
    )
    .unwrap();
    let shared_queries = [
        query(p, Expr::And(vec![attribute.clone(), related.clone()])),
        query(p, related.clone()),
        query(p, not(related)),
        query(p, attribute),
    ];
    let shared = build_counts(&shared_queries, &Postgres).unwrap();
    insta::assert_snapshot!(
        "postgres_counts",
        format!(
            "==== one scan\n{}\n-- params {:?}\n\n==== related records joined once\n{}\n-- params {:?}\n",
            plain.sql, plain.params, shared.sql, shared.params
        )
    );
    // Spark writes related records as EXISTS elsewhere; its counts join them as PostgreSQL's.
    let spark = build_counts(&shared_queries, &Spark).unwrap();
    assert!(
        spark.sql.contains("LEFT JOIN") && !spark.sql.contains("EXISTS"),
        "{}",
        spark.sql
    );
    insta::assert_snapshot!(
        "spark_counts",
        format!("{}\n-- params {:?}\n", spark.sql, spark.params)
    );
}
