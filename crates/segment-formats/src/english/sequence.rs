//! English for a sequence of related records: "who have events where name is view, then
//! events where name is purchase within 7 days".

use segment_model::schema::Entity;
use segment_model::tree::{Group, RelationshipCondition, SequenceStep, Span, TimeUnit};

use super::English;
use crate::error::Result;

impl<'s> English<'s> {
    /// The sentence for a sequence; `records` names the relationship's records with their
    /// filter ("events where …"), said only when the filter narrows them.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn sequence(
        &self,
        rel: &RelationshipCondition,
        related: &'s Entity,
        steps: &[SequenceStep],
        within: Option<&Span>,
        records: &str,
        window: &str,
        path: &str,
    ) -> Result<String> {
        let mut said = Vec::with_capacity(steps.len());
        for (i, step) in steps.iter().enumerate() {
            let step_path = format!("{path}/constraint/steps/{i}");
            let mut phrase = self.step_records(rel, &step.filter, related, &step_path)?;
            if i > 0 {
                phrase = format!("then {phrase}");
            }
            if let Some(span) = &step.within {
                phrase = format!("{phrase} within {}", span_words(span));
            }
            if let Some(excluded) = &step.excluding {
                let none = self.step_records(rel, excluded, related, &step_path)?;
                phrase = format!("{phrase} with no {none} in between");
            }
            said.push(phrase);
        }
        let mut sentence = format!("who have {}", said.join(", "));
        if let Some(span) = within {
            sentence = format!("{sentence}, all within {}", span_words(span));
        }
        if !rel.filter.children.is_empty() {
            sentence = format!("{sentence}, among their {records}");
        }
        Ok(format!("{sentence}{window}"))
    }

    /// "events where name is view" (or just "events" without conditions).
    fn step_records(
        &self,
        rel: &RelationshipCondition,
        filter: &Group,
        related: &'s Entity,
        path: &str,
    ) -> Result<String> {
        let plain = RelationshipCondition {
            constraint: None,
            window: None,
            filter: filter.clone(),
            ..rel.clone()
        };
        let said = self.generic(&plain, rel.relationship.as_str(), related, "", path)?;
        Ok(said.strip_prefix("who have ").unwrap_or(&said).to_string())
    }
}

/// "7 days", "1 hour".
fn span_words(span: &Span) -> String {
    let unit = match span.unit {
        TimeUnit::Minute => "minute",
        TimeUnit::Hour => "hour",
        TimeUnit::Day => "day",
        TimeUnit::Week => "week",
        TimeUnit::Month => "month",
        TimeUnit::Year => "year",
    };
    let plural = if span.amount == 1 { "" } else { "s" };
    format!("{} {unit}{plural}", span.amount)
}

#[cfg(test)]
mod tests {
    use segment_model::schema::{Cardinality, Column, DataType, Relationship, Schema, Storage};
    use segment_model::Segment;
    use serde_json::{json, Value};

    use super::*;

    fn schema() -> Schema {
        let column = |name: &str, data_type, storage| Column {
            name: name.into(),
            data_type,
            storage,
            declared_type: String::new(),
            nullable: true,
        };
        Schema {
            entities: vec![
                Entity {
                    name: "profiles".into(),
                    key: "id".into(),
                    columns: vec![column("id", DataType::Number, Storage::Integer)],
                },
                Entity {
                    name: "events".into(),
                    key: "id".into(),
                    columns: vec![
                        column("id", DataType::Number, Storage::Integer),
                        column("profile_id", DataType::Number, Storage::Integer),
                        column("name", DataType::Text, Storage::Text),
                        column("at", DataType::Datetime, Storage::UnixSeconds),
                    ],
                },
            ],
            relationships: vec![Relationship {
                id: 1,
                name: "events".into(),
                from_entity: "profiles".into(),
                from_column: "id".into(),
                to_entity: "events".into(),
                to_column: "profile_id".into(),
                cardinality: Cardinality::OneToMany,
                time_column: Some("at".into()),
            }],
        }
    }

    fn named(name: &str) -> Value {
        json!({"combinator": "and", "children": [
            {"type": "condition", "attribute": "name", "operator": "is", "value": name}]})
    }

    fn english(constraint: Value) -> String {
        let segment: Segment = serde_json::from_value(json!({"version": 1, "entity": "profiles",
            "root": {"combinator": "and", "children": [{"type": "relationship",
                "relationship": "events", "constraint": constraint,
                "filter": {"combinator": "and", "children": []}}]}}))
        .unwrap();
        crate::english::render(&segment, &schema(), None)
            .unwrap()
            .trim_end()
            .to_string()
    }

    #[test]
    fn viewed_then_bought_within_7_days() {
        assert_eq!(
            english(json!({"type": "sequence", "steps": [
                {"filter": named("view")},
                {"filter": named("purchase"), "within": {"amount": 7, "unit": "day"}}
            ]})),
            "Profiles who have events where name is view, then events where name is purchase within 7 days."
        );
        assert_eq!(
            english(json!({"type": "sequence", "within": {"amount": 1, "unit": "week"}, "steps": [
                {"filter": named("view")},
                {"filter": named("cart")},
                {"filter": named("purchase"), "excluding": named("refund")}
            ]})),
            "Profiles who have events where name is view, then events where name is cart, then events where name is purchase with no events where name is refund in between, all within 1 week."
        );
    }
}
