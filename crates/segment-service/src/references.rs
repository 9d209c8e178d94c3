//! "Is (not) in segment S": the library segments a tree refers to, read from the segment
//! library before validation (the core does no I/O). [`References::gather`] follows the
//! references of dynamic segments level by level and keeps what it found (or why not) as a
//! snapshot; validation resolves against the snapshot, so per-node variants, samples and
//! overlaps see the same segments as the count.

use std::collections::{BTreeSet, HashMap};

use segment_model::tree::{Node, Segment};
use segment_model::validate::{Definition, ResolvedSegment, Resolver, MAX_REFERENCE_DEPTH};
use segment_store::{SegmentType, Store};

/// The most segments one gathering reads (a tree referring to hundreds is refused by size).
const MAX_SEGMENTS: usize = 256;

type Found = Result<ResolvedSegment, String>;

/// The library segments a tree refers to, as found when it was checked.
#[derive(Debug, Clone, Default)]
pub struct References {
    found: HashMap<(String, Option<i64>), Found>,
}

impl Resolver for References {
    fn resolve(&self, id: &str, revision: Option<i64>) -> Found {
        match self.found.get(&(id.to_string(), revision)) {
            Some(found) => found.clone(),
            None => Err(format!(
                "Segment “{id}” is in the segment library, which is not open here."
            )),
        }
    }
}

impl References {
    /// No library: every reference is refused, saying so.
    pub fn none() -> Self {
        References::default()
    }

    /// Reads every segment `segment` refers to, and theirs, from `store` (bounded by the
    /// reference depth validation accepts).
    pub fn gather(segment: &Segment, store: &mut Store) -> Self {
        let mut refs = References::default();
        let mut level: BTreeSet<(String, Option<i64>)> = BTreeSet::new();
        collect(&segment.root.children, &mut level);
        for _ in 0..=MAX_REFERENCE_DEPTH {
            let mut next = BTreeSet::new();
            for key in level {
                if refs.found.contains_key(&key) || refs.found.len() >= MAX_SEGMENTS {
                    continue;
                }
                let found = read(store, &key.0, key.1);
                if let Ok(ResolvedSegment {
                    definition: Definition::Dynamic(tree),
                    ..
                }) = &found
                {
                    collect(&tree.root.children, &mut next);
                }
                refs.found.insert(key, found);
            }
            if next.is_empty() {
                break;
            }
            level = next;
        }
        refs
    }

    /// Whether `segment` refers to library segments at all (no need to open the library).
    pub fn needed(segment: &Segment) -> bool {
        let mut found = BTreeSet::new();
        collect(&segment.root.children, &mut found);
        !found.is_empty()
    }

    /// Whether the tree referred to any segment.
    pub fn is_empty(&self) -> bool {
        self.found.is_empty()
    }
}

/// Every reference in `nodes`, at any depth (a relationship's filter included: a segment of
/// the related entity filters its records).
fn collect(nodes: &[Node], into: &mut BTreeSet<(String, Option<i64>)>) {
    for node in nodes {
        match node {
            Node::InSegment(r) => {
                into.insert((r.segment.trim().to_string(), r.revision));
            }
            Node::Group(g) => collect(&g.children, into),
            Node::Relationship(r) => collect(&r.filter.children, into),
            Node::Condition(_) | Node::Sql(_) => {}
        }
    }
}

/// One segment from the library, in a marketer's words when it cannot be used.
fn read(store: &mut Store, id: &str, revision: Option<i64>) -> Found {
    let record = store.get(id).map_err(|e| match e {
        segment_store::Error::NotFound { .. } | segment_store::Error::InvalidId { .. } => {
            format!("There is no segment “{id}” in the library.")
        }
        other => format!("Segment “{id}” could not be read: {other}."),
    })?;
    if record.segment_type == SegmentType::Static {
        let members = store
            .active_member_ids(id)
            .map_err(|e| format!("The members of segment “{id}” could not be read: {e}."))?;
        return Ok(ResolvedSegment {
            id: record.id,
            name: record.name,
            revision: record.revision,
            definition: Definition::Static {
                entity: record.entity,
                members,
            },
        });
    }
    let (definition, at) = match revision {
        None => (record.definition, record.revision),
        Some(r) => {
            let pinned = store.revision(id, r).map_err(|_| {
                format!(
                    "Segment “{id}” has no revision {r} (its latest is {}).",
                    record.revision
                )
            })?;
            (pinned.definition, r)
        }
    };
    let tree =
        definition.ok_or_else(|| format!("Segment “{id}” has no conditions to evaluate."))?;
    Ok(ResolvedSegment {
        id: record.id,
        name: record.name,
        revision: at,
        definition: Definition::Dynamic(tree),
    })
}
