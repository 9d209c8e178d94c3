//! Type inference: every non-empty value of a column is tried against each candidate type over
//! the whole file, and the column gets the most specific type that (almost) every value fits.
//!
//! Rules, in order of preference when several types fit equally well:
//! - **boolean**: `true/false`, `yes/no` (any case); `0/1` only in columns named like a flag
//!   (`is_…`, `has_…`, `can_…`, `…_flag`) or mixed with the words;
//! - **datetime** from integers: Unix seconds (or milliseconds, all values 10^11…10^14) in
//!   columns named like a time (`ts`, `…_at`, `…time…`, `…timestamp…`, `…date…`);
//! - **integer**: `-?[0-9]+` without leading zeros, fitting 64 bits (a longer number is kept
//!   exactly, as text; `007` too);
//! - **real**: decimal or exponent notation, finite;
//! - **date**: ISO-8601 `YYYY-MM-DD`;
//! - **datetime**: ISO-8601 `YYYY-MM-DD[T ]HH:MM[:SS[.f…]][Z|±HH[:MM]]` and dates (midnight UTC),
//!   stored as Unix seconds (fractions of a second dropped);
//! - **json_array**: a JSON array;
//! - otherwise **text**.
//!
//! A typed column may hold a few values that do not fit (at most 1% of its non-empty values):
//! those are the bad values, reported by line and column. `NULL`, `null` and `\N` are NULL in a
//! typed column (they stay text in a text column). Empty fields are always NULL.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The type a column is created with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ColumnType {
    Integer,
    Real,
    /// 0/1 integers, declared `BOOLEAN`.
    Boolean,
    /// ISO `YYYY-MM-DD` text, declared `DATE`.
    Date,
    /// Unix seconds, declared `DATETIME`.
    Datetime,
    /// JSON array text, declared `JSON`.
    JsonArray,
    Text,
}

impl ColumnType {
    pub const ALL: [ColumnType; 7] = [
        ColumnType::Boolean,
        ColumnType::Datetime,
        ColumnType::Integer,
        ColumnType::Real,
        ColumnType::Date,
        ColumnType::JsonArray,
        ColumnType::Text,
    ];

    /// The declared SQLite type, chosen so that `segment-source`'s introspection reads the
    /// column back with the right data type and storage.
    pub fn declared(self) -> &'static str {
        match self {
            ColumnType::Integer => "INTEGER",
            ColumnType::Real => "REAL",
            ColumnType::Boolean => "BOOLEAN",
            ColumnType::Date => "DATE",
            ColumnType::Datetime => "DATETIME",
            ColumnType::JsonArray => "JSON",
            ColumnType::Text => "TEXT",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ColumnType::Integer => "integer",
            ColumnType::Real => "real",
            ColumnType::Boolean => "boolean",
            ColumnType::Date => "date",
            ColumnType::Datetime => "datetime",
            ColumnType::JsonArray => "json_array",
            ColumnType::Text => "text",
        }
    }

    pub fn parse(name: &str) -> Option<ColumnType> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "integer" | "int" => ColumnType::Integer,
            "real" | "float" | "number" => ColumnType::Real,
            "boolean" | "bool" => ColumnType::Boolean,
            "date" => ColumnType::Date,
            "datetime" | "timestamp" => ColumnType::Datetime,
            "json_array" | "json" | "array" => ColumnType::JsonArray,
            "text" | "string" => ColumnType::Text,
            _ => return None,
        })
    }

    fn index(self) -> usize {
        match self {
            ColumnType::Boolean => 0,
            ColumnType::Datetime => 1,
            ColumnType::Integer => 2,
            ColumnType::Real => 3,
            ColumnType::Date => 4,
            ColumnType::JsonArray => 5,
            ColumnType::Text => 6,
        }
    }
}

/// A value converted for its column, ready to bind.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Text(&'a str),
    /// A normalised `YYYY-MM-DD`.
    Date([u8; 10]),
}

/// A value that does not fit its column's type (a bad value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Misfit;

/// How integer values of a datetime column are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum EpochUnit {
    #[default]
    Seconds,
    Milliseconds,
}

/// The conversion of one column: its type, and what its integers mean when it is a datetime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conversion {
    pub ty: ColumnType,
    pub epoch: EpochUnit,
    /// Whether `0`/`1` are booleans.
    pub flag_digits: bool,
}

impl Conversion {
    pub fn new(ty: ColumnType) -> Self {
        Conversion {
            ty,
            epoch: EpochUnit::Seconds,
            flag_digits: true,
        }
    }

    /// The cell for a raw field; [`Misfit`] when the value does not fit the type.
    pub fn convert<'a>(&self, raw: &'a str) -> Result<Cell<'a>, Misfit> {
        if raw.is_empty() {
            return Ok(Cell::Null);
        }
        if self.ty == ColumnType::Text {
            return Ok(Cell::Text(raw));
        }
        let v = raw.trim();
        if v.is_empty() || is_null_token(v) {
            return Ok(Cell::Null);
        }
        match self.ty {
            ColumnType::Integer => parse_integer(v).map(Cell::Integer).ok_or(Misfit),
            ColumnType::Real => parse_real(v).map(Cell::Real).ok_or(Misfit),
            ColumnType::Boolean => parse_bool(v, self.flag_digits)
                .map(|b| Cell::Integer(i64::from(b)))
                .ok_or(Misfit),
            ColumnType::Date => parse_date(v).map(Cell::Date).ok_or(Misfit),
            ColumnType::Datetime => {
                if let Some(i) = parse_integer(v) {
                    return Ok(Cell::Integer(match self.epoch {
                        EpochUnit::Seconds => i,
                        EpochUnit::Milliseconds => i.div_euclid(1000),
                    }));
                }
                parse_iso(v)
                    .map(|(secs, _)| Cell::Integer(secs))
                    .ok_or(Misfit)
            }
            ColumnType::JsonArray => {
                if is_json_array(v) {
                    Ok(Cell::Text(v))
                } else {
                    Err(Misfit)
                }
            }
            ColumnType::Text => Ok(Cell::Text(raw)),
        }
    }
}

pub fn is_null_token(v: &str) -> bool {
    matches!(v, "NULL" | "null" | "Null" | "\\N")
}

/// `-?(0|[1-9][0-9]*)` fitting an i64.
pub fn parse_integer(v: &str) -> Option<i64> {
    let b = v.as_bytes();
    let digits = b.strip_prefix(b"-").unwrap_or(b);
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if digits.len() > 1 && digits[0] == b'0' {
        return None;
    }
    v.parse().ok()
}

/// Decimal or exponent notation: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` (also `.5`),
/// finite. No leading `+`, no `inf`/`NaN`, no leading zeros: those stay text.
pub fn parse_real(v: &str) -> Option<f64> {
    let b = v.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    if b.len() > i
        && b[i..].iter().all(u8::is_ascii_digit)
        && parse_integer(v).is_none()
        && b.len() > 18
    {
        return None; // a long integer is kept exactly, as text, not rounded
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_len = i - int_start;
    if int_len > 1 && b[int_start] == b'0' {
        return None;
    }
    let mut frac_len = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
            frac_len += 1;
        }
        if frac_len == 0 {
            return None;
        }
    }
    if int_len == 0 && frac_len == 0 {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let exp_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    v.parse::<f64>().ok().filter(|f| f.is_finite())
}

pub fn parse_bool(v: &str, flag_digits: bool) -> Option<bool> {
    match v.len() {
        1 if flag_digits => match v {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        },
        2 if v.eq_ignore_ascii_case("no") => Some(false),
        3 if v.eq_ignore_ascii_case("yes") => Some(true),
        4 if v.eq_ignore_ascii_case("true") => Some(true),
        5 if v.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn is_json_array(v: &str) -> bool {
    v.starts_with('[')
        && matches!(
            serde_json::from_str::<serde_json::Value>(v),
            Ok(serde_json::Value::Array(_))
        )
}

fn digits(b: &[u8], range: std::ops::Range<usize>) -> Option<u32> {
    let s = b.get(range)?;
    if !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')))
}

fn ymd(b: &[u8]) -> Option<NaiveDate> {
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = digits(b, 0..4)?;
    NaiveDate::from_ymd_opt(y as i32, digits(b, 5..7)?, digits(b, 8..10)?)
}

/// `YYYY-MM-DD`, a valid calendar date.
pub fn parse_date(v: &str) -> Option<[u8; 10]> {
    let b = v.as_bytes();
    if b.len() != 10 {
        return None;
    }
    ymd(b)?;
    let mut out = [0u8; 10];
    out.copy_from_slice(b);
    Some(out)
}

/// An ISO-8601 date or date-time as Unix seconds, and whether it was a date alone.
/// `YYYY-MM-DD`, `YYYY-MM-DD[T ]HH:MM[:SS[.f…]]` with an optional `Z`, `±HH`, `±HHMM` or
/// `±HH:MM` offset (none means UTC).
pub fn parse_iso(v: &str) -> Option<(i64, bool)> {
    let b = v.as_bytes();
    let date = ymd(b)?;
    let day_secs = date.and_hms_opt(0, 0, 0)?.and_utc().timestamp();
    if b.len() == 10 {
        return Some((day_secs, true));
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let hh = digits(b, 11..13)?;
    if b.get(13) != Some(&b':') {
        return None;
    }
    let mm = digits(b, 14..16)?;
    let mut i = 16;
    let mut ss = 0;
    if b.get(i) == Some(&b':') {
        ss = digits(b, 17..19)?;
        i = 19;
        if b.get(i) == Some(&b'.') || b.get(i) == Some(&b',') {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == start {
                return None;
            }
        }
    }
    if hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    let mut offset: i64 = 0;
    match &b[i..] {
        [] | [b'Z'] | [b'z'] => {}
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let (oh, om) = match rest {
                [_, _] => (digits(rest, 0..2)?, 0),
                [_, _, _, _] => (digits(rest, 0..2)?, digits(rest, 2..4)?),
                [_, _, b':', _, _] => (digits(rest, 0..2)?, digits(rest, 3..5)?),
                _ => return None,
            };
            if oh > 23 || om > 59 {
                return None;
            }
            offset = i64::from(oh * 3600 + om * 60);
            if *sign == b'-' {
                offset = -offset;
            }
        }
        _ => return None,
    }
    let secs = day_secs + i64::from(hh * 3600 + mm * 60 + ss.min(59)) - offset;
    Some((secs, false))
}

fn flag_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["is_", "has_", "can_", "was_", "should_"]
        .iter()
        .any(|p| n.starts_with(p))
        || n.ends_with("_flag")
}

/// Whether a column name suggests a time (for integer epochs).
pub fn time_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "ts"
        || n == "time"
        || n.ends_with("_at")
        || n.ends_with("_ts")
        || n.contains("timestamp")
        || n.contains("date")
        || n.ends_with("_time")
        || n.starts_with("time_")
}

/// FNV-1a: the distinct sets hash short values on every row; SipHash would dominate the scan.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FastSet = HashSet<Box<str>, BuildHasherDefault<Fnv>>;

/// At most this many distinct values are remembered per column (to find low-cardinality
/// filter columns for indexes).
const DISTINCT_CAP: usize = 256;
/// Bad values remembered per candidate type (reported by line and column).
const SAMPLES_PER_TYPE: usize = 20;
/// The share of non-empty values of a typed column that may not fit it.
pub const MAX_BAD_SHARE: f64 = 0.01;

/// One value that did not fit: where, and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BadValue {
    /// 1-based line of the record in the file.
    #[ts(type = "number")]
    pub line: u64,
    /// 1-based column position.
    pub column: usize,
    pub column_name: String,
    /// The value, cut to 80 characters.
    pub value: String,
    pub expected: ColumnType,
}

/// What has been seen of one column so far.
#[derive(Debug, Clone)]
pub struct ColumnStats {
    pub name: String,
    pub position: usize,
    pub non_empty: u64,
    pub nulls: u64,
    /// `NULL`-like values (`NULL`, `\N`, blanks): NULL in typed columns, kept in text ones.
    pub null_tokens: u64,
    /// Integers too long for 64 bits: kept exactly, so the column stays text.
    long_integers: u64,
    misfits: [u64; 7],
    samples: [Vec<(u64, String)>; 7],
    word_booleans: bool,
    int_min: i64,
    int_max: i64,
    ints: u64,
    last_int: Option<i64>,
    pub strictly_increasing: bool,
    distinct: Option<FastSet>,
}

impl ColumnStats {
    /// A column first seen after `rows` records (an NDJSON key appearing late): NULL in those.
    pub fn new_after(name: &str, position: usize, rows: u64) -> Self {
        let mut s = ColumnStats::new(name, position);
        s.nulls = rows;
        s.strictly_increasing = rows == 0;
        s
    }

    pub fn new(name: &str, position: usize) -> Self {
        ColumnStats {
            name: name.to_string(),
            position,
            non_empty: 0,
            nulls: 0,
            null_tokens: 0,
            long_integers: 0,
            misfits: [0; 7],
            samples: Default::default(),
            word_booleans: false,
            int_min: i64::MAX,
            int_max: i64::MIN,
            ints: 0,
            last_int: None,
            strictly_increasing: true,
            distinct: Some(FastSet::default()),
        }
    }

    /// A missing field (a record shorter than the header, NDJSON without the key).
    pub fn see_missing(&mut self) {
        self.nulls += 1;
        self.strictly_increasing = false;
    }

    pub fn see(&mut self, raw: &str, line: u64) {
        if raw.is_empty() {
            self.nulls += 1;
            self.strictly_increasing = false;
            return;
        }
        self.non_empty += 1;
        if let Some(set) = &mut self.distinct {
            if !set.contains(raw) {
                if set.len() >= DISTINCT_CAP {
                    self.distinct = None;
                } else {
                    set.insert(raw.into());
                }
            }
        }
        let v = raw.trim();
        if v.is_empty() || is_null_token(v) {
            self.null_tokens += 1;
            self.strictly_increasing = false;
            return;
        }
        let int = parse_integer(v);
        match int {
            Some(i) => {
                self.ints += 1;
                self.int_min = self.int_min.min(i);
                self.int_max = self.int_max.max(i);
                if self.last_int.is_some_and(|last| i <= last) {
                    self.strictly_increasing = false;
                }
                self.last_int = Some(i);
            }
            None => self.strictly_increasing = false,
        }
        let boolean = parse_bool(v, true);
        if boolean.is_some() && int.is_none() {
            self.word_booleans = true;
        }
        let iso = if int.is_none() && v.len() >= 10 && v.as_bytes()[0].is_ascii_digit() {
            parse_iso(v)
        } else {
            None
        };
        if int.is_none()
            && v.len() > 18
            && v.trim_start_matches('-')
                .bytes()
                .all(|c| c.is_ascii_digit())
        {
            self.long_integers += 1;
        }
        let real_ok = int.is_some() || (iso.is_none() && parse_real(v).is_some());
        let fits = [
            boolean.is_some(),
            int.is_some() || iso.is_some(),
            int.is_some(),
            real_ok,
            iso.is_some_and(|(_, date_only)| date_only),
            !real_ok && iso.is_none() && is_json_array(v),
        ];
        for (i, ok) in fits.iter().enumerate() {
            if !ok {
                self.misfit(i, line, raw);
            }
        }
    }

    fn misfit(&mut self, i: usize, line: u64, raw: &str) {
        self.misfits[i] += 1;
        if self.samples[i].len() < SAMPLES_PER_TYPE {
            self.samples[i].push((line, raw.chars().take(80).collect()));
        }
    }

    /// Distinct non-empty values, when there are few (at most a few hundred).
    pub fn few_distinct(&self) -> Option<usize> {
        self.distinct.as_ref().map(|d| d.len())
    }

    fn epoch_unit(&self) -> Option<EpochUnit> {
        if self.ints == 0 {
            return Some(EpochUnit::Seconds);
        }
        if self.int_min >= -10_000_000_000 && self.int_max <= 10_000_000_000 {
            Some(EpochUnit::Seconds)
        } else if self.int_min >= 100_000_000_000 && self.int_max < 100_000_000_000_000 {
            Some(EpochUnit::Milliseconds)
        } else {
            None
        }
    }

    /// Whether `0`/`1` read as booleans in this column.
    fn flag_digits(&self) -> bool {
        self.word_booleans || flag_name(&self.name)
    }

    /// The misfits of `ty`, given how the column converts.
    fn misfits_of(&self, ty: ColumnType) -> u64 {
        match ty {
            ColumnType::Text => 0,
            ColumnType::Boolean if !self.flag_digits() => u64::MAX,
            _ => self.misfits[ty.index()],
        }
    }

    /// The inferred conversion: the candidate with the fewest bad values (ties: the most
    /// specific), if those are at most [`MAX_BAD_SHARE`] of the non-empty values; else text.
    pub fn infer(&self) -> Conversion {
        let mut best: Option<(u64, ColumnType)> = None;
        if self.non_empty > 0 {
            for ty in ColumnType::ALL {
                if ty == ColumnType::Text {
                    continue;
                }
                if ty == ColumnType::Boolean && !self.flag_digits() {
                    continue;
                }
                if self.long_integers > 0
                    && matches!(
                        ty,
                        ColumnType::Integer | ColumnType::Real | ColumnType::Datetime
                    )
                {
                    continue;
                }
                if ty == ColumnType::Datetime
                    && self.ints > 0
                    && (!time_name(&self.name) || self.epoch_unit().is_none())
                {
                    // Integers are epochs only in a time-named column, in a plausible range.
                    continue;
                }
                if ty == ColumnType::Datetime
                    && self.ints == 0
                    && self.misfits[ColumnType::Date.index()]
                        == self.misfits[ColumnType::Datetime.index()]
                {
                    continue; // dates alone: a date column
                }
                let bad = self.misfits_of(ty);
                if (bad as f64) > MAX_BAD_SHARE * self.non_empty as f64 {
                    continue;
                }
                if best.is_none_or(|(b, _)| bad < b) {
                    best = Some((bad, ty));
                }
            }
        }
        let ty = best.map_or(ColumnType::Text, |(_, t)| t);
        self.conversion(ty)
    }

    /// The conversion for a given (inferred or declared) type.
    pub fn conversion(&self, ty: ColumnType) -> Conversion {
        Conversion {
            ty,
            epoch: self.epoch_unit().unwrap_or_default(),
            flag_digits: true,
        }
    }

    /// How many values do not fit `ty`, and the first of them (line, value).
    pub fn bad_values(&self, ty: ColumnType) -> (u64, Vec<BadValue>) {
        if ty == ColumnType::Text {
            return (0, Vec::new());
        }
        let i = ty.index();
        let samples = self.samples[i]
            .iter()
            .map(|(line, value)| BadValue {
                line: *line,
                column: self.position + 1,
                column_name: self.name.clone(),
                value: value.clone(),
                expected: ty,
            })
            .collect();
        let count = self.misfits[i];
        (count, samples)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn infer(name: &str, values: &[&str]) -> ColumnType {
        let mut s = ColumnStats::new(name, 0);
        for (i, v) in values.iter().enumerate() {
            s.see(v, i as u64 + 2);
        }
        s.infer().ty
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_integer("-42"), Some(-42));
        assert_eq!(parse_integer("007"), None);
        assert_eq!(parse_integer("9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_integer("9223372036854775808"), None);
        assert_eq!(parse_real("1.5e3"), Some(1500.0));
        assert_eq!(parse_real(".5"), Some(0.5));
        assert_eq!(parse_real("inf"), None);
        assert_eq!(parse_real("NaN"), None);
        assert_eq!(parse_real("1e999"), None);
        assert_eq!(parse_real("01.5"), None);
        assert_eq!(parse_real("1."), None);
    }

    #[test]
    fn iso_forms() {
        let base = 1_704_067_200; // 2024-01-01T00:00:00Z
        assert_eq!(parse_iso("2024-01-01"), Some((base, true)));
        assert_eq!(
            parse_iso("2024-01-01T01:02:03Z"),
            Some((base + 3723, false))
        );
        assert_eq!(parse_iso("2024-01-01 01:02:03"), Some((base + 3723, false)));
        assert_eq!(parse_iso("2024-01-01T01:02"), Some((base + 3720, false)));
        assert_eq!(
            parse_iso("2024-01-01T01:02:03.999Z"),
            Some((base + 3723, false))
        );
        assert_eq!(
            parse_iso("2024-01-01T01:02:03+01:00"),
            Some((base + 3723 - 3600, false))
        );
        assert_eq!(
            parse_iso("2024-01-01T01:02:03-0130"),
            Some((base + 3723 + 5400, false))
        );
        assert_eq!(parse_iso("2024-02-30"), None);
        assert_eq!(parse_iso("2024-01-01T25:00:00"), None);
        assert_eq!(parse_iso("2024-01-01x"), None);
    }

    #[test]
    fn inference() {
        assert_eq!(infer("n", &["1", "2", "", "3"]), ColumnType::Integer);
        assert_eq!(infer("n", &["1", "2.5"]), ColumnType::Real);
        assert_eq!(infer("n", &["1", "x"]), ColumnType::Text);
        assert_eq!(infer("n", &["007", "12"]), ColumnType::Text);
        assert_eq!(infer("n", &["0", "1"]), ColumnType::Integer);
        assert_eq!(infer("is_vip", &["0", "1"]), ColumnType::Boolean);
        assert_eq!(infer("ok", &["true", "FALSE", "1"]), ColumnType::Boolean);
        assert_eq!(infer("d", &["2024-01-01", "2023-12-31"]), ColumnType::Date);
        assert_eq!(
            infer("d", &["2024-01-01", "2023-12-31T10:00:00Z"]),
            ColumnType::Datetime
        );
        assert_eq!(
            infer("created_at", &["1700000000", "1700000100"]),
            ColumnType::Datetime
        );
        assert_eq!(infer("count", &["1700000000"]), ColumnType::Integer);
        assert_eq!(infer("tags", &["[\"a\"]", "[]"]), ColumnType::JsonArray);
        assert_eq!(infer("x", &["", ""]), ColumnType::Text);
        assert_eq!(
            infer("big", &["1", "123456789012345678901234567890"]),
            ColumnType::Text
        );
        let mut many: Vec<&str> = vec!["5"; 200];
        many.push("n/a");
        assert_eq!(infer("age", &many), ColumnType::Integer);
    }
}
