//! Typed operands: a condition's raw JSON value read by its operator and attribute type, the
//! same way `segment_model::validate` reads it, but without "now" (formats keep relative dates
//! relative). Each operand also has one canonical JSON shape, which [`crate::normalize`] writes.

use segment_model::schema::DataType;
use segment_model::time::{self, Moment};
use segment_model::today::{self, FromToday, TodayPart};
use segment_model::tree::TimeUnit;
use segment_model::Operator;
use serde_json::{json, Value};

use crate::error::clip;

/// A number with its kind kept: integers stay integers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    pub(crate) fn from_json(n: &serde_json::Number) -> Option<Num> {
        if let Some(i) = n.as_i64() {
            return Some(Num::Int(i));
        }
        if n.is_u64() {
            return None; // beyond i64: would lose precision
        }
        n.as_f64().filter(|f| f.is_finite()).map(Num::Float)
    }

    /// Reads the text of a number literal: integers without `.`/exponent, floats otherwise.
    pub(crate) fn parse(text: &str) -> Option<Num> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        if !t.contains(['.', 'e', 'E']) {
            return t.parse::<i64>().ok().map(Num::Int);
        }
        t.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Num::Float)
    }

    pub(crate) fn to_json(self) -> Value {
        match self {
            Num::Int(i) => Value::from(i),
            Num::Float(f) => serde_json::Number::from_f64(f)
                .map(Value::Number)
                .unwrap_or(Value::Null),
        }
    }

    pub(crate) fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }
}

impl std::fmt::Display for Num {
    /// Integers as digits; floats as serde_json writes them (`30.5`, `30.0`, `1e300`), so that
    /// reading the text back gives the same kind and value.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Num::Int(i) => write!(f, "{i}"),
            Num::Float(_) => write!(f, "{}", self.to_json()),
        }
    }
}

/// One end of a date range: a date or instant as written, "now" (blank), Census `days_ago: Z`,
/// or a time counted from the start of today.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Bound {
    Moment(String, Moment),
    Now,
    DaysAgo(f64),
    FromToday(FromToday),
}

/// A length of time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Span {
    Units(u64, TimeUnit),
    /// A fractional number of days (Census).
    Days(f64),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Element {
    Text(String),
    Number(Num),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DatePart {
    Year,
    Month,
    DayOfMonth,
    Weekday,
    Hour,
}

impl DatePart {
    pub(crate) fn name(self) -> &'static str {
        match self {
            DatePart::Year => "year",
            DatePart::Month => "month",
            DatePart::DayOfMonth => "day_of_month",
            DatePart::Weekday => "weekday",
            DatePart::Hour => "hour",
        }
    }
}

/// A condition's value, typed by its operator and attribute type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    /// Operators without a value (null checks, is true, is empty…).
    Nothing,
    Text(String),
    TextList(Vec<String>),
    Number(Num),
    NumberList(Vec<Num>),
    NumberPair(Num, Num),
    /// A non-negative whole number (lengths, sizes).
    Count(u64),
    /// A date (`2024-05-31`) or an instant, as written (trimmed).
    Moment(String, Moment),
    DateRange(Bound, Bound),
    Span(Span),
    AgoPair {
        from: u64,
        to: u64,
        unit: TimeUnit,
    },
    Period(TimeUnit),
    DatePart {
        part: DatePart,
        values: Vec<i64>,
    },
    Elements(Vec<Element>),
    /// A part of today's date, for a number (`segment_model::today`).
    TodayPart(TodayPart),
    /// A time counted from the start of today, where a date is written (`segment_model::today`).
    FromToday(FromToday),
    /// Another attribute of the same record (see `segment_model::compare`).
    Attribute(segment_model::compare::AttributeValue),
}

/// A problem with a value: the JSON Pointer suffix under the value (`""`, `"/0"`, `"/unit"`…) and
/// a message.
pub(crate) type ValueError = (String, String);

fn err<T>(suffix: &str, message: impl Into<String>) -> Result<T, ValueError> {
    Err((suffix.to_string(), message.into()))
}

pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "nothing".to_string(),
        Value::Bool(b) => format!("{b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) if s.chars().count() > 40 => {
            format!("text “{}…”", s.chars().take(40).collect::<String>())
        }
        Value::String(s) => format!("text “{s}”"),
        Value::Array(items) => format!("a list of {}", items.len()),
        Value::Object(_) => "an object".to_string(),
    }
}

/// Reads `value` for `op` on an attribute of type `ty`, as validation does.
pub(crate) fn read(op: Operator, ty: DataType, value: &Value) -> Result<Operand, ValueError> {
    use Operator as O;
    Ok(match op {
        O::IsNull
        | O::IsNotNull
        | O::IsBlank
        | O::IsNotBlank
        | O::IsTrue
        | O::IsFalse
        | O::IsEmpty
        | O::IsNotEmpty => Operand::Nothing,
        O::Is | O::IsNot | O::EveryItemIs => Operand::Text(text(value, "")?),
        O::IsOneOf | O::IsNoneOf => match ty {
            DataType::Number => Operand::NumberList(list(value, number)?),
            DataType::Text | DataType::Boolean | DataType::Datetime | DataType::Array => {
                Operand::TextList(list(value, text)?)
            }
        },
        O::Contains
        | O::DoesNotContain
        | O::StartsWith
        | O::DoesNotStartWith
        | O::EndsWith
        | O::DoesNotEndWith
        | O::Like
        | O::MatchesRegex
        | O::AnyItemStartsWith
        | O::AnyItemEndsWith
        | O::AnyItemContains => {
            let t = text(value, "")?;
            if t.is_empty() {
                return err("", "Enter some text to match.");
            }
            Operand::Text(t)
        }
        O::LengthEquals
        | O::LengthLessThan
        | O::LengthGreaterThan
        | O::SizeEquals
        | O::SizeLessThan
        | O::SizeGreaterThan => Operand::Count(count(value, "")?),
        // Text in code point order (`ir::Predicate::TextOrder`).
        O::LessThan | O::LessThanOrEqual | O::GreaterThan | O::GreaterThanOrEqual
            if ty == DataType::Text =>
        {
            match value {
                Value::String(s) => Operand::Text(s.clone()),
                _ => return err("", format!("Enter a text value (got {}).", describe(value))),
            }
        }
        O::Equals
        | O::NotEquals
        | O::LessThan
        | O::LessThanOrEqual
        | O::GreaterThan
        | O::GreaterThanOrEqual => match today::today_part(value) {
            Some(part) => Operand::TodayPart(part.map_err(|m| (String::new(), m))?),
            None => Operand::Number(number(value, "")?),
        },
        O::Between | O::NotBetween => match ty {
            DataType::Datetime => date_range(value)?,
            DataType::Number | DataType::Text | DataType::Boolean | DataType::Array => {
                let (a, b) = pair(value)?;
                let low = number(a, "/0")?;
                let high = number(b, "/1")?;
                if low.as_f64() > high.as_f64() {
                    return err("", "The first number must not be larger than the second.");
                }
                Operand::NumberPair(low, high)
            }
        },
        O::On | O::NotOn | O::Before | O::After | O::OnOrBefore | O::OnOrAfter => {
            moment(value, "")?
        }
        O::InTheLast | O::InTheNext | O::MoreThanAgo | O::LessThanAgo | O::ExactlyAgo => {
            Operand::Span(span(value)?)
        }
        O::BetweenAgo => {
            let Value::Object(map) = value else {
                return err(
                    "",
                    format!("Enter from, to and a unit (got {}).", describe(value)),
                );
            };
            let from = count(map.get("from").unwrap_or(&Value::Null), "/from")?;
            let to = count(map.get("to").unwrap_or(&Value::Null), "/to")?;
            let unit = unit(map.get("unit").unwrap_or(&Value::Null), "/unit")?;
            Operand::AgoPair { from, to, unit }
        }
        O::ThisPeriod | O::LastPeriod | O::NextPeriod => match value {
            Value::Object(map) => {
                Operand::Period(unit(map.get("unit").unwrap_or(&Value::Null), "/unit")?)
            }
            other => Operand::Period(unit(other, "")?),
        },
        O::DatePartIs => date_part(value)?,
        O::ContainsAnyOf | O::ContainsAllOf | O::ContainsNoneOf => {
            Operand::Elements(list(value, element)?)
        }
    })
}

/// The canonical JSON of an operand (what `normalize` stores).
pub(crate) fn canonical(operand: &Operand) -> Value {
    match operand {
        Operand::Nothing => Value::Null,
        Operand::Text(s) => Value::String(s.clone()),
        Operand::TextList(items) => {
            Value::Array(items.iter().map(|s| Value::String(s.clone())).collect())
        }
        Operand::Number(n) => n.to_json(),
        Operand::NumberList(items) => Value::Array(items.iter().map(|n| n.to_json()).collect()),
        Operand::NumberPair(a, b) => Value::Array(vec![a.to_json(), b.to_json()]),
        Operand::Count(n) => Value::from(*n),
        Operand::Moment(_, m) => Value::String(moment_text(m)),
        Operand::DateRange(a, b) => match (a, b) {
            // Validation reads the pair in either order; the earlier first.
            (Bound::Moment(_, a), Bound::Moment(_, b)) if a.start() > b.start() => {
                json!([moment_text(b), moment_text(a)])
            }
            (Bound::Moment(_, a), Bound::Moment(_, b)) => json!([moment_text(a), moment_text(b)]),
            _ => json!({"bound_one": bound_json(a), "bound_two": bound_json(b)}),
        },
        Operand::Span(Span::Units(n, unit)) => json!({"amount": n, "unit": unit_name(*unit)}),
        Operand::Span(Span::Days(d)) => Num::Float(*d).to_json(),
        // Validation reads from/to in either order; the farther first.
        Operand::AgoPair { from, to, unit } => {
            json!({"from": from.max(to), "to": from.min(to), "unit": unit_name(*unit)})
        }
        Operand::Period(unit) => Value::String(unit_name(*unit).to_string()),
        Operand::DatePart { part, values } => json!({"part": part.name(), "values": values}),
        Operand::Elements(items) => Value::Array(items.iter().map(element_json).collect()),
        Operand::TodayPart(part) => json!({"today": part.name()}),
        Operand::FromToday(relative) => relative.to_json(),
        Operand::Attribute(other) => other.to_json(),
    }
}

pub(crate) fn element_json(e: &Element) -> Value {
    match e {
        Element::Text(s) => Value::String(s.clone()),
        Element::Number(n) => n.to_json(),
    }
}

/// The canonical spelling of a date (`2024-05-31`) or instant (RFC 3339 in UTC, `Z`, fractions
/// only when present).
pub(crate) fn moment_text(m: &Moment) -> String {
    match m {
        Moment::Date(d) => d.format("%Y-%m-%d").to_string(),
        Moment::Instant(t) => t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
    }
}

/// A date or instant string in canonical spelling, or as written when it does not read.
pub(crate) fn canonical_moment(s: &str) -> String {
    time::parse_moment(s)
        .map(|m| moment_text(&m))
        .unwrap_or_else(|| s.to_string())
}

fn bound_json(bound: &Bound) -> Value {
    match bound {
        Bound::Moment(_, m) => Value::String(moment_text(m)),
        Bound::Now => Value::String(String::new()),
        Bound::DaysAgo(d) => Value::String(format!("days_ago: {d}")),
        Bound::FromToday(relative) => relative.to_json(),
    }
}

pub(crate) fn unit_name(unit: TimeUnit) -> &'static str {
    match unit {
        TimeUnit::Minute => "minute",
        TimeUnit::Hour => "hour",
        TimeUnit::Day => "day",
        TimeUnit::Week => "week",
        TimeUnit::Month => "month",
        TimeUnit::Year => "year",
    }
}

pub(crate) fn unit_from_name(name: &str) -> Option<TimeUnit> {
    Some(match name {
        "minute" => TimeUnit::Minute,
        "hour" => TimeUnit::Hour,
        "day" => TimeUnit::Day,
        "week" => TimeUnit::Week,
        "month" => TimeUnit::Month,
        "year" => TimeUnit::Year,
        _ => return None,
    })
}

fn text(value: &Value, suffix: &str) -> Result<String, ValueError> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        _ => err(
            suffix,
            format!("Enter a text value (got {}).", describe(value)),
        ),
    }
}

fn number(value: &Value, suffix: &str) -> Result<Num, ValueError> {
    let parsed = match value {
        Value::Number(n) => Num::from_json(n),
        Value::String(s) => Num::parse(s).or_else(|| {
            s.trim()
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(Num::Float)
        }),
        _ => None,
    };
    match parsed {
        Some(n) => Ok(n),
        None => err(suffix, format!("Enter a number (got {}).", describe(value))),
    }
}

fn count(value: &Value, suffix: &str) -> Result<u64, ValueError> {
    match number(value, suffix)? {
        Num::Int(i) if i >= 0 => Ok(i as u64),
        Num::Float(f) if f >= 0.0 && f.fract() == 0.0 && f < 1e15 => Ok(f as u64),
        Num::Int(_) | Num::Float(_) => err(suffix, "Enter a whole number, 0 or more."),
    }
}

fn pair(value: &Value) -> Result<(&Value, &Value), ValueError> {
    match value {
        Value::Array(items) if items.len() == 2 => Ok((&items[0], &items[1])),
        _ => err(
            "",
            format!("Enter two values, from and to (got {}).", describe(value)),
        ),
    }
}

fn list<T>(
    value: &Value,
    item: impl Fn(&Value, &str) -> Result<T, ValueError>,
) -> Result<Vec<T>, ValueError> {
    let out = match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| item(v, &format!("/{i}")))
            .collect::<Result<Vec<T>, ValueError>>()?,
        Value::Null => Vec::new(),
        single => vec![item(single, "")?],
    };
    if out.is_empty() {
        return err("", "Enter at least one value.");
    }
    Ok(out)
}

fn element(value: &Value, suffix: &str) -> Result<Element, ValueError> {
    match value {
        Value::String(s) => Ok(Element::Text(s.clone())),
        Value::Number(_) => Ok(Element::Number(number(value, suffix)?)),
        _ => err(
            suffix,
            format!("Enter a text or number value (got {}).", describe(value)),
        ),
    }
}

fn moment(value: &Value, suffix: &str) -> Result<Operand, ValueError> {
    if let Some(relative) = today::from_today(value) {
        return Ok(Operand::FromToday(
            relative.map_err(|m| (suffix.to_string(), m))?,
        ));
    }
    if let Value::String(s) = value {
        if let Some(m) = time::parse_moment(s) {
            return Ok(Operand::Moment(s.trim().to_string(), m));
        }
    }
    err(
        suffix,
        format!(
            "Enter a date like 2024-05-31 or a date and time like 2024-05-31T14:00:00Z (got {}).",
            describe(value)
        ),
    )
}

fn bound(value: &Value, suffix: &str) -> Result<Bound, ValueError> {
    match value {
        Value::Null => Ok(Bound::Now),
        Value::String(s) if s.trim().is_empty() => Ok(Bound::Now),
        Value::String(s) if s.trim_start().starts_with("days_ago") => {
            let days = s
                .trim_start()
                .trim_start_matches("days_ago")
                .trim_start()
                .trim_start_matches(':')
                .trim();
            match days.parse::<f64>() {
                Ok(d) if d.is_finite() && d.abs() < 1e6 => Ok(Bound::DaysAgo(d)),
                _ => err(
                    suffix,
                    format!(
                        "“{s}”: write days_ago: followed by a number of days.",
                        s = clip(s)
                    ),
                ),
            }
        }
        other => match moment(other, suffix)? {
            Operand::Moment(s, m) => Ok(Bound::Moment(s, m)),
            Operand::FromToday(relative) => Ok(Bound::FromToday(relative)),
            _ => err(suffix, "Enter a date."),
        },
    }
}

fn date_range(value: &Value) -> Result<Operand, ValueError> {
    match value {
        Value::Array(items) if items.len() == 2 => Ok(Operand::DateRange(
            bound(&items[0], "/0")?,
            bound(&items[1], "/1")?,
        )),
        Value::Object(map) if map.contains_key("bound_one") || map.contains_key("bound_two") => {
            Ok(Operand::DateRange(
                bound(map.get("bound_one").unwrap_or(&Value::Null), "/bound_one")?,
                bound(map.get("bound_two").unwrap_or(&Value::Null), "/bound_two")?,
            ))
        }
        _ => err(
            "",
            format!("Enter two dates, from and to (got {}).", describe(value)),
        ),
    }
}

fn span(value: &Value) -> Result<Span, ValueError> {
    match value {
        Value::Object(map) => {
            let amount = count(map.get("amount").unwrap_or(&Value::Null), "/amount")?;
            let unit = unit(map.get("unit").unwrap_or(&Value::Null), "/unit")?;
            Ok(Span::Units(amount, unit))
        }
        other => {
            let days = number(other, "")?.as_f64();
            if !(0.0..=1e6).contains(&days) {
                return err("", "Enter a number of days, 0 or more.");
            }
            if days.fract() == 0.0 {
                Ok(Span::Units(days as u64, TimeUnit::Day))
            } else {
                Ok(Span::Days(days))
            }
        }
    }
}

fn unit(value: &Value, suffix: &str) -> Result<TimeUnit, ValueError> {
    match value.as_str().and_then(unit_from_name) {
        Some(u) => Ok(u),
        None => err(
            suffix,
            format!(
                "Choose a unit: minute, hour, day, week, month or year (got {}).",
                describe(value)
            ),
        ),
    }
}

fn date_part(value: &Value) -> Result<Operand, ValueError> {
    let Value::Object(map) = value else {
        return err("", format!("Enter a date part and values, like {{\"part\": \"month\", \"values\": [12]}} (got {}).", describe(value)));
    };
    let part = match map.get("part").and_then(Value::as_str) {
        Some("year") => DatePart::Year,
        Some("month") => DatePart::Month,
        Some("day_of_month") => DatePart::DayOfMonth,
        Some("weekday") => DatePart::Weekday,
        Some("hour") => DatePart::Hour,
        _ => {
            return err(
                "/part",
                "Choose a date part: year, month, day_of_month, weekday or hour.",
            )
        }
    };
    let (suffix, raw) = match (map.get("values"), map.get("value")) {
        (Some(v), _) => ("/values", v),
        (None, Some(v)) => ("/value", v),
        (None, None) => ("/values", &Value::Null),
    };
    let values = list(raw, |v, s| count(v, s).map(|n| n as i64))
        .map_err(|(s, m)| (format!("{suffix}{s}"), m))?;
    let (low, high, what) = match part {
        DatePart::Year => (0, 9999, "a year from 0 to 9999"),
        DatePart::Month => (1, 12, "a month from 1 to 12"),
        DatePart::DayOfMonth => (1, 31, "a day from 1 to 31"),
        DatePart::Weekday => (0, 6, "a weekday from 0 (Sunday) to 6 (Saturday)"),
        DatePart::Hour => (0, 23, "an hour from 0 to 23"),
    };
    if let Some(bad) = values.iter().find(|v| !(low..=high).contains(*v)) {
        return err(suffix, format!("{bad} is not {what}."));
    }
    Ok(Operand::DatePart { part, values })
}

/// Whether the operator compares text and so honours `case_sensitive`.
/// Whether a condition's `case_sensitive` flag changes what `op` matches: `false` on the text
/// tests of [`uses_case`] (case-sensitive by default), `true` on `like` (which folds ASCII case by
/// default, as SQL LIKE does). Any other flag says the default and can be dropped.
pub(crate) fn case_flag_meaningful(op: Operator, case_sensitive: Option<bool>) -> bool {
    match case_sensitive {
        Some(false) => uses_case(op),
        Some(true) => op == Operator::Like,
        None => false,
    }
}

/// Whether `op` is a text test that is case-sensitive unless the condition says
/// `case_sensitive: false`.
pub(crate) fn uses_case(op: Operator) -> bool {
    use Operator as O;
    matches!(
        op,
        O::Is
            | O::IsNot
            | O::IsOneOf
            | O::IsNoneOf
            | O::Contains
            | O::DoesNotContain
            | O::StartsWith
            | O::DoesNotStartWith
            | O::EndsWith
            | O::DoesNotEndWith
    )
}
