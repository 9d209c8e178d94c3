//! What an import did, and the values that did not fit.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::infer::{BadValue, ColumnType};
use crate::reader::Dialect;
use crate::relate::Proposal;

/// Values that do not fit their column's type: how many, and the first ones, located.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BadValues {
    #[ts(type = "number")]
    pub total: u64,
    /// The first ones (at most 20 per column), by line.
    pub first: Vec<BadValue>,
}

impl BadValues {
    pub fn summary(&self) -> String {
        let mut text = self.describe();
        text.push_str(
            " (import them as NULL with on-error null, or declare the column's type, e.g. text)",
        );
        text
    }

    /// The values that do not fit and where, without advice on what to do.
    pub fn describe(&self) -> String {
        let mut text = format!(
            "{} {} the column type",
            self.total,
            if self.total == 1 {
                "value does not fit"
            } else {
                "values do not fit"
            }
        );
        for b in self.first.iter().take(5) {
            text.push_str(&format!(
                "; line {}, column {} ({}): {:?} is not {}",
                b.line,
                b.column,
                b.column_name,
                b.value,
                b.expected.name()
            ));
        }
        if self.total > 5 {
            text.push_str("; …");
        }
        text
    }
}

/// One created column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportedColumn {
    pub name: String,
    /// The header as written in the file (the column's label when it differs from the name).
    pub header: String,
    #[serde(rename = "type")]
    pub ty: ColumnType,
    pub declared_type: String,
    /// Whether the type was declared by the user rather than inferred.
    pub overridden: bool,
    #[ts(type = "number")]
    pub nulls: u64,
}

/// What [`crate::import`] did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportReport {
    #[ts(type = "string")]
    pub data_source: PathBuf,
    pub table: String,
    /// The table's key column (`rowid` when the file has no usable `id`).
    pub key: String,
    pub dialect: Dialect,
    #[ts(type = "number")]
    pub rows: u64,
    #[ts(type = "number")]
    pub bytes: u64,
    pub columns: Vec<ImportedColumn>,
    /// Bad values imported as NULL (with on-error null).
    pub bad_values: BadValues,
    /// Indexes created, as `name(columns…)`.
    pub indexes: Vec<String>,
    /// Relationships proposed from names and values (not yet confirmed).
    pub proposals: Vec<Proposal>,
    pub timings: Timings,
}

/// Seconds per phase.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Timings {
    pub scan: f64,
    pub load: f64,
    pub index: f64,
    pub analyze: f64,
    pub total: f64,
}
