//! BigQuery (GoogleSQL) over the same storage shapes as SQLite data: ISO text dates, integer Unix
//! seconds, 0/1 integers, JSON array text.

use super::{any_of, call, call2, call_test, cast, exists_element, operator_test};
use super::{Dialect, WeekdayField};
use crate::error::Result;
use crate::fragment::Fragment;
use crate::value::SqlValue;

/// BigQuery GoogleSQL: backtick identifiers, named parameters `@p1`, `@p2`… (bind them by name),
/// backslash escapes in string literals, `REGEXP_CONTAINS` (RE2) and the JSON functions.
#[derive(Debug, Clone, Copy, Default)]
pub struct BigQuery;

impl Dialect for BigQuery {
    fn name(&self) -> &'static str {
        "BigQuery"
    }

    fn floor_integer(&self, expr: Fragment, nonnegative: bool) -> Fragment {
        let _ = nonnegative;
        cast(call("FLOOR", expr), "INT64")
    }

    /// `DIV` and `MOD` of INT64 (`/` gives a FLOAT64).
    fn div_mod(&self, expr: Fragment, divisor: Fragment) -> (Fragment, Fragment) {
        (
            call2("DIV", expr.clone(), divisor.clone()),
            call2("MOD", expr, divisor),
        )
    }

    /// A date minus a date is an INTERVAL in GoogleSQL; `UNIX_DATE` counts the days.
    fn day_number(&self, instant: Fragment) -> Fragment {
        call("UNIX_DATE", super::cast(instant, "DATE"))
    }

    /// `` `name` ``, with backslash escapes for backticks and backslashes.
    fn quote_identifier(&self, name: &str) -> String {
        format!("`{}`", escape_backslashes(name, '`'))
    }

    fn placeholder(&self, index: usize, value: &SqlValue) -> String {
        let _ = value;
        format!("@p{index}")
    }

    /// `'…'` with backslash escapes (`\'`, `\\`, `\n`…): BigQuery literals are not SQL-standard.
    fn string_literal(&self, value: &str) -> String {
        format!("'{}'", escape_backslashes(value, '\''))
    }

    fn position(&self, text: Fragment, needle: Fragment) -> Fragment {
        call2("STRPOS", text, needle)
    }

    fn starts_with_function(&self) -> Option<&'static str> {
        Some("STARTS_WITH")
    }

    fn ends_with_function(&self) -> Option<&'static str> {
        Some("ENDS_WITH")
    }

    /// BigQuery's LIKE has no ESCAPE clause: `\` is always its escape character.
    fn like_operator(&self, expr: Fragment, pattern: &str, negated: bool) -> Fragment {
        operator_test(expr, "LIKE", "NOT LIKE", pattern, negated)
    }

    fn regex(&self, expr: Fragment, pattern: &str, negated: bool) -> Result<Fragment> {
        Ok(call_test("REGEXP_CONTAINS", expr, pattern, negated))
    }

    /// EXTRACT from a TIMESTAMP is in UTC.
    fn timestamp_of_unix_seconds(&self, expr: Fragment) -> Option<Fragment> {
        Some(call("TIMESTAMP_SECONDS", expr))
    }

    /// `TIMESTAMP_SECONDS` takes only integers; milliseconds have their own function.
    fn timestamp_of_unix_millis(&self, expr: Fragment) -> Option<Fragment> {
        Some(call("TIMESTAMP_MILLIS", expr))
    }

    fn epoch_of_timestamp(&self, instant: Fragment) -> Fragment {
        call("UNIX_SECONDS", cast(instant, "TIMESTAMP"))
    }

    fn weekday_field(&self) -> Option<WeekdayField> {
        Some(WeekdayField::Sunday1("DAYOFWEEK"))
    }

    fn json_array(&self, text: Fragment) -> Fragment {
        call("JSON_QUERY_ARRAY", text)
    }

    fn array_length_function(&self) -> Option<&'static str> {
        Some("ARRAY_LENGTH")
    }

    /// `JSON_QUERY_ARRAY` yields each element as JSON text: a string element starts with `"`.
    fn array_contains_any(&self, array: Fragment, elements: Vec<SqlValue>) -> Result<Fragment> {
        let tests = elements.into_iter().map(|element| match element {
            SqlValue::Integer(_) | SqlValue::Real(_) => Fragment::sql(
                "(NOT STARTS_WITH(e, '\"') AND SAFE_CAST(JSON_VALUE(e) AS FLOAT64) = ",
            )
            .param(element)
            .text(")"),
            SqlValue::Text(_) | SqlValue::Null => {
                Fragment::sql("(STARTS_WITH(e, '\"') AND JSON_VALUE(e) = ")
                    .param(element)
                    .text(")")
            }
        });
        let rows = call("UNNEST", self.json_array(array)).text(" AS e");
        Ok(exists_element(rows, any_of(tests)))
    }
}

/// `text` with `\`, `quote` and control characters backslash-escaped.
fn escape_backslashes(text: &str, quote: char) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}
