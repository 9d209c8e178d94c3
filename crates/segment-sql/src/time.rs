//! Calendar conversions for time constants (proleptic Gregorian, UTC), and the exact rewriting of
//! instant bounds into bounds a stored value can be compared with.

use segment_model::ir::TimeBound;

pub(crate) const SECONDS_PER_DAY: i64 = 86_400;

/// Days since 1970-01-01 of a civil date (H. Hinnant's `days_from_civil`).
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number (days since 1970-01-01).
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The first day ISO text can write (0000-01-01).
pub(crate) fn min_day() -> i64 {
    days_from_civil(0, 1, 1)
}

/// The last day ISO text can write (9999-12-31).
pub(crate) fn max_day() -> i64 {
    days_from_civil(9999, 12, 31)
}

/// `YYYY-MM-DD` of a day number in `[min_day, max_day]`.
pub(crate) fn format_date(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DD{sep}HH:MM:SS` of an instant whose day is in `[min_day, max_day]`.
pub(crate) fn format_datetime(seconds: i64, separator: char) -> String {
    let days = seconds.div_euclid(SECONDS_PER_DAY);
    let secs = seconds.rem_euclid(SECONDS_PER_DAY);
    format!(
        "{}{separator}{:02}:{:02}:{:02}",
        format_date(days),
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// A bound as the stored values see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Edge {
    /// No value is excluded by this bound.
    Open,
    /// Every value is excluded by this bound.
    Closed,
    /// Inclusive lower bound (`>=`) or exclusive upper bound (`<`), in the storage's unit:
    /// seconds for date-times, days for dates, milliseconds for Unix milliseconds.
    At(i64),
}

/// Granularity of a time column whose values are not compared with the instants as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Grain {
    /// ISO date-time text.
    Second,
    /// ISO date text.
    Day,
    /// Unix milliseconds, standing for their whole second (floored, as the engine reads them).
    Millisecond,
}

/// A whole-second edge in milliseconds; `None` beyond i64.
fn millis(second: i64) -> Option<i64> {
    second.checked_mul(1000)
}

/// The lower bound as `value >= edge` for a column of the given grain, exactly: a date stands
/// for its midnight, so `instant >= T` holds for a date iff the date is at least `ceil(T)`.
pub(crate) fn lower_edge(bound: TimeBound, grain: Grain) -> Edge {
    if grain == Grain::Millisecond {
        // `floor(ms / 1000) >= s` is `ms >= s * 1000`.
        let second = if bound.inclusive {
            Some(bound.at)
        } else {
            bound.at.checked_add(1)
        };
        return match second {
            None => Edge::Closed,
            Some(s) => millis(s).map_or(if s > 0 { Edge::Closed } else { Edge::Open }, Edge::At),
        };
    }
    let unit = match grain {
        Grain::Millisecond => None,
        Grain::Second => {
            if bound.inclusive {
                Some(bound.at)
            } else {
                bound.at.checked_add(1)
            }
        }
        Grain::Day => {
            let floor = bound.at.div_euclid(SECONDS_PER_DAY);
            let on_midnight = bound.at.rem_euclid(SECONDS_PER_DAY) == 0;
            Some(if bound.inclusive && on_midnight {
                floor
            } else {
                floor + 1
            })
        }
    };
    let (lo, hi) = range(grain);
    match unit {
        None => Edge::Closed,
        Some(u) if u > hi => Edge::Closed,
        Some(u) if u <= lo => Edge::Open,
        Some(u) => Edge::At(u),
    }
}

/// The upper bound as `value < edge`, exactly (see [`lower_edge`]).
pub(crate) fn upper_edge(bound: TimeBound, grain: Grain) -> Edge {
    if grain == Grain::Millisecond {
        // `floor(ms / 1000) < s` is `ms < s * 1000`.
        let second = if bound.inclusive {
            bound.at.checked_add(1)
        } else {
            Some(bound.at)
        };
        return match second {
            None => Edge::Open,
            Some(s) => millis(s).map_or(if s > 0 { Edge::Open } else { Edge::Closed }, Edge::At),
        };
    }
    let unit = match grain {
        Grain::Millisecond => None,
        Grain::Second => {
            if bound.inclusive {
                bound.at.checked_add(1)
            } else {
                Some(bound.at)
            }
        }
        Grain::Day => {
            let floor = bound.at.div_euclid(SECONDS_PER_DAY);
            let on_midnight = bound.at.rem_euclid(SECONDS_PER_DAY) == 0;
            Some(if !bound.inclusive && on_midnight {
                floor
            } else {
                floor + 1
            })
        }
    };
    let (lo, hi) = range(grain);
    match unit {
        None => Edge::Open,
        Some(u) if u > hi => Edge::Open,
        Some(u) if u <= lo => Edge::Closed,
        Some(u) => Edge::At(u),
    }
}

/// The representable range of the grain's unit, inclusive.
fn range(grain: Grain) -> (i64, i64) {
    match grain {
        Grain::Millisecond => (i64::MIN, i64::MAX),
        Grain::Second => (
            min_day() * SECONDS_PER_DAY,
            max_day() * SECONDS_PER_DAY + SECONDS_PER_DAY - 1,
        ),
        Grain::Day => (min_day(), max_day()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(at: i64, inclusive: bool) -> TimeBound {
        TimeBound { at, inclusive }
    }

    #[test]
    fn civil_round_trip() {
        for days in [-719_528, -1, 0, 1, 10_957, 19_723, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(format_date(0), "1970-01-01");
        assert_eq!(format_date(19_723), "2024-01-01");
        assert_eq!(format_date(min_day()), "0000-01-01");
        assert_eq!(format_date(max_day()), "9999-12-31");
        assert_eq!(format_datetime(1_704_067_199, 'T'), "2023-12-31T23:59:59");
        assert_eq!(format_datetime(-1, ' '), "1969-12-31 23:59:59");
    }

    #[test]
    fn date_edges_follow_midnights() {
        let day = SECONDS_PER_DAY;
        // >= midnight of day 10: day 10 qualifies.
        assert_eq!(lower_edge(b(10 * day, true), Grain::Day), Edge::At(10));
        // > midnight of day 10: day 10's midnight is not after it.
        assert_eq!(lower_edge(b(10 * day, false), Grain::Day), Edge::At(11));
        // >= noon of day 10: the next midnight.
        assert_eq!(lower_edge(b(10 * day + 1, true), Grain::Day), Edge::At(11));
        // < midnight of day 10: days before 10.
        assert_eq!(upper_edge(b(10 * day, false), Grain::Day), Edge::At(10));
        // <= midnight of day 10: day 10 included.
        assert_eq!(upper_edge(b(10 * day, true), Grain::Day), Edge::At(11));
        // < noon of day 10: day 10's midnight is before it.
        assert_eq!(upper_edge(b(10 * day + 1, false), Grain::Day), Edge::At(11));
        assert_eq!(upper_edge(b(i64::MAX, true), Grain::Second), Edge::Open);
        assert_eq!(lower_edge(b(i64::MAX, false), Grain::Second), Edge::Closed);
        assert_eq!(lower_edge(b(i64::MIN, true), Grain::Day), Edge::Open);
        assert_eq!(upper_edge(b(i64::MIN, true), Grain::Day), Edge::Closed);
    }

    #[test]
    fn millisecond_edges_floor_to_whole_seconds() {
        // > 10 s: from 11 s on (10.999 s is floored to 10 s).
        assert_eq!(
            lower_edge(b(10, false), Grain::Millisecond),
            Edge::At(11_000)
        );
        assert_eq!(
            lower_edge(b(10, true), Grain::Millisecond),
            Edge::At(10_000)
        );
        // <= 10 s: everything below 11 s.
        assert_eq!(
            upper_edge(b(10, true), Grain::Millisecond),
            Edge::At(11_000)
        );
        assert_eq!(
            upper_edge(b(-10, false), Grain::Millisecond),
            Edge::At(-10_000)
        );
        assert_eq!(
            lower_edge(b(i64::MAX / 10, true), Grain::Millisecond),
            Edge::Closed
        );
        assert_eq!(
            lower_edge(b(i64::MIN / 10, true), Grain::Millisecond),
            Edge::Open
        );
        assert_eq!(
            upper_edge(b(i64::MAX / 10, true), Grain::Millisecond),
            Edge::Open
        );
        assert_eq!(
            upper_edge(b(i64::MIN / 10, true), Grain::Millisecond),
            Edge::Closed
        );
    }
}
