//! Sums and averages compared with a threshold as decimal amounts
//! (`segment_model::decimal`): each value read to millionths (whole part and fraction, the
//! same double operations as the SQL of every dialect), summed exactly in integers, so the
//! engine and every database give the same answer whatever order the records are added in.

use segment_model::decimal::{Amount, UNIT};
use segment_model::ir::{CompareOp, Number, NumberComparison};
use segment_model::schema::Storage;
use segment_model::tree::AggregateFunction;

use crate::bitset::Bitset;
use crate::column::ColumnData;
use crate::dataset::NONE;
use crate::error::{Error, Result};

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

/// Each selected related record's `(group, fraction, whole)`, the fraction in millionths.
/// Integers are whole; an attribute declared an integer holding fractional numbers is left to
/// SQL (which sums those columns as they are).
fn amounts(
    column: &ColumnData,
    storage: Storage,
    selected: &[u32],
    to_group: &[u32],
) -> Result<Vec<(u32, u32, i64)>> {
    let valid = column.valid();
    let rows = selected.iter().filter_map(|&row| {
        let (row, g) = (row as usize, to_group[row as usize]);
        (g != NONE && valid.contains(row)).then_some((g, row))
    });
    match column {
        ColumnData::Integer { values, .. } => {
            Ok(rows.map(|(g, row)| (g, 0, values[row])).collect())
        }
        ColumnData::Number { .. } if matches!(storage, Storage::Integer | Storage::Boolean) => {
            Err(Error::Unsupported(
                "a sum or average of an integer attribute holding fractional numbers".to_string(),
            ))
        }
        ColumnData::Number { values, .. } => rows
            .map(|(g, row)| {
                let amount = Amount::of_real(values[row]).ok_or_else(|| {
                    Error::Unsupported("a sum or average of a number beyond 2^63".to_string())
                })?;
                // In 0..=UNIT: fits.
                Ok((g, amount.fraction as u32, amount.whole))
            })
            .collect(),
        _ => Err(Error::Unsupported(
            "an aggregate of a non-number attribute".to_string(),
        )),
    }
}

/// The exact sum of one group's amounts. SQLite sums the whole parts in 64-bit integers and
/// fails on an overflow, whatever order it adds them in: a group whose positive or negative
/// whole parts alone leave `i64` is left to SQL.
fn exact_sum(run: &[(u32, u32, i64)]) -> Result<ExactSum> {
    let (mut positive, mut negative, mut fractions) = (0i128, 0i128, 0i128);
    for &(_, fraction, whole) in run {
        if whole >= 0 {
            positive += i128::from(whole);
        } else {
            negative += i128::from(whole);
        }
        fractions += i128::from(fraction);
    }
    if i64::try_from(positive).is_err() || i64::try_from(negative).is_err() {
        return Err(Error::Unsupported(
            "a sum beyond 64-bit integers".to_string(),
        ));
    }
    Ok(ExactSum {
        count: run.len(),
        units: (positive + negative) * i128::from(UNIT) + fractions,
    })
}

/// The exact sum of each group that has values, in group order.
pub(crate) fn exact_sums(
    column: &ColumnData,
    storage: Storage,
    selected: &[u32],
    to_group: &[u32],
) -> Result<Vec<(u32, ExactSum)>> {
    let mut amounts = amounts(column, storage, selected, to_group)?;
    // Exact sums do not depend on the order within a group: an unstable sort will do.
    amounts.sort_unstable_by_key(|a| a.0);
    amounts
        .chunk_by(|a, b| a.0 == b.0)
        .map(|run| Ok((run[0].0, exact_sum(run)?)))
        .collect()
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
    let mut matched = Bitset::empty(groups);
    for (group, sum) in exact_sums(column, storage, selected, to_group)? {
        if judge.passes(sum, comparison) {
            matched.insert(group as usize);
        }
    }
    Ok(matched)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum_of(values: &[f64]) -> ExactSum {
        let column = ColumnData::Number {
            values: values.to_vec(),
            valid: Bitset::full(values.len()),
        };
        let rows: Vec<u32> = (0..values.len() as u32).collect();
        let groups = vec![0u32; values.len()];
        exact_sums(&column, Storage::Real, &rows, &groups).unwrap()[0].1
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
