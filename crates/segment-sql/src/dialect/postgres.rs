//! PostgreSQL over the same storage shapes as SQLite data (ISO text dates, integer Unix seconds,
//! 0/1 integers, JSON array text), e.g. a copy of the data loaded into the team's warehouse.

use super::{call, call2, cast, exists_element, extract, operator_test, slice_is};
use super::{Dialect, WeekdayField};
use crate::error::Result;
use crate::fragment::Fragment;
use crate::value::SqlValue;

/// PostgreSQL 11+. Regular expressions use PostgreSQL's own (POSIX ARE) engine, which agrees
/// with Rust's `regex` on common patterns but not on every construct.
#[derive(Debug, Clone, Copy, Default)]
pub struct Postgres;

impl Dialect for Postgres {
    fn name(&self) -> &'static str {
        "PostgreSQL"
    }

    /// `div` and `mod` (of the exact `numeric` sums too).
    fn div_mod(&self, expr: Fragment, divisor: Fragment) -> (Fragment, Fragment) {
        (
            call2("div", expr.clone(), divisor.clone()),
            call2("mod", expr, divisor),
        )
    }

    /// A parameter takes its type from its context: a fractional number compared with an
    /// integer column would be rounded to an integer, so reals are cast explicitly.
    fn placeholder(&self, index: usize, value: &SqlValue) -> String {
        match value {
            SqlValue::Real(_) => format!("CAST(${index} AS double precision)"),
            SqlValue::Null | SqlValue::Integer(_) | SqlValue::Text(_) => format!("${index}"),
        }
    }

    /// PostgreSQL text cannot hold NUL characters at all.
    fn literal(&self, value: &SqlValue) -> Result<String> {
        match value {
            SqlValue::Text(s) if s.contains('\0') => {
                Err(self.unsupported("text containing a NUL character"))
            }
            SqlValue::Null => Ok("NULL".to_string()),
            SqlValue::Integer(i) => Ok(i.to_string()),
            SqlValue::Real(f) => super::real_literal(*f),
            SqlValue::Text(s) => Ok(self.string_literal(s)),
        }
    }

    /// Byte order (`COLLATE "C"`): ISO text then orders as time does, whatever the database's
    /// collation.
    fn time_text_operand(&self, expr: Fragment) -> Fragment {
        expr.text(" COLLATE \"C\"")
    }

    fn position(&self, text: Fragment, needle: Fragment) -> Fragment {
        call2("strpos", text, needle)
    }

    fn starts_with_function(&self) -> Option<&'static str> {
        Some("starts_with")
    }

    /// PostgreSQL has `starts_with` but no `ends_with`: the last characters compared.
    fn ends_with(&self, expr: Fragment, suffix: &str, negated: bool) -> Fragment {
        slice_is("right", expr, ", ", suffix, negated)
    }

    fn regex(&self, expr: Fragment, pattern: &str, negated: bool) -> Result<Fragment> {
        Ok(operator_test(expr, "~", "!~", pattern, negated))
    }

    /// A trailing `Z` is ignored by a cast to timestamp without time zone: UTC as stored.
    fn timestamp_type(&self) -> &'static str {
        "timestamp"
    }

    fn timestamp_of_unix_seconds(&self, expr: Fragment) -> Option<Fragment> {
        Some(call("to_timestamp", expr).text(" AT TIME ZONE 'UTC'"))
    }

    fn weekday_field(&self) -> Option<WeekdayField> {
        Some(WeekdayField::Sunday0("DOW"))
    }

    fn extract(&self, field: &str, instant: Fragment) -> Fragment {
        cast(extract(field, instant), "integer")
    }

    fn json_array(&self, text: Fragment) -> Fragment {
        cast(text, "jsonb")
    }

    fn array_length_function(&self) -> Option<&'static str> {
        Some("jsonb_array_length")
    }

    /// Elements compare as JSON values: a string equals only a string, numbers by value.
    fn array_text_items(&self, array: Fragment) -> Result<(Fragment, Fragment)> {
        let rows = call("jsonb_array_elements", self.json_array(array)).text(" AS e(v)");
        let item = Fragment::sql("(CASE WHEN jsonb_typeof(e.v) = 'string' THEN e.v #>> '{}' END)");
        Ok((rows, item))
    }

    fn array_contains_any(&self, array: Fragment, elements: Vec<SqlValue>) -> Result<Fragment> {
        let mut test = Fragment::sql("e.v IN (");
        for (i, element) in elements.into_iter().enumerate() {
            if i > 0 {
                test = test.text(", ");
            }
            let ty = match element {
                SqlValue::Text(_) | SqlValue::Null => "text",
                SqlValue::Integer(_) | SqlValue::Real(_) => "numeric",
            };
            test = test.append(&call("to_jsonb", cast(Fragment::value(element), ty)));
        }
        let rows = call("jsonb_array_elements", self.json_array(array)).text(" AS e(v)");
        Ok(exists_element(rows, test.text(")")))
    }
}
