//! The schema of one PostgreSQL schema: tables and columns from `information_schema` (only what
//! the user may read), single-column primary and foreign keys from `pg_constraint`, types mapped
//! onto the model's storage shapes, and relationships named and identified exactly as SQLite
//! foreign keys are (`segment_source::relationships_from_foreign_keys`).
//!
//! The SQL compiler reads SQLite's storage shapes; native PostgreSQL types are *shaped* into
//! them in the FROM clause (a table with such columns is read through a sub-select):
//! `boolean` → 0/1, `date`/`timestamp`/`timestamptz` → Unix seconds, `json`/`jsonb` arrays and
//! PostgreSQL arrays → JSON array text, `uuid` → text. Columns of other types are left out,
//! and `Introspected::skipped` says which and why.

use segment_model::{Column, DataType, Entity, Schema, Storage};
use segment_source::ForeignKey;
use tokio_postgres::Client;

/// A schema and how to read each table in the compiler's shapes.
pub(crate) struct Introspected {
    pub schema: Schema,
    /// Per table that needs it, the sub-select that presents it in the compiler's shapes.
    pub shaped: Vec<(String, String)>,
    /// Columns left out: (table, column, why).
    pub skipped: Vec<(String, String, String)>,
}

pub(crate) fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

struct PgColumn {
    table: String,
    name: String,
    data_type: String,
    udt: String,
    nullable: bool,
}

const COLUMNS: &str = "SELECT c.table_name::text, c.column_name::text, c.data_type::text, \
     c.udt_name::text, c.is_nullable = 'YES' \
     FROM information_schema.columns c JOIN information_schema.tables t \
       ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
     WHERE c.table_schema = $1 AND t.table_type IN ('BASE TABLE', 'VIEW') \
     ORDER BY c.table_name, c.ordinal_position";

/// Single-column primary keys (`p`) and foreign keys (`f`) of the schema.
const KEYS: &str = "SELECT c.contype::text, cl.relname::text, a.attname::text, \
     pcl.relname::text, pa.attname::text \
     FROM pg_constraint c \
     JOIN pg_class cl ON cl.oid = c.conrelid \
     JOIN pg_namespace n ON n.oid = cl.relnamespace \
     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
     LEFT JOIN pg_class pcl ON pcl.oid = c.confrelid \
     LEFT JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1] \
     WHERE n.nspname = $1 AND c.contype IN ('p', 'f') AND cardinality(c.conkey) = 1 \
     ORDER BY c.conname";

pub(crate) async fn introspect(
    client: &Client,
    schema_name: &str,
) -> Result<Introspected, tokio_postgres::Error> {
    let columns: Vec<PgColumn> = client
        .query(COLUMNS, &[&schema_name])
        .await?
        .iter()
        .map(|r| PgColumn {
            table: r.get(0),
            name: r.get(1),
            data_type: r.get(2),
            udt: r.get(3),
            nullable: r.get(4),
        })
        .collect();
    let mut primary = Vec::new();
    let mut foreign = Vec::new();
    for row in client.query(KEYS, &[&schema_name]).await? {
        let kind: String = row.get(0);
        let table: String = row.get(1);
        let column: String = row.get(2);
        if kind == "p" {
            primary.push((table, column));
        } else if let (Some(parent), Some(parent_column)) = (
            row.get::<_, Option<String>>(3),
            row.get::<_, Option<String>>(4),
        ) {
            foreign.push(ForeignKey {
                child: table,
                child_column: column,
                parent,
                parent_column: Some(parent_column),
            });
        }
    }
    let mut out = Introspected {
        schema: Schema {
            entities: Vec::new(),
            relationships: Vec::new(),
        },
        shaped: Vec::new(),
        skipped: Vec::new(),
    };
    let mut tables: Vec<&str> = columns.iter().map(|c| c.table.as_str()).collect();
    tables.dedup();
    for table in tables {
        let cols: Vec<&PgColumn> = columns.iter().filter(|c| c.table == table).collect();
        let key = primary
            .iter()
            .find(|(t, _)| t == table)
            .map(|(_, c)| c.clone());
        table_entity(client, schema_name, table, &cols, key, &mut out).await?;
    }
    out.schema.relationships =
        segment_source::relationships_from_foreign_keys(&out.schema.entities, &foreign);
    Ok(out)
}

async fn table_entity(
    client: &Client,
    schema_name: &str,
    table: &str,
    cols: &[&PgColumn],
    key: Option<String>,
    out: &mut Introspected,
) -> Result<(), tokio_postgres::Error> {
    let mut columns = Vec::new();
    let mut select = Vec::new();
    let mut needs_shape = false;
    for col in cols {
        let Some((data_type, storage, expr)) = classify(client, schema_name, col).await? else {
            out.skipped.push((
                table.to_string(),
                col.name.clone(),
                format!("its type {} cannot be compared in a segment", col.data_type),
            ));
            continue;
        };
        needs_shape |= expr.is_some();
        select.push(match expr {
            Some(e) => format!("{e} AS {}", quote(&col.name)),
            None => quote(&col.name),
        });
        columns.push(Column {
            name: col.name.clone(),
            data_type,
            storage,
            declared_type: col.data_type.clone(),
            nullable: col.nullable,
        });
    }
    // No single-column primary key: the row's physical address identifies it for samples.
    let key = match key.filter(|k| columns.iter().any(|c| &c.name == k)) {
        Some(k) => k,
        None => {
            needs_shape = true;
            select.push("CAST(ctid AS text) AS \"ctid\"".into());
            "ctid".to_string()
        }
    };
    if needs_shape {
        out.shaped.push((
            table.to_string(),
            format!(
                "(SELECT {} FROM {}.{})",
                select.join(", "),
                quote(schema_name),
                quote(table)
            ),
        ));
    }
    out.schema.entities.push(Entity {
        name: table.to_string(),
        key,
        columns,
    });
    Ok(())
}

type Classified = Option<(DataType, Storage, Option<String>)>;

async fn classify(
    client: &Client,
    schema_name: &str,
    col: &PgColumn,
) -> Result<Classified, tokio_postgres::Error> {
    use DataType as D;
    use Storage as S;
    let c = quote(&col.name);
    let seconds = format!("CAST(FLOOR(EXTRACT(EPOCH FROM {c})) AS bigint)");
    Ok(Some(match col.udt.as_str() {
        "int2" | "int4" | "int8" => (D::Number, S::Integer, None),
        "float4" | "float8" | "numeric" => (D::Number, S::Real, None),
        "text" | "varchar" | "bpchar" | "name" | "citext" => (D::Text, S::Text, None),
        "uuid" => (D::Text, S::Text, Some(format!("CAST({c} AS text)"))),
        "bool" => (
            D::Boolean,
            S::Boolean,
            Some(format!("CAST({c} AS integer)")),
        ),
        "date" | "timestamp" | "timestamptz" => (D::Datetime, S::UnixSeconds, Some(seconds)),
        "json" | "jsonb" => {
            if json_arrays(client, schema_name, &col.table, &col.name).await? {
                (D::Array, S::JsonArray, Some(format!("CAST({c} AS text)")))
            } else {
                (D::Text, S::Text, Some(format!("CAST({c} AS text)")))
            }
        }
        udt if udt.starts_with('_') && !matches!(udt, "_bytea" | "_json" | "_jsonb") => (
            D::Array,
            S::JsonArray,
            Some(format!("CAST(to_jsonb({c}) AS text)")),
        ),
        _ => return Ok(None),
    }))
}

/// Whether every sampled non-NULL value of a JSON column is an array.
async fn json_arrays(
    client: &Client,
    schema_name: &str,
    table: &str,
    column: &str,
) -> Result<bool, tokio_postgres::Error> {
    let c = quote(column);
    let sql = format!(
        "SELECT count(*), count(*) FILTER (WHERE jsonb_typeof(CAST(v AS jsonb)) = 'array') \
         FROM (SELECT {c} AS v FROM {}.{} WHERE {c} IS NOT NULL LIMIT 1000) s",
        quote(schema_name),
        quote(table)
    );
    let row = client.query_one(&sql, &[]).await?;
    let (all, arrays): (i64, i64) = (row.get(0), row.get(1));
    Ok(all > 0 && all == arrays)
}
