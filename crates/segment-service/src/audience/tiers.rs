//! Priority tiers (a waterfall): an ordered list of segments where each person belongs to the
//! first tier they match. Per tier: the records it matches on its own, the ones it keeps, and
//! those it lost to each tier above it. The kept records of all tiers partition their union.

use std::collections::HashMap;
use std::time::Instant;

use segment_engine::Bitset;
use segment_source::CancelToken;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::membership::{engine_keys, evaluate, millis};
use crate::backend::key_text;
use crate::checked::CheckedSegment;
use crate::error::{Error, Result};
use crate::service::{Method, Prefer, Service};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TierCount {
    pub name: String,
    /// Records the tier's segment matches on its own.
    #[ts(type = "number")]
    pub matched: u64,
    /// Records it keeps: matched by it and by no tier above.
    #[ts(type = "number")]
    pub count: u64,
    /// `matched - count`: records a tier above took.
    #[ts(type = "number")]
    pub lost: u64,
    /// Per tier above (in order), how many of this tier's records it took.
    #[ts(type = "Array<number>")]
    pub lost_to: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Tiers {
    pub tiers: Vec<TierCount>,
    /// Records in some tier.
    #[ts(type = "number")]
    pub union: u64,
    /// All records of the entity.
    #[ts(type = "number")]
    pub total: u64,
    #[ts(type = "\"memory\" | \"sql\"")]
    pub method: Method,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub notice: Option<String>,
    pub ms: f64,
}

/// Each record's tier: per segment, its matches; `first[r]` the first tier matching `r`.
enum Assignment {
    Memory {
        sets: Vec<Bitset>,
        kept: Vec<Bitset>,
        keys: Option<Vec<String>>,
    },
    /// Counted on the source (no key read): per first tier matched (`None`: no tier), its
    /// records and how many of them each tier matches.
    Counted(Vec<FirstTier>),
    /// Read from the source for exports.
    Keys {
        /// Per tier, the keys it matches.
        matched: Vec<Vec<String>>,
        first: HashMap<String, usize>,
    },
}

/// The records whose first matching tier is `first`, from the source's grouped statement.
struct FirstTier {
    first: Option<usize>,
    records: u64,
    /// Per tier, how many of these records it matches.
    matched: Vec<u64>,
}

fn check_tiers(tiers: &[(String, CheckedSegment)]) -> Result<()> {
    if !(1..=20).contains(&tiers.len()) {
        return Err(Error::request("list 1 to 20 segments as tiers"));
    }
    let entity = &tiers[0].1.query.entity;
    if let Some((name, _)) = tiers.iter().find(|(_, t)| &t.query.entity != entity) {
        return Err(Error::request(format!(
            "{name} counts {} records, not {}: tiers must be over the same records",
            tiers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, t)| t.query.entity.name.as_str())
                .unwrap_or_default(),
            entity.name
        )));
    }
    Ok(())
}

impl Service {
    /// Counts each tier of the waterfall `tiers` (named segments, highest priority first).
    pub fn tiers(
        &self,
        tiers: &[(String, CheckedSegment)],
        prefer: Prefer,
        token: &CancelToken,
    ) -> Result<Tiers> {
        let started = Instant::now();
        check_tiers(tiers)?;
        let (assignment, method, notice) = self.assign_tiers(tiers, false, prefer, token)?;
        let names = tiers.iter().map(|(n, _)| n.clone());
        let (counts, union, total) = match &assignment {
            Assignment::Memory { sets, kept, .. } => {
                let counts = names
                    .enumerate()
                    .map(|(i, name)| TierCount {
                        name,
                        matched: sets[i].count(),
                        count: kept[i].count(),
                        lost: sets[i].count() - kept[i].count(),
                        lost_to: (0..i)
                            .map(|j| {
                                let mut both = sets[i].clone();
                                both.and_with(&kept[j]);
                                both.count()
                            })
                            .collect(),
                    })
                    .collect::<Vec<_>>();
                let union = counts.iter().map(|c| c.count).sum();
                (counts, union, sets[0].len() as u64)
            }
            Assignment::Counted(groups) => {
                let matched = |i: usize| groups.iter().map(|g| g.matched[i]).sum::<u64>();
                let kept = |i: usize| {
                    groups
                        .iter()
                        .filter(|g| g.first == Some(i))
                        .map(|g| g.records)
                        .sum::<u64>()
                };
                let counts = names
                    .enumerate()
                    .map(|(i, name)| {
                        let lost_to: Vec<u64> = (0..i)
                            .map(|j| {
                                groups
                                    .iter()
                                    .filter(|g| g.first == Some(j))
                                    .map(|g| g.matched[i])
                                    .sum()
                            })
                            .collect();
                        let lost: u64 = lost_to.iter().sum();
                        TierCount {
                            name,
                            matched: matched(i),
                            count: kept(i),
                            lost,
                            lost_to,
                        }
                    })
                    .collect::<Vec<_>>();
                let union = counts.iter().map(|c| c.count).sum();
                let total = groups.iter().map(|g| g.records).sum();
                (counts, union, total)
            }
            Assignment::Keys { .. } => {
                return Err(Error::EngineUnavailable(
                    "tiers: the counts were read as keys, not counted".into(),
                ))
            }
        };
        Ok(Tiers {
            tiers: counts,
            union,
            total,
            method,
            notice,
            ms: millis(started),
        })
    }

    /// The keys each tier keeps, in the tiers' order (for exports).
    pub fn tier_members(
        &self,
        tiers: &[(String, CheckedSegment)],
        prefer: Prefer,
        token: &CancelToken,
    ) -> Result<Vec<Vec<String>>> {
        check_tiers(tiers)?;
        Ok(match self.assign_tiers(tiers, true, prefer, token)?.0 {
            Assignment::Memory { kept, keys, .. } => {
                let keys = keys.unwrap_or_default();
                kept.iter()
                    .map(|set| set.iter().map(|r| keys[r].clone()).collect())
                    .collect()
            }
            Assignment::Keys { matched, first } => matched
                .into_iter()
                .enumerate()
                .map(|(i, keys)| {
                    keys.into_iter()
                        .filter(|k| first.get(k) == Some(&i))
                        .collect()
                })
                .collect(),
            Assignment::Counted(_) => {
                return Err(Error::EngineUnavailable(
                    "tier members: the tiers were counted, their keys not read".into(),
                ))
            }
        })
    }

    fn assign_tiers(
        &self,
        tiers: &[(String, CheckedSegment)],
        with_keys: bool,
        prefer: Prefer,
        token: &CancelToken,
    ) -> Result<(Assignment, Method, Option<String>)> {
        let checked: Vec<&CheckedSegment> = tiers.iter().map(|(_, c)| c).collect();
        let entity = &checked[0].query.entity;
        let notice = match evaluate(self, &checked, prefer, token)? {
            Ok(found) => {
                let keys = match with_keys {
                    true => engine_keys(&found.data, &entity.name, &entity.key).map(Some),
                    false => Ok(None),
                };
                match keys {
                    Ok(keys) => {
                        let mut taken = Bitset::empty(found.sets[0].len());
                        let kept = found
                            .sets
                            .iter()
                            .map(|set| {
                                let mut kept = set.clone();
                                kept.and_not_with(&taken);
                                taken.or_with(set);
                                kept
                            })
                            .collect();
                        let assignment = Assignment::Memory {
                            sets: found.sets,
                            kept,
                            keys,
                        };
                        return Ok((assignment, Method::Memory, None));
                    }
                    Err(Error::Cancelled) => return Err(Error::Cancelled),
                    Err(e) => Some(e.to_string()),
                }
            }
            Err(notice) => notice,
        };
        if !with_keys {
            let groups = self.count_tiers_in_sql(&checked, token)?;
            return Ok((Assignment::Counted(groups), Method::Sql, notice));
        }
        let mut matched = Vec::with_capacity(checked.len());
        let mut first = HashMap::new();
        for (i, segment) in checked.iter().enumerate() {
            let keys: Vec<String> = self
                .backend()
                .matching_keys(&segment.query, i64::MAX as u64, token)?
                .iter()
                .filter_map(key_text)
                .collect();
            for key in &keys {
                first.entry(key.clone()).or_insert(i);
            }
            matched.push(keys);
        }
        Ok((Assignment::Keys { matched, first }, Method::Sql, notice))
    }

    /// The waterfall counted where the data is, in one grouped statement in the source's own
    /// dialect: each tier's keys statement is a `WITH` table, every record of the entity is
    /// joined with each (`LEFT JOIN`), its first matching tier is a `CASE`, and the records
    /// are grouped by it, each group with how many of its records every tier matches: at most
    /// one row per tier plus one for the records in none, and no key read.
    fn count_tiers_in_sql(
        &self,
        checked: &[&CheckedSegment],
        token: &CancelToken,
    ) -> Result<Vec<FirstTier>> {
        let dialect = self.backend().sql_dialect().dialect();
        let entity = &checked[0].query.entity;
        let q = |n: &str| dialect.quote_identifier(n);
        let mut with = Vec::with_capacity(checked.len());
        let mut params = Vec::new();
        for (i, segment) in checked.iter().enumerate() {
            let keys = segment_sql::build_output_after(
                &segment.query,
                segment_sql::Output::Keys {
                    limit: dialect.largest_limit(),
                },
                dialect,
                params.len(),
            )?;
            with.push(format!("s{i}(k) AS ({})", keys.sql));
            params.extend(keys.params);
        }
        let n = checked.len();
        let first = (0..n)
            .map(|i| format!("WHEN s{i}.k IS NOT NULL THEN {i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let members = (0..n)
            .map(|i| format!(", s{i}.k AS m{i}"))
            .collect::<String>();
        let joins = (0..n)
            .map(|i| format!(" LEFT JOIN s{i} ON s{i}.k = t0.{}", q(&entity.key)))
            .collect::<String>();
        let counts = (0..n)
            .map(|i| format!(", count(b.m{i})"))
            .collect::<String>();
        let sql = format!(
            "WITH {} SELECT b.f, count(*){counts} FROM (SELECT CASE {first} END AS f{members} FROM {} AS t0{joins}) AS b GROUP BY b.f",
            with.join(", "),
            q(&entity.name)
        );
        let statement = segment_sql::Statement { sql, params };
        let rows = self.backend().select_rows(&statement, token)?;
        let location = || self.backend().location();
        let number = |row: &[segment_sql::SqlCell], i: usize| {
            row.get(i)
                .and_then(segment_sql::SqlCell::as_i64)
                .and_then(|v| u64::try_from(v).ok())
                .ok_or_else(|| {
                    Error::EngineUnavailable(format!(
                        "tiers on {}: the count in column {} of the grouped statement is not a \
                         whole number",
                        location(),
                        i + 1
                    ))
                })
        };
        rows.iter()
            .map(|row| {
                let first = match row.first() {
                    None | Some(segment_sql::SqlCell::Null) => None,
                    Some(cell) => Some(
                        cell.as_i64()
                            .and_then(|f| usize::try_from(f).ok())
                            .filter(|&f| f < n)
                            .ok_or_else(|| {
                                Error::EngineUnavailable(format!(
                                    "tiers on {}: the grouped statement names no tier \
                                     ({cell:?})",
                                    location()
                                ))
                            })?,
                    ),
                };
                Ok(FirstTier {
                    first,
                    records: number(row, 1)?,
                    matched: (0..n).map(|i| number(row, i + 2)).collect::<Result<_>>()?,
                })
            })
            .collect()
    }
}
