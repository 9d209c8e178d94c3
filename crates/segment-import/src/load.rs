//! The import itself: scan the whole file (types, bad values), then load it into a new table in
//! one transaction with a prepared multi-row INSERT (every value bound), build the count
//! indexes, `ANALYZE`, commit. A new data source is built in a temporary file renamed into place;
//! an existing one is changed in one transaction. Either way, an error or a cancel leaves the
//! data source as it was.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rusqlite::{Connection, OpenFlags, Statement};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::indexes::{self, ColumnInfo};
use crate::infer::{BadValue, Cell, ColumnStats, ColumnType, Conversion};
use crate::names::{self, quote};
use crate::progress::{CancelToken, Phase, Progress, Tracker};
use crate::reader::{self, CsvOptions, Dialect, Fields, Format, Records};
use crate::report::{BadValues, ImportReport, ImportedColumn, Timings};

/// SQLite `application_id` of data sources created by import ("SBIM").
pub const APPLICATION_ID: i64 = 0x5342_494d;
/// Bound parameters per INSERT statement at most (SQLite allows 32766).
const MAX_PARAMS: usize = 32_000;
/// Rows per INSERT statement at most.
const MAX_BATCH_ROWS: usize = 128;
/// How many rows between two cancellation checks.
const CHECK_EVERY: u64 = 2048;
/// Page cache while importing, KiB: index builds sort in it.
const CACHE_KIB: i64 = 1 << 20;
/// Bad values kept in the report of an import that made them NULL.
const MAX_REPORTED_BAD: usize = 1000;

/// What to do with values that do not fit their column's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum OnError {
    /// Write nothing and report them (the default).
    #[default]
    Abort,
    /// Import them as NULL and report them.
    Null,
}

/// What to import, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportRequest {
    /// The CSV or NDJSON file.
    #[ts(type = "string")]
    pub file: PathBuf,
    /// The data source (SQLite file) to create or add the table to.
    #[ts(type = "string")]
    pub into: PathBuf,
    /// The table name (sanitised); default: the file's name.
    #[ts(optional)]
    pub table: Option<String>,
    /// Default: from the extension, else the content.
    #[ts(optional)]
    pub format: Option<Format>,
    #[serde(default)]
    pub csv: CsvOptions,
    /// Declared types by column (the sanitised name or the header as written).
    #[serde(default)]
    pub types: BTreeMap<String, ColumnType>,
    #[serde(default)]
    pub on_error: OnError,
    /// Replace a table of the same name.
    #[serde(default)]
    pub replace: bool,
}

impl ImportRequest {
    pub fn new(file: impl Into<PathBuf>, into: impl Into<PathBuf>) -> Self {
        ImportRequest {
            file: file.into(),
            into: into.into(),
            table: None,
            format: None,
            csv: CsvOptions::default(),
            types: BTreeMap::new(),
            on_error: OnError::Abort,
            replace: false,
        }
    }
}

/// The table name for a request.
fn table_name(req: &ImportRequest) -> String {
    let stem = req
        .file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("data");
    names::sanitize(req.table.as_deref().unwrap_or(stem), "data")
}

/// Imports one file as one table. `progress` is called during the import (at most every
/// 200 ms); `cancel` stops it, leaving the data source as it was.
pub fn import(
    req: &ImportRequest,
    progress: &mut dyn FnMut(&Progress),
    cancel: &CancelToken,
) -> Result<ImportReport> {
    let started = Instant::now();
    let mut timings = Timings::default();
    let table = table_name(req);
    let exists = req.into.exists();
    if exists {
        // Fail fast, before reading the whole file.
        let conn = open_existing(&req.into)?;
        if table_exists(&conn, &table)? && !req.replace {
            return Err(Error::TableExists(table));
        }
    }
    let dialect = reader::detect(&req.file, req.format, &req.csv)?;
    let mut tracker = Tracker::new(progress, dialect.total_bytes);

    // Pass 1: the whole file, for types and bad values.
    tracker.phase(Phase::Scanning);
    let scan = scan(&req.file, &dialect, &mut tracker, cancel)?;
    timings.scan = started.elapsed().as_secs_f64();
    let plan = plan_columns(req, &scan)?;
    let bad_total: u64 = plan.iter().map(|c| c.bad_count).sum();
    if bad_total > 0 && req.on_error == OnError::Abort {
        let mut first: Vec<BadValue> = plan.iter().flat_map(|c| c.bad_first.clone()).collect();
        first.sort_by_key(|b| (b.line, b.column));
        return Err(Error::BadValues {
            path: req.file.clone(),
            bad: Box::new(BadValues {
                total: bad_total,
                first,
            }),
        });
    }

    // Pass 2: into a temporary file (new data source) or one transaction (existing one).
    let target = if exists {
        req.into.clone()
    } else {
        temp_path(&req.into)
    };
    if !exists {
        let _ = std::fs::remove_file(&target);
    }
    let result = write(
        req,
        &table,
        &dialect,
        &scan,
        &plan,
        &target,
        exists,
        &mut tracker,
        cancel,
        &mut timings,
    );
    let (key, bad_values, created) = match result {
        Ok(done) => done,
        Err(e) => {
            if !exists {
                let _ = std::fs::remove_file(&target);
            }
            return Err(e);
        }
    };
    if !exists {
        if let Err(source) = std::fs::rename(&target, &req.into) {
            let _ = std::fs::remove_file(&target);
            return Err(Error::Read {
                path: req.into.clone(),
                source,
            });
        }
    }
    let proposals = crate::relate::proposals_for(&req.into, &table).unwrap_or_default();
    timings.total = started.elapsed().as_secs_f64();
    Ok(ImportReport {
        data_source: req.into.clone(),
        table,
        key,
        dialect,
        rows: scan.rows,
        bytes: scan.bytes,
        columns: plan
            .iter()
            .map(|c| ImportedColumn {
                name: c.name.clone(),
                header: c.header.clone(),
                ty: c.conversion.ty,
                declared_type: c.conversion.ty.declared().to_string(),
                overridden: c.overridden,
                nulls: c.nulls
                    + if req.on_error == OnError::Null {
                        c.bad_count
                    } else {
                        0
                    },
            })
            .collect(),
        bad_values,
        indexes: created,
        proposals,
        timings,
    })
}

/// Reads the first rows and proposes types from them: what the user sees before importing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Preview {
    pub dialect: Dialect,
    pub table: String,
    pub columns: Vec<PreviewColumn>,
    /// The first rows, as read (`null`: empty or absent).
    pub rows: Vec<Vec<Option<String>>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PreviewColumn {
    pub name: String,
    pub header: String,
    /// Inferred from the previewed rows only; the import infers over the whole file.
    #[serde(rename = "type")]
    pub ty: ColumnType,
}

/// The first `limit` rows of a file with the detected dialect and the types they suggest.
pub fn preview(req: &ImportRequest, limit: usize) -> Result<Preview> {
    let dialect = reader::detect(&req.file, req.format, &req.csv)?;
    let records = Records {
        path: &req.file,
        dialect: &dialect,
    };
    let mut stats: Vec<ColumnStats> = Vec::new();
    let mut rows: Vec<Vec<Option<String>>> = Vec::new();
    let stop = "preview complete";
    let mut see = |line: u64, fields: &dyn Fields, stats: &mut Vec<ColumnStats>| -> Result<()> {
        if rows.len() >= limit {
            return Err(Error::Invalid(stop.into()));
        }
        grow(stats, fields.len(), rows.len() as u64);
        for (i, s) in stats.iter_mut().enumerate() {
            match fields.field(i) {
                Some(v) => s.see(v, line),
                None => s.see_missing(),
            }
        }
        rows.push(
            (0..stats.len())
                .map(|i| {
                    fields
                        .field(i)
                        .filter(|v| !v.is_empty())
                        .map(str::to_string)
                })
                .collect(),
        );
        Ok(())
    };
    let mut headers: Vec<String> = Vec::new();
    let mut csv_header = None;
    let outcome = match dialect.format {
        Format::Csv => records.csv(&mut csv_header, |line, r, _| see(line, r, &mut stats)),
        Format::Ndjson => records.ndjson(&mut headers, true, |line, r, _| see(line, r, &mut stats)),
    };
    match outcome {
        Ok(()) => {}
        Err(Error::Invalid(m)) if m == stop => {}
        Err(e) => return Err(e),
    }
    if let Some(h) = csv_header {
        headers = h;
    }
    let width = stats.len().max(headers.len());
    let seen = rows.len() as u64;
    grow(&mut stats, width, seen);
    while headers.len() < width {
        headers.push(String::new());
    }
    let names = names::column_names(&headers);
    let columns = names
        .iter()
        .zip(&headers)
        .zip(stats.iter_mut())
        .map(|((name, header), s)| {
            s.name = name.clone();
            let ty = req
                .types
                .get(name)
                .or_else(|| req.types.get(header))
                .copied()
                .unwrap_or_else(|| s.infer().ty);
            PreviewColumn {
                name: name.clone(),
                header: header.clone(),
                ty,
            }
        })
        .collect();
    Ok(Preview {
        dialect,
        table: table_name(req),
        columns,
        rows,
    })
}

/// Adds the columns first seen now (NULL in the `rows` records before).
fn grow(stats: &mut Vec<ColumnStats>, width: usize, rows: u64) {
    while stats.len() < width {
        let i = stats.len();
        stats.push(ColumnStats::new_after("", i, rows));
    }
}

struct Scan {
    headers: Vec<String>,
    stats: Vec<ColumnStats>,
    rows: u64,
    bytes: u64,
}

fn scan(
    path: &Path,
    dialect: &Dialect,
    tracker: &mut Tracker<'_>,
    cancel: &CancelToken,
) -> Result<Scan> {
    let records = Records { path, dialect };
    let mut stats: Vec<ColumnStats> = Vec::new();
    let mut rows = 0u64;
    let mut last_bytes = 0u64;
    let mut see =
        |line: u64, fields: &dyn Fields, bytes: u64, stats: &mut Vec<ColumnStats>| -> Result<()> {
            grow(stats, fields.len(), rows);
            for (i, s) in stats.iter_mut().enumerate() {
                match fields.field(i) {
                    Some(v) => s.see(v, line),
                    None => s.see_missing(),
                }
            }
            rows += 1;
            last_bytes = bytes;
            #[allow(clippy::manual_is_multiple_of)] // rust-version 1.80
            if rows % CHECK_EVERY == 0 {
                if cancel.is_cancelled() {
                    return Err(Error::Cancelled);
                }
                tracker.tick(rows, bytes);
            }
            Ok(())
        };
    let mut headers = Vec::new();
    match dialect.format {
        Format::Csv => {
            let mut header = None;
            records.csv(&mut header, |line, r, bytes| {
                see(line, r, bytes, &mut stats)
            })?;
            headers = header.unwrap_or_default();
        }
        Format::Ndjson => records.ndjson(&mut headers, true, |line, r, bytes| {
            see(line, r, bytes, &mut stats)
        })?,
    }
    let width = stats.len().max(headers.len());
    grow(&mut stats, width, rows);
    tracker.finish_phase(rows, dialect.total_bytes);
    Ok(Scan {
        headers,
        stats,
        rows,
        bytes: last_bytes.max(dialect.total_bytes),
    })
}

struct PlannedColumn {
    name: String,
    header: String,
    conversion: Conversion,
    overridden: bool,
    nulls: u64,
    not_null: bool,
    is_key: bool,
    few_distinct: Option<usize>,
    bad_count: u64,
    bad_first: Vec<BadValue>,
}

fn plan_columns(req: &ImportRequest, scan: &Scan) -> Result<Vec<PlannedColumn>> {
    let mut headers = scan.headers.clone();
    while headers.len() < scan.stats.len() {
        headers.push(String::new());
    }
    let names = names::column_names(&headers);
    for key in req.types.keys() {
        if !names.contains(key) && !headers.contains(key) {
            return Err(Error::UnknownOverride {
                column: key.clone(),
                known: names.join(", "),
            });
        }
    }
    let mut out = Vec::new();
    for ((name, header), stats) in names.iter().zip(&headers).zip(&scan.stats) {
        let mut stats = stats.clone();
        stats.name = name.clone();
        let declared = req
            .types
            .get(name)
            .or_else(|| req.types.get(header))
            .copied();
        let conversion = match declared {
            Some(ty) => stats.conversion(ty),
            None => stats.infer(),
        };
        let (bad_count, mut bad_first) = stats.bad_values(conversion.ty);
        for b in &mut bad_first {
            b.column_name = name.clone();
        }
        let typed = conversion.ty != ColumnType::Text;
        let nulls = stats.nulls + if typed { stats.null_tokens } else { 0 };
        let not_null = scan.rows > 0 && nulls == 0 && bad_count == 0;
        out.push(PlannedColumn {
            name: name.clone(),
            header: header.clone(),
            conversion,
            overridden: declared.is_some(),
            nulls,
            not_null,
            is_key: false,
            few_distinct: stats.few_distinct(),
            bad_count,
            bad_first,
        });
        let last = out.len() - 1;
        out[last].is_key = name == "id"
            && conversion.ty == ColumnType::Integer
            && not_null
            && stats.strictly_increasing;
    }
    Ok(out)
}

fn temp_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(".import-{}.tmp", std::process::id()));
    path.with_file_name(name)
}

fn open_existing(path: &Path) -> Result<Connection> {
    // Ownership is checked on a connection that creates nothing beside the file: opening a
    // user's WAL-mode file read-write would already create its `-shm`/`-wal` files.
    let check = segment_source::open_read_only_connection(path)?;
    let app: i64 = check.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let tables: i64 = check.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table'",
        [],
        |r| r.get(0),
    )?;
    drop(check);
    if app != APPLICATION_ID && !(app == 0 && tables == 0) {
        return Err(Error::NotOwned(path.to_path_buf()));
    }
    Ok(Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?)
}

fn table_exists(conn: &Connection, table: &str) -> Result<bool> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE type IN ('table', 'view') AND name = ?1 COLLATE NOCASE",
        [table],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

#[allow(clippy::too_many_arguments)]
fn write(
    req: &ImportRequest,
    table: &str,
    dialect: &Dialect,
    scan: &Scan,
    plan: &[PlannedColumn],
    target: &Path,
    exists: bool,
    tracker: &mut Tracker<'_>,
    cancel: &CancelToken,
    timings: &mut Timings,
) -> Result<(String, BadValues, Vec<String>)> {
    let mut conn = if exists {
        let conn = open_existing(target)?;
        conn.execute_batch(&format!(
            "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -{CACHE_KIB}; PRAGMA temp_store = MEMORY; PRAGMA threads = 4;"
        ))?;
        conn
    } else {
        let conn = Connection::open(target)?;
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE; \
             PRAGMA cache_size = -{CACHE_KIB}; PRAGMA temp_store = MEMORY; PRAGMA threads = 4; \
             PRAGMA application_id = {APPLICATION_ID};"
        ))?;
        conn
    };
    let watched = cancel.clone();
    conn.progress_handler(100_000, Some(move || watched.is_cancelled()));
    let interrupted = |e: rusqlite::Error| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::OperationInterrupted) => Error::Cancelled,
        _ => Error::Sqlite(e),
    };
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    if table_exists(&tx, table)? {
        if !req.replace {
            return Err(Error::TableExists(table.to_string()));
        }
        tx.execute_batch(&format!("DROP TABLE {}", quote(table)))?;
    }
    tx.execute_batch(&create_table_sql(table, plan))?;
    let load_started = Instant::now();
    tracker.phase(Phase::Loading);
    let bad = load_rows(&tx, req, table, dialect, scan, plan, tracker, cancel)?;
    timings.load = load_started.elapsed().as_secs_f64();

    let index_started = Instant::now();
    tracker.phase(Phase::Indexing);
    let infos: Vec<ColumnInfo> = plan
        .iter()
        .map(|c| ColumnInfo {
            name: c.name.clone(),
            ty: c.conversion.ty,
            is_key: c.is_key,
            few_distinct: c.few_distinct,
        })
        .collect();
    let mut created = Vec::new();
    for index in indexes::plan(table, &infos) {
        tx.execute_batch(&index.sql()).map_err(interrupted)?;
        created.push(index.describe());
    }
    timings.index = index_started.elapsed().as_secs_f64();
    let analyze_started = Instant::now();
    tracker.phase(Phase::Analyzing);
    // A full ANALYZE: a bounded one (analysis_limit) misjudges the selectivity of the filter
    // column of the related-table index (10,000 rows per event name instead of 1.2 million on
    // the 10M-event benchmark), and the planner then picks worse plans.
    tx.execute_batch(&format!("ANALYZE {}", quote(table)))
        .map_err(interrupted)?;
    if cancel.is_cancelled() {
        return Err(Error::Cancelled);
    }
    tx.commit().map_err(interrupted)?;
    timings.analyze = analyze_started.elapsed().as_secs_f64();
    conn.progress_handler(0, None::<fn() -> bool>);
    conn.close().map_err(|(_, e)| Error::Sqlite(e))?;
    let key = plan
        .iter()
        .find(|c| c.is_key)
        .map_or_else(|| "rowid".to_string(), |c| c.name.clone());
    Ok((key, bad, created))
}

fn create_table_sql(table: &str, plan: &[PlannedColumn]) -> String {
    let cols: Vec<String> = plan
        .iter()
        .map(|c| {
            if c.is_key {
                format!("{} INTEGER PRIMARY KEY", quote(&c.name))
            } else {
                format!(
                    "{} {}{}",
                    quote(&c.name),
                    c.conversion.ty.declared(),
                    if c.not_null { " NOT NULL" } else { "" }
                )
            }
        })
        .collect();
    format!(
        "CREATE TABLE {} (\n  {}\n)",
        quote(table),
        cols.join(",\n  ")
    )
}

fn insert_sql(table: &str, columns: usize, rows: usize) -> String {
    let one = format!("({})", vec!["?"; columns].join(","));
    format!(
        "INSERT INTO {} VALUES {}",
        quote(table),
        vec![one; rows].join(",")
    )
}

fn bind(stmt: &mut Statement<'_>, index: usize, cell: &Cell<'_>) -> rusqlite::Result<()> {
    match cell {
        Cell::Null => stmt.raw_bind_parameter(index, rusqlite::types::Null),
        Cell::Integer(i) => stmt.raw_bind_parameter(index, i),
        Cell::Real(f) => stmt.raw_bind_parameter(index, f),
        Cell::Text(s) => stmt.raw_bind_parameter(index, s),
        Cell::Date(d) => stmt.raw_bind_parameter(index, String::from_utf8_lossy(d).as_ref()),
    }
}

#[allow(clippy::too_many_arguments)]
fn load_rows(
    conn: &Connection,
    req: &ImportRequest,
    table: &str,
    dialect: &Dialect,
    scan: &Scan,
    plan: &[PlannedColumn],
    tracker: &mut Tracker<'_>,
    cancel: &CancelToken,
) -> Result<BadValues> {
    let width = plan.len();
    let batch = (MAX_PARAMS / width.max(1)).clamp(1, MAX_BATCH_ROWS);
    let full_rows = scan.rows - scan.rows % batch as u64;
    let mut big = conn.prepare(&insert_sql(table, width, batch))?;
    let rest = (scan.rows % batch as u64) as usize;
    let mut small = if rest > 0 {
        Some(conn.prepare(&insert_sql(table, width, rest))?)
    } else {
        None
    };
    let conversions: Vec<Conversion> = plan.iter().map(|c| c.conversion).collect();
    let mut bad = BadValues::default();
    let mut rows = 0u64;
    let mut in_batch = 0usize;
    let changed = |line: u64| Error::Malformed {
        path: req.file.clone(),
        line,
        message: "the file changed while it was imported".into(),
    };
    let mut put = |line: u64, fields: &dyn Fields, bytes: u64| -> Result<()> {
        if rows >= scan.rows {
            return Err(changed(line));
        }
        let stmt = if rows < full_rows {
            &mut big
        } else {
            small.as_mut().ok_or_else(|| changed(line))?
        };
        let base = in_batch * width;
        for (i, conversion) in conversions.iter().enumerate() {
            let raw = fields.field(i).unwrap_or("");
            let cell = match conversion.convert(raw) {
                Ok(cell) => cell,
                Err(_) => {
                    if req.on_error == OnError::Abort {
                        return Err(changed(line));
                    }
                    bad.total += 1;
                    if bad.first.len() < MAX_REPORTED_BAD {
                        bad.first.push(BadValue {
                            line,
                            column: i + 1,
                            column_name: plan[i].name.clone(),
                            value: raw.chars().take(80).collect(),
                            expected: conversion.ty,
                        });
                    }
                    Cell::Null
                }
            };
            bind(stmt, base + i + 1, &cell)?;
        }
        rows += 1;
        in_batch += 1;
        let size = if rows <= full_rows { batch } else { rest };
        if in_batch == size {
            stmt.raw_execute()?;
            in_batch = 0;
        }
        #[allow(clippy::manual_is_multiple_of)] // rust-version 1.80
        if rows % CHECK_EVERY == 0 {
            if cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            tracker.tick(rows, bytes);
        }
        Ok(())
    };
    let records = Records {
        path: &req.file,
        dialect,
    };
    match dialect.format {
        Format::Csv => {
            records.csv(&mut None, |line, r, bytes| put(line, r, bytes))?;
        }
        Format::Ndjson => {
            let mut columns = scan.headers.clone();
            records.ndjson(&mut columns, false, |line, r, bytes| put(line, r, bytes))?;
        }
    }
    if rows != scan.rows || in_batch != 0 {
        return Err(changed(0));
    }
    tracker.finish_phase(rows, dialect.total_bytes);
    Ok(bad)
}
