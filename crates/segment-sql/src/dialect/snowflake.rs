//! Snowflake over the same storage shapes as SQLite data: ISO text dates, integer Unix seconds,
//! 0/1 integers, JSON array text.

use segment_model::ir::DatePart;
use segment_model::schema::Storage;

use super::Dialect;
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

    fn starts_with(&self, expr: Fragment, prefix: &str, negated: bool) -> Fragment {
        let not = if negated { "NOT " } else { "" };
        Fragment::sql(format!("{not}STARTSWITH("))
            .append(&expr)
            .text(", ")
            .param(prefix)
            .text(")")
    }

    fn ends_with(&self, expr: Fragment, suffix: &str, negated: bool) -> Fragment {
        let not = if negated { "NOT " } else { "" };
        Fragment::sql(format!("{not}ENDSWITH("))
            .append(&expr)
            .text(", ")
            .param(suffix)
            .text(")")
    }

    /// `REGEXP_LIKE` matches the whole text, so an unanchored search is `REGEXP_INSTR(…) > 0`.
    fn regex(&self, expr: Fragment, pattern: &str, negated: bool) -> Result<Fragment> {
        let test = if negated { ") = 0" } else { ") > 0" };
        Ok(Fragment::sql("REGEXP_INSTR(")
            .append(&expr)
            .text(", ")
            .param(pattern)
            .text(test))
    }

    fn char_length(&self, expr: Fragment) -> Fragment {
        Fragment::sql("LENGTH(").append(&expr).text(")")
    }

    fn date_part(&self, expr: Fragment, storage: Storage, part: DatePart) -> Result<Fragment> {
        let instant = match storage {
            Storage::UnixSeconds => Fragment::sql("TO_TIMESTAMP_NTZ(").append(&expr).text(")"),
            Storage::IsoDate | Storage::IsoDateTime | Storage::IsoDateTimeSpace => {
                Fragment::sql("CAST(")
                    .append(&expr)
                    .text(" AS TIMESTAMP_NTZ)")
            }
            Storage::Text
            | Storage::Integer
            | Storage::Real
            | Storage::Boolean
            | Storage::JsonArray => return Err(self.unsupported("date parts of non-date columns")),
        };
        // DAYOFWEEK depends on the session's WEEK_START; DAYOFWEEK_ISO (1 = Monday … 7 = Sunday)
        // does not.
        Ok(match part {
            DatePart::Year => Fragment::sql("EXTRACT(YEAR FROM ")
                .append(&instant)
                .text(")"),
            DatePart::Month => Fragment::sql("EXTRACT(MONTH FROM ")
                .append(&instant)
                .text(")"),
            DatePart::DayOfMonth => Fragment::sql("EXTRACT(DAY FROM ")
                .append(&instant)
                .text(")"),
            DatePart::Weekday => Fragment::sql("MOD(EXTRACT(DAYOFWEEK_ISO FROM ")
                .append(&instant)
                .text("), 7)"),
        })
    }

    /// Elements compare as VARIANT values: a string equals only a string, numbers by value.
    fn array_contains_any(&self, array: Fragment, elements: Vec<SqlValue>) -> Result<Fragment> {
        let mut frag = Fragment::sql("(");
        for (i, element) in elements.into_iter().enumerate() {
            if i > 0 {
                frag = frag.text(" OR ");
            }
            frag = frag
                .text("ARRAY_CONTAINS(TO_VARIANT(")
                .param(element)
                .text("), PARSE_JSON(")
                .append(&array)
                .text("))");
        }
        Ok(frag.text(")"))
    }

    fn array_length(&self, array: Fragment) -> Result<Fragment> {
        Ok(Fragment::sql("ARRAY_SIZE(PARSE_JSON(")
            .append(&array)
            .text("))"))
    }
}
