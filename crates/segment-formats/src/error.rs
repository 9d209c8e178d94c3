//! Errors of every translator: what a renderer cannot express (named, at its node), and what a
//! parser cannot read or the tree cannot represent (named, at its position, with a hint).

use std::fmt;

use serde::Serialize;

use crate::Format;

/// Where a parse error is in the input: a line and column (1-based, columns in characters) for
/// text formats, a JSON Pointer for JSON formats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Position {
    Text { line: usize, column: usize },
    Json { pointer: String },
}

impl Position {
    /// The line and column of byte `offset` in `text` (clamped to the text).
    pub fn in_text(text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while offset > 0 && !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let column = before[line_start..].chars().count() + 1;
        Position::Text { line, column }
    }

    pub fn json(pointer: impl Into<String>) -> Position {
        Position::Json {
            pointer: pointer.into(),
        }
    }

    /// With a JSON Pointer's long keys clipped (see [`bound_pointer`]).
    fn bounded(self) -> Position {
        match self {
            Position::Json { pointer } => Position::Json {
                pointer: bound_pointer(pointer),
            },
            text => text,
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Text { line, column } => write!(f, "line {line}, column {column}"),
            Position::Json { pointer } if pointer.is_empty() => write!(f, "the document root"),
            Position::Json { pointer } => write!(f, "{pointer}"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A renderer met a construct its format cannot express. `path` is a JSON Pointer into the
    /// canonical document (e.g. `/root/children/2`).
    #[error("{format} cannot express {construct} (at {path}){}", hint_suffix(.hint))]
    Unsupported {
        format: Format,
        construct: String,
        path: String,
        hint: String,
    },
    /// A renderer met a tree that does not fit the schema or has a malformed value.
    #[error("{message} (at {path})")]
    Invalid {
        format: Format,
        path: String,
        message: String,
    },
    /// The input is not well-formed in its format.
    #[error("{format}: {message} at {at}{}", hint_suffix(.hint))]
    Syntax {
        format: Format,
        at: Position,
        message: String,
        hint: String,
    },
    /// The input is well-formed but means something the condition tree cannot represent.
    #[error("{format}: {construct} at {at} cannot be imported{}", hint_suffix(.hint))]
    Unrepresentable {
        format: Format,
        construct: String,
        at: Position,
        hint: String,
    },
    /// Canonical JSON and Census molecules errors, from `segment_model`.
    #[error(transparent)]
    Model(#[from] segment_model::Error),
}

pub use segment_model::text::{clip, MAX_SHOWN};

/// Most characters of any one field of an error (message, construct, hint): a backstop for text
/// that reaches a message unclipped, so no input makes an unbounded error.
pub const MAX_FIELD: usize = 600;

fn bound(text: String) -> String {
    segment_model::text::bound(text, MAX_FIELD)
}

/// A JSON Pointer with every key longer than [`MAX_SHOWN`] clipped: a key can be as long as the
/// input, while the format's own keys and indices are short, so deep pointers stay exact.
fn bound_pointer(pointer: String) -> String {
    if pointer.split('/').all(|key| key.len() <= MAX_SHOWN) {
        return pointer;
    }
    pointer.split('/').map(clip).collect::<Vec<_>>().join("/")
}

/// A `segment_model` error with its messages bounded like this crate's own.
pub(crate) fn bound_model(e: segment_model::Error) -> Error {
    use segment_model::{Error as M, Problem};
    let problem = |p: Problem| Problem::new(bound_pointer(p.path), bound(p.message));
    Error::Model(match e {
        M::Json {
            line,
            column,
            message,
        } => M::Json {
            line,
            column,
            message: bound(message),
        },
        M::Format(p) => M::Format(problem(p)),
        // Many problems each bounded can still be long: keep the first ones.
        M::Invalid(ps) => {
            let total = ps.len();
            let mut kept: Vec<Problem> = ps.into_iter().take(20).map(problem).collect();
            if total > kept.len() {
                kept.push(Problem::new("", format!("and {} more", total - kept.len())));
            }
            M::Invalid(kept)
        }
    })
}

fn hint_suffix(hint: &str) -> String {
    if hint.is_empty() {
        String::new()
    } else {
        format!(". {hint}")
    }
}

impl Error {
    pub(crate) fn unsupported(
        format: Format,
        construct: impl Into<String>,
        path: &str,
        hint: impl Into<String>,
    ) -> Self {
        Error::Unsupported {
            format,
            construct: bound(construct.into()),
            path: bound_pointer(path.to_string()),
            hint: bound(hint.into()),
        }
    }

    pub(crate) fn invalid(format: Format, path: &str, message: impl Into<String>) -> Self {
        Error::Invalid {
            format,
            path: bound_pointer(path.to_string()),
            message: bound(message.into()),
        }
    }

    pub(crate) fn syntax(
        format: Format,
        at: Position,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Error::Syntax {
            format,
            at: at.bounded(),
            message: bound(message.into()),
            hint: bound(hint.into()),
        }
    }

    pub(crate) fn unrepresentable(
        format: Format,
        construct: impl Into<String>,
        at: Position,
        hint: impl Into<String>,
    ) -> Self {
        Error::Unrepresentable {
            format,
            construct: bound(construct.into()),
            at: at.bounded(),
            hint: bound(hint.into()),
        }
    }

    /// The format the error is about, where it is known.
    pub fn format(&self) -> Option<Format> {
        match self {
            Error::Unsupported { format, .. }
            | Error::Invalid { format, .. }
            | Error::Syntax { format, .. }
            | Error::Unrepresentable { format, .. } => Some(*format),
            Error::Model(_) => None,
        }
    }

    /// The node path (renderers) where the error is, if it is about a node of the tree.
    pub fn path(&self) -> Option<&str> {
        match self {
            Error::Unsupported { path, .. } | Error::Invalid { path, .. } => Some(path),
            Error::Syntax { .. } | Error::Unrepresentable { .. } | Error::Model(_) => None,
        }
    }

    /// The input position (parsers) where the error is.
    pub fn position(&self) -> Option<&Position> {
        match self {
            Error::Syntax { at, .. } | Error::Unrepresentable { at, .. } => Some(at),
            Error::Unsupported { .. } | Error::Invalid { .. } | Error::Model(_) => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
