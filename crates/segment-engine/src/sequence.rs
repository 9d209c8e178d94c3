//! A sequence of related records ("viewed a product, then bought within 7 days"), exactly: per
//! group, the selected records with a time sorted by time; for each step and each record
//! passing it, the latest start (first step's time) of any valid chain ending there. A later
//! start is never worse (the whole-sequence bound only gets easier), and a chain's future
//! depends only on its last record's time and its start, so keeping the latest start per
//! record is exact. A record's valid predecessors are the previous step's chained records at
//! a strictly earlier time, not before `time - gap`, and not before the latest excluded
//! record strictly earlier than it; both bounds only grow with time, so a sliding-window
//! maximum (a monotone deque) finds the best in one pass per step.

use std::collections::VecDeque;

use rayon::prelude::*;
use segment_model::ir::{ColumnRef, SequenceStep};

use crate::bitset::Bitset;
use crate::column::ColumnData;
use crate::dataset::{Table, NONE};
use crate::error::{Error, Result};
use crate::eval::Evaluator;

/// A step's tests as rows of the related table.
struct StepRows {
    passing: Bitset,
    excluded: Option<Bitset>,
    gap: Option<i64>,
}

impl Evaluator<'_> {
    /// The groups holding a chain of records through `steps` (see the module documentation).
    pub(crate) fn sequence_groups(
        &self,
        column: &ColumnRef,
        steps: &[SequenceStep],
        within: Option<i64>,
        to: &Table,
        selected: &[u32],
        to_group: &[u32],
        groups: usize,
    ) -> Result<Bitset> {
        let ColumnData::Time { values, valid } = to.column(&column.name)? else {
            return Err(Error::Unsupported(
                "a sequence over a column that is not a date/time".to_string(),
            ));
        };
        let mut rows = Vec::with_capacity(steps.len());
        for step in steps {
            rows.push(StepRows {
                passing: self.expr(&step.test, to)?,
                excluded: step
                    .excluding
                    .as_ref()
                    .map(|e| self.expr(e, to))
                    .transpose()?,
                gap: step.gap,
            });
        }
        // Records passing no step and no exclusion never take part in a chain.
        let mut relevant = Bitset::empty(to.len);
        for step in &rows {
            relevant.or_with(&step.passing);
            if let Some(excluded) = &step.excluded {
                relevant.or_with(excluded);
            }
        }
        // The records taking part with their groups (filtered on all cores, in order), then
        // placed by group (a counting sort); each group's few are then sorted by time and
        // searched, slices of groups on all cores.
        let taking_part: Vec<(u32, u32)> = selected
            .par_iter()
            .filter_map(|&row| {
                let (r, g) = (row as usize, to_group[row as usize]);
                (g != NONE && valid.contains(r) && relevant.contains(r)).then_some((g, row))
            })
            .collect();
        let mut starts = vec![0usize; groups + 1];
        for &(g, _) in &taking_part {
            starts[g as usize + 1] += 1;
        }
        for g in 0..groups {
            starts[g + 1] += starts[g];
        }
        let mut placed = vec![(0i64, 0u32); starts[groups]];
        let mut next = starts.clone();
        for &(g, row) in &taking_part {
            let slot = &mut next[g as usize];
            placed[*slot] = (values[row as usize], row);
            *slot += 1;
        }
        drop(taking_part);
        let mut slices = Vec::with_capacity(groups.div_ceil(GROUPS_PER_TASK));
        let mut rest = placed.as_mut_slice();
        for first in (0..groups).step_by(GROUPS_PER_TASK) {
            let end = (first + GROUPS_PER_TASK).min(groups);
            let (slice, tail) = rest.split_at_mut(starts[end] - starts[first]);
            slices.push((first, end, slice));
            rest = tail;
        }
        let found: Vec<Vec<usize>> = slices
            .into_par_iter()
            .map(|(first, end, slice)| {
                let base = starts[first];
                let (mut times, mut records) = (Vec::new(), Vec::new());
                let mut scratch = Scratch::default();
                (first..end)
                    .filter(|&g| {
                        let run = &mut slice[starts[g] - base..starts[g + 1] - base];
                        if run.is_empty() {
                            return false;
                        }
                        run.sort_unstable();
                        times.clear();
                        records.clear();
                        times.extend(run.iter().map(|r| r.0));
                        records.extend(run.iter().map(|r| r.1 as usize));
                        chained(&times, &records, &rows, within, &mut scratch)
                    })
                    .collect()
            })
            .collect();
        let mut matched = Bitset::empty(groups);
        for g in found.into_iter().flatten() {
            matched.insert(g);
        }
        Ok(matched)
    }
}

/// Join groups per parallel task.
const GROUPS_PER_TASK: usize = 1 << 15;

/// Buffers reused from one group to the next (no allocation per group).
#[derive(Default)]
struct Scratch {
    starts: Vec<Option<i64>>,
    next: Vec<Option<i64>>,
    best: VecDeque<usize>,
}

/// Whether one group's records (sorted by `times`) hold a chain through every step.
fn chained(
    times: &[i64],
    records: &[usize],
    steps: &[StepRows],
    within: Option<i64>,
    scratch: &mut Scratch,
) -> bool {
    let Some((first, rest)) = steps.split_first() else {
        return false;
    };
    // Per record, the latest start of a chain whose current step ends at it.
    scratch.starts.clear();
    scratch.starts.extend(
        records
            .iter()
            .zip(times)
            .map(|(&row, &t)| first.passing.contains(row).then_some(t)),
    );
    for step in rest {
        next_step(times, records, step, scratch);
        std::mem::swap(&mut scratch.starts, &mut scratch.next);
    }
    scratch
        .starts
        .iter()
        .zip(times)
        .any(|(start, &t)| start.is_some_and(|s| within.is_none_or(|w| t - s <= w)))
}

/// The latest starts of chains ending at each record passing `step` (into `scratch.next`), from
/// the previous step's (`scratch.starts`).
fn next_step(times: &[i64], records: &[usize], step: &StepRows, scratch: &mut Scratch) {
    let previous = &scratch.starts;
    let out = &mut scratch.next;
    out.clear();
    out.resize(times.len(), None);
    // Earlier records, best start first (starts decreasing, times increasing).
    let best = &mut scratch.best;
    best.clear();
    let mut earlier = 0;
    let mut last_excluded: Option<i64> = None;
    for i in 0..times.len() {
        while earlier < i && times[earlier] < times[i] {
            if step
                .excluded
                .as_ref()
                .is_some_and(|e| e.contains(records[earlier]))
            {
                last_excluded = Some(times[earlier]);
            }
            if let Some(start) = previous[earlier] {
                while best.back().is_some_and(|&j| previous[j] <= Some(start)) {
                    best.pop_back();
                }
                best.push_back(earlier);
            }
            earlier += 1;
        }
        if !step.passing.contains(records[i]) {
            continue;
        }
        let from_gap = step.gap.map(|g| times[i].saturating_sub(g));
        let lowest = from_gap.max(last_excluded);
        while let (Some(&j), Some(low)) = (best.front(), lowest) {
            if times[j] >= low {
                break;
            }
            best.pop_front();
        }
        out[i] = best.front().and_then(|&j| previous[j]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Steps over records given as (time, kinds passing each step, excluded).
    fn holds(records: &[(i64, [bool; 2], bool)], gap: Option<i64>, within: Option<i64>) -> bool {
        let n = records.len();
        let times: Vec<i64> = records.iter().map(|r| r.0).collect();
        let rows: Vec<usize> = (0..n).collect();
        let step = |k: usize, gap| StepRows {
            passing: Bitset::from_fn(n, |i| records[i].1[k]),
            excluded: Some(Bitset::from_fn(n, |i| records[i].2)),
            gap,
        };
        chained(
            &times,
            &rows,
            &[step(0, None), step(1, gap)],
            within,
            &mut Scratch::default(),
        )
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
}
