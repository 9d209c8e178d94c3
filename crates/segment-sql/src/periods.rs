//! Calendar periods of a time column, for "on at least N distinct days / weeks / months /
//! years": one value per UTC period, counted with `COUNT(DISTINCT …)`. Weeks start on Monday.
//! The dialect trait's `period_key` shape and `day_number` hook call these; a dialect whose
//! engine has better date functions (SQLite's `date()` modifiers) overrides the shape.

use segment_model::ir::DatePart;
use segment_model::schema::Storage;
use segment_model::tree::TimeUnit;

use crate::dialect::{cast, Dialect};
use crate::error::Result;
use crate::fragment::Fragment;

/// The default `period_key`: days since 1970-01-01 (the dialect's `day_number` of the UTC
/// instant), the Monday of the week as such a day, `year * 12 + month`, or the year.
pub(crate) fn period_key<D: Dialect + ?Sized>(
    dialect: &D,
    expr: Fragment,
    storage: Storage,
    unit: TimeUnit,
) -> Result<Fragment> {
    let part = |part: DatePart| dialect.date_part(expr.clone(), storage, part);
    Ok(match unit {
        TimeUnit::Day => dialect.day_number(instant(dialect, expr.clone(), storage)?),
        TimeUnit::Week => {
            // The weekday counted from Monday (0) is subtracted: the day of that Monday.
            let day = dialect.day_number(instant(dialect, expr.clone(), storage)?);
            Fragment::sql("(")
                .append(&day)
                .text(" - MOD(")
                .append(&part(DatePart::Weekday)?)
                .text(" + 6, 7))")
        }
        TimeUnit::Month => Fragment::sql("(")
            .append(&part(DatePart::Year)?)
            .text(" * 12 + ")
            .append(&part(DatePart::Month)?)
            .text(")"),
        TimeUnit::Year => part(DatePart::Year)?,
        TimeUnit::Minute | TimeUnit::Hour => {
            return Err(dialect.unsupported("distinct minutes or hours"))
        }
    })
}

/// A time column as a timestamp of the UTC wall clock (as the date parts read it).
fn instant<D: Dialect + ?Sized>(dialect: &D, expr: Fragment, storage: Storage) -> Result<Fragment> {
    match storage {
        Storage::IsoDate | Storage::IsoDateTime | Storage::IsoDateTimeSpace => {
            Ok(cast(expr, dialect.timestamp_type()))
        }
        Storage::UnixSeconds => dialect
            .timestamp_of_unix_seconds(expr)
            .ok_or_else(|| dialect.unsupported("distinct days of Unix-time columns")),
        Storage::UnixMillis => dialect
            .timestamp_of_unix_millis(expr)
            .ok_or_else(|| dialect.unsupported("distinct days of Unix-time columns")),
        _ => Err(dialect.unsupported("distinct days of this kind of column")),
    }
}

/// SQLite's `period_key`: the period's first day as ISO text through `date()` and its
/// modifiers (`'-6 days', 'weekday 1'` is the Monday on or before), or `strftime` for months
/// and years. A text that is not a date gives NULL, which `COUNT(DISTINCT …)` skips.
pub(crate) fn sqlite_period_key<D: Dialect + ?Sized>(
    dialect: &D,
    expr: Fragment,
    storage: Storage,
    unit: TimeUnit,
) -> Result<Fragment> {
    // Milliseconds as fractional seconds, as the date parts read them.
    let (expr, unixepoch) = match storage {
        Storage::UnixSeconds => (expr, ", 'unixepoch'"),
        Storage::UnixMillis => (expr.text(" / 1000.0"), ", 'unixepoch'"),
        Storage::IsoDate | Storage::IsoDateTime | Storage::IsoDateTimeSpace => (expr, ""),
        _ => return Err(dialect.unsupported("distinct days of this kind of column")),
    };
    let (function, format, modifiers) = match unit {
        TimeUnit::Day => ("date(", "", ""),
        TimeUnit::Week => ("date(", "", ", '-6 days', 'weekday 1'"),
        TimeUnit::Month => ("strftime(", "'%Y-%m', ", ""),
        TimeUnit::Year => ("strftime(", "'%Y', ", ""),
        TimeUnit::Minute | TimeUnit::Hour => {
            return Err(dialect.unsupported("distinct minutes or hours"))
        }
    };
    Ok(Fragment::sql(format!("{function}{format}"))
        .append(&expr)
        .text(format!("{unixepoch}{modifiers})")))
}
