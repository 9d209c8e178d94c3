//! Membership of a static segment ("is in segment S"): the records whose key is one of the
//! segment's active members, decided by the key column's own `IN` test (exact integers, text
//! byte for byte), so it agrees with the SQL's `key IN (…)`.

use segment_model::ir::{ArrayElement, Members, Number, NumberComparison, Predicate};

use crate::column::ColumnData;
use crate::error::{Error, Result};
use crate::Table;

/// The key column the members are keys of; a table keyed by SQLite's `rowid` (not loaded) is
/// left to SQL.
pub(crate) fn key_column<'t>(table: &'t Table, members: &Members) -> Result<&'t ColumnData> {
    table.column(&members.column.name).map_err(|_| {
        Error::Unsupported(format!(
            "the members of segment {} by {}.{}",
            members.segment, table.name, members.column.name
        ))
    })
}

/// The key test equivalent to the membership.
pub(crate) fn predicate(members: &Members) -> Predicate {
    let texts: Option<Vec<String>> = members
        .keys
        .iter()
        .map(|k| match k {
            ArrayElement::Text(t) => Some(t.clone()),
            ArrayElement::Number(_) => None,
        })
        .collect();
    match texts {
        Some(values) => Predicate::TextIn {
            values,
            case_sensitive: true,
            negated: false,
        },
        None => Predicate::Number(NumberComparison::In {
            values: members.keys.iter().filter_map(number_of).collect(),
            negated: false,
        }),
    }
}

/// Validation types every key as its column, so a number column's keys are all numbers.
fn number_of(key: &ArrayElement) -> Option<Number> {
    match key {
        ArrayElement::Number(n) => Some(*n),
        ArrayElement::Text(_) => None,
    }
}
