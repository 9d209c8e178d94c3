//! Schema introspection: every table of a SQLite file as an entity with typed columns, and the
//! relationships its foreign keys declare, in both directions.
//!
//! Column types come from the declared type and, where the declaration alone is ambiguous, from
//! a sample of the stored values (see [`SAMPLE_SIZE`]):
//! - `BOOLEAN`/`BOOL` → boolean (0/1 integers);
//! - `DATE`/`DATETIME`/`TIMESTAMP` (any declared type naming a date or time) → datetime when the
//!   non-null sample is all ISO-8601 text of one shape (`YYYY-MM-DD` → [`Storage::IsoDate`],
//!   `YYYY-MM-DDTHH:MM:SS[.fff][Z]` → [`Storage::IsoDateTime`], `YYYY-MM-DD HH:MM:SS[.fff]` →
//!   [`Storage::IsoDateTimeSpace`]) or all integers (Unix seconds, [`Storage::UnixSeconds`]);
//!   with no values at all, `DATE` means ISO dates and the others ISO date-times; anything else
//!   falls back to text (or number, when every value is numeric);
//! - `JSON` → array ([`Storage::JsonArray`]) when every sampled value is a JSON array, else text;
//! - otherwise SQLite's affinity rules: `INT` → number (integer); `CHAR`/`CLOB`/`TEXT` → text;
//!   `REAL`/`FLOA`/`DOUB` → number (real); `NUMERIC`/`DECIMAL`/others → number, real if any
//!   sampled value is; no declared type → decided by the sample (text when unknown);
//!   `BLOB` columns are left out (no operator applies to them).

use rusqlite::types::ValueRef;
use rusqlite::Connection;
use segment_model::{Cardinality, Column, DataType, Entity, Relationship, Schema, Storage};

/// How many non-null values are sampled to decide a column's storage…
pub const SAMPLE_SIZE: usize = 1000;
/// …among at most this many first rows (a mostly-NULL column in a huge table stays quick).
pub const SAMPLE_SCAN_ROWS: usize = 200_000;

/// Time column names preferred for relationship time windows, best first.
const PREFERRED_TIME_COLUMNS: &[&str] =
    &["ts", "timestamp", "occurred_at", "created_at", "placed_at"];

pub(crate) fn introspect(conn: &Connection) -> rusqlite::Result<Schema> {
    let mut entities = Vec::new();
    let mut fks = Vec::new();
    for (table, sql) in tables(conn)? {
        let upper_sql = sql.to_ascii_uppercase();
        if upper_sql.starts_with("CREATE VIRTUAL TABLE") {
            continue;
        }
        let without_rowid = upper_sql.contains("WITHOUT ROWID");
        let Some(entity) = entity(conn, &table, without_rowid)? else {
            continue;
        };
        fks.extend(foreign_keys(conn, &table)?);
        entities.push(entity);
    }
    let relationships = relationships(&entities, &fks);
    Ok(Schema {
        entities,
        relationships,
    })
}

/// User tables in creation order (SQLite internals skipped).
fn tables(conn: &Connection) -> rusqlite::Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare(
        "SELECT name, coalesce(sql, '') FROM sqlite_schema \
         WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

struct TableColumn {
    name: String,
    declared: String,
    not_null: bool,
    pk: i64,
}

fn entity(conn: &Connection, table: &str, without_rowid: bool) -> rusqlite::Result<Option<Entity>> {
    let mut stmt =
        conn.prepare("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?1) ORDER BY cid")?;
    let cols: Vec<TableColumn> = stmt
        .query_map([table], |r| {
            Ok(TableColumn {
                name: r.get(0)?,
                declared: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                not_null: r.get::<_, i64>(2)? != 0,
                pk: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let pk_cols: Vec<&TableColumn> = cols.iter().filter(|c| c.pk > 0).collect();
    let key = match pk_cols.as_slice() {
        [only] if only.declared.eq_ignore_ascii_case("INTEGER") => only.name.clone(),
        [only] if without_rowid => only.name.clone(),
        _ if without_rowid => return Ok(None),
        _ => "rowid".to_string(),
    };
    let mut columns = Vec::new();
    for col in &cols {
        let is_key = col.name == key;
        let integer_key = is_key && col.declared.eq_ignore_ascii_case("INTEGER");
        let Some((data_type, storage)) = classify(conn, table, col, integer_key)? else {
            continue;
        };
        columns.push(Column {
            name: col.name.clone(),
            data_type,
            storage,
            declared_type: col.declared.clone(),
            nullable: !(col.not_null || is_key),
        });
    }
    Ok(Some(Entity {
        name: table.to_string(),
        key,
        columns,
    }))
}

/// What a sample of a column's non-null values looks like.
#[derive(Default)]
struct Sample {
    count: usize,
    integers: usize,
    reals: usize,
    texts: usize,
    iso_dates: usize,
    iso_t: usize,
    iso_space: usize,
    json_arrays: usize,
}

fn sample(conn: &Connection, table: &str, column: &str) -> rusqlite::Result<Sample> {
    let sql = format!(
        "SELECT v FROM (SELECT {col} AS v FROM {table} LIMIT {SAMPLE_SCAN_ROWS}) \
         WHERE v IS NOT NULL LIMIT {SAMPLE_SIZE}",
        col = quote_ident(column),
        table = quote_ident(table)
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    let mut s = Sample::default();
    while let Some(row) = rows.next()? {
        s.count += 1;
        match row.get_ref(0)? {
            ValueRef::Integer(_) => s.integers += 1,
            ValueRef::Real(_) => s.reals += 1,
            ValueRef::Text(bytes) => {
                s.texts += 1;
                match iso_shape(bytes) {
                    Some(IsoShape::Date) => s.iso_dates += 1,
                    Some(IsoShape::DateTimeT) => s.iso_t += 1,
                    Some(IsoShape::DateTimeSpace) => s.iso_space += 1,
                    None => {}
                }
                if bytes.first() == Some(&b'[')
                    && matches!(
                        serde_json::from_slice::<serde_json::Value>(bytes),
                        Ok(serde_json::Value::Array(_))
                    )
                {
                    s.json_arrays += 1;
                }
            }
            ValueRef::Null | ValueRef::Blob(_) => {}
        }
    }
    Ok(s)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum IsoShape {
    Date,
    DateTimeT,
    DateTimeSpace,
}

/// `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS[.f+][Z]` or `YYYY-MM-DD HH:MM:SS[.f+]`.
pub(crate) fn iso_shape(b: &[u8]) -> Option<IsoShape> {
    let digits = |range: std::ops::Range<usize>| {
        b.get(range)
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    if !(digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10))
    {
        return None;
    }
    if b.len() == 10 {
        return Some(IsoShape::Date);
    }
    let shape = match b[10] {
        b'T' => IsoShape::DateTimeT,
        b' ' => IsoShape::DateTimeSpace,
        _ => return None,
    };
    if !(digits(11..13)
        && b.get(13) == Some(&b':')
        && digits(14..16)
        && b.get(16) == Some(&b':')
        && digits(17..19))
    {
        return None;
    }
    let mut rest = &b[19..];
    if let Some(frac) = rest.strip_prefix(b".") {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        rest = &frac[n..];
    }
    match (shape, rest) {
        (_, []) => Some(shape),
        (IsoShape::DateTimeT, [b'Z']) => Some(shape),
        _ => None,
    }
}

fn classify(
    conn: &Connection,
    table: &str,
    col: &TableColumn,
    integer_key: bool,
) -> rusqlite::Result<Option<(DataType, Storage)>> {
    use DataType as D;
    use Storage as S;
    let declared = col.declared.to_ascii_uppercase();
    if integer_key {
        return Ok(Some((D::Number, S::Integer)));
    }
    if declared.contains("BOOL") {
        return Ok(Some((D::Boolean, S::Boolean)));
    }
    if declared.contains("DATE") || declared.contains("TIME") {
        let s = sample(conn, table, &col.name)?;
        let storage = if s.count == 0 {
            if declared == "DATE" {
                S::IsoDate
            } else {
                S::IsoDateTime
            }
        } else if s.integers == s.count {
            S::UnixSeconds
        } else if s.iso_dates == s.count {
            S::IsoDate
        } else if s.iso_t == s.count {
            S::IsoDateTime
        } else if s.iso_space == s.count {
            S::IsoDateTimeSpace
        } else if s.integers + s.reals == s.count {
            return Ok(Some((
                D::Number,
                if s.reals > 0 { S::Real } else { S::Integer },
            )));
        } else {
            return Ok(Some((D::Text, S::Text)));
        };
        return Ok(Some((D::Datetime, storage)));
    }
    if declared.contains("JSON") {
        let s = sample(conn, table, &col.name)?;
        if s.count > 0 && s.json_arrays == s.count {
            return Ok(Some((D::Array, S::JsonArray)));
        }
        return Ok(Some((D::Text, S::Text)));
    }
    // SQLite's affinity rules, in its order.
    if declared.contains("INT") {
        return Ok(Some((D::Number, S::Integer)));
    }
    if declared.contains("CHAR") || declared.contains("CLOB") || declared.contains("TEXT") {
        return Ok(Some((D::Text, S::Text)));
    }
    if declared.contains("BLOB") {
        return Ok(None);
    }
    if declared.contains("REAL") || declared.contains("FLOA") || declared.contains("DOUB") {
        return Ok(Some((D::Number, S::Real)));
    }
    let s = sample(conn, table, &col.name)?;
    if declared.is_empty() {
        // No declared type: the values decide.
        if s.count > 0 && s.integers == s.count {
            return Ok(Some((D::Number, S::Integer)));
        }
        if s.count > 0 && s.integers + s.reals == s.count {
            return Ok(Some((D::Number, S::Real)));
        }
        return Ok(Some((D::Text, S::Text)));
    }
    // NUMERIC affinity.
    Ok(Some((
        D::Number,
        if s.reals > 0 { S::Real } else { S::Integer },
    )))
}

/// A single-column foreign key `child.child_column -> parent.parent_column`.
pub struct ForeignKey {
    pub child: String,
    pub child_column: String,
    pub parent: String,
    /// `None`: the parent's primary key.
    pub parent_column: Option<String>,
}

/// The relationships declared foreign keys give, in both directions, named and identified as a
/// SQLite file's are (other sources, e.g. a PostgreSQL schema, reuse it).
pub fn relationships_from_foreign_keys(
    entities: &[Entity],
    fks: &[ForeignKey],
) -> Vec<Relationship> {
    relationships(entities, fks)
}

fn foreign_keys(conn: &Connection, table: &str) -> rusqlite::Result<Vec<ForeignKey>> {
    let mut stmt =
        conn.prepare("SELECT id, seq, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?1) ORDER BY id, seq")?;
    let rows: Vec<(i64, i64, String, String, Option<String>)> = stmt
        .query_map([table], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for (id, _, parent, from, to) in &rows {
        // Composite keys cannot be a relationship between two single columns: skip them.
        if rows.iter().filter(|r| r.0 == *id).count() > 1 {
            continue;
        }
        out.push(ForeignKey {
            child: table.to_string(),
            child_column: from.clone(),
            parent: parent.clone(),
            parent_column: to.clone().filter(|t| !t.is_empty()),
        });
    }
    Ok(out)
}

fn relationships(entities: &[Entity], fks: &[ForeignKey]) -> Vec<Relationship> {
    let find = |name: &str| {
        entities
            .iter()
            .find(|e| e.name == name || e.name.eq_ignore_ascii_case(name))
    };
    let mut rels = Vec::new();
    for fk in fks {
        let (Some(parent), Some(child)) = (find(&fk.parent), find(&fk.child)) else {
            continue;
        };
        let parent_column = fk
            .parent_column
            .clone()
            .unwrap_or_else(|| parent.key.clone());
        if parent_column != parent.key && parent.column(&parent_column).is_none() {
            continue;
        }
        if child.column(&fk.child_column).is_none() {
            continue;
        }
        // one_to_many, from the parent: named after the child table.
        rels.push(Relationship {
            id: Relationship::stable_id(
                &parent.name,
                &parent_column,
                &child.name,
                &fk.child_column,
            ),
            name: child.name.clone(),
            from_entity: parent.name.clone(),
            from_column: parent_column.clone(),
            to_entity: child.name.clone(),
            to_column: fk.child_column.clone(),
            cardinality: Cardinality::OneToMany,
            time_column: time_column(child),
        });
        // many_to_one, from the child: named after the foreign key column without `_id`.
        let name = match fk.child_column.strip_suffix("_id") {
            Some(stem) if !stem.is_empty() => stem.to_string(),
            _ => parent.name.clone(),
        };
        rels.push(Relationship {
            id: Relationship::stable_id(
                &child.name,
                &fk.child_column,
                &parent.name,
                &parent_column,
            ),
            name,
            from_entity: child.name.clone(),
            from_column: fk.child_column.clone(),
            to_entity: parent.name.clone(),
            to_column: parent_column,
            cardinality: Cardinality::ManyToOne,
            time_column: time_column(parent),
        });
    }
    // Several relationships leaving one entity under one name: tell them apart by the foreign
    // key column (`orders_by_buyer_id`, `customers_by_seller`).
    let mut renamed = rels.clone();
    for (i, r) in rels.iter().enumerate() {
        let clash = rels
            .iter()
            .enumerate()
            .any(|(j, o)| j != i && o.from_entity == r.from_entity && o.name == r.name);
        if clash {
            let fk_column = match r.cardinality {
                Cardinality::OneToMany => &r.to_column,
                Cardinality::ManyToOne => &r.from_column,
            };
            renamed[i].name = format!("{}_by_{}", r.name, fk_column);
        }
    }
    renamed
}

/// The entity's datetime column used by time windows: a conventional name if there is one, else
/// the first datetime column.
pub(crate) fn time_column(entity: &Entity) -> Option<String> {
    let datetimes: Vec<&Column> = entity
        .columns
        .iter()
        .filter(|c| c.data_type == DataType::Datetime)
        .collect();
    PREFERRED_TIME_COLUMNS
        .iter()
        .find_map(|p| datetimes.iter().find(|c| c.name.eq_ignore_ascii_case(p)))
        .or_else(|| datetimes.first())
        .map(|c| c.name.clone())
}

/// `"name"` with embedded quotes doubled.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_shapes() {
        assert_eq!(iso_shape(b"2024-02-29"), Some(IsoShape::Date));
        assert_eq!(
            iso_shape(b"2024-02-29T10:11:12Z"),
            Some(IsoShape::DateTimeT)
        );
        assert_eq!(
            iso_shape(b"2024-02-29T10:11:12.123"),
            Some(IsoShape::DateTimeT)
        );
        assert_eq!(
            iso_shape(b"2024-02-29 10:11:12"),
            Some(IsoShape::DateTimeSpace)
        );
        assert_eq!(iso_shape(b"2024-02-29 10:11:12Z"), None);
        assert_eq!(iso_shape(b"2024-02-29T10:11"), None);
        assert_eq!(iso_shape(b"24-02-29"), None);
        assert_eq!(iso_shape(b"2024-02-29x"), None);
    }
}
