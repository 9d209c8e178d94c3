//! Per-node counts: for every node of a segment, how many records it matches alone and how many
//! the segment matches without it. One evaluator serves all variants, so each condition is
//! evaluated once and the rest is set arithmetic.

use chrono::{DateTime, Utc};
use segment_model::explain::node_variants;
use segment_model::{validate, Schema, Segment};
use serde::Serialize;

use crate::column::ColumnData;
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

/// A record's key value exactly as stored: serialized as a JSON number or string.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Key {
    Int(i64),
    Real(f64),
    Text(String),
}

impl From<f64> for Key {
    fn from(v: f64) -> Self {
        Key::Real(v)
    }
}

impl From<i64> for Key {
    fn from(v: i64) -> Self {
        Key::Int(v)
    }
}

impl From<&Key> for Key {
    fn from(v: &Key) -> Self {
        v.clone()
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Int(i) => write!(f, "{i}"),
            Key::Real(r) => write!(f, "{r}"),
            Key::Text(s) => f.write_str(s),
        }
    }
}

/// A matching record and which nodes of the segment it meets on its own.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sample {
    /// The record's key value (e.g. the profile id), exact: integers beyond 2^53 included.
    pub key: Key,
    /// Paths of the nodes this record satisfies alone (see [`NodeCount::count`]).
    pub met: Vec<String>,
}

/// How to pick sample records among the matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleOrder {
    /// The first `n` by key.
    First,
    /// `n` chosen uniformly at random with this seed (repeatable).
    Random(u64),
}

/// Up to `n` matching records of a valid segment, each with the nodes it met.
pub fn samples(
    data: &Dataset,
    schema: &Schema,
    segment: &Segment,
    entity: Option<&str>,
    now: DateTime<Utc>,
    n: usize,
    order: SampleOrder,
) -> Result<Vec<Sample>> {
    let query = validate::check(segment, schema, entity, now).map_err(|p| {
        crate::Error::Unsupported(format!("an invalid segment ({} problems)", p.len()))
    })?;
    let evaluator = Evaluator::new(data);
    let matching = evaluator.matching(&query)?;
    let table = data.table(&query.entity.name)?;
    let key_column = table.column(&query.entity.key)?;
    let key_of = |r: usize| match key_column {
        ColumnData::Integer { values, .. } => Key::Int(values.get(r)),
        ColumnData::Number { values, .. } => Key::Real(values[r]),
        ColumnData::Text(t) => Key::Text(t.value(r).to_string()),
        ColumnData::Time { .. } | ColumnData::Array(_) => Key::Real(f64::NAN),
    };
    // Keys in SQL's order: numbers by value, text byte by byte (as Rust orders `str`).
    let order_by_key = |a: &usize, b: &usize| match key_column {
        ColumnData::Integer { values, .. } => values.get(*a).cmp(&values.get(*b)),
        ColumnData::Number { values, .. } => values[*a].total_cmp(&values[*b]),
        ColumnData::Text(t) => t.value(*a).cmp(t.value(*b)),
        ColumnData::Time { .. } | ColumnData::Array(_) => std::cmp::Ordering::Equal,
    };
    if matches!(key_column, ColumnData::Time { .. } | ColumnData::Array(_)) {
        return Err(crate::Error::Unsupported(
            "sampling records whose key is not a number or text".to_string(),
        ));
    }
    let mut rows: Vec<usize> = matching.iter().collect();
    match order {
        SampleOrder::First => {
            rows.sort_by(order_by_key);
            rows.truncate(n);
        }
        SampleOrder::Random(seed) => {
            // A partial Fisher–Yates shuffle driven by splitmix64: repeatable for a seed.
            let mut state = seed;
            let mut next = || {
                state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                z ^ (z >> 31)
            };
            let take = n.min(rows.len());
            for i in 0..take {
                let j = i + (next() % (rows.len() - i) as u64) as usize;
                rows.swap(i, j);
            }
            rows.truncate(take);
            rows.sort_by(order_by_key);
        }
    }
    let mut nodes = Vec::new();
    for variant in node_variants(segment) {
        if let Ok(alone) = validate::check(&variant.alone, schema, entity, now) {
            nodes.push((variant.path, evaluator.matching(&alone)?));
        }
    }
    Ok(rows
        .into_iter()
        .map(|row| Sample {
            key: key_of(row),
            met: nodes
                .iter()
                .filter(|(_, set)| set.contains(row))
                .map(|(path, _)| path.clone())
                .collect(),
        })
        .collect())
}

/// Exact overlap of 2–3 segments over the same entity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overlap {
    /// Each segment's count.
    pub counts: Vec<u64>,
    /// Every region of the Venn diagram: records in exactly the segments listed (by index).
    pub regions: Vec<Region>,
    /// Jaccard index (|A∩B| / |A∪B|) of every pair, `[i][j]`; 1 on the diagonal.
    pub jaccard: Vec<Vec<f64>>,
    pub total: u64,
}

impl Overlap {
    /// Each segment's count, the regions and the Jaccard indexes from the exact region counts
    /// (`exact[mask]`: records in exactly the segments of `mask`; `1 << n` of them) that a SQL
    /// statement of key masks returns: the same report as the engine's, for every backend.
    pub fn from_regions(exact: &[u64], n: usize, total: u64) -> Overlap {
        // Records in every segment of `all` (a mask), whatever else they are in.
        let within = |all: usize| -> u64 {
            (1..exact.len())
                .filter(|m| m & all == all)
                .map(|m| exact[m])
                .sum()
        };
        let regions = (1..exact.len())
            .map(|mask| Region {
                segments: (0..n).filter(|i| mask & (1 << i) != 0).collect(),
                count: exact[mask],
            })
            .collect();
        let counts: Vec<u64> = (0..n).map(|i| within(1 << i)).collect();
        let jaccard = (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| {
                        let both = within((1 << i) | (1 << j));
                        match counts[i] + counts[j] - both {
                            0 => 1.0,
                            union => both as f64 / union as f64,
                        }
                    })
                    .collect()
            })
            .collect();
        Overlap {
            counts,
            regions,
            jaccard,
            total,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Region {
    pub segments: Vec<usize>,
    pub count: u64,
}

pub fn overlap(data: &Dataset, queries: &[segment_model::ir::Query]) -> Result<Overlap> {
    if !(2..=3).contains(&queries.len()) {
        return Err(crate::Error::Unsupported(format!(
            "an overlap of {} segments (2 or 3)",
            queries.len()
        )));
    }
    if queries.iter().any(|q| q.entity != queries[0].entity) {
        return Err(crate::Error::Unsupported(
            "an overlap of segments over different entities".to_string(),
        ));
    }
    let evaluator = Evaluator::new(data);
    let sets: Vec<crate::Bitset> = queries
        .iter()
        .map(|q| evaluator.matching(q))
        .collect::<Result<_>>()?;
    let total = sets[0].len() as u64;
    let mut regions = Vec::new();
    for mask in 1u32..(1 << sets.len()) {
        let mut region = crate::Bitset::full(sets[0].len());
        for (i, set) in sets.iter().enumerate() {
            if mask & (1 << i) != 0 {
                region.and_with(set);
            } else {
                region.and_not_with(set);
            }
        }
        let members: Vec<usize> = (0..sets.len()).filter(|i| mask & (1 << i) != 0).collect();
        regions.push(Region {
            segments: members,
            count: region.count(),
        });
    }
    let jaccard = (0..sets.len())
        .map(|i| {
            (0..sets.len())
                .map(|j| {
                    let mut both = sets[i].clone();
                    both.and_with(&sets[j]);
                    let mut either = sets[i].clone();
                    either.or_with(&sets[j]);
                    match either.count() {
                        0 => 1.0,
                        union => both.count() as f64 / union as f64,
                    }
                })
                .collect()
        })
        .collect();
    Ok(Overlap {
        counts: sets.iter().map(crate::Bitset::count).collect(),
        regions,
        jaccard,
        total,
    })
}
