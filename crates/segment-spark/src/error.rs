//! Errors of the Spark Connect client, each saying what to do about it.

use thiserror::Error;

pub type Result<T> = std::result::Result<T, Error>;

#[derive(Debug, Error)]
pub enum Error {
    #[error("`{url}` is not a Spark Connect address: {reason} (expected sc://host:port/;token=…)")]
    BadUrl { url: String, reason: String },
    #[error("Spark at {endpoint} cannot be reached ({detail}); check that the Spark Connect server runs and the host and port are right")]
    Unreachable { endpoint: String, detail: String },
    /// The TLS handshake failed; `problem` says why in plain words and what to do.
    #[error("Spark at {endpoint}: the encrypted connection (TLS) failed: {problem}")]
    Tls { endpoint: String, problem: String },
    #[error(
        "Spark at {endpoint} refused the credentials ({detail}); check the token (sc://…/;token=…)"
    )]
    Unauthenticated { endpoint: String, detail: String },
    #[error("Spark at {endpoint} denied access ({detail}); ask for read permission on the tables")]
    PermissionDenied { endpoint: String, detail: String },
    #[error("Spark refused the statement: {message}")]
    Spark {
        /// Spark's error class, e.g. `TABLE_OR_VIEW_NOT_FOUND`, when the message names one.
        class: Option<String>,
        message: String,
    },
    #[error("the Spark query was cancelled")]
    Cancelled,
    #[error("Spark's answer could not be read: {0}")]
    Answer(String),
    #[error("Spark at {endpoint} has no table this app can read in {database}; check the database name (--schema) and read permissions")]
    NoTables { endpoint: String, database: String },
    #[error("there is no table `{0}` in this Spark database")]
    UnknownEntity(String),
    #[cfg(feature = "source")]
    #[error(transparent)]
    Sql(#[from] segment_sql::Error),
}

impl Error {
    /// A gRPC status as the error a user can act on.
    pub(crate) fn from_status(endpoint: &str, status: &tonic::Status) -> Error {
        use tonic::Code;
        let detail = first_line(status.message());
        let endpoint = endpoint.to_string();
        match status.code() {
            Code::Unavailable | Code::DeadlineExceeded => Error::Unreachable { endpoint, detail },
            Code::Unauthenticated => Error::Unauthenticated { endpoint, detail },
            Code::PermissionDenied => Error::PermissionDenied { endpoint, detail },
            Code::Cancelled => Error::Cancelled,
            _ => Error::Spark {
                class: error_class(status.message()),
                message: detail,
            },
        }
    }

    /// A short name of what failed, for the front ends (`unreachable`, `authentication`…).
    pub fn kind(&self) -> &'static str {
        match self {
            Error::BadUrl { .. } => "location",
            Error::Unreachable { .. } => "unreachable",
            Error::Tls { .. } => "tls",
            Error::Unauthenticated { .. } => "authentication",
            Error::PermissionDenied { .. } => "permission",
            Error::Spark { .. } => "query",
            Error::Cancelled => "cancelled",
            Error::Answer(_) => "answer",
            Error::NoTables { .. } => "no_tables",
            Error::UnknownEntity(_) => "unknown_entity",
            #[cfg(feature = "source")]
            Error::Sql(_) => "sql",
        }
    }

    /// Spark's error class of a failed statement, if any.
    pub fn class(&self) -> Option<&str> {
        match self {
            Error::Spark { class, .. } => class.as_deref(),
            _ => None,
        }
    }
}

/// Spark writes its error class first: `[TABLE_OR_VIEW_NOT_FOUND] The table …`.
fn error_class(message: &str) -> Option<String> {
    let rest = message.trim_start().strip_prefix('[')?;
    let end = rest.find(']')?;
    let class = &rest[..end];
    let valid = !class.is_empty()
        && class
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '.');
    valid.then(|| class.to_string())
}

/// The first line, without Spark's multi-line query context.
fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or("").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_class_is_read_from_the_message() {
        assert_eq!(
            error_class("[TABLE_OR_VIEW_NOT_FOUND] The table `x` cannot be found."),
            Some("TABLE_OR_VIEW_NOT_FOUND".to_string())
        );
        assert_eq!(
            error_class("[INVALID_LIMIT_LIKE_EXPRESSION.DATA_TYPE] x"),
            Some("INVALID_LIMIT_LIKE_EXPRESSION.DATA_TYPE".to_string())
        );
        assert_eq!(error_class("no class here"), None);
    }

    #[test]
    fn statuses_become_actionable_errors() {
        let e = Error::from_status("h:1", &tonic::Status::unauthenticated("bad token"));
        assert!(e.to_string().contains("check the token"), "{e}");
        let e = Error::from_status(
            "h:1",
            &tonic::Status::internal("[DIVIDE_BY_ZERO] Division by zero.\nmore"),
        );
        assert_eq!(e.class(), Some("DIVIDE_BY_ZERO"));
        assert_eq!(
            e.to_string(),
            "Spark refused the statement: [DIVIDE_BY_ZERO] Division by zero."
        );
    }
}
