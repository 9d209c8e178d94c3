//! The two calls into the SQL compiler and the count engine, in one place.

use segment_model::ir::Query;
use segment_source::{CancelToken, DataSource};

use crate::ipc::IpcError;

/// Readable SQL for the SQL pane (values inlined; counting binds them as parameters).
pub fn display_sql(query: &Query) -> Result<String, IpcError> {
    Ok(DataSource::display_sql(query)?)
}

/// (matching, total) records, cancellable through `token`. Every value is bound as a parameter.
pub fn count(source: &DataSource, query: &Query, token: &CancelToken) -> Result<(u64, u64), IpcError> {
    let result = source.count_cancellable(query, token)?;
    Ok((result.count, result.total))
}
