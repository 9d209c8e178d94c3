//! Why a query could not be compiled.

/// Why a query could not be compiled to SQL. Every variant names the construct, so the caller
/// can tell the user which part of the segment a renderer or dialect cannot express.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The dialect has no way to express this construct.
    #[error("{dialect} SQL cannot express {construct}")]
    Unsupported {
        dialect: &'static str,
        construct: String,
    },

    /// An identifier that no SQL engine accepts (empty, or containing a NUL character).
    #[error("invalid identifier {0:?}")]
    InvalidIdentifier(String),

    /// A column (or relationship) used where records of another entity are filtered: the IR
    /// is inconsistent.
    #[error("{what} belongs to {found:?} but is used where {expected:?} records are filtered")]
    WrongEntity {
        what: String,
        expected: String,
        found: String,
    },

    /// A predicate applied to a column whose storage cannot support it.
    #[error("{predicate} cannot apply to column {column:?} stored as {storage}")]
    Storage {
        predicate: &'static str,
        column: String,
        storage: String,
    },

    /// NaN or infinity: no SQL literal or comparison means the same thing everywhere.
    #[error("the number {0} cannot be used in SQL")]
    NonFiniteNumber(f64),

    /// A count too large for a signed 64-bit integer.
    #[error("the count {0} is too large")]
    CountTooLarge(u64),

    /// A raw SQL condition that is not a single well-formed expression.
    #[error("raw SQL condition rejected: {0}")]
    RawSql(String),
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
