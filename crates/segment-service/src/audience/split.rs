//! Splits and holdouts: a segment's members divided into named groups by percentages, each
//! member placed by a hash of its key and the split's salt, so the same person lands in the
//! same group on every evaluation, on every machine, and in a warehouse's SQL:
//!
//! ```text
//! bucket = int(first 8 hex digits of sha256(utf8(salt || ':' || key)), base 16) mod 10000
//! ```
//!
//! `key` is the record's key as text (integers in decimal). Group `i` takes the buckets from
//! the sum of the earlier groups' percentages × 100 up to that sum plus its own (45/45/10:
//! 0–4499, 4500–8999, 9000–9999). See ARCHITECTURE.md "Audience tools" for the SQL.

use std::sync::{Arc, Mutex, Weak};
use std::time::Instant;

use segment_engine::Dataset;
use segment_source::CancelToken;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use super::membership::{engine_keys, evaluate, millis, or_sql};
use super::values::{
    cell, engine_values, resolve, sql_expression, values_of_cells, Dimension, RecordValues,
    Resolved, NO_VALUE,
};
use crate::backend::key_text;
use crate::checked::CheckedSegment;
use crate::error::{Error, Result};
use crate::service::{Method, Prefer, Service};

/// Buckets a split is made of: percentages with up to two decimals.
pub const BUCKETS: u32 = 10_000;

/// A standardised difference above this is usually read as a real imbalance.
pub const IMBALANCE: f64 = 0.1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SplitGroup {
    pub name: String,
    /// Share of the members, in percent (two decimals at most; all groups sum to 100).
    pub percent: f64,
}

/// A split: its groups, the salt that makes it repeatable, and attributes to compare.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SplitRequest {
    pub groups: Vec<SplitGroup>,
    pub salt: String,
    /// Attributes whose balance between the groups is reported.
    #[serde(default)]
    pub balance: Vec<Dimension>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SplitGroupCount {
    pub name: String,
    pub percent: f64,
    /// The group's buckets: `first_bucket <= bucket < end_bucket`.
    pub first_bucket: u32,
    pub end_bucket: u32,
    #[ts(type = "number")]
    pub count: u64,
}

/// How one attribute compares between the groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BalanceRow {
    /// `age`, or `country = US` for one value of a text attribute.
    pub attribute: String,
    /// Per group: the mean (numbers; dates in Unix seconds) or the share with the value.
    pub values: Vec<Option<f64>>,
    /// `share` (0–1), `number` or `date`.
    pub measure: String,
    /// The largest standardised difference between two groups (absent: nothing to compare).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub difference: Option<f64>,
    /// Whether every pair of groups differs by less than 0.1 standard deviations.
    pub balanced: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SplitResult {
    pub salt: String,
    #[ts(type = "number")]
    pub count: u64,
    pub groups: Vec<SplitGroupCount>,
    pub balance: Vec<BalanceRow>,
    #[ts(type = "\"memory\" | \"sql\"")]
    pub method: Method,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub notice: Option<String>,
    pub ms: f64,
}

/// The bucket (0–9999) of a member key under a salt.
pub fn bucket_of(salt: &str, key: &str) -> u32 {
    let mut hasher = Sha256::new();
    hasher.update(salt.as_bytes());
    hasher.update(b":");
    hasher.update(key.as_bytes());
    let digest = hasher.finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) % BUCKETS
}

/// Checks the groups and gives each its buckets.
pub fn plan(request: &SplitRequest) -> Result<Vec<SplitGroupCount>> {
    let bad = |message: String, path: String| Error::Request {
        message,
        path: Some(path),
    };
    if !(2..=20).contains(&request.groups.len()) {
        return Err(bad("a split needs 2 to 20 groups".into(), "/groups".into()));
    }
    if request.salt.trim().is_empty() {
        return Err(bad(
            "give the split a salt (any text kept with it)".into(),
            "/salt".into(),
        ));
    }
    let mut end = 0u32;
    let mut planned = Vec::new();
    for (i, group) in request.groups.iter().enumerate() {
        let name = group.name.trim();
        if name.is_empty() || request.groups[..i].iter().any(|g| g.name.trim() == name) {
            return Err(bad(
                format!("group {} needs a name of its own", i + 1),
                format!("/groups/{i}/name"),
            ));
        }
        let hundredths = group.percent * 100.0;
        if !(hundredths.is_finite()
            && hundredths > 0.0
            && (hundredths - hundredths.round()).abs() < 1e-6)
        {
            return Err(bad(
                format!("{name}: a percentage above 0 with at most two decimals"),
                format!("/groups/{i}/percent"),
            ));
        }
        let first = end;
        end += hundredths.round() as u32;
        planned.push(SplitGroupCount {
            name: name.to_string(),
            percent: group.percent,
            first_bucket: first,
            end_bucket: end,
            count: 0,
        });
    }
    if end != BUCKETS {
        return Err(bad(
            format!(
                "the percentages add up to {}%, not 100%",
                f64::from(end) / 100.0
            ),
            "/groups".into(),
        ));
    }
    Ok(planned)
}

/// The group of each bucket.
fn group_table(groups: &[SplitGroupCount]) -> Vec<u8> {
    let mut table = vec![0u8; BUCKETS as usize];
    for (g, group) in groups.iter().enumerate() {
        for b in group.first_bucket..group.end_bucket {
            table[b as usize] = g as u8;
        }
    }
    table
}

/// The last salts' buckets per record of the engine's copy: hashing a million keys takes a
/// while, and a split is re-evaluated on every edit of its segment.
type BucketCache = Mutex<Vec<(Weak<Dataset>, String, String, Arc<Vec<u16>>)>>;
static BUCKETS_CACHE: BucketCache = Mutex::new(Vec::new());

fn engine_buckets(
    data: &Arc<Dataset>,
    entity: &str,
    key: &str,
    salt: &str,
) -> Result<Arc<Vec<u16>>> {
    let mut cache = BUCKETS_CACHE.lock().unwrap_or_else(|p| p.into_inner());
    cache.retain(|(d, ..)| d.strong_count() > 0);
    if let Some((.., buckets)) = cache.iter().find(|(d, e, s, _)| {
        d.upgrade().is_some_and(|d| Arc::ptr_eq(&d, data)) && e == entity && s == salt
    }) {
        return Ok(Arc::clone(buckets));
    }
    let buckets: Arc<Vec<u16>> = Arc::new(
        engine_keys(data, entity, key)?
            .iter()
            .map(|k| bucket_of(salt, k) as u16)
            .collect(),
    );
    if cache.len() >= 4 {
        cache.remove(0);
    }
    cache.push((
        Arc::downgrade(data),
        entity.into(),
        salt.into(),
        Arc::clone(&buckets),
    ));
    Ok(buckets)
}

/// Members in a split: each one's group, and per balance attribute its value.
struct Assigned {
    groups: Vec<u8>,
    keys: Option<Vec<String>>,
    values: Vec<RecordValues>,
}

impl Service {
    /// Splits the members of `checked` as `request` says: each group's exact count and the
    /// balance of the chosen attributes between groups.
    pub fn split(
        &self,
        checked: &CheckedSegment,
        request: &SplitRequest,
        prefer: Prefer,
        token: &CancelToken,
    ) -> Result<SplitResult> {
        let started = Instant::now();
        let mut groups = plan(request)?;
        let entity = &checked.query.entity.name;
        let dims = request
            .balance
            .iter()
            .map(|d| resolve(self.schema(), entity, d))
            .collect::<Result<Vec<_>>>()?;
        let (assigned, method, notice) =
            self.assign(checked, request, &groups, &dims, false, prefer, token)?;
        for g in &assigned.groups {
            groups[*g as usize].count += 1;
        }
        let balance = dims
            .iter()
            .zip(&assigned.values)
            .flat_map(|(dim, values)| balance_rows(dim, values, &assigned.groups, groups.len()))
            .collect();
        Ok(SplitResult {
            salt: request.salt.clone(),
            count: assigned.groups.len() as u64,
            groups,
            balance,
            method,
            notice,
            ms: millis(started),
        })
    }

    /// The member keys of each group, in the groups' order (for exports).
    pub fn split_members(
        &self,
        checked: &CheckedSegment,
        request: &SplitRequest,
        prefer: Prefer,
        token: &CancelToken,
    ) -> Result<Vec<Vec<String>>> {
        let groups = plan(request)?;
        let (assigned, ..) = self.assign(checked, request, &groups, &[], true, prefer, token)?;
        let mut lists = vec![Vec::new(); groups.len()];
        for (key, g) in assigned
            .keys
            .unwrap_or_default()
            .into_iter()
            .zip(assigned.groups)
        {
            lists[g as usize].push(key);
        }
        Ok(lists)
    }

    #[allow(clippy::too_many_arguments)]
    fn assign(
        &self,
        checked: &CheckedSegment,
        request: &SplitRequest,
        groups: &[SplitGroupCount],
        dims: &[Resolved],
        with_keys: bool,
        prefer: Prefer,
        token: &CancelToken,
    ) -> Result<(Assigned, Method, Option<String>)> {
        let table = group_table(groups);
        let entity = &checked.query.entity;
        let notice = match evaluate(self, &[checked], prefer, token)? {
            Ok(found) => {
                let in_memory = or_sql((|| {
                    let buckets =
                        engine_buckets(&found.data, &entity.name, &entity.key, &request.salt)?;
                    let rows: Vec<usize> = found.sets[0].iter().collect();
                    let values = dims
                        .iter()
                        .map(|d| Ok(pick(&engine_values(&found.data, &entity.name, d)?, &rows)))
                        .collect::<Result<Vec<_>>>()?;
                    let keys = match with_keys {
                        true => {
                            let all = engine_keys(&found.data, &entity.name, &entity.key)?;
                            Some(rows.iter().map(|r| all[*r].clone()).collect())
                        }
                        false => None,
                    };
                    Ok(Assigned {
                        groups: rows.iter().map(|r| table[buckets[*r] as usize]).collect(),
                        keys,
                        values,
                    })
                })())?;
                match in_memory {
                    Ok(assigned) => return Ok((assigned, Method::Memory, None)),
                    Err(notice) => notice,
                }
            }
            Err(notice) => notice,
        };
        let (keys, values, notice) = self.members_in_sql(checked, dims, notice, token)?;
        let assigned = Assigned {
            groups: keys
                .iter()
                .map(|k| table[bucket_of(&request.salt, k) as usize])
                .collect(),
            keys: Some(keys),
            values,
        };
        Ok((assigned, Method::Sql, notice))
    }

    /// The members' keys and, when asked, their attribute values, in SQL. A backend that cannot
    /// run the values statement still splits (through its keys), without the balance.
    fn members_in_sql(
        &self,
        checked: &CheckedSegment,
        dims: &[Resolved],
        notice: Option<String>,
        token: &CancelToken,
    ) -> Result<(Vec<String>, Vec<RecordValues>, Option<String>)> {
        if !dims.is_empty() {
            match self.member_values_in_sql(checked, dims, token) {
                Ok((keys, values)) => return Ok((keys, values, notice)),
                Err(Error::Cancelled) => return Err(Error::Cancelled),
                Err(Error::EngineUnavailable(why)) => {
                    let keys = self.member_keys_in_sql(checked, token)?;
                    let empty = dims
                        .iter()
                        .map(|_| RecordValues::Numbers(Vec::new()))
                        .collect();
                    return Ok((keys, empty, Some(format!("no balance report: {why}"))));
                }
                Err(e) => return Err(e),
            }
        }
        Ok((self.member_keys_in_sql(checked, token)?, Vec::new(), notice))
    }

    fn member_keys_in_sql(
        &self,
        checked: &CheckedSegment,
        token: &CancelToken,
    ) -> Result<Vec<String>> {
        let keys = self
            .backend()
            .matching_keys(&checked.query, i64::MAX as u64, token)?;
        Ok(keys.iter().filter_map(key_text).collect())
    }

    fn member_values_in_sql(
        &self,
        checked: &CheckedSegment,
        dims: &[Resolved],
        token: &CancelToken,
    ) -> Result<(Vec<String>, Vec<RecordValues>)> {
        let dialect = self.backend().sql_dialect().dialect();
        let keys = segment_sql::build_output(
            &checked.query,
            segment_sql::Output::Keys {
                limit: dialect.largest_limit(),
            },
            dialect,
        )?;
        let entity = &checked.query.entity;
        let q = |n: &str| dialect.quote_identifier(n);
        let columns = dims
            .iter()
            .map(|d| sql_expression(d, dialect))
            .collect::<Result<Vec<String>>>()?;
        let sql = format!(
            "WITH s(k) AS ({}) SELECT t0.{key}, {} FROM {} AS t0 WHERE t0.{key} IN (SELECT k FROM s) ORDER BY t0.{key}",
            keys.sql,
            columns.join(", "),
            q(&entity.name),
            key = q(&entity.key),
        );
        let statement = segment_sql::Statement {
            sql,
            params: keys.params,
        };
        let rows = self.backend().select_rows(&statement, token)?;
        let member_keys = rows
            .iter()
            .filter_map(|r| r.first().and_then(crate::backend::cell_key))
            .filter_map(|k| key_text(&k))
            .collect();
        let values = dims
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let cells = rows.iter().map(|r| {
                    r.get(i + 1)
                        .map_or(super::values::Cell::Missing, |v| cell(v, d.kind))
                });
                values_of_cells(cells, d.kind)
            })
            .collect();
        Ok((member_keys, values))
    }
}

/// The values of `rows`, in their order.
fn pick(values: &RecordValues, rows: &[usize]) -> RecordValues {
    match values {
        RecordValues::Categories { codes, labels } => RecordValues::Categories {
            codes: rows.iter().map(|r| codes[*r]).collect(),
            labels: labels.clone(),
        },
        RecordValues::Numbers(v) => RecordValues::Numbers(rows.iter().map(|r| v[*r]).collect()),
        RecordValues::Times(v) => RecordValues::Times(rows.iter().map(|r| v[*r]).collect()),
    }
}

/// Per group: how many values, their mean and variance.
fn moments(values: impl Iterator<Item = (usize, f64)>, groups: usize) -> Vec<(f64, f64, f64)> {
    let mut acc = vec![(0f64, 0f64, 0f64); groups];
    for (g, v) in values {
        acc[g].0 += 1.0;
        acc[g].1 += v;
        acc[g].2 += v * v;
    }
    acc.into_iter()
        .map(|(n, s, ss)| {
            let mean = if n > 0.0 { s / n } else { f64::NAN };
            let var = if n > 1.0 {
                ((ss - s * s / n) / (n - 1.0)).max(0.0)
            } else {
                0.0
            };
            (n, mean, var)
        })
        .collect()
}

/// The largest standardised difference between two groups with values:
/// |mean_a − mean_b| / √((var_a + var_b) / 2).
fn largest_difference(m: &[(f64, f64, f64)]) -> Option<f64> {
    let mut worst: Option<f64> = None;
    for a in 0..m.len() {
        for b in a + 1..m.len() {
            if m[a].0 == 0.0 || m[b].0 == 0.0 {
                continue;
            }
            let spread = ((m[a].2 + m[b].2) / 2.0).sqrt();
            let d = match spread > 0.0 {
                true => (m[a].1 - m[b].1).abs() / spread,
                false => 0.0,
            };
            worst = Some(worst.map_or(d, |w| w.max(d)));
        }
    }
    worst
}

fn balance_row(attribute: String, measure: &str, m: &[(f64, f64, f64)]) -> BalanceRow {
    let difference = largest_difference(m);
    BalanceRow {
        attribute,
        values: m
            .iter()
            .map(|(n, mean, _)| (*n > 0.0).then_some(*mean))
            .collect(),
        measure: measure.into(),
        difference,
        balanced: difference.is_none_or(|d| d < IMBALANCE),
    }
}

/// One row for a number or date (means), one per most common value for text (shares).
fn balance_rows(dim: &Resolved, values: &RecordValues, groups: &[u8], n: usize) -> Vec<BalanceRow> {
    if values.len() != groups.len() {
        return Vec::new();
    }
    let group = |i: usize| groups[i] as usize;
    match values {
        RecordValues::Numbers(v) => {
            let m = moments(
                v.iter()
                    .enumerate()
                    .filter(|(_, x)| !x.is_nan())
                    .map(|(i, x)| (group(i), *x)),
                n,
            );
            vec![balance_row(dim.label.clone(), "number", &m)]
        }
        RecordValues::Times(v) => {
            let m = moments(
                v.iter()
                    .enumerate()
                    .filter_map(|(i, t)| t.map(|t| (group(i), t as f64))),
                n,
            );
            vec![balance_row(dim.label.clone(), "date", &m)]
        }
        RecordValues::Categories { codes, labels } => {
            let mut frequency = vec![0u64; labels.len()];
            for &c in codes.iter().filter(|c| **c != NO_VALUE) {
                frequency[c as usize] += 1;
            }
            let mut top: Vec<usize> = (0..labels.len()).filter(|c| frequency[*c] > 0).collect();
            top.sort_by(|a, b| {
                frequency[*b]
                    .cmp(&frequency[*a])
                    .then(labels[*a].cmp(&labels[*b]))
            });
            top.truncate(5);
            top.into_iter()
                .map(|value| {
                    let indicator = codes
                        .iter()
                        .enumerate()
                        .map(|(i, c)| (group(i), f64::from(u8::from(*c == value as u32))));
                    let m = moments(indicator, n);
                    let label = format!("{} = {}", dim.label, labels[value]);
                    balance_row(label, "share", &m)
                })
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_buckets_for_other_platforms() {
        // sha256("holdout:1") starts c313d5c3; these pin the formula (salt, ':', key; first four
        // bytes big-endian; mod 10000) for a warehouse's SQL to be checked against.
        let pinned: Vec<u32> = ["1", "2", "42", "alice@example.com"]
            .iter()
            .map(|k| bucket_of("holdout", k))
            .collect();
        assert_eq!(pinned, PINNED.to_vec());
    }

    /// Computed independently (Python's hashlib): `int(sha256(b'holdout:1').hexdigest()[:8], 16) % 10000`.
    const PINNED: [u32; 4] = [7027, 4334, 9597, 4761];

    #[test]
    fn plans_reject_bad_percentages() {
        let request = |p: &[f64]| SplitRequest {
            groups: p
                .iter()
                .enumerate()
                .map(|(i, p)| SplitGroup {
                    name: format!("g{i}"),
                    percent: *p,
                })
                .collect(),
            salt: "s".into(),
            balance: Vec::new(),
        };
        let planned = plan(&request(&[45.0, 45.0, 10.0])).unwrap();
        assert_eq!(
            planned
                .iter()
                .map(|g| (g.first_bucket, g.end_bucket))
                .collect::<Vec<_>>(),
            vec![(0, 4500), (4500, 9000), (9000, 10000)]
        );
        assert!(plan(&request(&[50.0, 40.0])).is_err());
        assert!(plan(&request(&[33.333, 66.667])).is_err());
        assert!(plan(&request(&[33.33, 66.67])).is_ok());
        assert!(plan(&request(&[100.0])).is_err());
    }
}
