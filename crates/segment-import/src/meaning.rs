//! Declared column meanings, for both front ends: declare one (checked against every value of
//! the column; refused, with the values that do not fit, when they contradict it), remove it,
//! list the declared ones with the proposals, and check a column chosen for time windows.
//!
//! A declaration lives in the sidecar store ([`crate::Store`]); [`crate::open`] applies it to
//! the schema, so counts (engine and SQL in every dialect), validation and statistics all read
//! the column as declared.

use std::path::Path;

use segment_model::{Column, ColumnMeaning, DataType, MeaningProposal, Schema};
use segment_source::meaning::{self, Fit};
use segment_source::DataSource;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::store::Store;

/// A meaning declared for a column, and whether it is in effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DeclaredMeaning {
    pub table: String,
    pub column: String,
    pub meaning: ColumnMeaning,
    /// Why it is not in effect (the column is gone, or its values changed and no longer fit).
    #[ts(optional)]
    pub not_applied: Option<String>,
}

impl From<meaning::Applied> for DeclaredMeaning {
    fn from(a: meaning::Applied) -> Self {
        DeclaredMeaning {
            table: a.table,
            column: a.column,
            meaning: a.meaning,
            not_applied: a.not_applied,
        }
    }
}

/// The declared meanings of a data source and the ones its names and values suggest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ColumnMeanings {
    pub declared: Vec<DeclaredMeaning>,
    pub proposals: Vec<MeaningProposal>,
}

/// The declared meanings of an opened data source, and the proposals for its other columns.
pub fn list(opened: &crate::Opened) -> Result<ColumnMeanings> {
    Ok(ColumnMeanings {
        declared: opened.declared.clone(),
        proposals: meaning::propose(opened.source.connection(), &opened.schema)?,
    })
}

/// The column as the file types it (before any declaration).
fn stored_column<'a>(source: &'a DataSource, table: &str, column: &str) -> Result<&'a Column> {
    let entity = source
        .schema()
        .entity(table)
        .ok_or_else(|| Error::Invalid(format!("there is no table `{table}` in the data source")))?;
    if column == entity.key {
        return Err(Error::Invalid(format!(
            "`{column}` is the row key of `{table}`; it cannot be given a meaning"
        )));
    }
    entity
        .column(column)
        .ok_or_else(|| Error::UnknownColumn(format!("{table}.{column}")))
}

/// Declares that `table.column` holds `meaning`, after checking every value of the column: a
/// value that does not fit refuses the declaration (the message counts them and shows the
/// first few). Returns the column as the schema now reads it.
pub fn declare(
    data: &Path,
    store: &Store,
    table: &str,
    column: &str,
    meaning: ColumnMeaning,
) -> Result<Column> {
    let source = DataSource::open_read_only(data)?;
    let stored = stored_column(&source, table, column)?;
    match meaning::check(source.connection(), table, column, meaning)? {
        Fit::Contradicted(misfits) => Err(Error::Invalid(format!(
            "cannot treat {table}.{column} as {}: {misfits}; nothing was changed",
            meaning.label()
        ))),
        Fit::Fits(data_type, storage) => {
            store.declare(data, table, column, meaning)?;
            Ok(Column {
                data_type,
                storage,
                ..stored.clone()
            })
        }
    }
}

/// Removes the declared meaning of `table.column`: it reads as the file types it again.
/// Returns the meaning it had; an error when there was none.
pub fn undeclare(data: &Path, store: &Store, table: &str, column: &str) -> Result<ColumnMeaning> {
    store
        .undeclare(data, table, column)?
        .ok_or_else(|| Error::Invalid(format!("{table}.{column} has no declared meaning")))
}

/// Checks that `table.column` can be the time column of time windows: a date/time column of the
/// schema (with declarations applied). The message says how to make an epoch or ISO-text column
/// one.
pub fn check_time_column(schema: &Schema, table: &str, column: &str) -> Result<()> {
    let entity = schema
        .entity(table)
        .ok_or_else(|| Error::Invalid(format!("there is no table `{table}` in the data source")))?;
    let c = entity
        .column(column)
        .ok_or_else(|| Error::UnknownColumn(format!("{table}.{column}")))?;
    if c.data_type == DataType::Datetime {
        return Ok(());
    }
    Err(Error::Invalid(format!(
        "{table}.{column} is not a date/time column (it reads as {}); if it holds times, declare what they are: epoch-seconds, epoch-millis or iso-datetime",
        c.data_type.label()
    )))
}
