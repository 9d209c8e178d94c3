//! Histogram bins and calendar periods, shared by the engine's and the SQL's tallies so both
//! place every value in the same bar.

use chrono::{DateTime, Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// At most this many bars in a numeric histogram.
pub const MAX_BINS: usize = 40;

/// Equal-width bins over `[start, start + n * width)` with a "nice" width (1, 2, 2.5 or 5 times
/// a power of ten; whole numbers for integer data).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bins {
    pub start: f64,
    pub width: f64,
    pub n: usize,
    pub integer: bool,
}

impl Bins {
    /// About `target` bins covering `min..=max`.
    pub fn new(min: f64, max: f64, integer: bool, target: usize) -> Bins {
        let target = target.clamp(1, MAX_BINS);
        let range = (max - min).max(0.0);
        let mut width = if range > 0.0 {
            nice_width(range / target as f64)
        } else {
            1.0
        };
        if integer {
            width = width.ceil().max(1.0);
        }
        let start = (min / width).floor() * width;
        let n = (((max - start) / width).floor() as usize + 1).clamp(1, MAX_BINS * 3);
        Bins {
            start,
            width,
            n,
            integer,
        }
    }

    /// The bin of `v` (values outside the range go to the nearest end).
    pub fn index(&self, v: f64) -> usize {
        let i = ((v - self.start) / self.width).floor();
        if i <= 0.0 {
            0
        } else {
            (i as usize).min(self.n - 1)
        }
    }

    /// The bin's lower bound (included) and upper bound (excluded).
    pub fn bounds(&self, i: usize) -> (f64, f64) {
        let low = self.start + i as f64 * self.width;
        (low, low + self.width)
    }

    /// "10–20" (from 10 up to 20), or the value itself for integer bins of width 1.
    pub fn label(&self, i: usize) -> String {
        let (low, high) = self.bounds(i);
        if self.integer && self.width == 1.0 {
            return number(low);
        }
        if self.integer {
            return format!("{}–{}", number(low), number(high - 1.0));
        }
        format!("{}–{}", number(low), number(high))
    }
}

fn nice_width(raw: f64) -> f64 {
    let base = 10f64.powf(raw.log10().floor());
    let f = raw / base;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 2.5 {
        2.5
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * base
}

/// A number without float noise: at most 6 significant decimals, no trailing zeros.
pub fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{}", v as i64);
    }
    let text = format!("{v:.6}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The calendar unit dates are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Period {
    /// Weeks from Monday (UTC).
    Week,
    Month,
    Year,
}

impl Period {
    /// The unit that shows a range of `seconds` in a readable number of bars.
    pub fn for_range(seconds: i64) -> Period {
        const WEEK: i64 = 7 * 86_400;
        if seconds <= 26 * WEEK {
            Period::Week
        } else if seconds <= 10 * 365 * 86_400 {
            Period::Month
        } else {
            Period::Year
        }
    }

    /// A number per period, increasing with time: the Monday's day number, `year * 12 +
    /// month - 1`, or the year.
    pub fn key(self, t: i64) -> i64 {
        let day = t.div_euclid(86_400);
        match self {
            // 1970-01-01 was a Thursday: 3 days after a Monday.
            Period::Week => day - (day + 3).rem_euclid(7),
            Period::Month | Period::Year => {
                let date = DateTime::from_timestamp(day * 86_400, 0)
                    .map(|d| d.date_naive())
                    .unwrap_or_default();
                match self {
                    Period::Month => i64::from(date.year()) * 12 + i64::from(date.month0()),
                    _ => i64::from(date.year()),
                }
            }
        }
    }

    /// "2024-03-04" (the week's Monday), "2024-03", "2024".
    pub fn label(self, key: i64) -> String {
        match self {
            Period::Week => DateTime::from_timestamp(key * 86_400, 0)
                .map(|d| d.date_naive().to_string())
                .unwrap_or_default(),
            Period::Month => format!("{}-{:02}", key.div_euclid(12), key.rem_euclid(12) + 1),
            Period::Year => key.to_string(),
        }
    }

    /// The period's first instant (Unix seconds).
    pub fn start(self, key: i64) -> i64 {
        let date = match self {
            Period::Week => return key * 86_400,
            Period::Month => {
                NaiveDate::from_ymd_opt(key.div_euclid(12) as i32, key.rem_euclid(12) as u32 + 1, 1)
            }
            Period::Year => NaiveDate::from_ymd_opt(key as i32, 1, 1),
        };
        date.and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc().timestamp())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_nice_and_cover_the_range() {
        let b = Bins::new(0.0, 97.0, true, 10);
        assert_eq!((b.start, b.width, b.n), (0.0, 10.0, 10));
        assert_eq!(b.index(97.0), 9);
        assert_eq!(b.label(9), "90–99");
        let b = Bins::new(18.0, 24.0, true, 12);
        assert_eq!((b.start, b.width, b.n), (18.0, 1.0, 7));
        assert_eq!(b.label(0), "18");
        let b = Bins::new(0.5, 1.7, false, 12);
        assert_eq!((b.start, b.width), (0.5, 0.1));
        assert_eq!(b.index(1.7), b.n - 1);
        let one = Bins::new(5.0, 5.0, false, 12);
        assert_eq!(one.n, 1);
    }

    #[test]
    fn periods_start_on_mondays_and_months() {
        // 2024-03-06 (a Wednesday) is in the week of Monday 2024-03-04.
        let t = 1_709_730_000;
        assert_eq!(Period::Week.label(Period::Week.key(t)), "2024-03-04");
        assert_eq!(Period::Month.label(Period::Month.key(t)), "2024-03");
        assert_eq!(Period::Year.label(Period::Year.key(t)), "2024");
        assert_eq!(Period::Month.start(Period::Month.key(t)), 1_709_251_200);
        assert_eq!(Period::Week.key(-1), Period::Week.key(-86_400 * 3));
    }
}
