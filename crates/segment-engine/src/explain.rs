//! Per-node counts: for every node of a segment, how many records it matches alone and how many
//! the segment matches without it. One evaluator serves all variants, so each condition is
//! evaluated once and the rest is set arithmetic.

use chrono::{DateTime, Utc};
use segment_model::explain::node_variants;
use segment_model::{validate, Schema, Segment};
use serde::Serialize;

use crate::{Dataset, Evaluator, Result};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeCount {
    /// JSON Pointer of the node, as validation problems use.
    pub path: String,
    /// Records matching the node alone (inside its enclosing relationship conditions).
    pub count: u64,
    /// Records the whole segment matches without this node.
    pub without: u64,
}

/// The counts of every node of a valid segment; nodes whose variants do not validate are left out.
pub fn node_counts(
    data: &Dataset,
    schema: &Schema,
    segment: &Segment,
    entity: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<NodeCount>> {
    node_counts_with(&Evaluator::new(data), schema, segment, entity, now)
}

pub fn node_counts_with(
    evaluator: &Evaluator<'_>,
    schema: &Schema,
    segment: &Segment,
    entity: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<NodeCount>> {
    let mut out = Vec::new();
    for variant in node_variants(segment) {
        let (Ok(alone), Ok(without)) = (
            validate::check(&variant.alone, schema, entity, now),
            validate::check(&variant.without, schema, entity, now),
        ) else {
            continue;
        };
        out.push(NodeCount {
            path: variant.path,
            count: evaluator.matching(&alone)?.count(),
            without: evaluator.matching(&without)?.count(),
        });
    }
    Ok(out)
}
