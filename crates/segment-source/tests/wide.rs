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

#[test]
fn lists_of_forty_thousand_values_count_in_sql_as_in_the_engine() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.sqlite");
    segment_source::generate_demo(
        &path,
        DemoOptions {
            profiles: 300,
            seed: 4,
        },
    )
    .unwrap();
    let source = DataSource::open_read_only(&path).unwrap();
    let countries: Vec<String> = (0..40_001)
        .map(|i| match i % 5000 {
            0 => "US".to_string(),
            1 => "fr".to_string(),
            _ => format!("XX{i}"),
        })
        .collect();
    for (operator, case_sensitive) in [("is_one_of", false), ("is_none_of", true)] {
        let (sql, engine) = count_both(
            &source,
            json!({"combinator": "and", "children": [{"type": "condition", "attribute": "country",
                "operator": operator, "value": countries, "case_sensitive": case_sensitive}]}),
        );
        assert_eq!(sql, engine, "{operator}");
        assert!(sql > 0, "{operator}");
    }
    let ages: Vec<i64> = (0..40_001).map(|i| 20 + i % 50_000).collect();
    let (sql, engine) = count_both(
        &source,
        json!({"combinator": "and", "children": [{"type": "condition", "attribute": "age",
            "operator": "is_one_of", "value": ages}]}),
    );
    assert_eq!(sql, engine);
    assert!(sql > 0);
}

#[test]
fn a_failing_statement_is_not_echoed_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.sqlite");
    segment_source::generate_demo(
        &path,
        DemoOptions {
            profiles: 20,
            seed: 5,
        },
    )
    .unwrap();
    let source = DataSource::open_read_only(&path).unwrap();
    let long = format!(
        "SELECT count(*) FROM profiles WHERE country <> '{}' AND nope = 1",
        "x".repeat(200_000)
    );
    let err = source.count_sql(&long, &[], None).unwrap_err().to_string();
    assert!(err.contains("no such column: nope"), "{err}");
    assert!(err.len() < 400, "{} bytes: {}", err.len(), &err[..200]);
}
