//! A hand-made schema shaped like the demo data, with the seeds' attribute names added.
#![allow(dead_code)]

use segment_model::schema::{Cardinality, Column, DataType, Entity, Relationship, Schema, Storage};
use segment_model::Segment;

fn col(name: &str, data_type: DataType, storage: Storage) -> Column {
    Column {
        name: name.into(),
        data_type,
        storage,
        declared_type: format!("{storage:?}"),
        nullable: true,
    }
}

pub fn schema() -> Schema {
    Schema {
        entities: vec![
            Entity {
                name: "profiles".into(),
                key: "id".into(),
                columns: vec![
                    col("id", DataType::Number, Storage::Integer),
                    col("email", DataType::Text, Storage::Text),
                    col("country", DataType::Text, Storage::Text),
                    col("age", DataType::Number, Storage::Integer),
                    col("is_subscribed", DataType::Boolean, Storage::Boolean),
                    col("signed_up_at", DataType::Datetime, Storage::UnixSeconds),
                    col("birth_date", DataType::Datetime, Storage::IsoDate),
                    col("tags", DataType::Array, Storage::JsonArray),
                    // Seed 001 (PQL): nested XDM fields, as dotted attribute names.
                    col("workAddress.country", DataType::Text, Storage::Text),
                    col("workAddress.stateProvince", DataType::Text, Storage::Text),
                    col("homeAddress.stateProvince", DataType::Text, Storage::Text),
                    // Seed 000 (OData): `demographics/age/value eq '30'` compares text.
                    col("demographics.age.value", DataType::Text, Storage::Text),
                    // Seed 003 (ODP).
                    col(
                        "observations.total_revenue_percentile",
                        DataType::Number,
                        Storage::Real,
                    ),
                ],
            },
            Entity {
                name: "events".into(),
                key: "id".into(),
                columns: vec![
                    col("id", DataType::Number, Storage::Integer),
                    col("user_id", DataType::Number, Storage::Integer),
                    col("name", DataType::Text, Storage::Text),
                    col("event_name", DataType::Text, Storage::Text),
                    col("ts", DataType::Datetime, Storage::UnixSeconds),
                    col("amount", DataType::Number, Storage::Real),
                    col("active_event", DataType::Boolean, Storage::Boolean),
                ],
            },
            // A second one-to-many relationship of profiles, so that trees use several.
            Entity {
                name: "payments".into(),
                key: "id".into(),
                columns: vec![
                    col("id", DataType::Number, Storage::Integer),
                    col("user_id", DataType::Number, Storage::Integer),
                    col("status", DataType::Text, Storage::Text),
                    col("total", DataType::Number, Storage::Real),
                    col("placed_at", DataType::Datetime, Storage::UnixSeconds),
                ],
            },
        ],
        relationships: vec![
            Relationship {
                id: 1,
                name: "events".into(),
                from_entity: "profiles".into(),
                from_column: "id".into(),
                to_entity: "events".into(),
                to_column: "user_id".into(),
                cardinality: Cardinality::OneToMany,
                time_column: Some("ts".into()),
            },
            Relationship {
                id: 2,
                name: "profile".into(),
                from_entity: "events".into(),
                from_column: "user_id".into(),
                to_entity: "profiles".into(),
                to_column: "id".into(),
                cardinality: Cardinality::ManyToOne,
                time_column: Some("signed_up_at".into()),
            },
            Relationship {
                id: 3,
                name: "payments".into(),
                from_entity: "profiles".into(),
                from_column: "id".into(),
                to_entity: "payments".into(),
                to_column: "user_id".into(),
                cardinality: Cardinality::OneToMany,
                time_column: Some("placed_at".into()),
            },
            Relationship {
                id: 4,
                name: "customer".into(),
                from_entity: "payments".into(),
                from_column: "user_id".into(),
                to_entity: "profiles".into(),
                to_column: "id".into(),
                cardinality: Cardinality::ManyToOne,
                time_column: Some("signed_up_at".into()),
            },
        ],
    }
}

/// A segment of profiles from its canonical root JSON.
pub fn segment(root: serde_json::Value) -> Segment {
    serde_json::from_value(serde_json::json!({"version": 1, "entity": "profiles", "root": root}))
        .expect("a canonical tree")
}

pub fn cond(attribute: &str, operator: &str, value: serde_json::Value) -> serde_json::Value {
    serde_json::json!({"type": "condition", "attribute": attribute, "operator": operator, "value": value})
}

pub fn and(children: Vec<serde_json::Value>) -> serde_json::Value {
    serde_json::json!({"combinator": "and", "children": children})
}

pub fn or(children: Vec<serde_json::Value>) -> serde_json::Value {
    serde_json::json!({"combinator": "or", "children": children})
}

/// `segment` with every week written as 7 days: OData durations have no weeks, so a week is
/// written, and read back, as 7 days.
pub fn weeks_as_days(segment: &Segment) -> Segment {
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                if map.get("unit").and_then(|u| u.as_str()) == Some("week") {
                    for key in ["amount", "from", "to"] {
                        if let Some(n) = map.get(key).and_then(|n| n.as_u64()) {
                            map.insert(key.into(), (n * 7).into());
                        }
                    }
                    map.insert("unit".into(), "day".into());
                }
                map.values_mut().for_each(walk);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(segment).expect("a tree serializes");
    walk(&mut value);
    serde_json::from_value(value).expect("a tree deserializes")
}

/// The "now" of the tests that validate or count.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2024-05-16T13:45:10Z")
        .expect("a date")
        .to_utc()
}

/// Whether `pointer` names a node of `segment`'s canonical document.
pub fn points_into(segment: &Segment, pointer: &str) -> bool {
    serde_json::to_value(segment)
        .expect("a tree serializes")
        .pointer(pointer)
        .is_some()
}
