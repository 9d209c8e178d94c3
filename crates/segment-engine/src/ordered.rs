//! Constraints that order related records in time: the first or last time, the first or most
//! recent record's attribute, and distinct calendar periods. Each works on the selected related
//! records (filter and window applied) whose time is not NULL, per join group, with the SQL
//! compiler's semantics: ties at the earliest or latest time all count as first or last.

use rayon::prelude::*;
use segment_model::ir::{
    ColumnRef, CountTest, Expr, Extreme, Predicate, Related, RelatedConstraint,
};
use segment_model::schema::Storage;
use segment_model::tree::TimeUnit;

use crate::bitset::Bitset;
use crate::column::{ColumnData, IntView, Ints};
use crate::dataset::{Join, Table, NONE};
use crate::error::{Error, Result};
use crate::eval::{predicate_rows, predicate_test, Evaluator, RowTest};
use crate::group_runs::{window, GroupRuns, RecordFilter, Window};
use crate::time_runs::TimeRuns;
use crate::with_ints;

/// The related records that take part: selected, in a group, with a time.
struct Timed<'a, V: IntView> {
    values: V,
    valid: &'a Bitset,
    selected: &'a [u32],
    to_group: &'a [u32],
}

impl<'a, V: IntView> Timed<'a, V> {
    /// The selected records as runs of non-decreasing time, when they are few (see
    /// [`TimeRuns`]).
    fn runs(&self) -> Option<TimeRuns<'a, V>> {
        TimeRuns::new(self.values, self.valid, self.selected, self.to_group)
    }

    fn rows(&self) -> impl Iterator<Item = (usize, u32, i64)> + '_ {
        self.selected.iter().filter_map(|&row| {
            let (row, g) = (row as usize, self.to_group[row as usize]);
            (g != NONE && self.valid.contains(row)).then(|| (row, g, self.values.at(row)))
        })
    }

    /// Per group, the earliest or latest time (`None` without any). With many records, they
    /// are first partitioned by group range (sequential appends), then each range's extremes
    /// (256 KiB) are kept in cache, ranges on all cores: the groups are scattered otherwise.
    fn extremes(&self, which: Extreme, groups: usize) -> Vec<Option<i64>> {
        fn keep(slot: &mut Option<i64>, t: i64, which: Extreme) {
            *slot = Some(match (*slot, which) {
                (None, _) => t,
                (Some(e), Extreme::First) => e.min(t),
                (Some(e), Extreme::Last) => e.max(t),
            });
        }
        let mut out: Vec<Option<i64>> = vec![None; groups];
        if self.selected.len() < groups / 4 {
            for (_, g, t) in self.rows() {
                keep(&mut out[g as usize], t, which);
            }
            return out;
        }
        const SHIFT: u32 = 14;
        let mut partitions: Vec<Vec<(u32, i64)>> = vec![Vec::new(); groups.div_ceil(1 << SHIFT)];
        for (_, g, t) in self.rows() {
            partitions[(g >> SHIFT) as usize].push((g, t));
        }
        out.par_chunks_mut(1 << SHIFT)
            .zip(partitions.par_iter())
            .enumerate()
            .for_each(|(range, (out, records))| {
                let first = range << SHIFT;
                for &(g, t) in records {
                    keep(&mut out[g as usize - first], t, which);
                }
            });
        out
    }
}

/// The values and validity of a time column.
fn time_column<'a>(to: &'a Table, column: &ColumnRef) -> Result<(&'a Ints, &'a Bitset)> {
    match to.column(&column.name)? {
        ColumnData::Time { values, valid } => Ok((values, valid)),
        _ => Err(Error::Unsupported(
            "first, last or distinct periods of a column that is not a date/time".to_string(),
        )),
    }
}

/// Whether each join group (with `NONE`'s answer last) satisfies an ordering constraint.
pub(crate) struct GroupVerdicts {
    pub matched: Bitset,
    /// What a record without any related record (or without a join value) gets.
    pub without_records: bool,
}

impl Evaluator<'_> {
    /// The groups satisfying `constraint`, one of the ordering constraints.
    pub(crate) fn ordered_groups(
        &self,
        constraint: &RelatedConstraint,
        to: &Table,
        selected: &[u32],
        to_group: &[u32],
        groups: usize,
    ) -> Result<GroupVerdicts> {
        match constraint {
            RelatedConstraint::TimeOf {
                which,
                column,
                predicate,
            } => {
                let (values, valid) = time_column(to, column)?;
                if let Predicate::Time { range, negated } = predicate {
                    // Records in one run of time order: bits per group, no time per group.
                    let within = with_ints!(values, |values| Timed {
                        values,
                        valid,
                        selected,
                        to_group
                    }
                    .runs()
                    .and_then(|runs| runs.extreme_time_within(*which, range, *negated, groups)));
                    if let Some(matched) = within {
                        return Ok(GroupVerdicts {
                            matched,
                            without_records: false,
                        });
                    }
                }
                let extremes = with_ints!(values, |values| Timed {
                    values,
                    valid,
                    selected,
                    to_group
                }
                .extremes(*which, groups));
                Ok(GroupVerdicts {
                    matched: time_of(&extremes, predicate)?,
                    without_records: false,
                })
            }
            RelatedConstraint::RecordOf {
                which,
                column,
                test,
            } => {
                if column.storage == Storage::UnixMillis {
                    // The engine holds milliseconds as their second: its ties would be wider.
                    return Err(Error::Unsupported(
                        "the first or last record by a time in milliseconds".to_string(),
                    ));
                }
                let (values, valid) = time_column(to, column)?;
                let matched = with_ints!(values, |values| self.record_of(
                    &Timed {
                        values,
                        valid,
                        selected,
                        to_group
                    },
                    *which,
                    test,
                    to,
                    groups
                ))?;
                Ok(GroupVerdicts {
                    matched,
                    without_records: false,
                })
            }
            RelatedConstraint::DistinctPeriods {
                unit,
                column,
                count,
            } => {
                let (values, valid) = time_column(to, column)?;
                let counts = with_ints!(values, |values| distinct_periods(
                    &Timed {
                        values,
                        valid,
                        selected,
                        to_group
                    },
                    *unit,
                    groups
                ))?;
                Ok(GroupVerdicts {
                    matched: Bitset::from_fn_par(groups, |g| count.passes(counts[g])),
                    without_records: count.passes(0),
                })
            }
            RelatedConstraint::Count { .. }
            | RelatedConstraint::CountNot(_)
            | RelatedConstraint::Aggregate { .. }
            | RelatedConstraint::Sequence { .. } => Err(Error::Unsupported(
                "a count or aggregate as an ordering constraint".to_string(),
            )),
        }
    }

    /// The groups satisfying a distinct-periods constraint, read from the relationship's
    /// [`GroupRuns`](crate::group_runs::GroupRuns) (each group's records in one run): `None`
    /// when they do not serve (no runs on the constraint's column, minutes or hours, times
    /// beyond the years SQL reads).
    pub(crate) fn distinct_periods_on_runs(
        &self,
        related: &Related,
        to: &Table,
        join: &Join,
    ) -> Result<Option<GroupVerdicts>> {
        let RelatedConstraint::DistinctPeriods {
            unit,
            column,
            count,
        } = &related.constraint
        else {
            return Ok(None);
        };
        let Some(runs) = join.runs.as_ref().filter(|r| r.time_column == column.name) else {
            return Ok(None);
        };
        let (earliest, latest) = runs.span();
        if period(earliest, *unit).is_err() || period(latest, *unit).is_err() {
            return Ok(None);
        }
        let filter = self.record_filter(&related.filter, to, runs)?;
        let window = window(&related.window, to, runs)?;
        Ok(Some(GroupVerdicts {
            matched: distinct_periods_by_group(runs, &filter, &window, *unit, *count),
            without_records: count.passes(0),
        }))
    }

    fn record_of(
        &self,
        timed: &Timed<'_, impl IntView>,
        which: Extreme,
        test: &Expr,
        to: &Table,
        groups: usize,
    ) -> Result<Bitset> {
        if let Some(runs) = timed.runs() {
            let test = self.row_test(test, to)?;
            if let Some(matched) = runs.extreme_record(which, groups, test) {
                return Ok(matched);
            }
        }
        let extremes = timed.extremes(which, groups);
        let passing = self.expr(test, to)?;
        let mut matched = Bitset::empty(groups);
        for (row, g, t) in timed.rows() {
            if extremes[g as usize] == Some(t) && passing.contains(row) {
                matched.insert(g as usize);
            }
        }
        Ok(matched)
    }
}

impl Evaluator<'_> {
    /// `test` on one record of `to` at a time: a column's predicate compiled once, anything
    /// else through its set of records.
    fn row_test<'t>(&self, test: &'t Expr, to: &'t Table) -> Result<RowTest<'t>> {
        match test {
            Expr::Column { column, predicate } if column.entity == to.name => {
                predicate_test(to.column(&column.name)?, predicate)
            }
            other => {
                let set = self.expr(other, to)?;
                Ok(Box::new(move |row| set.contains(row)))
            }
        }
    }
}

/// The groups whose extreme time satisfies the predicate (a group without one never does).
fn time_of(extremes: &[Option<i64>], predicate: &Predicate) -> Result<Bitset> {
    let column = ColumnData::Time {
        values: Ints::Wide(extremes.iter().map(|e| e.unwrap_or(0)).collect()),
        valid: Bitset::from_fn(extremes.len(), |g| extremes[g].is_some()),
    };
    let mut matched = predicate_rows(&column, predicate)?;
    // A NULL test would pass groups without a time; validation refuses those, and this keeps
    // the rule whatever the predicate.
    matched.and_with(column.valid());
    Ok(matched)
}

/// Per group, the number of distinct UTC periods its times fall on: one bit per group and
/// period when the periods the records span fit [`PERIOD_BITS_LIMIT`] (a window of days, weeks
/// or months), else a counting sort (below).
fn distinct_periods(
    timed: &Timed<'_, impl IntView>,
    unit: TimeUnit,
    groups: usize,
) -> Result<Vec<u64>> {
    if let Some(runs) = timed.runs() {
        if let Some(counts) = runs.distinct_periods(groups, |t| period(t, unit))? {
            return Ok(counts);
        }
    }
    bit_distinct_periods(timed, unit, groups)
}

/// [`distinct_periods`] with a bit per group and period when the periods the records span fit
/// [`PERIOD_BITS_LIMIT`], else by sorting.
fn bit_distinct_periods(
    timed: &Timed<'_, impl IntView>,
    unit: TimeUnit,
    groups: usize,
) -> Result<Vec<u64>> {
    let (mut lowest, mut highest) = (i64::MAX, i64::MIN);
    for (_, _, t) in timed.rows() {
        let p = period(t, unit)?;
        lowest = lowest.min(p);
        highest = highest.max(p);
    }
    if lowest > highest {
        return Ok(vec![0; groups]);
    }
    let words = (highest.abs_diff(lowest) / 64 + 1) as usize;
    if words.saturating_mul(groups) > PERIOD_BITS_LIMIT / 64 {
        return sorted_distinct_periods(timed, unit, groups);
    }
    // The records' groups are scattered: setting bits straight away misses the cache at almost
    // every record. They are first partitioned by group range (sequential appends), then each
    // range's bits (about 256 KiB) are set in cache, ranges on all cores.
    let shift = (((256 << 10) / (words * 8)).max(1).ilog2()).min(31);
    let mut partitions: Vec<Vec<(u32, u32)>> = vec![Vec::new(); groups.div_ceil(1 << shift)];
    for (_, g, t) in timed.rows() {
        let p = period(t, unit)?.abs_diff(lowest) as u32;
        partitions[(g >> shift) as usize].push((g, p));
    }
    let mut bits = vec![0u64; words * groups];
    bits.par_chunks_mut(words << shift)
        .zip(partitions.par_iter())
        .enumerate()
        .for_each(|(range, (bits, records))| {
            let first = range << shift;
            for &(g, p) in records {
                bits[(g as usize - first) * words + p as usize / 64] |= 1u64 << (p % 64);
            }
        });
    Ok(bits
        .par_chunks(words)
        .map(|w| w.iter().map(|x| u64::from(x.count_ones())).sum())
        .collect())
}

/// The most bits (groups × periods spanned) [`distinct_periods`] sets before it sorts instead:
/// 64 MiB.
const PERIOD_BITS_LIMIT: usize = 1 << 29;

/// Per group, the number of distinct periods: the periods are placed by group (a counting sort:
/// two passes), then each group's few are sorted and counted.
fn sorted_distinct_periods(
    timed: &Timed<'_, impl IntView>,
    unit: TimeUnit,
    groups: usize,
) -> Result<Vec<u64>> {
    let mut starts = vec![0usize; groups + 1];
    for (_, g, _) in timed.rows() {
        starts[g as usize + 1] += 1;
    }
    for g in 0..groups {
        starts[g + 1] += starts[g];
    }
    let mut periods = vec![0i64; starts[groups]];
    let mut next = starts.clone();
    for (_, g, t) in timed.rows() {
        let slot = &mut next[g as usize];
        periods[*slot] = period(t, unit)?;
        *slot += 1;
    }
    // Each slice of groups owns a contiguous slice of the periods: counted on all cores.
    let mut slices = Vec::with_capacity(groups.div_ceil(GROUPS_PER_TASK));
    let mut rest = periods.as_mut_slice();
    for first in (0..groups).step_by(GROUPS_PER_TASK) {
        let end = (first + GROUPS_PER_TASK).min(groups);
        let (slice, tail) = rest.split_at_mut(starts[end] - starts[first]);
        slices.push((first, end, slice));
        rest = tail;
    }
    let counts: Vec<Vec<u64>> = slices
        .into_par_iter()
        .map(|(first, end, slice)| {
            let base = starts[first];
            (first..end)
                .map(|g| {
                    let run = &mut slice[starts[g] - base..starts[g + 1] - base];
                    run.sort_unstable();
                    let changes = run.windows(2).filter(|w| w[0] != w[1]).count();
                    if run.is_empty() {
                        0
                    } else {
                        changes as u64 + 1
                    }
                })
                .collect()
        })
        .collect();
    Ok(counts.concat())
}

/// Join groups per parallel task when counting distinct periods.
const GROUPS_PER_TASK: usize = 1 << 15;

/// One number per UTC calendar period: days since 1970-01-01, weeks from Monday, months, years.
/// Beyond the years SQL's date functions read (0000–9999) the engine leaves the count to SQL.
fn period(seconds: i64, unit: TimeUnit) -> Result<i64> {
    // 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
    const FIRST: i64 = -62_167_219_200;
    const LAST: i64 = 253_402_300_799;
    if !(FIRST..=LAST).contains(&seconds) {
        return Err(Error::Unsupported(
            "a time beyond the years 0000 to 9999".to_string(),
        ));
    }
    if matches!(unit, TimeUnit::Minute | TimeUnit::Hour) {
        return Err(Error::Unsupported("distinct minutes or hours".to_string()));
    }
    Ok(calendar_period(seconds, unit))
}

/// The groups whose records that `filter` and `window` keep fall on a number of distinct
/// periods passing `count` (the runs' times within the years [`period`] reads).
fn distinct_periods_by_group(
    runs: &GroupRuns,
    filter: &RecordFilter<'_>,
    window: &Window<'_>,
    unit: TimeUnit,
    count: CountTest,
) -> Bitset {
    // Periods less than 128 apart are bits of one number per group; else each group's
    // periods are sorted.
    let (earliest, latest) = runs.span();
    let (lo, hi) = (window.lo.max(earliest), window.hi.min(latest));
    let first = calendar_period(lo.min(hi), unit);
    let by_bits = calendar_period(hi.max(lo), unit) - first < 128;
    if by_bits && filter.is_everything() && window.on_time_only() {
        return distinct_periods_of_every_record(runs, unit, (lo, hi), first, count);
    }
    distinct_periods_visited(runs, filter, window, unit, first, by_bits, count)
}

/// The groups whose records that `filter` and `window` keep fall on a number of periods
/// passing `count`: by bits from `first` when they are less than 128 apart (`by_bits`), else
/// by sorting each group's periods.
fn distinct_periods_visited(
    runs: &GroupRuns,
    filter: &RecordFilter<'_>,
    window: &Window<'_>,
    unit: TimeUnit,
    first: i64,
    by_bits: bool,
    count: CountTest,
) -> Bitset {
    Bitset::from_fn_par_with(runs.groups(), Vec::new, |periods, g| {
        let distinct = if by_bits {
            let mut bits = 0u128;
            runs.visit(runs.run(g), filter, window, |t| {
                bits |= 1 << (calendar_period(t, unit) - first);
            });
            u64::from(bits.count_ones())
        } else {
            periods.clear();
            runs.visit(runs.run(g), filter, window, |t| {
                periods.push(calendar_period(t, unit));
            });
            periods.sort_unstable();
            periods.dedup();
            periods.len() as u64
        };
        count.passes(distinct)
    })
}

/// The groups whose records within `lo..=hi` (inside the runs' span, periods from `first`
/// less than 128 apart) fall on a number of periods passing `count`: one tight pass over each
/// group's time offsets, a bit per period.
fn distinct_periods_of_every_record(
    runs: &GroupRuns,
    unit: TimeUnit,
    (lo, hi): (i64, i64),
    first: i64,
    count: CountTest,
) -> Bitset {
    if lo > hi {
        return Bitset::from_fn_par(runs.groups(), |_| count.passes(0));
    }
    let base = runs.base();
    // Within the span, so both fit an offset.
    let (lo_offset, hi_offset) = ((lo - base) as u32, (hi - base) as u32);
    match unit {
        TimeUnit::Day => days_by_bits(runs, (lo_offset, hi_offset), lo - first * 86_400, count),
        _ => periods_by_bits(runs, (lo_offset, hi_offset), count, |o| {
            calendar_period(base + i64::from(o), unit) - first
        }),
    }
}

/// [`distinct_periods_of_every_record`] for one way of numbering periods: without a branch
/// per record (a record outside the window sets no bit).
fn periods_by_bits(
    runs: &GroupRuns,
    (lo, hi): (u32, u32),
    count: CountTest,
    index: impl Fn(u32) -> i64 + Sync,
) -> Bitset {
    Bitset::from_fn_par(runs.groups(), |g| {
        let mut bits = 0u128;
        for &o in runs.offsets(g) {
            let inside = u128::from((lo..=hi).contains(&o));
            bits |= inside << index(o).clamp(0, 127);
        }
        count.passes(u64::from(bits.count_ones()))
    })
}

/// [`distinct_periods_of_every_record`] for days, in 32- and 64-bit integers only: a record's
/// day is its distance from the window's start (`lo`, a `phase` of seconds after the first
/// day's midnight) divided by a day, its bit one of two words chosen without a branch.
fn days_by_bits(runs: &GroupRuns, (lo, hi): (u32, u32), phase: i64, count: CountTest) -> Bitset {
    let (width, phase) = (hi - lo, phase as u64);
    Bitset::from_fn_par(runs.groups(), |g| {
        let (mut low, mut high) = (0u64, 0u64);
        for &o in runs.offsets(g) {
            // Outside the window the distance wraps above `width`: no bit.
            let from_lo = o.wrapping_sub(lo);
            let inside = u64::from(from_lo <= width);
            let day = (u64::from(from_lo) + phase) / 86_400;
            let bit = inside << (day & 63);
            let second_word = (day >> 6) & 1;
            low |= bit & second_word.wrapping_sub(1);
            high |= bit & second_word.wrapping_neg();
        }
        count.passes(u64::from(low.count_ones() + high.count_ones()))
    })
}

/// [`period`] of a time known to be within its years, for days, weeks, months and years.
#[inline]
fn calendar_period(seconds: i64, unit: TimeUnit) -> i64 {
    let day = seconds.div_euclid(86_400);
    match unit {
        // Minutes and hours never come here (see `period`).
        TimeUnit::Day | TimeUnit::Minute | TimeUnit::Hour => day,
        // 1970-01-01 was a Thursday: the Monday of its week is day -3.
        TimeUnit::Week => (day + 3).div_euclid(7),
        TimeUnit::Month => {
            let (year, month) = year_month(day);
            year * 12 + month - 1
        }
        TimeUnit::Year => year_month(day).0,
    }
}

/// The civil year and month (1–12) of a day number (H. Hinnant's `civil_from_days`), without
/// building a date for each record.
fn year_month(day: i64) -> (i64, i64) {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Datelike};

    #[test]
    fn period_bits_count_as_the_sort_does() {
        // Times spread over about 5 years (some before 1970), some NULL, some without a group.
        let n = 5_000;
        let mut state = 7u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            state >> 33
        };
        let values: Vec<i64> = (0..n)
            .map(|_| (next() % (86_400 * 1_900)) as i64 - 86_400 * 200)
            .collect();
        let valid = Bitset::from_fn(n, |r| r % 17 != 3);
        let groups = 300;
        let to_group: Vec<u32> = (0..n)
            .map(|r| {
                if r % 23 == 5 {
                    NONE
                } else {
                    (next() % groups as u64) as u32
                }
            })
            .collect();
        let selected: Vec<u32> = (0..n as u32).filter(|r| r % 5 != 1).collect();
        let timed = Timed {
            values: values.as_slice(),
            valid: &valid,
            selected: &selected,
            to_group: &to_group,
        };
        for unit in [
            TimeUnit::Day,
            TimeUnit::Week,
            TimeUnit::Month,
            TimeUnit::Year,
        ] {
            let bits = bit_distinct_periods(&timed, unit, groups).unwrap();
            assert_eq!(bits, sorted_distinct_periods(&timed, unit, groups).unwrap());
            assert!(bits.iter().any(|&c| c > 1));
        }
    }

    #[test]
    fn months_and_years_agree_with_the_calendar() {
        for seconds in (-62_167_219_200i64..253_402_300_799).step_by(86_400 * 13 + 3_607) {
            let date = DateTime::from_timestamp(seconds, 0).unwrap();
            let (year, month) = year_month(seconds.div_euclid(86_400));
            assert_eq!(
                (year, month),
                (i64::from(date.year()), i64::from(date.month()))
            );
        }
    }

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().timestamp();
        // Sunday 2024-06-16 and Monday 2024-06-17 are in different weeks.
        let sunday = period(at("2024-06-16T23:59:59Z"), TimeUnit::Week).unwrap();
        let monday = period(at("2024-06-17T00:00:00Z"), TimeUnit::Week).unwrap();
        let next_sunday = period(at("2024-06-23T12:00:00Z"), TimeUnit::Week).unwrap();
        assert_eq!(monday, sunday + 1);
        assert_eq!(monday, next_sunday);
        // Before 1970 too.
        let old_monday = period(at("1969-12-29T00:00:00Z"), TimeUnit::Week).unwrap();
        let old_sunday = period(at("1969-12-28T23:00:00Z"), TimeUnit::Week).unwrap();
        assert_eq!(old_monday, old_sunday + 1);
        assert_eq!(
            old_monday,
            period(at("1970-01-04T00:00:00Z"), TimeUnit::Week).unwrap()
        );
        assert_eq!(
            period(at("2024-01-31T23:00:00Z"), TimeUnit::Month).unwrap() + 1,
            period(at("2024-02-01T00:00:00Z"), TimeUnit::Month).unwrap()
        );
        assert!(period(at("9999-12-31T23:59:59Z") + 1, TimeUnit::Day).is_err());
    }

    /// Distinct periods read from the runs against the definition: random clustered records
    /// over up to 400 days (ties, NULL times, records without a group, times before 1970),
    /// every unit, any record or one kind (a bucket, or a test per record without buckets),
    /// windows or none, and counts from "at least" to "between".
    #[test]
    fn distinct_periods_on_runs_count_as_the_definition() {
        use crate::group_runs::testing::{records, Lcg};
        use std::collections::BTreeSet;
        let mut rng = Lcg(29);
        let units = [
            TimeUnit::Day,
            TimeUnit::Week,
            TimeUnit::Month,
            TimeUnit::Year,
        ];
        let mut verdicts = [0; 2];
        for case in 0..400 {
            let (n, groups) = (rng.below(300) as usize, 1 + rng.below(30) as usize);
            let span = 86_400 * (1 + rng.below(400) as i64);
            let d = records(&mut rng, n, groups, 3, span);
            let with_buckets = case % 2 == 0;
            let runs = d.runs(with_buckets);
            let unit = units[case % 4];
            let want = (rng.below(2) == 0).then(|| rng.below(3) as usize);
            let kinds = &d.kinds;
            let filter = match (with_buckets, want) {
                (true, _) => RecordFilter::for_test(&runs, want.map(|k| vec![k]), None),
                (false, None) => RecordFilter::for_test(&runs, None, None),
                (false, Some(k)) => {
                    RecordFilter::for_test(&runs, None, Some(Box::new(move |r| kinds[r] == k)))
                }
            };
            let (lo, hi) = match rng.below(3) {
                0 => (i64::MIN, i64::MAX),
                _ => {
                    let a = rng.below(span as u64) as i64 - span / 4;
                    (a, a + rng.below(span as u64) as i64)
                }
            };
            let window = Window::for_test(lo, hi, None);
            let min = rng.below(4);
            let count = CountTest::Range {
                min,
                max: (rng.below(2) == 0).then(|| min + rng.below(4)),
            };
            let found = distinct_periods_by_group(&runs, &filter, &window, unit, count);
            for g in 0..groups {
                let periods: BTreeSet<i64> = d
                    .members(g)
                    .into_iter()
                    .filter(|&r| want.is_none_or(|k| kinds[r] == k))
                    .filter(|&r| (lo..=hi).contains(&d.values[r]))
                    .map(|r| period(d.values[r], unit).unwrap())
                    .collect();
                let expected = count.passes(periods.len() as u64);
                assert_eq!(found.contains(g), expected, "case {case}, group {g}");
                verdicts[usize::from(expected)] += 1;
            }
        }
        assert!(verdicts[0] > 500 && verdicts[1] > 500, "{verdicts:?}");
    }
}
