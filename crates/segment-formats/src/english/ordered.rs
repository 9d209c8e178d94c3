//! English for the constraints that order related records in time: the first or last time,
//! the first or most recent record's attribute, distinct days, weeks, months or years.

use segment_model::schema::{DataType, Entity};
use segment_model::tree::{Condition, Constraint, CountOperator, RelationshipCondition, TimeUnit};
use serde_json::Value;

use super::{English, FORMAT};
use crate::error::{Error, Result};
use crate::value::{self, Operand};

impl<'s> English<'s> {
    /// The sentence for a relationship whose constraint orders its records in time, or `None`
    /// for the other constraints. `records` is "events where name is purchase" (name, filter).
    pub(super) fn ordered(
        &self,
        rel: &RelationshipCondition,
        time_column: Option<&str>,
        related: &'s Entity,
        records: &str,
        window: &str,
        path: &str,
    ) -> Result<Option<String>> {
        let constraint_path = format!("{path}/constraint");
        let which = |first: bool| if first { "first" } else { "most recent" };
        Ok(Some(match &rel.constraint {
            Some(Constraint::FirstTime { operator, value })
            | Some(Constraint::LastTime { operator, value }) => {
                let first = matches!(rel.constraint, Some(Constraint::FirstTime { .. }));
                let phrase =
                    self.time_phrase(*operator, value, related, time_column, &constraint_path)?;
                let which = if first { "first" } else { "last" };
                format!("whose {which} of the {records}{window} {phrase}")
            }
            Some(Constraint::FirstRecord { condition })
            | Some(Constraint::LastRecord { condition }) => {
                let first = matches!(rel.constraint, Some(Constraint::FirstRecord { .. }));
                let test =
                    self.condition(condition, related, &format!("{constraint_path}/condition"))?;
                format!("whose {} of the {records}{window} has {test}", which(first))
            }
            Some(Constraint::DistinctPeriods {
                unit,
                operator,
                value,
            }) => {
                let periods = match unit {
                    TimeUnit::Minute => "minutes",
                    TimeUnit::Hour => "hours",
                    TimeUnit::Day => "days",
                    TimeUnit::Week => "weeks",
                    TimeUnit::Month => "months",
                    TimeUnit::Year => "years",
                };
                let count = distinct_count(*operator, value, &constraint_path)?;
                format!("who have {records}{window} on {count} different {periods}")
            }
            Some(Constraint::Sequence { steps, within }) => {
                self.sequence(rel, related, steps, within.as_ref(), records, window, path)?
            }
            None | Some(Constraint::Occurrences { .. }) | Some(Constraint::Aggregate { .. }) => {
                return Ok(None)
            }
        }))
    }

    /// "was in the last 30 days", "was before 1 March 2024": the time test as a condition on the
    /// relationship's time column reads it, with "is" in the past tense.
    fn time_phrase(
        &self,
        operator: segment_model::Operator,
        value: &Value,
        related: &'s Entity,
        time_column: Option<&str>,
        path: &str,
    ) -> Result<String> {
        let column = time_column.map(str::to_string).ok_or_else(|| {
            Error::invalid(
                FORMAT,
                path,
                format!("{} has no date/time column.", related.name),
            )
        })?;
        let condition = Condition::new(&column, operator, value.clone());
        let said = self.condition(&condition, related, path)?;
        let label = format!("{} ", column.replace('_', " "));
        let phrase = said.strip_prefix(&label).unwrap_or(&said);
        Ok(match phrase.strip_prefix("is ") {
            Some(rest) => format!("was {rest}"),
            None => format!("happened at a time that {phrase}"),
        })
    }
}

/// "at least 5", "between 2 and 4", "no": how many distinct periods.
fn distinct_count(operator: CountOperator, value: &Value, path: &str) -> Result<String> {
    let read =
        |v: &Value| match value::read(segment_model::Operator::SizeEquals, DataType::Number, v) {
            Ok(Operand::Count(n)) => Ok(n),
            Ok(_) => Ok(0),
            Err((suffix, message)) => Err(Error::invalid(
                FORMAT,
                &format!("{path}/value{suffix}"),
                message,
            )),
        };
    Ok(match operator {
        CountOperator::Between => match value {
            Value::Array(items) if items.len() == 2 => {
                format!("between {} and {}", read(&items[0])?, read(&items[1])?)
            }
            _ => {
                return Err(Error::invalid(
                    FORMAT,
                    &format!("{path}/value"),
                    "Enter two numbers, from and to.",
                ))
            }
        },
        CountOperator::AtLeast => format!("at least {}", read(value)?),
        CountOperator::AtMost => match read(value)? {
            0 => "no".to_string(),
            n => format!("at most {n}"),
        },
        CountOperator::Exactly => match read(value)? {
            0 => "no".to_string(),
            n => format!("exactly {n}"),
        },
        CountOperator::MoreThan => format!("more than {}", read(value)?),
        CountOperator::LessThan => format!("fewer than {}", read(value)?),
        CountOperator::NotEquals => format!("a number other than {}", read(value)?),
    })
}

impl<'s> English<'s> {
    /// [`English::ordered`] with the records said with their filter ("events where name is
    /// purchase").
    pub(super) fn ordered_with_filter(
        &self,
        rel: &RelationshipCondition,
        relationship: &segment_model::Relationship,
        related: &'s Entity,
        window: &str,
        path: &str,
    ) -> Result<Option<String>> {
        if !matches!(
            rel.constraint,
            Some(
                Constraint::FirstTime { .. }
                    | Constraint::LastTime { .. }
                    | Constraint::FirstRecord { .. }
                    | Constraint::LastRecord { .. }
                    | Constraint::DistinctPeriods { .. }
                    | Constraint::Sequence { .. }
            )
        ) {
            return Ok(None);
        }
        // The records as a plain count says them ("who have events where …"), without the count.
        let plain = RelationshipCondition {
            constraint: None,
            window: None,
            ..rel.clone()
        };
        let said = self.generic(&plain, relationship.name.as_str(), related, "", path)?;
        let records = said.strip_prefix("who have ").unwrap_or(&said);
        self.ordered(
            rel,
            relationship.time_column.as_deref(),
            related,
            records,
            window,
            path,
        )
    }

    /// The relationship's time column, as the schema names it.
    pub(super) fn time_column(
        &self,
        rel: &RelationshipCondition,
        related: &'s Entity,
    ) -> Option<String> {
        self.schema
            .relationships
            .iter()
            .find(|r| r.name == rel.relationship && r.to_entity == related.name)
            .and_then(|r| r.time_column.clone())
    }
}

#[cfg(test)]
mod tests {
    use segment_model::schema::{Cardinality, Column, Relationship, Schema, Storage};
    use segment_model::Segment;
    use serde_json::json;

    fn column(name: &str, data_type: DataType, storage: Storage) -> Column {
        Column {
            name: name.into(),
            data_type,
            storage,
            declared_type: String::new(),
            nullable: true,
        }
    }

    use super::*;

    fn schema() -> Schema {
        Schema {
            entities: vec![
                Entity {
                    name: "profiles".into(),
                    key: "id".into(),
                    columns: vec![column("id", DataType::Number, Storage::Integer)],
                },
                Entity {
                    name: "orders".into(),
                    key: "id".into(),
                    columns: vec![
                        column("id", DataType::Number, Storage::Integer),
                        column("profile_id", DataType::Number, Storage::Integer),
                        column("kind", DataType::Text, Storage::Text),
                        column("category", DataType::Text, Storage::Text),
                        column("ordered_at", DataType::Datetime, Storage::UnixSeconds),
                    ],
                },
            ],
            relationships: vec![Relationship {
                id: 1,
                name: "orders".into(),
                from_entity: "profiles".into(),
                from_column: "id".into(),
                to_entity: "orders".into(),
                to_column: "profile_id".into(),
                cardinality: Cardinality::OneToMany,
                time_column: Some("ordered_at".into()),
            }],
        }
    }

    fn english(constraint: Value) -> String {
        let segment: Segment = serde_json::from_value(json!({"version": 1, "entity": "profiles", "root": {
            "combinator": "and",
            "children": [{"type": "relationship", "relationship": "orders", "constraint": constraint,
                "filter": {"combinator": "and", "children": [
                    {"type": "condition", "attribute": "kind", "operator": "is", "value": "purchase"}
                ]}}]
        }}))
        .unwrap();
        crate::english::render(&segment, &schema(), None)
            .unwrap()
            .trim_end()
            .to_string()
    }

    #[test]
    fn first_and_last_times_read_as_past_events() {
        assert_eq!(
            english(
                json!({"type": "first_time", "operator": "in_the_last", "value": {"amount": 30, "unit": "day"}})
            ),
            "Profiles whose first of the orders where kind is purchase was in the last 30 days."
        );
        assert_eq!(
            english(
                json!({"type": "last_time", "operator": "more_than_ago", "value": {"amount": 90, "unit": "day"}})
            ),
            "Profiles whose last of the orders where kind is purchase was more than 90 days ago."
        );
    }

    #[test]
    fn the_most_recent_record_has_the_condition() {
        assert_eq!(
            english(json!({"type": "last_record", "condition": {"attribute": "category", "operator": "is", "value": "shoes"}})),
            "Profiles whose most recent of the orders where kind is purchase has category is shoes."
        );
        assert_eq!(
            english(json!({"type": "first_record", "condition": {"attribute": "category", "operator": "is_one_of", "value": ["ads", "mail"]}})),
            "Profiles whose first of the orders where kind is purchase has category is ads or mail."
        );
    }

    /// Census, PQL, OData and ODP cannot say these: each refuses by name, at the constraint.
    #[test]
    fn other_formats_refuse_them_at_the_constraint() {
        use crate::Format;
        for constraint in [
            json!({"type": "first_time", "operator": "in_the_last", "value": {"amount": 30, "unit": "day"}}),
            json!({"type": "last_record", "condition": {"attribute": "category", "operator": "is", "value": "shoes"}}),
            json!({"type": "distinct_periods", "unit": "day", "operator": "at_least", "value": 5}),
        ] {
            let segment: Segment = serde_json::from_value(json!({"version": 1, "entity": "profiles", "root": {
                "combinator": "and",
                "children": [{"type": "relationship", "relationship": "orders", "constraint": constraint,
                    "filter": {"combinator": "and", "children": []}}]
            }}))
            .unwrap();
            for format in [
                Format::Census,
                Format::PqlText,
                Format::PqlJson,
                Format::Odata,
                Format::Odp,
            ] {
                let err = crate::render_as(format, &segment, &schema(), None)
                    .expect_err("refused")
                    .to_string();
                assert!(
                    err.contains("/root/children/0/constraint"),
                    "{format:?}: {err}"
                );
                let named = ["first time", "most recent", "distinct days"]
                    .iter()
                    .any(|name| err.contains(name));
                assert!(named, "{format:?}: {err}");
            }
        }
    }

    #[test]
    fn distinct_periods_are_different_days() {
        assert_eq!(
            english(
                json!({"type": "distinct_periods", "unit": "day", "operator": "at_least", "value": 5})
            ),
            "Profiles who have orders where kind is purchase on at least 5 different days."
        );
        assert_eq!(
            english(
                json!({"type": "distinct_periods", "unit": "month", "operator": "between", "value": [2, 3]})
            ),
            "Profiles who have orders where kind is purchase on between 2 and 3 different months."
        );
    }
}
