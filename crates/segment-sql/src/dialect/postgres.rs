//! PostgreSQL over the same storage shapes as SQLite data (ISO text dates, integer Unix seconds,
//! 0/1 integers, JSON array text), e.g. a copy of the data loaded into the team's warehouse.

use segment_model::ir::DatePart;
use segment_model::schema::Storage;

use super::Dialect;
use crate::error::Result;
use crate::fragment::Fragment;
use crate::value::SqlValue;

/// PostgreSQL 11+. Regular expressions use PostgreSQL's own (POSIX ARE) engine, which agrees
/// with Rust's `regex` on common patterns but not on every construct.
#[derive(Debug, Clone, Copy, Default)]
pub struct Postgres;

impl Dialect for Postgres {
    fn name(&self) -> &'static str {
        "PostgreSQL"
    }

    /// A parameter takes its type from its context: a fractional number compared with an
    /// integer column would be rounded to an integer, so reals are cast explicitly.
    fn placeholder(&self, index: usize, value: &SqlValue) -> String {
        match value {
            SqlValue::Real(_) => format!("CAST(${index} AS double precision)"),
            SqlValue::Null | SqlValue::Integer(_) | SqlValue::Text(_) => format!("${index}"),
        }
    }

    /// PostgreSQL text cannot hold NUL characters at all.
    fn literal(&self, value: &SqlValue) -> Result<String> {
        match value {
            SqlValue::Text(s) if s.contains('\0') => {
                Err(self.unsupported("text containing a NUL character"))
            }
            SqlValue::Null => Ok("NULL".to_string()),
            SqlValue::Integer(i) => Ok(i.to_string()),
            SqlValue::Real(f) => super::real_literal(*f),
            SqlValue::Text(s) => Ok(self.string_literal(s)),
        }
    }

    /// Byte order (`COLLATE "C"`): ISO text then orders as time does, whatever the database's
    /// collation.
    fn time_text_operand(&self, expr: Fragment) -> Fragment {
        expr.text(" COLLATE \"C\"")
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
        let op = if negated { " <> " } else { " = " };
        let length = i64::try_from(suffix.chars().count()).unwrap_or(i64::MAX);
        Fragment::sql("right(")
            .append(&expr)
            .text(", ")
            .param(length)
            .text(")")
            .text(op)
            .param(suffix)
    }

    fn regex(&self, expr: Fragment, pattern: &str, negated: bool) -> Result<Fragment> {
        let op = if negated { " !~ " } else { " ~ " };
        Ok(expr.text(op).param(pattern))
    }

    fn date_part(&self, expr: Fragment, storage: Storage, part: DatePart) -> Result<Fragment> {
        let field = match part {
            DatePart::Year => "YEAR",
            DatePart::Month => "MONTH",
            DatePart::DayOfMonth => "DAY",
            DatePart::Weekday => "DOW",
        };
        let instant = match storage {
            Storage::UnixSeconds => Fragment::sql("to_timestamp(")
                .append(&expr)
                .text(") AT TIME ZONE 'UTC'"),
            // A trailing `Z` is ignored by a cast to timestamp without time zone: UTC as stored.
            Storage::IsoDate | Storage::IsoDateTime | Storage::IsoDateTimeSpace => {
                Fragment::sql("CAST(").append(&expr).text(" AS timestamp)")
            }
            Storage::Text
            | Storage::Integer
            | Storage::Real
            | Storage::Boolean
            | Storage::JsonArray => return Err(self.unsupported("date parts of non-date columns")),
        };
        Ok(Fragment::sql(format!("CAST(EXTRACT({field} FROM "))
            .append(&instant)
            .text(") AS integer)"))
    }

    /// Elements compare as JSON values: a string equals only a string, numbers by value.
    fn array_contains_any(&self, array: Fragment, elements: Vec<SqlValue>) -> Result<Fragment> {
        let mut frag = Fragment::sql("EXISTS (SELECT 1 FROM jsonb_array_elements(CAST(")
            .append(&array)
            .text(" AS jsonb)) AS e(v) WHERE e.v IN (");
        for (i, element) in elements.into_iter().enumerate() {
            if i > 0 {
                frag = frag.text(", ");
            }
            let cast = match element {
                SqlValue::Text(_) => " AS text))",
                SqlValue::Integer(_) | SqlValue::Real(_) => " AS numeric))",
                SqlValue::Null => " AS text))",
            };
            frag = frag.text("to_jsonb(CAST(").param(element).text(cast);
        }
        Ok(frag.text("))"))
    }

    fn array_length(&self, array: Fragment) -> Result<Fragment> {
        Ok(Fragment::sql("jsonb_array_length(CAST(")
            .append(&array)
            .text(" AS jsonb))"))
    }
}
