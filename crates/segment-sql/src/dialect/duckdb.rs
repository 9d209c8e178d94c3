//! DuckDB over the same storage shapes as SQLite data (ISO text dates, integer Unix seconds, 0/1
//! integers, JSON array text), e.g. the CSV/NDJSON exports or the SQLite file attached.

use segment_model::ir::DatePart;

use super::{any_of, call, call2, call_test, cast, exists_element, extract};
use super::{Dialect, WeekdayField};
use crate::error::Result;
use crate::fragment::Fragment;
use crate::value::SqlValue;

/// DuckDB 1.0+ (the `json` extension, autoloaded). Placeholders are `?`; regular expressions use
/// RE2 (`regexp_matches`, an unanchored search), which agrees with Rust's `regex` on the syntax
/// both share.
#[derive(Debug, Clone, Copy, Default)]
pub struct DuckDb;

impl Dialect for DuckDb {
    fn name(&self) -> &'static str {
        "DuckDB"
    }

    /// `//` is integer division (`/` of integers gives a DOUBLE).
    fn div_mod(&self, expr: Fragment, divisor: Fragment) -> (Fragment, Fragment) {
        let quotient = expr.clone().text(" // ").append(&divisor).parens();
        (quotient, expr.text(" % ").append(&divisor).parens())
    }

    fn position(&self, text: Fragment, needle: Fragment) -> Fragment {
        call2("strpos", text, needle)
    }

    fn starts_with_function(&self) -> Option<&'static str> {
        Some("starts_with")
    }

    fn ends_with_function(&self) -> Option<&'static str> {
        Some("ends_with")
    }

    fn regex(&self, expr: Fragment, pattern: &str, negated: bool) -> Result<Fragment> {
        Ok(call_test("regexp_matches", expr, pattern, negated))
    }

    fn char_length(&self, expr: Fragment) -> Fragment {
        call("length", expr)
    }

    /// `make_timestamp(µs)` is a timestamp without time zone: UTC, whatever the session's. (A
    /// trailing `Z` in ISO text cast to TIMESTAMP is accepted and the value kept as UTC.)
    fn timestamp_of_unix_seconds(&self, expr: Fragment) -> Option<Fragment> {
        Some(call(
            "make_timestamp",
            cast(expr, "BIGINT").text(" * 1000000"),
        ))
    }

    /// Milliseconds are whole microseconds times 1000: exact.
    fn timestamp_of_unix_millis(&self, expr: Fragment) -> Option<Fragment> {
        Some(call("make_timestamp", cast(expr, "BIGINT").text(" * 1000")))
    }

    fn date_field(&self, part: DatePart) -> &'static str {
        match part {
            DatePart::Year => "year",
            DatePart::Month => "month",
            DatePart::DayOfMonth => "day",
            DatePart::Weekday => "dow",
            DatePart::Hour => "hour",
        }
    }

    fn weekday_field(&self) -> Option<WeekdayField> {
        Some(WeekdayField::Sunday0("dow"))
    }

    fn extract(&self, field: &str, instant: Fragment) -> Fragment {
        cast(extract(field, instant), "INTEGER")
    }

    /// Elements compare as JSON values: a string equals only a string, numbers by value.
    fn array_contains_any(&self, array: Fragment, elements: Vec<SqlValue>) -> Result<Fragment> {
        let (texts, numbers): (Vec<SqlValue>, Vec<SqlValue>) = elements
            .into_iter()
            .partition(|e| matches!(e, SqlValue::Text(_) | SqlValue::Null));
        let mut tests = Vec::new();
        if !texts.is_empty() {
            tests.push(
                Fragment::sql("(e.type = 'VARCHAR' AND json_extract_string(e.value, '$') IN (")
                    .params(texts)
                    .text("))"),
            );
        }
        if !numbers.is_empty() {
            tests.push(
                Fragment::sql("(e.type IN ('UBIGINT', 'BIGINT', 'DOUBLE') AND TRY_CAST(e.atom AS DOUBLE) IN (")
                    .params(numbers)
                    .text("))"),
            );
        }
        let rows = call("json_each", array).text(" AS e");
        Ok(exists_element(rows, any_of(tests)))
    }

    fn array_text_items(&self, array: Fragment) -> Result<(Fragment, Fragment)> {
        let rows = call("json_each", array).text(" AS e");
        let item = Fragment::sql(
            "(CASE WHEN e.type = 'VARCHAR' THEN json_extract_string(e.value, '$') END)",
        );
        Ok((rows, item))
    }

    fn array_length(&self, array: Fragment) -> Result<Fragment> {
        Ok(cast(call("json_array_length", array), "BIGINT"))
    }
}
