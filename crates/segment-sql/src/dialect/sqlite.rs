//! SQLite: `instr`/`substr` text tests, ASCII-case-insensitive LIKE, the `regexp` user function,
//! `strftime` date parts and the JSON1 functions.

use segment_model::ir::DatePart;
use segment_model::schema::Storage;

use super::{call, call2, exists_element, operator_test, slice_is, Dialect};
use crate::error::Result;
use crate::fragment::Fragment;
use crate::value::SqlValue;

/// SQLite 3.38+ (JSON functions built in). Regular expressions need a `regexp(pattern, value)`
/// user function (Rust `regex` syntax, unanchored, NULL for a NULL value), which the data source
/// registers.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sqlite;

/// Lists longer than this are bound as one JSON array: SQLite refuses more than 32,766 bound
/// parameters in a statement.
const LONGEST_BOUND_LIST: usize = 500;

impl Dialect for Sqlite {
    fn name(&self) -> &'static str {
        "SQLite"
    }

    /// No `floor()` (the bundled SQLite has no math functions): the truncation, one less for
    /// a negative value with a fraction.
    fn floor_integer(&self, expr: Fragment, nonnegative: bool) -> Fragment {
        let truncated = Fragment::sql("CAST(").append(&expr).text(" AS INTEGER)");
        if nonnegative {
            return truncated;
        }
        truncated
            .clone()
            .text(" - ")
            .append(&expr.text(" < ").append(&truncated).parens())
            .parens()
    }

    /// Integer `/` and `%` truncate.
    fn div_mod(&self, expr: Fragment, divisor: Fragment) -> (Fragment, Fragment) {
        let quotient = expr.clone().text(" / ").append(&divisor).parens();
        (quotient, expr.text(" % ").append(&divisor).parens())
    }

    /// A long list is one bound JSON array read back by `json_each` (its elements keep their
    /// JSON types: text, integer, real, as bound values do, so comparisons are unchanged).
    fn in_list(&self, values: Vec<SqlValue>) -> Fragment {
        if values.len() <= LONGEST_BOUND_LIST {
            return Fragment::new().params(values);
        }
        self.member_keys(values)
    }

    /// One bound JSON array read by `json_each`, however many keys.
    fn member_keys(&self, values: Vec<SqlValue>) -> Fragment {
        let array: Vec<serde_json::Value> = values
            .into_iter()
            .map(|v| match v {
                SqlValue::Null => serde_json::Value::Null,
                SqlValue::Integer(i) => serde_json::Value::from(i),
                SqlValue::Real(f) => serde_json::Value::from(f),
                SqlValue::Text(t) => serde_json::Value::String(t),
            })
            .collect();
        Fragment::new()
            .text("SELECT value FROM json_each(")
            .param(SqlValue::Text(serde_json::Value::Array(array).to_string()))
            .text(")")
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

    fn position(&self, text: Fragment, needle: Fragment) -> Fragment {
        call2("instr", text, needle)
    }

    fn starts_with(&self, expr: Fragment, prefix: &str, negated: bool) -> Fragment {
        slice_is("substr", expr, ", 1, ", prefix, negated)
    }

    fn ends_with(&self, expr: Fragment, suffix: &str, negated: bool) -> Fragment {
        slice_is("substr", expr, ", -", suffix, negated)
    }

    /// SQLite's LIKE already folds ASCII case (unless `PRAGMA case_sensitive_like`, which the
    /// data source never sets).
    fn like(&self, expr: Fragment, pattern: &str, negated: bool) -> Fragment {
        self.like_operator(expr, pattern, negated)
    }

    /// SQLite's LIKE always folds ASCII case (the pragma is per connection, not per test), so
    /// the pattern is also translated to GLOB, which is case-sensitive: `x LIKE p ESCAPE '\'
    /// AND x GLOB g`. GLOB alone would do but for a trailing escape, which makes LIKE match
    /// nothing; both stop at NUL alike.
    fn like_case_sensitive(&self, expr: Fragment, pattern: &str, negated: bool) -> Fragment {
        let both = self
            .like_operator(expr.clone(), pattern, false)
            .text(" AND ")
            .append(&expr)
            .text(" GLOB ")
            .param(like_to_glob(pattern))
            .parens();
        if negated {
            Fragment::sql("NOT ").append(&both)
        } else {
            both
        }
    }

    /// `x REGEXP p` calls the user function `regexp(p, x)`.
    fn regex(&self, expr: Fragment, pattern: &str, negated: bool) -> Result<Fragment> {
        Ok(operator_test(
            expr,
            "REGEXP",
            "NOT REGEXP",
            pattern,
            negated,
        ))
    }

    fn char_length(&self, expr: Fragment) -> Fragment {
        call("length", expr)
    }

    fn date_part(&self, expr: Fragment, storage: Storage, part: DatePart) -> Result<Fragment> {
        let format = match part {
            DatePart::Year => "'%Y'",
            DatePart::Month => "'%m'",
            DatePart::DayOfMonth => "'%d'",
            DatePart::Weekday => "'%w'",
            DatePart::Hour => "'%H'",
        };
        // Milliseconds as fractional seconds: `strftime` reads a real Unix time exactly enough
        // for any calendar part.
        let (expr, modifier) = match storage {
            Storage::UnixSeconds => (expr, ", 'unixepoch'"),
            Storage::UnixMillis => (expr.text(" / 1000.0"), ", 'unixepoch'"),
            Storage::IsoDate | Storage::IsoDateTime | Storage::IsoDateTimeSpace => (expr, ""),
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
        let test = Fragment::sql("atom IN (").params(elements).text(")");
        Ok(exists_element(call("json_each", array), test))
    }

    fn array_text_items(&self, array: Fragment) -> Result<(Fragment, Fragment)> {
        let item = Fragment::sql("(CASE WHEN type = 'text' THEN value END)");
        Ok((call("json_each", array), item))
    }

    fn array_length_function(&self) -> Option<&'static str> {
        Some("json_array_length")
    }

    /// `strftime('%s', …)` reads every ISO form (a trailing `Z` too) as whole UTC seconds.
    fn epoch_seconds(&self, expr: Fragment, storage: Storage) -> Result<Fragment> {
        match storage {
            Storage::IsoDate | Storage::IsoDateTime | Storage::IsoDateTimeSpace => {
                Ok(Fragment::sql("CAST(strftime('%s', ")
                    .append(&expr)
                    .text(") AS INTEGER)"))
            }
            other => super::default_epoch_seconds(self, expr, other),
        }
    }

    fn period_key(
        &self,
        expr: Fragment,
        storage: Storage,
        unit: segment_model::tree::TimeUnit,
    ) -> Result<Fragment> {
        crate::periods::sqlite_period_key(self, expr, storage, unit)
    }
}

/// A LIKE pattern (`%`, `_`, `\` escapes) as the GLOB pattern matching the same texts with
/// case kept: `*`, `?`, and GLOB's own metacharacters as one-character classes.
fn like_to_glob(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut chars = pattern.chars();
    let literal = |out: &mut String, c: char| match c {
        '*' => out.push_str("[*]"),
        '?' => out.push_str("[?]"),
        '[' => out.push_str("[[]"),
        other => out.push(other),
    };
    while let Some(c) = chars.next() {
        match c {
            '%' => out.push('*'),
            '_' => out.push('?'),
            '\\' => {
                // A trailing escape: LIKE already matches nothing.
                if let Some(escaped) = chars.next() {
                    literal(&mut out, escaped);
                }
            }
            other => literal(&mut out, other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::like_to_glob;

    #[test]
    fn like_patterns_become_glob_patterns() {
        assert_eq!(like_to_glob("a%b_c"), "a*b?c");
        assert_eq!(like_to_glob("100\\%"), "100%");
        assert_eq!(like_to_glob("a\\_b"), "a_b");
        assert_eq!(like_to_glob("*?[]"), "[*][?][[]]");
        assert_eq!(like_to_glob("x\\\\y"), "x\\y");
        assert_eq!(like_to_glob("abc\\"), "abc");
    }
}
