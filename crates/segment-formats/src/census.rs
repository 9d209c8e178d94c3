//! Census filter-segment molecules JSON, beside the other formats: the path callers should use
//! (`segment_formats::census`), read losslessly (Census molecules carry layout hints the tree
//! keeps).
//!
//! Not expressible (the writer reports them by name at the node): NOT on a group (molecules
//! have no negation of a list); case-insensitive matching (a Census `like` folds case, so a
//! case-sensitive LIKE); the first / last time, the first / most recent record and distinct
//! periods of related records.
//!
//! The reader and writer themselves are still `segment_model::census`, re-exported here:
//! `segment_model::canonical::parse_any` (canonical JSON or Census, detected) reads Census too,
//! and the model cannot call this crate (it depends on the model), so the code moves here once
//! every caller of `segment_model::canonical::parse_any` calls [`crate::parse_any`] and every
//! user of `segment_model::census` uses this module.

pub use segment_model::census::{
    from_value, operator_from_spelling, operator_spelling, parse, to_string_pretty, to_value,
};
