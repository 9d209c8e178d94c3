//! A hand-written schema shaped like the demo data and like the seed's Census examples.
#![allow(dead_code)]

use segment_model::schema::{Cardinality, Column, DataType, Entity, Relationship, Schema, Storage};

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
