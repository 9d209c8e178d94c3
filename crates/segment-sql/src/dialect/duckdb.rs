//! DuckDB over the same storage shapes as SQLite data (ISO text dates, integer Unix seconds, 0/1
//! integers, JSON array text), e.g. the CSV/NDJSON exports or the SQLite file attached.

use segment_model::ir::DatePart;
use segment_model::schema::Storage;

use super::Dialect;
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

    fn contains(&self, expr: Fragment, needle: &str, negated: bool) -> Fragment {
        let test = if negated { ") = 0" } else { ") > 0" };
        Fragment::sql("strpos(")
            .append(&expr)
            .text(", ")
            .param(needle)
            .text(test)
    }

    fn starts_with(&self, expr: Fragment, prefix: &str, negated: bool) -> Fragment {
        let not = if negated { "NOT " } else { "" };
        Fragment::sql(format!("{not}starts_with("))
            .append(&expr)
            .text(", ")
            .param(prefix)
            .text(")")
    }

    fn ends_with(&self, expr: Fragment, suffix: &str, negated: bool) -> Fragment {
        let not = if negated { "NOT " } else { "" };
        Fragment::sql(format!("{not}ends_with("))
            .append(&expr)
            .text(", ")
            .param(suffix)
            .text(")")
    }

    fn regex(&self, expr: Fragment, pattern: &str, negated: bool) -> Result<Fragment> {
        let not = if negated { "NOT " } else { "" };
        Ok(Fragment::sql(format!("{not}regexp_matches("))
            .append(&expr)
            .text(", ")
            .param(pattern)
            .text(")"))
    }

    fn char_length(&self, expr: Fragment) -> Fragment {
        Fragment::sql("length(").append(&expr).text(")")
    }

    fn date_part(&self, expr: Fragment, storage: Storage, part: DatePart) -> Result<Fragment> {
        let field = match part {
            DatePart::Year => "year",
            DatePart::Month => "month",
            DatePart::DayOfMonth => "day",
            DatePart::Weekday => "dow",
        };
        let instant = match storage {
            // `make_timestamp(µs)` is a timestamp without time zone: UTC, whatever the session's.
            Storage::UnixSeconds => Fragment::sql("make_timestamp(CAST(")
                .append(&expr)
                .text(" AS BIGINT) * 1000000)"),
            // A trailing `Z` is accepted and the value kept as UTC.
            Storage::IsoDate | Storage::IsoDateTime | Storage::IsoDateTimeSpace => {
                Fragment::sql("CAST(").append(&expr).text(" AS TIMESTAMP)")
            }
            Storage::Text
            | Storage::Integer
            | Storage::Real
            | Storage::Boolean
            | Storage::JsonArray => return Err(self.unsupported("date parts of non-date columns")),
        };
        Ok(Fragment::sql(format!("CAST(EXTRACT({field} FROM "))
            .append(&instant)
            .text(") AS INTEGER)"))
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
        let mut frag = Fragment::sql("EXISTS (SELECT 1 FROM json_each(")
            .append(&array)
            .text(") AS e WHERE ");
        if tests.is_empty() {
            return Ok(frag.text("FALSE)"));
        }
        for (i, test) in tests.iter().enumerate() {
            if i > 0 {
                frag = frag.text(" OR ");
            }
            frag = frag.append(test);
        }
        Ok(frag.text(")"))
    }

    fn array_length(&self, array: Fragment) -> Result<Fragment> {
        Ok(Fragment::sql("CAST(json_array_length(")
            .append(&array)
            .text(") AS BIGINT)"))
    }
}
