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

/// A field of the tree in the builder's words.
fn field_label(field: &str) -> String {
    let label = match field {
        "attribute" => "Attribute",
        "operator" => "Operator",
        "value" => "Value",
        "case_sensitive" => "Match case",
        "sql" => "SQL",
        "relationship" => "Related records",
        "constraint" => "How many",
        "window" => "When",
        "filter" => "Conditions on related records",
        "combinator" => "AND / OR",
        "entity" => "Records",
        other => return capitalize(&other.replace('_', " ")),
    };
    label.to_string()
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The text between the first pair of backticks after `prefix`, if `message` starts with it.
fn quoted_after<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = message.strip_prefix(prefix)?;
    Some(&rest[..rest.find('`')?])
}

/// serde's wording of a malformed tree, said for people: no Rust types, no backticks.
fn plain_words(message: &str) -> String {
    if let Some(variant) = quoted_after(message, "unknown variant `") {
        return format!("“{variant}” is not one of the choices");
    }
    if let Some(field) = quoted_after(message, "unknown field `") {
        let known = message
            .split_once(", expected ")
            .map(|(_, known)| format!(" (expected {})", known.replace('`', "")))
            .unwrap_or_default();
        return format!("“{field}” is not a field here{known}");
    }
    if let Some(field) = quoted_after(message, "missing field `") {
        return format!("{} is missing", field_label(field));
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        if let Some((found, expected)) = rest.split_once(", expected ") {
            return capitalize(&format!("expected {expected}, not {found}").replace('`', ""));
        }
    }
    message.replace('`', "")
}

impl Error {
    pub fn from_json(err: &serde_json::Error) -> Self {
        let message = err.to_string();
        // serde_json appends " at line L column C"; keep the message without it.
        let message = match message.rfind(" at line ") {
            Some(i) => plain_words(&message[..i]),
            None => plain_words(&message),
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

#[cfg(test)]
mod tests {
    use super::plain_words;

    #[test]
    fn serde_messages_are_said_in_the_builders_words() {
        assert_eq!(
            plain_words("unknown variant `xor`, expected `and` or `or`"),
            "“xor” is not one of the choices"
        );
        assert_eq!(
            plain_words("missing field `operator`"),
            "Operator is missing"
        );
        assert_eq!(
            plain_words("missing field `time_unit`"),
            "Time unit is missing"
        );
        assert_eq!(
            plain_words("invalid type: string \"x\", expected u64"),
            "Expected u64, not string \"x\""
        );
        assert_eq!(plain_words("trailing `comma`"), "trailing comma");
    }
}
