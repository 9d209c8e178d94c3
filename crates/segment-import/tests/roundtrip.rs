//! The demo data exported to CSV and imported again counts the same on every demo segment:
//! types, NULLs, keys and (confirmed, proposed) relationships all survive the trip.

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::Connection;
use segment_import::{import, CancelToken, ImportRequest, Store};
use segment_model::{canonical, validate, Schema};
use segment_source::{DataSource, DemoOptions};
use serde_json::json;

/// Every column of `table` to a CSV file, as a generic exporter would: integers and reals as
/// written by SQLite's values (reals in their shortest exact form), NULL as an empty field.
fn export(conn: &Connection, table: &str, path: &Path) {
    let mut stmt = conn
        .prepare(&format!("SELECT * FROM {table} ORDER BY rowid"))
        .unwrap();
    let names: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
    let mut out = csv::Writer::from_path(path).unwrap();
    out.write_record(&names).unwrap();
    let mut rows = stmt.query([]).unwrap();
    while let Some(row) = rows.next().unwrap() {
        let fields: Vec<String> = (0..names.len())
            .map(|i| match row.get::<_, Value>(i).unwrap() {
                Value::Null => String::new(),
                Value::Integer(n) => n.to_string(),
                Value::Real(f) => f.to_string(),
                Value::Text(s) => s,
                Value::Blob(_) => unreachable!(),
            })
            .collect();
        out.write_record(&fields).unwrap();
    }
    out.flush().unwrap();
}

fn segments() -> Vec<serde_json::Value> {
    let cond = |attribute: &str, operator: &str, value: serde_json::Value| json!({"type": "condition", "attribute": attribute, "operator": operator, "value": value});
    let and = |children: Vec<serde_json::Value>| json!({"type": "group", "combinator": "and", "children": children});
    let purchases = |filter: Vec<serde_json::Value>,
                     constraint: serde_json::Value,
                     window: serde_json::Value| {
        let mut children = vec![cond("name", "is", json!("purchase"))];
        children.extend(filter);
        let mut rel = json!({"type": "relationship", "relationship": "events", "constraint": constraint,
            "filter": {"combinator": "and", "children": children}});
        if !window.is_null() {
            rel["window"] = window;
        }
        rel
    };
    let at_least = |n: i64| json!({"type": "occurrences", "operator": "at_least", "value": n});
    let roots = vec![
        cond("country", "is", json!("US")),
        cond("country", "is_null", json!(null)),
        cond("country", "is_one_of", json!(["CA", "FR", "DE"])),
        cond("email", "contains", json!("gmail")),
        cond("city", "is_blank", json!(null)),
        cond("first_name", "starts_with", json!("J")),
        cond("plan", "is_not", json!("free")),
        cond("age", "between", json!([25, 40])),
        cond("age", "is_null", json!(null)),
        cond("lifetime_value", "greater_than", json!(100.5)),
        cond("is_subscribed", "is_true", json!(null)),
        cond("is_subscribed", "is_null", json!(null)),
        cond(
            "signed_up_at",
            "in_the_last",
            json!({"amount": 90, "unit": "day"}),
        ),
        cond("signed_up_at", "before", json!("2025-06-01")),
        cond(
            "birth_date",
            "date_part_is",
            json!({"part": "month", "values": [2, 6]}),
        ),
        cond("birth_date", "after", json!("1990-01-01")),
        cond(
            "last_seen_at",
            "more_than_ago",
            json!({"amount": 30, "unit": "day"}),
        ),
        cond("last_seen_at", "is_null", json!(null)),
        cond("tags", "contains_any_of", json!(["vip", "beta"])),
        cond("tags", "is_empty", json!(null)),
        cond("tags", "is_null", json!(null)),
        and(vec![
            cond("country", "is", json!("US")),
            purchases(
                vec![],
                at_least(2),
                json!({"type": "in_the_last", "amount": 180, "unit": "day"}),
            ),
        ]),
        purchases(
            vec![cond("amount", "greater_than", json!(50))],
            at_least(1),
            json!(null),
        ),
        purchases(
            vec![],
            json!({"type": "aggregate", "function": "sum", "attribute": "amount", "operator": "more_than", "value": 300}),
            json!(null),
        ),
        json!({"type": "group", "combinator": "and", "negated": true, "children": [
            {"type": "relationship", "relationship": "events", "filter": {"combinator": "and", "children": [cond("name", "is", json!("churn_survey_answered"))]}}
        ]}),
        json!({"type": "relationship", "relationship": "orders", "constraint": at_least(1),
            "window": {"type": "in_the_last", "amount": 60, "unit": "day"},
            "filter": {"combinator": "and", "children": [cond("status", "is_one_of", json!(["paid", "shipped", "delivered"]))]}}),
        json!({"type": "group", "combinator": "or", "children": [
            and(vec![cond("plan", "is", json!("pro")), cond("country", "is_not", json!("US"))]),
            cond("age", "greater_than", json!(60))
        ]}),
    ];
    roots
        .into_iter()
        .map(|root| {
            let mut root = if root["type"] == "group" { root } else { and(vec![root]) };
            if let Some(o) = root.as_object_mut() {
                o.remove("type");
            }
            json!({"version": 1, "entity": "profiles", "root": root})
        })
        .chain(std::iter::once(json!({"version": 1, "entity": "events", "root": {"combinator": "and", "children": [
            cond("channel", "is", json!("ios")),
            json!({"type": "relationship", "relationship": "profile", "filter": {"combinator": "and", "children": [cond("plan", "is", json!("pro"))]}})
        ]}})))
        .collect()
}

fn counts(source: &DataSource, schema: &Schema, now: DateTime<Utc>) -> Vec<(String, u64)> {
    segments()
        .iter()
        .map(|doc| {
            let text = doc.to_string();
            let (segment, _) = canonical::parse_any(&text, schema, None).unwrap();
            let query = validate::check(&segment, schema, None, now)
                .unwrap_or_else(|p| panic!("{text}: {p:?}"));
            (text, source.count(&query).unwrap().count)
        })
        .collect()
}

#[test]
fn demo_data_through_csv_counts_the_same_on_every_demo_segment() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo.sqlite");
    segment_source::generate_demo(
        &demo,
        DemoOptions {
            profiles: 3000,
            seed: 11,
        },
    )
    .unwrap();
    let conn = Connection::open(&demo).unwrap();
    let imported = dir.path().join("imported.sqlite");
    for table in ["events", "orders", "profiles"] {
        let csv = dir.path().join(format!("{table}.csv"));
        export(&conn, table, &csv);
        import(
            &ImportRequest::new(&csv, &imported),
            &mut |_| {},
            &CancelToken::new(),
        )
        .unwrap();
    }

    // The relationships are proposed from names and values, then confirmed.
    let store = Store::new(dir.path().join("store").join("sources.json"));
    let opened = segment_import::open(&imported, Some(&store)).unwrap();
    let proposals = segment_import::relate::propose(&opened.source, &opened.schema).unwrap();
    let mut pairs: Vec<String> = proposals
        .iter()
        .map(|p| {
            format!(
                "{}.{} -> {}.{} {}",
                p.child, p.child_column, p.parent, p.parent_column, p.matched_share
            )
        })
        .collect();
    pairs.sort();
    assert_eq!(
        pairs,
        [
            "events.profile_id -> profiles.id 1",
            "orders.profile_id -> profiles.id 1"
        ]
    );
    for p in &proposals {
        store.add_link(&imported, p.link(), None).unwrap();
    }
    let opened = segment_import::open(&imported, Some(&store)).unwrap();

    // Same entities, columns, types and storages as the original; same relationships and ids.
    let original = DataSource::open_read_only(&demo).unwrap();
    for entity in &original.schema().entities {
        let mine = opened.schema.entity(&entity.name).unwrap();
        assert_eq!(mine.key, entity.key);
        for c in &entity.columns {
            let m = mine.column(&c.name).unwrap();
            let storage_ok = m.storage == c.storage
                || (c.data_type == segment_model::DataType::Datetime
                    && m.storage == segment_model::Storage::UnixSeconds);
            assert!(
                m.data_type == c.data_type && storage_ok,
                "{}.{}: {:?} vs {:?}",
                entity.name,
                c.name,
                m,
                c
            );
        }
    }
    let ids = |s: &Schema| {
        let mut v: Vec<(i64, String, String, Option<String>)> = s
            .relationships
            .iter()
            .map(|r| {
                (
                    r.id,
                    r.from_entity.clone(),
                    r.name.clone(),
                    r.time_column.clone(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(ids(&opened.schema), ids(original.schema()));

    let now = DateTime::from_timestamp(segment_source::demo::ANCHOR, 0).unwrap();
    let expected = counts(&original, original.schema(), now);
    let got = counts(&opened.source, &opened.schema, now);
    for ((text, want), (_, have)) in expected.iter().zip(&got) {
        assert_eq!(want, have, "{text}");
    }
    assert!(
        expected.iter().filter(|(_, n)| *n > 0).count() > expected.len() - 3,
        "the segments match records: {expected:?}"
    );
}
