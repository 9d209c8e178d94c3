//! Data sources for Segment Builder: SQLite files opened read-only and sandboxed, their schema
//! introspected into a [`segment_model::Schema`], exact counts of segments, and the built-in
//! demo data. All I/O of the core lives here; `segment-model` stays pure.

pub mod demo;
pub mod engine;
mod error;
mod introspect;
pub mod load_progress;
pub mod meaning;
mod sandbox;
mod source;

pub use demo::{generate as generate_demo, DemoOptions, DemoSummary, DEFAULT_DEMO_PROFILES};
pub use engine::records_by_key;
pub use error::{Error, Result};
pub use introspect::{relationships_from_foreign_keys, ForeignKey, SAMPLE_SCAN_ROWS, SAMPLE_SIZE};
pub use source::{
    bind_values, keys_matching, open_read_only_connection, overlap_counts, sample_keys,
    select_rows, CancelToken, CountResult, DataSource, Interrupter, Limits,
};
