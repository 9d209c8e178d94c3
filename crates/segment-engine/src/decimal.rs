//! Sums and averages compared with a threshold as decimal amounts
//! (`segment_model::decimal`): each value read to millionths (whole part and fraction, the
//! same double operations as the SQL of every dialect), summed exactly in integers, so the
//! engine and every database give the same answer whatever order the records are added in.

use segment_model::decimal::{Amount, UNIT};
use segment_model::ir::{CompareOp, Number, NumberComparison};
use segment_model::schema::Storage;
use segment_model::tree::AggregateFunction;

use crate::bitset::Bitset;
use crate::column::{ColumnData, IntView};
use crate::dataset::NONE;
use crate::error::{Error, Result};
use crate::with_ints;

/// A group's values: their count, the exact sum of their whole parts and of their fractions.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ExactSum {
    pub count: usize,
    pub units: i128,
}

impl ExactSum {
    /// The sum as the nearest double (for showing it).
    pub fn sum(self) -> f64 {
        self.units as f64 / UNIT as f64
    }

    /// The average as the nearest double (for showing it).
    pub fn average(self) -> f64 {
        self.units as f64 / (UNIT as f64 * self.count as f64)
    }
}

/// Per join group: the number of values and the sums of their whole parts (positive and
/// negative apart) and of their fractions, in one pass over the selected records (no sort).
struct GroupSums {
    count: Vec<u32>,
    positive: Vec<i64>,
    negative: Vec<i64>,
    fractions: Vec<i64>,
}

/// SQLite sums the whole parts in 64-bit integers and fails on an overflow, whatever order it
/// adds them in: a group whose positive or negative whole parts alone leave `i64` is left to
/// SQL.
fn overflow() -> Error {
    Error::Unsupported("a sum beyond 64-bit integers".to_string())
}

impl GroupSums {
    fn new(groups: usize) -> GroupSums {
        GroupSums {
            count: vec![0; groups],
            positive: vec![0; groups],
            negative: vec![0; groups],
            fractions: vec![0; groups],
        }
    }

    #[inline]
    fn add(&mut self, g: usize, whole: i64, fraction: i64) -> Result<()> {
        self.count[g] += 1;
        self.fractions[g] += fraction;
        let sum = if whole >= 0 {
            &mut self.positive[g]
        } else {
            &mut self.negative[g]
        };
        *sum = sum.checked_add(whole).ok_or_else(overflow)?;
        Ok(())
    }

    fn get(&self, g: usize) -> Option<ExactSum> {
        (self.count[g] > 0).then(|| ExactSum {
            count: self.count[g] as usize,
            units: (i128::from(self.positive[g]) + i128::from(self.negative[g])) * i128::from(UNIT)
                + i128::from(self.fractions[g]),
        })
    }
}

/// Each selected record's non-NULL value as a decimal amount, with its group, to `each`.
/// Integers are whole; an attribute declared an integer holding fractional numbers is left to
/// SQL (which sums those columns as they are).
fn each_amount(
    column: &ColumnData,
    storage: Storage,
    rows: impl Iterator<Item = (usize, usize)>,
    mut each: impl FnMut(usize, i64, i64) -> Result<()>,
) -> Result<()> {
    let valid = column.valid();
    let rows = rows.filter(|&(_, row)| valid.contains(row));
    match column {
        ColumnData::Integer { values, .. } => with_ints!(values, |values| {
            for (g, row) in rows {
                each(g, values.at(row), 0)?;
            }
        }),
        ColumnData::Number { .. } if matches!(storage, Storage::Integer | Storage::Boolean) => {
            return Err(Error::Unsupported(
                "a sum or average of an integer attribute holding fractional numbers".to_string(),
            ))
        }
        ColumnData::Number { values, .. } => {
            for (g, row) in rows {
                let amount = Amount::of_real(values[row]).ok_or_else(|| {
                    Error::Unsupported("a sum or average of a number beyond 2^63".to_string())
                })?;
                each(g, amount.whole, amount.fraction)?;
            }
        }
        _ => {
            return Err(Error::Unsupported(
                "an aggregate of a non-number attribute".to_string(),
            ))
        }
    }
    Ok(())
}

/// The exact sum of the non-NULL values of each group's selected records, in arrays of one
/// slot per group (for selections about as large as the groups).
fn group_sums(
    column: &ColumnData,
    storage: Storage,
    rows: impl Iterator<Item = (usize, usize)>,
    groups: usize,
) -> Result<GroupSums> {
    let mut sums = GroupSums::new(groups);
    each_amount(column, storage, rows, |g, whole, fraction| {
        sums.add(g, whole, fraction)
    })?;
    Ok(sums)
}

/// The groups (of `groups`) whose exact sum passes `passes`, for a selection much smaller
/// than the groups: its amounts sorted by group instead of 28 bytes per group (allocated and
/// zeroed at every count). The same sums as [`group_sums`]: integer additions, the whole
/// parts' overflow checked apart for positive and negative ones, in any order.
fn sparse_groups_passing(
    column: &ColumnData,
    storage: Storage,
    rows: impl Iterator<Item = (usize, usize)>,
    groups: usize,
    passes: impl Fn(ExactSum) -> bool,
) -> Result<Bitset> {
    let mut amounts: Vec<(u32, i64, i64)> = Vec::new();
    each_amount(column, storage, rows, |g, whole, fraction| {
        amounts.push((g as u32, whole, fraction));
        Ok(())
    })?;
    amounts.sort_unstable_by_key(|a| a.0);
    let mut matched = Bitset::empty(groups);
    for run in amounts.chunk_by(|a, b| a.0 == b.0) {
        let (mut positive, mut negative, mut fractions) = (0i64, 0i64, 0i64);
        for &(_, whole, fraction) in run {
            fractions += fraction;
            let sum = if whole >= 0 {
                &mut positive
            } else {
                &mut negative
            };
            *sum = sum.checked_add(whole).ok_or_else(overflow)?;
        }
        let sum = ExactSum {
            count: run.len(),
            units: (i128::from(positive) + i128::from(negative)) * i128::from(UNIT)
                + i128::from(fractions),
        };
        if passes(sum) {
            matched.insert(run[0].0 as usize);
        }
    }
    Ok(matched)
}

/// The exact sum of the selected records' values (all in one group), for showing it.
pub(crate) fn exact_sum(
    column: &ColumnData,
    storage: Storage,
    rows: &[usize],
) -> Result<Option<ExactSum>> {
    let rows = rows.iter().map(|&row| (0, row));
    Ok(group_sums(column, storage, rows, 1)?.get(0))
}

/// A threshold read to millionths, or beyond every 64-bit whole part (no sum that SQLite
/// computes, nor any average, reaches it).
#[derive(Debug, Clone, Copy)]
enum Threshold {
    Amount(Amount),
    AboveAll,
    BelowAll,
}

impl Threshold {
    fn new(n: Number) -> Result<Threshold> {
        let f = n.as_f64();
        if f.is_nan() {
            return Err(Error::Unsupported("a NaN threshold".to_string()));
        }
        Ok(match Amount::of_number(n).and_then(Amount::normalized) {
            Some(amount) => Threshold::Amount(amount),
            None if f > 0.0 => Threshold::AboveAll,
            None => Threshold::BelowAll,
        })
    }
}

/// Whether `function` (sum or average) of a group passes `comparison`.
struct Judge {
    average: bool,
    /// Each number of the comparison.
    thresholds: Vec<Threshold>,
}

impl Judge {
    fn new(function: AggregateFunction, comparison: &NumberComparison) -> Result<Judge> {
        let numbers: Vec<Number> = match comparison {
            NumberComparison::Compare(_, n) => vec![*n],
            NumberComparison::Between { low, high, .. } => vec![*low, *high],
            NumberComparison::In { values, .. } => values.clone(),
        };
        Ok(Judge {
            average: function == AggregateFunction::Avg,
            thresholds: numbers
                .into_iter()
                .map(Threshold::new)
                .collect::<Result<_>>()?,
        })
    }

    /// `sum` (or its average) against the `i`-th threshold, exactly: an average `units /
    /// count` against `t` is `units` against `t × count`.
    fn order(&self, sum: ExactSum, i: usize) -> std::cmp::Ordering {
        let t = match self.thresholds[i] {
            Threshold::Amount(t) => t.units(),
            Threshold::AboveAll => return std::cmp::Ordering::Less,
            Threshold::BelowAll => return std::cmp::Ordering::Greater,
        };
        let scale = if self.average { sum.count as i128 } else { 1 };
        sum.units.cmp(&(t * scale))
    }

    fn passes(&self, sum: ExactSum, comparison: &NumberComparison) -> bool {
        let holds = |op: CompareOp, i: usize| {
            let o = self.order(sum, i);
            match op {
                CompareOp::Eq => o.is_eq(),
                CompareOp::Ne => o.is_ne(),
                CompareOp::Lt => o.is_lt(),
                CompareOp::Le => o.is_le(),
                CompareOp::Gt => o.is_gt(),
                CompareOp::Ge => o.is_ge(),
            }
        };
        match comparison {
            NumberComparison::Compare(op, _) => holds(*op, 0),
            NumberComparison::Between { negated, .. } => {
                (holds(CompareOp::Ge, 0) && holds(CompareOp::Le, 1)) != *negated
            }
            NumberComparison::In { values, negated } => {
                (0..values.len()).any(|i| holds(CompareOp::Eq, i)) != *negated
            }
        }
    }
}

/// Fewer selected records than one in this many groups: their sums are found by sorting.
const SPARSE_RATIO: usize = 4;

/// The groups whose sum or average (`function`) of their selected records' non-NULL values
/// passes `comparison`; a group without values does not.
pub(crate) fn groups_whose_decimal_aggregate_matches(
    function: AggregateFunction,
    column: &ColumnData,
    storage: Storage,
    comparison: &NumberComparison,
    selected: &[u32],
    to_group: &[u32],
    groups: usize,
) -> Result<Bitset> {
    let judge = Judge::new(function, comparison)?;
    let rows = selected.iter().filter_map(|&row| {
        let g = to_group[row as usize];
        (g != NONE).then_some((g as usize, row as usize))
    });
    if selected.len().saturating_mul(SPARSE_RATIO) < groups {
        return sparse_groups_passing(column, storage, rows, groups, |sum| {
            judge.passes(sum, comparison)
        });
    }
    let sums = group_sums(column, storage, rows, groups)?;
    Ok(Bitset::from_fn(groups, |g| {
        sums.get(g).is_some_and(|sum| judge.passes(sum, comparison))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum_of(values: &[f64]) -> ExactSum {
        let column = ColumnData::Number {
            values: values.to_vec().into(),
            valid: Bitset::full(values.len()),
        };
        let rows: Vec<usize> = (0..values.len()).collect();
        exact_sum(&column, Storage::Real, &rows).unwrap().unwrap()
    }

    #[test]
    fn sums_do_not_depend_on_the_order_of_the_values() {
        // 38.17 + 35.13 + 26.7 is 100.00000000000001 added left to right in doubles: "sum of
        // totals > 100" must not depend on the order the records are stored in.
        let naive: f64 = [38.17, 35.13, 26.7].iter().sum();
        assert!(naive > 100.0);
        for order in [[38.17, 35.13, 26.7], [26.7, 38.17, 35.13]] {
            assert_eq!(sum_of(&order).units, 100 * i128::from(UNIT));
        }
        assert_eq!(sum_of(&[0.1, 0.2]).units, 300_000);
    }

    /// The sums found by sorting a small selection equal those of one slot per group: random
    /// amounts (negative, fractional, NULL), records without a group, sums and averages.
    #[test]
    fn sparse_sums_equal_dense_sums() {
        let mut state = 11u64;
        let mut next = move |n: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % n
        };
        for case in 0..60 {
            let (n, groups) = (1 + next(3_000) as usize, 1 + next(5_000) as usize);
            let values: Vec<f64> = (0..n)
                .map(|_| (next(40_000) as f64 - 20_000.0) / 100.0)
                .collect();
            let column = ColumnData::Number {
                values: values.into(),
                valid: Bitset::from_fn(n, |r| r % 7 != 2),
            };
            let to_group: Vec<u32> = (0..n)
                .map(|r| {
                    if r % 11 == 4 {
                        NONE
                    } else {
                        next(groups as u64) as u32
                    }
                })
                .collect();
            let selected: Vec<u32> = (0..n as u32).filter(|_| next(3) != 0).collect();
            let rows = || {
                selected.iter().filter_map(|&row| {
                    let g = to_group[row as usize];
                    (g != NONE).then_some((g as usize, row as usize))
                })
            };
            let function = if case % 2 == 0 {
                AggregateFunction::Sum
            } else {
                AggregateFunction::Avg
            };
            let comparison =
                NumberComparison::Compare(CompareOp::Gt, Number::Float(next(200) as f64 - 50.0));
            let judge = Judge::new(function, &comparison).unwrap();
            let passes = |sum: ExactSum| judge.passes(sum, &comparison);
            let sparse =
                sparse_groups_passing(&column, Storage::Real, rows(), groups, passes).unwrap();
            let sums = group_sums(&column, Storage::Real, rows(), groups).unwrap();
            let dense = Bitset::from_fn(groups, |g| sums.get(g).is_some_and(passes));
            assert_eq!(sparse, dense, "case {case}");
        }
    }

    #[test]
    fn an_average_is_the_exact_sum_over_the_count() {
        let judge = |op, t: f64| {
            let comparison = NumberComparison::Compare(op, Number::Float(t));
            Judge::new(AggregateFunction::Avg, &comparison)
                .map(|j| j.passes(sum_of(&[10.0, 10.0, 10.01]), &comparison))
                .unwrap()
        };
        // 30.01 / 3 = 10.00333…: above 10.003333, below 10.003334, never equal to either.
        assert!(judge(CompareOp::Gt, 10.003333));
        assert!(judge(CompareOp::Lt, 10.003334));
        assert!(!judge(CompareOp::Eq, 10.003333));
    }
}
