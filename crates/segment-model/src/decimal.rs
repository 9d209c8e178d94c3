//! The one meaning of a sum or an average of a number attribute compared with a threshold,
//! shared by the count engine and every SQL dialect: **decimal amounts at a fixed scale**.
//!
//! - Each value is read to [`SCALE`] decimal places: its whole part `floor(x)` and its fraction
//!   rounded half up to units of 10^-[`SCALE`], `floor((x - floor(x)) * 10^SCALE + 0.5)`, a
//!   number in `0..=UNIT`. Every step is one IEEE-754 double operation (a subtraction that is
//!   exact, a multiplication, an addition, a floor), so SQLite, PostgreSQL, Spark, DuckDB and
//!   the engine read every double to the same units. A double holds about 15.9 significant
//!   digits: a value written with at most 6 decimals and below 10^9 in size reads back as
//!   exactly what was written (38.17 is 38.170000, never 38.17000000000000170530).
//! - The sum is exact: whole parts and fractions are summed as integers (no rounding at all).
//! - The average is that exact sum divided by the number of values, never rounded: `avg > t`
//!   is `sum > t × count`.
//! - The threshold is read to the same scale, the same way.
//!
//! Integers are read as they are (a fraction of 0). So 0.1 + 0.2 = 0.3, and a sum lands on a
//! threshold whatever order the records are added in.

use crate::ir::Number;

/// Decimal places every amount of a sum or an average is read to.
pub const SCALE: u32 = 6;

/// Units of 10^-[`SCALE`] in one: `10^SCALE`.
pub const UNIT: i64 = 1_000_000;

/// 2^63 as a double: the first double above every `i64`.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

/// An amount read to [`SCALE`] decimals: `whole + fraction / UNIT`, with `whole = floor(x)` and
/// `fraction` in `0..=UNIT` (a fraction rounding up to a whole one stays `UNIT`, as the SQL
/// computes it per value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount {
    pub whole: i64,
    pub fraction: i64,
}

impl Amount {
    /// `x` read to [`SCALE`] decimals; `None` for NaN, infinities and magnitudes of 2^63 or
    /// more (no 64-bit whole part).
    pub fn of_real(x: f64) -> Option<Amount> {
        let floor = x.floor();
        if !(-TWO_POW_63..TWO_POW_63).contains(&floor) {
            return None;
        }
        // `x - floor` is exact in doubles; `* UNIT + 0.5` and the floor are the same IEEE
        // operations every backend performs.
        let fraction = ((x - floor) * UNIT as f64 + 0.5).floor() as i64;
        Some(Amount {
            whole: floor as i64,
            fraction,
        })
    }

    pub fn of_number(n: Number) -> Option<Amount> {
        match n {
            Number::Int(i) => Some(Amount {
                whole: i,
                fraction: 0,
            }),
            Number::Float(f) => Amount::of_real(f),
        }
    }

    /// The same amount with `fraction` in `0..UNIT` (the whole part carries); `None` when it
    /// leaves `i64`.
    pub fn normalized(self) -> Option<Amount> {
        let carry = self.fraction.div_euclid(UNIT);
        Some(Amount {
            whole: self.whole.checked_add(carry)?,
            fraction: self.fraction.rem_euclid(UNIT),
        })
    }

    /// The amount in units of 10^-[`SCALE`].
    pub fn units(self) -> i128 {
        i128::from(self.whole) * i128::from(UNIT) + i128::from(self.fraction)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(x: f64) -> i128 {
        Amount::of_real(x).map(Amount::units).unwrap_or(i128::MIN)
    }

    #[test]
    fn decimals_as_written_add_up_exactly() {
        assert_eq!(units(38.17) + units(35.13) + units(26.7), units(100.0));
        assert_eq!(units(0.1) + units(0.2), units(0.3));
        assert_eq!(units(-1.25), -1_250_000);
        assert_eq!(units(123_456_789.123456), 123_456_789_123_456);
        assert_eq!(units(999_999_999.999999), 999_999_999_999_999);
        assert_eq!(units(-999_999_999.000001), -999_999_999_000_001);
    }

    #[test]
    fn more_decimals_round_half_up() {
        assert_eq!(units(0.1234564), 123_456);
        assert_eq!(units(0.1234566), 123_457);
        assert_eq!(units(0.9999999), 1_000_000);
        assert_eq!(units(-0.9999999), -1_000_000);
        assert_eq!(units(-0.0000004), 0);
        assert_eq!(
            Amount::of_real(0.9999999).and_then(Amount::normalized),
            Some(Amount {
                whole: 1,
                fraction: 0
            })
        );
    }

    #[test]
    fn out_of_range_values_have_no_amount() {
        assert_eq!(Amount::of_real(f64::NAN), None);
        assert_eq!(Amount::of_real(f64::INFINITY), None);
        assert_eq!(Amount::of_real(TWO_POW_63), None);
        assert!(Amount::of_real(-TWO_POW_63).is_some());
        assert_eq!(
            Amount::of_number(Number::Int(i64::MAX)).map(Amount::units),
            Some(i128::from(i64::MAX) * 1_000_000)
        );
    }
}
