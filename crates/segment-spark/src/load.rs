//! A local SQLite data file copied into a Spark database as Parquet tables with native types
//! (dates as `DATE`, times as `TIMESTAMP`, 0/1 as `BOOLEAN`; JSON arrays stay JSON text): for
//! the tests that compare Spark with the engine, the benchmark, and trying the app on a local
//! server. Rows travel as newline-delimited JSON through `staging`, a folder the server reads
//! (so the server runs on this machine). It writes, so it never runs on a count's session.

use std::io::Write;
use std::path::Path;

use rusqlite::types::Value as SqliteValue;
use segment_model::{Entity, Storage};
use serde_json::Value;

use crate::client::SparkClient;
use crate::error::{Error, Result};
use crate::introspect::quote;

/// Copies every table of the SQLite file at `path` into the Spark database `database`
/// (created; its tables of the same names replaced). Returns the rows copied.
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
    client.query("SET spark.sql.session.timeZone = UTC", &[])?;
    client.query(
        &format!("CREATE DATABASE IF NOT EXISTS {}", quote(database)),
        &[],
    )?;
    let mut rows = 0;
    for entity in &schema.entities {
        let file = staging.join(format!("{}.json", entity.name));
        rows += write_ndjson(&conn, entity, &file).map_err(|e| failed(&e))?;
        let view = format!("staging_{}", entity.name);
        let columns: Vec<String> = entity
            .columns
            .iter()
            .map(|c| format!("{} {}", quote(&c.name), staged_type(c.storage)))
            .collect();
        client.query(
            &format!(
                "CREATE OR REPLACE TEMPORARY VIEW {} ({}) USING json OPTIONS (path {})",
                quote(&view),
                columns.join(", "),
                string_literal(&file.display().to_string())
            ),
            &[],
        )?;
        let table = format!("{}.{}", quote(database), quote(&entity.name));
        let select: Vec<String> = entity
            .columns
            .iter()
            .map(|c| {
                format!(
                    "{} AS {}",
                    native(&quote(&c.name), c.storage),
                    quote(&c.name)
                )
            })
            .collect();
        client.query(&format!("DROP TABLE IF EXISTS {table}"), &[])?;
        client.query(
            &format!(
                "CREATE TABLE {table} USING parquet AS SELECT {} FROM {}",
                select.join(", "),
                quote(&view)
            ),
            &[],
        )?;
        client.query(&format!("DROP VIEW IF EXISTS {}", quote(&view)), &[])?;
        let _ = std::fs::remove_file(&file);
    }
    Ok(rows)
}

/// The type a column is read as from the JSON file.
fn staged_type(storage: Storage) -> &'static str {
    match storage {
        Storage::Integer | Storage::Boolean | Storage::UnixSeconds | Storage::UnixMillis => {
            "BIGINT"
        }
        Storage::Real => "DOUBLE",
        Storage::Text
        | Storage::IsoDate
        | Storage::IsoDateTime
        | Storage::IsoDateTimeSpace
        | Storage::JsonArray => "STRING",
    }
}

/// The staged column as the native Spark value of what it stores.
fn native(column: &str, storage: Storage) -> String {
    match storage {
        Storage::Boolean => format!("CAST({column} AS BOOLEAN)"),
        Storage::UnixSeconds => format!("timestamp_seconds({column})"),
        Storage::UnixMillis => format!("timestamp_millis({column})"),
        Storage::IsoDate => format!("CAST({column} AS DATE)"),
        Storage::IsoDateTime | Storage::IsoDateTimeSpace => format!("CAST({column} AS TIMESTAMP)"),
        Storage::Integer | Storage::Real | Storage::Text | Storage::JsonArray => column.to_string(),
    }
}

fn string_literal(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// Every row of `entity` as one JSON object per line; returns how many.
fn write_ndjson(conn: &rusqlite::Connection, entity: &Entity, file: &Path) -> std::io::Result<u64> {
    let io = |e: rusqlite::Error| std::io::Error::other(e.to_string());
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
    let mut stmt = conn.prepare(&sql).map_err(io)?;
    let mut rows = stmt.query([]).map_err(io)?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(file)?);
    let mut n = 0;
    while let Some(row) = rows.next().map_err(io)? {
        let mut object = serde_json::Map::new();
        for (i, column) in entity.columns.iter().enumerate() {
            let value: SqliteValue = row.get(i).map_err(io)?;
            object.insert(column.name.clone(), json(value, column.storage));
        }
        serde_json::to_writer(&mut out, &Value::Object(object))?;
        out.write_all(b"\n")?;
        n += 1;
    }
    out.flush()?;
    Ok(n)
}

/// A stored value as JSON of the staged type (text columns always as strings).
fn json(value: SqliteValue, storage: Storage) -> Value {
    let textual = matches!(staged_type(storage), "STRING");
    match value {
        SqliteValue::Null | SqliteValue::Blob(_) => Value::Null,
        SqliteValue::Integer(i) if textual => Value::String(i.to_string()),
        SqliteValue::Integer(i) => Value::from(i),
        SqliteValue::Real(f) if textual => Value::String(f.to_string()),
        SqliteValue::Real(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        SqliteValue::Text(s) => Value::String(s),
    }
}
