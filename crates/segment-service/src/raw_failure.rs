//! Which raw SQL condition a failing SQL count is about. The statement's error names a byte of
//! the whole generated statement, which a marketer cannot read; each raw SQL condition is
//! counted alone instead, and the first that fails gets the error, its position counted within
//! the condition's own text.

use segment_model::{text, validate};
use segment_source::CancelToken;
use serde_json::Value;

use crate::backend::Backend;
use crate::checked::CheckedSegment;
use crate::error::Error;

/// `error` about the raw SQL condition that causes it (`Error::RawSql`), when one does; else
/// `error` unchanged.
pub(crate) fn attribute(
    backend: &dyn Backend,
    checked: &CheckedSegment,
    error: Error,
    token: &CancelToken,
) -> Error {
    if !is_sql_failure(&error) {
        return error;
    }
    let Ok(document) = serde_json::to_value(&checked.segment) else {
        return error;
    };
    let schema = backend.schema();
    for variant in segment_model::explain::node_variants(&checked.segment) {
        let Some(raw) = raw_sql_at(&document, &variant.path) else {
            continue;
        };
        let Ok(query) = validate::check(&variant.alone, schema, checked.entity(), checked.now)
        else {
            continue;
        };
        match backend.count(&query, token) {
            Err(Error::Cancelled) => return Error::Cancelled,
            Err(e) if is_sql_failure(&e) => {
                return Error::RawSql {
                    message: message_of(&e, raw),
                    path: variant.path,
                }
            }
            _ => {}
        }
    }
    error
}

fn is_sql_failure(error: &Error) -> bool {
    matches!(
        error,
        Error::Sql(_)
            | Error::Source(segment_source::Error::Query { .. })
            | Error::Source(segment_source::Error::Compile(_))
    )
}

/// The text of the raw SQL condition at `path`, if the node there is one.
fn raw_sql_at<'a>(document: &'a Value, path: &str) -> Option<&'a str> {
    let node = document.pointer(path)?;
    (node.get("type")?.as_str()? == "sql")
        .then(|| node.get("sql")?.as_str())
        .flatten()
}

/// One line: the SQL engine's own message, with the position inside `raw` when it has one.
fn message_of(error: &Error, raw: &str) -> String {
    let line = match error {
        Error::Source(segment_source::Error::Query {
            source:
                rusqlite::Error::SqlInputError {
                    msg, offset, sql, ..
                },
        }) => match position_in(raw, sql, *offset) {
            Some(at) => format!("{msg} (at character {at})"),
            None => msg.clone(),
        },
        Error::Source(segment_source::Error::Query {
            source: rusqlite::Error::SqliteFailure(_, Some(msg)),
        }) => msg.clone(),
        Error::Source(segment_source::Error::Compile(segment_sql::Error::RawSql(why)))
        | Error::Sql(segment_sql::Error::RawSql(why)) => format!("not one SQL expression: {why}"),
        other => other.to_string(),
    };
    text::bound(line.replace('\n', " "), 160)
}

/// The 1-based character of `raw` at byte `offset` of `statement`, when the offset falls in it.
fn position_in(raw: &str, statement: &str, offset: i32) -> Option<usize> {
    let offset = usize::try_from(offset).ok()?;
    let start = statement.find(raw)?;
    let inside = offset.checked_sub(start).filter(|i| *i <= raw.len())?;
    raw.get(..inside).map(|before| before.chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::position_in;

    #[test]
    fn a_statement_offset_becomes_a_character_of_the_condition() {
        let statement = "SELECT COUNT(*) FROM t WHERE (agee > 3)";
        assert_eq!(position_in("agee > 3", statement, 30), Some(1));
        assert_eq!(position_in("agee > 3", statement, 35), Some(6));
        assert_eq!(position_in("agee > 3", statement, 3), None);
        assert_eq!(position_in("é x", "SELECT (é x)", 11), Some(3));
    }
}
