//! One record's side of a segment ("why is this customer (not) in it?"): the row of a key, and
//! for a relationship condition the facts that decided it for that record (how many related
//! records passed the filter and window, their aggregate, their first and last time). The
//! verdicts themselves come from the evaluator's bitmaps, so they are the count's by
//! construction; these facts only explain them.

use std::collections::HashSet;

use segment_model::ir::{Expr, Related, RelatedConstraint, TimeRange};
use segment_model::tree::AggregateFunction;

use crate::column::ColumnData;
use crate::dataset::NONE;
use crate::eval::{predicate_test, RowTest};
use crate::explain::Key;
use crate::{Bitset, Dataset, Error, Evaluator, Result};

/// The row of `table` whose `key` column holds `key` (the first, should keys repeat).
pub fn row_of(data: &Dataset, table: &str, key_column: &str, key: &Key) -> Result<Option<usize>> {
    let column = data.table(table)?.column(key_column)?;
    let found = match (column, key) {
        (ColumnData::Integer { values, valid }, Key::Int(k)) => {
            (0..values.len()).find(|&r| values[r] == *k && valid.contains(r))
        }
        (ColumnData::Integer { values, valid }, Key::Real(k)) => (0..values.len())
            .find(|&r| valid.contains(r) && values[r] as f64 == *k && (*k as i64) == values[r]),
        (ColumnData::Number { values, valid }, Key::Int(k)) => {
            (0..values.len()).find(|&r| valid.contains(r) && values[r] == *k as f64)
        }
        (ColumnData::Number { values, valid }, Key::Real(k)) => {
            (0..values.len()).find(|&r| valid.contains(r) && values[r] == *k)
        }
        (ColumnData::Text(text), Key::Text(k)) => match text.dict.iter().position(|s| s == k) {
            Some(code) => (0..text.codes.len())
                .find(|&r| text.codes[r] as usize == code && text.valid.contains(r)),
            None => None,
        },
        _ => None,
    };
    Ok(found)
}

/// What one record's related records were for a relationship condition.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct RelatedFacts {
    /// Related records passing the filter and the time window.
    pub records: u64,
    /// The constraint's aggregate over them (absent without values, or for other constraints).
    pub aggregate: Option<f64>,
    /// The earliest and latest time among them (Unix seconds), when they have times.
    pub first_time: Option<i64>,
    pub last_time: Option<i64>,
}

/// The facts of `related` for the record at `row` of its base table.
pub fn related_facts(
    evaluator: &Evaluator<'_>,
    data: &Dataset,
    related: &Related,
    row: usize,
) -> Result<RelatedFacts> {
    let join = data.join(related.relationship_id, &related.relationship)?;
    let group = join.from_group.get(row).copied().unwrap_or(NONE);
    if group == NONE {
        return Ok(RelatedFacts::default());
    }
    let to = data.table(&related.to_entity.name)?;
    let mine: Vec<usize> = (0..join.to_group.len())
        .filter(|&r| join.to_group[r] == group)
        .collect();
    let filter = compile(evaluator, &related.filter, to)?;
    let window = match &related.window {
        Some((column, range)) => Some((to.column(&column.name)?, *range)),
        None => None,
    };
    let selected: Vec<usize> = mine
        .into_iter()
        .filter(|&r| filter.holds(r) && window.is_none_or(|(c, range)| in_window(c, &range, r)))
        .collect();
    let time_column = match (&related.window, &related.constraint) {
        (Some((column, _)), _)
        | (_, RelatedConstraint::TimeOf { column, .. })
        | (_, RelatedConstraint::RecordOf { column, .. })
        | (_, RelatedConstraint::DistinctPeriods { column, .. })
        | (_, RelatedConstraint::Sequence { column, .. }) => Some(to.column(&column.name)?),
        _ => None,
    };
    let times: Vec<i64> = match time_column {
        Some(ColumnData::Time { values, valid }) => selected
            .iter()
            .filter(|&&r| valid.contains(r))
            .map(|&r| values[r])
            .collect(),
        _ => Vec::new(),
    };
    let aggregate = match &related.constraint {
        RelatedConstraint::Aggregate {
            function, column, ..
        } => aggregate(*function, to.column(&column.name)?, &selected),
        _ => None,
    };
    Ok(RelatedFacts {
        records: selected.len() as u64,
        aggregate,
        first_time: times.iter().min().copied(),
        last_time: times.iter().max().copied(),
    })
}

fn in_window(column: &ColumnData, range: &TimeRange, row: usize) -> bool {
    let ColumnData::Time { values, valid } = column else {
        return false;
    };
    if !valid.contains(row) {
        return false;
    }
    let v = values[row];
    let after_start = range
        .start
        .is_none_or(|b| if b.inclusive { v >= b.at } else { v > b.at });
    let before_end = range
        .end
        .is_none_or(|b| if b.inclusive { v <= b.at } else { v < b.at });
    after_start && before_end
}

fn aggregate(function: AggregateFunction, column: &ColumnData, rows: &[usize]) -> Option<f64> {
    if function == AggregateFunction::CountDistinct {
        let distinct: HashSet<u64> = rows
            .iter()
            .filter_map(|&r| distinct_bits(column, r))
            .collect();
        return Some(distinct.len() as f64);
    }
    let values: Vec<f64> = rows
        .iter()
        .filter_map(|&r| match column {
            ColumnData::Integer { values, valid } if valid.contains(r) => Some(values[r] as f64),
            ColumnData::Number { values, valid } if valid.contains(r) => Some(values[r]),
            _ => None,
        })
        .collect();
    if values.is_empty() {
        return None;
    }
    let sum: f64 = values.iter().sum();
    Some(match function {
        AggregateFunction::Sum => sum,
        AggregateFunction::Avg => sum / values.len() as f64,
        AggregateFunction::Min => values.iter().copied().fold(f64::INFINITY, f64::min),
        AggregateFunction::Max => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        AggregateFunction::CountDistinct => values.len() as f64,
    })
}

fn distinct_bits(column: &ColumnData, row: usize) -> Option<u64> {
    match column {
        ColumnData::Integer { values, valid } if valid.contains(row) => Some(values[row] as u64),
        ColumnData::Number { values, valid } if valid.contains(row) => Some(values[row].to_bits()),
        ColumnData::Text(t) if t.valid.contains(row) => Some(u64::from(t.codes[row])),
        ColumnData::Time { values, valid } if valid.contains(row) => Some(values[row] as u64),
        _ => None,
    }
}

/// A filter tested record by record: column predicates compiled once, anything else (a nested
/// relationship) from the evaluator's bitmap.
enum Test<'a> {
    Const(bool),
    All(Vec<Test<'a>>),
    Any(Vec<Test<'a>>),
    Not(Box<Test<'a>>),
    Row(RowTest<'a>),
    Set(Bitset),
}

impl Test<'_> {
    fn holds(&self, row: usize) -> bool {
        match self {
            Test::Const(b) => *b,
            Test::All(items) => items.iter().all(|t| t.holds(row)),
            Test::Any(items) => items.iter().any(|t| t.holds(row)),
            Test::Not(inner) => !inner.holds(row),
            Test::Row(test) => test(row),
            Test::Set(set) => set.contains(row),
        }
    }
}

fn compile<'a>(
    evaluator: &Evaluator<'_>,
    expr: &'a Expr,
    table: &'a crate::Table,
) -> Result<Test<'a>> {
    Ok(match expr {
        Expr::True => Test::Const(true),
        Expr::False => Test::Const(false),
        Expr::And(items) => Test::All(
            items
                .iter()
                .map(|e| compile(evaluator, e, table))
                .collect::<Result<_>>()?,
        ),
        Expr::Or(items) => Test::Any(
            items
                .iter()
                .map(|e| compile(evaluator, e, table))
                .collect::<Result<_>>()?,
        ),
        Expr::Not(inner) => Test::Not(Box::new(compile(evaluator, inner, table)?)),
        Expr::Column { column, predicate } => {
            Test::Row(predicate_test(table.column(&column.name)?, predicate)?)
        }
        Expr::RawSql(_) => return Err(Error::Unsupported("a raw SQL condition".to_string())),
        // A nested relationship (or any other set-valued condition): its bitmap.
        _ => Test::Set(evaluator.expr(expr, table)?),
    })
}
