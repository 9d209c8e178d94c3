use serde::Serialize;
use ts_rs::TS;

/// One thing wrong with a segment, located at a node. `path` is a JSON Pointer into the document
/// as written (canonical or Census), e.g. `/root/children/2/value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

impl Problem {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not valid JSON at line {line}, column {column}: {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{0}")]
    Format(Problem),
    #[error("the segment has {} problem(s): {}", .0.len(), join(.0))]
    Invalid(Vec<Problem>),
}

fn join(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

impl Error {
    pub fn from_json(err: &serde_json::Error) -> Self {
        let message = err.to_string();
        // serde_json appends " at line L column C"; keep the message without it.
        let message = match message.rfind(" at line ") {
            Some(i) => message[..i].to_string(),
            None => message,
        };
        Error::Json {
            line: err.line(),
            column: err.column(),
            message,
        }
    }

    pub fn format(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Format(Problem::new(path, message))
    }

    /// The located problems this error carries.
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            Error::Json {
                line,
                column,
                message,
            } => {
                vec![Problem::new(
                    format!("line {line}, column {column}"),
                    message.clone(),
                )]
            }
            Error::Format(p) => vec![p.clone()],
            Error::Invalid(ps) => ps.clone(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
