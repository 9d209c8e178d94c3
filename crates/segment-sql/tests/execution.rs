//! Executes the generated SQL on SQLite and compares every count with a reference evaluator
//! written in plain Rust over the same rows: bound parameters, displayed SQL (which proves the
//! literal escaping), negation, key sampling, and random trees.

mod common;

use common::{not, query, Db};
use proptest::prelude::*;
use segment_model::ir::{Expr, Query};
use segment_sql::{build, build_output, display, display_output, Output, Sqlite};

/// Checks one query every way it can be run; returns the matching count.
fn check(db: &Db, name: &str, q: &Query) -> usize {
    let expected = db.reference(&q.entity.name, &q.filter);
    let built = build(q, &Sqlite).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(
        db.count(&built),
        expected.len() as i64,
        "{name}: bound\n{}\n{:?}",
        built.sql,
        built.params
    );
    let shown = display(q, &Sqlite).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(
        db.count_plain(&shown),
        expected.len() as i64,
        "{name}: displayed\n{shown}"
    );
    let keys = build_output(q, Output::Keys { limit: 7 }, &Sqlite).unwrap();
    let mut sorted = expected.clone();
    sorted.sort_unstable();
    sorted.truncate(7);
    assert_eq!(db.keys(&keys), sorted, "{name}: keys\n{}", keys.sql);
    let shown_keys = display_output(q, Output::Keys { limit: 7 }, &Sqlite).unwrap();
    let mut stmt = db.conn.prepare(&shown_keys).unwrap();
    let got: Vec<i64> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(got, sorted, "{name}: displayed keys");
    expected.len()
}

#[test]
fn every_case_matches_the_reference() {
    let db = common::database();
    let mut nonzero = 0;
    let mut cases = 0;
    for (name, q) in common::all_cases(&db) {
        let total = db.table(&q.entity.name).rows.len();
        let n = check(&db, &name, &q);
        let negated = Query {
            filter: not(q.filter.clone()),
            ..q.clone()
        };
        let m = check(&db, &format!("NOT {name}"), &negated);
        assert_eq!(n + m, total, "{name}: a negation is the complement");
        cases += 1;
        if n > 0 && m > 0 {
            nonzero += 1;
        }
    }
    // The corpus must discriminate: most cases match some records and miss others.
    assert!(
        nonzero * 10 >= cases * 8,
        "{nonzero} of {cases} cases split the records"
    );
    // Hostile names and values never reached SQL text: the table is intact.
    assert_eq!(db.count_plain("SELECT COUNT(*) FROM profiles"), 75);
}

#[test]
fn total_counts_every_record() {
    let db = common::database();
    for name in [
        "profiles",
        "events",
        "companies",
        "we\"ird\"; DROP TABLE profiles; --",
    ] {
        let t = db.table(name);
        let q = query(t, Expr::False);
        let total = build_output(&q, Output::Total, &Sqlite).unwrap();
        assert_eq!(db.count(&total), t.rows.len() as i64, "{name}");
        assert_eq!(
            db.count_plain(&display_output(&q, Output::Total, &Sqlite).unwrap()),
            t.rows.len() as i64
        );
    }
}

#[test]
fn nul_characters_in_values() {
    let db = common::database();
    db.conn
        .execute(
            "UPDATE profiles SET name = 'a' || char(0) || 'b' WHERE id = 5",
            [],
        )
        .unwrap();
    let p = db.table("profiles");
    let q = query(
        p,
        common::on(p.column("name"), common::text_eq("a\0b", true, false)),
    );
    assert_eq!(db.count(&build(&q, &Sqlite).unwrap()), 1);
    let shown = display(&q, &Sqlite).unwrap();
    assert!(shown.contains("char(0)"), "{shown}");
    assert_eq!(db.count_plain(&shown), 1);
}

#[test]
fn hostile_raw_sql_is_rejected() {
    let db = common::database();
    let p = db.table("profiles");
    for raw in [
        "1); DROP TABLE profiles; --",
        "1) OR (1",
        "age > ?",
        "name = 'x",
        "1; SELECT 1",
    ] {
        let q = query(p, Expr::RawSql(raw.into()));
        assert!(build(&q, &Sqlite).is_err(), "{raw}");
        assert!(display(&q, &Sqlite).is_err(), "{raw}");
    }
}

fn tree(n_leaves: usize) -> impl Strategy<Value = Expr> {
    let leaf = (0..n_leaves).prop_map(|i| Expr::RawSql(format!("__leaf {i}")));
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Expr::And),
            prop::collection::vec(inner.clone(), 0..4).prop_map(Expr::Or),
            inner.prop_map(|e| Expr::Not(Box::new(e))),
        ]
    })
}

/// Replaces the placeholder leaves of a generated tree with the real ones.
fn fill(e: Expr, leaves: &[Expr]) -> Expr {
    match e {
        Expr::RawSql(s) => {
            let i: usize = s.trim_start_matches("__leaf ").parse().unwrap_or(0);
            leaves[i % leaves.len()].clone()
        }
        Expr::And(items) => Expr::And(items.into_iter().map(|x| fill(x, leaves)).collect()),
        Expr::Or(items) => Expr::Or(items.into_iter().map(|x| fill(x, leaves)).collect()),
        Expr::Not(x) => Expr::Not(Box::new(fill(*x, leaves))),
        other => other,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_trees_match_the_reference(shape in tree(400)) {
        let db = common::database();
        let leaves = common::profile_leaves(&db);
        let filter = fill(shape, &leaves);
        let q = query(db.table("profiles"), filter);
        let expected = db.reference("profiles", &q.filter).len() as i64;
        let built = build(&q, &Sqlite).unwrap();
        prop_assert_eq!(db.count(&built), expected, "{}", built.sql);
        let shown = display(&q, &Sqlite).unwrap();
        prop_assert_eq!(db.count_plain(&shown), expected, "{}", shown);
    }
}
