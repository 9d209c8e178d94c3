//! Everything that can go wrong in the store, each naming what it concerns.

use std::borrow::Cow;
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

/// Most characters of user text (an id, a member, a name, a value) a message repeats.
pub const MAX_SHOWN: usize = 80;

/// Most characters of a message: a backstop for text that reaches one unclipped (a library's
/// error, e.g. serde's, quoting a value in full).
pub const MAX_MESSAGE: usize = 600;

/// User text as a message shows it: at most [`MAX_SHOWN`] characters, then "…". The line
/// already locates it; repeating a 2 MB member id in full would flood the UI and logs.
pub fn clip(text: &str) -> Cow<'_, str> {
    match text.char_indices().nth(MAX_SHOWN) {
        None => Cow::Borrowed(text),
        Some((end, _)) => Cow::Owned(format!("{}…", &text[..end])),
    }
}

/// User text clipped and quoted as `{:?}` would (escapes included).
pub fn quoted(text: &str) -> String {
    format!("{:?}", clip(text))
}

/// `text` with every run of more than [`MAX_SHOWN`] non-blank characters clipped (such a run is
/// echoed input, e.g. a value serde quotes), then bounded to [`MAX_MESSAGE`] characters,
/// keeping its head and tail.
pub(crate) fn bound(text: String) -> String {
    let mut run = 0;
    let text = if text.chars().any(|c| {
        run = if c.is_whitespace() { 0 } else { run + 1 };
        run > MAX_SHOWN
    }) {
        let mut out = String::with_capacity(text.len().min(4 * MAX_MESSAGE));
        let mut run = 0;
        for c in text.chars() {
            run = if c.is_whitespace() { 0 } else { run + 1 };
            if run <= MAX_SHOWN {
                out.push(c);
            } else if run == MAX_SHOWN + 1 {
                out.push('…');
            }
        }
        out
    } else {
        text
    };
    let count = text.chars().count();
    if count <= MAX_MESSAGE {
        return text;
    }
    let head: String = text.chars().take(MAX_MESSAGE * 2 / 3).collect();
    let tail: String = text.chars().skip(count - MAX_MESSAGE / 3).collect();
    format!("{head} … {tail}")
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
            | Error::NotActiveStatic { .. } => 409,
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
