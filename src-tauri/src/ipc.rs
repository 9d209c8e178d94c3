//! What crosses the IPC boundary: requests, responses and errors. Every type derives `ts_rs::TS`;
//! the TypeScript in `ui/src/bindings/` is generated from these (see `tests/bindings.rs`).

use segment_model::{DataType, Operator, Problem, Schema, Segment};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The open data source as the builder needs it: where it is, its schema, and the operators
/// each attribute type offers.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SourceInfo {
    /// The SQLite file.
    pub path: String,
    /// Whether it is the built-in demo data.
    pub demo: bool,
    pub schema: Schema,
    /// The entity a new segment selects (the schema's root entity, e.g. `profiles`).
    pub default_entity: Option<String>,
    /// The natural "evaluate as of" instant of this data (RFC 3339), if it has one: the demo
    /// data ends at a fixed date, so relative dates are computed from there by default.
    pub default_now: Option<String>,
    /// Every attribute type with its label and operators, in the order the builder offers them.
    pub types: Vec<TypeInfo>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TypeInfo {
    pub data_type: DataType,
    pub label: String,
    pub operators: Vec<OperatorInfo>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct OperatorInfo {
    pub operator: Operator,
    pub label: String,
    /// Takes no value ("is null", "is true"…).
    pub unary: bool,
}

/// Count the records a segment selects.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[ts(export)]
pub struct PreviewRequest {
    /// The canonical tree. Kept as JSON here so that a malformed tree comes back as located
    /// problems rather than as a failed call.
    #[ts(as = "Segment")]
    pub segment: serde_json::Value,
    /// Overrides the segment's base entity.
    #[serde(default)]
    pub entity: Option<String>,
    /// "Evaluate as of" (RFC 3339, or a date); absent: the source's default, else the clock.
    #[serde(default)]
    pub now: Option<String>,
    /// Numbered by the caller, increasing: a newer request cancels the count of an older one.
    #[ts(type = "number")]
    pub request_id: u64,
}

/// How far the count engine's load of the open data has come (while it loads; previews count
/// with SQL meanwhile).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct EngineProgress {
    /// Rows read of all the data, 0 to 100.
    pub percent: f64,
    /// At the pace so far; absent until a few rows are read.
    #[ts(type = "number | null")]
    pub seconds_left: Option<u64>,
    /// "3.2M of 10.6M rows (1 of 3 tables), about 25 s left".
    pub text: String,
}

/// The result of a preview. Validation problems are data (with `count` absent), not errors.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PreviewResponse {
    #[ts(type = "number")]
    pub request_id: u64,
    /// What is wrong with the segment, each at the node it is about; empty when it is valid.
    pub problems: Vec<Problem>,
    /// Matching records (absent when the segment has problems).
    #[ts(type = "number | null")]
    pub count: Option<u64>,
    /// All records of the entity.
    #[ts(type = "number | null")]
    pub total: Option<u64>,
    /// How the count was made (absent when the segment has problems).
    pub engine: Option<crate::counting::CountEngine>,
    /// Why the count was made in SQL rather than in memory, when it was.
    pub notice: Option<String>,
    /// Every node's count alone and the segment's count without it (absent when the segment
    /// has problems, or when SQL counting is too slow to repeat for every node).
    pub nodes: Option<Vec<crate::counting::NodeCountInfo>>,
    /// The SQL equivalent of the segment, values inlined for reading (counting binds them).
    pub sql: Option<String>,
    /// The database whose dialect `sql` is written in ("SQLite", "PostgreSQL", "Spark"): the
    /// open data source's.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub sql_dialect: Option<String>,
    /// The instant relative dates were computed from (RFC 3339).
    pub now: String,
    #[ts(type = "number")]
    pub elapsed_ms: u64,
}

/// What kind of failure an [`AppError`] is: one list for every command, exported to TypeScript
/// (the UI compares kinds against this union, never against strings of its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorKind {
    /// The request itself is malformed (not a segment problem).
    InvalidRequest,
    /// The data source could not be created, opened or read.
    Source,
    /// The segment could not be compiled to SQL.
    Compile,
    /// Counting failed.
    Query,
    /// The SQL tried something the read-only sandbox forbids.
    NotAllowed,
    /// A newer request replaced this one.
    Cancelled,
    Internal,
    /// The library: a segment id that breaks the id rule (or a reserved file name).
    InvalidId,
    /// The library: a field's value is refused.
    Invalid,
    NotFound,
    RevisionNotFound,
    EvaluationNotFound,
    /// Someone else saved the segment meanwhile (`expectedRevision`).
    RevisionConflict,
    AlreadyExists,
    /// Memberships change only on active static segments.
    NotActiveStatic,
    /// An input file's lines are refused (`problems` lists them).
    MalformedInput,
    NotAStore,
    TooNew,
    Open,
    Io,
    Database,
    Corrupt,
    /// A definition does not import (`definition` says where).
    Definition,
    /// An import stopped (nothing written): values do not fit their column's type.
    BadValues,
    /// A file the user did not choose (in a dialog, by dropping it or by confirming it).
    PathNotAllowed,
}

impl ErrorKind {
    /// The HTTP-like status of this kind: 400 bad input, 403 a file not chosen, 404 not found,
    /// 409 conflict, 500 otherwise.
    pub fn status(self) -> u16 {
        use ErrorKind as K;
        match self {
            K::InvalidRequest
            | K::Compile
            | K::NotAllowed
            | K::InvalidId
            | K::Invalid
            | K::MalformedInput
            | K::Definition
            | K::BadValues => 400,
            K::PathNotAllowed => 403,
            K::NotFound | K::RevisionNotFound | K::EvaluationNotFound => 404,
            K::RevisionConflict | K::AlreadyExists | K::NotActiveStatic | K::Cancelled => 409,
            K::Source
            | K::Query
            | K::Internal
            | K::NotAStore
            | K::TooNew
            | K::Open
            | K::Io
            | K::Database
            | K::Corrupt => 500,
        }
    }

    /// The kind of a library error (`segment_store::Error::kind`).
    fn of_store(e: &segment_store::Error) -> Self {
        use ErrorKind as K;
        match e.kind() {
            "invalid_id" => K::InvalidId,
            "invalid" => K::Invalid,
            "not_found" => K::NotFound,
            "revision_not_found" => K::RevisionNotFound,
            "evaluation_not_found" => K::EvaluationNotFound,
            "revision_conflict" => K::RevisionConflict,
            "already_exists" => K::AlreadyExists,
            "not_active_static" => K::NotActiveStatic,
            "malformed_input" => K::MalformedInput,
            "not_a_store" => K::NotAStore,
            "too_new" => K::TooNew,
            "open" => K::Open,
            "io" => K::Io,
            "database" => K::Database,
            "corrupt" => K::Corrupt,
            _ => K::Internal,
        }
    }
}

/// Every command's failure, in one shape: serializable, never a bare string, with a conversion
/// from each crate's error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{message}")]
#[ts(export)]
pub struct AppError {
    pub kind: ErrorKind,
    pub message: String,
    /// JSON Pointer of the node concerned, when there is one.
    pub path: Option<String>,
    /// 400 bad input, 403 a file not chosen, 404 not found, 409 conflict, 500 otherwise.
    pub status: u16,
    /// A rejected input file's problems, each with its line.
    pub problems: Vec<segment_store::LineProblem>,
    /// Where a definition stops reading (kind `definition`).
    pub definition: Option<segment_service::DefinitionError>,
}

impl AppError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        AppError {
            kind,
            message: message.into(),
            path: None,
            status: kind.status(),
            problems: Vec::new(),
            definition: None,
        }
    }

    /// The same error, about the part of the request at `path` (a JSON Pointer).
    pub fn at(mut self, path: Option<String>) -> Self {
        self.path = path;
        self
    }
}

impl From<segment_store::Error> for AppError {
    fn from(e: segment_store::Error) -> Self {
        let problems = match &e {
            segment_store::Error::Lines(p) => p.clone(),
            _ => Vec::new(),
        };
        AppError {
            kind: ErrorKind::of_store(&e),
            status: e.status(),
            message: e.to_string(),
            path: None,
            problems,
            definition: None,
        }
    }
}

impl From<segment_service::DefinitionError> for AppError {
    fn from(e: segment_service::DefinitionError) -> Self {
        AppError {
            message: e.message.clone(),
            path: e.path.clone(),
            definition: Some(e),
            ..AppError::new(ErrorKind::Definition, "")
        }
    }
}

impl From<segment_source::Error> for AppError {
    fn from(e: segment_source::Error) -> Self {
        use segment_source::Error as E;
        let kind = match &e {
            E::Cancelled => ErrorKind::Cancelled,
            E::NotAllowed(_) => ErrorKind::NotAllowed,
            E::Compile(_) => ErrorKind::Compile,
            E::Query { .. } => ErrorKind::Query,
            E::UnknownEntity(_) => ErrorKind::InvalidRequest,
            E::Internal(_) => ErrorKind::Internal,
            _ => ErrorKind::Source,
        };
        AppError::new(kind, e.to_string())
    }
}

impl From<segment_service::SnapshotsError> for AppError {
    fn from(e: segment_service::SnapshotsError) -> Self {
        AppError::new(ErrorKind::Io, e.to_string())
    }
}

impl From<segment_service::Error> for AppError {
    fn from(e: segment_service::Error) -> Self {
        use segment_service::Error as E;
        match e {
            E::Source(source) => source.into(),
            E::Request { message, path } => {
                AppError::new(ErrorKind::InvalidRequest, message).at(path)
            }
            E::RawSql { message, path } => AppError::new(ErrorKind::Query, message).at(Some(path)),
            E::Import(e) => crate::data::import_error(e),
            e => {
                let kind = match &e {
                    E::Cancelled => ErrorKind::Cancelled,
                    E::Sql(_) => ErrorKind::Compile,
                    E::EngineUnavailable(_) | E::Warehouse { .. } | E::SourceUnavailable { .. } => {
                        ErrorKind::Source
                    }
                    _ => ErrorKind::InvalidRequest,
                };
                AppError::new(kind, e.to_string())
            }
        }
    }
}
