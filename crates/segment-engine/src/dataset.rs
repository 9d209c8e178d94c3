//! A data source held in memory: its entities' columns and, per relationship, which records of
//! the two sides share a join value.

use std::collections::HashMap;

use segment_model::schema::Schema;

use crate::column::ColumnData;
use crate::error::{Error, Result};

/// One entity's records, column by column.
#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    pub len: usize,
    pub columns: HashMap<String, ColumnData>,
}

impl Table {
    pub fn new(name: &str, len: usize) -> Self {
        Table { name: name.to_string(), len, columns: HashMap::new() }
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
        self.columns.get(name).ok_or_else(|| Error::Missing(format!("column {}.{name}", self.name)))
    }
}

/// Records of both sides of a relationship grouped by join value: records with the same group
/// id are related. `NONE` marks a NULL join value or one absent from the `from` side.
#[derive(Debug, Clone)]
pub struct Join {
    pub from_group: Vec<u32>,
    pub to_group: Vec<u32>,
    pub groups: usize,
}

pub const NONE: u32 = u32::MAX;

/// The key of a join value: numerically equal values (1 and 1.0, 0.0 and -0.0) share it, as
/// they compare equal in SQL.
fn join_key(v: f64) -> u64 {
    if v == 0.0 {
        0
    } else {
        v.to_bits()
    }
}

impl Join {
    fn build(from: &ColumnData, to: &ColumnData, what: &str) -> Result<Join> {
        let (ColumnData::Number { values: fv, valid: fvalid }, ColumnData::Number { values: tv, valid: tvalid }) = (from, to)
        else {
            return Err(Error::Unsupported(format!("{what}: the engine joins on number columns only")));
        };
        let mut ids: HashMap<u64, u32> = HashMap::with_capacity(fv.len());
        let mut from_group = Vec::with_capacity(fv.len());
        for (row, v) in fv.iter().enumerate() {
            if !fvalid.contains(row) {
                from_group.push(NONE);
                continue;
            }
            let next = ids.len() as u32;
            from_group.push(*ids.entry(join_key(*v)).or_insert(next));
        }
        let to_group = tv
            .iter()
            .enumerate()
            .map(|(row, v)| if tvalid.contains(row) { ids.get(&join_key(*v)).copied().unwrap_or(NONE) } else { NONE })
            .collect();
        Ok(Join { from_group, to_group, groups: ids.len() })
    }

    pub fn heap_bytes(&self) -> usize {
        (self.from_group.len() + self.to_group.len()) * 4
    }
}

/// Records of a related table ordered by a low-cardinality text column, then by time: the
/// records with one value form a contiguous bucket, sorted by the time column, so "name is
/// purchase in the last 30 days" is two binary searches instead of a scan.
#[derive(Debug, Clone)]
pub struct SortedIndex {
    pub column: String,
    pub time_column: Option<String>,
    /// Record numbers, bucket by bucket.
    pub perm: Vec<u32>,
    /// Bucket `code` is `perm[starts[code]..starts[code + 1]]`; the last bucket holds NULLs.
    pub starts: Vec<u32>,
}

/// Text columns with at most this many distinct values get a [`SortedIndex`] on related tables.
pub const INDEXED_DISTINCT_VALUES: usize = 4096;

/// All entities of a data source in memory, with their relationships' joins.
#[derive(Debug, Clone)]
pub struct Dataset {
    tables: HashMap<String, Table>,
    /// By relationship id.
    joins: HashMap<i64, Join>,
    /// By (table, text column).
    indexes: HashMap<(String, String), SortedIndex>,
}

impl Dataset {
    /// Builds the joins of every relationship in `schema` between loaded tables.
    pub fn new(tables: Vec<Table>, schema: &Schema) -> Result<Self> {
        let tables: HashMap<String, Table> = tables.into_iter().map(|t| (t.name.clone(), t)).collect();
        let mut joins = HashMap::new();
        for rel in &schema.relationships {
            let (Some(from), Some(to)) = (tables.get(&rel.from_entity), tables.get(&rel.to_entity)) else {
                continue;
            };
            let what = format!("relationship {}", rel.name);
            let join = Join::build(from.column(&rel.from_column)?, to.column(&rel.to_column)?, &what)?;
            joins.insert(rel.id, join);
        }
        let mut indexes = HashMap::new();
        for rel in &schema.relationships {
            let Some(table) = tables.get(&rel.to_entity) else { continue };
            let time = rel.time_column.as_deref().and_then(|c| table.columns.get(c).map(|data| (c, data)));
            let mut by_time: Option<Vec<u32>> = None;
            let mut names: Vec<&String> = table.columns.keys().collect();
            names.sort();
            for name in names {
                let key = (table.name.clone(), name.clone());
                let ColumnData::Text(text) = &table.columns[name] else { continue };
                if indexes.contains_key(&key) || text.dict.len() > INDEXED_DISTINCT_VALUES {
                    continue;
                }
                let order = by_time.get_or_insert_with(|| time_order(table.len, time.map(|(_, data)| data)));
                let (perm, starts) = bucket_by_code(order, text);
                indexes.insert(
                    key,
                    SortedIndex { column: name.clone(), time_column: time.map(|(c, _)| c.to_string()), perm, starts },
                );
            }
        }
        Ok(Dataset { tables, joins, indexes })
    }

    pub fn index(&self, table: &str, column: &str) -> Option<&SortedIndex> {
        self.indexes.get(&(table.to_string(), column.to_string()))
    }

    pub fn table(&self, name: &str) -> Result<&Table> {
        self.tables.get(name).ok_or_else(|| Error::Missing(format!("entity {name}")))
    }

    pub fn join(&self, relationship_id: i64, name: &str) -> Result<&Join> {
        self.joins.get(&relationship_id).ok_or_else(|| Error::Missing(format!("relationship {name}")))
    }

    /// Records per entity.
    pub fn sizes(&self) -> Vec<(String, usize)> {
        let mut sizes: Vec<_> = self.tables.values().map(|t| (t.name.clone(), t.len)).collect();
        sizes.sort();
        sizes
    }

    /// Approximate heap bytes held, for the memory figures.
    pub fn heap_bytes(&self) -> usize {
        self.tables.values().flat_map(|t| t.columns.values()).map(ColumnData::heap_bytes).sum::<usize>()
            + self.joins.values().map(Join::heap_bytes).sum::<usize>()
            + self.indexes.values().map(|i| (i.perm.len() + i.starts.len()) * 4).sum::<usize>()
    }
}

/// The key a record sorts by in time order: NULL first.
pub fn time_key(values: &[i64], valid: &crate::Bitset, row: usize) -> i64 {
    if valid.contains(row) {
        values[row]
    } else {
        i64::MIN
    }
}

/// Record numbers in time order (NULL first), or in record order without a time column.
fn time_order(len: usize, time: Option<&ColumnData>) -> Vec<u32> {
    match time {
        Some(ColumnData::Time { values, valid }) => {
            let mut pairs: Vec<(i64, u32)> = (0..len).map(|r| (time_key(values, valid, r), r as u32)).collect();
            pairs.sort_unstable();
            pairs.into_iter().map(|(_, r)| r).collect()
        }
        _ => (0..len as u32).collect(),
    }
}

/// A stable counting sort of `order` by text code (NULLs last): buckets keep the time order.
fn bucket_by_code(order: &[u32], text: &crate::column::TextColumn) -> (Vec<u32>, Vec<u32>) {
    let null_bucket = text.dict.len();
    let bucket = |r: u32| if text.valid.contains(r as usize) { text.codes[r as usize] as usize } else { null_bucket };
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
