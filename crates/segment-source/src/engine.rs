//! Loads a data source into the count engine's columnar memory: every entity, ordered by key,
//! each column decoded once by its storage (ISO dates and Unix milliseconds to Unix seconds, JSON
//! arrays to items).
//! Values the engine could not judge exactly as SQL does (text in a number column, dates that do
//! not parse) make the load fail with the column named, and counting stays on SQL.

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use segment_engine::column::{
    ArrayBuilder, ArrayItem, ColumnData, NumberBuilder, TextBuilder, TimeBuilder,
};
use segment_engine::explain::Key;
use segment_engine::num::Num;
use segment_engine::{Dataset, Error, Result, Table};
use segment_model::schema::{Cardinality, Column, Entity, Storage};
use segment_model::time::parse_moment;

use crate::load_progress::LoadProgress;
use crate::DataSource;

/// Environment variable capping the engine's memory, in bytes (default: half the memory
/// available when loading).
pub const MEMORY_BUDGET_VAR: &str = "SEGMENT_ENGINE_MAX_BYTES";

/// Bytes the engine may use for one data source.
pub fn memory_budget() -> u64 {
    if let Some(bytes) = std::env::var(MEMORY_BUDGET_VAR)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        return bytes;
    }
    let available_kib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("MemAvailable:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kib| kib.parse::<u64>().ok())
        });
    // Without /proc (other platforms), assume 4 GiB available.
    available_kib.map_or(2 << 30, |kib| kib * 1024 / 2)
}

/// An estimate of the bytes the engine needs for `source`: per record and column 8 bytes for
/// numbers and times, 4 for text and array codes, plus validity bits, dictionaries, joins and
/// indexes (about 8 bytes per record of a related table), and per one-to-many relationship
/// with a time column 8 bytes per related record (its runs by join group,
/// `segment_engine::group_runs`).
pub fn estimate_bytes(source: &DataSource) -> Result<u64> {
    Ok(estimate_bytes_and_rows(source)?.0)
}

/// [`estimate_bytes`] and the number of rows it counted.
fn estimate_bytes_and_rows(source: &DataSource) -> Result<(u64, u64)> {
    let mut bytes = 0u64;
    let mut total_rows = 0u64;
    for entity in &source.schema().entities {
        let rows = source
            .total(&entity.name)
            .map_err(|e| Error::Load(e.to_string()))?;
        let per_row: u64 = entity
            .columns
            .iter()
            .map(|c| match c.storage {
                Storage::Integer
                | Storage::Real
                | Storage::Boolean
                | Storage::UnixSeconds
                | Storage::UnixMillis
                | Storage::IsoDate
                | Storage::IsoDateTime
                | Storage::IsoDateTimeSpace => 8,
                // Codes, and dictionaries of values that are often all distinct (e-mails).
                Storage::Text => 20,
                Storage::JsonArray => 16,
            })
            .sum::<u64>()
            + 16;
        bytes += rows * per_row;
        total_rows += rows;
    }
    for rel in &source.schema().relationships {
        if rel.cardinality == Cardinality::OneToMany && rel.time_column.is_some() {
            let related = source
                .total(&rel.to_entity)
                .map_err(|e| Error::Load(e.to_string()))?;
            bytes += related * 8;
        }
    }
    Ok((bytes, total_rows))
}

/// Loads every entity of `source` into memory, unless it would exceed [`memory_budget`]: then
/// an [`Error::Unsupported`] says so and callers count with SQL.
pub fn load_dataset(source: &DataSource) -> Result<Dataset> {
    load_dataset_with(source, source.schema())
}

/// [`load_dataset`] with another schema of the same file, e.g. with the relationships a sidecar
/// adds (the joins are built from `schema`).
pub fn load_dataset_with(source: &DataSource, schema: &segment_model::Schema) -> Result<Dataset> {
    load_dataset_reporting(source, schema, &LoadProgress::new())
}

/// [`load_dataset_with`], counting the rows and tables read in `progress` as it goes.
pub fn load_dataset_reporting(
    source: &DataSource,
    schema: &segment_model::Schema,
    progress: &LoadProgress,
) -> Result<Dataset> {
    load_dataset_within(source, schema, progress, memory_budget())
}

/// [`load_dataset_reporting`] with the budget given (e.g. [`memory_budget`] read once by the
/// caller, or one a test injects): refused when [`estimate_bytes`] exceeds `budget`.
pub fn load_dataset_within(
    source: &DataSource,
    schema: &segment_model::Schema,
    progress: &LoadProgress,
    budget: u64,
) -> Result<Dataset> {
    let (needed, rows) = estimate_bytes_and_rows(source)?;
    progress.planned(schema.entities.len() as u64, rows);
    if needed > budget {
        return Err(Error::Unsupported(format!(
            "data this large in memory (about {:.1} GiB needed, {:.1} GiB allowed; set {MEMORY_BUDGET_VAR} to change)",
            needed as f64 / f64::from(1u32 << 30),
            budget as f64 / f64::from(1u32 << 30)
        )));
    }
    // Tables load in parallel, each on its own read-only connection to the same file.
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .max(1);
    let path = source.path();
    let mut entities: Vec<&Entity> = schema.entities.iter().collect();
    entities.sort_by_key(|e| std::cmp::Reverse(e.columns.len()));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<Result<Vec<Table>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers.min(entities.len().max(1)))
            .map(|_| {
                scope.spawn(|| {
                    let conn = Connection::open_with_flags(
                        path,
                        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                    )
                    .map_err(|e| Error::Load(format!("opening {}: {e}", path.display())))?;
                    let _ = conn.execute_batch(
                        "PRAGMA mmap_size = 4294967296; PRAGMA cache_size = -65536;",
                    );
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(entity) = entities.get(i) else { break };
                        mine.push(load_table(&conn, entity, progress)?);
                        progress.table_read();
                    }
                    Ok(mine)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Error::Load("a loading thread failed".to_string())))
            })
            .collect()
    });
    let mut tables = Vec::with_capacity(schema.entities.len());
    for result in results {
        tables.extend(result?);
    }
    Dataset::new(tables, schema)
}

fn sql_error(entity: &Entity, err: rusqlite::Error) -> Error {
    Error::Load(format!("reading {}: {err}", entity.name))
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A column being read, straight into its final form (no intermediate `Option` per value).
enum Builder {
    Number(NumberBuilder),
    Time(TimeBuilder),
    Text(TextBuilder),
    Array(ArrayBuilder),
}

impl Builder {
    fn for_column(column: &Column, entity: &Entity) -> Builder {
        match column.storage {
            Storage::Integer | Storage::Real | Storage::Boolean => Builder::Number(
                NumberBuilder::new(&format!("{}.{}", entity.name, column.name)),
            ),
            Storage::UnixSeconds
            | Storage::UnixMillis
            | Storage::IsoDate
            | Storage::IsoDateTime
            | Storage::IsoDateTimeSpace => Builder::Time(TimeBuilder::default()),
            Storage::Text => Builder::Text(TextBuilder::default()),
            Storage::JsonArray => Builder::Array(ArrayBuilder::default()),
        }
    }

    fn push(&mut self, value: ValueRef<'_>, column: &Column, entity: &Entity) -> Result<()> {
        let bad = |what: &str| {
            Error::Unsupported(format!("{}.{} holds {what}", entity.name, column.name))
        };
        match self {
            Builder::Number(values) => values.push(match value {
                ValueRef::Null => None,
                // Integers stay integers: ids beyond 2^53 are distinct only as i64.
                ValueRef::Integer(i) => Some(Num::Int(i)),
                ValueRef::Real(f) => Some(Num::Real(f)),
                ValueRef::Text(_) | ValueRef::Blob(_) => {
                    return Err(bad("values that are not numbers"))
                }
            })?,
            Builder::Time(values) => values.push(match value {
                ValueRef::Null => None,
                ValueRef::Integer(i) if column.storage == Storage::UnixSeconds => Some(i),
                // Milliseconds stand for their whole second, as in SQL.
                ValueRef::Integer(i) if column.storage == Storage::UnixMillis => {
                    Some(i.div_euclid(1000))
                }
                ValueRef::Text(bytes)
                    if !matches!(column.storage, Storage::UnixSeconds | Storage::UnixMillis) =>
                {
                    let text =
                        std::str::from_utf8(bytes).map_err(|_| bad("text that is not UTF-8"))?;
                    Some(
                        parse_moment(text)
                            .ok_or_else(|| bad(&format!("“{text}”, which is not a date")))?
                            .start()
                            .timestamp(),
                    )
                }
                _ => return Err(bad("values that do not match its date format")),
            }),
            Builder::Text(builder) => match value {
                ValueRef::Null => builder.push(None),
                ValueRef::Text(bytes) => builder.push(Some(
                    std::str::from_utf8(bytes).map_err(|_| bad("text that is not UTF-8"))?,
                )),
                ValueRef::Integer(_) | ValueRef::Real(_) | ValueRef::Blob(_) => {
                    return Err(bad("values that are not text"))
                }
            },
            Builder::Array(builder) => match value {
                ValueRef::Null => builder.push(None),
                ValueRef::Text(bytes) => {
                    let parsed: serde_json::Value =
                        serde_json::from_slice(bytes).map_err(|_| bad("text that is not JSON"))?;
                    let serde_json::Value::Array(items) = parsed else {
                        return Err(bad("JSON that is not an array"));
                    };
                    builder.push(Some(items.into_iter().map(array_item).collect()));
                }
                ValueRef::Integer(_) | ValueRef::Real(_) | ValueRef::Blob(_) => {
                    return Err(bad("values that are not JSON arrays"))
                }
            },
        }
        Ok(())
    }

    fn finish(self) -> ColumnData {
        match self {
            Builder::Number(builder) => builder.finish(),
            Builder::Time(builder) => builder.finish(),
            Builder::Text(builder) => builder.finish(),
            Builder::Array(builder) => builder.finish(),
        }
    }
}

/// An array element as SQLite's `json_each` yields it.
fn array_item(value: serde_json::Value) -> ArrayItem {
    match value {
        serde_json::Value::String(s) => ArrayItem::Text(s),
        // SQLite reads a JSON integer that fits 64 bits as an INTEGER, others as REAL.
        serde_json::Value::Number(n) => n
            .as_i64()
            .map(ArrayItem::Integer)
            .or_else(|| n.as_f64().map(ArrayItem::Number))
            .unwrap_or(ArrayItem::Other),
        serde_json::Value::Bool(b) => ArrayItem::Integer(i64::from(b)),
        serde_json::Value::Null | serde_json::Value::Array(_) | serde_json::Value::Object(_) => {
            ArrayItem::Other
        }
    }
}

/// Rows read between two updates of the shared progress counters.
const PROGRESS_STEP: usize = 1 << 16;

fn load_table(conn: &Connection, entity: &Entity, progress: &LoadProgress) -> Result<Table> {
    let columns: Vec<String> = entity.columns.iter().map(|c| quote(&c.name)).collect();
    let key = quote(&entity.key);
    let sql = format!(
        "SELECT {} FROM {} ORDER BY {key}",
        columns.join(", "),
        quote(&entity.name)
    );
    let mut stmt = conn.prepare(&sql).map_err(|e| sql_error(entity, e))?;
    let mut builders: Vec<Builder> = entity
        .columns
        .iter()
        .map(|c| Builder::for_column(c, entity))
        .collect();
    let mut rows = stmt.query([]).map_err(|e| sql_error(entity, e))?;
    let mut len = 0usize;
    while let Some(row) = rows.next().map_err(|e| sql_error(entity, e))? {
        for (i, builder) in builders.iter_mut().enumerate() {
            let value = row.get_ref(i).map_err(|e| sql_error(entity, e))?;
            builder.push(value, &entity.columns[i], entity)?;
        }
        len += 1;
        if len % PROGRESS_STEP == 0 {
            progress.rows_read(PROGRESS_STEP as u64);
        }
    }
    progress.rows_read((len % PROGRESS_STEP) as u64);
    let mut table = Table::new(&entity.name, len);
    for (column, builder) in entity.columns.iter().zip(builders) {
        table.add(&column.name, builder.finish())?;
    }
    Ok(table)
}

/// An engine key as the SQLite value that finds its record (e.g. for the SQL-side key lists).
pub fn key_value(key: impl Into<Key>) -> rusqlite::types::Value {
    match key.into() {
        Key::Int(i) => rusqlite::types::Value::Integer(i),
        // A whole double binds as the integer it equals, so an INTEGER key finds its row.
        Key::Real(f) => match segment_engine::column::exact_integer(f) {
            Some(i) => rusqlite::types::Value::Integer(i),
            None => rusqlite::types::Value::Real(f),
        },
        Key::Text(s) => rusqlite::types::Value::Text(s),
    }
}

/// The records of `entity` with the given key values (exact [`Key`]s, as samples give them; a
/// plain `f64` is accepted too), as JSON objects in the keys' order (`null` for a key not
/// found).
pub fn records_by_key<K: Into<Key>>(
    source: &DataSource,
    entity: &str,
    key: &str,
    keys: impl IntoIterator<Item = K>,
) -> crate::Result<Vec<serde_json::Value>> {
    let sql = format!("SELECT * FROM {} WHERE {} = ?1", quote(entity), quote(key));
    let conn = source.connection();
    let mut stmt = conn
        .prepare_cached(&sql)
        .map_err(crate::Error::from_query)?;
    let names: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
    let mut out = Vec::new();
    for k in keys {
        let bound = key_value(k);
        let mut rows = stmt.query([bound]).map_err(crate::Error::from_query)?;
        let record = match rows.next().map_err(crate::Error::from_query)? {
            None => serde_json::Value::Null,
            Some(row) => {
                let mut map = serde_json::Map::new();
                for (i, name) in names.iter().enumerate() {
                    let value = match row.get_ref(i).map_err(crate::Error::from_query)? {
                        ValueRef::Null => serde_json::Value::Null,
                        ValueRef::Integer(v) => serde_json::Value::from(v),
                        ValueRef::Real(v) => serde_json::Value::from(v),
                        ValueRef::Text(t) => {
                            serde_json::Value::String(String::from_utf8_lossy(t).into_owned())
                        }
                        ValueRef::Blob(b) => {
                            serde_json::Value::String(format!("<{} bytes>", b.len()))
                        }
                    };
                    map.insert(name.clone(), value);
                }
                serde_json::Value::Object(map)
            }
        };
        out.push(record);
    }
    Ok(out)
}
