//! Columnar storage of one entity's attributes, compact and typed: integers as `i64` (exact:
//! ids beyond 2^53 stay distinct), other numbers as `f64`, text dictionary-encoded, instants as
//! Unix seconds, JSON arrays as runs of dictionary codes, each with a bitmap of non-NULL rows.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::bitset::Bitset;
use crate::error::{Error, Result};
use crate::num::Num;
use crate::text::DictBytes;

/// A scalar inside a JSON array, as SQLite's `json_each` sees it (true/false are 1/0).
#[derive(Debug, Clone, PartialEq)]
pub enum ArrayItem {
    Text(String),
    Number(f64),
    /// An integer, exact (`json_each` yields JSON integers that fit 64 bits as INTEGER).
    Integer(i64),
    /// null, nested arrays and objects: never equal to a value.
    Other,
}

#[derive(Debug, Clone)]
pub enum ColumnData {
    /// Numbers with a fraction somewhere: REALs, and integers of magnitude below 2^52 (which
    /// convert exactly, and which SQLite sums exactly as these doubles).
    Number {
        values: Vec<f64>,
        valid: Bitset,
    },
    /// Integers and booleans (stored 0/1): every non-NULL value an INTEGER.
    Integer {
        values: Vec<i64>,
        valid: Bitset,
    },
    Text(TextColumn),
    /// Unix seconds; ISO dates are their first instant, UTC.
    Time {
        values: Vec<i64>,
        valid: Bitset,
    },
    Array(ArrayColumn),
}

impl ColumnData {
    pub fn len(&self) -> usize {
        match self {
            ColumnData::Number { valid, .. }
            | ColumnData::Integer { valid, .. }
            | ColumnData::Time { valid, .. } => valid.len(),
            ColumnData::Text(t) => t.valid.len(),
            ColumnData::Array(a) => a.valid.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn valid(&self) -> &Bitset {
        match self {
            ColumnData::Number { valid, .. }
            | ColumnData::Integer { valid, .. }
            | ColumnData::Time { valid, .. } => valid,
            ColumnData::Text(t) => &t.valid,
            ColumnData::Array(a) => &a.valid,
        }
    }

    /// The column with its records reordered: record `i` of the result is record `perm[i]`.
    pub fn permute(&self, perm: &[u32]) -> ColumnData {
        let valid_of =
            |valid: &Bitset| Bitset::from_fn(perm.len(), |i| valid.contains(perm[i] as usize));
        match self {
            ColumnData::Number { values, valid } => ColumnData::Number {
                values: perm.iter().map(|&r| values[r as usize]).collect(),
                valid: valid_of(valid),
            },
            ColumnData::Integer { values, valid } => ColumnData::Integer {
                values: perm.iter().map(|&r| values[r as usize]).collect(),
                valid: valid_of(valid),
            },
            ColumnData::Time { values, valid } => ColumnData::Time {
                values: perm.iter().map(|&r| values[r as usize]).collect(),
                valid: valid_of(valid),
            },
            ColumnData::Text(t) => ColumnData::Text(TextColumn {
                codes: perm.iter().map(|&r| t.codes[r as usize]).collect(),
                dict: t.dict.clone(),
                valid: valid_of(&t.valid),
                search: t.search.clone(),
            }),
            ColumnData::Array(a) => {
                let mut offsets = Vec::with_capacity(perm.len() + 1);
                let mut codes = Vec::with_capacity(a.codes.len());
                offsets.push(0u32);
                for &r in perm {
                    let (s, e) = (
                        a.offsets[r as usize] as usize,
                        a.offsets[r as usize + 1] as usize,
                    );
                    codes.extend_from_slice(&a.codes[s..e]);
                    offsets.push(codes.len() as u32);
                }
                ColumnData::Array(ArrayColumn {
                    offsets,
                    codes,
                    dict: a.dict.clone(),
                    valid: valid_of(&a.valid),
                })
            }
        }
    }

    /// Bytes held on the heap (for the memory figures).
    pub fn heap_bytes(&self) -> usize {
        match self {
            ColumnData::Number { values, valid } => values.len() * 8 + valid.heap_bytes(),
            ColumnData::Integer { values, valid } => values.len() * 8 + valid.heap_bytes(),
            ColumnData::Time { values, valid } => values.len() * 8 + valid.heap_bytes(),
            ColumnData::Text(t) => {
                t.codes.len() * 4
                    + t.valid.heap_bytes()
                    + t.dict.iter().map(|s| s.len() + 24).sum::<usize>()
                    + t.search.get().map_or(0, DictBytes::heap_bytes)
            }
            ColumnData::Array(a) => {
                a.offsets.len() * 4
                    + a.codes.len() * 4
                    + a.valid.heap_bytes()
                    + a.dict
                        .iter()
                        .map(|i| {
                            32 + if let ArrayItem::Text(s) = i {
                                s.len()
                            } else {
                                0
                            }
                        })
                        .sum::<usize>()
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct TextColumn {
    /// Per row, an index into `dict` (0 for NULL rows; check `valid`).
    pub codes: Vec<u32>,
    pub dict: Vec<String>,
    pub valid: Bitset,
    /// The dictionary's bytes end to end for one-pass text tests, built on first use.
    search: OnceLock<DictBytes>,
}

impl TextColumn {
    pub fn new(codes: Vec<u32>, dict: Vec<String>, valid: Bitset) -> Self {
        TextColumn {
            codes,
            dict,
            valid,
            search: OnceLock::new(),
        }
    }

    /// The dictionary laid out for one-pass text tests (built once, on first use).
    pub fn dict_bytes(&self) -> &DictBytes {
        self.search.get_or_init(|| DictBytes::new(&self.dict))
    }
}

#[derive(Debug, Clone)]
pub struct ArrayColumn {
    /// Row `r`'s items are `codes[offsets[r]..offsets[r + 1]]`.
    pub offsets: Vec<u32>,
    pub codes: Vec<u32>,
    pub dict: Vec<ArrayItem>,
    pub valid: Bitset,
}

/// Builds a text column row by row.
#[derive(Default)]
pub struct TextBuilder {
    codes: Vec<u32>,
    dict: Vec<String>,
    lookup: HashMap<String, u32>,
    valid: Vec<bool>,
}

impl TextBuilder {
    pub fn push(&mut self, value: Option<&str>) {
        match value {
            None => {
                self.codes.push(0);
                self.valid.push(false);
            }
            Some(s) => {
                let code = match self.lookup.get(s) {
                    Some(code) => *code,
                    None => {
                        let code = self.dict.len() as u32;
                        self.dict.push(s.to_string());
                        self.lookup.insert(s.to_string(), code);
                        code
                    }
                };
                self.codes.push(code);
                self.valid.push(true);
            }
        }
    }

    pub fn finish(self) -> ColumnData {
        let valid = Bitset::from_fn(self.valid.len(), |r| self.valid[r]);
        ColumnData::Text(TextColumn::new(self.codes, self.dict, valid))
    }
}

/// Builds a JSON-array column row by row from already-parsed items.
#[derive(Default)]
pub struct ArrayBuilder {
    offsets: Vec<u32>,
    codes: Vec<u32>,
    dict: Vec<ArrayItem>,
    lookup: HashMap<String, u32>,
    valid: Vec<bool>,
}

impl ArrayBuilder {
    pub fn push(&mut self, items: Option<Vec<ArrayItem>>) {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        match items {
            None => self.valid.push(false),
            Some(items) => {
                for item in items {
                    // Numerically equal items (1, 1.0) share a code, as they compare equal.
                    let key = match &item {
                        ArrayItem::Text(s) => format!("t{s}"),
                        ArrayItem::Number(n) => match exact_integer(*n) {
                            Some(i) => format!("n{i}"),
                            None => format!("n{n}"),
                        },
                        ArrayItem::Integer(i) => format!("n{i}"),
                        ArrayItem::Other => "o".to_string(),
                    };
                    let code = match self.lookup.get(&key) {
                        Some(code) => *code,
                        None => {
                            let code = self.dict.len() as u32;
                            self.dict.push(item);
                            self.lookup.insert(key, code);
                            code
                        }
                    };
                    self.codes.push(code);
                }
                self.valid.push(true);
            }
        }
        self.offsets.push(self.codes.len() as u32);
    }

    pub fn finish(mut self) -> ColumnData {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        let valid = Bitset::from_fn(self.valid.len(), |r| self.valid[r]);
        ColumnData::Array(ArrayColumn {
            offsets: self.offsets,
            codes: self.codes,
            dict: self.dict,
            valid,
        })
    }
}

pub fn number_column(values: Vec<Option<f64>>) -> ColumnData {
    let valid = Bitset::from_fn(values.len(), |r| values[r].is_some());
    ColumnData::Number {
        values: values.into_iter().map(|v| v.unwrap_or(0.0)).collect(),
        valid,
    }
}

/// The integer a double equals exactly, if any.
pub fn exact_integer(f: f64) -> Option<i64> {
    // 2^63 itself is out of range; every double below it with no fraction converts exactly.
    (f.fract() == 0.0 && (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f))
        .then_some(f as i64)
}

/// Integers below this magnitude are exact as doubles, and SQLite's `sum()` adds them exactly as
/// it adds their doubles (it splits larger ones), so a column mixing them with REALs can be
/// held as doubles.
const MIXED_INTEGER_LIMIT: i64 = 1 << 52;

/// A numeric column from SQLite values: [`ColumnData::Integer`] when every value is an INTEGER,
/// else [`ColumnData::Number`]. Integers too large to hold exactly beside REALs are refused
/// (`what` names the column), so counts stay exact and callers count with SQL.
pub fn numeric_column(values: Vec<Option<Num>>, what: &str) -> Result<ColumnData> {
    let valid = Bitset::from_fn(values.len(), |r| values[r].is_some());
    if values.iter().all(|v| !matches!(v, Some(Num::Real(_)))) {
        let values = values
            .into_iter()
            .map(|v| match v {
                Some(Num::Int(i)) => i,
                _ => 0,
            })
            .collect();
        return Ok(ColumnData::Integer { values, valid });
    }
    let mut doubles = Vec::with_capacity(values.len());
    for v in values {
        doubles.push(match v {
            None => 0.0,
            Some(Num::Real(f)) => f,
            Some(Num::Int(i)) if i.unsigned_abs() < MIXED_INTEGER_LIMIT as u64 => i as f64,
            Some(Num::Int(_)) => {
                return Err(Error::Unsupported(format!(
                    "{what}, which mixes integers beyond 2^52 with fractional numbers"
                )))
            }
        });
    }
    Ok(ColumnData::Number {
        values: doubles,
        valid,
    })
}

pub fn time_column(values: Vec<Option<i64>>) -> ColumnData {
    let valid = Bitset::from_fn(values.len(), |r| values[r].is_some());
    ColumnData::Time {
        values: values.into_iter().map(|v| v.unwrap_or(0)).collect(),
        valid,
    }
}
