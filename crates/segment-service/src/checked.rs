//! A checked segment: validated once against a schema, it carries everything counting needs (the
//! tree, its typed query, the entity and "now"), so those stop travelling side by side.

use chrono::{DateTime, Utc};
use segment_model::ir::Query;
use segment_model::{validate, Problem, Schema, Segment};

use crate::error::{Error, Result};
use crate::references::References;

/// A segment that fits a schema, with its typed query (as of "now": related records after it
/// do not count, see [`crate::as_of`]).
#[derive(Debug, Clone)]
pub struct CheckedSegment {
    pub segment: Segment,
    pub query: Query,
    /// The base entity asked for (overriding the segment's own), if any.
    pub entity: Option<String>,
    /// The instant relative dates were made absolute from.
    pub now: DateTime<Utc>,
    /// The library segments it refers to, as found when it was checked.
    pub references: References,
}

/// One node's two variants: the node alone, and the segment without it.
#[derive(Debug, Clone)]
pub struct NodeVariant {
    /// JSON Pointer of the node, e.g. `/root/children/0`.
    pub path: String,
    pub alone: Query,
    pub without: Query,
}

impl CheckedSegment {
    /// Validates `segment`: the checked segment, or every problem at its JSON Pointer.
    pub fn check(
        segment: Segment,
        schema: &Schema,
        entity: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Self, Vec<Problem>> {
        Self::check_in(segment, schema, entity, now, References::none())
    }

    /// As [`CheckedSegment::check`], its references to library segments resolved from
    /// `references` (see [`References::gather`]).
    pub fn check_in(
        segment: Segment,
        schema: &Schema,
        entity: Option<&str>,
        now: DateTime<Utc>,
        references: References,
    ) -> Result<Self, Vec<Problem>> {
        let query = validate::check_with(&segment, schema, entity, now, &references, None)?;
        let query = crate::as_of::not_after_now(query, schema);
        Ok(CheckedSegment {
            segment,
            query,
            entity: entity.map(str::to_string),
            now,
            references,
        })
    }

    /// As [`CheckedSegment::check_in`], the segments it refers to read from the library
    /// `store` (a saved segment, or any tree a command checks with the library at hand).
    pub fn check_in_library(
        segment: Segment,
        schema: &Schema,
        entity: Option<&str>,
        now: DateTime<Utc>,
        store: &mut segment_store::Store,
    ) -> Result<Self, Vec<Problem>> {
        let references = References::gather(&segment, store);
        Self::check_in(segment, schema, entity, now, references)
    }

    /// Reads a canonical tree from JSON (as the app's requests carry it) and checks it; a
    /// malformed tree's problems are located like validation's.
    pub fn from_json(
        value: serde_json::Value,
        schema: &Schema,
        entity: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Self, Vec<Problem>> {
        Self::from_json_in(value, schema, entity, now, |_| References::none())
    }

    /// As [`CheckedSegment::from_json`], with the references `gather` finds for the tree
    /// (e.g. `|s| References::gather(s, &mut store)`).
    pub fn from_json_in(
        value: serde_json::Value,
        schema: &Schema,
        entity: Option<&str>,
        now: DateTime<Utc>,
        gather: impl FnOnce(&Segment) -> References,
    ) -> Result<Self, Vec<Problem>> {
        let segment: Segment = serde_json::from_value(value)
            .map_err(|e| segment_model::Error::from_json(&e).problems())?;
        let references = gather(&segment);
        Self::check_in(segment, schema, entity, now, references)
    }

    pub fn entity(&self) -> Option<&str> {
        self.entity.as_deref()
    }

    /// Every node's variants that are themselves valid (a variant can be empty or lose a
    /// relationship's only filter; those nodes get no counts).
    pub fn variants(&self, schema: &Schema) -> Vec<NodeVariant> {
        segment_model::explain::node_variants(&self.segment)
            .into_iter()
            .filter_map(|v| {
                let check = |segment| {
                    let refs = &self.references;
                    let query =
                        validate::check_with(segment, schema, self.entity(), self.now, refs, None)
                            .ok()?;
                    Some(crate::as_of::not_after_now(query, schema))
                };
                let alone = check(&v.alone)?;
                let without = check(&v.without)?;
                Some(NodeVariant {
                    path: v.path,
                    alone,
                    without,
                })
            })
            .collect()
    }
}

/// The invalid segment as a service error.
pub fn invalid(problems: Vec<Problem>) -> Error {
    Error::Invalid(problems)
}

/// "Now" for a request: the text given (an ISO-8601 date or date-time), else `default` (Unix
/// seconds: a data source's own anchor, like the demo data's end), else the clock.
pub fn resolve_now(text: Option<&str>, default: Option<i64>) -> Result<DateTime<Utc>> {
    if let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) {
        return segment_model::time::parse_moment(text)
            .map(|m| m.start())
            .ok_or_else(|| Error::Request {
                message: format!(
                    "“{text}” is not a date or a date and time (like 2026-05-01 or 2026-05-01T12:00:00Z)"
                ),
                path: Some("/now".into()),
            });
    }
    Ok(default
        .and_then(|t| DateTime::from_timestamp(t, 0))
        .unwrap_or_else(Utc::now))
}
