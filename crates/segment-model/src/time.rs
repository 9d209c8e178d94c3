//! Calendar arithmetic for relative dates, all in UTC, from an explicit "now".
//! Weeks start on Monday (ISO 8601). Months and years step by calendar month, clamping the day
//! (Mar 31 minus one month is Feb 28/29).

use chrono::{
    DateTime, Datelike, Duration, Months, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc,
};

use crate::tree::TimeUnit;

/// A date or an instant as written by a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    /// A calendar day: from its first instant (UTC) to the next day's.
    Date(NaiveDate),
    Instant(DateTime<Utc>),
}

impl Moment {
    /// The first instant of the moment.
    pub fn start(self) -> DateTime<Utc> {
        match self {
            Moment::Date(d) => midnight(d),
            Moment::Instant(t) => t,
        }
    }
}

pub fn midnight(d: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
}

/// Parses `YYYY-MM-DD`, RFC 3339 (`2024-05-01T10:00:00Z`, offsets allowed), or a naive
/// `YYYY-MM-DDTHH:MM[:SS]` / `YYYY-MM-DD HH:MM[:SS]` read as UTC.
pub fn parse_moment(text: &str) -> Option<Moment> {
    let text = text.trim();
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(Moment::Date(d));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(Moment::Instant(t.with_timezone(&Utc)));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(Moment::Instant(Utc.from_utc_datetime(&t)));
        }
    }
    None
}

/// `t` moved by `amount` units (negative: into the past). `None` when out of range.
pub fn shift(t: DateTime<Utc>, amount: i64, unit: TimeUnit) -> Option<DateTime<Utc>> {
    match unit {
        TimeUnit::Minute => t.checked_add_signed(Duration::try_minutes(amount)?),
        TimeUnit::Hour => t.checked_add_signed(Duration::try_hours(amount)?),
        TimeUnit::Day => t.checked_add_signed(Duration::try_days(amount)?),
        TimeUnit::Week => t.checked_add_signed(Duration::try_weeks(amount)?),
        TimeUnit::Month => shift_months(t, amount),
        TimeUnit::Year => shift_months(t, amount.checked_mul(12)?),
    }
}

fn shift_months(t: DateTime<Utc>, months: i64) -> Option<DateTime<Utc>> {
    let magnitude = Months::new(u32::try_from(months.unsigned_abs()).ok()?);
    if months >= 0 {
        t.checked_add_months(magnitude)
    } else {
        t.checked_sub_months(magnitude)
    }
}

/// The start of the unit-long period containing `t` (minute, hour, day, Monday-based week,
/// month, year).
pub fn truncate(t: DateTime<Utc>, unit: TimeUnit) -> DateTime<Utc> {
    let date = t.date_naive();
    match unit {
        TimeUnit::Minute => t
            .with_second(0)
            .and_then(|t| t.with_nanosecond(0))
            .unwrap_or(t),
        TimeUnit::Hour => t
            .with_minute(0)
            .and_then(|t| t.with_second(0))
            .and_then(|t| t.with_nanosecond(0))
            .unwrap_or(t),
        TimeUnit::Day => midnight(date),
        TimeUnit::Week => {
            let back = i64::from(date.weekday().num_days_from_monday());
            midnight(date - Duration::days(back))
        }
        TimeUnit::Month => midnight(date.with_day(1).unwrap_or(date)),
        TimeUnit::Year => midnight(NaiveDate::from_ymd_opt(date.year(), 1, 1).unwrap_or(date)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        match parse_moment(s) {
            Some(m) => m.start(),
            None => panic!("bad test date {s}"),
        }
    }

    #[test]
    fn parses_the_iso_forms_users_write() {
        assert_eq!(
            parse_moment("2024-02-29"),
            NaiveDate::from_ymd_opt(2024, 2, 29).map(Moment::Date)
        );
        assert_eq!(at("2024-02-29T10:00:00Z"), at("2024-02-29 10:00:00"));
        assert_eq!(at("2024-02-29T12:00:00+02:00"), at("2024-02-29T10:00"));
        assert_eq!(parse_moment("2024-02-30"), None);
        assert_eq!(parse_moment("yesterday"), None);
    }

    #[test]
    fn months_clamp_and_weeks_start_on_monday() {
        assert_eq!(
            shift(at("2024-03-31"), -1, TimeUnit::Month),
            Some(at("2024-02-29"))
        );
        assert_eq!(
            shift(at("2024-02-29"), 1, TimeUnit::Year),
            Some(at("2025-02-28"))
        );
        // 2024-05-16 is a Thursday.
        assert_eq!(
            truncate(at("2024-05-16T13:45:10Z"), TimeUnit::Week),
            at("2024-05-13")
        );
        assert_eq!(
            truncate(at("2024-05-16T13:45:10Z"), TimeUnit::Hour),
            at("2024-05-16T13:00:00Z")
        );
        assert_eq!(
            truncate(at("2024-05-16T13:45:10Z"), TimeUnit::Year),
            at("2024-01-01")
        );
    }
}
