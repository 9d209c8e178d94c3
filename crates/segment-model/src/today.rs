//! Values relative to today, resolved from the explicit "now" at validation (so the IR, every
//! SQL dialect and the engine only ever see the resulting number or instant). Two forms:
//!
//! - **A part of today's date** for a number attribute: `{"today": "year" | "month" |
//!   "day_of_month"}` as the value of `=`, `≠`, `<`, `≤`, `>`, `≥` ("birth month = this month",
//!   PQL's `person.birthMonth = currentMonth()`): today's UTC year, month (1–12) or day of the
//!   month (1–31).
//! - **A time counted from the start of today** for a date/time attribute:
//!   `{"from_today": -1, "unit": "month"}`, the first instant of today (00:00 UTC) moved by
//!   `from_today` units (day, week, month, year; negative: earlier; months and years step by
//!   calendar month, clamping the day as everywhere), wherever a date is written: `before`,
//!   `after`, `on or before`, `on or after`, `on`, `not on` and the ends of `between`. It is an
//!   instant, so `before {"from_today": 0}` is "before today" (strictly before 00:00 today) and
//!   a `between` ending at `{"from_today": 0}` includes 00:00 itself. PQL's `occurs before
//!   today` and `occurs <= 1 month before today` are read as these.

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::time;
use crate::tree::TimeUnit;

/// A part of today's (UTC) date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TodayPart {
    Year,
    Month,
    DayOfMonth,
}

impl TodayPart {
    /// The part's value on `now`'s UTC date.
    pub fn of(self, now: DateTime<Utc>) -> i64 {
        let date = now.date_naive();
        match self {
            TodayPart::Year => i64::from(date.year()),
            TodayPart::Month => i64::from(date.month()),
            TodayPart::DayOfMonth => i64::from(date.day()),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            TodayPart::Year => "year",
            TodayPart::Month => "month",
            TodayPart::DayOfMonth => "day_of_month",
        }
    }
}

/// `value` read as a part of today: `None` when it is not meant as one (not an object with a
/// `today` key), `Err` with a message when it is but does not read.
pub fn today_part(value: &Value) -> Option<Result<TodayPart, String>> {
    let Value::Object(map) = value else {
        return None;
    };
    let part = map.get("today")?;
    Some(
        serde_json::from_value::<TodayPart>(part.clone())
            .ok()
            .filter(|_| map.len() == 1)
            .ok_or_else(|| {
                "Write a part of today as {\"today\": \"year\"}, \"month\" or \"day_of_month\"."
                    .to_string()
            }),
    )
}

/// The start of today moved by a number of days, weeks, months or years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct FromToday {
    /// Units from the start of today: 0 is 00:00 today, -1 (with `day`) 00:00 yesterday.
    #[ts(type = "number")]
    pub from_today: i64,
    /// Day, week, month or year (absent: day).
    #[serde(default = "day")]
    pub unit: TimeUnit,
}

fn day() -> TimeUnit {
    TimeUnit::Day
}

impl FromToday {
    pub fn new(from_today: i64, unit: TimeUnit) -> Self {
        FromToday { from_today, unit }
    }

    /// The instant: 00:00 UTC of `now`'s date moved by `from_today` units; `None` when out of
    /// range.
    pub fn at(self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        time::shift(
            time::truncate(now, TimeUnit::Day),
            self.from_today,
            self.unit,
        )
    }

    /// The canonical JSON of this value.
    pub fn to_json(self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// `value` read as a time counted from the start of today: `None` when it is not meant as one
/// (not an object with a `from_today` key), `Err` with a message when it is but does not read.
pub fn from_today(value: &Value) -> Option<Result<FromToday, String>> {
    let Value::Object(map) = value else {
        return None;
    };
    map.get("from_today")?;
    Some(
        serde_json::from_value::<FromToday>(value.clone())
            .ok()
            .filter(|f| !matches!(f.unit, TimeUnit::Minute | TimeUnit::Hour))
            .filter(|f| f.from_today.unsigned_abs() <= 1_000_000)
            // 0 units from today is today's start whatever the unit: one spelling.
            .map(|f| {
                if f.from_today == 0 {
                    FromToday::new(0, TimeUnit::Day)
                } else {
                    f
                }
            })
            .ok_or_else(|| {
                "Write a time from the start of today as {\"from_today\": -1, \"unit\": \"month\"} \
                 (a whole number of days, weeks, months or years)."
                    .to_string()
            }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(s: &str) -> DateTime<Utc> {
        match time::parse_moment(s) {
            Some(m) => m.start(),
            None => panic!("bad test date {s}"),
        }
    }

    #[test]
    fn parts_of_today_are_utc() {
        let now = at("2024-12-31T23:30:00Z");
        assert_eq!(TodayPart::Year.of(now), 2024);
        assert_eq!(TodayPart::Month.of(now), 12);
        assert_eq!(TodayPart::DayOfMonth.of(now), 31);
        assert_eq!(
            today_part(&json!({"today": "month"})),
            Some(Ok(TodayPart::Month))
        );
        assert!(matches!(
            today_part(&json!({"today": "hour"})),
            Some(Err(_))
        ));
        assert_eq!(today_part(&json!(3)), None);
    }

    #[test]
    fn times_from_today_start_at_midnight_and_clamp_months() {
        let now = at("2024-03-31T13:45:10Z");
        let f = |v: Value| from_today(&v).and_then(Result::ok).and_then(|f| f.at(now));
        assert_eq!(
            f(json!({"from_today": 0})),
            Some(at("2024-03-31T00:00:00Z"))
        );
        assert_eq!(
            f(json!({"from_today": -1, "unit": "day"})),
            Some(at("2024-03-30"))
        );
        assert_eq!(
            f(json!({"from_today": -1, "unit": "month"})),
            Some(at("2024-02-29"))
        );
        assert_eq!(
            f(json!({"from_today": 1, "unit": "week"})),
            Some(at("2024-04-07"))
        );
        assert!(matches!(
            from_today(&json!({"from_today": 1, "unit": "hour"})),
            Some(Err(_))
        ));
        assert!(matches!(
            from_today(&json!({"from_today": "x"})),
            Some(Err(_))
        ));
    }
}
