//! The two calls into the SQL compiler and the count engine, in one place.

use segment_model::ir::Query;
use segment_source::{CancelToken, DataSource};
use segment_sql::{SqlValue, Sqlite};

use crate::ipc::{ErrorKind, IpcError};

fn compile_error(e: segment_sql::Error) -> IpcError {
    IpcError::new(ErrorKind::Compile, e.to_string())
}

/// Readable SQL for the SQL pane (values inlined; counting binds them as parameters).
pub fn display_sql(query: &Query) -> Result<String, IpcError> {
    segment_sql::display(query, &Sqlite).map_err(compile_error)
}

/// (matching, total) records, cancellable through `token`. Every value is bound as a parameter.
pub fn count(source: &DataSource, query: &Query, token: &CancelToken) -> Result<(u64, u64), IpcError> {
    let statement = segment_sql::build(query, &Sqlite).map_err(compile_error)?;
    let params: Vec<rusqlite::types::Value> = statement
        .params
        .into_iter()
        .map(|v| match v {
            SqlValue::Null => rusqlite::types::Value::Null,
            SqlValue::Integer(i) => rusqlite::types::Value::Integer(i),
            SqlValue::Real(f) => rusqlite::types::Value::Real(f),
            SqlValue::Text(s) => rusqlite::types::Value::Text(s),
        })
        .collect();
    let count = source.count_sql(&statement.sql, &params, Some(token))?;
    let total = source.total(&query.entity.name)?;
    Ok((count, total))
}
