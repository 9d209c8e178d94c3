//! SQL dialects: how each engine spells the constructs the compiler needs.
//!
//! The trait is layered the way sea-query's `prepare_*` backends are: small *spelling hooks*
//! (string position, a `starts_with` function, the engine's LIKE, the timestamp type, Unix
//! seconds to a timestamp, the `EXTRACT` field of a date part and how the weekday field counts,
//! the engine's JSON array value and its length function) each with a generic (ANSI-leaning)
//! default, and *shape methods* (contains, starts/ends with, LIKE folding case or not, a date
//! part of a column of any storage, array size) whose default builds the shared SQL once from
//! the hooks. A dialect overrides a hook where its engine spells a piece differently, and a
//! shape method only where the shape itself differs (SQLite's `strftime`, `substr` slices,
//! LIKE + GLOB; PostgreSQL's `right`; each engine's array membership). The helpers below
//! (`call`, `call_test`, `cast`, `extract`, `exists_element`…) keep those overrides to a line.
//!
//! The compiler decides *what* to test (semantics, NULL handling, date rounding); a dialect
//! decides only *how* to write it. Methods that build expressions receive the operand as a
//! [`Fragment`] and user values as plain Rust values, which they must attach with
//! [`Fragment::param`] so values stay bound parameters in executable SQL.

mod ansi;
mod bigquery;
mod duckdb;
mod postgres;
mod snowflake;
mod spark;
mod sqlite;

pub use ansi::Ansi;
pub use bigquery::BigQuery;
pub use duckdb::DuckDb;
pub use postgres::Postgres;
pub use snowflake::Snowflake;
pub use spark::Spark;
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

    /// The operands of `IN (…)`: every value bound on its own (`?, ?, …`).
    fn in_list(&self, values: Vec<SqlValue>) -> Fragment {
        Fragment::new().params(values)
    }

    /// The keys of a static segment's members, inside `key IN (…)`: by default a bound list
    /// (`?, ?, …`); an engine that reads a JSON array binds them all as one parameter.
    fn member_keys(&self, values: Vec<SqlValue>) -> Fragment {
        self.in_list(values)
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
            Storage::UnixMillis => at.checked_mul(1000).map(SqlValue::Integer),
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

    /// A text column compared in byte order (UTF-8 bytes = code points): the engines'
    /// default for text without a collation (SQLite BINARY, DuckDB, Spark UTF8_BINARY,
    /// BigQuery, Snowflake); PostgreSQL's `COLLATE "C"` (see `time_text_operand`).
    fn binary_text(&self, expr: Fragment) -> Fragment {
        self.time_text_operand(expr)
    }

    /// ASCII case folding of a text expression (the compiler folds the bound value in Rust).
    /// Only ASCII letters fold, as the IR specifies; `lower()` folds every letter in most
    /// engines, hence `TRANSLATE` by default.
    fn fold_case(&self, expr: Fragment) -> Fragment {
        Fragment::sql("TRANSLATE(")
            .append(&expr)
            .text(", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')")
    }

    // Text: one-line spellings, then the tests built from them.

    /// The 1-based position of `needle` in `text`, 0 when absent: `POSITION(needle IN text)`.
    fn position(&self, text: Fragment, needle: Fragment) -> Fragment {
        Fragment::sql("POSITION(")
            .append(&needle)
            .text(" IN ")
            .append(&text)
            .text(")")
    }

    /// The engine's `f(text, prefix)` testing a prefix, if it has one (else `LIKE 'p%'`).
    fn starts_with_function(&self) -> Option<&'static str> {
        None
    }

    /// The engine's `f(text, suffix)` testing a suffix, if it has one (else `LIKE '%s'`).
    fn ends_with_function(&self) -> Option<&'static str> {
        None
    }

    /// The engine's own `LIKE` with `\` as the escape character, whatever its case rules.
    fn like_operator(&self, expr: Fragment, pattern: &str, negated: bool) -> Fragment {
        let op = if negated { " NOT LIKE " } else { " LIKE " };
        expr.text(op)
            .param(pattern)
            .text(" ESCAPE ")
            .text(self.string_literal("\\"))
    }

    /// The length of a text in characters.
    fn char_length(&self, expr: Fragment) -> Fragment {
        call("CHAR_LENGTH", expr)
    }

    /// `expr` contains `needle` (never empty), or with `negated` does not; NULL when `expr` is.
    fn contains(&self, expr: Fragment, needle: &str, negated: bool) -> Fragment {
        let test = if negated { " = 0" } else { " > 0" };
        self.position(expr, Fragment::value(needle)).text(test)
    }

    /// `expr` starts with `prefix` (never empty); NULL when `expr` is.
    fn starts_with(&self, expr: Fragment, prefix: &str, negated: bool) -> Fragment {
        match self.starts_with_function() {
            Some(function) => call_test(function, expr, prefix, negated),
            None => self.like_case_sensitive(expr, &format!("{}%", escape_like(prefix)), negated),
        }
    }

    /// `expr` ends with `suffix` (never empty); NULL when `expr` is.
    fn ends_with(&self, expr: Fragment, suffix: &str, negated: bool) -> Fragment {
        match self.ends_with_function() {
            Some(function) => call_test(function, expr, suffix, negated),
            None => self.like_case_sensitive(expr, &format!("%{}", escape_like(suffix)), negated),
        }
    }

    /// A case-sensitive LIKE with `\` as the escape character.
    fn like_case_sensitive(&self, expr: Fragment, pattern: &str, negated: bool) -> Fragment {
        self.like_operator(expr, pattern, negated)
    }

    /// SQL LIKE with `\` escapes, folding ASCII case.
    fn like(&self, expr: Fragment, pattern: &str, negated: bool) -> Fragment {
        self.like_operator(self.fold_case(expr), &pattern.to_ascii_lowercase(), negated)
    }

    /// An unanchored regular expression search (Rust `regex` syntax).
    fn regex(&self, expr: Fragment, pattern: &str, negated: bool) -> Result<Fragment> {
        let _ = (expr, pattern, negated);
        Err(self.unsupported("regular expressions"))
    }

    // Date parts: where an instant comes from, how a field is extracted, how weekdays count.

    /// The type ISO text is cast to for its date parts (a timestamp without time zone, so the
    /// text's wall clock, which is UTC, is kept).
    fn timestamp_type(&self) -> &'static str {
        "TIMESTAMP"
    }

    /// Integer Unix seconds as a timestamp of the UTC wall clock, if the engine can say it.
    fn timestamp_of_unix_seconds(&self, expr: Fragment) -> Option<Fragment> {
        let _ = expr;
        None
    }

    /// Integer Unix milliseconds as a timestamp of the UTC wall clock, if the engine can say
    /// it: by default the seconds (`ms / 1000.0`, exact enough for any calendar part) through
    /// [`Dialect::timestamp_of_unix_seconds`]. Engines whose function takes only integers
    /// override it.
    fn timestamp_of_unix_millis(&self, expr: Fragment) -> Option<Fragment> {
        self.timestamp_of_unix_seconds(expr.text(" / 1000.0"))
    }

    /// The `EXTRACT` field of a calendar part. The weekday is asked of
    /// [`Dialect::weekday_field`] instead (whose numbering differs between engines), never here.
    fn date_field(&self, part: DatePart) -> &'static str {
        match part {
            DatePart::Year => "YEAR",
            DatePart::Month => "MONTH",
            DatePart::DayOfMonth => "DAY",
            DatePart::Weekday => "DOW",
            DatePart::Hour => "HOUR",
        }
    }

    /// The engine's weekday field and how it numbers days, if it has one.
    fn weekday_field(&self) -> Option<WeekdayField> {
        None
    }

    /// `EXTRACT(field FROM instant)`, as an integer.
    fn extract(&self, field: &str, instant: Fragment) -> Fragment {
        extract(field, instant)
    }

    /// A UTC date part of a time column, as an integer (weekday: 0 = Sunday).
    fn date_part(&self, expr: Fragment, storage: Storage, part: DatePart) -> Result<Fragment> {
        let weekday = match part {
            DatePart::Weekday => Some(
                self.weekday_field()
                    .ok_or_else(|| self.unsupported("the weekday of a date"))?,
            ),
            DatePart::Year | DatePart::Month | DatePart::DayOfMonth | DatePart::Hour => None,
        };
        let instant = match storage {
            Storage::IsoDate | Storage::IsoDateTime | Storage::IsoDateTimeSpace => {
                cast(expr, self.timestamp_type())
            }
            Storage::UnixSeconds => self
                .timestamp_of_unix_seconds(expr)
                .ok_or_else(|| self.unsupported("date parts of Unix-time columns"))?,
            Storage::UnixMillis => self
                .timestamp_of_unix_millis(expr)
                .ok_or_else(|| self.unsupported("date parts of Unix-time columns"))?,
            Storage::Text
            | Storage::Integer
            | Storage::Real
            | Storage::Boolean
            | Storage::JsonArray => return Err(self.unsupported("date parts of non-date columns")),
        };
        Ok(match weekday {
            None => self.extract(self.date_field(part), instant),
            Some(WeekdayField::Sunday0(field)) => self.extract(field, instant),
            Some(WeekdayField::Sunday1(field)) => Fragment::sql("(")
                .append(&self.extract(field, instant))
                .text(" - 1)"),
            Some(WeekdayField::Monday1(field)) => Fragment::sql("MOD(")
                .append(&self.extract(field, instant))
                .text(", 7)"),
        })
    }

    // JSON arrays (stored as JSON text).

    /// The stored JSON text as the engine's JSON array value (as it is by default).
    fn json_array(&self, text: Fragment) -> Fragment {
        text
    }

    /// The engine's function counting the elements of [`Dialect::json_array`], if any.
    fn array_length_function(&self) -> Option<&'static str> {
        None
    }

    /// The JSON array in `array` has at least one element equal to one of `elements` (not
    /// empty); FALSE or NULL when `array` is NULL. Engines with a table function over the
    /// elements write it with [`exists_element`].
    fn array_contains_any(&self, array: Fragment, elements: Vec<SqlValue>) -> Result<Fragment> {
        let _ = (array, elements);
        Err(self.unsupported("JSON array membership"))
    }

    /// The rows of the JSON array in `array` (for [`exists_element`]) and, in them, an item's
    /// text: the string for a string element, NULL for any other element. No rows when `array`
    /// is NULL.
    fn array_text_items(&self, array: Fragment) -> Result<(Fragment, Fragment)> {
        let _ = array;
        Err(self.unsupported("tests on the items of a JSON array"))
    }

    /// "Some item of the JSON array in `array` passes", or with `every` "the array is not NULL
    /// and every item passes" (so an empty array passes); never NULL. `passes` builds the test
    /// on an item's text. By default an `EXISTS` over [`Dialect::array_text_items`]; a dialect
    /// with array lambdas overrides it.
    fn array_item_test(
        &self,
        array: Fragment,
        every: bool,
        passes: &dyn Fn(Fragment) -> Fragment,
    ) -> Result<Fragment> {
        let (rows, item) = self.array_text_items(array.clone())?;
        let test = passes(item.clone());
        Ok(if every {
            let fails = item.text(" IS NULL OR NOT ").append(&test.parens());
            let none_fails = Fragment::sql("NOT ").append(&exists_element(rows, fails));
            array.text(" IS NOT NULL AND ").append(&none_fails).parens()
        } else {
            exists_element(rows, test)
        })
    }

    /// The number of elements of the JSON array in `array`; NULL when `array` is NULL.
    fn array_length(&self, array: Fragment) -> Result<Fragment> {
        match self.array_length_function() {
            Some(function) => Ok(call(function, self.json_array(array))),
            None => Err(self.unsupported("JSON array sizes")),
        }
    }

    // Calendar periods (distinct days, weeks, months, years).

    /// Days since 1970-01-01 of a UTC timestamp, as an integer.
    fn day_number(&self, instant: Fragment) -> Fragment {
        Fragment::sql("(")
            .append(&cast(instant, "DATE"))
            .text(" - DATE '1970-01-01')")
    }

    /// One value per UTC calendar period (weeks from Monday) of a time column, for counting
    /// distinct periods; NULL when the column is. See `crate::periods`.
    fn period_key(
        &self,
        expr: Fragment,
        storage: Storage,
        unit: segment_model::tree::TimeUnit,
    ) -> Result<Fragment> {
        crate::periods::period_key(self, expr, storage, unit)
    }

    // Whole seconds (sequences of related records compare and add to them).

    /// Whole seconds since 1970-01-01T00:00:00Z of a UTC timestamp (fractions floored away).
    fn epoch_of_timestamp(&self, instant: Fragment) -> Fragment {
        Fragment::sql("FLOOR(EXTRACT(EPOCH FROM ")
            .append(&instant)
            .text("))")
    }

    /// Whole seconds since 1970 of a time column of any time storage, as the engine holds
    /// them (milliseconds floored to their second); NULL when the column is.
    fn epoch_seconds(&self, expr: Fragment, storage: Storage) -> Result<Fragment> {
        default_epoch_seconds(self, expr, storage)
    }

    /// Whether a correlated sub-query may refer to a query more than one level out, as a
    /// sequence of three or more steps, or with "no … in between", is written.
    fn deep_correlation(&self) -> bool {
        true
    }

    /// Whether a record's related records are tested as `EXISTS (select … AND fk = key)`
    /// rather than `key IN (select)` (`NOT EXISTS` for `NOT IN`). The two agree: the sub-select
    /// yields no NULL key, and a NULL join value is guarded by the compiler. Default: `IN`, the
    /// uncorrelated shape SQLite runs fastest.
    fn related_as_exists(&self) -> bool {
        false
    }

    /// `expr` rounded down to a 64-bit integer (`nonnegative`: `expr` is at least 0, so
    /// truncating will do): the whole part of a decimal amount (`segment_model::decimal`).
    fn floor_integer(&self, expr: Fragment, nonnegative: bool) -> Fragment {
        let _ = nonnegative;
        cast(call("FLOOR", expr), "BIGINT")
    }

    /// The quotient and the remainder of the integer `expr` (a name, a call or in parentheses)
    /// by the positive integer `divisor`, as integers, truncating (the remainder takes the
    /// sign of `expr`). Default: the remainder by `MOD`, the quotient as the exact division of
    /// the multiple (`/` of integers gives a fraction in some engines).
    fn div_mod(&self, expr: Fragment, divisor: Fragment) -> (Fragment, Fragment) {
        let remainder = call2("MOD", expr.clone(), divisor.clone());
        let quotient = expr
            .text(" - ")
            .append(&remainder)
            .parens()
            .text(" / ")
            .append(&divisor)
            .parens();
        (quotient, remainder)
    }

    /// The largest `LIMIT` the engine takes: a key list that wants every key asks for this
    /// many (Spark's `LIMIT` is a 32-bit integer; a bound BIGINT is refused).
    fn largest_limit(&self) -> u64 {
        i64::MAX as u64
    }

    /// The error for a construct this dialect cannot express.
    fn unsupported(&self, construct: &str) -> Error {
        Error::Unsupported {
            dialect: self.name(),
            construct: construct.to_string(),
        }
    }
}

/// How an engine's weekday field numbers the days; the trait turns each into 0 = Sunday.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeekdayField {
    /// 0 = Sunday … 6 = Saturday (PostgreSQL's and DuckDB's `DOW`).
    Sunday0(&'static str),
    /// 1 = Sunday … 7 = Saturday (BigQuery's `DAYOFWEEK`): minus 1.
    Sunday1(&'static str),
    /// 1 = Monday … 7 = Sunday (ISO, Snowflake's `DAYOFWEEK_ISO`): modulo 7.
    Monday1(&'static str),
}

/// `function(arg)`.
pub fn call(function: &str, arg: Fragment) -> Fragment {
    Fragment::sql(format!("{function}(")).append(&arg).text(")")
}

/// `function(first, second)`.
pub fn call2(function: &str, first: Fragment, second: Fragment) -> Fragment {
    Fragment::sql(format!("{function}("))
        .append(&first)
        .text(", ")
        .append(&second)
        .text(")")
}

/// `[NOT ]function(expr, ?)`: a boolean function of a column and one bound value.
pub fn call_test(
    function: &str,
    expr: Fragment,
    value: impl Into<SqlValue>,
    negated: bool,
) -> Fragment {
    let not = if negated { "NOT " } else { "" };
    Fragment::sql(format!("{not}{function}("))
        .append(&expr)
        .text(", ")
        .param(value)
        .text(")")
}

/// `expr op ?` or `expr negated_op ?`: a boolean operator with one bound value.
pub fn operator_test(
    expr: Fragment,
    op: &str,
    negated_op: &str,
    value: impl Into<SqlValue>,
    negated: bool,
) -> Fragment {
    let op = if negated { negated_op } else { op };
    expr.text(format!(" {op} ")).param(value)
}

/// `CAST(expr AS ty)`.
pub fn cast(expr: Fragment, ty: &str) -> Fragment {
    Fragment::sql("CAST(")
        .append(&expr)
        .text(format!(" AS {ty})"))
}

/// `EXTRACT(field FROM instant)`.
pub fn extract(field: &str, instant: Fragment) -> Fragment {
    Fragment::sql(format!("EXTRACT({field} FROM "))
        .append(&instant)
        .text(")")
}

/// `EXISTS (SELECT 1 FROM rows WHERE test)`: some element of a JSON array passes `test`.
pub fn exists_element(rows: Fragment, test: Fragment) -> Fragment {
    Fragment::sql("EXISTS (SELECT 1 FROM ")
        .append(&rows)
        .text(" WHERE ")
        .append(&test)
        .text(")")
}

/// `a OR b OR …`, FALSE for none.
pub fn any_of(tests: impl IntoIterator<Item = Fragment>) -> Fragment {
    let mut out = Fragment::sql("FALSE");
    for (i, test) in tests.into_iter().enumerate() {
        if i == 0 {
            out = test;
        } else {
            out = out.text(" OR ").append(&test);
        }
    }
    out
}

/// `function(expr<between>?) = ?` (or `<>`): the slice of `expr` as long as `text` (its
/// character count bound) equals `text`, e.g. `substr(x, 1, ?) = ?` for a prefix.
pub fn slice_is(
    function: &str,
    expr: Fragment,
    between: &str,
    text: &str,
    negated: bool,
) -> Fragment {
    let length = i64::try_from(text.chars().count()).unwrap_or(i64::MAX);
    let slice = Fragment::sql(format!("{function}("))
        .append(&expr)
        .text(between)
        .param(length)
        .text(")");
    operator_test(slice, "=", "<>", text, negated)
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

/// [`Dialect::epoch_seconds`] as written from the dialect's hooks.
pub fn default_epoch_seconds<D: Dialect + ?Sized>(
    dialect: &D,
    expr: Fragment,
    storage: Storage,
) -> Result<Fragment> {
    match storage {
        Storage::UnixSeconds => Ok(expr),
        // Floor division for any sign, in integer arithmetic on every engine.
        Storage::UnixMillis => Ok(Fragment::sql("((")
            .append(&expr)
            .text(" - ((")
            .append(&expr)
            .text(" % 1000) + 1000) % 1000) / 1000)")),
        Storage::IsoDate | Storage::IsoDateTime | Storage::IsoDateTimeSpace => {
            Ok(dialect.epoch_of_timestamp(cast(expr, dialect.timestamp_type())))
        }
        Storage::Text
        | Storage::Integer
        | Storage::Real
        | Storage::Boolean
        | Storage::JsonArray => Err(dialect.unsupported("the time of a non-date column")),
    }
}
