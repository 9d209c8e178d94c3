//! Declared column meanings: what a column's stored values mean when the file's own type cannot
//! say it (epoch seconds or milliseconds in an `INTEGER` column, ISO dates in `TEXT`, JSON arrays
//! in `TEXT`). The user declares them beside the data (the sidecar); here they are checked
//! against the values, applied to an introspected schema, and proposed from names and values.
//!
//! A declaration the values contradict is refused ([`check`] counts and shows the values that
//! do not fit); it is never applied with those values treated as missing, because SQL and the
//! engine would then read them differently. A declaration the data later stops fitting (the
//! file changed) is not applied: the column reads as introspected, and [`apply`] says which.

use std::collections::BTreeMap;

use rusqlite::types::ValueRef;
use rusqlite::Connection;
use segment_model::{ColumnMeaning, DataType, MeaningProposal, Schema, Storage};

use crate::introspect::{iso_shape, quote_ident, time_column, IsoShape, SAMPLE_SCAN_ROWS};
use crate::SAMPLE_SIZE;

/// Declared meanings, per table then column.
pub type Meanings = BTreeMap<String, BTreeMap<String, ColumnMeaning>>;

/// How many (distinct) values that do not fit are shown.
pub const MISFIT_EXAMPLES: usize = 5;

/// Unix seconds from 1973-03-03 to 2100-01-01: integers in this range read as recent times.
const EPOCH_SECONDS: std::ops::RangeInclusive<i64> = 100_000_000..=4_102_444_800;
/// The same range in milliseconds.
const EPOCH_MILLIS: std::ops::RangeInclusive<i64> = 100_000_000_000..=4_102_444_800_000;

/// What one stored value looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Integer,
    Iso(IsoShape),
    JsonArray,
    Other,
}

fn kind(value: ValueRef<'_>) -> Option<Kind> {
    Some(match value {
        ValueRef::Null => return None,
        ValueRef::Integer(_) => Kind::Integer,
        ValueRef::Text(bytes) => match iso_shape(bytes) {
            Some(shape) => Kind::Iso(shape),
            None if is_json_array(bytes) => Kind::JsonArray,
            None => Kind::Other,
        },
        ValueRef::Real(_) | ValueRef::Blob(_) => Kind::Other,
    })
}

pub(crate) fn is_json_array(bytes: &[u8]) -> bool {
    bytes.first() == Some(&b'[')
        && matches!(
            serde_json::from_slice::<serde_json::Value>(bytes),
            Ok(serde_json::Value::Array(_))
        )
}

/// A value as shown in a message: text as it is (clipped), numbers as written.
fn shown(value: ValueRef<'_>) -> String {
    match value {
        ValueRef::Null => "NULL".to_string(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(f) => f.to_string(),
        ValueRef::Text(bytes) => {
            let text = String::from_utf8_lossy(bytes);
            format!("“{}”", segment_model::text::clip(&text))
        }
        ValueRef::Blob(b) => format!("{} bytes of binary data", b.len()),
    }
}

/// Counts of each kind of value in a column (or a sample of it), with a few examples each, and
/// the range of the integers.
#[derive(Debug, Default)]
struct Tally {
    values: u64,
    kinds: BTreeMap<Kind, KindTally>,
    integers: Option<(i64, i64)>,
}

/// The values of one kind: how many, the first few distinct ones as shown, and whether there
/// are other distinct ones.
#[derive(Debug, Default)]
struct KindTally {
    count: u64,
    examples: Vec<String>,
    more: bool,
}

impl KindTally {
    fn add(&mut self, value: ValueRef<'_>) {
        self.count += 1;
        if self.more {
            return;
        }
        // Distinct examples: five times the same word would say less.
        let example = shown(value);
        if !self.examples.contains(&example) {
            if self.examples.len() < MISFIT_EXAMPLES {
                self.examples.push(example);
            } else {
                self.more = true;
            }
        }
    }
}

impl Tally {
    fn read(conn: &Connection, sql: &str) -> rusqlite::Result<Tally> {
        let mut stmt = conn.prepare(sql)?;
        let mut rows = stmt.query([])?;
        let mut tally = Tally::default();
        while let Some(row) = rows.next()? {
            let value = row.get_ref(0)?;
            let Some(kind) = kind(value) else { continue };
            tally.values += 1;
            tally.kinds.entry(kind).or_default().add(value);
            if let ValueRef::Integer(i) = value {
                tally.integers = Some(match tally.integers {
                    None => (i, i),
                    Some((lo, hi)) => (lo.min(i), hi.max(i)),
                });
            }
        }
        Ok(tally)
    }

    fn count(&self, kind: Kind) -> u64 {
        self.kinds.get(&kind).map_or(0, |k| k.count)
    }

    /// The ISO shape most values have (the only one, when the declaration fits).
    fn iso_shape(&self) -> Option<IsoShape> {
        [IsoShape::DateTimeT, IsoShape::DateTimeSpace, IsoShape::Date]
            .into_iter()
            .filter(|s| self.count(Kind::Iso(*s)) > 0)
            .max_by_key(|s| self.count(Kind::Iso(*s)))
    }

    /// The kind of value `meaning` needs here.
    fn fitting(&self, meaning: ColumnMeaning) -> Kind {
        match meaning {
            ColumnMeaning::EpochSeconds | ColumnMeaning::EpochMillis => Kind::Integer,
            ColumnMeaning::IsoDatetime => {
                Kind::Iso(self.iso_shape().unwrap_or(IsoShape::DateTimeT))
            }
            ColumnMeaning::JsonArray => Kind::JsonArray,
        }
    }

    fn fit(&self, meaning: ColumnMeaning) -> Fit {
        let fitting = self.fitting(meaning);
        let misfits = self.values - self.count(fitting);
        if misfits > 0 {
            let misfit_kinds = || self.kinds.iter().filter(|(k, _)| **k != fitting);
            let all: Vec<String> = misfit_kinds()
                .flat_map(|(_, k)| k.examples.iter().cloned())
                .collect();
            let more = misfit_kinds().any(|(_, k)| k.more) || all.len() > MISFIT_EXAMPLES;
            let examples = all.into_iter().take(MISFIT_EXAMPLES).collect();
            return Fit::Contradicted(Misfits {
                checked: self.values,
                count: misfits,
                examples,
                more,
                expected: expected(meaning, fitting),
            });
        }
        let storage = match (meaning, fitting) {
            (ColumnMeaning::EpochSeconds, _) => Storage::UnixSeconds,
            (ColumnMeaning::EpochMillis, _) => Storage::UnixMillis,
            (ColumnMeaning::JsonArray, _) => Storage::JsonArray,
            (ColumnMeaning::IsoDatetime, Kind::Iso(IsoShape::Date)) => Storage::IsoDate,
            (ColumnMeaning::IsoDatetime, Kind::Iso(IsoShape::DateTimeSpace)) => {
                Storage::IsoDateTimeSpace
            }
            (ColumnMeaning::IsoDatetime, _) => Storage::IsoDateTime,
        };
        Fit::Fits(meaning.data_type(), storage)
    }
}

/// What a fitting value looks like, for messages.
fn expected(meaning: ColumnMeaning, fitting: Kind) -> &'static str {
    match (meaning, fitting) {
        (ColumnMeaning::EpochSeconds, _) => "whole numbers (seconds since 1970)",
        (ColumnMeaning::EpochMillis, _) => "whole numbers (milliseconds since 1970)",
        (ColumnMeaning::JsonArray, _) => "JSON arrays such as [\"a\",\"b\"]",
        (_, Kind::Iso(IsoShape::Date)) => "ISO dates like 2024-03-10, as most values are",
        (_, Kind::Iso(IsoShape::DateTimeSpace)) => {
            "ISO date-times like 2024-03-10 12:00:00, as most values are"
        }
        _ => "ISO date-times like 2024-03-10T12:00:00Z",
    }
}

/// Whether a column's values fit a meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fit {
    /// They do: the column's type and storage under the meaning.
    Fits(DataType, Storage),
    /// Some do not.
    Contradicted(Misfits),
}

/// The values that contradict a declared meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Misfits {
    /// Non-empty values checked.
    pub checked: u64,
    /// How many of them do not fit.
    pub count: u64,
    /// The first few distinct ones, as shown to people.
    pub examples: Vec<String>,
    /// Whether other distinct values do not fit too.
    pub more: bool,
    /// What fitting values look like.
    pub expected: &'static str,
}

impl std::fmt::Display for Misfits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} of its {} values {} not {}: {}",
            self.count,
            self.checked,
            if self.count == 1 { "is" } else { "are" },
            self.expected,
            self.examples.join(", ")
        )?;
        if self.more {
            write!(f, ", …")?;
        }
        Ok(())
    }
}

/// Checks every non-empty value of `table.column` against `meaning` (one scan of the column).
pub fn check(
    conn: &Connection,
    table: &str,
    column: &str,
    meaning: ColumnMeaning,
) -> rusqlite::Result<Fit> {
    let sql = format!("SELECT {} FROM {}", quote_ident(column), quote_ident(table));
    Ok(Tally::read(conn, &sql)?.fit(meaning))
}

/// The same check on a sample (as introspection samples), quick enough for every open.
fn check_sample(
    conn: &Connection,
    table: &str,
    column: &str,
    meaning: ColumnMeaning,
) -> rusqlite::Result<Fit> {
    Ok(sample(conn, table, column)?.fit(meaning))
}

fn sample(conn: &Connection, table: &str, column: &str) -> rusqlite::Result<Tally> {
    let sql = format!(
        "SELECT v FROM (SELECT {col} AS v FROM {table} LIMIT {SAMPLE_SCAN_ROWS}) \
         WHERE v IS NOT NULL LIMIT {SAMPLE_SIZE}",
        col = quote_ident(column),
        table = quote_ident(table)
    );
    Tally::read(conn, &sql)
}

/// A declaration and whether it is applied to the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub table: String,
    pub column: String,
    pub meaning: ColumnMeaning,
    /// Why it is not applied (the table or column is gone, or the values no longer fit).
    pub not_applied: Option<String>,
}

/// `schema` with the declared meanings applied (each checked on a sample of its column), the
/// relationship time windows following the new date/time columns; and what became of each
/// declaration.
pub fn apply(
    conn: &Connection,
    schema: &Schema,
    meanings: &Meanings,
) -> rusqlite::Result<(Schema, Vec<Applied>)> {
    let mut out = schema.clone();
    let mut report = Vec::new();
    for (table, columns) in meanings {
        for (column, meaning) in columns {
            let mut applied = Applied {
                table: table.clone(),
                column: column.clone(),
                meaning: *meaning,
                not_applied: None,
            };
            // The row key keeps its type: records are found and joined by it.
            let target = out
                .entities
                .iter_mut()
                .find(|e| &e.name == table && &e.key != column)
                .and_then(|e| e.columns.iter_mut().find(|c| &c.name == column));
            match target {
                None => {
                    applied.not_applied =
                        Some(format!("{table}.{column} is gone, or is the row key"))
                }
                Some(target) => match check_sample(conn, table, column, *meaning)? {
                    Fit::Fits(data_type, storage) => {
                        target.data_type = data_type;
                        target.storage = storage;
                    }
                    Fit::Contradicted(misfits) => applied.not_applied = Some(misfits.to_string()),
                },
            }
            report.push(applied);
        }
    }
    for r in &mut out.relationships {
        if meanings.contains_key(&r.to_entity) {
            if let Some(entity) = out.entities.iter().find(|e| e.name == r.to_entity) {
                r.time_column = time_column(entity);
            }
        }
    }
    Ok((out, report))
}

/// Whether a column's name suggests a time: `ts`, `time`, `date`, `created`, `*_at`, `*_ts`,
/// `*_time`, `*_date`, `createdAt`…
pub fn time_like_name(name: &str) -> bool {
    const WORDS: &[&str] = &[
        "ts",
        "time",
        "timestamp",
        "date",
        "datetime",
        "created",
        "updated",
        "modified",
        "deleted",
        "epoch",
        "when",
    ];
    const SUFFIXES: &[&str] = &[
        "_at",
        "_ts",
        "_time",
        "_date",
        "_timestamp",
        "_epoch",
        "_on",
    ];
    const CAMEL: &[&str] = &["At", "Ts", "Time", "Date", "Timestamp"];
    let lower = name.to_ascii_lowercase();
    WORDS.contains(&lower.as_str())
        || SUFFIXES
            .iter()
            .any(|s| lower.ends_with(s) && lower.len() > s.len())
        || CAMEL.iter().any(|s| {
            name.strip_suffix(s)
                .is_some_and(|stem| stem.chars().last().is_some_and(|c| c.is_ascii_lowercase()))
        })
}

/// Meanings the names and sampled values suggest for columns of `schema` (with any
/// declarations already applied): integer columns named like a time whose values are recent
/// epoch seconds or milliseconds (also date/time columns read as seconds that hold
/// milliseconds), text columns of ISO dates, text columns of JSON arrays. Proposed, never
/// applied.
pub fn propose(conn: &Connection, schema: &Schema) -> rusqlite::Result<Vec<MeaningProposal>> {
    let mut out = Vec::new();
    for entity in &schema.entities {
        for column in &entity.columns {
            if column.name == entity.key {
                continue;
            }
            let proposal = match column.storage {
                Storage::Integer | Storage::UnixSeconds if time_like_name(&column.name) => {
                    propose_epoch(&sample(conn, &entity.name, &column.name)?, column.storage)
                }
                Storage::Text => propose_text(&sample(conn, &entity.name, &column.name)?),
                _ => None,
            };
            if let Some((meaning, reason)) = proposal {
                out.push(MeaningProposal {
                    table: entity.name.clone(),
                    column: column.name.clone(),
                    meaning,
                    reason,
                });
            }
        }
    }
    Ok(out)
}

fn propose_epoch(tally: &Tally, storage: Storage) -> Option<(ColumnMeaning, String)> {
    let (lo, hi) = tally.integers?;
    if tally.values == 0 || tally.count(Kind::Integer) != tally.values {
        return None;
    }
    let years = |lo: i64, hi: i64| format!("{} to {}", year(lo), year(hi));
    if storage == Storage::Integer && EPOCH_SECONDS.contains(&lo) && EPOCH_SECONDS.contains(&hi) {
        return Some((
            ColumnMeaning::EpochSeconds,
            format!(
                "named like a time; as seconds since 1970 its values are dates from {}",
                years(lo, hi)
            ),
        ));
    }
    if EPOCH_MILLIS.contains(&lo) && EPOCH_MILLIS.contains(&hi) {
        return Some((
            ColumnMeaning::EpochMillis,
            format!(
                "named like a time; as milliseconds since 1970 its values are dates from {}",
                years(lo / 1000, hi / 1000)
            ),
        ));
    }
    None
}

fn year(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn propose_text(tally: &Tally) -> Option<(ColumnMeaning, String)> {
    if tally.values == 0 {
        return None;
    }
    if let Some(shape) = tally.iso_shape() {
        if tally.count(Kind::Iso(shape)) == tally.values {
            return Some((
                ColumnMeaning::IsoDatetime,
                format!(
                    "all {} sampled values are ISO {}",
                    tally.values,
                    if shape == IsoShape::Date {
                        "dates"
                    } else {
                        "date-times"
                    }
                ),
            ));
        }
    }
    (tally.count(Kind::JsonArray) == tally.values).then(|| {
        (
            ColumnMeaning::JsonArray,
            format!("all {} sampled values are JSON arrays", tally.values),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_like_names() {
        for name in [
            "ts",
            "created_at",
            "event_ts",
            "sent_time",
            "createdAt",
            "date",
            "Created",
        ] {
            assert!(time_like_name(name), "{name}");
        }
        for name in ["format", "status", "_at", "amount", "stats", "id"] {
            assert!(!time_like_name(name), "{name}");
        }
    }
}
