//! Segments wider than a SQL engine's expression depth: an OR of 1,500 conditions and an AND of
//! 1,200 count in SQL (nested chains) exactly as in the engine.

use segment_model::{validate, Segment};
use segment_source::{DataSource, DemoOptions};
use serde_json::{json, Value};

fn count_both(source: &DataSource, root: Value) -> (u64, u64) {
    let segment: Segment =
        serde_json::from_value(json!({"version": 1, "entity": "profiles", "root": root})).unwrap();
    let now = "2026-11-01T00:00:00Z".parse().unwrap();
    let query = validate::check(&segment, source.schema(), None, now).unwrap();
    let sql = source.count(&query).unwrap().count;
    let data = segment_source::engine::load_dataset(source).unwrap();
    let engine = segment_engine::Evaluator::new(&data)
        .matching(&query)
        .unwrap()
        .count();
    (sql, engine)
}

#[test]
fn wide_ors_and_ands_count_in_sql_as_in_the_engine() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.sqlite");
    segment_source::generate_demo(
        &path,
        DemoOptions {
            profiles: 300,
            seed: 3,
        },
    )
    .unwrap();
    let source = DataSource::open_read_only(&path).unwrap();

    let ages: Vec<Value> = (0..1_500)
        .map(|i| json!({"type": "condition", "attribute": "age", "operator": "equals", "value": 18 + (i % 7) * 9}))
        .collect();
    let (sql, engine) = count_both(&source, json!({"combinator": "or", "children": ages}));
    assert_eq!(sql, engine);
    assert!(sql > 0);

    let emails: Vec<Value> = (0..1_200)
        .map(|i| json!({"type": "condition", "attribute": "email", "operator": "is_not", "value": format!("nobody{i}@example.com")}))
        .collect();
    let (sql, engine) = count_both(&source, json!({"combinator": "and", "children": emails}));
    assert_eq!(sql, engine);
    assert!(sql > 0);
}
