//! SQLite: `instr`/`substr` text tests, ASCII-case-insensitive LIKE, the `regexp` user function,
//! `strftime` date parts and the JSON1 functions.

use segment_model::ir::DatePart;
use segment_model::schema::Storage;

use super::Dialect;
use crate::error::Result;
use crate::fragment::Fragment;
use crate::value::SqlValue;

/// SQLite 3.38+ (JSON functions built in). Regular expressions need a `regexp(pattern, value)`
/// user function (Rust `regex` syntax, unanchored, NULL for a NULL value), which the data source
/// registers.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sqlite;

impl Dialect for Sqlite {
    fn name(&self) -> &'static str {
        "SQLite"
    }

    /// SQLite's tokenizer stops at a NUL byte, so NULs are written as `char(0)`.
    fn string_literal(&self, value: &str) -> String {
        if !value.contains('\0') {
            return format!("'{}'", value.replace('\'', "''"));
        }
        let parts: Vec<String> = value
            .split('\0')
            .map(|part| format!("'{}'", part.replace('\'', "''")))
            .collect();
        format!("({})", parts.join(" || char(0) || "))
    }

    /// SQLite's `lower()` folds ASCII letters only (without the ICU extension, which the
    /// bundled build does not include).
    fn fold_case(&self, expr: Fragment) -> Fragment {
        Fragment::sql("lower(").append(&expr).text(")")
    }

    fn contains(&self, expr: Fragment, needle: &str, negated: bool) -> Fragment {
        let test = if negated { ") = 0" } else { ") > 0" };
        Fragment::sql("instr(")
            .append(&expr)
            .text(", ")
            .param(needle)
            .text(test)
    }

    fn starts_with(&self, expr: Fragment, prefix: &str, negated: bool) -> Fragment {
        let op = if negated { " <> " } else { " = " };
        let length = i64::try_from(prefix.chars().count()).unwrap_or(i64::MAX);
        Fragment::sql("substr(")
            .append(&expr)
            .text(", 1, ")
            .param(length)
            .text(")")
            .text(op)
            .param(prefix)
    }

    fn ends_with(&self, expr: Fragment, suffix: &str, negated: bool) -> Fragment {
        let op = if negated { " <> " } else { " = " };
        let length = i64::try_from(suffix.chars().count()).unwrap_or(i64::MAX);
        Fragment::sql("substr(")
            .append(&expr)
            .text(", -")
            .param(length)
            .text(")")
            .text(op)
            .param(suffix)
    }

    /// SQLite's LIKE already folds ASCII case (unless `PRAGMA case_sensitive_like`, which the
    /// data source never sets).
    fn like(&self, expr: Fragment, pattern: &str, negated: bool) -> Fragment {
        self.like_case_sensitive(expr, pattern, negated)
    }

    /// `x REGEXP p` calls the user function `regexp(p, x)`.
    fn regex(&self, expr: Fragment, pattern: &str, negated: bool) -> Result<Fragment> {
        let op = if negated { " NOT REGEXP " } else { " REGEXP " };
        Ok(expr.text(op).param(pattern))
    }

    fn char_length(&self, expr: Fragment) -> Fragment {
        Fragment::sql("length(").append(&expr).text(")")
    }

    fn date_part(&self, expr: Fragment, storage: Storage, part: DatePart) -> Result<Fragment> {
        let format = match part {
            DatePart::Year => "'%Y'",
            DatePart::Month => "'%m'",
            DatePart::DayOfMonth => "'%d'",
            DatePart::Weekday => "'%w'",
        };
        let modifier = match storage {
            Storage::UnixSeconds => ", 'unixepoch'",
            Storage::IsoDate | Storage::IsoDateTime | Storage::IsoDateTimeSpace => "",
            Storage::Text
            | Storage::Integer
            | Storage::Real
            | Storage::Boolean
            | Storage::JsonArray => return Err(self.unsupported("date parts of non-date columns")),
        };
        Ok(Fragment::sql(format!("CAST(strftime({format}, "))
            .append(&expr)
            .text(format!("{modifier}) AS INTEGER)")))
    }

    /// `atom` is NULL for nested arrays and objects, so only scalar elements compare.
    fn array_contains_any(&self, array: Fragment, elements: Vec<SqlValue>) -> Result<Fragment> {
        Ok(Fragment::sql("EXISTS (SELECT 1 FROM json_each(")
            .append(&array)
            .text(") WHERE atom IN (")
            .params(elements)
            .text("))"))
    }

    fn array_length(&self, array: Fragment) -> Result<Fragment> {
        Ok(Fragment::sql("json_array_length(").append(&array).text(")"))
    }
}
