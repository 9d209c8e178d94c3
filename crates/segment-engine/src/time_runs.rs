//! Related records taken in time order where they already are: the selected records of a
//! clustered table come bucket by bucket, each bucket sorted by time (NULL first), so they are
//! a few runs of non-decreasing time. On such runs, the most recent (or first) record of each
//! group is the first of its group met going backwards (forwards), and the records of one
//! calendar period are one stretch of every run, found by binary search: both then need only a
//! bit per group (in cache) instead of a value per group or a sort.

use std::ops::Range;

use rayon::prelude::*;
use segment_model::ir::{Extreme, TimeRange};

use crate::bitset::Bitset;
use crate::column::IntView;
use crate::dataset::{time_key, NONE};
use crate::error::Result;

/// The selected records (`rows`, with their times and groups) cut into runs of non-decreasing
/// time (NULL sorting first), when there are at most [`MAX_RUNS`].
pub(crate) struct TimeRuns<'a, V: IntView> {
    pub values: V,
    pub valid: &'a Bitset,
    pub rows: &'a [u32],
    pub to_group: &'a [u32],
    runs: Vec<Range<usize>>,
    /// Records per piece of a run decided on its own ([`ROWS_PER_PIECE`]; smaller in tests).
    rows_per_piece: usize,
}

/// More runs than this (records in no useful order): the callers sort or partition instead.
const MAX_RUNS: usize = 4_098;

/// Records per piece of a run decided on its own (see [`TimeRuns::extreme_record`]).
const ROWS_PER_PIECE: usize = 1 << 17;

impl<'a, V: IntView> TimeRuns<'a, V> {
    pub fn new(values: V, valid: &'a Bitset, rows: &'a [u32], to_group: &'a [u32]) -> Option<Self> {
        let mut runs = Vec::new();
        let (mut start, mut last) = (0, i64::MIN);
        for (i, &row) in rows.iter().enumerate() {
            let key = time_key(values, valid, row as usize);
            if key < last {
                runs.push(start..i);
                if runs.len() > MAX_RUNS {
                    return None;
                }
                start = i;
            }
            last = key;
        }
        runs.push(start..rows.len());
        Some(TimeRuns {
            values,
            valid,
            rows,
            to_group,
            runs,
            rows_per_piece: ROWS_PER_PIECE,
        })
    }

    fn key(&self, position: usize) -> i64 {
        time_key(self.values, self.valid, self.rows[position] as usize)
    }

    /// The group of the record at `position` when it takes part (a group and a time).
    fn group(&self, position: usize) -> Option<usize> {
        let row = self.rows[position] as usize;
        let g = self.to_group[row];
        (g != NONE && self.valid.contains(row)).then_some(g as usize)
    }

    /// The groups whose earliest (latest) records include one passing `test`, ties included;
    /// `None` with several runs (their order across runs is not the time order). The run is cut
    /// into pieces between ties, each piece decided on its own on all cores, then the pieces
    /// combined from the earliest (latest): a group's verdict is that of the first piece
    /// holding it.
    pub fn extreme_record(
        &self,
        which: Extreme,
        groups: usize,
        test: impl Fn(usize) -> bool + Sync,
    ) -> Option<Bitset> {
        let [run] = self.runs.as_slice() else {
            return None;
        };
        let pieces = run.len().div_ceil(self.rows_per_piece).max(1);
        let mut cuts: Vec<usize> = (0..pieces)
            .map(|i| run.start + i * run.len() / pieces)
            .collect();
        cuts.push(run.end);
        for i in 1..pieces {
            // Never between records of the same time.
            let mut at = cuts[i].max(cuts[i - 1]);
            while at > run.start && at < run.end && self.key(at) == self.key(at - 1) {
                at += 1;
            }
            cuts[i] = at;
        }
        let decided: Vec<(Bitset, Bitset)> = cuts
            .par_windows(2)
            .map(|w| self.piece_extremes(which, groups, w[0]..w[1].max(w[0]), &test))
            .collect();
        let mut seen = Bitset::empty(groups);
        let mut matched = Bitset::empty(groups);
        let ordered: Box<dyn Iterator<Item = &(Bitset, Bitset)>> = match which {
            Extreme::First => Box::new(decided.iter()),
            Extreme::Last => Box::new(decided.iter().rev()),
        };
        for (piece_seen, piece_matched) in ordered {
            let mut fresh = piece_matched.clone();
            fresh.and_not_with(&seen);
            matched.or_with(&fresh);
            seen.or_with(piece_seen);
        }
        Some(matched)
    }

    /// The groups whose earliest (latest) time is within `range` (`negated`: a group with a
    /// time whose extreme is outside it); `None` with several runs. On one run in time order a
    /// group's latest time is within the range when one of its records is and none comes after
    /// the range (its earliest: none before): a bit per group for each part of the run, each
    /// part's records on all cores, no time kept per group.
    pub fn extreme_time_within(
        &self,
        which: Extreme,
        range: &TimeRange,
        negated: bool,
        groups: usize,
    ) -> Option<Bitset> {
        let [run] = self.runs.as_slice() else {
            return None;
        };
        // Times never decrease along the run, so both tests change once along it.
        let after_start = |t: i64| match range.start {
            None => true,
            Some(b) if b.inclusive => t >= b.at,
            Some(b) => t > b.at,
        };
        let before_end = |t: i64| match range.end {
            None => true,
            Some(b) if b.inclusive => t <= b.at,
            Some(b) => t < b.at,
        };
        let lo = partition_point(run.start, run.end, |p| !after_start(self.key(p)));
        let hi = partition_point(lo, run.end, |p| before_end(self.key(p)));
        let (before, after) = (run.start..lo, hi..run.end);
        let mut matched = self.groups_at(lo..hi, groups);
        let outside = match which {
            Extreme::First => before.clone(),
            Extreme::Last => after.clone(),
        };
        matched.and_not_with(&self.groups_at(outside, groups));
        if !negated {
            return Some(matched);
        }
        // Every group with a time, but those whose extreme is within.
        let mut timed = self.groups_at(run.clone(), groups);
        timed.and_not_with(&matched);
        Some(timed)
    }

    /// The groups of the records at `positions` that take part, chunks on all cores.
    fn groups_at(&self, positions: Range<usize>, groups: usize) -> Bitset {
        if positions.len() <= self.rows_per_piece {
            let mut set = Bitset::empty(groups);
            positions
                .filter_map(|p| self.group(p))
                .for_each(|g| set.insert(g));
            return set;
        }
        positions
            .into_par_iter()
            .with_min_len(self.rows_per_piece)
            .fold(
                || Bitset::empty(groups),
                |mut set, p| {
                    if let Some(g) = self.group(p) {
                        set.insert(g);
                    }
                    set
                },
            )
            .reduce_with(|mut a, b| {
                a.or_with(&b);
                a
            })
            .unwrap_or_else(|| Bitset::empty(groups))
    }

    /// Within `piece` of a run: the groups met, and those whose earliest (latest) records in
    /// the piece include one passing `test`.
    fn piece_extremes(
        &self,
        which: Extreme,
        groups: usize,
        piece: Range<usize>,
        test: &impl Fn(usize) -> bool,
    ) -> (Bitset, Bitset) {
        let mut seen = Bitset::empty(groups);
        let mut matched = Bitset::empty(groups);
        match which {
            Extreme::First => self.walk(piece, test, &mut seen, &mut matched),
            Extreme::Last => self.walk(piece.rev(), test, &mut seen, &mut matched),
        }
        (seen, matched)
    }

    /// Visits `positions` in the order given (time order or its reverse): a record is an
    /// extreme of its group when the group was not seen before the block of equal times
    /// holding it; the groups met in a block are marked seen when the block ends. One read of
    /// each record's number, validity, time and group.
    fn walk(
        &self,
        positions: impl Iterator<Item = usize>,
        test: &impl Fn(usize) -> bool,
        seen: &mut Bitset,
        matched: &mut Bitset,
    ) {
        let mut block: Vec<usize> = Vec::new();
        let mut block_key = None;
        for p in positions {
            let row = self.rows[p] as usize;
            let valid = self.valid.contains(row);
            let key = if valid { self.values.at(row) } else { i64::MIN };
            if block_key != Some(key) {
                block.drain(..).for_each(|g| seen.insert(g));
                block_key = Some(key);
            }
            let g = self.to_group[row];
            if g == NONE || !valid || seen.contains(g as usize) {
                continue;
            }
            if test(row) {
                matched.insert(g as usize);
            }
            block.push(g as usize);
        }
        block.drain(..).for_each(|g| seen.insert(g));
    }

    /// Per group, the number of distinct periods (`period` of a time: non-decreasing) its
    /// timed records fall on; `Ok(None)` when the periods are too many for this way. Each
    /// period's records are one stretch of every run; periods are split among cores, each core
    /// counting its periods' first sightings per group in bytes (at most 255 periods a task).
    pub fn distinct_periods(
        &self,
        groups: usize,
        period: impl Fn(i64) -> Result<i64> + Sync,
    ) -> Result<Option<Vec<u64>>> {
        // Each run's timed stretch and the periods of its ends.
        let mut stretches = Vec::with_capacity(self.runs.len());
        let (mut lowest, mut highest) = (i64::MAX, i64::MIN);
        for run in &self.runs {
            let first = partition_point(run.start, run.end, |p| self.key(p) == i64::MIN);
            if first == run.end {
                continue;
            }
            let low = period(self.key(first))?;
            let high = period(self.key(run.end - 1))?;
            lowest = lowest.min(low);
            highest = highest.max(high);
            stretches.push((first..run.end, low, high));
        }
        if stretches.is_empty() {
            return Ok(Some(vec![0; groups]));
        }
        let periods = highest.abs_diff(lowest) as usize + 1;
        if periods > MAX_PERIODS {
            return Ok(None);
        }
        // Per period (from `lowest`), its stretch of each run.
        let mut cuts: Vec<Vec<Range<usize>>> = vec![Vec::new(); periods];
        for (stretch, low, high) in &stretches {
            let mut start = stretch.start;
            for p in *low..=*high {
                let end = if p == *high {
                    stretch.end
                } else {
                    let mut failed = None;
                    let end = partition_point(start, stretch.end, |q| match period(self.key(q)) {
                        Ok(x) => x <= p,
                        Err(e) => {
                            failed = Some(e);
                            false
                        }
                    });
                    if let Some(e) = failed {
                        return Err(e);
                    }
                    end
                };
                if end > start {
                    cuts[p.abs_diff(lowest) as usize].push(start..end);
                }
                start = end;
            }
        }
        let tasks = periods.div_ceil(255).max(rayon::current_num_threads() * 2);
        let per_task = periods.div_ceil(tasks).max(1);
        let parts: Vec<Vec<u8>> = cuts
            .par_chunks(per_task)
            .map(|cuts| {
                let mut counts = vec![0u8; groups];
                let mut seen = Bitset::empty(groups);
                for period in cuts {
                    for stretch in period {
                        for p in stretch.clone() {
                            if let Some(g) = self.group(p) {
                                if !seen.contains(g) {
                                    seen.insert(g);
                                    counts[g] += 1;
                                }
                            }
                        }
                    }
                    seen = Bitset::empty(groups);
                }
                counts
            })
            .collect();
        let mut totals = vec![0u64; groups];
        totals
            .par_chunks_mut(1 << 16)
            .enumerate()
            .for_each(|(chunk, totals)| {
                let first = chunk << 16;
                for part in &parts {
                    for (total, &c) in totals.iter_mut().zip(&part[first..]) {
                        *total += u64::from(c);
                    }
                }
            });
        Ok(Some(totals))
    }
}

/// The most periods [`TimeRuns::distinct_periods`] walks (at most 8 byte counters per group;
/// beyond: a bit per group and period, or a sort).
const MAX_PERIODS: usize = 8 * 255;

/// The first position in `start..end` where `before` turns false.
fn partition_point(start: usize, end: usize, mut before: impl FnMut(usize) -> bool) -> usize {
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

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % n
        }
    }

    /// Records in `buckets` runs as a clustered table holds them (by bucket, then time with
    /// NULLs first), with ties, NULL times and records without a group.
    struct Data {
        values: Vec<i64>,
        valid: Bitset,
        rows: Vec<u32>,
        to_group: Vec<u32>,
        groups: usize,
    }

    fn data(rng: &mut Lcg, n: usize, groups: usize, buckets: u64, span: i64) -> Data {
        let mut records: Vec<(u64, i64, bool, u32)> = (0..n)
            .map(|_| {
                let t = rng.below(span as u64) as i64 - span / 3;
                let g = if rng.below(20) == 0 {
                    NONE
                } else {
                    rng.below(groups as u64) as u32
                };
                (rng.below(buckets), t, rng.below(12) != 0, g)
            })
            .collect();
        records.sort_by_key(|&(b, t, valid, _)| (b, if valid { t } else { i64::MIN }));
        // The selection: most records, in table order.
        let rows = (0..n as u32).filter(|_| rng.below(8) != 0).collect();
        Data {
            values: records.iter().map(|r| r.1).collect(),
            valid: Bitset::from_fn(n, |r| records[r].2),
            to_group: records.iter().map(|r| r.3).collect(),
            rows,
            groups,
        }
    }

    impl Data {
        fn runs(&self) -> Option<TimeRuns<'_, &[i64]>> {
            TimeRuns::new(
                self.values.as_slice(),
                &self.valid,
                &self.rows,
                &self.to_group,
            )
        }

        /// Per group, its timed selected records' (time, row).
        fn by_group(&self) -> BTreeMap<u32, Vec<(i64, usize)>> {
            let mut out: BTreeMap<u32, Vec<(i64, usize)>> = BTreeMap::new();
            for &row in &self.rows {
                let r = row as usize;
                if self.to_group[r] != NONE && self.valid.contains(r) {
                    out.entry(self.to_group[r])
                        .or_default()
                        .push((self.values[r], r));
                }
            }
            out
        }
    }

    #[test]
    fn the_first_and_last_records_are_those_at_the_extreme_time_ties_included() {
        let mut rng = Lcg(3);
        for case in 0..200 {
            let (n, groups) = (rng.below(300) as usize, 1 + rng.below(30) as usize);
            let d = data(&mut rng, n, groups, 1, 40);
            let passing = Bitset::from_fn(d.values.len(), |r| (r * 7 + case) % 3 == 0);
            let mut runs = d.runs().unwrap();
            // Pieces of a few records (ties across their edges) up to one piece.
            runs.rows_per_piece = 1 + case % 40;
            for which in [Extreme::First, Extreme::Last] {
                let found = runs
                    .extreme_record(which, d.groups, |r| passing.contains(r))
                    .unwrap();
                let by_group = d.by_group();
                for g in 0..d.groups {
                    let expected = by_group.get(&(g as u32)).is_some_and(|records| {
                        let times = records.iter().map(|r| r.0);
                        let extreme = match which {
                            Extreme::First => times.min(),
                            Extreme::Last => times.max(),
                        };
                        records
                            .iter()
                            .any(|&(t, r)| Some(t) == extreme && passing.contains(r))
                    });
                    assert_eq!(
                        found.contains(g),
                        expected,
                        "case {case}, {which:?}, group {g}"
                    );
                }
            }
        }
        // Several runs: not this way.
        let d = data(&mut rng, 200, 10, 3, 40);
        assert!(d
            .runs()
            .unwrap()
            .extreme_record(Extreme::Last, 10, |_| true)
            .is_none());
    }

    /// The earliest (latest) time within a range, found by bits per part of the run, against
    /// each group's extreme: ties, NULL times, groupless records, open, inclusive and exclusive
    /// bounds, empty ranges, negated, parts split among tasks of a few records.
    #[test]
    fn extreme_times_within_a_range_are_those_of_the_definition() {
        use segment_model::ir::TimeBound;
        let mut rng = Lcg(41);
        let bound = |rng: &mut Lcg| {
            (rng.below(4) != 0).then(|| TimeBound {
                at: rng.below(50) as i64 - 20,
                inclusive: rng.below(2) == 0,
            })
        };
        let inside = |t: i64, range: &TimeRange| {
            range
                .start
                .is_none_or(|b| t > b.at || (b.inclusive && t == b.at))
                && range
                    .end
                    .is_none_or(|b| t < b.at || (b.inclusive && t == b.at))
        };
        let mut verdicts = [0; 2];
        for case in 0..300 {
            let (n, groups) = (rng.below(400) as usize, 1 + rng.below(40) as usize);
            let d = data(&mut rng, n, groups, 1, 40);
            let mut runs = d.runs().unwrap();
            runs.rows_per_piece = 1 + case % 50;
            let range = TimeRange {
                start: bound(&mut rng),
                end: bound(&mut rng),
            };
            let by_group = d.by_group();
            for which in [Extreme::First, Extreme::Last] {
                for negated in [false, true] {
                    let found = runs
                        .extreme_time_within(which, &range, negated, groups)
                        .unwrap();
                    for g in 0..groups {
                        let extreme = by_group.get(&(g as u32)).and_then(|records| {
                            let times = records.iter().map(|r| r.0);
                            match which {
                                Extreme::First => times.min(),
                                Extreme::Last => times.max(),
                            }
                        });
                        let expected = extreme.is_some_and(|t| inside(t, &range) != negated);
                        assert_eq!(found.contains(g), expected, "case {case}, group {g}");
                        verdicts[usize::from(expected)] += 1;
                    }
                }
            }
        }
        assert!(verdicts[0] > 1_000 && verdicts[1] > 1_000, "{verdicts:?}");
        let d = data(&mut rng, 200, 10, 3, 40);
        let range = TimeRange {
            start: None,
            end: None,
        };
        let runs = d.runs().unwrap();
        assert!(runs
            .extreme_time_within(Extreme::Last, &range, false, 10)
            .is_none());
    }

    #[test]
    fn distinct_periods_on_runs_count_every_period_once() {
        let mut rng = Lcg(5);
        let day = |t: i64| Ok(t.div_euclid(86_400));
        for case in 0..60 {
            // Up to 1,500 days (several tasks of at most 255 periods), and group counts
            // around the totals' chunk of 2^16.
            let span = 86_400 * (1 + rng.below(1_500) as i64);
            let groups = match case % 3 {
                0 => (1 << 16) - 1 + rng.below(3) as usize,
                _ => 1 + rng.below(50) as usize,
            };
            let (n, buckets) = (rng.below(4_000) as usize, 1 + rng.below(6));
            let d = data(&mut rng, n, groups, buckets, span);
            let counts = d
                .runs()
                .unwrap()
                .distinct_periods(groups, day)
                .unwrap()
                .unwrap();
            let mut expected = vec![0u64; groups];
            for (g, records) in d.by_group() {
                let days: BTreeSet<i64> = records.iter().map(|r| r.0.div_euclid(86_400)).collect();
                expected[g as usize] = days.len() as u64;
            }
            assert_eq!(counts, expected, "case {case}");
        }
        // One group on 600 distinct days (more than a byte's worth across tasks).
        let values: Vec<i64> = (0..600).map(|d| d * 86_400 + 5).collect();
        let valid = Bitset::full(600);
        let rows: Vec<u32> = (0..600).collect();
        let to_group = vec![0u32; 600];
        let runs = TimeRuns::new(values.as_slice(), &valid, &rows, &to_group).unwrap();
        assert_eq!(runs.distinct_periods(1, day).unwrap(), Some(vec![600]));
    }
}
