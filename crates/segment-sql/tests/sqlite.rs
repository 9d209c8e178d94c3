//! Snapshots of the SQL generated for SQLite, executable and displayed, over a corpus covering
//! every predicate, every related-records constraint shape, nesting, NOT, both cardinalities and
//! every time storage. Each case is also executed and checked in `execution.rs`.

mod common;

use segment_sql::{build, build_output, display, display_output, Output, Sqlite};

fn render(query: &segment_model::ir::Query) -> String {
    let shown = display(query, &Sqlite).expect("display");
    let built = build(query, &Sqlite).expect("build");
    format!(
        "-- display\n{shown}\n\n-- build\n{}\n\n-- params\n{:?}\n",
        built.sql, built.params
    )
}

#[test]
fn snapshots() {
    let db = common::database();
    let mut names = std::collections::HashSet::new();
    for (name, query) in common::all_cases(&db) {
        assert!(names.insert(name.clone()), "duplicate case {name}");
        insta::assert_snapshot!(name, render(&query));
    }
}

#[test]
fn snapshot_outputs() {
    let db = common::database();
    let p = db.table("profiles");
    let q = common::query(
        p,
        common::on(p.column("country"), common::text_eq("US", true, false)),
    );
    let keys = build_output(&q, Output::Keys { limit: 25 }, &Sqlite).expect("keys");
    let total = build_output(&q, Output::Total, &Sqlite).expect("total");
    let text = format!(
        "-- keys\n{}\n{:?}\n\n-- keys displayed\n{}\n\n-- total\n{}\n{:?}\n\n-- total displayed\n{}\n",
        keys.sql,
        keys.params,
        display_output(&q, Output::Keys { limit: 25 }, &Sqlite).expect("display keys"),
        total.sql,
        total.params,
        display_output(&q, Output::Total, &Sqlite).expect("display total"),
    );
    insta::assert_snapshot!("outputs", text);
}
