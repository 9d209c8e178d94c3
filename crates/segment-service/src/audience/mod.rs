//! From a count to a decision: who the members are ([`breakdown`]), how to hold some of them
//! out ([`split`]), and which of several overlapping segments gets each person ([`tiers`]).
//!
//! Each tool works on the engine's bitsets of matching records when the engine holds the data,
//! and falls back to the data source's SQL otherwise, with the same result: the shared parts
//! (binning, hashing, ranking) are computed in Rust from what either path tallied.

pub mod bins;
pub mod breakdown;
mod membership;
pub mod split;
pub mod tiers;
pub mod values;

pub use breakdown::{Breakdown, BreakdownOptions, BreakdownRow, RowKind, Shape};
pub use split::{bucket_of, BalanceRow, SplitGroup, SplitGroupCount, SplitRequest, SplitResult};
pub use tiers::{TierCount, Tiers};
pub use values::{Aggregate, Dimension, Period};
