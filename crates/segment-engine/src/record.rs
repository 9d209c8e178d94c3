//! One record's side of a segment ("why is this customer (not) in it?"): the row of a key, and
//! for a relationship condition the facts that decided it for that record (how many related
//! records passed the filter and window, their aggregate, their first and last time), and the
//! record's verdict for each condition, judged on its own row and related rows with the
//! evaluator's predicate tests and constraint rules (so they are the count's).

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use rayon::prelude::*;
use segment_model::ir::{Expr, Extreme, Predicate, Related, RelatedConstraint, TimeRange};
use segment_model::schema::Storage;
use segment_model::tree::AggregateFunction;

use crate::column::{ColumnData, Ints};
use crate::dataset::{time_key, NONE};
use crate::eval::{groups_whose_aggregate_matches, predicate_rows, predicate_test, RowTest};
use crate::explain::Key;
use crate::{Bitset, Dataset, Error, Evaluator, Result, Table};

/// The row of `table` whose `key` column holds `key` (the first, should keys repeat).
pub fn row_of(data: &Dataset, table: &str, key_column: &str, key: &Key) -> Result<Option<usize>> {
    let column = data.table(table)?.column(key_column)?;
    let found = match (column, key) {
        (ColumnData::Integer { values, valid }, Key::Int(k)) => {
            (0..values.len()).find(|&r| values.get(r) == *k && valid.contains(r))
        }
        (ColumnData::Integer { values, valid }, Key::Real(k)) => (0..values.len()).find(|&r| {
            valid.contains(r) && values.get(r) as f64 == *k && (*k as i64) == values.get(r)
        }),
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

/// One record judged on its own row and its related rows alone: a condition's verdict for it
/// is the record's bit in the evaluator's bitmap (the same predicate tests and constraint
/// rules), without evaluating every other record. Its related rows are found once per
/// relationship; the constraints with longer rules (first or last record, distinct periods,
/// sequences) and relationships nested in a filter are read from the evaluator's bitmaps.
pub struct RecordJudge<'e, 'd> {
    evaluator: &'e Evaluator<'d>,
    data: &'d Dataset,
    table: &'d Table,
    row: usize,
    related_rows: RefCell<HashMap<i64, Rc<Vec<u32>>>>,
}

impl<'e, 'd> RecordJudge<'e, 'd> {
    /// The judge of the record at `row` of `table`.
    pub fn new(
        evaluator: &'e Evaluator<'d>,
        data: &'d Dataset,
        table: &str,
        row: usize,
    ) -> Result<Self> {
        Ok(RecordJudge {
            evaluator,
            data,
            table: data.table(table)?,
            row,
            related_rows: RefCell::new(HashMap::new()),
        })
    }

    /// Whether the record satisfies `expr` (a condition on its table).
    pub fn meets(&self, expr: &Expr) -> Result<bool> {
        match expr {
            Expr::True => Ok(true),
            Expr::False => Ok(false),
            // Every item is judged, so one the engine cannot judge fails as in the evaluator.
            Expr::And(items) => items
                .iter()
                .try_fold(true, |all, item| Ok(self.meets(item)? && all)),
            Expr::Or(items) => items
                .iter()
                .try_fold(false, |any, item| Ok(self.meets(item)? || any)),
            Expr::Not(inner) => Ok(!self.meets(inner)?),
            Expr::Column { column, predicate } => {
                if column.entity != self.table.name {
                    return Err(Error::Missing(format!(
                        "column {}.{} on {}",
                        column.entity, column.name, self.table.name
                    )));
                }
                Ok(predicate_test(self.table.column(&column.name)?, predicate)?(self.row))
            }
            Expr::RawSql(_) => Err(Error::Unsupported("a raw SQL condition".to_string())),
            Expr::Members(members) => {
                let keys = crate::members::key_column(self.table, members)?;
                let test = crate::members::predicate(members);
                let verdict = predicate_test(keys, &test)?(self.row);
                Ok(verdict)
            }
            Expr::Related(related) => self.meets_related(expr, related),
            Expr::Compare(comparison) => {
                Ok(crate::compare::row_test(self.table, comparison)?(self.row))
            }
        }
    }

    fn meets_related(&self, expr: &Expr, related: &Related) -> Result<bool> {
        let selected = self.selected(related)?;
        let count = selected.len() as u64;
        let to = self.data.table(&related.to_entity.name)?;
        match &related.constraint {
            RelatedConstraint::Count { min, max } => {
                Ok(count >= *min && count <= max.unwrap_or(u64::MAX))
            }
            RelatedConstraint::CountNot(n) => Ok(count != *n),
            RelatedConstraint::Aggregate {
                function,
                column,
                comparison,
            } => {
                let join = self
                    .data
                    .join(related.relationship_id, &related.relationship)?;
                let matched = groups_whose_aggregate_matches(
                    *function,
                    to.column(&column.name)?,
                    column.storage,
                    comparison,
                    &selected,
                    &join.to_group,
                    join.groups,
                )?;
                let group = join.from_group[self.row];
                Ok(group != NONE && matched.contains(group as usize))
            }
            RelatedConstraint::TimeOf {
                which,
                column,
                predicate,
            } => {
                let ColumnData::Time { values, valid } = to.column(&column.name)? else {
                    return Err(Error::Unsupported(
                        "first, last or distinct periods of a column that is not a date/time"
                            .to_string(),
                    ));
                };
                let times = selected
                    .iter()
                    .map(|&r| r as usize)
                    .filter(|&r| valid.contains(r))
                    .map(|r| values.get(r));
                let extreme = match which {
                    Extreme::First => times.min(),
                    Extreme::Last => times.max(),
                };
                // The extreme as a one-value column, tested as the evaluator tests the groups'.
                let one = ColumnData::Time {
                    values: Ints::Wide(vec![extreme.unwrap_or(0)].into()),
                    valid: Bitset::from_fn(1, |_| extreme.is_some()),
                };
                Ok(extreme.is_some() && predicate_rows(&one, predicate)?.contains(0))
            }
            RelatedConstraint::RecordOf { .. }
            | RelatedConstraint::DistinctPeriods { .. }
            | RelatedConstraint::Sequence { .. } => {
                Ok(self.evaluator.expr(expr, self.table)?.contains(self.row))
            }
        }
    }

    /// The record's related rows passing the filter and the window, in record order.
    fn selected(&self, related: &Related) -> Result<Vec<u32>> {
        let to = self.data.table(&related.to_entity.name)?;
        let filter = compile(self.evaluator, &related.filter, to)?;
        let window = match &related.window {
            Some((column, range)) => match to.column(&column.name)? {
                time @ ColumnData::Time { .. } => Some((time, *range)),
                _ => {
                    return Err(Error::Unsupported(
                        "a time window on a column that is not a date/time".to_string(),
                    ))
                }
            },
            None => None,
        };
        Ok(self
            .related_rows(related)?
            .iter()
            .copied()
            .filter(|&r| {
                let r = r as usize;
                filter.holds(r) && window.is_none_or(|(c, range)| in_window(c, &range, r))
            })
            .collect())
    }

    /// The rows related to the record through `related`'s relationship that can pass its
    /// filter and window, in record order: from the index's few buckets when it narrows them,
    /// else all of them (found once per relationship).
    fn related_rows(&self, related: &Related) -> Result<Rc<Vec<u32>>> {
        let join = self
            .data
            .join(related.relationship_id, &related.relationship)?;
        let group = join.from_group.get(self.row).copied().unwrap_or(NONE);
        if group == NONE {
            return Ok(Rc::new(Vec::new()));
        }
        let to = self.data.table(&related.to_entity.name)?;
        if let Some(ranges) = candidate_ranges(self.data, related, to)? {
            let mut rows: Vec<u32> = ranges
                .into_iter()
                .flat_map(|(start, end)| start..end)
                .filter(|&r| join.to_group[r] == group)
                .map(|r| r as u32)
                .collect();
            rows.sort_unstable();
            return Ok(Rc::new(rows));
        }
        if let Some(rows) = self.related_rows.borrow().get(&related.relationship_id) {
            return Ok(Rc::clone(rows));
        }
        let rows = Rc::new(rows_in_group(&join.to_group, group));
        self.related_rows
            .borrow_mut()
            .insert(related.relationship_id, Rc::clone(&rows));
        Ok(rows)
    }

    /// The facts of `related` for the record.
    pub fn facts(&self, related: &Related) -> Result<RelatedFacts> {
        let to = self.data.table(&related.to_entity.name)?;
        let selected: Vec<usize> = self
            .selected(related)?
            .into_iter()
            .map(|r| r as usize)
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
                .map(|&r| values.get(r))
                .collect(),
            _ => Vec::new(),
        };
        let aggregate = match &related.constraint {
            RelatedConstraint::Aggregate {
                function, column, ..
            } => aggregate(
                *function,
                to.column(&column.name)?,
                column.storage,
                &selected,
            ),
            _ => None,
        };
        Ok(RelatedFacts {
            records: selected.len() as u64,
            aggregate,
            first_time: times.iter().min().copied(),
            last_time: times.iter().max().copied(),
        })
    }
}

/// Row ranges of the related side holding every row that can pass `related`'s filter and
/// window (a superset: each row is still tested), through the clustered [`crate::dataset::SortedIndex`]:
/// the buckets of the values an equality on its column allows (else every bucket), narrowed by
/// binary search to the window when buckets are ordered by the window's column. `None` when
/// neither applies.
fn candidate_ranges(
    data: &Dataset,
    related: &Related,
    to: &Table,
) -> Result<Option<Vec<(usize, usize)>>> {
    let conjuncts: Vec<&Expr> = match &related.filter {
        Expr::And(items) => items.iter().collect(),
        other => vec![other],
    };
    let equality = conjuncts.iter().find_map(|conjunct| match conjunct {
        Expr::Column {
            column,
            predicate:
                Predicate::TextEquals {
                    value,
                    case_sensitive: true,
                    negated: false,
                },
        } => Some((column, vec![value])),
        Expr::Column {
            column,
            predicate:
                Predicate::TextIn {
                    values,
                    case_sensitive: true,
                    negated: false,
                },
        } => Some((column, values.iter().collect())),
        _ => None,
    });
    let window = related.window.as_ref();
    let indexed = equality
        .and_then(|(column, values)| Some((data.index(&to.name, &column.name)?, Some(values))));
    let by_window = || {
        let (column, _) = window?;
        data.indexes_of(&to.name)
            .into_iter()
            .find(|index| index.time_column.as_deref() == Some(column.name.as_str()))
            .map(|index| (index, None))
    };
    let Some((index, values)) = indexed.or_else(by_window) else {
        return Ok(None);
    };
    let ColumnData::Text(text) = to.column(&index.column)? else {
        return Ok(None);
    };
    if index.perm.is_some() || index.starts.len() != text.dict.len() + 2 {
        return Ok(None);
    }
    let codes: Vec<usize> = match values {
        Some(values) => (0..text.dict.len())
            .filter(|&c| values.iter().any(|v| v.as_str() == text.dict.get(c)))
            .collect(),
        None => (0..=text.dict.len()).collect(),
    };
    let time = match (window, &index.time_column) {
        (Some((column, range)), Some(ordered_by)) if &column.name == ordered_by => {
            match to.column(ordered_by)? {
                ColumnData::Time { values, valid } => Some((values, valid, range)),
                _ => None,
            }
        }
        _ => None,
    };
    let ranges = codes
        .into_iter()
        .map(|code| {
            let (start, end) = (index.starts[code] as usize, index.starts[code + 1] as usize);
            match time {
                Some((values, valid, range)) => {
                    window_positions(start, end, |p| time_key(values, valid, p), range)
                }
                None => (start, end),
            }
        })
        .collect();
    Ok(Some(ranges))
}

/// The positions of `start..end` (ordered by `key`) whose key can be inside `range`.
fn window_positions(
    start: usize,
    end: usize,
    key: impl Fn(usize) -> i64,
    range: &TimeRange,
) -> (usize, usize) {
    let first = |before: &dyn Fn(i64) -> bool| {
        let (mut lo, mut hi) = (start, end);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if before(key(mid)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    };
    let lower = match range.start {
        Some(b) if b.inclusive => first(&|k| k < b.at),
        Some(b) => first(&|k| k <= b.at),
        None => start,
    };
    let upper = match range.end {
        Some(b) if b.inclusive => first(&|k| k <= b.at),
        Some(b) => first(&|k| k < b.at),
        None => end,
    };
    (lower, upper.max(lower))
}

/// The rows of the related side in join group `group`, in record order: one pass over the
/// group ids on all cores (the related side is stored by event name and time, not by parent).
fn rows_in_group(to_group: &[u32], group: u32) -> Vec<u32> {
    const CHUNK: usize = 1 << 16;
    to_group
        .par_chunks(CHUNK)
        .enumerate()
        .flat_map_iter(|(i, chunk)| {
            let first = i * CHUNK;
            chunk
                .iter()
                .enumerate()
                .filter(move |(_, &g)| g == group)
                .map(move |(j, _)| (first + j) as u32)
        })
        .collect()
}

fn in_window(column: &ColumnData, range: &TimeRange, row: usize) -> bool {
    let ColumnData::Time { values, valid } = column else {
        return false;
    };
    if !valid.contains(row) {
        return false;
    }
    let v = values.get(row);
    let after_start = range
        .start
        .is_none_or(|b| if b.inclusive { v >= b.at } else { v > b.at });
    let before_end = range
        .end
        .is_none_or(|b| if b.inclusive { v <= b.at } else { v < b.at });
    after_start && before_end
}

/// The value of `function` over `rows`, to show; sums and averages are of decimal amounts, as
/// they are compared (`decimal`).
fn aggregate(
    function: AggregateFunction,
    column: &ColumnData,
    storage: Storage,
    rows: &[usize],
) -> Option<f64> {
    if function == AggregateFunction::CountDistinct {
        let distinct: HashSet<u64> = rows
            .iter()
            .filter_map(|&r| distinct_bits(column, r))
            .collect();
        return Some(distinct.len() as f64);
    }
    if matches!(function, AggregateFunction::Sum | AggregateFunction::Avg) {
        let sum = crate::decimal::exact_sum(column, storage, rows).ok()??;
        return Some(if function == AggregateFunction::Sum {
            sum.sum()
        } else {
            sum.average()
        });
    }
    let values = rows.iter().filter_map(|&r| match column {
        ColumnData::Integer { values, valid } if valid.contains(r) => Some(values.get(r) as f64),
        ColumnData::Number { values, valid } if valid.contains(r) => Some(values[r]),
        _ => None,
    });
    if function == AggregateFunction::Max {
        values.reduce(f64::max)
    } else {
        values.reduce(f64::min)
    }
}

fn distinct_bits(column: &ColumnData, row: usize) -> Option<u64> {
    match column {
        ColumnData::Integer { values, valid } if valid.contains(row) => {
            Some(values.get(row) as u64)
        }
        ColumnData::Number { values, valid } if valid.contains(row) => Some(values[row].to_bits()),
        ColumnData::Text(t) if t.valid.contains(row) => Some(u64::from(t.codes[row])),
        ColumnData::Time { values, valid } if valid.contains(row) => Some(values.get(row) as u64),
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
        Expr::Compare(comparison) => Test::Row(crate::compare::row_test(table, comparison)?),
        // A nested relationship (or any other set-valued condition): its bitmap.
        _ => Test::Set(evaluator.expr(expr, table)?),
    })
}
