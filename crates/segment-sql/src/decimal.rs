//! Sums and averages of a number attribute compared with a threshold, as decimal amounts
//! (`segment_model::decimal`): each value read to 6 decimals as its whole part and its
//! fraction in millionths, both summed as integers, so every dialect adds exactly and the
//! answer does not depend on the order a database adds the rows in.
//!
//! A sum of integers is `SUM(x)` in a `HAVING` test. Otherwise the related records are grouped
//! in a derived table (`whole_sum`, `fraction_sum`, `value_count` per key) and tested outside:
//! the exact sum `W + F / UNIT` as the pair `(W + F div UNIT, F mod UNIT)`, the average as
//! that sum floor-divided by the count (`(a, c, e)`: `a + (c + e / n) / UNIT`), each compared
//! with the threshold's `(whole, fraction)` in lexicographic order. No intermediate value is
//! wider than the sums themselves (SQLite's integers are 64 bits).

use segment_model::decimal::{Amount, UNIT};
use segment_model::ir::{CompareOp, Number, NumberComparison};
use segment_model::schema::Storage;
use segment_model::tree::AggregateFunction;

use crate::dialect::{call, Dialect};
use crate::error::{Error, Result};
use crate::fragment::Fragment;
use crate::value::SqlValue;

/// The HAVING test of a sum of integers `col`; `None` for an empty list of values (no group
/// passes, or with `negated`, every group does).
pub(crate) fn integer_sum_having(
    dialect: &dyn Dialect,
    col: &Fragment,
    comparison: &NumberComparison,
) -> Result<Option<Fragment>> {
    let sum = call("SUM", col.clone());
    each_test(comparison, |op, n| {
        let (whole, fraction) = threshold(n)?;
        if fraction == 0 {
            return Ok(sum.clone().text(sql_op(op)).param(whole));
        }
        // Between two integers: `> 2.5` is `> 2`, `= 2.5` never holds.
        Ok(match op {
            CompareOp::Gt | CompareOp::Ge => sum.clone().text(" > ").param(whole),
            CompareOp::Lt | CompareOp::Le => sum.clone().text(" <= ").param(whole),
            CompareOp::Eq => Fragment::sql(dialect.boolean_literal(false)),
            CompareOp::Ne => Fragment::sql(dialect.boolean_literal(true)),
        })
    })
}

/// The columns of the derived table, after its key: the sums of the whole parts and (for
/// numbers that are not integers) of the fractions, and for an average the number of values.
pub(crate) fn group_columns(
    d: &dyn Dialect,
    function: AggregateFunction,
    col: &Fragment,
    storage: Storage,
) -> Fragment {
    let count = match function {
        AggregateFunction::Avg => Fragment::sql(", COUNT(*) AS value_count"),
        _ => Fragment::new(),
    };
    if is_integer(storage) {
        return call("SUM", col.clone())
            .text(" AS whole_sum")
            .append(&count);
    }
    let whole = d.floor_integer(col.clone(), false);
    let scaled = col
        .clone()
        .text(" - ")
        .append(&whole)
        .parens()
        .text(format!(" * {UNIT} + 0.5"));
    let fraction = d.floor_integer(scaled, true);
    call("SUM", whole)
        .text(" AS whole_sum, ")
        .append(&call("SUM", fraction))
        .text(" AS fraction_sum")
        .append(&count)
}

/// The sum in the derived table `alias` as (whole, remainder in `0..UNIT`).
fn sum_parts(d: &dyn Dialect, alias: &str, storage: Storage) -> (Fragment, Option<Fragment>) {
    let column = |name: &str| Fragment::sql(format!("{alias}.{name}"));
    if is_integer(storage) {
        return (column("whole_sum"), None);
    }
    let (carry, remainder) = d.div_mod(column("fraction_sum"), unit());
    (
        column("whole_sum").text(" + ").append(&carry).parens(),
        Some(remainder),
    )
}

/// The columns of the averages' derived table over the sums' derived table `alias`: the sum
/// `whole + remainder / UNIT` divided by the count, floored at each step, as
/// `average_whole + (average_millionths + average_rest / count) / UNIT`, with
/// `average_millionths` in `0..UNIT` and `average_rest` in `0..count`.
pub(crate) fn average_columns(d: &dyn Dialect, alias: &str, storage: Storage) -> Fragment {
    let (whole, remainder) = sum_parts(d, alias, storage);
    let count = Fragment::sql(format!("{alias}.value_count"));
    // The whole part's remainder by the count, made non-negative (`%` truncates).
    let (_, truncated) = d.div_mod(whole.clone(), count.clone());
    let (_, below) = d.div_mod(truncated.text(" + ").append(&count).parens(), count.clone());
    let (a, _) = d.div_mod(whole.text(" - ").append(&below).parens(), count.clone());
    let mut rest = below.text(format!(" * {UNIT}"));
    if let Some(r) = remainder {
        rest = rest.text(" + ").append(&r);
    }
    let (c, e) = d.div_mod(rest.parens(), count);
    a.text(" AS average_whole, ")
        .append(&c)
        .text(" AS average_millionths, ")
        .append(&e)
        .text(" AS average_rest")
}

/// The test of `function` (sum or average) against `comparison` on the derived table `alias`
/// (of sums, or for an average of [`average_columns`]); `None` for an empty list of values.
pub(crate) fn group_test(
    d: &dyn Dialect,
    function: AggregateFunction,
    alias: &str,
    storage: Storage,
    comparison: &NumberComparison,
) -> Result<Option<Fragment>> {
    let parts = if function == AggregateFunction::Avg {
        ["average_whole", "average_millionths", "average_rest"]
            .map(|name| Some(Fragment::sql(format!("{alias}.{name}"))))
            .to_vec()
    } else {
        let (whole, remainder) = sum_parts(d, alias, storage);
        vec![Some(whole), remainder]
    };
    each_test(comparison, |op, n| {
        let (whole, fraction) = threshold(n)?;
        let right = [
            Some(Fragment::value(whole)),
            (fraction != 0).then(|| Fragment::value(fraction)),
            None,
        ];
        let pairs: Vec<_> = parts.iter().cloned().zip(right).collect();
        Ok(lexicographic(op, &pairs))
    })
}

/// `left op right` in lexicographic order. Each pair is (left, right) with `None` a known 0;
/// every left part after the first is never negative.
fn lexicographic(op: CompareOp, pairs: &[(Option<Fragment>, Option<Fragment>)]) -> Fragment {
    lexicographic_from(op, pairs, true)
}

fn lexicographic_from(
    op: CompareOp,
    pairs: &[(Option<Fragment>, Option<Fragment>)],
    first: bool,
) -> Fragment {
    let mut pairs = pairs;
    // Both known 0, or a non-negative part against 0 under `>=` / `<`: decides nothing.
    while let Some(((left, right), rest)) = pairs.split_last() {
        let ignorable =
            right.is_none() && (left.is_none() || matches!(op, CompareOp::Ge | CompareOp::Lt));
        if rest.is_empty() || !ignorable {
            break;
        }
        pairs = rest;
    }
    let zero = || Fragment::sql("0");
    let Some(((left, right), rest)) = pairs.split_first() else {
        return zero();
    };
    let (x, y) = (
        left.clone().unwrap_or_else(zero),
        right.clone().unwrap_or_else(zero),
    );
    let is = |op: &str| x.clone().text(op).append(&y);
    if rest.is_empty() {
        return is(sql_op(op));
    }
    let tail = lexicographic_from(op, rest, false);
    if right.is_none() && !first {
        // A part that is never negative, against 0: `<` never holds, `>` only above 0.
        let test = match op {
            CompareOp::Lt | CompareOp::Le | CompareOp::Eq => is(" = ").text(" AND ").append(&tail),
            CompareOp::Gt | CompareOp::Ge | CompareOp::Ne => is(" > ").text(" OR ").append(&tail),
        };
        return test.parens();
    }
    let test = match op {
        CompareOp::Eq => is(" = ").text(" AND ").append(&tail),
        CompareOp::Ne => is(" <> ").text(" OR ").append(&tail),
        CompareOp::Gt | CompareOp::Ge => is(" > ")
            .text(" OR ")
            .append(&is(" = ").text(" AND ").append(&tail).parens()),
        CompareOp::Lt | CompareOp::Le => is(" < ")
            .text(" OR ")
            .append(&is(" = ").text(" AND ").append(&tail).parens()),
    };
    test.parens()
}

/// `comparison` as tests joined by AND / OR; `None` for an empty list of values.
fn each_test(
    comparison: &NumberComparison,
    test: impl Fn(CompareOp, Number) -> Result<Fragment>,
) -> Result<Option<Fragment>> {
    let joined = |tests: Vec<Fragment>, separator: &str| -> Fragment {
        let mut out = Fragment::new();
        for (i, t) in tests.iter().enumerate() {
            if i > 0 {
                out = out.text(separator);
            }
            out = out.append(t);
        }
        out.parens()
    };
    Ok(match comparison {
        NumberComparison::Compare(op, n) => Some(test(*op, *n)?),
        NumberComparison::Between { low, high, negated } => Some(if *negated {
            let tests = vec![test(CompareOp::Lt, *low)?, test(CompareOp::Gt, *high)?];
            joined(tests, " OR ")
        } else {
            let tests = vec![test(CompareOp::Ge, *low)?, test(CompareOp::Le, *high)?];
            joined(tests, " AND ")
        }),
        NumberComparison::In { values, .. } if values.is_empty() => None,
        NumberComparison::In { values, negated } => {
            let (op, separator) = if *negated {
                (CompareOp::Ne, " AND ")
            } else {
                (CompareOp::Eq, " OR ")
            };
            let tests = values
                .iter()
                .map(|n| test(op, *n))
                .collect::<Result<Vec<_>>>()?;
            Some(joined(tests, separator))
        }
    })
}

/// The threshold read to the scale: its whole part and its fraction in `0..UNIT`. A threshold
/// beyond every 64-bit whole part (no sum or average reaches it in SQLite) is compared as the
/// double it is, which is a whole number there.
fn threshold(n: Number) -> Result<(SqlValue, i64)> {
    match n {
        Number::Float(f) if !f.is_finite() => Err(Error::NonFiniteNumber(f)),
        _ => Ok(match Amount::of_number(n).and_then(Amount::normalized) {
            Some(amount) => (SqlValue::Integer(amount.whole), amount.fraction),
            None => (SqlValue::Real(n.as_f64()), 0),
        }),
    }
}

fn is_integer(storage: Storage) -> bool {
    matches!(storage, Storage::Integer | Storage::Boolean)
}

fn unit() -> Fragment {
    Fragment::sql(UNIT.to_string())
}

fn sql_op(op: CompareOp) -> &'static str {
    match op {
        CompareOp::Eq => " = ",
        CompareOp::Ne => " <> ",
        CompareOp::Lt => " < ",
        CompareOp::Le => " <= ",
        CompareOp::Gt => " > ",
        CompareOp::Ge => " >= ",
    }
}
