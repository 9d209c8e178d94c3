//! Per join group, its related records with a time, built once with the loaded data and kept
//! with the relationship's join. A sequence or a count of distinct periods then reads each
//! group's few records from one short contiguous run instead of visiting millions of related
//! records with a random group lookup each.
//!
//! Invariants: group `g`'s records are positions `starts[g]..starts[g + 1]`, holding every
//! record of the related table whose join group is `g` and whose time is not NULL, and only
//! those; a time is `base + offset` (whole seconds, as the engine holds them). When the table
//! is clustered by an index whose buckets are in the runs' time order (`buckets`), a group's
//! records are in record order, so each bucket's are one stretch in time order (found by
//! walking the run); without, a group's records are in time order. The runs are not built when
//! the times span more than `u32::MAX` seconds (about 136 years) or the table holds more than
//! `u32::MAX` records: callers then take the related records as before.

use std::ops::Range;

use rayon::prelude::*;
use segment_model::ir::{ColumnRef, Expr, Predicate, TimeRange};

use crate::bitset::Bitset;
use crate::buf::Buf;
use crate::column::{ColumnData, IntView};
use crate::dataset::{Table, NONE};
use crate::error::{Error, Result};
use crate::eval::{predicate_test, Evaluator, RowTest};
use crate::with_ints;

/// A relationship's related records with a time, group by group.
#[derive(Debug, Clone)]
pub struct GroupRuns {
    /// The time column the runs follow.
    pub time_column: String,
    pub(crate) starts: Buf<u32>,
    pub(crate) rows: Buf<u32>,
    pub(crate) offsets: Buf<u32>,
    pub(crate) base: i64,
    pub(crate) latest: i64,
    pub(crate) buckets: Option<Buckets>,
}

/// The related table's clustered index, when its buckets are in the runs' time order: its
/// records are stored bucket by bucket of a text column's value, so a bucket is a range of
/// record numbers.
#[derive(Debug, Clone)]
pub struct Buckets {
    pub column: String,
    /// Bucket `code` is records `starts[code]..starts[code + 1]` (the last holds NULLs).
    pub starts: Buf<u32>,
}

/// Join groups per parallel task while building the runs.
const GROUPS_PER_TASK: usize = 1 << 14;

impl GroupRuns {
    /// The runs of the records with a time (`values`, `valid`) by join group; `None` when the
    /// times span more than a `u32` of seconds or there are too many records.
    pub fn build(
        time_column: &str,
        values: impl IntView,
        valid: &Bitset,
        to_group: &[u32],
        groups: usize,
        buckets: Option<Buckets>,
    ) -> Option<GroupRuns> {
        if values.len() >= u32::MAX as usize || groups >= u32::MAX as usize {
            return None;
        }
        let taking_part = |r: usize| to_group[r] != NONE && valid.contains(r);
        let mut starts = vec![0u32; groups + 1];
        let (mut base, mut latest) = (i64::MAX, i64::MIN);
        for r in (0..values.len()).filter(|&r| taking_part(r)) {
            starts[to_group[r] as usize + 1] += 1;
            base = base.min(values.at(r));
            latest = latest.max(values.at(r));
        }
        if base > latest {
            (base, latest) = (0, 0);
        }
        if latest.abs_diff(base) > u64::from(u32::MAX) {
            return None;
        }
        for g in 0..groups {
            starts[g + 1] += starts[g];
        }
        // Placed by group in record order (a counting sort).
        let mut rows = vec![0u32; starts[groups] as usize];
        let mut next = starts.clone();
        for r in (0..values.len()).filter(|&r| taking_part(r)) {
            let slot = &mut next[to_group[r] as usize];
            rows[*slot as usize] = r as u32;
            *slot += 1;
        }
        drop(next);
        if buckets.is_none() {
            sort_runs_by_time(&mut rows, &starts, values);
        }
        let offsets = rows
            .par_iter()
            .map(|&r| (values.at(r as usize) - base) as u32)
            .collect::<Vec<u32>>();
        Some(GroupRuns {
            time_column: time_column.to_string(),
            starts: starts.into(),
            rows: rows.into(),
            offsets: offsets.into(),
            base,
            latest,
            buckets,
        })
    }

    pub fn groups(&self) -> usize {
        self.starts.len() - 1
    }

    /// Group `g`'s positions.
    #[inline]
    pub fn run(&self, g: usize) -> Range<usize> {
        self.starts[g] as usize..self.starts[g + 1] as usize
    }

    #[inline]
    pub fn time(&self, position: usize) -> i64 {
        self.base + i64::from(self.offsets[position])
    }

    /// The earliest and latest time of any record in the runs.
    pub fn span(&self) -> (i64, i64) {
        (self.base, self.latest)
    }

    /// The stretches of `run` holding the records of buckets `codes` (ascending; `None`: every
    /// record), each in time order, to `each`.
    #[inline]
    pub(crate) fn stretches(
        &self,
        run: Range<usize>,
        codes: Option<&[usize]>,
        mut each: impl FnMut(Range<usize>),
    ) {
        let Some(buckets) = &self.buckets else {
            // Without buckets the run is in time order (and no filter names a bucket).
            each(run);
            return;
        };
        // The run is in record order: the records of a bucket are one stretch of it.
        let first_from = |from: usize, row: u32| from + count_below(&self.rows[from..run.end], row);
        match codes {
            Some(codes) => {
                let mut p = run.start;
                for &code in codes {
                    let start = first_from(p, buckets.starts[code]);
                    p = first_from(start, buckets.starts[code + 1]);
                    if start < p {
                        each(start..p);
                    }
                }
            }
            None => {
                let mut p = run.start;
                while p < run.end {
                    let end = buckets.end_of(self.rows[p] as usize);
                    let start = p;
                    p = u32::try_from(end).map_or(run.end, |end| first_from(start, end));
                    each(start..p);
                }
            }
        }
    }

    /// The stretch of `run` holding bucket `code`'s records (in time order), within the
    /// window's times; runs with buckets only.
    #[inline]
    pub(crate) fn bucket_stretch(
        &self,
        run: Range<usize>,
        code: usize,
        window: &Window<'_>,
    ) -> &[u32] {
        let Some(buckets) = &self.buckets else {
            return &[];
        };
        let rows = &self.rows[run.clone()];
        let start = run.start + count_below(rows, buckets.starts[code]);
        let end = start + count_below(&self.rows[start..run.end], buckets.starts[code + 1]);
        &self.offsets[self.within(start..end, window.lo, window.hi)]
    }

    /// Group `g`'s times as offsets from [`GroupRuns::base`] (in record order with buckets).
    #[inline]
    pub(crate) fn offsets(&self, g: usize) -> &[u32] {
        &self.offsets[self.run(g)]
    }

    /// The time offsets are counted from.
    pub(crate) fn base(&self) -> i64 {
        self.base
    }

    /// The part of `stretch` (in time order) within `lo..=hi`.
    #[inline]
    pub(crate) fn within(&self, stretch: Range<usize>, lo: i64, hi: i64) -> Range<usize> {
        let at_or_after = |from: usize, t: i64| match t.checked_sub(self.base) {
            None => from,
            Some(offset) if offset <= 0 => from,
            Some(offset) => match u32::try_from(offset) {
                Ok(offset) => from + count_below(&self.offsets[from..stretch.end], offset),
                Err(_) => stretch.end,
            },
        };
        let start = if lo == i64::MIN {
            stretch.start
        } else {
            at_or_after(stretch.start, lo)
        };
        let end = match hi.checked_add(1) {
            Some(after) => at_or_after(start, after),
            None => stretch.end,
        };
        start..end.max(start)
    }

    /// The record at a position.
    #[inline]
    pub fn row(&self, position: usize) -> usize {
        self.rows[position] as usize
    }

    /// Each time of `run` that `filter` and `window` keep, to `each` (in time order within
    /// each bucket's stretch, not across them).
    #[inline]
    pub(crate) fn visit(
        &self,
        run: Range<usize>,
        filter: &RecordFilter<'_>,
        window: &Window<'_>,
        mut each: impl FnMut(i64),
    ) {
        let every = filter.is_buckets_only() && window.other.is_none();
        let mut stretch = |stretch: Range<usize>, sorted: bool| {
            for p in stretch {
                let t = self.time(p);
                // A stretch in time order was cut to the window already.
                let in_window = sorted || (window.lo..=window.hi).contains(&t);
                if in_window
                    && (every
                        || filter.passes_rest(self.row(p)) && window.passes_other(self.row(p)))
                {
                    each(t);
                }
            }
        };
        match (&filter.codes, &self.buckets) {
            // Any bucket: the whole run, with the window tested per record.
            (None, Some(_)) => stretch(run, false),
            (codes, _) => self.stretches(run, codes.as_deref(), |s| {
                stretch(self.within(s, window.lo, window.hi), true)
            }),
        }
    }

    /// Appends to `out` the times of `run` that `filter` and `window` keep, in time order.
    pub(crate) fn gather(
        &self,
        run: Range<usize>,
        filter: &RecordFilter<'_>,
        window: &Window<'_>,
        out: &mut Vec<i64>,
    ) {
        let first = out.len();
        let mut stretches = 0;
        if let (None, Some(_)) = (&filter.codes, &self.buckets) {
            // Any bucket: the whole run, in record order, sorted after.
            self.visit(run, filter, window, |t| out.push(t));
            if !out[first..].is_sorted() {
                out[first..].sort_unstable();
            }
            return;
        }
        let every = filter.is_buckets_only() && window.other.is_none();
        self.stretches(run, filter.codes.as_deref(), |stretch| {
            let stretch = self.within(stretch, window.lo, window.hi);
            if every {
                let base = self.base;
                out.extend(self.offsets[stretch].iter().map(|&o| base + i64::from(o)));
            } else {
                for p in stretch {
                    let row = self.row(p);
                    if filter.passes_rest(row) && window.passes_other(row) {
                        out.push(self.time(p));
                    }
                }
            }
            stretches += 1;
        });
        if stretches > 1 && !out[first..].is_sorted() {
            out[first..].sort_unstable();
        }
    }

    pub fn heap_bytes(&self) -> usize {
        (self.starts.len() + self.rows.len() + self.offsets.len()) * 4
            + self.buckets.as_ref().map_or(0, |b| b.starts.len() * 4)
    }
}

/// The number of leading values of `sorted` below `value`: counted without branches on a short
/// slice (a group's few records, in cache after the first), by binary search on a long one.
#[inline]
pub(crate) fn count_below(sorted: &[u32], value: u32) -> usize {
    if sorted.len() <= 64 {
        sorted.iter().map(|&v| u32::from(v < value)).sum::<u32>() as usize
    } else {
        sorted.partition_point(|&v| v < value)
    }
}

/// Sorts each group's records by (time, record number), groups split among cores.
fn sort_runs_by_time(rows: &mut [u32], starts: &[u32], values: impl IntView) {
    let groups = starts.len() - 1;
    let mut tasks = Vec::with_capacity(groups.div_ceil(GROUPS_PER_TASK));
    let mut rest = rows;
    for first in (0..groups).step_by(GROUPS_PER_TASK) {
        let end = (first + GROUPS_PER_TASK).min(groups);
        let (slice, tail) = rest.split_at_mut((starts[end] - starts[first]) as usize);
        tasks.push((first..end, slice));
        rest = tail;
    }
    tasks.into_par_iter().for_each(|(groups, slice)| {
        let offset = starts[groups.start];
        for g in groups {
            let run = (starts[g] - offset) as usize..(starts[g + 1] - offset) as usize;
            slice[run].sort_unstable_by_key(|&r| (values.at(r as usize), r));
        }
    });
}

impl Buckets {
    /// Buckets, the NULLs' last included.
    pub fn count(&self) -> usize {
        self.starts.len() - 1
    }

    /// The end (a record number) of the bucket holding record `row`.
    fn end_of(&self, row: usize) -> usize {
        let after = self.starts.partition_point(|&s| s as usize <= row);
        self.starts.get(after).map_or(usize::MAX, |&s| s as usize)
    }
}

/// Which records of the runs a filter keeps: an equality on the clustered index's column as
/// buckets, anything else per record.
pub(crate) struct RecordFilter<'a> {
    /// The buckets whose records may pass, ascending; `None`: any bucket.
    codes: Option<Vec<usize>>,
    /// The same as ranges of record numbers.
    ranges: Option<Vec<Range<u32>>>,
    tests: Vec<RowTest<'a>>,
    sets: Vec<Bitset>,
}

impl RecordFilter<'_> {
    /// The tests other than the buckets'.
    #[inline]
    pub fn passes_rest(&self, row: usize) -> bool {
        self.tests.iter().all(|test| test(row)) && self.sets.iter().all(|set| set.contains(row))
    }

    /// The one bucket that decides alone, when it does.
    pub fn single_bucket(&self) -> Option<usize> {
        match self.codes.as_deref() {
            Some(&[code]) if self.is_buckets_only() => Some(code),
            _ => None,
        }
    }

    /// Whether it keeps every record.
    pub fn is_everything(&self) -> bool {
        self.codes.is_none() && self.is_buckets_only()
    }

    /// Whether the buckets decide alone.
    pub fn is_buckets_only(&self) -> bool {
        self.tests.is_empty() && self.sets.is_empty()
    }

    /// The ranges of record numbers (its buckets), when they decide alone.
    pub fn by_ranges_only(&self) -> Option<&[Range<u32>]> {
        self.ranges
            .as_deref()
            .filter(|_| self.tests.is_empty() && self.sets.is_empty())
    }
}

/// A relationship's window over the runs: bounds on their time, and a test per record when it
/// is on another column.
pub(crate) struct Window<'a> {
    /// Inclusive bounds on the runs' time (`lo > hi`: none).
    pub lo: i64,
    pub hi: i64,
    other: Option<RowTest<'a>>,
}

impl Window<'_> {
    /// Whether the window is on the runs' time alone (or absent).
    pub fn on_time_only(&self) -> bool {
        self.other.is_none()
    }

    /// The test of a window on another column.
    #[inline]
    pub fn passes_other(&self, row: usize) -> bool {
        self.other.as_ref().is_none_or(|test| test(row))
    }
}

impl Evaluator<'_> {
    /// `filter` over the records of `to` (the runs' table) as a [`RecordFilter`].
    pub(crate) fn record_filter<'t>(
        &self,
        filter: &'t Expr,
        to: &'t Table,
        runs: &GroupRuns,
    ) -> Result<RecordFilter<'t>> {
        let conjuncts: Vec<&Expr> = match filter {
            Expr::And(items) => items.iter().collect(),
            Expr::True => Vec::new(),
            other => vec![other],
        };
        let mut out = RecordFilter {
            codes: None,
            ranges: None,
            tests: Vec::new(),
            sets: Vec::new(),
        };
        for conjunct in conjuncts {
            if let (None, Some(buckets)) = (&out.codes, &runs.buckets) {
                if let Some(codes) = bucket_codes(conjunct, to, buckets)? {
                    out.ranges = Some(
                        codes
                            .iter()
                            .map(|&c| buckets.starts[c]..buckets.starts[c + 1])
                            .filter(|r| !r.is_empty())
                            .collect(),
                    );
                    out.codes = Some(codes);
                    continue;
                }
            }
            match conjunct {
                Expr::Column { column, predicate } => {
                    out.tests
                        .push(predicate_test(to.column(&column.name)?, predicate)?);
                }
                other => out.sets.push(self.expr(other, to)?),
            }
        }
        Ok(out)
    }
}

/// `window` over the records of `to` (the runs' table) as a [`Window`].
pub(crate) fn window<'t>(
    window: &'t Option<(ColumnRef, TimeRange)>,
    to: &'t Table,
    runs: &GroupRuns,
) -> Result<Window<'t>> {
    let mut out = Window {
        lo: i64::MIN,
        hi: i64::MAX,
        other: None,
    };
    if let Some((column, range)) = window {
        let (lo, hi) = inclusive(range);
        if column.name == runs.time_column {
            (out.lo, out.hi) = (lo, hi);
        } else {
            let ColumnData::Time { values, valid } = to.column(&column.name)? else {
                return Err(Error::Unsupported(
                    "a time window on a column that is not a date/time".to_string(),
                ));
            };
            let other: RowTest<'t> = with_ints!(values, |values| Box::new(move |r| {
                valid.contains(r) && (lo..=hi).contains(&values.at(r))
            }));
            out.other = Some(other);
        }
    }
    Ok(out)
}

/// The buckets (codes of the clustered index's column, ascending) a case-sensitive equality
/// (or IN) on that column keeps; `None` when `conjunct` is not such a test.
fn bucket_codes(conjunct: &Expr, to: &Table, buckets: &Buckets) -> Result<Option<Vec<usize>>> {
    let Expr::Column { column, predicate } = conjunct else {
        return Ok(None);
    };
    if column.name != buckets.column {
        return Ok(None);
    }
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
        _ => return Ok(None),
    };
    let ColumnData::Text(text) = to.column(&column.name)? else {
        return Ok(None);
    };
    if text.dict.len() + 1 != buckets.count() {
        return Ok(None);
    }
    Ok(Some(
        text.dict
            .iter()
            .enumerate()
            .filter(|(_, s)| values.iter().any(|v| v.as_str() == *s))
            .map(|(code, _)| code)
            .collect(),
    ))
}

/// A time range as inclusive bounds on whole seconds (`(1, 0)` when it holds none).
fn inclusive(range: &TimeRange) -> (i64, i64) {
    let lo = match range.start {
        None => Some(i64::MIN),
        Some(b) if b.inclusive => Some(b.at),
        Some(b) => b.at.checked_add(1),
    };
    let hi = match range.end {
        None => Some(i64::MAX),
        Some(b) if b.inclusive => Some(b.at),
        Some(b) => b.at.checked_sub(1),
    };
    match (lo, hi) {
        (Some(lo), Some(hi)) => (lo, hi),
        _ => (1, 0),
    }
}

#[cfg(test)]
impl<'a> RecordFilter<'a> {
    /// Buckets `codes` (`None`: any) and a test per record.
    pub(crate) fn for_test(
        runs: &GroupRuns,
        codes: Option<Vec<usize>>,
        test: Option<RowTest<'a>>,
    ) -> Self {
        let ranges = match (&codes, &runs.buckets) {
            (Some(codes), Some(buckets)) => Some(
                codes
                    .iter()
                    .map(|&c| buckets.starts[c]..buckets.starts[c + 1])
                    .filter(|r| !r.is_empty())
                    .collect(),
            ),
            _ => None,
        };
        RecordFilter {
            codes,
            ranges,
            tests: test.into_iter().collect(),
            sets: Vec::new(),
        }
    }
}

#[cfg(test)]
impl<'a> Window<'a> {
    /// Bounds on the runs' time and a test per record.
    pub(crate) fn for_test(lo: i64, hi: i64, other: Option<RowTest<'a>>) -> Self {
        Window { lo, hi, other }
    }
}

/// Random related records as a clustered table holds them, for the tests of the runs and of
/// what reads them.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    pub(crate) struct Lcg(pub u64);

    impl Lcg {
        pub(crate) fn below(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % n
        }
    }

    /// Records of `kinds` buckets (plus an empty NULL bucket), stored by (bucket, time with
    /// NULL first): times in `0..span` (ties), one in 10 NULL, one in 15 without a group.
    pub(crate) struct Records {
        pub values: Vec<i64>,
        pub valid: Bitset,
        pub to_group: Vec<u32>,
        pub kinds: Vec<usize>,
        pub groups: usize,
        pub starts: Vec<u32>,
    }

    pub(crate) fn records(
        rng: &mut Lcg,
        n: usize,
        groups: usize,
        kinds: usize,
        span: i64,
    ) -> Records {
        let mut records: Vec<(usize, i64, bool, u32)> = (0..n)
            .map(|_| {
                let g = if rng.below(15) == 0 {
                    NONE
                } else {
                    rng.below(groups as u64) as u32
                };
                let t = rng.below(span as u64) as i64 - span / 4;
                (rng.below(kinds as u64) as usize, t, rng.below(10) != 0, g)
            })
            .collect();
        records.sort_by_key(|&(k, t, valid, _)| (k, if valid { t } else { i64::MIN }));
        let mut starts = vec![0u32; kinds + 2];
        for r in &records {
            starts[r.0 + 1] += 1;
        }
        for k in 0..=kinds {
            starts[k + 1] += starts[k];
        }
        Records {
            values: records.iter().map(|r| r.1).collect(),
            valid: Bitset::from_fn(n, |r| records[r].2),
            to_group: records.iter().map(|r| r.3).collect(),
            kinds: records.iter().map(|r| r.0).collect(),
            groups,
            starts,
        }
    }

    impl Records {
        pub(crate) fn runs(&self, with_buckets: bool) -> GroupRuns {
            let buckets = with_buckets.then(|| Buckets {
                column: "kind".to_string(),
                starts: self.starts.clone().into(),
            });
            GroupRuns::build(
                "t",
                self.values.as_slice(),
                &self.valid,
                &self.to_group,
                self.groups,
                buckets,
            )
            .expect("a small span")
        }

        /// Group `g`'s records with a time, by record number.
        pub(crate) fn members(&self, g: usize) -> Vec<usize> {
            (0..self.values.len())
                .filter(|&r| self.to_group[r] == g as u32 && self.valid.contains(r))
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{records, Lcg};
    use super::*;

    /// Every group's run holds exactly its records with a time; with buckets in record order
    /// (so each bucket's records are in time order), without in time order; a bucket's stretch
    /// and a window's part are those records.
    #[test]
    fn a_run_holds_its_groups_timed_records_in_order() {
        let mut rng = Lcg(17);
        for case in 0..200 {
            let (n, groups) = (rng.below(400) as usize, 1 + rng.below(40) as usize);
            let kinds = 1 + rng.below(5) as usize;
            let d = records(&mut rng, n, groups, kinds, 50);
            let with_buckets = case % 2 == 0;
            let runs = d.runs(with_buckets);
            assert_eq!(runs.groups(), groups);
            let (lo, hi) = (rng.below(60) as i64 - 15, rng.below(60) as i64 - 15);
            let window = Window::for_test(lo, hi, None);
            for g in 0..groups {
                let run = runs.run(g);
                let rows: Vec<usize> = run.clone().map(|p| runs.row(p)).collect();
                let mut expected = d.members(g);
                if with_buckets {
                    assert_eq!(rows, expected, "case {case}");
                } else {
                    expected.sort_by_key(|&r| (d.values[r], r));
                    assert_eq!(rows, expected, "case {case}");
                }
                for p in run.clone() {
                    assert_eq!(runs.time(p), d.values[runs.row(p)]);
                }
                if !with_buckets {
                    continue;
                }
                for code in 0..d.starts.len() - 1 {
                    let stretch = runs.bucket_stretch(run.clone(), code, &window);
                    let times: Vec<i64> = stretch
                        .iter()
                        .map(|&o| runs.base() + i64::from(o))
                        .collect();
                    let expected: Vec<i64> = d
                        .members(g)
                        .into_iter()
                        .filter(|&r| d.kinds[r] == code && (lo..=hi).contains(&d.values[r]))
                        .map(|r| d.values[r])
                        .collect();
                    assert_eq!(times, expected, "case {case}, group {g}, bucket {code}");
                }
            }
        }
    }

    #[test]
    fn runs_are_not_built_over_more_than_a_u32_of_seconds() {
        let values = vec![0, i64::from(u32::MAX) + 1];
        let valid = Bitset::full(2);
        assert!(GroupRuns::build("t", values.as_slice(), &valid, &[0, 0], 1, None).is_none());
        // A NULL or groupless record does not count.
        let valid = Bitset::from_fn(2, |r| r == 0);
        assert!(GroupRuns::build("t", values.as_slice(), &valid, &[0, 0], 1, None).is_some());
        let valid = Bitset::full(2);
        assert!(GroupRuns::build("t", values.as_slice(), &valid, &[0, NONE], 1, None).is_some());
    }
}
