//! Sample keys, the nodes a record met and overlaps computed in SQL, for segments the in-memory
//! engine cannot run (raw SQL conditions): the same answers as the engine on segments both
//! can run, and consistent with plain counts on the others.

use rusqlite::types::Value;
use segment_model::ir::Query;
use segment_model::tree::Segment;
use segment_source::{
    keys_matching, overlap_counts, sample_keys, CancelToken, DataSource, DemoOptions, Error,
};
use serde_json::json;

fn demo() -> (tempfile::TempDir, DataSource) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.sqlite");
    segment_source::generate_demo(
        &path,
        DemoOptions {
            profiles: 400,
            seed: 11,
        },
    )
    .unwrap();
    let source = DataSource::open_read_only(&path).unwrap();
    (dir, source)
}

fn query(source: &DataSource, children: Vec<serde_json::Value>) -> Query {
    let doc = json!({
        "version": 1,
        "entity": "profiles",
        "root": { "combinator": "and", "children": children }
    });
    let segment: Segment = serde_json::from_value(doc).unwrap();
    let now = chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap();
    segment_model::validate::check(&segment, source.schema(), None, now)
        .unwrap_or_else(|p| panic!("{p:?}"))
}

fn cond(attribute: &str, operator: &str, value: serde_json::Value) -> serde_json::Value {
    json!({ "type": "condition", "attribute": attribute, "operator": operator, "value": value })
}

fn raw(sql: &str) -> serde_json::Value {
    json!({ "type": "sql", "sql": sql })
}

#[test]
fn overlap_in_sql_equals_the_engines_overlap() {
    let (_dir, source) = demo();
    let data = segment_source::engine::load_dataset(&source).unwrap();
    let a = query(&source, vec![cond("age", "greater_than", json!(40))]);
    let b = query(&source, vec![cond("plan", "is", json!("pro"))]);
    let c = query(&source, vec![cond("email", "contains", json!("a"))]);
    for queries in [vec![a.clone(), b.clone()], vec![a, b, c]] {
        let sql = overlap_counts(&source, &queries, None).unwrap();
        let engine = segment_engine::explain::overlap(&data, &queries).unwrap();
        assert_eq!(sql, engine);
        assert!(
            sql.regions.iter().filter(|r| r.count > 0).count() >= 3,
            "{sql:?}"
        );
    }
}

#[test]
fn overlap_of_raw_sql_segments_agrees_with_counts() {
    let (_dir, source) = demo();
    // A value with a quote: it is bound as a parameter, never spliced.
    let a = query(&source, vec![raw("age > 30 AND plan <> 'it''s'")]);
    let b = query(&source, vec![cond("plan", "is", json!("pro"))]);
    let c = query(&source, vec![raw("lifetime_value > 50")]);
    let ab = query(
        &source,
        vec![
            raw("age > 30 AND plan <> 'it''s'"),
            cond("plan", "is", json!("pro")),
        ],
    );
    let abc = query(
        &source,
        vec![
            raw("age > 30 AND plan <> 'it''s'"),
            cond("plan", "is", json!("pro")),
            raw("lifetime_value > 50"),
        ],
    );
    let queries = [a.clone(), b.clone(), c.clone()];
    let overlap = overlap_counts(&source, &queries, None).unwrap();
    let total = source.total("profiles").unwrap();
    assert_eq!(overlap.total, total);
    for (q, n) in queries.iter().zip(&overlap.counts) {
        assert_eq!(source.count(q).unwrap().count, *n);
    }
    let region = |segments: &[usize]| {
        overlap
            .regions
            .iter()
            .find(|r| r.segments == segments)
            .map(|r| r.count)
            .unwrap()
    };
    assert_eq!(
        region(&[0, 1]) + region(&[0, 1, 2]),
        source.count(&ab).unwrap().count
    );
    assert_eq!(region(&[0, 1, 2]), source.count(&abc).unwrap().count);
    assert!(overlap.regions.iter().map(|r| r.count).sum::<u64>() <= total);
    let both = region(&[0, 1]) + region(&[0, 1, 2]);
    let union = overlap.counts[0] + overlap.counts[1] - both;
    assert_eq!(overlap.jaccard[0][1], both as f64 / union as f64);
    assert_eq!(overlap.jaccard[1][0], overlap.jaccard[0][1]);
    assert_eq!(overlap.jaccard[2][2], 1.0);

    assert!(matches!(
        overlap_counts(&source, std::slice::from_ref(&a), None),
        Err(Error::Unsupported(_))
    ));
    let cancel = CancelToken::new();
    cancel.cancel();
    assert!(matches!(
        overlap_counts(&source, &[a, b], Some(&cancel)),
        Err(Error::Cancelled)
    ));
}

#[test]
fn sample_keys_and_the_nodes_they_met_in_sql() {
    let (_dir, source) = demo();
    let seg = query(
        &source,
        vec![json!({ "type": "group", "combinator": "or", "children": [
            raw("age > 50"),
            cond("plan", "is", json!("pro")),
        ]})],
    );
    let keys = sample_keys(&source, &seg, 25, None).unwrap();
    assert_eq!(keys.len(), 25);
    let all = sample_keys(&source, &seg, u64::MAX >> 1, None).unwrap();
    assert_eq!(all.len() as u64, source.count(&seg).unwrap().count);
    assert_eq!(keys, all[..25]);

    let old = query(&source, vec![raw("age > 50")]);
    let pro = query(&source, vec![cond("plan", "is", json!("pro"))]);
    let old_keys = sample_keys(&source, &old, u64::MAX >> 1, None).unwrap();
    let pro_keys = sample_keys(&source, &pro, u64::MAX >> 1, None).unwrap();
    let met_old = keys_matching(&source, &old, &keys, None).unwrap();
    let met_pro = keys_matching(&source, &pro, &keys, None).unwrap();
    for (i, key) in keys.iter().enumerate() {
        assert_eq!(met_old[i], old_keys.contains(key), "{key:?}");
        assert_eq!(met_pro[i], pro_keys.contains(key), "{key:?}");
        assert!(met_old[i] || met_pro[i], "a sample met at least one node");
    }
    // Many keys (more than one statement's worth), some not records at all.
    let mut many: Vec<Value> = (0..1200).map(Value::Integer).collect();
    many.push(Value::Text("nope".into()));
    let matched = keys_matching(&source, &old, &many, None).unwrap();
    assert_eq!(matched.len(), many.len());
    let expected: Vec<bool> = many.iter().map(|k| old_keys.contains(k)).collect();
    assert_eq!(matched, expected);
    assert!(!matched[1200]);
}
