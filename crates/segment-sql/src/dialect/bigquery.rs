//! BigQuery (GoogleSQL) over the same storage shapes as SQLite data: ISO text dates, integer Unix
//! seconds, 0/1 integers, JSON array text.

use segment_model::ir::DatePart;
use segment_model::schema::Storage;

use super::Dialect;
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

    fn contains(&self, expr: Fragment, needle: &str, negated: bool) -> Fragment {
        let test = if negated { ") = 0" } else { ") > 0" };
        Fragment::sql("STRPOS(")
            .append(&expr)
            .text(", ")
            .param(needle)
            .text(test)
    }

    fn starts_with(&self, expr: Fragment, prefix: &str, negated: bool) -> Fragment {
        let not = if negated { "NOT " } else { "" };
        Fragment::sql(format!("{not}STARTS_WITH("))
            .append(&expr)
            .text(", ")
            .param(prefix)
            .text(")")
    }

    fn ends_with(&self, expr: Fragment, suffix: &str, negated: bool) -> Fragment {
        let not = if negated { "NOT " } else { "" };
        Fragment::sql(format!("{not}ENDS_WITH("))
            .append(&expr)
            .text(", ")
            .param(suffix)
            .text(")")
    }

    /// BigQuery's LIKE has no ESCAPE clause: `\` is always its escape character.
    fn like_case_sensitive(&self, expr: Fragment, pattern: &str, negated: bool) -> Fragment {
        let op = if negated { " NOT LIKE " } else { " LIKE " };
        expr.text(op).param(pattern)
    }

    fn regex(&self, expr: Fragment, pattern: &str, negated: bool) -> Result<Fragment> {
        let not = if negated { "NOT " } else { "" };
        Ok(Fragment::sql(format!("{not}REGEXP_CONTAINS("))
            .append(&expr)
            .text(", ")
            .param(pattern)
            .text(")"))
    }

    fn date_part(&self, expr: Fragment, storage: Storage, part: DatePart) -> Result<Fragment> {
        let instant = match storage {
            Storage::UnixSeconds => Fragment::sql("TIMESTAMP_SECONDS(").append(&expr).text(")"),
            Storage::IsoDate | Storage::IsoDateTime | Storage::IsoDateTimeSpace => {
                Fragment::sql("CAST(").append(&expr).text(" AS TIMESTAMP)")
            }
            Storage::Text
            | Storage::Integer
            | Storage::Real
            | Storage::Boolean
            | Storage::JsonArray => return Err(self.unsupported("date parts of non-date columns")),
        };
        // EXTRACT from a TIMESTAMP is in UTC; DAYOFWEEK counts 1 = Sunday.
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
            DatePart::Weekday => Fragment::sql("(EXTRACT(DAYOFWEEK FROM ")
                .append(&instant)
                .text(") - 1)"),
        })
    }

    /// `JSON_QUERY_ARRAY` yields each element as JSON text: a string element starts with `"`.
    fn array_contains_any(&self, array: Fragment, elements: Vec<SqlValue>) -> Result<Fragment> {
        let mut frag = Fragment::sql("EXISTS (SELECT 1 FROM UNNEST(JSON_QUERY_ARRAY(")
            .append(&array)
            .text(")) AS e WHERE ");
        for (i, element) in elements.into_iter().enumerate() {
            if i > 0 {
                frag = frag.text(" OR ");
            }
            frag = match element {
                SqlValue::Integer(_) | SqlValue::Real(_) => frag
                    .text("(NOT STARTS_WITH(e, '\"') AND SAFE_CAST(JSON_VALUE(e) AS FLOAT64) = ")
                    .param(element)
                    .text(")"),
                SqlValue::Text(_) | SqlValue::Null => frag
                    .text("(STARTS_WITH(e, '\"') AND JSON_VALUE(e) = ")
                    .param(element)
                    .text(")"),
            };
        }
        Ok(frag.text(")"))
    }

    fn array_length(&self, array: Fragment) -> Result<Fragment> {
        Ok(Fragment::sql("ARRAY_LENGTH(JSON_QUERY_ARRAY(")
            .append(&array)
            .text("))"))
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
