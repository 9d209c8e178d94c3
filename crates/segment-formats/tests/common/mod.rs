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
