//! The service's failures. Each front end turns them into its own words once (the CLI's
//! `error:` lines, the app's tagged IPC error), from this one enum.

use segment_model::Problem;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The segment does not fit the data: every problem, each at its JSON Pointer.
    #[error("the segment has {} problem(s){}", .0.len(), first_problem(.0))]
    Invalid(Vec<Problem>),
    /// A request the service cannot act on (bad "now", wrong number of segments…).
    #[error("{message}")]
    Request {
        message: String,
        /// Where in the request (a JSON Pointer), when it is about one part of it.
        path: Option<String>,
    },
    /// A newer request replaced this one.
    #[error("a newer request replaced this one")]
    Cancelled,
    /// The in-memory engine cannot hold or judge this data or segment, and the operation has no
    /// SQL path.
    #[error("{0}")]
    EngineUnavailable(String),
    #[error(transparent)]
    Source(segment_source::Error),
    #[error(transparent)]
    Import(#[from] segment_import::Error),
    #[error("cannot compile the segment to SQL: {0}")]
    Sql(#[from] segment_sql::Error),
    /// The SQL failed because of one raw SQL condition: the SQL engine's message, shortened,
    /// with the position inside the condition's text.
    #[error("the SQL condition at {path} fails: {message}")]
    RawSql { message: String, path: String },
    /// A warehouse (PostgreSQL, Spark) failed: `kind` names what (`unreachable`,
    /// `authentication`, `permission`, `timeout`…), the message says where and what to do.
    #[error("{message}")]
    Warehouse {
        source_kind: &'static str,
        kind: &'static str,
        message: String,
    },
    /// A kind of data source this build cannot open.
    #[error("{kind} data sources are not available in this version (cannot open {location})")]
    SourceUnavailable { kind: String, location: String },
}

fn first_problem(problems: &[Problem]) -> String {
    problems
        .first()
        .map(|p| format!(": {} ({})", p.message, p.path))
        .unwrap_or_default()
}

impl From<segment_source::Error> for Error {
    fn from(e: segment_source::Error) -> Self {
        match e {
            segment_source::Error::Cancelled => Error::Cancelled,
            e => Error::Source(e),
        }
    }
}

impl From<segment_engine::Error> for Error {
    fn from(e: segment_engine::Error) -> Self {
        match e {
            segment_engine::Error::Cancelled => Error::Cancelled,
            e => Error::EngineUnavailable(e.to_string()),
        }
    }
}

impl Error {
    pub fn request(message: impl Into<String>) -> Self {
        Error::Request {
            message: message.into(),
            path: None,
        }
    }
}
