//! The call into the SQL compiler for the SQL pane (counting is in `counting.rs`).

use segment_model::ir::Query;
use segment_source::DataSource;

use crate::ipc::IpcError;

/// Readable SQL for the SQL pane (values inlined; counting binds them as parameters).
pub fn display_sql(query: &Query) -> Result<String, IpcError> {
    Ok(DataSource::display_sql(query)?)
}
