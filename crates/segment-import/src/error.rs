use std::path::PathBuf;

use crate::report::BadValues;

/// Everything that can go wrong while importing, relating or describing a data source. Errors
/// about a file name the file and, where there is one, the line (1-based) and column.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: line {line}: {message}", .path.display())]
    Malformed {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{}: line {line}, column {column}: not UTF-8 text (byte offset {offset}); convert the file to UTF-8 first", .path.display())]
    NotUtf8 {
        path: PathBuf,
        line: u64,
        column: usize,
        offset: u64,
    },
    #[error("{}: {encoding} files are not supported; convert the file to UTF-8 first", .path.display())]
    UnsupportedEncoding {
        path: PathBuf,
        encoding: &'static str,
    },
    #[error("{}: the file has no rows and no header", .path.display())]
    Empty { path: PathBuf },
    #[error("{}: {}", .path.display(), .bad.summary())]
    BadValues { path: PathBuf, bad: Box<BadValues> },
    #[error(
        "the table `{0}` already exists in the data source (choose another --table, or replace it)"
    )]
    TableExists(String),
    #[error("{} is not a data source created by import (it may be your own file, which is never written to); import into a new file instead", .0.display())]
    NotOwned(PathBuf),
    #[error("unknown column `{column}` in the type override (the columns are: {known})")]
    UnknownOverride { column: String, known: String },
    #[error(
        "`{0}` is not a column type (integer, real, boolean, date, datetime, json_array, text)"
    )]
    UnknownType(String),
    #[error("unknown column `{0}`")]
    UnknownColumn(String),
    #[error("{0}")]
    Invalid(String),
    /// The import was cancelled: the data source is as it was.
    #[error("the import was cancelled; the data source is unchanged")]
    Cancelled,
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot open the data source: {0}")]
    Source(#[from] segment_source::Error),
    #[error("the sidecar store {}: {message}", .path.display())]
    Store { path: PathBuf, message: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
