//! # segment-sql: the typed segment IR compiled to SQL
//!
//! Input: a checked [`segment_model::ir::Query`] (names resolved, values typed, relative dates
//! already absolute). Output, for any [`Dialect`]:
//!
//! - [`build`] / [`build_output`]: an executable [`Statement`]. Every user value is a bound
//!   parameter ([`SqlValue`]); identifiers come from the checked schema and are always quoted
//!   (embedded quotes doubled).
//! - [`display`] / [`display_output`]: the same statement with values written as correctly
//!   escaped literals, laid out one clause and one AND/OR operand per line, for people to read.
//!   It runs and gives the same answer as the executable form.
//!
//! [`Output`] picks the statement: the count of matching records, the total count of the base
//! entity, or the keys of matching records in key order (for sampling).
//!
//! Dialects: [`Sqlite`], [`Postgres`], [`DuckDb`], [`BigQuery`], [`Snowflake`] and [`Ansi`] (over
//! the same storage shapes). A dialect is a [`Dialect`] implementation overriding only what it
//! spells differently from the generic defaults ([`Ansi`] overrides nothing). SQLite, PostgreSQL
//! and DuckDB are checked by executing the test corpus (SQLite always; PostgreSQL when
//! `SEGMENT_SQL_PSQL` names a psql command line; DuckDB when `SEGMENT_SQL_DUCKDB=1` or `CI`)
//! against a reference evaluator; every dialect has a snapshot of the whole corpus.
//!
//! ## Shape of the generated SQL
//!
//! The base entity is aliased `t0`; AND / OR / NOT of the segment map straight onto the WHERE
//! clause. A condition on related records is an *uncorrelated* sub-select on the join column,
//! the related table aliased `t1`, `t2`… by nesting depth:
//!
//! ```sql
//! t0."id" IN (
//!   SELECT t1."profile_id"
//!   FROM "events" AS t1
//!   WHERE t1."profile_id" IS NOT NULL
//!     AND t1."ts" >= ?
//!     AND t1."name" = ?
//!   GROUP BY t1."profile_id"
//!   HAVING COUNT(*) >= ?
//! )
//! ```
//!
//! "At least once" drops the GROUP BY; "at most N" / "not N times" become `NOT IN`, and a
//! record whose join column is NULL (no related records) still matches:
//! `(t0."company_id" IS NULL OR t0."company_id" NOT IN (…))`. Aggregates are
//! `HAVING SUM(t1."amount") > ?`. Correlated sub-queries, joins with GROUP BY over the base
//! table and per-row date functions on the base table are avoided: they are orders of magnitude
//! slower on SQLite.
//!
//! ## NULLs and NOT
//!
//! Every condition is true or false for a record: a NULL value satisfies only "is null" and
//! "is blank", negative operators included ("is not 'US'" does not match a NULL country), and a
//! negated group is the exact complement of the group. Under NOT, expressions that SQL would
//! evaluate to NULL are guarded (`(col IS NOT NULL AND …)`), so SQL agrees with an evaluator that
//! uses two-valued logic.
//!
//! ## Indexes the generated queries want
//!
//! - Related tables: one index on **(filter column, foreign key, time column, aggregated
//!   columns)**, e.g. `events(name, profile_id, ts, amount)`: rows reach GROUP BY already
//!   grouped (3–9× faster than `(name, ts, profile_id)`; do not add that one beside it).
//!   `events(profile_id, …)` helps only per-record views.
//! - Base table: indexes on date/time and numeric columns used in conditions. Single-column
//!   indexes on low-cardinality text columns help a lone equality but slow combined filters.
//! - Time columns stored as integer Unix seconds compare cheapest; ISO text compares as text.
//! - After import: `ANALYZE` (or `PRAGMA optimize`); at open: large `mmap_size`/`cache_size`.
//!
//! ## Raw SQL
//!
//! `Expr::RawSql` is user-authored SQL and the one documented exception to "values are never
//! spliced": it is inserted, in parentheses, as written. A light lexical check rejects text that
//! would break the surrounding statement (unbalanced parentheses or quotes, `;`, parameter
//! markers); the data source sandboxes execution (read-only connection plus an authorizer).
//! Raw SQL should name columns unqualified: the base table is aliased `t0`.
//!
//! ## SQLite requirements
//!
//! JSON functions (3.38+, built into rusqlite's bundled SQLite) and, for regular expressions, a
//! `regexp(pattern, value)` user function with Rust `regex` semantics (unanchored search)
//! returning NULL for a NULL value, registered by the data source. `PRAGMA case_sensitive_like`
//! must stay off. JSON array elements compare by their SQL value (`atom`): a JSON `true` equals
//! the number 1.

mod compile;
mod counts;
mod decimal;
pub mod dialect;
mod error;
mod fragment;
mod locate;
mod periods;
mod raw;
mod render;
mod time;
mod value;

use segment_model::ir::Query;

pub use counts::build_counts;
pub use dialect::{Ansi, BigQuery, Dialect, DuckDb, Postgres, Snowflake, Spark, Sqlite};
pub use error::{Error, Result};
pub use fragment::Fragment;
pub use locate::locate_unsupported;
pub use value::{SqlCell, SqlValue};

/// An executable statement: SQL with placeholders and the values to bind to them, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub sql: String,
    pub params: Vec<SqlValue>,
}

/// Which statement to generate for a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// `SELECT COUNT(*)` of the base records matching the filter.
    Count,
    /// `SELECT COUNT(*)` of all base records (the filter is ignored).
    Total,
    /// The keys of matching base records, in key order, at most `limit` of them.
    Keys { limit: u64 },
}

/// The executable count of records matching `query`.
pub fn build(query: &Query, dialect: &dyn Dialect) -> Result<Statement> {
    build_output(query, Output::Count, dialect)
}

/// The count of records matching `query` as readable SQL with inlined literals.
pub fn display(query: &Query, dialect: &dyn Dialect) -> Result<String> {
    display_output(query, Output::Count, dialect)
}

/// The executable statement for `output`.
pub fn build_output(query: &Query, output: Output, dialect: &dyn Dialect) -> Result<Statement> {
    let select = compile::Compiler::new(dialect).statement(query, output)?;
    let mut renderer = render::Renderer::new(dialect, false);
    renderer.select(&select, 0)?;
    let (sql, params) = renderer.finish();
    Ok(Statement { sql, params })
}

/// The executable statement for `output`, to be placed inside a larger statement after
/// `offset` parameters bound before it: its placeholders are numbered from `offset + 1` (the
/// dialects that number them), and its parameters are bound after those.
pub fn build_output_after(
    query: &Query,
    output: Output,
    dialect: &dyn Dialect,
    offset: usize,
) -> Result<Statement> {
    let select = compile::Compiler::new(dialect).statement(query, output)?;
    let mut renderer = render::Renderer::new(dialect, false).after(offset);
    renderer.select(&select, 0)?;
    let (sql, params) = renderer.finish();
    Ok(Statement { sql, params })
}

/// The statement for `output` as readable SQL with inlined literals.
pub fn display_output(query: &Query, output: Output, dialect: &dyn Dialect) -> Result<String> {
    let select = compile::Compiler::new(dialect).statement(query, output)?;
    let mut renderer = render::Renderer::new(dialect, true);
    renderer.select(&select, 0)?;
    Ok(renderer.finish().0)
}
