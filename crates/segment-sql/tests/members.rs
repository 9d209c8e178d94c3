//! "Is in segment": a dynamic segment is its definition inlined (nothing of its own in SQL); a
//! static one is `key IN (…)` over its members' keys, one bound JSON array on SQLite and a bound
//! list elsewhere, guarded under NOT. Snapshots of both forms, and execution on SQLite against
//! the reference evaluator (plain and negated).

mod common;

use segment_model::ir::{ArrayElement, Expr, Members, Number};
use segment_sql::{build, display, Ansi, Dialect, Postgres, Sqlite};

fn members(db: &common::Db, keys: Vec<ArrayElement>) -> Expr {
    let p = db.table("profiles");
    Expr::Members(Box::new(Members {
        segment: "vip".into(),
        column: p.column(&p.key),
        keys,
    }))
}

fn ints(keys: &[i64]) -> Vec<ArrayElement> {
    keys.iter()
        .map(|k| ArrayElement::Number(Number::Int(*k)))
        .collect()
}

fn render(query: &segment_model::ir::Query, dialect: &dyn Dialect) -> String {
    let shown = display(query, dialect).expect("display");
    let built = build(query, dialect).expect("build");
    format!(
        "-- display\n{shown}\n\n-- build\n{}\n\n-- params\n{:?}\n",
        built.sql, built.params
    )
}

#[test]
fn static_members_in_each_dialect() {
    let db = common::database();
    let p = db.table("profiles");
    let plain = common::query(p, members(&db, ints(&[1, 3, 5])));
    let negated = common::query(p, common::not(members(&db, ints(&[1, 3, 5]))));
    let mut out = String::new();
    for (name, dialect) in [
        ("sqlite", &Sqlite as &dyn Dialect),
        ("postgres", &Postgres),
        ("ansi", &Ansi),
    ] {
        out.push_str(&format!("==== {name}: in\n{}\n", render(&plain, dialect)));
        out.push_str(&format!(
            "==== {name}: not in\n{}\n",
            render(&negated, dialect)
        ));
    }
    insta::assert_snapshot!("members", out);
}

#[test]
fn static_members_execute_as_the_reference_says() {
    let db = common::database();
    let p = db.table("profiles");
    let all: Vec<i64> = db.reference("profiles", &Expr::True);
    let chosen: Vec<i64> = all
        .iter()
        .copied()
        .step_by(3)
        .chain([987_654_321])
        .collect();
    for filter in [
        members(&db, ints(&chosen)),
        common::not(members(&db, ints(&chosen))),
        Expr::Or(vec![
            members(&db, ints(&chosen[..2])),
            common::not(members(&db, ints(&chosen))),
        ]),
    ] {
        let query = common::query(p, filter.clone());
        let expected = db.reference("profiles", &filter);
        let statement = build(&query, &Sqlite).unwrap();
        assert_eq!(
            db.count(&statement),
            expected.len() as i64,
            "{}",
            statement.sql
        );
        // The displayed form runs too, with the same answer.
        let shown = display(&query, &Sqlite).unwrap();
        assert_eq!(db.count_plain(&shown), expected.len() as i64, "{shown}");
    }
    // However many members, SQLite binds one parameter.
    let many = common::query(p, members(&db, ints(&(0..5000).collect::<Vec<_>>())));
    assert_eq!(build(&many, &Sqlite).unwrap().params.len(), 1);
}
