//! Two attributes of the same record compared (`ir::ColumnComparison`), as the SQL compiler
//! writes it: text byte for byte (each column has its own dictionary, so the left one's codes
//! are mapped once to the right one's), numbers exactly (`num::compare`), instants as whole
//! seconds, dates as UTC days. A NULL on either side: false.

use std::collections::HashMap;

use segment_model::ir::{ColumnComparison, CompareOp};

use crate::column::{ColumnData, IntView, TextColumn};
use crate::error::{Error, Result};
use crate::eval::RowTest;
use crate::num::{self, Num};
use crate::with_ints;
use crate::Table;

/// The row test of `comparison` on `table`'s records.
pub(crate) fn row_test<'a>(table: &'a Table, comparison: &ColumnComparison) -> Result<RowTest<'a>> {
    for column in [&comparison.left, &comparison.right] {
        if column.entity != table.name {
            return Err(Error::Missing(format!(
                "column {}.{} on {}",
                column.entity, column.name, table.name
            )));
        }
    }
    let left = table.column(&comparison.left.name)?;
    let right = table.column(&comparison.right.name)?;
    let op = comparison.op;
    let both = |r: usize| left.valid().contains(r) && right.valid().contains(r);
    Ok(match (left, right) {
        (ColumnData::Text(a), ColumnData::Text(b)) => {
            let equal = op == CompareOp::Eq;
            if op != CompareOp::Eq && op != CompareOp::Ne {
                return Err(Error::Unsupported(
                    "ordering two text attributes".to_string(),
                ));
            }
            let to_right = codes_in(a, b);
            Box::new(move |r| {
                both(r) && (to_right[a.codes[r] as usize] == Some(b.codes[r])) == equal
            })
        }
        (ColumnData::Time { values: a, .. }, ColumnData::Time { values: b, .. }) => {
            if comparison.date_only {
                for (values, column) in [(a, left), (b, right)] {
                    with_ints!(values, |v| in_sql_years(v, column))?;
                }
            }
            let date_only = comparison.date_only;
            with_ints!(a, |a| with_ints!(b, |b| times_test(
                a, b, op, date_only, both
            )))
        }
        (a, b) => {
            let (Some(_), Some(_)) = (number(a, 0), number(b, 0)) else {
                return Err(Error::Unsupported(format!(
                    "comparing {} with {}",
                    comparison.left.name, comparison.right.name
                )));
            };
            Box::new(move |r| {
                both(r)
                    && match (number(a, r), number(b, r)) {
                        (Some(x), Some(y)) => num::compare(op, x, y),
                        _ => false,
                    }
            })
        }
    })
}

/// Per code of `a`'s dictionary, the code of the same text in `b`'s (`None`: not there).
fn codes_in(a: &TextColumn, b: &TextColumn) -> Vec<Option<u32>> {
    let index: HashMap<&str, u32> = b
        .dict
        .iter()
        .enumerate()
        .map(|(code, text)| (text, code as u32))
        .collect();
    a.dict.iter().map(|t| index.get(t).copied()).collect()
}

/// The number in row `r` (`None` for a column that does not hold numbers; rows past the end
/// and NULL rows read as whatever is stored, callers check validity).
fn number(column: &ColumnData, r: usize) -> Option<Num> {
    match column {
        ColumnData::Integer { values, .. } => {
            Some(Num::Int(if r < values.len() { values.get(r) } else { 0 }))
        }
        ColumnData::Number { values, .. } => Some(Num::Real(values.get(r).copied().unwrap_or(0.0))),
        _ => None,
    }
}

/// Two time columns compared row by row (as whole seconds, or as UTC days when `date_only`),
/// compiled for the two columns' representations.
fn times_test<'a>(
    a: impl IntView + 'a,
    b: impl IntView + 'a,
    op: CompareOp,
    date_only: bool,
    both: impl Fn(usize) -> bool + Send + Sync + 'a,
) -> RowTest<'a> {
    if date_only {
        Box::new(move |r| {
            both(r)
                && holds(
                    op,
                    a.at(r).div_euclid(86_400).cmp(&b.at(r).div_euclid(86_400)),
                )
        })
    } else {
        Box::new(move |r| both(r) && holds(op, a.at(r).cmp(&b.at(r))))
    }
}

fn holds(op: CompareOp, ord: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering as O;
    match op {
        CompareOp::Eq => ord == O::Equal,
        CompareOp::Ne => ord != O::Equal,
        CompareOp::Lt => ord == O::Less,
        CompareOp::Le => ord != O::Greater,
        CompareOp::Gt => ord == O::Greater,
        CompareOp::Ge => ord != O::Less,
    }
}

/// SQL's date functions read the years 0000–9999 only: beyond them the engine leaves the
/// comparison of dates to SQL.
fn in_sql_years(values: impl IntView, column: &ColumnData) -> Result<()> {
    // 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
    const FIRST: i64 = -62_167_219_200;
    const LAST: i64 = 253_402_300_799;
    let valid = column.valid();
    let outside =
        (0..values.len()).any(|r| valid.contains(r) && !(FIRST..=LAST).contains(&values.at(r)));
    if outside {
        return Err(Error::Unsupported(
            "a time beyond the years 0000 to 9999".to_string(),
        ));
    }
    Ok(())
}
