//! PQL's values relative to today (`segment_model::today`), read and written:
//!
//! | PQL | canonical |
//! | --- | --- |
//! | `n = currentYear()`, `currentMonth()`, `currentDayOfMonth()` (`=` `!=` `<` `<=` `>` `>=`) | the number compared with `{"today": "year"}`, `"month"`, `"day_of_month"` |
//! | `t occurs before today` (`yesterday`, `tomorrow`) | before `{"from_today": 0}` (`-1`, `1` days) |
//! | `t occurs after today` | on or after `{"from_today": 1}` (after the whole day) |
//! | `t occurs <= 1 month before today` | between `{"from_today": -1, "unit": "month"}` and `{"from_today": 0}` |
//! | `t occurs <= 2 days after today` | between `{"from_today": 0}` and `{"from_today": 2}` |
//! | `t occurs > 1 month before today` / `> 2 days after today` | before `{"from_today": -1, "unit": "month"}` / after `{"from_today": 2}` |
//!
//! "Today" is the UTC day of "now" and a time "before today" is before its first instant, as
//! `occurs <= 30 days before now` is counted from now. Months and years before `yesterday` or
//! `tomorrow`, and `<`, `=` counted from a day, are refused by name.

use segment_model::today::{FromToday, TodayPart};
use segment_model::tree::TimeUnit;
use segment_model::Operator;
use serde_json::{json, Value};

use super::{Expr, Occurs, Raise, Time, P};
use crate::error::Result;
use crate::value::{Bound, Operand};

/// The PQL function naming a part of today.
pub(super) fn current_function(part: TodayPart) -> &'static str {
    match part {
        TodayPart::Year => "currentYear",
        TodayPart::Month => "currentMonth",
        TodayPart::DayOfMonth => "currentDayOfMonth",
    }
}

/// The part of today a PQL function names.
pub(super) fn current_part(function: &str) -> Option<TodayPart> {
    match function {
        "currentYear" => Some(TodayPart::Year),
        "currentMonth" => Some(TodayPart::Month),
        "currentDayOfMonth" => Some(TodayPart::DayOfMonth),
        _ => None,
    }
}

/// `{"today": "month"}` for `currentMonth()`.
pub(super) fn part_value(part: TodayPart) -> Value {
    json!({"today": part.name()})
}

/// Whether an operand holds a time counted from today.
pub(super) fn counts_from_today(operand: &Operand) -> bool {
    match operand {
        Operand::FromToday(_) => true,
        Operand::DateRange(a, b) => {
            matches!(a, Bound::FromToday(_)) || matches!(b, Bound::FromToday(_))
        }
        _ => false,
    }
}

/// The `occurs` PQL writes for a date operator whose value counts from today, if it has one
/// (the inverse of [`Raise::from_today`]).
pub(super) fn occurs(operator: Operator, operand: &Operand) -> Option<Occurs> {
    let day_unit = |f: &FromToday| f.unit == TimeUnit::Day && (-1..=1).contains(&f.from_today);
    let from_day = |f: &FromToday| {
        Some(Time::FromDay {
            day: 0,
            amount: f.from_today.unsigned_abs(),
            unit: f.unit,
            after: f.from_today > 0,
        })
    };
    match (operator, operand) {
        (Operator::Before, Operand::FromToday(f)) if day_unit(f) => {
            Some(Occurs::Before(Time::Day(f.from_today as i8)))
        }
        (Operator::Before, Operand::FromToday(f)) if f.from_today < 0 => {
            Some(Occurs::Compare(">".to_string(), from_day(f)?))
        }
        (Operator::After, Operand::FromToday(f)) if f.from_today > 0 => {
            Some(Occurs::Compare(">".to_string(), from_day(f)?))
        }
        (Operator::OnOrAfter, Operand::FromToday(f))
            if f.unit == TimeUnit::Day && (0..=2).contains(&f.from_today) =>
        {
            Some(Occurs::After(Time::Day((f.from_today - 1) as i8)))
        }
        (Operator::Between, Operand::DateRange(Bound::FromToday(a), Bound::FromToday(b))) => {
            let today = FromToday::new(0, TimeUnit::Day);
            if *b == today && a.from_today < 0 {
                Some(Occurs::Compare("<=".to_string(), from_day(a)?))
            } else if *a == today && b.from_today > 0 {
                Some(Occurs::Compare("<=".to_string(), from_day(b)?))
            } else {
                None
            }
        }
        _ => None,
    }
}

impl<'s, 'l> Raise<'s, 'l> {
    /// `occurs` counted from the start of a day, as the operator and canonical value it is;
    /// `None` when `spec` does not count from a day.
    pub(super) fn from_today(&self, p: &P, spec: &Occurs) -> Result<Option<(Operator, Value)>> {
        let day = |d: i8| FromToday::new(i64::from(d), TimeUnit::Day).to_json();
        Ok(Some(match spec {
            Occurs::Before(Time::Day(d)) => (Operator::Before, day(*d)),
            Occurs::After(Time::Day(d)) => (Operator::OnOrAfter, day(d + 1)),
            Occurs::Before(t @ Time::FromDay { .. }) => (Operator::Before, self.point(p, t)?),
            Occurs::After(t @ Time::FromDay { .. }) => (Operator::After, self.point(p, t)?),
            Occurs::Compare(op, t @ Time::FromDay { day: d, after, .. }) => {
                match (op.as_str(), after) {
                    ("<=", false) => (Operator::Between, json!([self.point(p, t)?, day(*d)])),
                    ("<=", true) => (Operator::Between, json!([day(*d), self.point(p, t)?])),
                    (">", false) => (Operator::Before, self.point(p, t)?),
                    (">", true) => (Operator::After, self.point(p, t)?),
                    _ => {
                        return Err(self.cannot(
                            &p.at,
                            format!("PQL `occurs {op} … today` (a time counted from a day)"),
                            "counted from a day: <= N units before/after today, > N units before/after today",
                        ))
                    }
                }
            }
            _ => return Ok(None),
        }))
    }

    /// The canonical value of `N units before/after <day>`.
    fn point(&self, p: &P, t: &Time) -> Result<Value> {
        let Time::FromDay {
            day,
            amount,
            unit,
            after,
        } = t
        else {
            return Err(self.cannot(&p.at, "this time", "count from today"));
        };
        let amount = i64::try_from(*amount)
            .ok()
            .filter(|a| *a <= 1_000_000)
            .ok_or_else(|| self.cannot(&p.at, "a time this far from today", ""))?;
        let signed = if *after { amount } else { -amount };
        let relative = match (day, unit) {
            (0, unit) => FromToday::new(signed, *unit),
            (d, TimeUnit::Day) => FromToday::new(i64::from(*d) + signed, TimeUnit::Day),
            _ => {
                return Err(self.cannot(
                    &p.at,
                    "PQL months, weeks or years counted from yesterday or tomorrow",
                    "count them from today",
                ))
            }
        };
        if matches!(relative.unit, TimeUnit::Minute | TimeUnit::Hour) {
            return Err(self.cannot(
                &p.at,
                "PQL minutes or hours counted from the start of a day",
                "count hours from now: N hours before now",
            ));
        }
        Ok(relative.to_json())
    }
}

/// `currentMonth()` as the expression PQL writes.
pub(super) fn current(part: TodayPart) -> P {
    P::new(Expr::Current(current_function(part).to_string()))
}
