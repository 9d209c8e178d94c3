//! Importing a file into a data source, as both front ends do it: the import itself
//! (`segment-import`), then the file's headers as written kept as the columns' labels in the
//! sidecar store.

use segment_import::{CancelToken, ImportReport, ImportRequest, Progress, Store};

use crate::error::Result;

/// Imports `request`'s file; on success the headers that differ from their column names become
/// the table's labels in `store` (replacing the table's earlier labels).
pub fn import_file(
    request: &ImportRequest,
    on_progress: &mut dyn FnMut(&Progress),
    cancel: &CancelToken,
    store: &Store,
) -> Result<ImportReport> {
    let report = segment_import::import(request, on_progress, cancel)?;
    let labels: Vec<(String, String)> = report
        .columns
        .iter()
        .filter(|c| !c.header.is_empty() && c.header != c.name)
        .map(|c| (c.name.clone(), c.header.clone()))
        .collect();
    store.update(&report.data_source, |meta| {
        let table = meta.labels.entry(report.table.clone()).or_default();
        table.clear();
        table.extend(labels);
    })?;
    Ok(report)
}
