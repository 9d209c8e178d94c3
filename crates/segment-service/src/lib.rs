//! The one pipeline behind both front ends (the `segment-builder` CLI and the desktop app):
//!
//! - [`CheckedSegment`]: a segment validated once, carrying its typed query, entity and "now";
//! - [`Backend`]: where the records are ([`SqliteBackend`] for local files; a warehouse is another
//!   implementation), counted through its SQL;
//! - [`Service`]: a backend plus the in-memory engine's copy ([`EngineCache`]), with the one
//!   engine-or-SQL policy, per-node counts, samples, overlap and member lists;
//! - [`registry`]: every format and SQL dialect by name, rendering, and [`detect`]ion of a
//!   definition's format.
//!
//! No front end decides how to count or which formats exist: they adapt arguments and results.

pub mod as_of;
pub mod audience;
pub mod backend;
pub mod checked;
pub mod detect;
pub mod engine_cache;
pub mod error;
pub mod explain_record;
pub mod import;
pub mod location;
pub mod near_miss;
mod postgres;
mod raw_failure;
pub mod references;
pub mod registry;
pub mod relations;
pub mod result_cache;
pub mod service;
pub mod snapshots;
mod spark;
pub mod trend;
mod warehouse;
pub mod warehouse_stats;

pub use backend::{Backend, SqliteBackend};
pub use checked::{resolve_now, CheckedSegment, NodeVariant};
pub use detect::{DefinitionError, ImportedDefinition};
pub use engine_cache::{EngineCache, EngineStatus, SnapshotWrite};
pub use error::{Error, Result};
pub use location::{open_backend, open_location, Location, OpenOptions};
pub use postgres::PostgresBackend;
pub use references::References;
pub use segment_engine::explain::SampleOrder;
pub use service::{
    Counted, Members, Method, NodeCount, NodeCounts, Overlap, Prefer, Region, SampleRecord,
    Service, Timings,
};
pub use snapshots::{default_app_data_dir, snapshot_dir, SnapshotsError};
pub use spark::SparkBackend;

use std::path::Path;
use std::sync::Arc;

/// Opens a local SQLite data file with its sidecar (relationships, time columns, labels) as a
/// service, sharing `engine` with whoever opened the same data before.
pub fn open_sqlite(
    path: &Path,
    store: Option<&segment_import::Store>,
    engine: EngineCache,
) -> Result<Service> {
    let backend = SqliteBackend::open(path, store)?;
    Ok(Service::new(Arc::new(backend), engine))
}
