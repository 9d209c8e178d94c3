//! A sequence of related records ("viewed a product, then bought within 7 days"), exactly.
//!
//! For each step, the latest start (first step's time) of any valid chain ending at a record
//! passing it: a later start is never worse (the whole-sequence bound only gets easier), and a
//! chain's future depends only on its last record's time and its start, so one start per
//! record is exact. A record's valid predecessors are the previous step's chained records at a
//! strictly earlier time, not before `time - gap` and not before the latest excluded record
//! strictly earlier than it. By induction the starts of chained records never decrease with
//! time (the first step's start is its own time; a later record's latest earlier predecessor is
//! no earlier), so the best predecessor is simply the latest chained one strictly earlier: if it
//! breaks the gap or follows an exclusion, every earlier one does too.
//!
//! Hence one pass per step over the step's records and the previous step's chained records in
//! time order, keeping per group the latest chained predecessor and the latest exclusion. The
//! records are taken per step through the clustered index (a step "name is purchase" is one
//! time-sorted bucket), kept only for groups that have a record for the other steps, and
//! partitioned by group range so that each range's state stays in cache; ranges run on all
//! cores and each answers for its own groups, so the answer does not depend on the split.
//!
//! When the relationship keeps its [`GroupRuns`] (each group's timed records in time order),
//! the same search runs group by group over the group's one short run instead: every step,
//! exclusion and the window decided per record as it is met, the groups on all cores.

use std::ops::Range;

use rayon::prelude::*;
use segment_model::ir::{ColumnRef, Expr, Related, SequenceStep};

use crate::bitset::Bitset;
use crate::column::{ColumnData, IntView};
use crate::dataset::{Join, Table, NONE};
use crate::error::{Error, Result};
use crate::eval::Evaluator;
use crate::group_runs::{count_below, window, GroupRuns, RecordFilter, Window};
use crate::with_ints;

/// A record taking part: its time and its join group.
type Entry = (i64, u32);

/// A record chained through a step: its time, the latest start of a chain ending at it, and
/// its group.
type Chained = (i64, i64, u32);

/// Join groups per range: 2^14, so a range's state (40 bytes a group) stays within 640 KiB.
pub(crate) const GROUPS_PER_RANGE_SHIFT: u32 = 14;

impl Evaluator<'_> {
    /// The groups holding a chain of records through `steps` (see the module documentation).
    pub(crate) fn sequence_groups(
        &self,
        related: &Related,
        column: &ColumnRef,
        steps: &[SequenceStep],
        within: Option<i64>,
        to: &Table,
        join: &Join,
    ) -> Result<Bitset> {
        let ColumnData::Time { values, valid } = to.column(&column.name)? else {
            return Err(Error::Unsupported(
                "a sequence over a column that is not a date/time".to_string(),
            ));
        };
        if let Some(runs) = join.runs.as_ref() {
            if runs.time_column == column.name {
                return self.sequence_on_runs(related, steps, within, to, join, runs);
            }
        }
        // Each step's records are those of the relationship's filter and window that pass the
        // step's test: through the index when the two name its values.
        let rows_passing = |test: &Expr| {
            let step = Related {
                filter: conjoin(&related.filter, test),
                ..related.clone()
            };
            self.selected_rows(&step, to)
        };
        let mut passing = Vec::with_capacity(steps.len());
        let mut excluded = Vec::with_capacity(steps.len());
        for step in steps {
            passing.push(rows_passing(&step.test)?);
            excluded.push(step.excluding.as_ref().map(rows_passing).transpose()?);
        }
        let gaps: Vec<Option<i64>> = steps.iter().map(|s| s.gap).collect();
        let search = Search {
            gaps: &gaps,
            within,
        };
        Ok(with_ints!(values, |values| search.groups(
            &Records {
                values,
                valid,
                to_group: &join.to_group,
            },
            &passing,
            &excluded,
            join.groups,
            GROUPS_PER_RANGE_SHIFT,
        )))
    }
}

impl Evaluator<'_> {
    /// [`Evaluator::sequence_groups`] over the relationship's [`GroupRuns`].
    fn sequence_on_runs(
        &self,
        related: &Related,
        steps: &[SequenceStep],
        within: Option<i64>,
        to: &Table,
        join: &Join,
        runs: &GroupRuns,
    ) -> Result<Bitset> {
        // Each step's (and exclusion's) test joined to the relationship's filter.
        let tests: Vec<Expr> = steps
            .iter()
            .map(|s| conjoin(&related.filter, &s.test))
            .collect();
        let excluding: Vec<Option<Expr>> = steps
            .iter()
            .map(|s| s.excluding.as_ref().map(|x| conjoin(&related.filter, x)))
            .collect();
        let (mut passing, mut exclusions) = (Vec::new(), Vec::new());
        for (k, (test, excluding)) in tests.iter().zip(&excluding).enumerate() {
            passing.push(self.record_filter(test, to, runs)?);
            exclusions.push(match excluding {
                // The first step takes none (validation); one there would break nothing.
                Some(x) if k > 0 => Some(self.record_filter(x, to, runs)?),
                _ => None,
            });
        }
        let ColumnData::Time { values, .. } = to.column(&runs.time_column)? else {
            return Err(Error::Unsupported(
                "a sequence over a column that is not a date/time".to_string(),
            ));
        };
        let search = RunSearch::new(
            runs,
            passing,
            exclusions,
            steps.iter().map(|s| s.gap).collect(),
            within,
            window(&related.window, to, runs)?,
        );
        let candidates = with_ints!(values, |values| search.candidates(values, &join.to_group));
        Ok(Bitset::from_fn_par_with(
            runs.groups(),
            Buffers::default,
            |buffers, g| {
                candidates.as_ref().is_none_or(|c| c.contains(g)) && search.holds(g, buffers)
            },
        ))
    }
}

/// A sequence decided group by group on the group's run of records.
struct RunSearch<'a> {
    runs: &'a GroupRuns,
    steps: Vec<RecordFilter<'a>>,
    exclusions: Vec<Option<RecordFilter<'a>>>,
    gaps: Vec<Option<i64>>,
    within: Option<i64>,
    window: Window<'a>,
    /// The steps by their number of records (as far as buckets tell), fewest first: a group
    /// without a record for one stops early.
    order: Vec<usize>,
    /// When every step and exclusion is one bucket alone (and the window is on the runs'
    /// time): each step's and exclusion's bucket, whose records are one stretch of a run.
    single: Option<SingleBuckets>,
}

/// Each step's bucket and each exclusion's (if any), when one bucket decides each alone.
type SingleBuckets = (Vec<usize>, Vec<Option<usize>>);

/// Per task, the times of one group's records per step and exclusion and its chained records
/// (time, start), reused from group to group.
#[derive(Default)]
struct Buffers {
    chained_offsets: Vec<(u32, u32)>,
    next_offsets: Vec<(u32, u32)>,
    steps: Vec<Vec<i64>>,
    exclusions: Vec<Vec<i64>>,
    chained: Vec<Link>,
    next: Vec<Link>,
}

/// A record chained through a step: its time and the latest start of a chain ending at it.
type Link = (i64, i64);

impl<'a> RunSearch<'a> {
    fn new(
        runs: &'a GroupRuns,
        steps: Vec<RecordFilter<'a>>,
        exclusions: Vec<Option<RecordFilter<'a>>>,
        gaps: Vec<Option<i64>>,
        within: Option<i64>,
        window: Window<'a>,
    ) -> Self {
        let size = |k: &usize| {
            steps[*k]
                .by_ranges_only()
                .map_or(usize::MAX, |ranges| ranges.iter().map(|r| r.len()).sum())
        };
        let mut order: Vec<usize> = (0..steps.len()).collect();
        order.sort_by_key(size);
        let single_steps: Option<Vec<usize>> =
            steps.iter().map(RecordFilter::single_bucket).collect();
        let single_exclusions: Option<Vec<Option<usize>>> = exclusions
            .iter()
            .map(|x| match x {
                None => Some(None),
                Some(x) => x.single_bucket().map(Some),
            })
            .collect();
        let single = match (single_steps, single_exclusions) {
            (Some(steps), Some(exclusions))
                if window.on_time_only() && steps.len() <= MAX_STRETCH_STEPS =>
            {
                Some((steps, exclusions))
            }
            _ => None,
        };
        RunSearch {
            single,
            runs,
            steps,
            exclusions,
            gaps,
            within,
            window,
            order,
        }
    }

    /// The groups with a record for every step decided by buckets alone but the most
    /// numerous one (a superset of the groups holding a chain); `None`: every group.
    fn candidates(&self, values: impl IntView, to_group: &[u32]) -> Option<Bitset> {
        let bucketed: Vec<&[Range<u32>]> = self
            .steps
            .iter()
            .filter_map(RecordFilter::by_ranges_only)
            .collect();
        let size = |ranges: &[Range<u32>]| -> usize { ranges.iter().map(|r| r.len()).sum() };
        let largest = (0..bucketed.len()).max_by_key(|&k| size(bucketed[k]))?;
        let groups = self.runs.groups();
        let (lo, hi) = (self.window.lo, self.window.hi);
        let mut candidates: Option<Bitset> = None;
        for (k, ranges) in bucketed.iter().enumerate() {
            if k == largest {
                continue;
            }
            // Every record of the ranges within the window's times, chunks on all cores (a
            // NULL time is at worst one more candidate).
            let chunks: Vec<Range<u32>> = ranges
                .iter()
                .flat_map(|r| {
                    (r.start..r.end)
                        .step_by(CANDIDATE_ROWS_PER_TASK)
                        .map(|s| s..s.saturating_add(CANDIDATE_ROWS_PER_TASK as u32).min(r.end))
                })
                .collect();
            let present = chunks
                .into_par_iter()
                .map(|chunk| {
                    let mut present = Bitset::empty(groups);
                    for row in chunk {
                        let (g, t) = (to_group[row as usize], values.at(row as usize));
                        if g != NONE && t >= lo && t <= hi {
                            present.insert(g as usize);
                        }
                    }
                    present
                })
                .reduce_with(|mut a, b| {
                    a.or_with(&b);
                    a
                })
                .unwrap_or_else(|| Bitset::empty(groups));
            match &mut candidates {
                Some(c) => c.and_with(&present),
                None => candidates = Some(present),
            }
        }
        candidates
    }

    /// Whether group `g` holds a chain: its records per step and exclusion gathered in time
    /// order, then each step chained to the previous one's chained records as in
    /// [`Pass::run`], with one predecessor and one exclusion time for the group.
    fn holds(&self, g: usize, buffers: &mut Buffers) -> bool {
        if let Some((steps, exclusions)) = &self.single {
            let links = (&mut buffers.chained_offsets, &mut buffers.next_offsets);
            return self.holds_in_stretches(g, steps, exclusions, links);
        }
        let Buffers {
            steps,
            exclusions,
            chained,
            next,
            ..
        } = buffers;
        let (run, n) = (self.runs.run(g), self.steps.len());
        steps.resize_with(n, Vec::new);
        exclusions.resize_with(n, Vec::new);
        for &k in &self.order {
            steps[k].clear();
            self.runs
                .gather(run.clone(), &self.steps[k], &self.window, &mut steps[k]);
            if steps[k].is_empty() {
                return false;
            }
        }
        if n == 1 {
            // A single step (validation asks for two): any timed record.
            return true;
        }
        for (times, exclusion) in exclusions.iter_mut().zip(&self.exclusions) {
            times.clear();
            if let Some(exclusion) = exclusion {
                self.runs
                    .gather(run.clone(), exclusion, &self.window, times);
            }
        }
        chained.clear();
        chained.extend(steps[0].iter().map(|&t| (t, t)));
        for k in 1..n {
            next.clear();
            if self.chain(k, chained, &steps[k], &exclusions[k], next) {
                return true;
            }
            if next.is_empty() {
                return false;
            }
            std::mem::swap(chained, next);
        }
        false
    }

    /// [`RunSearch::holds`] when every step and exclusion is one bucket: their records are one
    /// stretch of the run each (times as offsets in time order), read in place; a record's
    /// latest predecessor and exclusion strictly earlier are counted, not walked to.
    fn holds_in_stretches(
        &self,
        g: usize,
        steps: &[usize],
        exclusions: &[Option<usize>],
        (chained, next): (&mut Vec<(u32, u32)>, &mut Vec<(u32, u32)>),
    ) -> bool {
        let runs = self.runs;
        let run = runs.run(g);
        let mut stretches: [&[u32]; MAX_STRETCH_STEPS] = [&[]; MAX_STRETCH_STEPS];
        for &k in &self.order {
            stretches[k] = runs.bucket_stretch(run.clone(), steps[k], &self.window);
            if stretches[k].is_empty() {
                return false;
            }
        }
        let n = steps.len();
        if n == 1 {
            return true;
        }
        // A chain needs, for each later step, a record within the gap after one of the step
        // before: checked first on the smaller steps, which often fails before the first
        // step's (usually the most numerous) records are read.
        for k in (2..n).rev() {
            let (previous, step) = (stretches[k - 1], stretches[k]);
            let followed = step.iter().any(|&t| {
                let before = count_below(previous, t);
                before > 0
                    && self.gaps[k].is_none_or(|gap| i64::from(t - previous[before - 1]) <= gap)
            });
            if !followed {
                return false;
            }
        }
        // Step 0's records start their own chains; later steps chain to the previous ones.
        for k in 1..n {
            let excluded = exclusions[k].map_or(&[][..], |code| {
                runs.bucket_stretch(run.clone(), code, &self.window)
            });
            let last = k + 1 == n;
            next.clear();
            for &t in stretches[k] {
                let (pt, start) = if k == 1 {
                    let before = count_below(stretches[0], t);
                    let Some(&pt) = before.checked_sub(1).map(|i| &stretches[0][i]) else {
                        continue;
                    };
                    (pt, pt)
                } else {
                    let before = chained.iter().take_while(|c| c.0 < t).count();
                    let Some(&c) = before.checked_sub(1).and_then(|i| chained.get(i)) else {
                        continue;
                    };
                    c
                };
                let within_gap = self.gaps[k].is_none_or(|gap| i64::from(t - pt) <= gap);
                let after_exclusions = {
                    let x = count_below(excluded, t);
                    x == 0 || excluded[x - 1] <= pt
                };
                let within_bound = self.within.is_none_or(|w| i64::from(t - start) <= w);
                if within_gap && after_exclusions && within_bound {
                    if last {
                        return true;
                    }
                    next.push((t, start));
                }
            }
            if next.is_empty() {
                return false;
            }
            std::mem::swap(chained, next);
        }
        false
    }

    /// Chains step `k`'s times to `previous` (the chained records of step `k - 1`): per time,
    /// the latest previous one strictly earlier, if within the gap, not before an exclusion
    /// strictly earlier and within the whole bound. Whether the last step is reached.
    fn chain(
        &self,
        k: usize,
        previous: &[Link],
        step: &[i64],
        exclusions: &[i64],
        next: &mut Vec<Link>,
    ) -> bool {
        let last = k + 1 == self.steps.len();
        let (mut i, mut x) = (0, 0);
        let (mut latest, mut excluded) = (None, None);
        for &t in step {
            while let Some(&c) = previous.get(i).filter(|c| c.0 < t) {
                latest = Some(c);
                i += 1;
            }
            while let Some(&xt) = exclusions.get(x).filter(|&&xt| xt < t) {
                excluded = Some(xt);
                x += 1;
            }
            let Some((pt, start)) = latest else {
                continue;
            };
            let within_gap = self.gaps[k].is_none_or(|gap| pt >= t.saturating_sub(gap));
            let after_exclusions = excluded.is_none_or(|xt| pt >= xt);
            // A chain already longer than the whole bound only gets longer.
            let within_bound = self.within.is_none_or(|w| t.saturating_sub(start) <= w);
            if within_gap && after_exclusions && within_bound {
                if last {
                    return true;
                }
                next.push((t, start));
            }
        }
        false
    }
}

/// The most steps [`RunSearch::holds_in_stretches`] follows (validation allows 5).
const MAX_STRETCH_STEPS: usize = 8;

/// Records per parallel task when finding the candidate groups.
const CANDIDATE_ROWS_PER_TASK: usize = 1 << 18;

/// `a AND b`, flattened (so the index sees every conjunct) and without `True`.
fn conjoin(a: &Expr, b: &Expr) -> Expr {
    let mut items = Vec::new();
    for expr in [a, b] {
        match expr {
            Expr::True => {}
            Expr::And(inner) => items.extend(inner.iter().cloned()),
            other => items.push(other.clone()),
        }
    }
    match items.len() {
        0 => Expr::True,
        1 => items.remove(0),
        _ => Expr::And(items),
    }
}

/// The related table's time column and join groups.
struct Records<'a, V: IntView> {
    values: V,
    valid: &'a Bitset,
    to_group: &'a [u32],
}

impl<V: IntView> Records<'_, V> {
    /// The groups of `rows` that take part (a group and a time).
    fn groups_of(&self, rows: &[u32], groups: usize) -> Bitset {
        rows.par_chunks(rows_per_task(rows.len()))
            .map(|rows| {
                let mut present = Bitset::empty(groups);
                for &row in rows {
                    let (r, g) = (row as usize, self.to_group[row as usize]);
                    if g != NONE && self.valid.contains(r) {
                        present.insert(g as usize);
                    }
                }
                present
            })
            .reduce_with(|mut a, b| {
                a.or_with(&b);
                a
            })
            .unwrap_or_else(|| Bitset::empty(groups))
    }

    /// The entries of `rows` whose group is a candidate, by group range (`ranges` of 2^shift
    /// groups), each range's in the order of `rows`; chunks of `rows` on all cores, each
    /// counted first and then written in place. Both loops are free of branches on the
    /// candidates (a random bit each): a record not taken part writes to a spare last slot.
    fn by_range(&self, rows: &[u32], candidates: &Bitset, shift: u32, ranges: usize) -> Ranges {
        let taking_part = |row: u32| {
            let (r, g) = (row as usize, self.to_group[row as usize]);
            let keep = g != NONE && self.valid.contains(r) && candidates.contains(g as usize);
            (keep, if keep { (g >> shift) as usize } else { 0 }, g)
        };
        rows.par_chunks(rows_per_task(rows.len()))
            .map(|rows| {
                let mut starts = vec![0usize; ranges + 1];
                for &row in rows {
                    let (keep, range, _) = taking_part(row);
                    starts[range + 1] += usize::from(keep);
                }
                for range in 0..ranges {
                    starts[range + 1] += starts[range];
                }
                let spare = starts[ranges];
                let mut entries = vec![(0i64, 0u32); spare + 1];
                let mut next = starts.clone();
                for &row in rows {
                    let (keep, range, g) = taking_part(row);
                    let slot = if keep { next[range] } else { spare };
                    entries[slot] = (self.values.at(row as usize), g);
                    next[range] += usize::from(keep);
                }
                entries.truncate(spare);
                ByRange { entries, starts }
            })
            .collect()
    }
}

/// Entries placed by group range: range `r`'s are `entries[starts[r]..starts[r + 1]]`.
struct ByRange {
    entries: Vec<Entry>,
    starts: Vec<usize>,
}

impl ByRange {
    fn range(&self, range: usize) -> &[Entry] {
        &self.entries[self.starts[range]..self.starts[range + 1]]
    }
}

/// A list's entries per chunk of its records.
type Ranges = Vec<ByRange>;

/// Records per parallel task when reading a step's records: a few tasks per core.
fn rows_per_task(rows: usize) -> usize {
    rows.div_ceil(rayon::current_num_threads() * 2).max(1 << 14)
}

/// The steps' gaps (the first's is ignored) and the whole sequence's bound.
struct Search<'a> {
    gaps: &'a [Option<i64>],
    within: Option<i64>,
}

impl Search<'_> {
    /// The groups holding a chain, given each step's records and exclusions.
    fn groups(
        &self,
        records: &Records<'_, impl IntView>,
        passing: &[Vec<u32>],
        excluded: &[Option<Vec<u32>>],
        groups: usize,
        shift: u32,
    ) -> Bitset {
        let mut matched = Bitset::empty(groups);
        if groups == 0 || passing.is_empty() {
            return matched;
        }
        // Candidates: groups with a record for every step but the most numerous one (whose
        // pass would cost as much as the partitioning that filters it anyway).
        let largest = (0..passing.len())
            .max_by_key(|&k| passing[k].len())
            .unwrap_or(0);
        let mut candidates = Bitset::full(groups);
        for (k, rows) in passing.iter().enumerate() {
            if k != largest {
                candidates.and_with(&records.groups_of(rows, groups));
            }
        }
        let ranges = groups.div_ceil(1 << shift);
        let steps: Vec<Ranges> = passing
            .iter()
            .map(|rows| records.by_range(rows, &candidates, shift, ranges))
            .collect();
        let exclusions: Vec<Option<Ranges>> = excluded
            .iter()
            .map(|rows| {
                rows.as_ref()
                    .map(|rows| records.by_range(rows, &candidates, shift, ranges))
            })
            .collect();
        let found: Vec<Vec<u32>> = (0..ranges)
            .into_par_iter()
            .map(|range| {
                let gather = |chunks: &Ranges| -> Vec<Entry> {
                    let mut entries: Vec<Entry> =
                        Vec::with_capacity(chunks.iter().map(|c| c.range(range).len()).sum());
                    for chunk in chunks {
                        entries.extend_from_slice(chunk.range(range));
                    }
                    if !entries.is_sorted_by_key(|e| e.0) {
                        entries.sort_unstable_by_key(|e| e.0);
                    }
                    entries
                };
                let steps: Vec<Vec<Entry>> = steps.iter().map(gather).collect();
                let exclusions: Vec<Option<Vec<Entry>>> =
                    exclusions.iter().map(|e| e.as_ref().map(gather)).collect();
                let first = range << shift;
                let len = (groups - first).min(1 << shift);
                self.in_range(first, len, &steps, &exclusions)
            })
            .collect();
        for g in found.into_iter().flatten() {
            matched.insert(g as usize);
        }
        matched
    }

    /// The groups `first..first + len` holding a chain, from their entries (time-sorted).
    fn in_range(
        &self,
        first: usize,
        len: usize,
        steps: &[Vec<Entry>],
        exclusions: &[Option<Vec<Entry>>],
    ) -> Vec<u32> {
        let mut matched = Vec::new();
        let Some((head, rest)) = steps.split_first() else {
            return matched;
        };
        let mut state = State {
            first,
            latest: vec![None; len],
            excluded: vec![None; len],
        };
        let (mut chained, mut next) = (Vec::new(), Vec::new());
        for (k, step) in rest.iter().enumerate() {
            let pass = Pass {
                step,
                exclusions: exclusions.get(k + 1).and_then(Option::as_deref),
                gap: self.gaps.get(k + 1).copied().flatten(),
                within: self.within,
            };
            let out = if k + 1 == rest.len() {
                Out::Matched(&mut matched)
            } else {
                Out::Chained(&mut next)
            };
            if k == 0 {
                // The first step's records start their own chains.
                pass.run(head.iter().map(|&(t, g)| (t, t, g)), &mut state, out);
            } else {
                pass.run(chained.iter().copied(), &mut state, out);
            }
            std::mem::swap(&mut chained, &mut next);
            next.clear();
            if k + 1 < rest.len() && chained.is_empty() {
                break;
            }
        }
        if rest.is_empty() {
            // A single step (validation asks for two): any timed record.
            matched.extend(head.iter().map(|e| e.1));
        }
        matched.sort_unstable();
        matched.dedup();
        matched
    }
}

/// One step after the first, over one range of groups.
struct Pass<'a> {
    /// The step's entries, time-sorted.
    step: &'a [Entry],
    exclusions: Option<&'a [Entry]>,
    gap: Option<i64>,
    within: Option<i64>,
}

/// Where a pass puts the records it chains: the next pass's input, or (the last step) the
/// groups holding a whole chain.
enum Out<'a> {
    Chained(&'a mut Vec<Chained>),
    Matched(&'a mut Vec<u32>),
}

impl Pass<'_> {
    /// Chains the step's records to `previous` (the previous step's chained records,
    /// time-sorted): per record, the latest previous one strictly earlier, if within the gap,
    /// not before an exclusion and within the whole bound.
    fn run(&self, previous: impl Iterator<Item = Chained>, state: &mut State, mut out: Out<'_>) {
        state.latest.fill(None);
        state.excluded.fill(None);
        let first = state.first;
        let mut previous = previous.peekable();
        let mut x = 0;
        for &(t, g) in self.step {
            // What happened strictly before `t`: predecessors and exclusions.
            while let Some((pt, start, pg)) = previous.next_if(|c| c.0 < t) {
                state.latest[pg as usize - first] = Some((pt, start));
            }
            if let Some(exclusions) = self.exclusions {
                while let Some(&(xt, xg)) = exclusions.get(x).filter(|e| e.0 < t) {
                    state.excluded[xg as usize - first] = Some(xt);
                    x += 1;
                }
            }
            let local = g as usize - first;
            let Some((pt, start)) = state.latest[local] else {
                continue;
            };
            let within_gap = self.gap.is_none_or(|gap| pt >= t.saturating_sub(gap));
            let after_exclusions = state.excluded[local].is_none_or(|xt| pt >= xt);
            // A chain already longer than the whole bound only gets longer.
            let within_bound = self.within.is_none_or(|w| t.saturating_sub(start) <= w);
            if within_gap && after_exclusions && within_bound {
                match &mut out {
                    Out::Chained(next) => next.push((t, start, g)),
                    Out::Matched(matched) => matched.push(g),
                }
            }
        }
    }
}

/// Per group of a range (from `first`): the latest chained predecessor (time, start) and the
/// latest exclusion.
struct State {
    first: usize,
    latest: Vec<Option<(i64, i64)>>,
    excluded: Vec<Option<i64>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether records given as (time, kinds passing each step, excluded) hold a chain through
    /// two steps, the second `gap` after the first, all within `within`.
    fn holds(records: &[(i64, [bool; 2], bool)], gap: Option<i64>, within: Option<i64>) -> bool {
        let n = records.len();
        let values: Vec<i64> = records.iter().map(|r| r.0).collect();
        let valid = Bitset::full(n);
        let to_group = vec![0u32; n];
        let rows = |k: usize| -> Vec<u32> {
            (0..n as u32)
                .filter(|&r| records[r as usize].1[k])
                .collect()
        };
        let excluded: Vec<u32> = (0..n as u32).filter(|&r| records[r as usize].2).collect();
        let search = Search {
            gaps: &[None, gap],
            within,
        };
        let records = Records {
            values: values.as_slice(),
            valid: &valid,
            to_group: &to_group,
        };
        search
            .groups(&records, &[rows(0), rows(1)], &[None, Some(excluded)], 1, 3)
            .contains(0)
    }

    #[test]
    fn a_later_first_step_can_be_the_one_within_the_gap() {
        // A at 0 and 10, B at 15: greedy earliest (A at 0) misses "B within 7 of A".
        let records = [
            (0, [true, false], false),
            (10, [true, false], false),
            (15, [false, true], false),
        ];
        assert!(holds(&records, Some(7), None));
        assert!(!holds(&records, Some(4), None));
    }

    #[test]
    fn ties_never_follow_each_other_and_exclusions_are_strictly_between() {
        // A and B at the same time: no sequence.
        assert!(!holds(
            &[(5, [true, false], false), (5, [false, true], false)],
            None,
            None
        ));
        // One record passing both steps cannot serve twice.
        assert!(!holds(&[(5, [true, true], false)], None, None));
        // An excluded record between A and B breaks the chain; one at A's time does not.
        let between = [
            (0, [true, false], false),
            (3, [false, false], true),
            (6, [false, true], false),
        ];
        assert!(!holds(&between, None, None));
        let at_start = [
            (0, [true, false], false),
            (0, [false, false], true),
            (6, [false, true], false),
        ];
        assert!(holds(&at_start, None, None));
        // A later A after the excluded record restores it.
        let again = [
            (0, [true, false], false),
            (3, [false, false], true),
            (4, [true, false], false),
            (6, [false, true], false),
        ];
        assert!(holds(&again, None, None));
    }

    #[test]
    fn the_whole_span_counts_from_the_latest_possible_start() {
        let records = [
            (0, [true, false], false),
            (8, [true, false], false),
            (10, [false, true], false),
        ];
        assert!(holds(&records, None, Some(2)));
        assert!(!holds(&records, None, Some(1)));
    }

    /// A tiny deterministic generator (no dependency for a unit test).
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

    /// Every chain tried (the definition itself), for one group's records.
    #[allow(clippy::too_many_arguments)]
    fn brute_force(
        times: &[i64],
        passing: &[Vec<bool>],
        excluded: &[Option<Vec<bool>>],
        gaps: &[Option<i64>],
        within: Option<i64>,
        members: &[usize],
        step: usize,
        previous: Option<usize>,
        start: i64,
    ) -> bool {
        if step == passing.len() {
            return true;
        }
        members.iter().any(|&r| {
            if !passing[step][r] {
                return false;
            }
            let t = times[r];
            let fits = match previous {
                None => true,
                Some(p) => {
                    let pt = times[p];
                    pt < t
                        && gaps[step].is_none_or(|g| t - pt <= g)
                        && excluded[step].as_ref().is_none_or(|x| {
                            !members
                                .iter()
                                .any(|&o| x[o] && pt < times[o] && times[o] < t)
                        })
                }
            };
            let start = if previous.is_none() { t } else { start };
            fits && (step + 1 < passing.len() || within.is_none_or(|w| t - start <= w))
                && brute_force(
                    times,
                    passing,
                    excluded,
                    gaps,
                    within,
                    members,
                    step + 1,
                    Some(r),
                    start,
                )
        })
    }

    /// The search on [`GroupRuns`] against the definition: random clustered records (ties,
    /// NULL times, records without a group), steps of one bucket, two buckets or any record
    /// (with buckets) or tested per record (without), exclusions, gaps, bounds and windows
    /// (on the runs' time, and sometimes on a test per record as a window on another column).
    #[test]
    fn the_search_on_runs_equals_every_chain_tried() {
        use crate::group_runs::testing::{records, Lcg as Rng};
        let mut rng = Rng(23);
        let mut verdicts = [0; 2];
        for case in 0..500 {
            let (n, groups) = (rng.below(150) as usize, 1 + rng.below(30) as usize);
            let d = records(&mut rng, n, groups, 4, 30);
            let with_buckets = case % 3 != 0;
            let runs = d.runs(with_buckets);
            let steps = 2 + rng.below(4) as usize;
            // Per step: a kind, two kinds, or any record (4).
            let pick = |rng: &mut Rng| -> Vec<usize> {
                match rng.below(6) {
                    0 | 1 => vec![4],
                    2 => {
                        let k = rng.below(4) as usize;
                        vec![k.min((k + 1) % 4), k.max((k + 1) % 4)]
                    }
                    _ => vec![rng.below(4) as usize],
                }
            };
            let wanted: Vec<Vec<usize>> = (0..steps).map(|_| pick(&mut rng)).collect();
            let excluding: Vec<Option<Vec<usize>>> = (0..steps)
                .map(|k| (k > 0 && rng.below(3) == 0).then(|| pick(&mut rng)))
                .collect();
            let gaps: Vec<Option<i64>> = (0..steps)
                .map(|k| (k > 0 && rng.below(2) == 0).then(|| rng.below(8) as i64))
                .collect();
            let within = (rng.below(3) == 0).then(|| rng.below(20) as i64);
            let (lo, hi) = match rng.below(3) {
                0 => (rng.below(30) as i64 - 10, rng.below(30) as i64),
                _ => (i64::MIN, i64::MAX),
            };
            let other_window = rng.below(5) == 0;
            let kinds = &d.kinds;
            let filter = |want: &Vec<usize>| {
                let any = want == &vec![4];
                if with_buckets {
                    RecordFilter::for_test(&runs, (!any).then(|| want.clone()), None)
                } else {
                    let want = want.clone();
                    let test: crate::eval::RowTest<'_> =
                        Box::new(move |r| any || want.contains(&kinds[r]));
                    RecordFilter::for_test(&runs, None, Some(test))
                }
            };
            let values = &d.values;
            let window = if other_window {
                Window::for_test(
                    i64::MIN,
                    i64::MAX,
                    Some(Box::new(move |r| (lo..=hi).contains(&values[r]))),
                )
            } else {
                Window::for_test(lo, hi, None)
            };
            let search = RunSearch::new(
                &runs,
                wanted.iter().map(filter).collect(),
                excluding.iter().map(|x| x.as_ref().map(filter)).collect(),
                gaps.clone(),
                within,
                window,
            );
            let candidates = search.candidates(d.values.as_slice(), &d.to_group);
            let mut buffers = Buffers::default();
            let passes = |want: &Vec<usize>| -> Vec<bool> {
                (0..n)
                    .map(|r| want == &vec![4] || want.contains(&kinds[r]))
                    .collect()
            };
            let passing: Vec<Vec<bool>> = wanted.iter().map(passes).collect();
            let excluded: Vec<Option<Vec<bool>>> =
                excluding.iter().map(|x| x.as_ref().map(passes)).collect();
            for g in 0..groups {
                let found = candidates.as_ref().is_none_or(|c| c.contains(g))
                    && search.holds(g, &mut buffers);
                let members: Vec<usize> = d
                    .members(g)
                    .into_iter()
                    .filter(|&r| (lo..=hi).contains(&d.values[r]))
                    .collect();
                let expected = brute_force(
                    &d.values, &passing, &excluded, &gaps, within, &members, 0, None, 0,
                );
                assert_eq!(found, expected, "case {case}, group {g}");
                verdicts[usize::from(expected)] += 1;
            }
        }
        assert!(verdicts[0] > 500 && verdicts[1] > 200, "{verdicts:?}");
    }

    /// Random records (ties, NULL times, records without a group), steps, gaps, exclusions and
    /// bounds; group ranges from one group to more than all of them, with group counts around
    /// a range's edge: the search equals the definition.
    #[test]
    fn the_search_equals_every_chain_tried() {
        let mut rng = Lcg(11);
        let mut verdicts = [0; 2];
        for case in 0..400 {
            let groups = match case % 4 {
                0 => 1 + rng.below(5) as usize,
                1 => 7 + rng.below(3) as usize,
                _ => 1 + rng.below(40) as usize,
            };
            let n = rng.below(120) as usize;
            let values: Vec<i64> = (0..n).map(|_| rng.below(30) as i64 - 5).collect();
            let valid = Bitset::from_fn(n, |_| rng.below(10) != 0);
            let to_group: Vec<u32> = (0..n)
                .map(|_| {
                    if rng.below(15) == 0 {
                        NONE
                    } else {
                        rng.below(groups as u64) as u32
                    }
                })
                .collect();
            let steps = 2 + rng.below(4) as usize;
            let kinds: Vec<u64> = (0..n).map(|_| rng.below(4)).collect();
            // A test per step: one kind, or any record.
            let test = |want: u64| -> Vec<bool> {
                (0..n).map(|r| want == 4 || kinds[r] == want).collect()
            };
            let passing: Vec<Vec<bool>> = (0..steps).map(|_| test(rng.below(5))).collect();
            let excluded: Vec<Option<Vec<bool>>> = (0..steps)
                .map(|k| (k > 0 && rng.below(3) == 0).then(|| rng.below(5)))
                .map(|want| want.map(test))
                .collect();
            let gaps: Vec<Option<i64>> = (0..steps)
                .map(|k| (k > 0 && rng.below(2) == 0).then(|| rng.below(8) as i64))
                .collect();
            let within = (rng.below(3) == 0).then(|| rng.below(20) as i64);
            let rows_of = |bits: &Vec<bool>| -> Vec<u32> {
                // The order of the index (by kind, then time) or of the table.
                let mut rows: Vec<u32> = (0..n as u32).filter(|&r| bits[r as usize]).collect();
                if case % 2 == 0 {
                    rows.sort_by_key(|&r| (kinds[r as usize], values[r as usize]));
                }
                rows
            };
            let passing_rows: Vec<Vec<u32>> = passing.iter().map(rows_of).collect();
            let excluded_rows: Vec<Option<Vec<u32>>> =
                excluded.iter().map(|x| x.as_ref().map(rows_of)).collect();
            let records = Records {
                values: values.as_slice(),
                valid: &valid,
                to_group: &to_group,
            };
            let search = Search {
                gaps: &gaps,
                within,
            };
            let shift = rng.below(5) as u32;
            let found = search.groups(&records, &passing_rows, &excluded_rows, groups, shift);
            for g in 0..groups {
                let members: Vec<usize> = (0..n)
                    .filter(|&r| to_group[r] == g as u32 && valid.contains(r))
                    .collect();
                let expected = brute_force(
                    &values, &passing, &excluded, &gaps, within, &members, 0, None, 0,
                );
                assert_eq!(found.contains(g), expected, "case {case}, group {g}");
                verdicts[usize::from(expected)] += 1;
            }
        }
        assert!(verdicts[0] > 500 && verdicts[1] > 200, "{verdicts:?}");
    }
}
