//! Apache Spark SQL (Spark 4, through Spark Connect) over the same storage shapes as SQLite data
//! (ISO text dates, integer Unix seconds or milliseconds, 0/1 integers, JSON array text), e.g.
//! Parquet or Delta tables holding a copy of the data.

use segment_model::schema::Storage;

use super::{call, call2, cast, operator_test, real_literal};
use super::{Dialect, WeekdayField};
use crate::error::Result;
use crate::fragment::Fragment;
use crate::value::SqlValue;

/// Spark SQL 4.x with its defaults (ANSI mode on, backslash escapes in string literals). Values
/// are named parameters `:p1`, `:p2`… (Spark Connect's named arguments). Times are read in UTC:
/// the session must run with `spark.sql.session.timeZone=UTC` (the Spark backend sets it).
/// Regular expressions use Java's engine (`RLIKE`, an unanchored search), which agrees with
/// Rust's `regex` on the syntax both share.
#[derive(Debug, Clone, Copy, Default)]
pub struct Spark;

impl Dialect for Spark {
    fn name(&self) -> &'static str {
        "Spark"
    }

    /// `DIV` is integer division (`/` gives a DOUBLE).
    fn div_mod(&self, expr: Fragment, divisor: Fragment) -> (Fragment, Fragment) {
        let quotient = expr.clone().text(" DIV ").append(&divisor).parens();
        (quotient, expr.text(" % ").append(&divisor).parens())
    }

    // Spark resolves an outer reference only from the query just outside
    // (`UNRESOLVED_COLUMN` otherwise).
    fn deep_correlation(&self) -> bool {
        false
    }

    // Spark plans `key NOT IN (select)`, and `key IN (select)` under NOT or OR, as a
    // null-aware join: a broadcast of the sub-select's keys (the driver builds it; at 1M
    // profiles a 1 GB driver ran out of memory) or a nested loop over every pair of rows (a
    // count that did not finish). `EXISTS` with the key equality is a plain (anti/existence)
    // hash or sort-merge join.
    fn related_as_exists(&self) -> bool {
        true
    }

    /// `LIMIT` takes an INT.
    fn largest_limit(&self) -> u64 {
        i32::MAX as u64
    }

    fn quote_identifier(&self, name: &str) -> String {
        format!("`{}`", name.replace('`', "``"))
    }

    fn placeholder(&self, index: usize, value: &SqlValue) -> String {
        let _ = value;
        format!(":p{index}")
    }

    /// Backslash is an escape character in Spark's string literals: it and the quote are
    /// escaped with it.
    fn string_literal(&self, value: &str) -> String {
        let mut out = String::with_capacity(value.len() + 2);
        out.push('\'');
        for c in value.chars() {
            if matches!(c, '\\' | '\'') {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('\'');
        out
    }

    /// `1.5` would be a DECIMAL literal in Spark: reals carry the DOUBLE suffix `D`.
    fn literal(&self, value: &SqlValue) -> Result<String> {
        match value {
            SqlValue::Null => Ok("NULL".to_string()),
            SqlValue::Integer(i) => Ok(i.to_string()),
            SqlValue::Real(f) => Ok(format!("{}D", real_literal(*f)?)),
            SqlValue::Text(s) => Ok(self.string_literal(s)),
        }
    }

    fn position(&self, text: Fragment, needle: Fragment) -> Fragment {
        call2("instr", text, needle)
    }

    fn starts_with_function(&self) -> Option<&'static str> {
        Some("startswith")
    }

    fn ends_with_function(&self) -> Option<&'static str> {
        Some("endswith")
    }

    fn regex(&self, expr: Fragment, pattern: &str, negated: bool) -> Result<Fragment> {
        Ok(operator_test(expr, "RLIKE", "NOT RLIKE", pattern, negated))
    }

    fn char_length(&self, expr: Fragment) -> Fragment {
        call("char_length", expr)
    }

    fn timestamp_of_unix_seconds(&self, expr: Fragment) -> Option<Fragment> {
        Some(call("timestamp_seconds", expr))
    }

    fn timestamp_of_unix_millis(&self, expr: Fragment) -> Option<Fragment> {
        Some(call("timestamp_millis", expr))
    }

    fn weekday_field(&self) -> Option<WeekdayField> {
        Some(WeekdayField::Sunday1("DAYOFWEEK"))
    }

    fn array_length_function(&self) -> Option<&'static str> {
        Some("json_array_length")
    }

    /// Elements compare as JSON values (a string equals only a string, numbers by value): the
    /// text is parsed to a VARIANT array and each element's type read with `schema_of_variant`.
    fn array_contains_any(&self, array: Fragment, elements: Vec<SqlValue>) -> Result<Fragment> {
        let (texts, numbers): (Vec<SqlValue>, Vec<SqlValue>) = elements
            .into_iter()
            .partition(|e| matches!(e, SqlValue::Text(_) | SqlValue::Null));
        let mut tests = Vec::new();
        if !texts.is_empty() {
            tests.push(
                Fragment::sql("(schema_of_variant(e) = 'STRING' AND CAST(e AS STRING) IN (")
                    .params(texts)
                    .text("))"),
            );
        }
        if !numbers.is_empty() {
            tests.push(
                Fragment::sql(
                    "(schema_of_variant(e) RLIKE '^(TINYINT|SMALLINT|INT|BIGINT|FLOAT|DOUBLE|DECIMAL)' AND CAST(e AS DOUBLE) IN (",
                )
                .params(numbers)
                .text("))"),
            );
        }
        let elements = cast(call("parse_json", array), "ARRAY<VARIANT>");
        Ok(Fragment::sql("exists(")
            .append(&elements)
            .text(", e -> ")
            .append(&super::any_of(tests))
            .text(")"))
    }

    /// `exists` / `forall` over the text parsed to a VARIANT array: an item's text is NULL
    /// unless it is a string, a NULL test fails, and a NULL array fails (the outer COALESCE).
    fn array_item_test(
        &self,
        array: Fragment,
        every: bool,
        passes: &dyn Fn(Fragment) -> Fragment,
    ) -> Result<Fragment> {
        let items = cast(call("parse_json", array), "ARRAY<VARIANT>");
        let item =
            Fragment::sql("(CASE WHEN schema_of_variant(e) = 'STRING' THEN CAST(e AS STRING) END)");
        let function = if every { "forall(" } else { "exists(" };
        Ok(Fragment::sql("COALESCE(")
            .text(function)
            .append(&items)
            .text(", e -> COALESCE(")
            .append(&passes(item))
            .text(", FALSE)), FALSE)"))
    }

    /// `unix_date`: days since 1970-01-01 as an integer (a DATE minus a DATE is an interval).
    fn day_number(&self, instant: Fragment) -> Fragment {
        call("unix_date", cast(instant, "DATE"))
    }

    /// `unix_seconds` floors to the second.
    fn epoch_of_timestamp(&self, instant: Fragment) -> Fragment {
        call("unix_seconds", instant)
    }

    /// Spark's `/` divides as DOUBLE; `FLOOR` of it is the whole second as a BIGINT (exact:
    /// milliseconds of any real instant fit a double's 53 bits).
    fn epoch_seconds(&self, expr: Fragment, storage: Storage) -> Result<Fragment> {
        match storage {
            Storage::UnixMillis => Ok(call("FLOOR", expr.text(" / 1000"))),
            _ => super::default_epoch_seconds(self, expr, storage),
        }
    }
}
