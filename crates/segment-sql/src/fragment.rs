//! The small SQL tree the compiler produces and the renderer prints: fragments of SQL text with
//! values kept apart (bound or inlined only when rendered), boolean structure for layout, and
//! sub-selects.

use crate::value::SqlValue;

/// A piece of SQL: text, values (rendered as placeholders or inlined literals) and nested
/// sub-selects (rendered as indented blocks). Dialects build their expressions with it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Fragment {
    pub(crate) pieces: Vec<Piece>,
    /// The whole fragment is one parenthesised group (so NOT need not add another).
    pub(crate) wrapped: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Piece {
    Sql(String),
    Value(SqlValue),
    Subquery(Box<Select>),
    /// A remark for readers (e.g. the date of a Unix time), written only in displayed SQL.
    Note(String),
    /// `lhs IN (select)` / `lhs NOT IN (select)`: a record's related records, kept whole so
    /// several counts in one statement can join the select once instead ([`crate::counts`]).
    KeyIn(Box<KeyIn>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct KeyIn {
    /// The outer record's join column (a qualified column, no values).
    pub lhs: Fragment,
    pub negated: bool,
    pub select: Select,
}

impl Fragment {
    /// An empty fragment.
    pub fn new() -> Self {
        Fragment {
            pieces: Vec::new(),
            wrapped: false,
        }
    }

    /// A fragment of SQL text.
    pub fn sql(text: impl Into<String>) -> Self {
        Fragment::new().text(text)
    }

    /// A fragment holding a single value.
    pub fn value(value: impl Into<SqlValue>) -> Self {
        Fragment::new().param(value)
    }

    /// Appends SQL text.
    pub fn text(mut self, text: impl Into<String>) -> Self {
        let text = text.into();
        self.wrapped &= text.is_empty();
        if let Some(Piece::Sql(last)) = self.pieces.last_mut() {
            last.push_str(&text);
        } else if !text.is_empty() {
            self.pieces.push(Piece::Sql(text));
        }
        self
    }

    /// Appends a value: a bound parameter in executable SQL, a literal in displayed SQL.
    pub fn param(mut self, value: impl Into<SqlValue>) -> Self {
        self.wrapped = false;
        self.pieces.push(Piece::Value(value.into()));
        self
    }

    /// Appends another fragment.
    pub fn append(mut self, other: &Fragment) -> Self {
        for piece in &other.pieces {
            self = match piece {
                Piece::Sql(text) => self.text(text.as_str()),
                Piece::Value(_) | Piece::Subquery(_) | Piece::Note(_) | Piece::KeyIn(_) => {
                    self.wrapped = false;
                    self.pieces.push(piece.clone());
                    self
                }
            };
        }
        self
    }

    /// Appends values separated by `, ` (for `IN (…)` lists).
    pub fn params(mut self, values: impl IntoIterator<Item = SqlValue>) -> Self {
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self = self.text(", ");
            }
            self = self.param(value);
        }
        self
    }

    /// Appends a remark shown only in displayed SQL, as a `/* … */` comment.
    pub fn note(mut self, remark: &str) -> Self {
        self.pieces.push(Piece::Note(remark.replace("*/", "* /")));
        self
    }

    /// Appends `lhs IN (select)` (`negated`: `NOT IN`).
    pub(crate) fn key_in(mut self, lhs: &Fragment, negated: bool, select: Select) -> Self {
        self.wrapped = false;
        self.pieces.push(Piece::KeyIn(Box::new(KeyIn {
            lhs: lhs.clone(),
            negated,
            select,
        })));
        self
    }

    pub(crate) fn subquery(mut self, select: Select) -> Self {
        self.wrapped = false;
        self.pieces.push(Piece::Subquery(Box::new(select)));
        self
    }

    /// The fragment's text when it holds no value and no sub-select (an expression a dialect's
    /// hooks wrote over quoted names alone), for statements assembled outside the compiler;
    /// `None` otherwise. Notes for readers are left out.
    pub fn plain_sql(&self) -> Option<String> {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Sql(text) => out.push_str(text),
                Piece::Note(_) => {}
                Piece::Value(_) | Piece::Subquery(_) | Piece::KeyIn(_) => return None,
            }
        }
        Some(out)
    }

    /// This fragment in parentheses.
    pub fn parens(self) -> Self {
        let mut wrapped = Fragment::sql("(").append(&self).text(")");
        wrapped.wrapped = true;
        wrapped
    }
}

/// Boolean structure, kept for layout: AND/OR chains go one operand per line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cond {
    /// An expression safe as an operand of AND, OR and NOT (compound atoms carry their own
    /// parentheses).
    Atom(Fragment),
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
}

/// A SELECT statement.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Select {
    pub columns: Fragment,
    pub from: Fragment,
    pub filter: Option<Cond>,
    pub group_by: Option<Fragment>,
    pub having: Option<Fragment>,
    pub order_by: Option<Fragment>,
    pub limit: Option<Fragment>,
}
