//! A data source held in memory: its entities' columns and, per relationship, which records of
//! the two sides share a join value.

use std::collections::HashMap;

use segment_model::schema::{Cardinality, Schema};

use crate::buf::Buf;
use crate::column::{exact_integer, ColumnData, IntView};
use crate::error::{Error, Result};
use crate::group_runs::{Buckets, GroupRuns};
use crate::with_ints;

/// One entity's records, column by column.
#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    pub len: usize,
    pub columns: HashMap<String, ColumnData>,
}

impl Table {
    pub fn new(name: &str, len: usize) -> Self {
        Table {
            name: name.to_string(),
            len,
            columns: HashMap::new(),
        }
    }

    pub fn add(&mut self, column: &str, data: ColumnData) -> Result<()> {
        if data.len() != self.len {
            return Err(Error::Load(format!(
                "column {}.{column} has {} values for {} records",
                self.name,
                data.len(),
                self.len
            )));
        }
        self.columns.insert(column.to_string(), data);
        Ok(())
    }

    pub fn column(&self, name: &str) -> Result<&ColumnData> {
        self.columns
            .get(name)
            .ok_or_else(|| Error::Missing(format!("column {}.{name}", self.name)))
    }
}

/// Records of both sides of a relationship grouped by join value: records with the same group
/// id are related. `NONE` marks a NULL join value or one absent from the `from` side.
#[derive(Debug, Clone)]
pub struct Join {
    pub from_group: Buf<u32>,
    pub to_group: Buf<u32>,
    pub groups: usize,
    /// Per group, its related records with a time, when the relationship is one-to-many with
    /// a time column (see [`GroupRuns`]).
    pub runs: Option<GroupRuns>,
}

pub const NONE: u32 = u32::MAX;

/// A join value as SQL compares it: numbers by exact value (1 and 1.0, 0.0 and -0.0 share a
/// key; 2^53 + 1 and 2^53 do not), text byte for byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum JoinKey<'a> {
    Int(i64),
    /// A double with no integer equal to it (a fraction, or beyond the i64 range).
    Real(u64),
    Text(&'a str),
}

/// A column's join keys, `None` for NULL.
fn join_keys<'a>(column: &'a ColumnData, what: &str) -> Result<Vec<Option<JoinKey<'a>>>> {
    let valid = column.valid();
    Ok(match column {
        ColumnData::Integer { values, .. } => (0..values.len())
            .map(|r| valid.contains(r).then(|| JoinKey::Int(values.get(r))))
            .collect(),
        ColumnData::Number { values, .. } => (0..values.len())
            .map(|r| {
                valid.contains(r).then(|| {
                    let v = values[r];
                    match exact_integer(v) {
                        Some(i) => JoinKey::Int(i),
                        None => JoinKey::Real(v.to_bits()),
                    }
                })
            })
            .collect(),
        ColumnData::Text(t) => (0..t.codes.len())
            .map(|r| valid.contains(r).then(|| JoinKey::Text(t.value(r))))
            .collect(),
        ColumnData::Time { .. } | ColumnData::Array(_) => {
            return Err(Error::Unsupported(format!(
                "{what}: the engine joins on number or text columns only"
            )))
        }
    })
}

impl Join {
    fn build(from: &ColumnData, to: &ColumnData, what: &str) -> Result<Join> {
        let text = |c: &ColumnData| matches!(c, ColumnData::Text(_));
        if text(from) != text(to) {
            // SQL would convert the text side by the other's affinity ('007' = 7); not here.
            return Err(Error::Unsupported(format!(
                "{what}: a join between a text and a number column"
            )));
        }
        if let (
            ColumnData::Integer {
                values: fv,
                valid: fvalid,
            },
            ColumnData::Integer {
                values: tv,
                valid: tvalid,
            },
        ) = (from, to)
        {
            let dense = with_ints!(fv, |fv| with_ints!(tv, |tv| Join::build_dense(
                fv, fvalid, tv, tvalid
            )));
            if let Some(join) = dense {
                return Ok(join);
            }
        }
        let (from_keys, to_keys) = (join_keys(from, what)?, join_keys(to, what)?);
        let mut ids: HashMap<JoinKey<'_>, u32> = HashMap::with_capacity(from_keys.len());
        let from_group = from_keys
            .iter()
            .map(|key| match key {
                None => NONE,
                Some(key) => {
                    let next = ids.len() as u32;
                    *ids.entry(*key).or_insert(next)
                }
            })
            .collect();
        let to_group = to_keys
            .iter()
            .map(|key| key.and_then(|k| ids.get(&k).copied()).unwrap_or(NONE))
            .collect();
        Ok(Join {
            from_group,
            to_group,
            groups: ids.len(),
            runs: None,
        })
    }

    /// The common case of small non-negative integer keys (row ids): an array instead of a hash
    /// map. `None` when the keys are not like that.
    fn build_dense(
        fv: impl IntView,
        fvalid: &crate::Bitset,
        tv: impl IntView,
        tvalid: &crate::Bitset,
    ) -> Option<Join> {
        let limit = (fv.len().max(tv.len()) * 4 + 1024) as i64;
        let small = |v: i64| (0..limit).contains(&v);
        if !(0..fv.len()).all(|r| !fvalid.contains(r) || small(fv.at(r))) {
            return None;
        }
        let max = (0..fv.len())
            .filter(|r| fvalid.contains(*r))
            .map(|r| fv.at(r) as usize)
            .max()
            .unwrap_or(0);
        let mut ids = vec![NONE; max + 1];
        let mut groups = 0u32;
        let from_group = (0..fv.len())
            .map(|r| {
                if !fvalid.contains(r) {
                    return NONE;
                }
                let slot = &mut ids[fv.at(r) as usize];
                if *slot == NONE {
                    *slot = groups;
                    groups += 1;
                }
                *slot
            })
            .collect();
        let to_group = (0..tv.len())
            .map(|r| {
                let v = tv.at(r);
                if tvalid.contains(r) && small(v) && (v as usize) <= max {
                    ids[v as usize]
                } else {
                    NONE
                }
            })
            .collect();
        Some(Join {
            from_group,
            to_group,
            groups: groups as usize,
            runs: None,
        })
    }

    pub fn heap_bytes(&self) -> usize {
        (self.from_group.len() + self.to_group.len()) * 4
            + self.runs.as_ref().map_or(0, GroupRuns::heap_bytes)
    }
}

/// One part of the engine's memory (see [`Dataset::memory_parts`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MemoryPart {
    /// `table.column`, `index table(column)` or `join a.x = b.y`.
    pub part: String,
    pub bytes: u64,
    /// Borrowed from a memory-mapped snapshot: file pages the kernel may drop and read again,
    /// not heap.
    pub mapped: bool,
}

/// Records of a related table ordered by a low-cardinality text column, then by time: the
/// records with one value form a contiguous bucket, sorted by the time column, so "name is
/// purchase in the last 30 days" is two binary searches instead of a scan.
#[derive(Debug, Clone)]
pub struct SortedIndex {
    pub column: String,
    pub time_column: Option<String>,
    /// Record numbers, bucket by bucket; `None` when the table itself is stored in this order
    /// (clustered), so bucket positions are record numbers. (Only clustered indexes are built
    /// today: a permutation index costs a sort at load and random access at count time.)
    pub perm: Option<Buf<u32>>,
    /// Bucket `code` is positions `starts[code]..starts[code + 1]`; the last bucket holds NULLs.
    pub starts: Buf<u32>,
}

impl SortedIndex {
    /// The record at a position of the index order.
    #[inline]
    pub fn row_at(&self, position: usize) -> usize {
        match &self.perm {
            Some(perm) => perm[position] as usize,
            None => position,
        }
    }
}

/// Text columns with at most this many distinct values get a [`SortedIndex`] on related tables.
pub const INDEXED_DISTINCT_VALUES: usize = 4096;

/// All entities of a data source in memory, with their relationships' joins.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub(crate) tables: HashMap<String, Table>,
    /// By relationship id.
    pub(crate) joins: HashMap<i64, Join>,
    /// By (table, text column).
    pub(crate) indexes: HashMap<(String, String), SortedIndex>,
}

impl Dataset {
    /// Builds the joins of every relationship in `schema` between loaded tables.
    pub fn new(tables: Vec<Table>, schema: &Schema) -> Result<Self> {
        let mut tables: HashMap<String, Table> =
            tables.into_iter().map(|t| (t.name.clone(), t)).collect();
        let mut indexes = HashMap::new();

        // The many side of each relationship (events, orders) is stored clustered by its
        // finest low-cardinality text column, then by time: the records of one event name in a
        // time window are then one contiguous run of every column.
        for rel in &schema.relationships {
            if rel.cardinality != Cardinality::OneToMany {
                continue;
            }
            let Some(table) = tables.get_mut(&rel.to_entity) else {
                continue;
            };
            if indexes
                .keys()
                .any(|(t, _): &(String, String)| t == &table.name)
            {
                continue;
            }
            let mut candidates: Vec<(&String, usize)> = table
                .columns
                .iter()
                .filter_map(|(name, data)| match data {
                    ColumnData::Text(t) if t.dict.len() <= INDEXED_DISTINCT_VALUES => {
                        Some((name, t.dict.len()))
                    }
                    _ => None,
                })
                .collect();
            candidates.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let Some((cluster, _)) = candidates.first() else {
                continue;
            };
            let cluster = (*cluster).clone();
            let time = rel
                .time_column
                .as_deref()
                .filter(|c| matches!(table.columns.get(*c), Some(ColumnData::Time { .. })));
            let order = time_order(table.len, time.and_then(|c| table.columns.get(c)));
            let ColumnData::Text(text) = &table.columns[&cluster] else {
                continue;
            };
            let (perm, starts) = bucket_by_code(&order, text);
            drop(order);
            for data in table.columns.values_mut() {
                *data = data.permute(&perm);
            }
            indexes.insert(
                (table.name.clone(), cluster.clone()),
                SortedIndex {
                    column: cluster,
                    time_column: time.map(str::to_string),
                    perm: None,
                    starts: starts.into(),
                },
            );
        }

        let mut joins = HashMap::new();
        for rel in &schema.relationships {
            let (Some(from), Some(to)) = (tables.get(&rel.from_entity), tables.get(&rel.to_entity))
            else {
                continue;
            };
            let what = format!("relationship {}", rel.name);
            let mut join = Join::build(
                from.column(&rel.from_column)?,
                to.column(&rel.to_column)?,
                &what,
            )?;
            if rel.cardinality == Cardinality::OneToMany {
                join.runs = group_runs(to, rel.time_column.as_deref(), &join, &indexes);
            }
            joins.insert(rel.id, join);
        }

        Ok(Dataset {
            tables,
            joins,
            indexes,
        })
    }

    pub fn index(&self, table: &str, column: &str) -> Option<&SortedIndex> {
        self.indexes.get(&(table.to_string(), column.to_string()))
    }

    /// Every index on `table`'s columns, by column name.
    pub fn indexes_of(&self, table: &str) -> Vec<&SortedIndex> {
        let mut found: Vec<&SortedIndex> = self
            .indexes
            .iter()
            .filter(|((t, _), _)| t == table)
            .map(|(_, index)| index)
            .collect();
        found.sort_by(|a, b| a.column.cmp(&b.column));
        found
    }

    pub fn table(&self, name: &str) -> Result<&Table> {
        self.tables
            .get(name)
            .ok_or_else(|| Error::Missing(format!("entity {name}")))
    }

    pub fn join(&self, relationship_id: i64, name: &str) -> Result<&Join> {
        self.joins
            .get(&relationship_id)
            .ok_or_else(|| Error::Missing(format!("relationship {name}")))
    }

    /// Records per entity.
    pub fn sizes(&self) -> Vec<(String, usize)> {
        let mut sizes: Vec<_> = self
            .tables
            .values()
            .map(|t| (t.name.clone(), t.len))
            .collect();
        sizes.sort();
        sizes
    }

    /// Approximate heap bytes held per entity (its columns and the indexes over it), by name.
    pub fn heap_bytes_by_table(&self) -> Vec<(String, usize, usize)> {
        let mut out: Vec<(String, usize, usize)> = self
            .tables
            .values()
            .map(|t| {
                let columns: usize = t.columns.values().map(ColumnData::heap_bytes).sum();
                let indexes: usize = self
                    .indexes
                    .iter()
                    .filter(|((table, _), _)| table == &t.name)
                    .map(|(_, i)| (i.perm.as_ref().map_or(0, |p| p.len()) + i.starts.len()) * 4)
                    .sum();
                (t.name.clone(), t.len, columns + indexes)
            })
            .collect();
        out.sort();
        out
    }

    /// The bytes of each part (column, index, join), largest first, and whether they are
    /// borrowed from a mapped snapshot (the kernel's page cache) rather than on the heap.
    /// `schema` names the joins' relationships.
    pub fn memory_parts(&self, schema: &Schema) -> Vec<MemoryPart> {
        let mut parts: Vec<MemoryPart> = Vec::new();
        for table in self.tables.values() {
            for (name, column) in &table.columns {
                parts.push(MemoryPart {
                    part: format!("{}.{name}", table.name),
                    bytes: column.heap_bytes() as u64,
                    mapped: column.valid().is_borrowed(),
                });
            }
        }
        for ((table, column), index) in &self.indexes {
            parts.push(MemoryPart {
                part: format!("index {table}({column})"),
                bytes: ((index.perm.as_ref().map_or(0, |p| p.len()) + index.starts.len()) * 4)
                    as u64,
                mapped: index.starts.is_borrowed(),
            });
        }
        for (id, join) in &self.joins {
            let name = schema.relationships.iter().find(|r| r.id == *id);
            parts.push(MemoryPart {
                part: name.map_or_else(
                    || format!("join of relationship {id}"),
                    |r| {
                        format!(
                            "join {}.{} = {}.{}",
                            r.from_entity, r.from_column, r.to_entity, r.to_column
                        )
                    },
                ),
                bytes: join.heap_bytes() as u64,
                mapped: join.to_group.is_borrowed(),
            });
        }
        parts.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.part.cmp(&b.part)));
        parts
    }

    /// Approximate heap bytes held, for the memory figures.
    pub fn heap_bytes(&self) -> usize {
        self.tables
            .values()
            .flat_map(|t| t.columns.values())
            .map(ColumnData::heap_bytes)
            .sum::<usize>()
            + self.joins.values().map(Join::heap_bytes).sum::<usize>()
            + self
                .indexes
                .values()
                .map(|i| (i.perm.as_ref().map_or(0, |p| p.len()) + i.starts.len()) * 4)
                .sum::<usize>()
    }
}

/// The relationship's [`GroupRuns`] on its time column, with the related table's clustered
/// index as buckets of record numbers.
fn group_runs(
    to: &Table,
    time_column: Option<&str>,
    join: &Join,
    indexes: &HashMap<(String, String), SortedIndex>,
) -> Option<GroupRuns> {
    let time_column = time_column?;
    let Some(ColumnData::Time { values, valid }) = to.columns.get(time_column) else {
        return None;
    };
    // Buckets serve only when each is in the runs' time order.
    let buckets = indexes
        .iter()
        .find(|((table, _), index)| {
            table == &to.name
                && index.perm.is_none()
                && index.time_column.as_deref() == Some(time_column)
        })
        .map(|(_, index)| Buckets {
            column: index.column.clone(),
            starts: index.starts.clone(),
        });
    with_ints!(values, |values| GroupRuns::build(
        time_column,
        values,
        valid,
        &join.to_group,
        join.groups,
        buckets,
    ))
}

/// The key a record sorts by in time order: NULL first.
#[inline]
pub fn time_key(values: impl IntView, valid: &crate::Bitset, row: usize) -> i64 {
    if valid.contains(row) {
        values.at(row)
    } else {
        i64::MIN
    }
}

/// Record numbers in time order (NULL first), or in record order without a time column.
fn time_order(len: usize, time: Option<&ColumnData>) -> Vec<u32> {
    match time {
        Some(ColumnData::Time { values, valid }) => {
            let mut pairs: Vec<(i64, u32)> = with_ints!(values, |values| (0..len)
                .map(|r| (time_key(values, valid, r), r as u32))
                .collect());
            pairs.sort_unstable();
            pairs.into_iter().map(|(_, r)| r).collect()
        }
        _ => (0..len as u32).collect(),
    }
}

/// A stable counting sort of `order` by text code (NULLs last): buckets keep the time order.
fn bucket_by_code(order: &[u32], text: &crate::column::TextColumn) -> (Vec<u32>, Vec<u32>) {
    let null_bucket = text.dict.len();
    let bucket = |r: u32| {
        if text.valid.contains(r as usize) {
            text.codes[r as usize] as usize
        } else {
            null_bucket
        }
    };
    let mut starts = vec![0u32; null_bucket + 2];
    for r in order {
        starts[bucket(*r) + 1] += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let mut next = starts.clone();
    let mut perm = vec![0u32; order.len()];
    for r in order {
        let b = bucket(*r);
        perm[next[b] as usize] = *r;
        next[b] += 1;
    }
    (perm, starts)
}
