//! Bring your own data: CSV and NDJSON files imported into a local SQLite data source the app
//! owns (streamed, typed over the whole file, with the indexes counts need), relationships for
//! data without foreign keys (proposed from names and values, confirmed into a sidecar store
//! that never touches the user's file), and schema statistics.
//!
//! - [`preview`] reads the first rows and proposes types; [`import`] imports one file as one
//!   table, with a progress callback and a [`CancelToken`];
//! - [`relate::propose`] proposes relationships; [`Store`] keeps the confirmed ones (and labels,
//!   time columns) per data source; [`open`] opens a data source read-only with them applied;
//! - [`meaning`] declares what a column's values mean (epoch seconds, ISO text, JSON arrays)
//!   where the file's types cannot say it; [`open`] applies the declarations;
//! - [`stats::compute`] describes every column.
//!
//! Modules: `reader` (detection, streaming CSV/NDJSON), `infer` (types, conversion), `names`
//! (identifiers), `load` (the two passes and the write), `indexes`, `relate`, `store`, `stats`,
//! `progress`, `report`.

mod error;
pub mod indexes;
pub mod infer;
mod load;
pub mod meaning;
pub mod names;
mod progress;
mod reader;
pub mod relate;
mod report;
pub mod stats;
pub mod store;

use std::path::Path;

pub use error::{Error, Result};
pub use infer::{BadValue, ColumnType};
pub use load::{import, preview, ImportRequest, OnError, Preview, PreviewColumn, APPLICATION_ID};
pub use progress::{CancelToken, Phase, Progress};
pub use reader::{CsvOptions, Dialect, Format};
pub use relate::Proposal;
pub use report::{BadValues, ImportReport, ImportedColumn, Timings};
pub use store::{Link, SourceKey, SourceMeta, Store, WarehouseKey};

use segment_model::Schema;
use segment_source::DataSource;

/// A data source opened read-only, with the schema the app uses: the introspected one with the
/// declared column meanings, plus the relationships and time columns confirmed in the sidecar
/// store.
#[derive(Debug)]
pub struct Opened {
    pub source: DataSource,
    pub schema: Schema,
    pub meta: SourceMeta,
    /// Each declared meaning and whether it is in effect.
    pub declared: Vec<meaning::DeclaredMeaning>,
}

/// Opens `data` read-only and applies what `store` keeps for it (nothing when `store` is
/// `None`).
pub fn open(data: &Path, store: Option<&Store>) -> Result<Opened> {
    let source = DataSource::open_read_only(data)?;
    let meta = match store {
        Some(store) => store.get(data)?,
        None => SourceMeta::default(),
    };
    let (declared_schema, applied) =
        segment_source::meaning::apply(source.connection(), source.schema(), &meta.meanings)?;
    let schema = relate::apply(&declared_schema, &meta.relationships, &meta.time_columns);
    Ok(Opened {
        source,
        schema,
        meta,
        declared: applied.into_iter().map(Into::into).collect(),
    })
}
