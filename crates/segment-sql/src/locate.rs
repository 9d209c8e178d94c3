//! Where in the tree a dialect's failure is: the IR carries no node paths, so the node is found
//! by compiling each node alone (inside its enclosing relationship conditions), deepest first.

use chrono::{DateTime, Utc};
use segment_model::explain::node_variants;
use segment_model::{validate, Schema, Segment};

use crate::dialect::Dialect;

/// The JSON Pointer of the deepest node that `dialect` cannot write on its own, if any.
pub fn locate_unsupported(
    segment: &Segment,
    schema: &Schema,
    entity: Option<&str>,
    now: DateTime<Utc>,
    dialect: &dyn Dialect,
) -> Option<String> {
    let mut variants = node_variants(segment);
    // Deepest first: a group fails whenever one of its children does.
    variants.sort_by_key(|v| std::cmp::Reverse(v.path.matches('/').count()));
    variants.into_iter().find_map(|variant| {
        let query = validate::check(&variant.alone, schema, entity, now).ok()?;
        crate::display(&query, dialect)
            .is_err()
            .then_some(variant.path)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use segment_model::schema::{Column, DataType, Entity, Storage};

    #[test]
    fn the_node_ansi_cannot_write_is_located() {
        let schema = Schema {
            entities: vec![Entity {
                name: "people".into(),
                key: "id".into(),
                columns: vec![
                    Column {
                        name: "id".into(),
                        data_type: DataType::Number,
                        storage: Storage::Integer,
                        declared_type: "INTEGER".into(),
                        nullable: false,
                    },
                    Column {
                        name: "email".into(),
                        data_type: DataType::Text,
                        storage: Storage::Text,
                        declared_type: "TEXT".into(),
                        nullable: true,
                    },
                ],
            }],
            relationships: vec![],
        };
        let segment: Segment = serde_json::from_value(serde_json::json!({"version": 1, "entity": "people", "root": {
            "combinator": "and", "children": [
                {"type": "condition", "attribute": "email", "operator": "contains", "value": "@"},
                {"type": "group", "combinator": "or", "children": [
                    {"type": "condition", "attribute": "id", "operator": "greater_than", "value": 3},
                    {"type": "condition", "attribute": "email", "operator": "matches_regex", "value": "^a"}]}]}}))
        .unwrap();
        let now = Utc::now();
        assert_eq!(
            locate_unsupported(&segment, &schema, None, now, &crate::Ansi).as_deref(),
            Some("/root/children/1/children/1")
        );
        assert_eq!(
            locate_unsupported(&segment, &schema, None, now, &crate::Sqlite),
            None
        );
    }
}
