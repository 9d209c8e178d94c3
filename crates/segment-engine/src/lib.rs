//! The count engine: a data source held in compact columnar memory (see [`column`]), and an
//! evaluator of the typed IR (see [`eval`]) giving the exact set of matching records as a
//! bitmap, hence the count, the total and rows to sample. Same semantics as the SQL compiler,
//! NULLs included; an equivalence test on random trees and data holds the two together.
//! Loading from SQLite is I/O and lives in `segment-source`.

pub mod bitset;
pub mod buf;
pub mod column;
mod compare;
pub mod dataset;
mod decimal;
pub mod error;
pub mod eval;
pub mod explain;
pub mod group_runs;
mod like;
mod members;
pub mod num;
mod ordered;
pub mod record;
pub mod regex_match;
mod sequence;
pub mod snapshot;
pub mod text;
mod time_runs;

pub use bitset::Bitset;
pub use dataset::{Dataset, Table};
pub use error::{Error, Result};
pub use eval::Evaluator;

use segment_model::ir::Query;

/// Matching records of the base entity and how many it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub count: u64,
    pub total: u64,
}

/// Counts the query's matching records.
pub fn count(data: &Dataset, query: &Query) -> Result<Counts> {
    let rows = Evaluator::new(data).matching(query)?;
    Ok(Counts {
        count: rows.count(),
        total: rows.len() as u64,
    })
}
