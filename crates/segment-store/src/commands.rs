//! Bulk membership commands (the seed's USER_SEGMENT import): NDJSON or CSV lines with
//! `operation` UPDATE (add, or refresh expiration and data bag) or DELETE (remove), mixed in one
//! file; the member by exactly one of `user_account_id`, `email_hash` or `user_agent_id`, not
//! blank (`compartment_id` is accepted and ignored); the segment by `segment_id` or
//! `segment_technical_name` (its name, which must be unique); `expiration_duration` in minutes
//! or `expiration_ts` in Unix milliseconds, not both (0 = never); `data_bag` as an escaped JSON
//! string. A field given twice (a repeated JSON key, a CSV column named twice) is refused.
//!
//! A file is checked whole before anything is written: every malformed or rejected line is
//! reported with its line number (CRLF or LF alike). With [`OnError::Abort`] any problem applies nothing; with
//! [`OnError::Skip`] every other line is applied, in one transaction either way.

use std::collections::HashMap;
use std::io::Write;

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::error::{clip, quoted, Error, LineProblem, Result};
use crate::members::{active_count, MembersOutcome, Writer};
use crate::model::*;
use crate::segments::live;
use crate::{stamp, Store};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Ndjson,
    Csv,
}

impl Format {
    /// From a file name's extension (`.csv`, else NDJSON).
    pub fn from_path(path: &std::path::Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("csv") => Format::Csv,
            _ => Format::Ndjson,
        }
    }

    pub fn parse(text: &str) -> Result<Format> {
        match text.to_ascii_lowercase().as_str() {
            "ndjson" | "jsonl" | "json" => Ok(Format::Ndjson),
            "csv" => Ok(Format::Csv),
            _ => Err(Error::invalid(
                "format",
                format!("{} is not ndjson or csv", quoted(text)),
            )),
        }
    }
}

/// What to do with the other lines when some are malformed or rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum OnError {
    /// Apply nothing.
    #[default]
    Abort,
    /// Apply every good line, report the others.
    Skip,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum CommandOperation {
    #[serde(rename = "UPDATE")]
    Update,
    #[serde(rename = "DELETE")]
    Delete,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SegmentRef {
    Id(String),
    TechnicalName(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Expiry {
    Never,
    /// Minutes from when the command is applied.
    InMinutes(u64),
    /// Unix milliseconds.
    AtMillis(i64),
}

/// One parsed command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MemberCommand {
    pub line: u64,
    pub operation: CommandOperation,
    pub member: String,
    pub segment: SegmentRef,
    pub expiry: Expiry,
    pub data_bag: Option<String>,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub lines: u64,
    pub applied: u64,
    /// Lines not applied (only with `skip`), each with its line number.
    pub skipped: Vec<LineProblem>,
    /// Per segment touched: added, updated, removed, members after.
    pub segments: Vec<MembersOutcome>,
}

const IDENTIFIERS: [&str; 3] = ["user_account_id", "email_hash", "user_agent_id"];
const KNOWN: [&str; 10] = [
    "operation",
    "compartment_id",
    "user_account_id",
    "email_hash",
    "user_agent_id",
    "segment_id",
    "segment_technical_name",
    "expiration_duration",
    "expiration_ts",
    "data_bag",
];

/// A field's value as read: NDJSON gives JSON, CSV gives text (empty cells are absent).
enum Field<'a> {
    Json(&'a Value),
    Text(&'a str),
}

impl Field<'_> {
    fn text(&self, name: &str) -> std::result::Result<Option<String>, String> {
        match self {
            Field::Text(t) => Ok(Some(t.to_string())),
            Field::Json(Value::Null) => Ok(None),
            Field::Json(Value::String(s)) => Ok(Some(s.clone())),
            Field::Json(Value::Number(n)) => Ok(Some(n.to_string())),
            Field::Json(other) => Err(format!(
                "{name} must be a string, not {}",
                clip(&other.to_string())
            )),
        }
    }

    fn integer(&self, name: &str) -> std::result::Result<Option<i64>, String> {
        let bad = |shown: String| format!("{name} must be a whole number ≥ 0, not {shown}");
        match self {
            Field::Json(Value::Null) => Ok(None),
            Field::Json(Value::Number(n)) => n
                .as_i64()
                .filter(|v| *v >= 0)
                .map(Some)
                .ok_or_else(|| bad(n.to_string())),
            Field::Json(Value::String(s)) => parse_count(s).ok_or_else(|| bad(quoted(s))),
            Field::Text(s) => parse_count(s).ok_or_else(|| bad(quoted(s))),
            Field::Json(other) => Err(bad(clip(&other.to_string()).into_owned())),
        }
    }

    fn data_bag(&self) -> std::result::Result<Option<String>, String> {
        let text = match self {
            Field::Json(Value::Null) => return Ok(None),
            Field::Json(Value::String(s)) => s.clone(),
            Field::Text(s) => s.to_string(),
            // A bag given as a JSON object rather than an escaped string is accepted as is.
            Field::Json(v @ (Value::Object(_) | Value::Array(_))) => v.to_string(),
            Field::Json(other) => {
                return Err(format!(
                    "data_bag must be an escaped JSON string, not {}",
                    clip(&other.to_string())
                ))
            }
        };
        serde_json::from_str::<Value>(&text).map_err(|e| format!("data_bag is not JSON: {e}"))?;
        Ok(Some(text))
    }
}

/// A JSON object's members in order, duplicates kept (a `Map` would keep only the last).
struct Pairs(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Pairs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Pairs;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Pairs, A::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry::<String, Value>()? {
                    pairs.push(pair);
                }
                Ok(Pairs(pairs))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// Counts lines up to byte offsets of one text, read in increasing order. The CSV reader's own
/// line numbers are not used: with CRLF breaks they come out one short, and a record after a
/// blank line gets the blank line's number.
struct Lines<'a> {
    text: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Lines {
            text: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    /// The 1-based line of the record that starts at byte `offset` (not before the previous one
    /// asked). The reader's offset may be that of blank lines it skipped before the record.
    fn at(&mut self, offset: usize) -> u64 {
        let mut end = offset.min(self.text.len()).max(self.offset);
        while end < self.text.len() && matches!(self.text[end], b'\r' | b'\n') {
            end += 1;
        }
        self.line += self.text[self.offset..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        self.offset = end;
        self.line
    }
}

fn parse_count(s: &str) -> Option<Option<i64>> {
    s.trim().parse::<i64>().ok().filter(|v| *v >= 0).map(Some)
}

/// One CSV line (with its line break), quoted as needed.
pub fn csv_line(fields: &[&str]) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(fields)?;
    w.into_inner()
        .map_err(|e| std::io::Error::other(e.to_string()))
}

fn command(line: u64, fields: &[(&str, Field<'_>)]) -> std::result::Result<MemberCommand, String> {
    let get = |name: &str| fields.iter().find(|(k, _)| *k == name).map(|(_, v)| v);
    for (i, (k, _)) in fields.iter().enumerate() {
        if !KNOWN.contains(k) {
            return Err(format!(
                "unknown field {} (expected {})",
                quoted(k),
                KNOWN.join(", ")
            ));
        }
        // JSON readers keep the last of two equal keys; which one was meant is a guess.
        if fields[..i].iter().any(|(seen, _)| seen == k) {
            return Err(format!("{k} is given twice"));
        }
    }
    let operation = match get("operation")
        .map(|f| f.text("operation"))
        .transpose()?
        .flatten()
    {
        Some(op) if op.eq_ignore_ascii_case("UPDATE") => CommandOperation::Update,
        Some(op) if op.eq_ignore_ascii_case("DELETE") => CommandOperation::Delete,
        Some(op) => return Err(format!("operation {} is not UPDATE or DELETE", quoted(&op))),
        None => return Err("missing operation (UPDATE or DELETE)".to_string()),
    };
    // Exactly one identifier: with two, which member the line means is a guess.
    let mut member: Option<(&str, String)> = None;
    for name in IDENTIFIERS {
        if let Some(v) = get(name).map(|f| f.text(name)).transpose()?.flatten() {
            if v.trim().is_empty() {
                return Err(format!("{name} is blank: give the member's identifier"));
            }
            if let Some((first, _)) = member {
                return Err(format!("give one identifier, not both {first} and {name}"));
            }
            member = Some((name, v));
        }
    }
    let (_, member) =
        member.ok_or_else(|| format!("no identifier: give one of {}", IDENTIFIERS.join(", ")))?;
    crate::members::check_member(&member).map_err(|e| e.to_string())?;
    let id = get("segment_id")
        .map(|f| f.text("segment_id"))
        .transpose()?
        .flatten();
    let name = get("segment_technical_name")
        .map(|f| f.text("segment_technical_name"))
        .transpose()?
        .flatten();
    let segment = match (id, name) {
        (Some(id), None) => SegmentRef::Id(normalize_id(&id).map_err(|e| e.to_string())?),
        (None, Some(name)) => SegmentRef::TechnicalName(name),
        (Some(_), Some(_)) => {
            return Err("give segment_id or segment_technical_name, not both".to_string())
        }
        (None, None) => return Err("missing segment_id or segment_technical_name".to_string()),
    };
    let duration = get("expiration_duration")
        .map(|f| f.integer("expiration_duration"))
        .transpose()?
        .flatten();
    let ts = get("expiration_ts")
        .map(|f| f.integer("expiration_ts"))
        .transpose()?
        .flatten();
    let expiry = match (ts, duration) {
        // Two expirations may disagree (0 = never against a date): refuse rather than pick one.
        (Some(_), Some(_)) => {
            return Err("give expiration_duration or expiration_ts, not both".to_string())
        }
        (Some(ts), None) if ts > 0 => Expiry::AtMillis(ts),
        (None, Some(d)) if d > 0 => Expiry::InMinutes(d as u64),
        (Some(_), None) | (None, Some(_)) => Expiry::Never,
        (None, None) if operation == CommandOperation::Delete => Expiry::Never,
        (None, None) => {
            return Err(
                "missing expiration_duration (minutes, 0 = never) or expiration_ts".to_string(),
            )
        }
    };
    let data_bag = get("data_bag").map(|f| f.data_bag()).transpose()?.flatten();
    Ok(MemberCommand {
        line,
        operation,
        member,
        segment,
        expiry,
        data_bag,
    })
}

/// Parses a whole file: the commands, and every problem with its line.
pub fn parse(text: &str, format: Format, source: &str) -> (Vec<MemberCommand>, Vec<LineProblem>) {
    let problem = |line: u64, message: String| LineProblem::new(source, line, message);
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (mut commands, mut problems) = (Vec::new(), Vec::new());
    match format {
        Format::Ndjson => {
            for (i, raw) in text.lines().enumerate() {
                let line = i as u64 + 1;
                if raw.trim().is_empty() {
                    continue;
                }
                let parsed = serde_json::from_str::<Pairs>(raw)
                    .map_err(|e| format!("not a JSON object: {}", crate::files::json_message(&e)))
                    .and_then(|obj| {
                        command(
                            line,
                            &obj.0
                                .iter()
                                .map(|(k, v)| (k.as_str(), Field::Json(v)))
                                .collect::<Vec<_>>(),
                        )
                    });
                match parsed {
                    Ok(c) => commands.push(c),
                    Err(m) => problems.push(problem(line, m)),
                }
            }
        }
        Format::Csv => {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(true)
                .flexible(false)
                .from_reader(text.as_bytes());
            let headers = match reader.headers() {
                Ok(h) => h.iter().map(|h| h.trim().to_string()).collect::<Vec<_>>(),
                Err(e) => {
                    problems.push(problem(1, format!("unreadable header: {e}")));
                    return (commands, problems);
                }
            };
            if headers.iter().all(|h| h.is_empty()) {
                problems.push(problem(
                    1,
                    "empty file: expected a header line naming the columns".to_string(),
                ));
                return (commands, problems);
            }
            let mut lines = Lines::new(text);
            let header_line = reader
                .headers()
                .ok()
                .and_then(|h| h.position())
                .map(|p| lines.at(p.byte() as usize))
                .unwrap_or(1);
            // A column named twice: every line would be ambiguous, so the header is the problem.
            for (i, h) in headers.iter().enumerate() {
                if let Some(first) = headers[..i].iter().position(|seen| seen == h) {
                    problems.push(problem(
                        header_line,
                        format!(
                            "column {} is named twice (columns {} and {})",
                            quoted(h),
                            first + 1,
                            i + 1
                        ),
                    ));
                    return (commands, problems);
                }
            }
            let mut record = csv::StringRecord::new();
            loop {
                let result = reader.read_record(&mut record);
                let line = record
                    .position()
                    .map(|p| lines.at(p.byte() as usize))
                    .unwrap_or(0);
                match result {
                    Ok(false) => break,
                    Ok(true) => {
                        let fields: Vec<(&str, Field<'_>)> = headers
                            .iter()
                            .zip(record.iter())
                            .filter(|(_, v)| !v.is_empty())
                            .map(|(k, v)| (k.as_str(), Field::Text(v)))
                            .collect();
                        match command(line, &fields) {
                            Ok(c) => commands.push(c),
                            Err(m) => problems.push(problem(line, m)),
                        }
                    }
                    Err(e) => {
                        let line = e
                            .position()
                            .map(|p| lines.at(p.byte() as usize))
                            .unwrap_or(line);
                        let message = match e.kind() {
                            csv::ErrorKind::UnequalLengths {
                                expected_len, len, ..
                            } => {
                                format!("{len} fields where the header has {expected_len}")
                            }
                            _ => e.to_string(),
                        };
                        problems.push(problem(line, message));
                        // A broken quote may swallow the rest of the file: stop there.
                        if !matches!(
                            e.kind(),
                            csv::ErrorKind::UnequalLengths { .. } | csv::ErrorKind::Utf8 { .. }
                        ) {
                            break;
                        }
                    }
                }
            }
        }
    }
    (commands, problems)
}

fn resolve(
    tx: &Transaction<'_>,
    segment: &SegmentRef,
    names: &mut HashMap<String, Result<String, String>>,
) -> std::result::Result<String, String> {
    match segment {
        SegmentRef::Id(id) => Ok(id.clone()),
        SegmentRef::TechnicalName(name) => names
            .entry(name.clone())
            .or_insert_with(|| {
                let mut stmt = tx
                    .prepare_cached(
                        "SELECT id FROM segments WHERE name = ?1 AND date_deleted IS NULL LIMIT 2",
                    )
                    .map_err(|e| e.to_string())?;
                let ids = stmt
                    .query_map(params![name], |r| r.get::<_, String>(0))
                    .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                    .map_err(|e| e.to_string())?;
                match ids.as_slice() {
                    [id] => Ok(id.clone()),
                    [] => Err(format!("no segment is named {}", quoted(name))),
                    _ => Err(format!(
                        "several segments are named {}: use segment_id",
                        quoted(name)
                    )),
                }
            })
            .clone(),
    }
}

fn expires_at(expiry: Expiry, now: DateTime<Utc>) -> std::result::Result<Option<String>, String> {
    match expiry {
        Expiry::Never => Ok(None),
        Expiry::InMinutes(m) => i64::try_from(m)
            .ok()
            .and_then(Duration::try_minutes)
            .and_then(|d| now.checked_add_signed(d))
            .map(|t| Some(stamp(t)))
            .ok_or_else(|| format!("expiration_duration {m} is out of range")),
        Expiry::AtMillis(ms) => DateTime::from_timestamp_millis(ms)
            .map(|t| Some(stamp(t)))
            .ok_or_else(|| format!("expiration_ts {ms} is out of range")),
    }
}

impl Store {
    /// Parses and applies a file of membership commands (see the module docs), in one
    /// transaction. With `abort`, any problem returns [`Error::Lines`] and changes nothing.
    pub fn import_commands(
        &mut self,
        text: &str,
        format: Format,
        source: &str,
        on_error: OnError,
    ) -> Result<ImportReport> {
        let (commands, mut problems) = parse(text, format, source);
        if on_error == OnError::Abort && !problems.is_empty() {
            return Err(Error::Lines(problems));
        }
        let lines = (commands.len() + problems.len()) as u64;
        self.write(|tx, now| {
            let mut writers: Vec<Writer<'_>> = Vec::new();
            let mut by_id: HashMap<String, std::result::Result<usize, String>> = HashMap::new();
            let mut names = HashMap::new();
            let mut applied = 0u64;
            for c in &commands {
                let done = resolve(tx, &c.segment, &mut names).and_then(|id| {
                    let slot = by_id
                        .entry(id.clone())
                        .or_insert_with(|| match Writer::new(tx, &id, now) {
                            Ok(w) => {
                                writers.push(w);
                                Ok(writers.len() - 1)
                            }
                            Err(e) => Err(e.to_string()),
                        })
                        .clone()?;
                    let w = &mut writers[slot];
                    let result = match c.operation {
                        CommandOperation::Update => {
                            let at = expires_at(c.expiry, now)?;
                            w.upsert(&c.member, at.as_deref(), c.data_bag.as_deref())
                        }
                        CommandOperation::Delete => w.remove(&c.member),
                    };
                    result.map_err(|e| e.to_string())
                });
                match done {
                    Ok(()) => applied += 1,
                    Err(message) => problems.push(LineProblem::new(source, c.line, message)),
                }
            }
            problems.sort_by_key(|p| p.line);
            if on_error == OnError::Abort && !problems.is_empty() {
                return Err(Error::Lines(problems));
            }
            let segments = writers.into_iter().map(Writer::finish).collect();
            Ok(ImportReport {
                lines,
                applied,
                skipped: problems,
                segments,
            })
        })
    }

    /// Writes the segment's current members as UPDATE commands (re-importable), one per line.
    /// Returns how many were written.
    pub fn export_commands(
        &mut self,
        id: &str,
        format: Format,
        out: &mut dyn Write,
    ) -> Result<u64> {
        let id = normalize_id(id)?;
        let io = |source: std::io::Error| Error::Io {
            path: "output".into(),
            source,
        };
        self.read(|tx, now| {
            live(tx, &id)?;
            let _ = active_count(tx, &id, now)?;
            let mut stmt = tx.prepare(
                "SELECT member, expires_at, data_bag FROM memberships WHERE segment_id = ?1 AND status = 'ACTIVE' \
                 AND (expires_at IS NULL OR expires_at > ?2) ORDER BY member",
            )?;
            let mut rows = stmt.query(params![id, stamp(now)])?;
            if format == Format::Csv {
                let header = ["operation", "user_account_id", "segment_id", "expiration_duration", "expiration_ts", "data_bag"];
                out.write_all(&csv_line(&header).map_err(io)?).map_err(io)?;
            }
            let mut n = 0u64;
            while let Some(row) = rows.next()? {
                let member: String = row.get(0)?;
                let expires: Option<String> = row.get(1)?;
                let bag: Option<String> = row.get(2)?;
                let ts = expires
                    .as_deref()
                    .and_then(|e| DateTime::parse_from_rfc3339(e).ok())
                    .map(|t| t.timestamp_millis())
                    .unwrap_or(0);
                // One expiration per line (both is refused on import): the instant, or 0 = never.
                let expires = (ts > 0).then_some(ts);
                match format {
                    Format::Csv => {
                        let (duration, ts) = match expires {
                            Some(ts) => (String::new(), ts.to_string()),
                            None => ("0".to_string(), String::new()),
                        };
                        let fields = ["UPDATE", &member, &id, &duration, &ts, bag.as_deref().unwrap_or("")];
                        out.write_all(&csv_line(&fields).map_err(io)?).map_err(io)?;
                    }
                    Format::Ndjson => {
                        let mut line = Map::new();
                        line.insert("operation".into(), "UPDATE".into());
                        line.insert("user_account_id".into(), member.into());
                        line.insert("segment_id".into(), id.clone().into());
                        match expires {
                            Some(ts) => line.insert("expiration_ts".into(), ts.into()),
                            None => line.insert("expiration_duration".into(), 0.into()),
                        };
                        if let Some(bag) = bag {
                            line.insert("data_bag".into(), bag.into());
                        }
                        writeln!(out, "{}", Value::Object(line)).map_err(io)?;
                    }
                }
                n += 1;
            }
            Ok(n)
        })
    }

    /// Writes every membership of the segment (ACTIVE and INACTIVE) as records.
    pub fn export_memberships(
        &mut self,
        id: &str,
        format: Format,
        out: &mut dyn Write,
    ) -> Result<u64> {
        let io = |source: std::io::Error| Error::Io {
            path: "output".into(),
            source,
        };
        let mut page = 0;
        let mut n = 0u64;
        if format == Format::Csv {
            let header = [
                "individualIdentifier",
                "status",
                "dateCreated",
                "dateRemoved",
                "expiresAt",
                "dataBag",
            ];
            out.write_all(&csv_line(&header).map_err(io)?).map_err(io)?;
        }
        loop {
            let filter = crate::MembershipFilter {
                page: Some(page),
                size: Some(MAX_PAGE_SIZE),
                ..Default::default()
            };
            let batch = self.memberships(id, &filter)?;
            for m in &batch.items {
                match format {
                    Format::Csv => {
                        let fields = [
                            m.individual_identifier.as_str(),
                            m.status.as_str(),
                            &m.date_created,
                            m.date_removed.as_deref().unwrap_or(""),
                            m.expires_at.as_deref().unwrap_or(""),
                            m.data_bag.as_deref().unwrap_or(""),
                        ];
                        out.write_all(&csv_line(&fields).map_err(io)?).map_err(io)?;
                    }
                    Format::Ndjson => {
                        let text = serde_json::to_string(m).map_err(|e| io(e.into()))?;
                        writeln!(out, "{text}").map_err(io)?;
                    }
                }
                n += 1;
            }
            if batch.items.len() < MAX_PAGE_SIZE as usize {
                break;
            }
            page += 1;
        }
        Ok(n)
    }
}
