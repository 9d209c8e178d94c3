//! A local SQLite data file copied into a PostgreSQL schema with native types (dates and times
//! as `timestamptz`/`date`, 0/1 as `boolean`, JSON arrays as `jsonb`), its keys and foreign
//! keys declared: for the tests that compare PostgreSQL with the engine, the benchmark, and
//! trying the app on a server. It writes, so it is never used on a connection a count uses.

use std::path::Path;

use chrono::DateTime;
use futures_util::SinkExt;
use rusqlite::types::Value as SqliteValue;
use segment_model::{Cardinality, Entity, Schema, Storage};

use crate::connect::{config, runtime, Settings};
use crate::error::{Error, Result};
use crate::introspect::quote;

/// Copies every table of the SQLite file at `path` into the schema `settings.schema`
/// (created, or emptied first when `replace`). Returns the rows copied.
pub fn copy_sqlite(path: &Path, settings: &Settings, replace: bool) -> Result<u64> {
    let failed = |e: &dyn std::fmt::Display| Error::Query {
        server: "(local)".into(),
        message: format!("cannot read {}: {e}", path.display()),
    };
    let source = segment_source::DataSource::open_read_only(path).map_err(|e| failed(&e))?;
    let schema = source.schema().clone();
    let conn = segment_source::open_read_only_connection(path).map_err(|e| failed(&e))?;
    let (config, target, tls_settings) = config(settings)?;
    let tls = crate::tls::connector(&tls_settings)?;
    let name = settings.schema.clone().unwrap_or_else(|| "public".into());
    let rt = runtime()?;
    rt.block_on(async {
        let client = crate::connect::open(&config, tls, &target, 0).await?;
        let ddl = create_statements(&schema, &name, replace);
        client
            .batch_execute(&ddl)
            .await
            .map_err(|e| target.error(e, 0))?;
        let mut rows = 0;
        for entity in &schema.entities {
            let copy = format!(
                "COPY {}.{} ({}) FROM STDIN",
                quote(&name),
                quote(&entity.name),
                entity
                    .columns
                    .iter()
                    .map(|c| quote(&c.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let sink = client
                .copy_in(&copy)
                .await
                .map_err(|e| target.error(e, 0))?;
            futures_util::pin_mut!(sink);
            // The rows go in pieces of about CHUNK bytes as they are read: one COPY message
            // holds at most 2 GiB (the events of 10M profiles are several times that), and the
            // whole table is never held in memory.
            let columns: Vec<String> = entity.columns.iter().map(|c| quote(&c.name)).collect();
            let mut stmt = conn
                .prepare(&format!(
                    "SELECT {} FROM {}",
                    columns.join(", "),
                    quote(&entity.name)
                ))
                .map_err(|e| failed(&e))?;
            let mut selected = stmt.query([]).map_err(|e| failed(&e))?;
            let mut out = String::new();
            while let Some(row) = selected.next().map_err(|e| failed(&e))? {
                copy_row(&mut out, row, entity).map_err(|e| failed(&e))?;
                rows += 1;
                if out.len() >= CHUNK {
                    sink.send(bytes_of(std::mem::take(&mut out)))
                        .await
                        .map_err(|e| target.error(e, 0))?;
                }
            }
            if !out.is_empty() {
                sink.send(bytes_of(out))
                    .await
                    .map_err(|e| target.error(e, 0))?;
            }
            sink.finish().await.map_err(|e| target.error(e, 0))?;
        }
        client
            .batch_execute(&foreign_keys(&schema, &name))
            .await
            .map_err(|e| target.error(e, 0))?;
        client
            .batch_execute("ANALYZE")
            .await
            .map_err(|e| target.error(e, 0))?;
        Ok(rows)
    })
}

/// The size of one COPY message while copying (well under the protocol's 2 GiB).
const CHUNK: usize = 8 << 20;

fn bytes_of(text: String) -> std::io::Cursor<Vec<u8>> {
    std::io::Cursor::new(text.into_bytes())
}

fn pg_type(storage: Storage) -> &'static str {
    match storage {
        Storage::Text => "text",
        Storage::Integer => "bigint",
        Storage::Real => "double precision",
        Storage::Boolean => "boolean",
        Storage::IsoDate => "date",
        Storage::UnixSeconds
        | Storage::UnixMillis
        | Storage::IsoDateTime
        | Storage::IsoDateTimeSpace => "timestamptz",
        Storage::JsonArray => "jsonb",
    }
}

fn create_statements(schema: &Schema, name: &str, replace: bool) -> String {
    let mut ddl = String::from("SET TIME ZONE 'UTC';\n");
    if replace {
        ddl.push_str(&format!("DROP SCHEMA IF EXISTS {} CASCADE;\n", quote(name)));
    }
    ddl.push_str(&format!("CREATE SCHEMA IF NOT EXISTS {};\n", quote(name)));
    for entity in &schema.entities {
        let columns: Vec<String> = entity
            .columns
            .iter()
            .map(|c| {
                let key = if c.name == entity.key {
                    " PRIMARY KEY"
                } else {
                    ""
                };
                format!("{} {}{key}", quote(&c.name), pg_type(c.storage))
            })
            .collect();
        ddl.push_str(&format!(
            "CREATE TABLE {}.{} ({});\n",
            quote(name),
            quote(&entity.name),
            columns.join(", ")
        ));
    }
    ddl
}

/// Declared after the data, with the indexes the generated counts want on the foreign keys.
fn foreign_keys(schema: &Schema, name: &str) -> String {
    let mut ddl = String::new();
    for r in &schema.relationships {
        if r.cardinality != Cardinality::ManyToOne {
            continue;
        }
        ddl.push_str(&format!(
            "ALTER TABLE {s}.{child} ADD FOREIGN KEY ({fk}) REFERENCES {s}.{parent} ({pk});\n\
             CREATE INDEX ON {s}.{child} ({fk});\n",
            s = quote(name),
            child = quote(&r.from_entity),
            fk = quote(&r.from_column),
            parent = quote(&r.to_entity),
            pk = quote(&r.to_column),
        ));
    }
    ddl
}

/// One row in COPY's text format, appended to `out`.
fn copy_row(out: &mut String, row: &rusqlite::Row<'_>, entity: &Entity) -> rusqlite::Result<()> {
    for (i, column) in entity.columns.iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        out.push_str(&copy_field(row.get::<_, SqliteValue>(i)?, column.storage));
    }
    out.push('\n');
    Ok(())
}

fn copy_field(value: SqliteValue, storage: Storage) -> String {
    let text = match (value, storage) {
        (SqliteValue::Null, _) => return "\\N".into(),
        (SqliteValue::Integer(i), Storage::Boolean) => (if i != 0 { "t" } else { "f" }).into(),
        (SqliteValue::Integer(i), Storage::UnixSeconds) => match DateTime::from_timestamp(i, 0) {
            Some(t) => t.to_rfc3339(),
            None => return "\\N".into(),
        },
        (SqliteValue::Integer(i), Storage::UnixMillis) => {
            match DateTime::from_timestamp_millis(i) {
                Some(t) => t.to_rfc3339(),
                None => return "\\N".into(),
            }
        }
        (SqliteValue::Integer(i), _) => i.to_string(),
        (SqliteValue::Real(f), _) => format!("{f:?}"),
        (SqliteValue::Text(s), _) => s.replace('\0', ""),
        (SqliteValue::Blob(_), _) => return "\\N".into(),
    };
    text.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}
