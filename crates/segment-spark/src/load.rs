//! A local SQLite data file copied into a Spark database as Parquet tables with native types
//! (dates as `DATE`, times as `TIMESTAMP`, 0/1 as `BOOLEAN`; JSON arrays stay JSON text): for
//! the tests that compare Spark with the engine, the benchmark, and trying the app on a local
//! server. The Parquet files are written here, one folder per table under `staging` (a folder
//! the server reads, so the server runs on this machine), and the tables are attached to them
//! (`CREATE TABLE … USING parquet LOCATION …`): Spark reads them where they are, nothing is
//! copied again, so `staging` must be kept as long as the tables are used. It writes, so it
//! never runs on a count's session.

use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use rusqlite::types::ValueRef;
use segment_model::time::{parse_moment, Moment};
use segment_model::{Entity, Storage};

use crate::client::SparkClient;
use crate::error::{Error, Result};
use crate::introspect::quote;

/// Rows per Arrow batch handed to the Parquet writer.
const BATCH_ROWS: usize = 64 * 1024;

/// Copies every table of the SQLite file at `path` into the Spark database `database`
/// (created; its tables of the same names replaced) as Parquet files under
/// `staging/<table>/`, which the tables then read. Returns the rows copied.
pub fn copy_sqlite(
    path: &Path,
    client: &SparkClient,
    database: &str,
    staging: &Path,
) -> Result<u64> {
    let failed =
        |e: &dyn std::fmt::Display| Error::Answer(format!("cannot copy {}: {e}", path.display()));
    let source = segment_source::DataSource::open_read_only(path).map_err(|e| failed(&e))?;
    let schema = source.schema().clone();
    let conn = segment_source::open_read_only_connection(path).map_err(|e| failed(&e))?;
    let staging = std::path::absolute(staging).map_err(|e| failed(&e))?;
    client.query("SET spark.sql.session.timeZone = UTC", &[])?;
    client.query(
        &format!("CREATE DATABASE IF NOT EXISTS {}", quote(database)),
        &[],
    )?;
    let mut rows = 0;
    for entity in &schema.entities {
        let table = format!("{}.{}", quote(database), quote(&entity.name));
        // Dropped before the files are written: a managed table of that name may own the folder.
        client.query(&format!("DROP TABLE IF EXISTS {table}"), &[])?;
        let folder = staging.join(&entity.name);
        if folder.exists() {
            std::fs::remove_dir_all(&folder).map_err(|e| failed(&e))?;
        }
        std::fs::create_dir_all(&folder).map_err(|e| failed(&e))?;
        rows += write_parquet(&conn, entity, &folder.join("part-00000.snappy.parquet"))
            .map_err(|e| failed(&e))?;
        client.query(
            &format!(
                "CREATE TABLE {table} USING parquet LOCATION {}",
                string_literal(&folder.display().to_string())
            ),
            &[],
        )?;
    }
    Ok(rows)
}

fn string_literal(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// The Arrow (and so Parquet, and so Spark) type of a stored column: `TIMESTAMP` is UTC
/// microseconds (Parquet `isAdjustedToUTC`, which Spark reads as `TIMESTAMP`, not `_NTZ`).
fn arrow_type(storage: Storage) -> DataType {
    match storage {
        Storage::Integer => DataType::Int64,
        Storage::Real => DataType::Float64,
        Storage::Boolean => DataType::Boolean,
        Storage::UnixSeconds
        | Storage::UnixMillis
        | Storage::IsoDateTime
        | Storage::IsoDateTimeSpace => {
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
        }
        Storage::IsoDate => DataType::Date32,
        Storage::Text | Storage::JsonArray => DataType::Utf8,
    }
}

/// One column's values of the batch being built, in its native type.
enum Builder {
    Integer(Int64Builder),
    Real(Float64Builder),
    Boolean(BooleanBuilder),
    Time(TimestampMicrosecondBuilder, Storage),
    Date(Date32Builder),
    Text(StringBuilder),
}

impl Builder {
    fn new(storage: Storage) -> Builder {
        match storage {
            Storage::Integer => Builder::Integer(Int64Builder::with_capacity(BATCH_ROWS)),
            Storage::Real => Builder::Real(Float64Builder::with_capacity(BATCH_ROWS)),
            Storage::Boolean => Builder::Boolean(BooleanBuilder::with_capacity(BATCH_ROWS)),
            Storage::UnixSeconds
            | Storage::UnixMillis
            | Storage::IsoDateTime
            | Storage::IsoDateTimeSpace => Builder::Time(
                TimestampMicrosecondBuilder::with_capacity(BATCH_ROWS).with_timezone("UTC"),
                storage,
            ),
            Storage::IsoDate => Builder::Date(Date32Builder::with_capacity(BATCH_ROWS)),
            Storage::Text | Storage::JsonArray => Builder::Text(StringBuilder::new()),
        }
    }

    /// Appends a stored value as Spark read it before from its staged text: a value the column's
    /// type cannot hold (text in a number column, a fractional number in an integer one, text
    /// that is not a date) is NULL.
    fn push(&mut self, value: ValueRef<'_>) {
        match self {
            Builder::Integer(b) => b.append_option(integer(value)),
            Builder::Real(b) => b.append_option(real(value)),
            Builder::Boolean(b) => b.append_option(integer(value).map(|i| i != 0)),
            Builder::Time(b, storage) => b.append_option(micros(value, *storage)),
            Builder::Date(b) => b.append_option(text(value).and_then(days)),
            Builder::Text(b) => match value {
                ValueRef::Text(bytes) => b.append_value(String::from_utf8_lossy(bytes)),
                ValueRef::Integer(i) => b.append_value(i.to_string()),
                ValueRef::Real(f) => b.append_value(f.to_string()),
                ValueRef::Null | ValueRef::Blob(_) => b.append_null(),
            },
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Integer(b) => Arc::new(b.finish()),
            Builder::Real(b) => Arc::new(b.finish()),
            Builder::Boolean(b) => Arc::new(b.finish()),
            Builder::Time(b, _) => Arc::new(b.finish()),
            Builder::Date(b) => Arc::new(b.finish()),
            Builder::Text(b) => Arc::new(b.finish()),
        }
    }
}

fn integer(value: ValueRef<'_>) -> Option<i64> {
    match value {
        ValueRef::Integer(i) => Some(i),
        ValueRef::Real(f) if f.fract() == 0.0 && f.abs() < 9.0e18 => Some(f as i64),
        ValueRef::Text(bytes) => std::str::from_utf8(bytes).ok()?.trim().parse().ok(),
        _ => None,
    }
}

fn real(value: ValueRef<'_>) -> Option<f64> {
    match value {
        ValueRef::Integer(i) => Some(i as f64),
        ValueRef::Real(f) => Some(f),
        ValueRef::Text(bytes) => std::str::from_utf8(bytes).ok()?.trim().parse().ok(),
        _ => None,
    }
}

fn text(value: ValueRef<'_>) -> Option<&str> {
    match value {
        ValueRef::Text(bytes) => std::str::from_utf8(bytes).ok(),
        _ => None,
    }
}

/// A time column's value as UTC microseconds since 1970.
fn micros(value: ValueRef<'_>, storage: Storage) -> Option<i64> {
    match storage {
        Storage::UnixSeconds => integer(value)?.checked_mul(1_000_000),
        Storage::UnixMillis => integer(value)?.checked_mul(1_000),
        _ => Some(parse_moment(text(value)?)?.start().timestamp_micros()),
    }
}

/// A date column's value as days since 1970-01-01 (an instant: its UTC day).
fn days(text: &str) -> Option<i32> {
    let date = match parse_moment(text)? {
        Moment::Date(d) => d,
        Moment::Instant(t) => t.date_naive(),
    };
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?;
    i32::try_from((date - epoch).num_days()).ok()
}

#[derive(Debug, thiserror::Error)]
enum WriteError {
    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{0}")]
    Arrow(#[from] arrow_schema::ArrowError),
    #[error("{0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Every row of `entity` into one Snappy-compressed Parquet file; returns how many.
fn write_parquet(
    conn: &rusqlite::Connection,
    entity: &Entity,
    file: &Path,
) -> std::result::Result<u64, WriteError> {
    let names: Vec<String> = entity
        .columns
        .iter()
        .map(|c| format!("\"{}\"", c.name.replace('"', "\"\"")))
        .collect();
    let sql = format!(
        "SELECT {} FROM \"{}\"",
        names.join(", "),
        entity.name.replace('"', "\"\"")
    );
    let schema = Arc::new(Schema::new(
        entity
            .columns
            .iter()
            .map(|c| Field::new(&c.name, arrow_type(c.storage), true))
            .collect::<Vec<_>>(),
    ));
    let properties = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let out = std::io::BufWriter::new(std::fs::File::create(file)?);
    let mut writer = ArrowWriter::try_new(out, schema.clone(), Some(properties))?;
    let mut builders: Vec<Builder> = entity
        .columns
        .iter()
        .map(|c| Builder::new(c.storage))
        .collect();
    let flush = |builders: &mut Vec<Builder>,
                 writer: &mut ArrowWriter<_>|
     -> std::result::Result<(), WriteError> {
        let columns: Vec<ArrayRef> = builders.iter_mut().map(Builder::finish).collect();
        writer.write(&RecordBatch::try_new(schema.clone(), columns)?)?;
        Ok(())
    };
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    let mut n = 0u64;
    let mut pending = 0;
    while let Some(row) = rows.next()? {
        for (i, builder) in builders.iter_mut().enumerate() {
            builder.push(row.get_ref(i)?);
        }
        n += 1;
        pending += 1;
        if pending == BATCH_ROWS {
            flush(&mut builders, &mut writer)?;
            pending = 0;
        }
    }
    if pending > 0 || n == 0 {
        flush(&mut builders, &mut writer)?;
    }
    let out = writer.into_inner()?;
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(n)
}
