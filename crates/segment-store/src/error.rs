//! Everything that can go wrong in the store, each naming what it concerns.

use std::path::PathBuf;

use serde::Serialize;

/// A problem at a place in an input: a file and a line (bulk commands, imported files).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct LineProblem {
    /// The file, or `-`/empty for text that came without a name.
    pub source: String,
    /// 1-based line (0 when the problem concerns the whole input).
    #[ts(type = "number")]
    pub line: u64,
    pub message: String,
}

impl LineProblem {
    /// A problem whose message is bounded (see [`bound`]).
    pub fn new(source: impl Into<String>, line: u64, message: impl Into<String>) -> Self {
        LineProblem {
            source: source.into(),
            line,
            message: bound(message.into()),
        }
    }
}

pub use segment_model::text::{clip, MAX_MESSAGE};

/// User text clipped and quoted as `{:?}` would (escapes included).
pub fn quoted(text: &str) -> String {
    format!("{:?}", clip(text))
}

/// `text` bounded as every message is (long runs clipped, at most [`MAX_MESSAGE`] characters).
pub(crate) fn bound(text: String) -> String {
    segment_model::text::bound(text, MAX_MESSAGE)
}

impl std::fmt::Display for LineProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.source.is_empty(), self.line) {
            (true, 0) => write!(f, "{}", self.message),
            (true, line) => write!(f, "line {line}: {}", self.message),
            (false, 0) => write!(f, "{}: {}", self.source, self.message),
            (false, line) => write!(f, "{}:{line}: {}", self.source, self.message),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 400: the id does not match `[a-z][a-z0-9_]*`.
    #[error("invalid segment id {}: an id starts with a letter and has only letters, digits and underscores ([a-z][a-z0-9_]*, at most 128 characters)", quoted(.id))]
    InvalidId { id: String },
    /// 400: the id is a device name Windows reserves (see `model::is_reserved_id`).
    #[error("segment id {} is a device name Windows reserves (con, prn, aux, nul, com1–com9, lpt1–lpt9): its file {id}.json could not be saved there; choose another id, e.g. {id}_segment", quoted(.id))]
    ReservedId { id: String },
    /// 400: a field's value is not accepted.
    #[error("invalid {field}: {message}")]
    Invalid { field: String, message: String },
    /// 404, as the seed API words it.
    #[error("Segment not found. (id {})", quoted(.id))]
    NotFound { id: String },
    #[error("segment {} has no revision {revision}", quoted(.id))]
    RevisionNotFound { id: String, revision: i64 },
    #[error("no evaluation {0}")]
    EvaluationNotFound(i64),
    /// 409: the caller edited an older revision than the stored one.
    #[error("segment {} is at revision {actual}, not {expected}: it was changed meanwhile; reload it and save again", quoted(.id))]
    RevisionConflict {
        id: String,
        expected: i64,
        actual: i64,
    },
    /// 409: the id is taken (create-only operations such as freeze).
    #[error("segment {} already exists", quoted(.id))]
    AlreadyExists { id: String },
    /// 409: memberships change only on ACTIVE STATIC segments.
    #[error("segment {} is {segment_type} and {status}: members can be added or removed only on ACTIVE STATIC segments", quoted(.id))]
    NotActiveStatic {
        id: String,
        segment_type: String,
        status: String,
    },
    /// 409: other segments refer to this one ("is in segment …"); `users`: "Name (id)".
    #[error("segment {} is used by {}: remove {} first", quoted(.id), .users.join(", "), if .users.len() == 1 { "that reference" } else { "those references" })]
    InUse { id: String, users: Vec<String> },
    /// Malformed or rejected lines of an input, each located; nothing was applied.
    #[error("{} problem(s), nothing applied: {}", .0.len(), join(.0))]
    Lines(Vec<LineProblem>),
    #[error("{} is not a segment library (a SQLite file of another application, or not SQLite)", .path.display())]
    NotAStore { path: PathBuf },
    #[error("{} was written by a newer Segment Builder (schema {found}; this build knows up to {supported})", .path.display())]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("cannot open the segment library {}: {source}", .path.display())]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the segment library failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
}

fn join(problems: &[LineProblem]) -> String {
    let shown: Vec<String> = problems.iter().take(20).map(|p| p.to_string()).collect();
    let more = problems.len().saturating_sub(shown.len());
    if more > 0 {
        format!("{}; and {more} more", shown.join("; "))
    } else {
        shown.join("; ")
    }
}

impl Error {
    /// The HTTP-style status of the error (400 bad input, 404 not found, 409 conflict, 500).
    pub fn status(&self) -> u16 {
        match self {
            Error::InvalidId { .. }
            | Error::ReservedId { .. }
            | Error::Invalid { .. }
            | Error::Lines(_) => 400,
            Error::NotFound { .. }
            | Error::RevisionNotFound { .. }
            | Error::EvaluationNotFound(_) => 404,
            Error::RevisionConflict { .. }
            | Error::AlreadyExists { .. }
            | Error::NotActiveStatic { .. }
            | Error::InUse { .. } => 409,
            _ => 500,
        }
    }

    /// A short machine-readable kind, for IPC and JSON output.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::InvalidId { .. } | Error::ReservedId { .. } => "invalid_id",
            Error::Invalid { .. } => "invalid",
            Error::NotFound { .. } => "not_found",
            Error::RevisionNotFound { .. } => "revision_not_found",
            Error::EvaluationNotFound(_) => "evaluation_not_found",
            Error::RevisionConflict { .. } => "revision_conflict",
            Error::AlreadyExists { .. } => "already_exists",
            Error::NotActiveStatic { .. } => "not_active_static",
            Error::InUse { .. } => "in_use",
            Error::Lines(_) => "malformed_input",
            Error::NotAStore { .. } => "not_a_store",
            Error::TooNew { .. } => "too_new",
            Error::Open { .. } => "open",
            Error::Io { .. } => "io",
            Error::Sqlite(_) => "database",
            Error::Corrupt(_) => "corrupt",
        }
    }

    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Self {
        Error::Invalid {
            field: field.to_string(),
            message: bound(message.into()),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
