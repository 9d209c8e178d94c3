//! Evaluates the IR to the set of matching records, with the semantics the SQL compiler gives
//! (two-valued: a NULL attribute satisfies only "is null" / "is blank"; NOT is the complement).
//! Text predicates are decided once per distinct value (dictionary entry), then mapped to rows.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Datelike, Timelike};
use rayon::prelude::*;
use segment_model::ir::{
    ArrayElement, CompareOp, DatePart, Expr, ItemTest, Number, NumberComparison, Predicate, Query,
    Related, RelatedConstraint, TimeRange,
};
use segment_model::schema::Storage;
use segment_model::tree::AggregateFunction;

use crate::bitset::{Bitset, PARALLEL_CHUNK_ROWS};
use crate::column::{ArrayColumn, ArrayItem, ColumnData, IntView, TextColumn};
use crate::dataset::{time_key, Dataset, SortedIndex, Table, NONE};
use crate::decimal;
use crate::error::{Error, Result};
use crate::num::{self, IntTest, Num};
use crate::regex_match::RegexMatcher;
use crate::text;
use crate::with_ints;

/// Evaluates queries over a loaded dataset. `cancel`, when set by another thread, stops the
/// evaluation at the next node with [`Error::Cancelled`].
///
/// An evaluator remembers the record sets of the conditions it evaluated (by their IR), so the
/// many overlapping variants behind per-node counts evaluate each condition once.
pub struct Evaluator<'d> {
    data: &'d Dataset,
    cancel: Option<&'d AtomicBool>,
    cache: RefCell<HashMap<String, Rc<Bitset>>>,
}

impl<'d> Evaluator<'d> {
    pub fn new(data: &'d Dataset) -> Self {
        Evaluator {
            data,
            cancel: None,
            cache: RefCell::new(HashMap::new()),
        }
    }

    pub fn with_cancel(data: &'d Dataset, cancel: &'d AtomicBool) -> Self {
        Evaluator {
            data,
            cancel: Some(cancel),
            cache: RefCell::new(HashMap::new()),
        }
    }

    fn cached(
        &self,
        table: &Table,
        expr: &Expr,
        compute: impl FnOnce() -> Result<Bitset>,
    ) -> Result<Rc<Bitset>> {
        let key = format!("{}\u{0}{expr:?}", table.name);
        if let Some(hit) = self.cache.borrow().get(&key) {
            return Ok(Rc::clone(hit));
        }
        let set = Rc::new(compute()?);
        self.cache.borrow_mut().insert(key, Rc::clone(&set));
        Ok(set)
    }

    /// The base entity's matching records.
    pub fn matching(&self, query: &Query) -> Result<Bitset> {
        let table = self.data.table(&query.entity.name)?;
        self.expr(&query.filter, table)
    }

    /// The records of `table` satisfying `expr`.
    pub fn expr(&self, expr: &Expr, table: &Table) -> Result<Bitset> {
        if self.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(Error::Cancelled);
        }
        Ok(match expr {
            Expr::True => Bitset::full(table.len),
            Expr::False => Bitset::empty(table.len),
            Expr::And(items) => {
                let mut acc = Bitset::full(table.len);
                for item in items {
                    acc.and_with(&self.expr(item, table)?);
                }
                acc
            }
            Expr::Or(items) => {
                let mut acc = Bitset::empty(table.len);
                for item in items {
                    acc.or_with(&self.expr(item, table)?);
                }
                acc
            }
            Expr::Not(inner) => {
                let mut set = self.expr(inner, table)?;
                set.invert();
                set
            }
            Expr::Column { column, predicate } => {
                if column.entity != table.name {
                    return Err(Error::Missing(format!(
                        "column {}.{} on {}",
                        column.entity, column.name, table.name
                    )));
                }
                let data = table.column(&column.name)?;
                (*self.cached(table, expr, || predicate_rows(data, predicate))?).clone()
            }
            Expr::RawSql(_) => return Err(Error::Unsupported("a raw SQL condition".to_string())),
            Expr::Related(related) => {
                (*self.cached(table, expr, || self.related(related, table))?).clone()
            }
            Expr::Members(members) => {
                let data = crate::members::key_column(table, members)?;
                let test = crate::members::predicate(members);
                (*self.cached(table, expr, || predicate_rows(data, &test))?).clone()
            }
            Expr::Compare(comparison) => {
                let test = crate::compare::row_test(table, comparison)?;
                (*self.cached(table, expr, || Ok(Bitset::from_fn_par(table.len, test)))?).clone()
            }
        })
    }

    /// The related records passing the relationship's filter and window, ascending within
    /// each bucket of the index used (else by record number).
    pub(crate) fn selected_rows(&self, related: &Related, to: &Table) -> Result<Vec<u32>> {
        Ok(match self.walk_index(related, to, collect_rows)? {
            Some(rows) => rows,
            None => {
                let mut dense = self.expr(&related.filter, to)?;
                if let Some((column, range)) = &related.window {
                    dense.and_with(&time_rows(to.column(&column.name)?, range)?);
                }
                dense.iter().map(|r| r as u32).collect()
            }
        })
    }

    fn related(&self, related: &Related, from: &Table) -> Result<Bitset> {
        let to = self.data.table(&related.to_entity.name)?;
        let join = self
            .data
            .join(related.relationship_id, &related.relationship)?;
        if let RelatedConstraint::Sequence {
            column,
            steps,
            within,
        } = &related.constraint
        {
            // A sequence selects each step's records itself (through the index).
            let matched = self.sequence_groups(related, column, steps, *within, to, join)?;
            return Ok(Bitset::from_fn_par(from.len, |row| {
                let g = join.from_group[row];
                g != NONE && matched.contains(g as usize)
            }));
        }
        // Distinct periods read each group's records from its run, when the join keeps them.
        if let Some(verdicts) = self.distinct_periods_on_runs(related, to, join)? {
            return Ok(Bitset::from_fn_par(from.len, |row| {
                match join.from_group[row] {
                    NONE => verdicts.without_records,
                    g => verdicts.matched.contains(g as usize),
                }
            }));
        }
        let group_of = |row: usize| join.from_group[row];
        match &related.constraint {
            RelatedConstraint::Count { min, max } => {
                let cap = (*min).max(max.unwrap_or(0));
                let counts =
                    self.counts_per_group(related, to, &join.to_group, join.groups, cap)?;
                let (min, max) = (*min, max.unwrap_or(u64::MAX));
                Ok(Bitset::from_fn_par(from.len, |row| {
                    let g = group_of(row);
                    let c = if g == NONE {
                        0
                    } else {
                        u64::from(counts[g as usize])
                    };
                    c >= min && c <= max
                }))
            }
            RelatedConstraint::CountNot(n) => {
                let counts = self.counts_per_group(related, to, &join.to_group, join.groups, *n)?;
                Ok(Bitset::from_fn_par(from.len, |row| {
                    let g = group_of(row);
                    let c = if g == NONE {
                        0
                    } else {
                        u64::from(counts[g as usize])
                    };
                    c != *n
                }))
            }
            RelatedConstraint::Aggregate {
                function,
                column,
                comparison,
            } => {
                let selected = self.selected_rows(related, to)?;
                let matched = groups_whose_aggregate_matches(
                    *function,
                    to.column(&column.name)?,
                    column.storage,
                    comparison,
                    &selected,
                    &join.to_group,
                    join.groups,
                )?;
                Ok(Bitset::from_fn_par(from.len, |row| {
                    let g = group_of(row);
                    g != NONE && matched.contains(g as usize)
                }))
            }
            RelatedConstraint::TimeOf { .. }
            | RelatedConstraint::RecordOf { .. }
            | RelatedConstraint::DistinctPeriods { .. } => {
                let selected = self.selected_rows(related, to)?;
                let verdicts = self.ordered_groups(
                    &related.constraint,
                    to,
                    &selected,
                    &join.to_group,
                    join.groups,
                )?;
                Ok(Bitset::from_fn_par(from.len, |row| match group_of(row) {
                    NONE => verdicts.without_records,
                    g => verdicts.matched.contains(g as usize),
                }))
            }
            RelatedConstraint::Sequence { .. } => Err(Error::Unsupported(
                "a sequence reached the counts (it is decided above)".to_string(),
            )),
        }
    }

    /// The related records passing the filter and window, found through a [`SortedIndex`] when
    /// the filter requires a low-cardinality text column to equal given values: only those
    /// buckets (narrowed to the window by binary search) are visited; the other conditions are
    /// tested on them alone. `None` when no index applies. `consume` gets the positions to
    /// visit and the test of the other conditions (it collects or counts them).
    fn walk_index<R>(
        &self,
        related: &Related,
        to: &Table,
        consume: impl FnOnce(&IndexWalk<'_>) -> R,
    ) -> Result<Option<R>> {
        let conjuncts: Vec<&Expr> = match &related.filter {
            Expr::And(items) => items.iter().collect(),
            Expr::True => Vec::new(),
            other => vec![other],
        };
        let mut chosen = None;
        for (i, conjunct) in conjuncts.iter().enumerate() {
            let Expr::Column { column, predicate } = conjunct else {
                continue;
            };
            let values: Vec<&String> = match predicate {
                Predicate::TextEquals {
                    value,
                    case_sensitive: true,
                    negated: false,
                } => vec![value],
                Predicate::TextIn {
                    values,
                    case_sensitive: true,
                    negated: false,
                } => values.iter().collect(),
                _ => continue,
            };
            if let Some(index) = self.data.index(&to.name, &column.name) {
                chosen = Some((i, index, values));
                break;
            }
        }
        let (chosen_at, index, values) = match chosen {
            Some((i, index, values)) => (i, index, Some(values)),
            // Without an equality on the indexed column, a window on its time column still
            // picks one time range out of every bucket (NULLs' included) instead of a scan.
            None => match self.index_ordered_by_window(related, to) {
                Some(index) => (usize::MAX, index, None),
                None => return Ok(None),
            },
        };
        let ColumnData::Text(text) = to.column(&index.column)? else {
            return Ok(None);
        };
        let mut codes: Vec<usize> = match values {
            Some(values) => text
                .dict
                .iter()
                .enumerate()
                .filter(|(_, s)| values.iter().any(|v| v.as_str() == *s))
                .map(|(c, _)| c)
                .collect(),
            None => (0..=text.dict.len()).collect(),
        };
        codes.sort_unstable();
        codes.dedup();

        // The window narrows each bucket when the index is ordered by the window's column.
        let mut window_used = false;
        let mut ranges: Vec<(usize, usize)> = Vec::with_capacity(codes.len());
        for code in codes {
            let (start, end) = (index.starts[code] as usize, index.starts[code + 1] as usize);
            match (&related.window, &index.time_column) {
                (Some((column, range)), Some(time_column)) if &column.name == time_column => {
                    let ColumnData::Time { values, valid } = to.column(time_column)? else {
                        return Ok(None);
                    };
                    let key = |position: usize| time_key(values, valid, index.row_at(position));
                    let lower = match range.start {
                        Some(b) if b.inclusive => {
                            partition_point(start, end, |p| key(p) < b.at.max(i64::MIN + 1))
                        }
                        Some(b) => partition_point(start, end, |p| key(p) <= b.at.max(i64::MIN)),
                        None => partition_point(start, end, |p| key(p) == i64::MIN),
                    };
                    let upper = match range.end {
                        Some(b) if b.inclusive => partition_point(start, end, |p| key(p) <= b.at),
                        Some(b) => partition_point(start, end, |p| key(p) < b.at),
                        None => end,
                    };
                    window_used = true;
                    ranges.push((lower.min(upper), upper));
                }
                _ => ranges.push((start, end)),
            }
        }

        let mut tests: Vec<RowTest<'_>> = Vec::new();
        // Text conditions read their verdict per dictionary code inline (no call per record).
        let mut text_tests: Vec<(&TextColumn, Vec<bool>)> = Vec::new();
        let mut dense_sets: Vec<Rc<Bitset>> = Vec::new();
        for (i, conjunct) in conjuncts.iter().enumerate() {
            if i == chosen_at {
                continue;
            }
            match conjunct {
                Expr::Column { column, predicate } => match to.column(&column.name)? {
                    ColumnData::Text(t) if is_text_predicate(predicate) => {
                        let verdicts = text_verdicts(t, predicate)?.unwrap_or_default();
                        text_tests.push((t, verdicts));
                    }
                    data => tests.push(predicate_test(data, predicate)?),
                },
                other => dense_sets.push(self.cached(to, other, || self.expr(other, to))?),
            }
        }
        if !window_used {
            if let Some((column, range)) = &related.window {
                let ColumnData::Time { values, valid } = to.column(&column.name)? else {
                    return Err(Error::Unsupported(
                        "a time window on a column that is not a date/time".to_string(),
                    ));
                };
                tests.push(with_ints!(values, |values| Box::new(move |r| {
                    valid.contains(r) && in_range(values.at(r), range)
                })));
            }
        }
        let dense_sets: Vec<&Bitset> = dense_sets.iter().map(|s| s.as_ref()).collect();
        let keep = |row: usize| {
            text_tests
                .iter()
                .all(|(t, verdicts)| t.valid.contains(row) && verdicts[t.codes[row] as usize])
                && tests.iter().all(|t| t(row))
                && dense_sets.iter().all(|s| s.contains(row))
        };
        let untested = tests.is_empty()
            && text_tests.is_empty()
            && dense_sets.is_empty()
            && index.perm.is_none();
        Ok(Some(consume(&IndexWalk {
            index,
            ranges,
            keep: &keep,
            untested,
        })))
    }
}

/// The positions of an index a related condition visits, and the test of its other conditions.
struct IndexWalk<'a> {
    index: &'a SortedIndex,
    /// Position ranges, bucket by bucket.
    ranges: Vec<(usize, usize)>,
    keep: &'a (dyn Fn(usize) -> bool + Sync),
    /// Every record of the ranges passes and positions are record numbers.
    untested: bool,
}

impl IndexWalk<'_> {
    /// The ranges cut into pieces of at most [`PARALLEL_CHUNK_ROWS`] positions, in order.
    fn chunks(&self) -> Vec<(usize, usize)> {
        self.ranges
            .iter()
            .flat_map(|&(start, end)| {
                (start..end)
                    .step_by(PARALLEL_CHUNK_ROWS)
                    .map(move |s| (s, (s + PARALLEL_CHUNK_ROWS).min(end)))
            })
            .collect()
    }

    fn positions(&self) -> usize {
        self.ranges.iter().map(|(s, e)| e - s).sum()
    }

    fn rows_passing(&self, start: usize, end: usize) -> impl Iterator<Item = usize> + '_ {
        (start..end)
            .map(|position| self.index.row_at(position))
            .filter(|&row| self.untested || (self.keep)(row))
    }
}

/// The records of a walk, in its order; long runs tested on all cores.
fn collect_rows(walk: &IndexWalk<'_>) -> Vec<u32> {
    let mut rows = Vec::with_capacity(walk.positions());
    for &(start, end) in &walk.ranges {
        if walk.untested {
            // Every record of the (clustered) run: its positions are its record numbers.
            rows.extend(start as u32..end as u32);
            continue;
        }
        if end - start <= PARALLEL_CHUNK_ROWS {
            rows.extend(walk.rows_passing(start, end).map(|row| row as u32));
            continue;
        }
        // A long run: its chunks tested on all cores, kept in order.
        let chunks: Vec<(usize, usize)> = (start..end)
            .step_by(PARALLEL_CHUNK_ROWS)
            .map(|s| (s, (s + PARALLEL_CHUNK_ROWS).min(end)))
            .collect();
        let parts: Vec<Vec<u32>> = chunks
            .into_par_iter()
            .map(|(s, e)| walk.rows_passing(s, e).map(|row| row as u32).collect())
            .collect();
        for part in parts {
            rows.extend_from_slice(&part);
        }
    }
    rows
}

/// A count per group: `u8` saturating at 255 when no threshold reaches 255 (a quarter of the
/// memory, so the scattered increments stay in cache), else `u32`.
trait Tally: Copy + Default + Send + Sync {
    fn bump(&mut self);
    fn add(self, other: Self) -> Self;
    fn widen(self) -> u32;
}

impl Tally for u8 {
    fn bump(&mut self) {
        *self = self.saturating_add(1);
    }
    fn add(self, other: Self) -> Self {
        self.saturating_add(other)
    }
    fn widen(self) -> u32 {
        u32::from(self)
    }
}

impl Tally for u32 {
    fn bump(&mut self) {
        *self += 1;
    }
    fn add(self, other: Self) -> Self {
        self + other
    }
    fn widen(self) -> u32 {
        self
    }
}

/// The records of a walk counted per group as they pass, without collecting them. Counts
/// above `cap` may read as any value above it (they saturate).
fn count_walk(walk: &IndexWalk<'_>, to_group: &[u32], groups: usize, cap: u64) -> Vec<u32> {
    if cap < u64::from(u8::MAX) {
        let counts: Vec<u8> = count_walk_in(walk, to_group, groups);
        return counts.into_iter().map(Tally::widen).collect();
    }
    count_walk_in::<u32>(walk, to_group, groups)
}

fn count_walk_in<T: Tally>(walk: &IndexWalk<'_>, to_group: &[u32], groups: usize) -> Vec<T> {
    let count = |chunks: &[(usize, usize)]| {
        let mut counts = vec![T::default(); groups];
        for &(start, end) in chunks {
            for row in walk.rows_passing(start, end) {
                let g = to_group[row];
                if g != NONE {
                    counts[g as usize].bump();
                }
            }
        }
        counts
    };
    let chunks = walk.chunks();
    let threads = rayon::current_num_threads();
    if threads < 2 || walk.positions() <= PARALLEL_CHUNK_ROWS {
        return count(&chunks);
    }
    // As `count_per_group`: one count array per core, summed.
    chunks
        .par_chunks(chunks.len().div_ceil(threads))
        .map(count)
        .reduce_with(|mut a, b| {
            a.iter_mut().zip(&b).for_each(|(x, y)| *x = x.add(*y));
            a
        })
        .unwrap_or_else(|| vec![T::default(); groups])
}

impl Evaluator<'_> {
    /// The records passing a related condition's filter and window, counted per group: while
    /// walking the index when one applies, else over the selected records. Counts above `cap`
    /// may saturate (see [`count_walk`]).
    fn counts_per_group(
        &self,
        related: &Related,
        to: &Table,
        to_group: &[u32],
        groups: usize,
        cap: u64,
    ) -> Result<Vec<u32>> {
        let counted =
            self.walk_index(related, to, |walk| count_walk(walk, to_group, groups, cap))?;
        if let Some(counts) = counted {
            return Ok(counts);
        }
        let selected = self.selected_rows(related, to)?;
        Ok(count_per_group(&selected, to_group, groups))
    }

    /// An index of `to` whose buckets are ordered by the related condition's window column.
    fn index_ordered_by_window(&self, related: &Related, to: &Table) -> Option<&SortedIndex> {
        let (column, _) = related.window.as_ref()?;
        self.data
            .indexes_of(&to.name)
            .into_iter()
            .find(|index| index.time_column.as_deref() == Some(column.name.as_str()))
    }
}

/// The first position in `start..end` where `before` turns false (`before` is true, then false).
fn partition_point(start: usize, end: usize, before: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (start, end);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if before(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

fn count_per_group(selected: &[u32], to_group: &[u32], groups: usize) -> Vec<u32> {
    let count = |selected: &[u32]| {
        let mut counts = vec![0u32; groups];
        for &row in selected {
            let g = to_group[row as usize];
            if g != NONE {
                counts[g as usize] += 1;
            }
        }
        counts
    };
    let threads = rayon::current_num_threads();
    if threads < 2 || selected.len() <= PARALLEL_CHUNK_ROWS || selected.len() < groups {
        return count(selected);
    }
    // Many records per group: one count array per core, summed (the sum costs one pass over
    // the groups, small beside the records).
    selected
        .par_chunks(selected.len().div_ceil(threads))
        .map(count)
        .reduce_with(|mut a, b| {
            a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
            a
        })
        .unwrap_or_else(|| vec![0u32; groups])
}

/// The groups whose aggregate over their selected records' non-NULL values satisfies
/// `comparison`, as SQL's `GROUP BY … HAVING` decides it: a group without any such value has no
/// aggregate and does not match. Values are sorted by group, so memory follows the selection,
/// not the number of groups. Sums and averages are of decimal amounts (`decimal`).
pub(crate) fn groups_whose_aggregate_matches(
    function: AggregateFunction,
    column: &ColumnData,
    storage: Storage,
    comparison: &NumberComparison,
    selected: &[u32],
    to_group: &[u32],
    groups: usize,
) -> Result<Bitset> {
    if matches!(function, AggregateFunction::Sum | AggregateFunction::Avg) {
        return decimal::groups_whose_decimal_aggregate_matches(
            function, column, storage, comparison, selected, to_group, groups,
        );
    }
    let valid = column.valid();
    let mut matched = Bitset::empty(groups);
    if function == AggregateFunction::CountDistinct {
        let mut pairs: Vec<(u32, u64)> = selected
            .iter()
            .filter_map(|&row| {
                let (row, g) = (row as usize, to_group[row as usize]);
                (g != NONE && valid.contains(row)).then(|| (g, distinct_key(column, row)))
            })
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        for run in pairs.chunk_by(|a, b| a.0 == b.0) {
            if num::matches(Num::Int(run.len() as i64), comparison) {
                matched.insert(run[0].0 as usize);
            }
        }
        return Ok(matched);
    }
    if let ColumnData::Integer { values, .. } = column {
        return with_ints!(values, |values| integer_extremes(
            function == AggregateFunction::Max,
            values,
            valid,
            comparison,
            selected,
            to_group,
            groups,
        ));
    }
    let ColumnData::Number { values, .. } = column else {
        return Err(Error::Unsupported(
            "an aggregate of a non-number attribute".to_string(),
        ));
    };
    let mut pairs: Vec<(u32, f64)> = selected
        .iter()
        .filter_map(|&row| {
            let (row, g) = (row as usize, to_group[row as usize]);
            (g != NONE && valid.contains(row)).then(|| (g, values[row]))
        })
        .collect();
    // Only the extremes are left (sums, averages and distinct counts are decided above).
    let max = function == AggregateFunction::Max;
    pairs.sort_unstable_by_key(|p| p.0);
    for run in pairs.chunk_by(|a, b| a.0 == b.0) {
        let values = run.iter().map(|p| p.1);
        let value = if max {
            values.fold(f64::NEG_INFINITY, f64::max)
        } else {
            values.fold(f64::INFINITY, f64::min)
        };
        if num::matches(Num::Real(value), comparison) {
            matched.insert(run[0].0 as usize);
        }
    }
    Ok(matched)
}

/// The minimum or maximum (`max`) of an integer column, exact.
fn integer_extremes(
    max: bool,
    values: impl IntView,
    valid: &Bitset,
    comparison: &NumberComparison,
    selected: &[u32],
    to_group: &[u32],
    groups: usize,
) -> Result<Bitset> {
    let mut matched = Bitset::empty(groups);
    let mut pairs: Vec<(u32, i64)> = selected
        .iter()
        .filter_map(|&row| {
            let (row, g) = (row as usize, to_group[row as usize]);
            (g != NONE && valid.contains(row)).then(|| (g, values.at(row)))
        })
        .collect();
    pairs.sort_unstable_by_key(|p| p.0);
    for run in pairs.chunk_by(|a, b| a.0 == b.0) {
        let values = run.iter().map(|p| p.1);
        let value = if max { values.max() } else { values.min() };
        if value.is_some_and(|v| num::matches(Num::Int(v), comparison)) {
            matched.insert(run[0].0 as usize);
        }
    }
    Ok(matched)
}

fn distinct_key(column: &ColumnData, row: usize) -> u64 {
    match column {
        ColumnData::Number { values, .. } => {
            let v = values[row];
            if v == 0.0 {
                0
            } else {
                v.to_bits()
            }
        }
        ColumnData::Time { values, .. } | ColumnData::Integer { values, .. } => {
            values.get(row) as u64
        }
        ColumnData::Text(t) => u64::from(t.codes[row]),
        // Arrays compare as their JSON text; distinct item runs approximate that.
        ColumnData::Array(a) => {
            let (s, e) = (a.offsets[row] as usize, a.offsets[row + 1] as usize);
            a.codes[s..e].iter().fold(0xcbf2_9ce4_8422_2325u64, |h, c| {
                (h ^ u64::from(*c)).wrapping_mul(0x100_0000_01b3)
            })
        }
    }
}

fn compare(op: CompareOp, a: f64, b: f64) -> bool {
    match op {
        CompareOp::Eq => a == b,
        CompareOp::Ne => a != b,
        CompareOp::Lt => a < b,
        CompareOp::Le => a <= b,
        CompareOp::Gt => a > b,
        CompareOp::Ge => a >= b,
    }
}

fn in_range(v: i64, range: &TimeRange) -> bool {
    let after_start = match range.start {
        None => true,
        Some(b) if b.inclusive => v >= b.at,
        Some(b) => v > b.at,
    };
    let before_end = match range.end {
        None => true,
        Some(b) if b.inclusive => v <= b.at,
        Some(b) => v < b.at,
    };
    after_start && before_end
}

fn time_rows(column: &ColumnData, range: &TimeRange) -> Result<Bitset> {
    let ColumnData::Time { values, valid } = column else {
        return Err(Error::Unsupported(
            "a time window on a column that is not a date/time".to_string(),
        ));
    };
    Ok(with_ints!(values, |values| Bitset::from_fn_par(
        values.len(),
        |r| valid.contains(r) && in_range(values.at(r), range)
    )))
}

/// A list item's test as SQLite judges it: starts/ends with (`substr`) see the item up to its
/// first NUL, equality and contains (`instr`) all of it.
fn item_passes(test: &ItemTest, item: &str) -> bool {
    match test {
        ItemTest::StartsWith(v) | ItemTest::EndsWith(v) if v.contains('\0') => false,
        ItemTest::EndsWith(v) => before_nul(item).ends_with(v.as_str()),
        ItemTest::Is(_) | ItemTest::StartsWith(_) | ItemTest::Contains(_) => test.passes(item),
    }
}

/// Text up to its first NUL. SQLite's `length()`, `substr()` (hence starts/ends with) and
/// LIKE/GLOB stop there; `=`, `IN`, `instr()`, `lower()` and `regexp()` see the whole text.
pub(crate) fn before_nul(s: &str) -> &str {
    s.split('\0').next().unwrap_or_default()
}

/// A compiled test of one record: `test(row)` says whether the record satisfies a predicate.
/// Compiled once per predicate (text predicates decide each distinct value up front), then run
/// densely over every record or sparsely over candidate records.
pub(crate) type RowTest<'a> = Box<dyn Fn(usize) -> bool + Send + Sync + 'a>;

fn array_test<'a>(
    column: &'a ArrayColumn,
    test: impl Fn(&[u32]) -> bool + Send + Sync + 'a,
) -> RowTest<'a> {
    Box::new(move |r| {
        column.valid.contains(r)
            && test(&column.codes[column.offsets[r] as usize..column.offsets[r + 1] as usize])
    })
}

/// For each array dictionary entry, the indexes of the `elements` it equals (type-sensitive, as
/// `json_each` compares: the text "1" is not the number 1).
fn element_codes(column: &ArrayColumn, elements: &[ArrayElement]) -> Vec<Vec<usize>> {
    column
        .dict
        .iter()
        .map(|item| {
            elements
                .iter()
                .enumerate()
                .filter(|(_, e)| match (e, item) {
                    (ArrayElement::Text(a), ArrayItem::Text(b)) => a == b,
                    (ArrayElement::Number(a), ArrayItem::Number(b)) => {
                        num::compare(CompareOp::Eq, Num::from(*a), Num::Real(*b))
                    }
                    (ArrayElement::Number(a), ArrayItem::Integer(b)) => {
                        num::compare(CompareOp::Eq, Num::from(*a), Num::Int(*b))
                    }
                    (
                        ArrayElement::Text(_),
                        ArrayItem::Number(_) | ArrayItem::Integer(_) | ArrayItem::Other,
                    )
                    | (ArrayElement::Number(_), ArrayItem::Text(_) | ArrayItem::Other) => false,
                })
                .map(|(i, _)| i)
                .collect()
        })
        .collect()
}

fn wrong_type(predicate: &str) -> Error {
    Error::Unsupported(format!("{predicate} on a column of another type"))
}

pub(crate) fn predicate_rows(column: &ColumnData, predicate: &Predicate) -> Result<Bitset> {
    // The commonest dense scans get a monomorphic loop (no call through a box per record);
    // everything else goes through the compiled row test.
    match (column, predicate) {
        (
            ColumnData::Time { values, valid },
            Predicate::Time {
                range,
                negated: false,
            },
        ) => {
            let (lo, hi) = inclusive_bounds(range);
            let mut set = with_ints!(values, |v| Bitset::from_fn_par(v.len(), |r| (lo..=hi)
                .contains(&v.at(r))));
            set.and_with(valid);
            Ok(set)
        }
        (
            ColumnData::Integer { values, valid },
            Predicate::Number(NumberComparison::Compare(op, n)),
        ) => {
            let test = IntTest::new(*op, *n);
            let mut set = with_ints!(values, |v| match test {
                IntTest::Always => Bitset::full(v.len()),
                IntTest::Never => Bitset::empty(v.len()),
                IntTest::Eq(n) => Bitset::from_fn_par(v.len(), |r| v.at(r) == n),
                IntTest::Ne(n) => Bitset::from_fn_par(v.len(), |r| v.at(r) != n),
                IntTest::Lt(n) => Bitset::from_fn_par(v.len(), |r| v.at(r) < n),
                IntTest::Le(n) => Bitset::from_fn_par(v.len(), |r| v.at(r) <= n),
                IntTest::Gt(n) => Bitset::from_fn_par(v.len(), |r| v.at(r) > n),
                IntTest::Ge(n) => Bitset::from_fn_par(v.len(), |r| v.at(r) >= n),
            });
            set.and_with(valid);
            Ok(set)
        }
        (
            ColumnData::Number { values, valid },
            Predicate::Number(NumberComparison::Compare(op, n)),
        ) if exact_f64(*n).is_some() => {
            let n = exact_f64(*n).unwrap_or_default();
            let mut set = match op {
                CompareOp::Eq => Bitset::from_fn_par(values.len(), |r| values[r] == n),
                CompareOp::Ne => Bitset::from_fn_par(values.len(), |r| values[r] != n),
                CompareOp::Lt => Bitset::from_fn_par(values.len(), |r| values[r] < n),
                CompareOp::Le => Bitset::from_fn_par(values.len(), |r| values[r] <= n),
                CompareOp::Gt => Bitset::from_fn_par(values.len(), |r| values[r] > n),
                CompareOp::Ge => Bitset::from_fn_par(values.len(), |r| values[r] >= n),
            };
            set.and_with(valid);
            Ok(set)
        }
        (
            ColumnData::Array(a),
            Predicate::ArrayContainsAny(elements) | Predicate::ArrayContainsNone(elements),
        ) => {
            // One flag per distinct item, the items' codes read from plain slices.
            let hit: Vec<bool> = element_codes(a, elements)
                .iter()
                .map(|matches| !matches.is_empty())
                .collect();
            let none = matches!(predicate, Predicate::ArrayContainsNone(_));
            let (offsets, codes) = (&a.offsets[..], &a.codes[..]);
            let mut set = Bitset::from_fn_par(column.len(), |r| {
                let items = &codes[offsets[r] as usize..offsets[r + 1] as usize];
                items.iter().any(|&c| hit[c as usize]) != none
            });
            set.and_with(&a.valid);
            Ok(set)
        }
        (ColumnData::Text(t), _) if is_text_predicate(predicate) => {
            let verdicts = text_verdicts(t, predicate)?.unwrap_or_default();
            let mut set = Bitset::from_fn_par(t.codes.len(), |r| verdicts[t.codes[r] as usize]);
            set.and_with(&t.valid);
            Ok(set)
        }
        _ => {
            let test = predicate_test(column, predicate)?;
            Ok(Bitset::from_fn_par(column.len(), test))
        }
    }
}

/// The predicates [`text_verdicts`] decides per dictionary entry.
fn is_text_predicate(predicate: &Predicate) -> bool {
    matches!(
        predicate,
        Predicate::TextEquals { .. }
            | Predicate::TextIn { .. }
            | Predicate::Contains { .. }
            | Predicate::StartsWith { .. }
            | Predicate::EndsWith { .. }
            | Predicate::Like { .. }
            | Predicate::Regex { .. }
            | Predicate::TextLength(..)
            | Predicate::TextOrder(..)
    )
}

/// The literal as a double when that is exact (comparing doubles then compares exactly).
fn exact_f64(n: Number) -> Option<f64> {
    match n {
        Number::Float(f) => Some(f),
        Number::Int(i) if i.unsigned_abs() <= 1 << 53 => Some(i as f64),
        Number::Int(_) => None,
    }
}

/// For the text predicates, whether each distinct value (dictionary entry) satisfies it, decided
/// over the whole dictionary at once (see [`crate::text`]); `None` for other predicates.
fn text_verdicts(t: &TextColumn, predicate: &Predicate) -> Result<Option<Vec<bool>>> {
    let d = &t.dict;
    Ok(Some(match predicate {
        Predicate::TextEquals {
            value,
            case_sensitive,
            negated,
        } => text::equals(d, value, *case_sensitive, *negated),
        Predicate::TextIn {
            values,
            case_sensitive,
            negated,
        } => text::one_of(d, values, *case_sensitive, *negated),
        Predicate::Contains {
            value,
            case_sensitive,
            negated,
        } => text::contains(d, value, *case_sensitive, *negated),
        Predicate::StartsWith {
            value,
            case_sensitive,
            negated,
        } => text::starts_with(d, value, *case_sensitive, *negated),
        Predicate::EndsWith {
            value,
            case_sensitive,
            negated,
        } => text::ends_with(d, value, *case_sensitive, *negated),
        Predicate::Like {
            pattern,
            case_sensitive,
            negated,
        } => text::like(d, pattern, *case_sensitive, *negated),
        Predicate::Regex { pattern, negated } => {
            let matcher = RegexMatcher::new(pattern)
                .map_err(|e| Error::Unsupported(format!("the regular expression: {e}")))?;
            text::regex(&t.dict, &matcher, *negated)
        }
        Predicate::TextLength(op, n) => {
            text::lengths_match(d, |chars| compare(*op, chars as f64, *n as f64))
        }
        Predicate::TextOrder(op, value) => text::order(d, *op, value),
        _ => return Ok(None),
    }))
}

/// A time range as inclusive integer bounds (instants are whole seconds).
fn inclusive_bounds(range: &TimeRange) -> (i64, i64) {
    let lo = match range.start {
        None => i64::MIN,
        Some(b) if b.inclusive => b.at,
        Some(b) => b.at.saturating_add(1),
    };
    let hi = match range.end {
        None => i64::MAX,
        Some(b) if b.inclusive => b.at,
        Some(b) => b.at.saturating_sub(1),
    };
    (lo, hi)
}

pub(crate) fn predicate_test<'a>(
    column: &'a ColumnData,
    predicate: &'a Predicate,
) -> Result<RowTest<'a>> {
    Ok(match predicate {
        Predicate::IsNull => {
            let valid = column.valid();
            Box::new(move |r| !valid.contains(r))
        }
        Predicate::IsNotNull => {
            let valid = column.valid();
            Box::new(move |r| valid.contains(r))
        }
        Predicate::IsBlank | Predicate::IsNotBlank => {
            let ColumnData::Text(t) = column else {
                return Err(wrong_type("a blank test"));
            };
            let verdicts: Vec<bool> = t.dict.iter().map(|s| !s.is_empty()).collect();
            let wanted_not_blank = matches!(predicate, Predicate::IsNotBlank);
            Box::new(move |r| {
                let not_blank = t.valid.contains(r) && verdicts[t.codes[r] as usize];
                not_blank == wanted_not_blank
            })
        }
        Predicate::TextEquals { .. }
        | Predicate::TextIn { .. }
        | Predicate::Contains { .. }
        | Predicate::StartsWith { .. }
        | Predicate::EndsWith { .. }
        | Predicate::Like { .. }
        | Predicate::Regex { .. }
        | Predicate::TextLength(..)
        | Predicate::TextOrder(..) => {
            let ColumnData::Text(t) = column else {
                return Err(wrong_type("a text comparison"));
            };
            let verdicts = text_verdicts(t, predicate)?.unwrap_or_default();
            Box::new(move |r| t.valid.contains(r) && verdicts[t.codes[r] as usize])
        }
        Predicate::Number(comparison) => match column {
            ColumnData::Integer { values, valid } => with_ints!(values, |values| Box::new(
                move |r| valid.contains(r) && num::matches(Num::Int(values.at(r)), comparison)
            )),
            ColumnData::Number { values, valid } => match comparison {
                // A literal exact as a double compares as doubles do (as the dense scan does):
                // one comparison per record, not the general test.
                NumberComparison::Compare(op, n) if exact_f64(*n).is_some() => {
                    let n = exact_f64(*n).unwrap_or_default();
                    let v = move |r: usize| valid.contains(r).then(|| values[r]);
                    match op {
                        CompareOp::Eq => Box::new(move |r| v(r).is_some_and(|x| x == n)),
                        CompareOp::Ne => Box::new(move |r| v(r).is_some_and(|x| x != n)),
                        CompareOp::Lt => Box::new(move |r| v(r).is_some_and(|x| x < n)),
                        CompareOp::Le => Box::new(move |r| v(r).is_some_and(|x| x <= n)),
                        CompareOp::Gt => Box::new(move |r| v(r).is_some_and(|x| x > n)),
                        CompareOp::Ge => Box::new(move |r| v(r).is_some_and(|x| x >= n)),
                    }
                }
                _ => Box::new(move |r| {
                    valid.contains(r) && num::matches(Num::Real(values[r]), comparison)
                }),
            },
            _ => return Err(wrong_type("a number comparison")),
        },
        Predicate::Boolean(b) => match column {
            ColumnData::Integer { values, valid } => {
                let want = i64::from(*b);
                with_ints!(values, |values| Box::new(
                    move |r| valid.contains(r) && values.at(r) == want
                ))
            }
            ColumnData::Number { values, valid } => {
                let want = if *b { 1.0 } else { 0.0 };
                Box::new(move |r| valid.contains(r) && values[r] == want)
            }
            _ => return Err(wrong_type("a true/false test")),
        },
        Predicate::Time { range, negated } => {
            let ColumnData::Time { values, valid } = column else {
                return Err(wrong_type("a date comparison"));
            };
            with_ints!(values, |values| Box::new(
                move |r| valid.contains(r) && in_range(values.at(r), range) != *negated
            ))
        }
        Predicate::DatePart {
            part,
            values: wanted,
        } => {
            let ColumnData::Time { values, valid } = column else {
                return Err(wrong_type("a date part test"));
            };
            with_ints!(values, |values| Box::new(move |r| {
                valid.contains(r)
                    && DateTime::from_timestamp(values.at(r), 0).is_some_and(|t| {
                        let v = match part {
                            DatePart::Year => i64::from(t.year()),
                            DatePart::Month => i64::from(t.month()),
                            DatePart::DayOfMonth => i64::from(t.day()),
                            DatePart::Weekday => i64::from(t.weekday().num_days_from_sunday()),
                            DatePart::Hour => i64::from(t.hour()),
                        };
                        wanted.contains(&v)
                    })
            }))
        }
        Predicate::ArrayContainsAny(elements) | Predicate::ArrayContainsNone(elements) => {
            let ColumnData::Array(a) = column else {
                return Err(wrong_type("a list test"));
            };
            let codes = element_codes(a, elements);
            let none = matches!(predicate, Predicate::ArrayContainsNone(_));
            array_test(a, move |items| {
                items.iter().any(|c| !codes[*c as usize].is_empty()) != none
            })
        }
        Predicate::ArrayContainsAll(elements) => {
            let ColumnData::Array(a) = column else {
                return Err(wrong_type("a list test"));
            };
            let codes = element_codes(a, elements);
            array_test(a, move |items| {
                (0..elements.len()).all(|i| items.iter().any(|c| codes[*c as usize].contains(&i)))
            })
        }
        Predicate::ArrayIsEmpty => {
            let ColumnData::Array(a) = column else {
                return Err(wrong_type("a list test"));
            };
            array_test(a, |items| items.is_empty())
        }
        Predicate::ArrayIsNotEmpty => {
            let ColumnData::Array(a) = column else {
                return Err(wrong_type("a list test"));
            };
            array_test(a, |items| !items.is_empty())
        }
        Predicate::ArrayItems { every, test } => {
            let ColumnData::Array(a) = column else {
                return Err(wrong_type("a list test"));
            };
            // Decided once per distinct item, then per record over its items' codes.
            let passes: Vec<bool> = a
                .dict
                .iter()
                .map(|item| match item {
                    ArrayItem::Text(text) => item_passes(test, text),
                    ArrayItem::Number(_) | ArrayItem::Integer(_) | ArrayItem::Other => false,
                })
                .collect();
            let every = *every;
            array_test(a, move |items| {
                let pass = |c: &u32| passes[*c as usize];
                if every {
                    items.iter().all(pass)
                } else {
                    items.iter().any(pass)
                }
            })
        }
        Predicate::ArraySize(op, n) => {
            let ColumnData::Array(a) = column else {
                return Err(wrong_type("a list test"));
            };
            let op = *op;
            let n = *n as f64;
            array_test(a, move |items| compare(op, items.len() as f64, n))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dense scan of "a list contains any / none of" equals the test per record: lists of
    /// 0–4 items (text, numbers, integers, other), NULL lists, sizes around a parallel chunk.
    #[test]
    fn list_scans_equal_the_test_per_record() {
        let mut state = 5u64;
        let mut next = move |n: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % n
        };
        let dict = vec![
            ArrayItem::Text("vip".to_string()),
            ArrayItem::Text("new".to_string()),
            ArrayItem::Integer(1),
            ArrayItem::Number(2.5),
            ArrayItem::Other,
            ArrayItem::Text("1".to_string()),
        ];
        for n in [
            0,
            1,
            63,
            65,
            PARALLEL_CHUNK_ROWS - 1,
            PARALLEL_CHUNK_ROWS + 65,
        ] {
            let (mut offsets, mut codes) = (vec![0u32], Vec::new());
            for _ in 0..n {
                for _ in 0..next(5) {
                    codes.push(next(dict.len() as u64) as u32);
                }
                offsets.push(codes.len() as u32);
            }
            let column = ColumnData::Array(ArrayColumn {
                offsets: offsets.into(),
                codes: codes.into(),
                dict: dict.clone(),
                valid: Bitset::from_fn(n, |r| r % 9 != 4),
            });
            let elements = vec![
                ArrayElement::Text("vip".to_string()),
                ArrayElement::Number(Number::Int(1)),
            ];
            for predicate in [
                Predicate::ArrayContainsAny(elements.clone()),
                Predicate::ArrayContainsNone(elements.clone()),
            ] {
                let test = predicate_test(&column, &predicate).unwrap();
                let expected = Bitset::from_fn(n, test);
                let found = predicate_rows(&column, &predicate).unwrap();
                assert_eq!(found, expected, "{n} lists, {predicate:?}");
                assert!(n < 100 || (found.count() > 0 && found.count() < n as u64));
            }
        }
    }
}
