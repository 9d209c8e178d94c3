//! Snowflake over the same storage shapes as SQLite data: ISO text dates, integer Unix seconds,
//! 0/1 integers, JSON array text.

use super::{any_of, call, call2};
use super::{Dialect, WeekdayField};
use crate::error::Result;
use crate::fragment::Fragment;
use crate::value::SqlValue;

/// Snowflake: `?` placeholders (the connectors' `qmark` style), backslash escapes in string
/// literals, POSIX regular expressions and semi-structured (`VARIANT`) arrays.
#[derive(Debug, Clone, Copy, Default)]
pub struct Snowflake;

impl Dialect for Snowflake {
    fn name(&self) -> &'static str {
        "Snowflake"
    }

    /// `'…'` with quotes doubled and backslashes escaped: Snowflake reads `\` in a single-quoted
    /// literal as an escape.
    fn string_literal(&self, value: &str) -> String {
        let mut out = String::with_capacity(value.len() + 2);
        out.push('\'');
        for c in value.chars() {
            match c {
                '\'' => out.push_str("''"),
                '\\' => out.push_str("\\\\"),
                '\0' => out.push_str("\\0"),
                c => out.push(c),
            }
        }
        out.push('\'');
        out
    }

    fn starts_with_function(&self) -> Option<&'static str> {
        Some("STARTSWITH")
    }

    fn ends_with_function(&self) -> Option<&'static str> {
        Some("ENDSWITH")
    }

    /// `REGEXP_LIKE` matches the whole text, so an unanchored search is `REGEXP_INSTR(…) > 0`.
    fn regex(&self, expr: Fragment, pattern: &str, negated: bool) -> Result<Fragment> {
        let test = if negated { " = 0" } else { " > 0" };
        Ok(call2("REGEXP_INSTR", expr, Fragment::value(pattern)).text(test))
    }

    fn char_length(&self, expr: Fragment) -> Fragment {
        call("LENGTH", expr)
    }

    fn timestamp_type(&self) -> &'static str {
        "TIMESTAMP_NTZ"
    }

    fn timestamp_of_unix_seconds(&self, expr: Fragment) -> Option<Fragment> {
        Some(call("TO_TIMESTAMP_NTZ", expr))
    }

    /// DAYOFWEEK depends on the session's WEEK_START; DAYOFWEEK_ISO (1 = Monday … 7 = Sunday)
    /// does not.
    fn weekday_field(&self) -> Option<WeekdayField> {
        Some(WeekdayField::Monday1("DAYOFWEEK_ISO"))
    }

    fn json_array(&self, text: Fragment) -> Fragment {
        call("PARSE_JSON", text)
    }

    fn array_length_function(&self) -> Option<&'static str> {
        Some("ARRAY_SIZE")
    }

    /// Elements compare as VARIANT values: a string equals only a string, numbers by value.
    fn array_contains_any(&self, array: Fragment, elements: Vec<SqlValue>) -> Result<Fragment> {
        let array = self.json_array(array);
        let tests = elements.into_iter().map(|element| {
            call2(
                "ARRAY_CONTAINS",
                call("TO_VARIANT", Fragment::value(element)),
                array.clone(),
            )
        });
        Ok(any_of(tests).parens())
    }
}
