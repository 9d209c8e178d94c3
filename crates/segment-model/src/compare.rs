//! Comparing an attribute with another attribute of the same record ("home state is the same
//! as work state", "start time is before end time"). In the tree it is a [`Condition`] whose
//! `value` names the other attribute: `{"attribute": "work_state"}`, with `"date_only": true`
//! to compare only the UTC dates of two date/time attributes (OData's `date(a) eq date(b)`).
//!
//! Which operators compare, per type of the two attributes (both of one type):
//! text `is` / `is not`; numbers `=` `≠` `<` `≤` `>` `≥`; dates and times `on`, `not on`,
//! `before`, `after`, `on or before`, `on or after` (whole UTC seconds, or UTC dates when
//! `date_only`).
//!
//! NULL: a record where either attribute is NULL never satisfies the comparison (not even
//! `is not`); NOT is the exact complement, as everywhere in the model.
//!
//! [`Condition`]: crate::tree::Condition

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::ir::CompareOp;
use crate::operator::Operator;
use crate::schema::DataType;

/// The value of a condition that compares its attribute with another attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct AttributeValue {
    /// The other attribute, of the same entity and of the same type.
    pub attribute: String,
    /// Date/time attributes only: compare their UTC dates, not their instants.
    #[serde(default, skip_serializing_if = "is_false")]
    #[ts(as = "Option<bool>", optional)]
    pub date_only: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl AttributeValue {
    pub fn new(attribute: &str) -> Self {
        AttributeValue {
            attribute: attribute.to_string(),
            date_only: false,
        }
    }

    /// The canonical JSON of this value.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// Whether `value` is meant as another attribute (an object with an `attribute` key), so a
/// reader can say what is wrong with it rather than "not a value".
pub fn names_attribute(value: &Value) -> bool {
    matches!(value, Value::Object(map) if map.contains_key("attribute"))
}

/// `value` read as another attribute: `None` when it is not one, `Err` with a message when it
/// is meant as one (see [`names_attribute`]) but does not read.
pub fn attribute_value(value: &Value) -> Option<Result<AttributeValue, String>> {
    if !names_attribute(value) {
        return None;
    }
    Some(
        serde_json::from_value::<AttributeValue>(value.clone())
            .map_err(|_| {
                "Name the other attribute as {\"attribute\": \"name\"} (and optionally \
                 \"date_only\": true)."
                    .to_string()
            })
            .and_then(|v| {
                if v.attribute.trim().is_empty() {
                    Err("Choose the other attribute.".to_string())
                } else {
                    Ok(v)
                }
            }),
    )
}

/// The comparison `op` makes between two attributes of type `ty`, or `None` when it does not
/// compare two attributes of that type.
pub fn compare_op(op: Operator, ty: DataType) -> Option<CompareOp> {
    use Operator as O;
    let cmp = match (ty, op) {
        (DataType::Text, O::Is) => CompareOp::Eq,
        (DataType::Text, O::IsNot) => CompareOp::Ne,
        (DataType::Number, O::Equals) => CompareOp::Eq,
        (DataType::Number, O::NotEquals) => CompareOp::Ne,
        (DataType::Number, O::LessThan) => CompareOp::Lt,
        (DataType::Number, O::LessThanOrEqual) => CompareOp::Le,
        (DataType::Number, O::GreaterThan) => CompareOp::Gt,
        (DataType::Number, O::GreaterThanOrEqual) => CompareOp::Ge,
        (DataType::Datetime, O::On) => CompareOp::Eq,
        (DataType::Datetime, O::NotOn) => CompareOp::Ne,
        (DataType::Datetime, O::Before) => CompareOp::Lt,
        (DataType::Datetime, O::OnOrBefore) => CompareOp::Le,
        (DataType::Datetime, O::After) => CompareOp::Gt,
        (DataType::Datetime, O::OnOrAfter) => CompareOp::Ge,
        _ => return None,
    };
    Some(cmp)
}

/// The operator comparing two attributes of type `ty` with `cmp` (the inverse of
/// [`compare_op`]), for the readers of other formats.
pub fn operator_for(cmp: CompareOp, ty: DataType) -> Option<Operator> {
    use Operator as O;
    Some(match (ty, cmp) {
        (DataType::Text, CompareOp::Eq) => O::Is,
        (DataType::Text, CompareOp::Ne) => O::IsNot,
        (DataType::Number, CompareOp::Eq) => O::Equals,
        (DataType::Number, CompareOp::Ne) => O::NotEquals,
        (DataType::Number, CompareOp::Lt) => O::LessThan,
        (DataType::Number, CompareOp::Le) => O::LessThanOrEqual,
        (DataType::Number, CompareOp::Gt) => O::GreaterThan,
        (DataType::Number, CompareOp::Ge) => O::GreaterThanOrEqual,
        (DataType::Datetime, CompareOp::Eq) => O::On,
        (DataType::Datetime, CompareOp::Ne) => O::NotOn,
        (DataType::Datetime, CompareOp::Lt) => O::Before,
        (DataType::Datetime, CompareOp::Le) => O::OnOrBefore,
        (DataType::Datetime, CompareOp::Gt) => O::After,
        (DataType::Datetime, CompareOp::Ge) => O::OnOrAfter,
        _ => return None,
    })
}

/// The operators that compare two attributes of type `ty`, in the builder's order.
pub fn operators_for(ty: DataType) -> Vec<Operator> {
    Operator::ALL
        .iter()
        .copied()
        .filter(|op| compare_op(*op, ty).is_some())
        .collect()
}

/// The types whose attributes compare with one another.
pub fn compares(ty: DataType) -> bool {
    matches!(ty, DataType::Text | DataType::Number | DataType::Datetime)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_other_attribute_and_refuses_what_is_not_one() {
        assert_eq!(attribute_value(&json!("x")), None);
        assert_eq!(
            attribute_value(&json!({"attribute": "work_state"})),
            Some(Ok(AttributeValue::new("work_state")))
        );
        let day = attribute_value(&json!({"attribute": "end", "date_only": true}));
        assert!(matches!(
            day,
            Some(Ok(AttributeValue {
                date_only: true,
                ..
            }))
        ));
        assert!(matches!(
            attribute_value(&json!({"attribute": 3})),
            Some(Err(_))
        ));
        assert!(matches!(
            attribute_value(&json!({"attribute": " "})),
            Some(Err(_))
        ));
        assert_eq!(
            AttributeValue::new("b").to_json(),
            json!({"attribute": "b"})
        );
    }

    #[test]
    fn operators_and_comparisons_are_inverse() {
        for ty in [DataType::Text, DataType::Number, DataType::Datetime] {
            for op in operators_for(ty) {
                let cmp = compare_op(op, ty).unwrap();
                assert_eq!(operator_for(cmp, ty), Some(op));
            }
        }
        assert_eq!(compare_op(Operator::Contains, DataType::Text), None);
        assert!(operators_for(DataType::Boolean).is_empty());
    }
}
