//! SQL dialects: how each engine spells the constructs the compiler needs.
//!
//! Every method has a generic (ANSI-leaning) default; a dialect overrides only what it spells
//! differently, the way sea-query's backends and PRQL's dialect table do. The compiler decides
//! *what* to test (semantics, NULL handling, date rounding); a dialect decides only *how* to
//! write it. Methods that build expressions receive the operand as a [`Fragment`] and user
//! values as plain Rust values, which they must attach with [`Fragment::param`] so values stay
//! bound parameters in executable SQL.

mod ansi;
mod bigquery;
mod duckdb;
mod postgres;
mod snowflake;
mod sqlite;

pub use ansi::Ansi;
pub use bigquery::BigQuery;
pub use duckdb::DuckDb;
pub use postgres::Postgres;
pub use snowflake::Snowflake;
pub use sqlite::Sqlite;

use segment_model::ir::DatePart;
use segment_model::schema::Storage;

use crate::error::{Error, Result};
use crate::fragment::Fragment;
use crate::time::{format_date, format_datetime, SECONDS_PER_DAY};
use crate::value::SqlValue;

/// How one SQL engine writes the constructs segments compile to.
pub trait Dialect {
    /// The engine's name, used in error messages (e.g. `SQLite`).
    fn name(&self) -> &'static str;

    /// An identifier, always quoted: `"name"`, embedded quotes doubled.
    fn quote_identifier(&self, name: &str) -> String {
        format!("\"{}\"", name.replace('"', "\"\""))
    }

    /// The placeholder of the `index`-th bound parameter (counting from 1) that will hold
    /// `value` (engines that infer a parameter's type from its context may need a cast).
    fn placeholder(&self, index: usize, value: &SqlValue) -> String {
        let _ = (index, value);
        "?".to_string()
    }

    /// A string literal for displayed SQL: `'…'` with embedded quotes doubled.
    fn string_literal(&self, value: &str) -> String {
        format!("'{}'", value.replace('\'', "''"))
    }

    /// A value written inline, for displayed SQL.
    fn literal(&self, value: &SqlValue) -> Result<String> {
        match value {
            SqlValue::Null => Ok("NULL".to_string()),
            SqlValue::Integer(i) => Ok(i.to_string()),
            SqlValue::Real(f) => real_literal(*f),
            SqlValue::Text(s) => Ok(self.string_literal(s)),
        }
    }

    /// The boolean constants `TRUE` / `FALSE`.
    fn boolean_literal(&self, value: bool) -> &'static str {
        if value {
            "TRUE"
        } else {
            "FALSE"
        }
    }

    /// The stored value of a boolean column holding 0/1.
    fn boolean_value(&self, value: bool) -> SqlValue {
        SqlValue::Integer(i64::from(value))
    }

    /// The constant a column of this storage is compared with for the instant `at` (Unix
    /// seconds; for `IsoDate`, a midnight). `None` when the storage holds no time.
    fn time_value(&self, storage: Storage, at: i64) -> Option<SqlValue> {
        match storage {
            Storage::UnixSeconds => Some(SqlValue::Integer(at)),
            Storage::IsoDate => Some(SqlValue::Text(format_date(at.div_euclid(SECONDS_PER_DAY)))),
            Storage::IsoDateTime => Some(SqlValue::Text(format_datetime(at, 'T'))),
            Storage::IsoDateTimeSpace => Some(SqlValue::Text(format_datetime(at, ' '))),
            Storage::Text
            | Storage::Integer
            | Storage::Real
            | Storage::Boolean
            | Storage::JsonArray => None,
        }
    }

    /// A text time column as compared with ISO text constants (e.g. with a byte-order
    /// collation where the default collation might not order ISO text as time).
    fn time_text_operand(&self, expr: Fragment) -> Fragment {
        expr
    }

    /// ASCII case folding of a text expression (the compiler folds the bound value in Rust).
    /// Only ASCII letters fold, as the IR specifies; `lower()` folds every letter in most
    /// engines, hence `TRANSLATE` by default.
    fn fold_case(&self, expr: Fragment) -> Fragment {
        Fragment::sql("TRANSLATE(")
            .append(&expr)
            .text(", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')")
    }

    /// `expr` contains `needle` (never empty), or with `negated` does not; NULL when `expr` is.
    fn contains(&self, expr: Fragment, needle: &str, negated: bool) -> Fragment {
        let test = if negated { ") = 0" } else { ") > 0" };
        Fragment::sql("POSITION(")
            .param(needle)
            .text(" IN ")
            .append(&expr)
            .text(test)
    }

    /// `expr` starts with `prefix` (never empty); NULL when `expr` is.
    fn starts_with(&self, expr: Fragment, prefix: &str, negated: bool) -> Fragment {
        self.like_case_sensitive(expr, &format!("{}%", escape_like(prefix)), negated)
    }

    /// `expr` ends with `suffix` (never empty); NULL when `expr` is.
    fn ends_with(&self, expr: Fragment, suffix: &str, negated: bool) -> Fragment {
        self.like_case_sensitive(expr, &format!("%{}", escape_like(suffix)), negated)
    }

    /// A case-sensitive LIKE with `\` as the escape character.
    fn like_case_sensitive(&self, expr: Fragment, pattern: &str, negated: bool) -> Fragment {
        let op = if negated { " NOT LIKE " } else { " LIKE " };
        expr.text(op)
            .param(pattern)
            .text(" ESCAPE ")
            .text(self.string_literal("\\"))
    }

    /// SQL LIKE with `\` escapes, folding ASCII case.
    fn like(&self, expr: Fragment, pattern: &str, negated: bool) -> Fragment {
        self.like_case_sensitive(self.fold_case(expr), &pattern.to_ascii_lowercase(), negated)
    }

    /// An unanchored regular expression search (Rust `regex` syntax).
    fn regex(&self, expr: Fragment, pattern: &str, negated: bool) -> Result<Fragment> {
        let _ = (expr, pattern, negated);
        Err(self.unsupported("regular expressions"))
    }

    /// The length of a text in characters.
    fn char_length(&self, expr: Fragment) -> Fragment {
        Fragment::sql("CHAR_LENGTH(").append(&expr).text(")")
    }

    /// A UTC date part of a time column, as an integer (weekday: 0 = Sunday).
    fn date_part(&self, expr: Fragment, storage: Storage, part: DatePart) -> Result<Fragment> {
        let field = match part {
            DatePart::Year => "YEAR",
            DatePart::Month => "MONTH",
            DatePart::DayOfMonth => "DAY",
            DatePart::Weekday => return Err(self.unsupported("the weekday of a date")),
        };
        match storage {
            Storage::IsoDate | Storage::IsoDateTime | Storage::IsoDateTimeSpace => {
                Ok(Fragment::sql(format!("EXTRACT({field} FROM CAST("))
                    .append(&expr)
                    .text(" AS TIMESTAMP))"))
            }
            Storage::UnixSeconds => Err(self.unsupported("date parts of Unix-time columns")),
            Storage::Text
            | Storage::Integer
            | Storage::Real
            | Storage::Boolean
            | Storage::JsonArray => Err(self.unsupported("date parts of non-date columns")),
        }
    }

    /// The JSON array in `array` has at least one element equal to one of `elements` (not
    /// empty); FALSE or NULL when `array` is NULL.
    fn array_contains_any(&self, array: Fragment, elements: Vec<SqlValue>) -> Result<Fragment> {
        let _ = (array, elements);
        Err(self.unsupported("JSON array membership"))
    }

    /// The number of elements of the JSON array in `array`; NULL when `array` is NULL.
    fn array_length(&self, array: Fragment) -> Result<Fragment> {
        let _ = array;
        Err(self.unsupported("JSON array sizes"))
    }

    /// The error for a construct this dialect cannot express.
    fn unsupported(&self, construct: &str) -> Error {
        Error::Unsupported {
            dialect: self.name(),
            construct: construct.to_string(),
        }
    }
}

/// `%`, `_` and `\` escaped with `\`, for a LIKE pattern matching `text` literally.
pub fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A finite float written so that it reads back as the same REAL (`1.0`, `2.5e-7`).
pub fn real_literal(value: f64) -> Result<String> {
    if !value.is_finite() {
        return Err(Error::NonFiniteNumber(value));
    }
    let text = format!("{value:?}");
    if text.contains(['.', 'e', 'E']) {
        Ok(text)
    } else {
        Ok(format!("{text}.0"))
    }
}
