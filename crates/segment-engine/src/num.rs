//! Numbers compared as SQLite compares them: an INTEGER and a REAL compare by their exact
//! mathematical values (`sqlite3IntFloatCompare`), never by converting the integer to a double,
//! so ids beyond 2^53 stay distinct.

use std::cmp::Ordering;

use segment_model::ir::{CompareOp, Number, NumberComparison};

/// A SQLite numeric value: INTEGER or REAL.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    Int(i64),
    Real(f64),
}

impl From<Number> for Num {
    fn from(n: Number) -> Self {
        match n {
            Number::Int(i) => Num::Int(i),
            Number::Float(f) => Num::Real(f),
        }
    }
}

/// 2^63 as a double: the first double above every i64.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

/// `i` against `r`, exactly (SQLite's `sqlite3IntFloatCompare`). SQLite stores no NaN; one
/// would sort below every integer, as there.
pub fn cmp_int_real(i: i64, r: f64) -> Ordering {
    if r.is_nan() {
        return Ordering::Greater;
    }
    if r < -TWO_POW_63 {
        return Ordering::Greater;
    }
    if r >= TWO_POW_63 {
        return Ordering::Less;
    }
    // `r` truncated is exact here; equal integer parts leave the fraction to decide, and then
    // `i` is small enough (|r| < 2^52 when it has a fraction) to convert exactly.
    let truncated = r as i64;
    match i.cmp(&truncated) {
        Ordering::Equal => (i as f64).partial_cmp(&r).unwrap_or(Ordering::Equal),
        other => other,
    }
}

impl Num {
    pub fn cmp_exact(self, other: Num) -> Ordering {
        match (self, other) {
            (Num::Int(a), Num::Int(b)) => a.cmp(&b),
            (Num::Int(a), Num::Real(b)) => cmp_int_real(a, b),
            (Num::Real(a), Num::Int(b)) => cmp_int_real(b, a).reverse(),
            (Num::Real(a), Num::Real(b)) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
        }
    }
}

pub fn compare(op: CompareOp, a: Num, b: Num) -> bool {
    let ord = a.cmp_exact(b);
    match op {
        CompareOp::Eq => ord == Ordering::Equal,
        CompareOp::Ne => ord != Ordering::Equal,
        CompareOp::Lt => ord == Ordering::Less,
        CompareOp::Le => ord != Ordering::Greater,
        CompareOp::Gt => ord == Ordering::Greater,
        CompareOp::Ge => ord != Ordering::Less,
    }
}

pub fn matches(v: Num, comparison: &NumberComparison) -> bool {
    match comparison {
        NumberComparison::Compare(op, n) => compare(*op, v, Num::from(*n)),
        NumberComparison::Between { low, high, negated } => {
            (compare(CompareOp::Ge, v, Num::from(*low))
                && compare(CompareOp::Le, v, Num::from(*high)))
                != *negated
        }
        NumberComparison::In { values, negated } => {
            values
                .iter()
                .any(|n| compare(CompareOp::Eq, v, Num::from(*n)))
                != *negated
        }
    }
}

/// `v <op> n` over integers `v`, rewritten as a test on integers only, so an integer column is
/// scanned without conversions: `v > 1.5` is `v >= 2`, `v = 1.5` is never true.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntTest {
    Always,
    Never,
    Eq(i64),
    Ne(i64),
    Lt(i64),
    Le(i64),
    Gt(i64),
    Ge(i64),
}

impl IntTest {
    pub fn new(op: CompareOp, n: Number) -> IntTest {
        let exact = |i: i64| match op {
            CompareOp::Eq => IntTest::Eq(i),
            CompareOp::Ne => IntTest::Ne(i),
            CompareOp::Lt => IntTest::Lt(i),
            CompareOp::Le => IntTest::Le(i),
            CompareOp::Gt => IntTest::Gt(i),
            CompareOp::Ge => IntTest::Ge(i),
        };
        let f = match n {
            Number::Int(i) => return exact(i),
            Number::Float(f) => f,
        };
        // Every integer is below (or above) `f`: the test is constant.
        let all_below = f >= TWO_POW_63 || f.is_nan();
        let all_above = f < -TWO_POW_63;
        if all_below || all_above {
            let holds = match op {
                CompareOp::Eq => false,
                CompareOp::Ne => true,
                CompareOp::Lt | CompareOp::Le => all_below,
                CompareOp::Gt | CompareOp::Ge => all_above,
            };
            return if holds {
                IntTest::Always
            } else {
                IntTest::Never
            };
        }
        if f.fract() == 0.0 {
            return exact(f as i64);
        }
        // A fraction: |f| < 2^52, so its floor is an exact integer with no overflow above it.
        let floor = f.floor() as i64;
        match op {
            CompareOp::Eq => IntTest::Never,
            CompareOp::Ne => IntTest::Always,
            CompareOp::Lt | CompareOp::Le => IntTest::Le(floor),
            CompareOp::Gt | CompareOp::Ge => IntTest::Gt(floor),
        }
    }

    #[inline]
    pub fn holds(self, v: i64) -> bool {
        match self {
            IntTest::Always => true,
            IntTest::Never => false,
            IntTest::Eq(n) => v == n,
            IntTest::Ne(n) => v != n,
            IntTest::Lt(n) => v < n,
            IntTest::Le(n) => v <= n,
            IntTest::Gt(n) => v > n,
            IntTest::Ge(n) => v >= n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BIG: i64 = 1 << 53;

    #[test]
    fn integers_and_reals_compare_exactly() {
        assert_eq!(cmp_int_real(BIG + 1, BIG as f64), Ordering::Greater);
        assert_eq!(cmp_int_real(BIG, BIG as f64), Ordering::Equal);
        assert_eq!(cmp_int_real(i64::MAX, TWO_POW_63), Ordering::Less);
        assert_eq!(cmp_int_real(i64::MIN, -TWO_POW_63), Ordering::Equal);
        assert_eq!(cmp_int_real(1, 1.5), Ordering::Less);
        assert_eq!(cmp_int_real(2, 1.5), Ordering::Greater);
        assert_eq!(cmp_int_real(-2, -1.5), Ordering::Less);
        assert_eq!(cmp_int_real(-1, -1.5), Ordering::Greater);
    }

    #[test]
    fn integer_tests_agree_with_exact_comparison() {
        let ops = [
            CompareOp::Eq,
            CompareOp::Ne,
            CompareOp::Lt,
            CompareOp::Le,
            CompareOp::Gt,
            CompareOp::Ge,
        ];
        let literals = [
            Number::Float(1.5),
            Number::Float(-1.5),
            Number::Float(2.0),
            Number::Float(BIG as f64),
            Number::Float(TWO_POW_63),
            Number::Float(-TWO_POW_63),
            Number::Float(1e300),
            Number::Float(-1e300),
            Number::Int(BIG + 1),
        ];
        let values = [
            0,
            1,
            2,
            -1,
            -2,
            BIG - 1,
            BIG,
            BIG + 1,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ];
        for op in ops {
            for n in literals {
                let test = IntTest::new(op, n);
                for v in values {
                    assert_eq!(
                        test.holds(v),
                        compare(op, Num::Int(v), Num::from(n)),
                        "{v} {op:?} {n:?}"
                    );
                }
            }
        }
    }
}
