//! Columnar storage of one entity's attributes, compact and typed: integers as `i64` (exact:
//! ids beyond 2^53 stay distinct), other numbers as `f64`, text dictionary-encoded, instants as
//! Unix seconds, JSON arrays as runs of dictionary codes, each with a bitmap of non-NULL rows.
//! Integers and instants whose non-NULL values span less than 2^32 are held as a base and
//! 32-bit offsets ([`Ints`]): half the bytes, the same values.

use std::collections::HashMap;

use crate::bitset::{Bitset, BitsetBuilder};
use crate::buf::Buf;
use crate::error::{Error, Result};
use crate::num::Num;
use crate::text::Dict;

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
        values: Buf<f64>,
        valid: Bitset,
    },
    /// Integers and booleans (stored 0/1): every non-NULL value an INTEGER.
    Integer {
        values: Ints,
        valid: Bitset,
    },
    Text(TextColumn),
    /// Unix seconds; ISO dates are their first instant, UTC.
    Time {
        values: Ints,
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
                values: values.permute(perm),
                valid: valid_of(valid),
            },
            ColumnData::Time { values, valid } => ColumnData::Time {
                values: values.permute(perm),
                valid: valid_of(valid),
            },
            ColumnData::Text(t) => ColumnData::Text(TextColumn {
                codes: perm.iter().map(|&r| t.codes[r as usize]).collect(),
                dict: t.dict.clone(),
                valid: valid_of(&t.valid),
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
                    offsets: offsets.into(),
                    codes: codes.into(),
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
            ColumnData::Integer { values, valid } | ColumnData::Time { values, valid } => {
                values.heap_bytes() + valid.heap_bytes()
            }
            ColumnData::Text(t) => t.codes.len() * 4 + t.valid.heap_bytes() + t.dict.heap_bytes(),
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

/// The values of an integer or time column: 64 bits each, or, when the non-NULL values span
/// less than 2^32 (ids, counts, instants of a few decades), a base (the least value) and a
/// 32-bit offset from it each: half the bytes. Chosen once when the column is built. NULL rows
/// hold some value of the column's type (0 wide, the base narrow): callers check validity.
///
/// Hot loops read the values through [`with_ints!`](crate::with_ints), which compiles the loop
/// once per representation (no branch per value); [`Ints::get`] decides per call.
#[derive(Debug, Clone, PartialEq)]
pub enum Ints {
    Wide(Buf<i64>),
    Narrow { base: i64, offsets: Buf<u32> },
}

/// Read access to integers of one representation (see [`with_ints!`](crate::with_ints)).
pub trait IntView: Copy + Send + Sync {
    /// The value of row `r`.
    fn at(self, r: usize) -> i64;
    fn len(self) -> usize;
    fn is_empty(self) -> bool {
        self.len() == 0
    }
}

impl IntView for &[i64] {
    #[inline(always)]
    fn at(self, r: usize) -> i64 {
        self[r]
    }

    #[inline(always)]
    fn len(self) -> usize {
        <[i64]>::len(self)
    }
}

/// Narrow integers: row `r` is `base + offsets[r]`.
#[derive(Debug, Clone, Copy)]
pub struct Narrow<'a> {
    pub base: i64,
    pub offsets: &'a [u32],
}

impl IntView for Narrow<'_> {
    #[inline(always)]
    fn at(self, r: usize) -> i64 {
        self.base.wrapping_add(i64::from(self.offsets[r]))
    }

    #[inline(always)]
    fn len(self) -> usize {
        self.offsets.len()
    }
}

/// Either representation, decided per value: for code off the hot paths.
impl IntView for &Ints {
    #[inline]
    fn at(self, r: usize) -> i64 {
        self.get(r)
    }

    #[inline]
    fn len(self) -> usize {
        Ints::len(self)
    }
}

/// `$body` with `$v` bound to the values of `$ints` (an `&Ints`) as an [`IntView`] of their
/// representation: the body is compiled once per representation, so its loops read the values
/// without deciding the representation per value.
#[macro_export]
macro_rules! with_ints {
    ($ints:expr, |$v:ident| $body:expr) => {
        match $ints {
            $crate::column::Ints::Wide(values) => {
                let $v: &[i64] = values;
                $body
            }
            $crate::column::Ints::Narrow { base, offsets } => {
                let $v = $crate::column::Narrow {
                    base: *base,
                    offsets,
                };
                $body
            }
        }
    };
}

/// The least and the greatest of the values pushed so far (none: `min > max`).
#[derive(Debug, Clone, Copy)]
pub struct IntRange {
    pub min: i64,
    pub max: i64,
}

impl Default for IntRange {
    fn default() -> Self {
        IntRange {
            min: i64::MAX,
            max: i64::MIN,
        }
    }
}

impl IntRange {
    #[inline]
    pub fn push(&mut self, v: i64) {
        self.min = self.min.min(v);
        self.max = self.max.max(v);
    }

    /// The range of `values`' valid rows.
    pub fn of(values: &[i64], valid: &Bitset) -> IntRange {
        let mut range = IntRange::default();
        for (r, &v) in values.iter().enumerate() {
            if valid.contains(r) {
                range.push(v);
            }
        }
        range
    }

    /// Whether every value is within 2^32 - 1 of the least (true without values).
    pub fn fits_u32(&self) -> bool {
        self.min > self.max || self.max.abs_diff(self.min) <= u64::from(u32::MAX)
    }
}

impl Ints {
    /// `values` (NULL rows: anything) in the narrowest representation `range` (of the valid
    /// rows' values) allows.
    pub(crate) fn new(mut values: Vec<i64>, valid: &Bitset, range: IntRange) -> Ints {
        if !range.fits_u32() {
            values.shrink_to_fit();
            return Ints::Wide(values.into());
        }
        let base = if range.min > range.max { 0 } else { range.min };
        let offsets = values
            .iter()
            .enumerate()
            .map(|(r, &v)| {
                if valid.contains(r) {
                    v.abs_diff(base) as u32
                } else {
                    0
                }
            })
            .collect();
        Ints::Narrow { base, offsets }
    }

    /// The narrowest representation of `values`, whose valid rows are `valid`.
    pub fn from_values(values: Vec<i64>, valid: &Bitset) -> Ints {
        let range = IntRange::of(&values, valid);
        Ints::new(values, valid, range)
    }

    pub fn len(&self) -> usize {
        match self {
            Ints::Wide(values) => values.len(),
            Ints::Narrow { offsets, .. } => offsets.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value of row `r` (decided per call; loops use [`with_ints!`](crate::with_ints)).
    #[inline]
    pub fn get(&self, r: usize) -> i64 {
        match self {
            Ints::Wide(values) => values[r],
            Ints::Narrow { base, offsets } => base.wrapping_add(i64::from(offsets[r])),
        }
    }

    /// Every row's value, in order.
    pub fn iter(&self) -> impl Iterator<Item = i64> + '_ {
        (0..self.len()).map(|r| self.get(r))
    }

    pub fn to_vec(&self) -> Vec<i64> {
        crate::with_ints!(self, |v| (0..v.len()).map(|r| v.at(r)).collect())
    }

    pub fn is_narrow(&self) -> bool {
        matches!(self, Ints::Narrow { .. })
    }

    /// The rows reordered (row `i` of the result is row `perm[i]`), in the same representation.
    pub fn permute(&self, perm: &[u32]) -> Ints {
        match self {
            Ints::Wide(values) => Ints::Wide(perm.iter().map(|&r| values[r as usize]).collect()),
            Ints::Narrow { base, offsets } => Ints::Narrow {
                base: *base,
                offsets: perm.iter().map(|&r| offsets[r as usize]).collect(),
            },
        }
    }

    /// Bytes of the values (on the heap, or mapped when borrowed).
    pub fn heap_bytes(&self) -> usize {
        match self {
            Ints::Wide(values) => values.len() * 8,
            Ints::Narrow { offsets, .. } => offsets.len() * 4,
        }
    }

    pub fn is_borrowed(&self) -> bool {
        match self {
            Ints::Wide(values) => values.is_borrowed(),
            Ints::Narrow { offsets, .. } => offsets.is_borrowed(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct TextColumn {
    /// Per row, an index into `dict` (0 for NULL rows; check `valid`).
    pub codes: Buf<u32>,
    /// The distinct values end to end, laid out for one-pass text tests.
    pub dict: Dict,
    pub valid: Bitset,
}

impl TextColumn {
    pub fn new(codes: impl Into<Buf<u32>>, dict: Dict, valid: Bitset) -> Self {
        TextColumn {
            codes: codes.into(),
            dict,
            valid,
        }
    }

    /// The text of row `r`'s code (of a NULL row: the first value, check `valid`).
    pub fn value(&self, r: usize) -> &str {
        self.dict.get(self.codes[r] as usize)
    }
}

#[derive(Debug, Clone)]
pub struct ArrayColumn {
    /// Row `r`'s items are `codes[offsets[r]..offsets[r + 1]]`.
    pub offsets: Buf<u32>,
    pub codes: Buf<u32>,
    pub dict: Vec<ArrayItem>,
    pub valid: Bitset,
}

/// Builds a text column row by row, its dictionary straight into its final layout: each
/// distinct value's bytes appended once, found again through a hash table of codes (no `String`
/// per value), validity as bits.
#[derive(Default)]
pub struct TextBuilder {
    codes: Vec<u32>,
    /// The distinct values end to end; value `c` is `raw[offsets[c]..offsets[c + 1]]`.
    raw: Vec<u8>,
    offsets: Vec<u64>,
    lookup: hashbrown::HashTable<u32>,
    hasher: hashbrown::DefaultHashBuilder,
    valid: BitsetBuilder,
}

impl TextBuilder {
    pub fn push(&mut self, value: Option<&str>) {
        match value {
            None => {
                self.codes.push(0);
                self.valid.push(false);
            }
            Some(s) => {
                let code = self.code_of(s.as_bytes());
                self.codes.push(code);
                self.valid.push(true);
            }
        }
    }

    /// The code of `value`, given the next one if it is new.
    fn code_of(&mut self, value: &[u8]) -> u32 {
        use std::hash::BuildHasher;
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        let TextBuilder {
            raw,
            offsets,
            lookup,
            hasher,
            ..
        } = self;
        let bytes =
            |code: u32| &raw[offsets[code as usize] as usize..offsets[code as usize + 1] as usize];
        let hash = hasher.hash_one(value);
        if let Some(&code) = lookup.find(hash, |&code| bytes(code) == value) {
            return code;
        }
        let code = (offsets.len() - 1) as u32;
        raw.extend_from_slice(value);
        offsets.push(raw.len() as u64);
        let (raw, offsets) = (&*raw, &*offsets);
        lookup.insert_unique(hash, code, |&code| {
            hasher.hash_one(
                &raw[offsets[code as usize] as usize..offsets[code as usize + 1] as usize],
            )
        });
        code
    }

    pub fn finish(mut self) -> ColumnData {
        drop(self.lookup);
        self.codes.shrink_to_fit();
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        // UTF-8 throughout: the values were `str`s, laid end to end.
        let dict = Dict::from_built(self.offsets, self.raw);
        ColumnData::Text(TextColumn::new(self.codes, dict, self.valid.finish()))
    }
}

/// Builds a numeric column row by row, straight into its final form (see [`numeric_column`]):
/// integers while every value is one, doubles from the first REAL on.
#[derive(Debug)]
pub struct NumberBuilder {
    values: NumberValues,
    /// Of the integers, while they are integers.
    range: IntRange,
    valid: BitsetBuilder,
    /// Names the column in the error refusing large integers beside REALs.
    what: String,
}

#[derive(Debug)]
enum NumberValues {
    Integers(Vec<i64>),
    Doubles(Vec<f64>),
}

impl NumberBuilder {
    pub fn new(what: &str) -> Self {
        NumberBuilder {
            values: NumberValues::Integers(Vec::new()),
            range: IntRange::default(),
            valid: BitsetBuilder::default(),
            what: what.to_string(),
        }
    }

    pub fn push(&mut self, value: Option<Num>) -> Result<()> {
        if let (NumberValues::Integers(ints), Some(Num::Real(_))) = (&self.values, value) {
            let doubles = ints
                .iter()
                .map(|&i| double_of(i, &self.what))
                .collect::<Result<Vec<f64>>>()?;
            self.values = NumberValues::Doubles(doubles);
        }
        self.valid.push(value.is_some());
        match (&mut self.values, value) {
            (NumberValues::Integers(ints), Some(Num::Int(i))) => {
                ints.push(i);
                self.range.push(i);
            }
            (NumberValues::Integers(ints), _) => ints.push(0),
            (NumberValues::Doubles(doubles), Some(Num::Int(i))) => {
                doubles.push(double_of(i, &self.what)?)
            }
            (NumberValues::Doubles(doubles), Some(Num::Real(f))) => doubles.push(f),
            (NumberValues::Doubles(doubles), None) => doubles.push(0.0),
        }
        Ok(())
    }

    pub fn finish(self) -> ColumnData {
        let valid = self.valid.finish();
        match self.values {
            NumberValues::Integers(values) => ColumnData::Integer {
                values: Ints::new(values, &valid, self.range),
                valid,
            },
            NumberValues::Doubles(mut values) => {
                values.shrink_to_fit();
                ColumnData::Number {
                    values: values.into(),
                    valid,
                }
            }
        }
    }
}

/// An integer held beside REALs, as its double (exact below [`MIXED_INTEGER_LIMIT`]).
fn double_of(i: i64, what: &str) -> Result<f64> {
    if i.unsigned_abs() < MIXED_INTEGER_LIMIT as u64 {
        Ok(i as f64)
    } else {
        Err(Error::Unsupported(format!(
            "{what}, which mixes integers beyond 2^52 with fractional numbers"
        )))
    }
}

/// Builds a time column row by row (Unix seconds; NULLs as bits).
#[derive(Debug, Default)]
pub struct TimeBuilder {
    values: Vec<i64>,
    range: IntRange,
    valid: BitsetBuilder,
}

impl TimeBuilder {
    pub fn push(&mut self, value: Option<i64>) {
        self.values.push(value.unwrap_or(0));
        if let Some(v) = value {
            self.range.push(v);
        }
        self.valid.push(value.is_some());
    }

    pub fn finish(self) -> ColumnData {
        let valid = self.valid.finish();
        ColumnData::Time {
            values: Ints::new(self.values, &valid, self.range),
            valid,
        }
    }
}

/// Builds a JSON-array column row by row from already-parsed items.
#[derive(Default)]
pub struct ArrayBuilder {
    offsets: Vec<u32>,
    codes: Vec<u32>,
    dict: Vec<ArrayItem>,
    lookup: HashMap<String, u32>,
    valid: BitsetBuilder,
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
        ColumnData::Array(ArrayColumn {
            offsets: self.offsets.into(),
            codes: self.codes.into(),
            dict: self.dict,
            valid: self.valid.finish(),
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
        return Ok(ColumnData::Integer {
            values: Ints::from_values(values, &valid),
            valid,
        });
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
        values: doubles.into(),
        valid,
    })
}

pub fn time_column(values: Vec<Option<i64>>) -> ColumnData {
    let valid = Bitset::from_fn(values.len(), |r| values[r].is_some());
    ColumnData::Time {
        values: Ints::from_values(values.into_iter().map(|v| v.unwrap_or(0)).collect(), &valid),
        valid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn number() -> impl Strategy<Value = Option<Num>> {
        prop_oneof![
            Just(None),
            (-5i64..5).prop_map(|i| Some(Num::Int(i))),
            prop_oneof![Just(1i64 << 52), Just(-(1i64 << 52)), Just(i64::MAX)]
                .prop_map(|i| Some(Num::Int(i))),
            (-5i32..5).prop_map(|f| Some(Num::Real(f64::from(f) / 4.0))),
        ]
    }

    fn same(a: &ColumnData, b: &ColumnData) -> bool {
        match (a, b) {
            (
                ColumnData::Integer { values, valid },
                ColumnData::Integer {
                    values: v2,
                    valid: b2,
                },
            ) => values == v2 && valid == b2,
            (
                ColumnData::Number { values, valid },
                ColumnData::Number {
                    values: v2,
                    valid: b2,
                },
            ) => values == v2 && valid == b2,
            (
                ColumnData::Time { values, valid },
                ColumnData::Time {
                    values: v2,
                    valid: b2,
                },
            ) => values == v2 && valid == b2,
            _ => false,
        }
    }

    proptest! {
        #[test]
        fn streaming_builders_equal_the_whole_column_functions(
            numbers in proptest::collection::vec(number(), 0..150),
            times in proptest::collection::vec(proptest::option::of(-5i64..5), 0..150),
        ) {
            let whole = numeric_column(numbers.clone(), "t.n");
            let mut builder = NumberBuilder::new("t.n");
            let streamed = numbers.iter().try_for_each(|n| builder.push(*n)).map(|()| builder.finish());
            match (whole, streamed) {
                (Ok(a), Ok(b)) => prop_assert!(same(&a, &b), "{a:?} != {b:?}"),
                (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
                (a, b) => prop_assert!(false, "{a:?} vs {b:?}"),
            }
            let mut builder = TimeBuilder::default();
            times.iter().for_each(|t| builder.push(*t));
            prop_assert!(same(&time_column(times.clone()), &builder.finish()));
        }
    }

    #[test]
    fn text_codes_follow_first_appearance() {
        let mut builder = TextBuilder::default();
        for v in [Some("b"), None, Some("a"), Some("b"), Some(""), None] {
            builder.push(v);
        }
        let ColumnData::Text(t) = builder.finish() else {
            panic!("not text")
        };
        assert_eq!(t.dict.to_vec(), ["b", "a", ""]);
        assert_eq!(*t.codes, [0, 0, 1, 0, 2, 0]);
        assert_eq!(
            (0..6).filter(|&r| t.valid.contains(r)).collect::<Vec<_>>(),
            [0, 2, 3, 4]
        );
    }
}
