use std::path::PathBuf;
use std::time::Duration;

/// Everything that can go wrong in a data source, with the file it concerns where there is one.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("data file not found: {}", .path.display())]
    NotFound { path: PathBuf },
    #[error("{} is not a SQLite database", .path.display())]
    NotADatabase { path: PathBuf },
    /// A WAL-mode file whose log still holds committed pages, without the `-shm` index to read
    /// it, in a folder where SQLite cannot create one.
    #[error("cannot open {}: its write-ahead log (-wal file) holds changes not yet in the file, and reading it needs a -shm file that cannot be created in this folder; open it once with write access (or copy the file with its -wal to a writable folder)", .path.display())]
    PendingLog { path: PathBuf },
    #[error("cannot open {}: {source}", .path.display())]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("cannot read the schema of {}: {source}", .path.display())]
    Schema {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("the entity `{0}` does not exist in this data source")]
    UnknownEntity(String),
    #[error("cannot compile the segment to SQL: {0}")]
    Compile(#[from] segment_sql::Error),
    /// The count was cancelled (a newer preview replaced it, or the caller interrupted it).
    #[error("the count was cancelled")]
    Cancelled,
    /// A statement ran past the data source's time limit ([`crate::Limits::time`]). Compiled
    /// conditions use indexes, so in practice this is a raw SQL condition that does too much.
    #[error(
        "the SQL condition ran longer than {} s and was stopped (the time limit of a count); make it simpler or more selective",
        seconds(.0)
    )]
    TimeLimit(Duration),
    /// A statement needed more memory than the data source's limit ([`crate::Limits::heap_bytes`]).
    #[error(
        "the SQL condition used more than {} MB of memory and was stopped (the memory limit of a count)",
        .0 / (1 << 20)
    )]
    MemoryLimit(u64),
    /// A statement touched something the read-only sandbox forbids (a write, ATTACH, a PRAGMA…).
    #[error("not allowed in a read-only data source: {0}")]
    NotAllowed(String),
    #[error("the query failed: {}", failure_of(.source))]
    Query { source: rusqlite::Error },
    /// A request this data source cannot serve (e.g. an overlap of more than 3 segments).
    #[error("cannot compute {0}")]
    Unsupported(String),
    /// Something that should not happen (a negative count from SQLite…).
    #[error("internal error: {0}")]
    Internal(String),
    #[error("cannot write the demo data to {}: {source}", .path.display())]
    Demo {
        path: PathBuf,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Classifies an error raised while running a query.
    pub(crate) fn from_query(source: rusqlite::Error) -> Self {
        use rusqlite::ffi::ErrorCode;
        match source.sqlite_error_code() {
            Some(ErrorCode::OperationInterrupted) => Error::Cancelled,
            Some(ErrorCode::AuthorizationForStatementDenied) => {
                Error::NotAllowed(message_of(&source))
            }
            Some(ErrorCode::ReadOnly) => Error::NotAllowed(message_of(&source)),
            _ if message_of(&source).starts_with("not authorized") => {
                Error::NotAllowed(message_of(&source))
            }
            _ => Error::Query { source },
        }
    }
}

/// What went wrong, without the statement: SQLite's message and, for an input error, where in
/// the statement (the statement itself can be hundreds of kilobytes for a long value list).
fn failure_of(err: &rusqlite::Error) -> String {
    match err {
        rusqlite::Error::SqlInputError { msg, offset, .. } => {
            format!("{msg} (at byte {offset} of the statement)")
        }
        other => segment_model::text::bound(message_of(other), segment_model::text::MAX_MESSAGE),
    }
}

fn message_of(err: &rusqlite::Error) -> String {
    match err {
        rusqlite::Error::SqliteFailure(_, Some(msg)) => msg.clone(),
        other => other.to_string(),
    }
}

/// A duration in seconds as people write it: `30`, `0.25`.
fn seconds(d: &Duration) -> String {
    let text = format!("{:.3}", d.as_secs_f64());
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}
