//! "Whose home state is the same as work state": a condition comparing two attributes.

use segment_model::compare::AttributeValue;
use segment_model::ir::CompareOp;
use segment_model::schema::DataType;

/// The phrase for `name` (already readable) compared with `other` by `op` on attributes of
/// type `ty`.
pub(super) fn phrase(name: &str, op: CompareOp, other: &AttributeValue, ty: DataType) -> String {
    let other_name = other.attribute.replace('_', " ");
    let verb = match (ty, op) {
        (DataType::Datetime, CompareOp::Eq) if !other.date_only => "is at the same time as",
        (DataType::Datetime, CompareOp::Ne) if !other.date_only => "is not at the same time as",
        (DataType::Datetime, CompareOp::Lt) => "is before",
        (DataType::Datetime, CompareOp::Le) => "is on or before",
        (DataType::Datetime, CompareOp::Gt) => "is after",
        (DataType::Datetime, CompareOp::Ge) => "is on or after",
        (DataType::Number, CompareOp::Eq) => "equals",
        (DataType::Number, CompareOp::Lt) => "is less than",
        (DataType::Number, CompareOp::Le) => "is at most",
        (DataType::Number, CompareOp::Gt) => "is greater than",
        (DataType::Number, CompareOp::Ge) => "is at least",
        (_, CompareOp::Ne) => "is not the same as",
        _ => "is the same as",
    };
    // A missing value makes the comparison false: worth saying where "not" could suggest
    // otherwise.
    let known = if op == CompareOp::Ne {
        " (both known)"
    } else {
        ""
    };
    if other.date_only {
        format!("the date of {name} {verb} the date of {other_name}{known}")
    } else {
        format!("{name} {verb} {other_name}{known}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_both_attributes_and_the_comparison() {
        let other = AttributeValue::new("work_state");
        assert_eq!(
            phrase("home state", CompareOp::Eq, &other, DataType::Text),
            "home state is the same as work state"
        );
        let end = AttributeValue {
            attribute: "EndTime".into(),
            date_only: true,
        };
        assert_eq!(
            phrase("StartTime", CompareOp::Ne, &end, DataType::Datetime),
            "the date of StartTime is not the same as the date of EndTime (both known)"
        );
    }
}
