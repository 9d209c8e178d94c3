//! One registry of every format a segment is written in or read from: the tree formats of
//! `segment-formats` and the SQL dialects of `segment-sql`, each with its name (as the CLI and
//! the app spell it), a label for people, whether it is read back, and a file extension. The CLI,
//! the app and the tests list, look up, render and detect through this table only.

use crate::references::References;
use chrono::{DateTime, Utc};
use segment_formats::Format;
use segment_model::{validate, Problem, Schema, Segment};
use segment_sql::{Ansi, BigQuery, Dialect, DuckDb, Postgres, Snowflake, Spark, Sqlite};

/// What a registry entry writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A translation of the tree (`segment-formats`).
    Tree(Format),
    /// The SQL that counts the segment's records, in a dialect (`segment-sql`).
    Sql(SqlDialect),
}

/// The SQL dialects, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlDialect {
    Sqlite,
    Postgres,
    DuckDb,
    Spark,
    BigQuery,
    Snowflake,
    Ansi,
}

impl SqlDialect {
    /// The dialect's registry entry (`sql-postgres`, "SQL · PostgreSQL"…).
    pub fn entry(self) -> &'static Entry {
        REGISTRY
            .iter()
            .find(|e| e.target == Target::Sql(self))
            .unwrap_or(&REGISTRY[0])
    }

    /// The database's name for people ("PostgreSQL", "Spark"): the entry's label after "SQL · ".
    pub fn database(self) -> &'static str {
        let label = self.entry().label;
        label.strip_prefix("SQL · ").unwrap_or(label)
    }

    /// The dialect of an SQL entry named `name` (`sql-postgres`, `postgres`, `spark`…), or why not.
    pub fn named(name: &str) -> std::result::Result<SqlDialect, String> {
        let wanted = name.trim().to_ascii_lowercase();
        let full = if wanted.starts_with("sql-") {
            wanted
        } else {
            format!("sql-{wanted}")
        };
        match lookup(&full) {
            Some(Entry {
                target: Target::Sql(dialect),
                ..
            }) => Ok(*dialect),
            _ => Err(format!(
                "unknown SQL dialect {name:?}: one of {}",
                REGISTRY
                    .iter()
                    .filter(|e| matches!(e.target, Target::Sql(_)))
                    .map(|e| e.name.trim_start_matches("sql-"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    pub fn dialect(self) -> &'static dyn Dialect {
        match self {
            SqlDialect::Sqlite => &Sqlite,
            SqlDialect::Postgres => &Postgres,
            SqlDialect::DuckDb => &DuckDb,
            SqlDialect::Spark => &Spark,
            SqlDialect::BigQuery => &BigQuery,
            SqlDialect::Snowflake => &Snowflake,
            SqlDialect::Ansi => &Ansi,
        }
    }
}

/// One entry of the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub target: Target,
    /// The name on the command line and in the app (`pql-text`, `sql-postgres`…).
    pub name: &'static str,
    /// A name for people.
    pub label: &'static str,
    /// Whether definitions in this format are read back ("Import definition", `convert --from`).
    pub parses: bool,
    /// The usual file extension, without the dot.
    pub extension: &'static str,
}

const fn tree(
    format: Format,
    name: &'static str,
    label: &'static str,
    parses: bool,
    extension: &'static str,
) -> Entry {
    Entry {
        target: Target::Tree(format),
        name,
        label,
        parses,
        extension,
    }
}

const fn sql(dialect: SqlDialect, name: &'static str, label: &'static str) -> Entry {
    Entry {
        target: Target::Sql(dialect),
        name,
        label,
        parses: false,
        extension: "sql",
    }
}

/// Every format, in the order the CLI's help and the app's tabs list them, with the label a
/// marketer knows it by (the app's tabs show these; this is the one place they are written).
pub const REGISTRY: [Entry; 14] = [
    tree(Format::Canonical, "canonical", "Segment JSON", true, "json"),
    tree(Format::Census, "census", "Census", true, "json"),
    tree(Format::PqlText, "pql-text", "Adobe PQL", true, "pql"),
    tree(Format::PqlJson, "pql-json", "PQL JSON", true, "json"),
    tree(Format::Odata, "odata", "OData filter", true, "txt"),
    tree(Format::Odp, "odp", "Optimizely ODP", true, "json"),
    sql(SqlDialect::Sqlite, "sql-sqlite", "SQL · SQLite"),
    sql(SqlDialect::Postgres, "sql-postgres", "SQL · PostgreSQL"),
    sql(SqlDialect::DuckDb, "sql-duckdb", "SQL · DuckDB"),
    sql(SqlDialect::Spark, "sql-spark", "SQL · Spark"),
    sql(SqlDialect::BigQuery, "sql-bigquery", "SQL · BigQuery"),
    sql(SqlDialect::Snowflake, "sql-snowflake", "SQL · Snowflake"),
    sql(SqlDialect::Ansi, "sql-ansi", "SQL · ANSI"),
    tree(Format::English, "english", "English", false, "txt"),
];

impl Entry {
    /// A name for people ("Adobe PQL", "SQL · PostgreSQL").
    pub fn label(&self) -> &'static str {
        self.label
    }
}

/// Every name, comma-separated, for messages.
pub fn names() -> String {
    REGISTRY
        .iter()
        .map(|e| e.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The names of the formats that are read back.
pub fn input_names() -> String {
    REGISTRY
        .iter()
        .filter(|e| e.parses)
        .map(|e| e.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The entry named `name` (any case; `_` for `-`; `sql-postgresql` and `pql` as aliases).
pub fn lookup(name: &str) -> Option<&'static Entry> {
    let wanted = name.trim().to_ascii_lowercase().replace('_', "-");
    let wanted = match wanted.as_str() {
        "sql-postgresql" => "sql-postgres",
        "pql" => "pql-text",
        other => other,
    };
    REGISTRY.iter().find(|e| e.name == wanted)
}

/// The entry of a tree format.
pub fn entry_of(format: Format) -> &'static Entry {
    REGISTRY
        .iter()
        .find(|e| e.target == Target::Tree(format))
        .unwrap_or(&REGISTRY[0])
}

/// The format named `name` for reading: an error naming the formats that are read otherwise.
pub fn input_format(name: &str) -> Result<Format, String> {
    match lookup(name) {
        Some(Entry {
            target: Target::Tree(format),
            parses: true,
            ..
        }) => Ok(*format),
        Some(entry) => Err(format!(
            "{} is output-only: read one of {}",
            entry.name,
            input_names()
        )),
        None => Err(format!("unknown format {name:?}: one of {}", names())),
    }
}

/// Why a segment cannot be written in a format.
#[derive(Debug)]
pub enum RenderFailure {
    /// The tree format cannot express a construct (the error names it and its node path).
    Format(segment_formats::Error),
    /// SQL is compiled from a valid segment only: what is wrong with it.
    Invalid(Vec<Problem>),
    /// The dialect cannot write a construct, at the node found (the IR carries no paths).
    Dialect {
        error: segment_sql::Error,
        path: Option<String>,
    },
}

impl RenderFailure {
    /// The node concerned, as a JSON Pointer into the canonical document, when there is one.
    pub fn path(&self) -> Option<String> {
        match self {
            RenderFailure::Format(e) => e.path().map(str::to_string),
            RenderFailure::Invalid(problems) => problems
                .first()
                .map(|p| p.path.clone())
                .filter(|p| !p.is_empty()),
            RenderFailure::Dialect { path, .. } => path.clone(),
        }
    }
}

/// The segment in one format. SQL needs the segment to be valid against `schema` as of `now`.
pub fn render(
    target: Target,
    segment: &Segment,
    schema: &Schema,
    entity: Option<&str>,
    now: DateTime<Utc>,
) -> Result<String, RenderFailure> {
    render_in(target, segment, schema, entity, now, &References::none())
}

/// As [`render`], references to library segments resolved from `references`.
pub fn render_in(
    target: Target,
    segment: &Segment,
    schema: &Schema,
    entity: Option<&str>,
    now: DateTime<Utc>,
    references: &References,
) -> Result<String, RenderFailure> {
    match target {
        Target::Tree(format) => segment_formats::render_as(format, segment, schema, entity)
            .map_err(RenderFailure::Format),
        Target::Sql(dialect) => {
            let query = validate::check_with(segment, schema, entity, now, references, None);
            render_sql(dialect, &query, segment, schema, entity, now)
        }
    }
}

/// The segment in every format, in registry order (the segment is checked once for SQL).
pub fn render_all(
    segment: &Segment,
    schema: &Schema,
    entity: Option<&str>,
    now: DateTime<Utc>,
) -> Vec<(&'static Entry, Result<String, RenderFailure>)> {
    render_all_in(segment, schema, entity, now, &References::none())
}

/// As [`render_all`], references to library segments resolved from `references`.
pub fn render_all_in(
    segment: &Segment,
    schema: &Schema,
    entity: Option<&str>,
    now: DateTime<Utc>,
    references: &References,
) -> Vec<(&'static Entry, Result<String, RenderFailure>)> {
    let query = validate::check_with(segment, schema, entity, now, references, None);
    REGISTRY
        .iter()
        .map(|entry| {
            let result = match entry.target {
                Target::Tree(format) => segment_formats::render_as(format, segment, schema, entity)
                    .map_err(RenderFailure::Format),
                Target::Sql(dialect) => render_sql(dialect, &query, segment, schema, entity, now),
            };
            (entry, result)
        })
        .collect()
}

fn render_sql(
    dialect: SqlDialect,
    query: &Result<segment_model::ir::Query, Vec<Problem>>,
    segment: &Segment,
    schema: &Schema,
    entity: Option<&str>,
    now: DateTime<Utc>,
) -> Result<String, RenderFailure> {
    let query = query
        .as_ref()
        .map_err(|problems| RenderFailure::Invalid(problems.clone()))?;
    segment_sql::display(query, dialect.dialect()).map_err(|error| RenderFailure::Dialect {
        path: segment_sql::locate_unsupported(segment, schema, entity, now, dialect.dialect()),
        error,
    })
}

/// The segment in every format with no data: the tree formats under the schema inferred from
/// the segment itself (`segment_formats::infer::schema_for`); SQL is compiled against a data
/// source's schema, so each dialect says it needs one.
pub fn render_all_without_data(
    segment: &Segment,
    entity: Option<&str>,
) -> Vec<(&'static Entry, Result<String, RenderFailure>)> {
    let schema = segment_formats::infer::schema_for(segment, entity, Schema::default());
    let entity = entity
        .or(segment.entity.as_deref())
        .or(schema.entities.first().map(|e| e.name.as_str()));
    REGISTRY
        .iter()
        .map(|entry| {
            let result = match entry.target {
                Target::Tree(format) => {
                    segment_formats::render_as(format, segment, &schema, entity)
                        .map_err(RenderFailure::Format)
                }
                Target::Sql(_) => Err(RenderFailure::Invalid(vec![Problem::new(
                    "",
                    "SQL is compiled against a data source's schema: open or import data",
                )])),
            };
            (entry, result)
        })
        .collect()
}
