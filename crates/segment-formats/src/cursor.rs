//! The token cursor the text parsers (PQL text, OData) read with, and the scanning steps their
//! lexers share. Each format keeps its own token kind ([`Lexeme`]) and grammar; the cursor gives
//! them one way to look ahead, consume, expect, report "expected …, found …" at a line/column,
//! and bound nesting at [`SYNTAX_DEPTH`].

use std::ops::{Deref, DerefMut};

use crate::error::{Error, Position, Result};
use crate::{Format, SYNTAX_DEPTH};

/// A token kind a [`Cursor`] reads.
pub(crate) trait Lexeme: Clone {
    /// Whether this is the token after the last one.
    fn is_end(&self) -> bool;
    /// The word (identifier) this token is, if it is one.
    fn word(&self) -> Option<&str>;
    /// The symbol this token is, if it is one.
    fn sym(&self) -> Option<&str>;
    /// How the token is named in "expected …, found …".
    fn describe(&self) -> String;
}

/// The [`Lexeme`] methods of a token enum with `Ident(String)`, `Sym(&'static str)` and `End`
/// variants (inside its `impl Lexeme`, beside its own `describe`).
macro_rules! words_and_symbols {
    ($tok:ident) => {
        fn is_end(&self) -> bool {
            matches!(self, $tok::End)
        }

        fn word(&self) -> Option<&str> {
            match self {
                $tok::Ident(s) => Some(s),
                _ => None,
            }
        }

        fn sym(&self) -> Option<&str> {
            match self {
                $tok::Sym(s) => Some(s),
                _ => None,
            }
        }
    };
}
pub(crate) use words_and_symbols;

/// A token and the byte offset in the text it starts at.
#[derive(Debug, Clone)]
pub(crate) struct Token<T> {
    pub(crate) tok: T,
    pub(crate) at: usize,
}

/// Reads a token list ending in an end token; a parser holds one and derefs to it.
pub(crate) struct Cursor<'t, T> {
    pub(crate) text: &'t str,
    tokens: Vec<Token<T>>,
    pub(crate) pos: usize,
    depth: usize,
    format: Format,
    /// The hint of the "nested too deep" error.
    flatten: &'static str,
}

impl<'t, T: Lexeme> Cursor<'t, T> {
    /// A cursor at the first of `tokens`; `end` is appended unless the list already ends in an
    /// end token, so there is always a token to look at.
    pub(crate) fn new(
        format: Format,
        text: &'t str,
        mut tokens: Vec<Token<T>>,
        end: T,
        flatten: &'static str,
    ) -> Self {
        if !tokens.last().is_some_and(|t| t.tok.is_end()) {
            tokens.push(Token {
                tok: end,
                at: text.len(),
            });
        }
        Cursor {
            text,
            tokens,
            pos: 0,
            depth: 0,
            format,
            flatten,
        }
    }

    /// The current token (the end token once past the last).
    pub(crate) fn peek(&self) -> &T {
        let last = self.tokens.len().saturating_sub(1);
        &self.tokens[self.pos.min(last)].tok
    }

    /// The token `n` after the current one, if there is one.
    pub(crate) fn ahead(&self, n: usize) -> Option<&T> {
        self.tokens.get(self.pos + n).map(|t| &t.tok)
    }

    /// The byte offset of the current token.
    pub(crate) fn offset(&self) -> usize {
        self.tokens
            .get(self.pos)
            .map(|t| t.at)
            .unwrap_or(self.text.len())
    }

    /// The current token, moving past it (never past the end token).
    pub(crate) fn bump(&mut self) -> T {
        let tok = self.peek().clone();
        if self.pos < self.tokens.len() {
            self.pos += 1;
        }
        tok
    }

    pub(crate) fn error(
        &self,
        at: usize,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Error {
        Error::syntax(self.format, Position::in_text(self.text, at), message, hint)
    }

    /// "expected `expected`, found …" at the current token.
    pub(crate) fn unexpected(&self, expected: &str) -> Error {
        self.error(
            self.offset(),
            format!("expected {expected}, found {}", self.peek().describe()),
            "",
        )
    }

    /// The current token if it is a word `allowed` accepts, moving past it; else "expected
    /// `expected`" at it.
    pub(crate) fn take_word(
        &mut self,
        allowed: impl Fn(&str) -> bool,
        expected: &str,
    ) -> Result<String> {
        match self.peek().word() {
            Some(w) if allowed(w) => {
                let w = w.to_string();
                self.pos += 1;
                Ok(w)
            }
            _ => Err(self.unexpected(expected)),
        }
    }

    pub(crate) fn is_word(&self, word: &str) -> bool {
        self.peek().word() == Some(word)
    }

    pub(crate) fn eat_word(&mut self, word: &str) -> bool {
        if self.is_word(word) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    pub(crate) fn expect_word(&mut self, word: &str) -> Result<()> {
        if self.eat_word(word) {
            Ok(())
        } else {
            Err(self.unexpected(&format!("“{word}”")))
        }
    }

    pub(crate) fn eat_sym(&mut self, sym: &str) -> bool {
        if self.peek().sym() == Some(sym) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    pub(crate) fn expect_sym(&mut self, sym: &str) -> Result<()> {
        if self.eat_sym(sym) {
            Ok(())
        } else {
            Err(self.unexpected(&format!("“{sym}”")))
        }
    }

    /// One nesting level deeper; an error past [`SYNTAX_DEPTH`].
    pub(crate) fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > SYNTAX_DEPTH {
            return Err(self.too_deep());
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn too_deep(&self) -> Error {
        self.error(
            self.offset(),
            format!("nested more than {SYNTAX_DEPTH} levels deep"),
            self.flatten,
        )
    }

    pub(crate) fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }
}

/// A parser's state: the cursor, which it derefs to (`self.peek()`, `self.pos`), and the
/// variables (of lambdas, `exists`, `select`) in scope. Each format adds its grammar in its own
/// `impl` on its token kind.
pub(crate) struct Parser<'t, T> {
    pub(crate) cursor: Cursor<'t, T>,
    pub(crate) vars: Vec<String>,
}

impl<'t, T: Lexeme> Parser<'t, T> {
    pub(crate) fn new(cursor: Cursor<'t, T>) -> Self {
        Parser {
            cursor,
            vars: Vec::new(),
        }
    }
}

impl<'t, T: Lexeme> Parser<'t, T> {
    /// `item (word item)*`: the one item, or `build` of them all and the offset of the first
    /// (`a or b or c`, `a and b`).
    pub(crate) fn chain<R>(
        &mut self,
        word: &str,
        item: fn(&mut Self) -> Result<R>,
        build: fn(Vec<R>, usize) -> R,
    ) -> Result<R> {
        let at = self.offset();
        let first = item(self)?;
        if !self.is_word(word) {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_word(word) {
            items.push(item(self)?);
        }
        Ok(build(items, at))
    }

    /// Items separated by `,` up to `close`, which is consumed (the opening symbol is already
    /// read). `empty`: whether `close` may come first.
    pub(crate) fn separated<R>(
        &mut self,
        close: &str,
        empty: bool,
        mut item: impl FnMut(&mut Self) -> Result<R>,
    ) -> Result<Vec<R>> {
        let mut items = Vec::new();
        if empty && self.eat_sym(close) {
            return Ok(items);
        }
        loop {
            items.push(item(self)?);
            if self.eat_sym(close) {
                return Ok(items);
            }
            self.expect_sym(",")?;
        }
    }
}

impl<'t, T> Deref for Parser<'t, T> {
    type Target = Cursor<'t, T>;
    fn deref(&self) -> &Self::Target {
        &self.cursor
    }
}

impl<'t, T> DerefMut for Parser<'t, T> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.cursor
    }
}

// ---------------------------------------------------------------------------------------------
// Scanning steps the lexers share
// ---------------------------------------------------------------------------------------------

/// The end of the identifier that starts at `start` (letters, digits, `_` after the first byte).
pub(crate) fn word_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
        i += 1;
    }
    i
}

/// Whether a number starts at `i`: a digit, or `-` and a digit.
pub(crate) fn starts_number(bytes: &[u8], i: usize) -> bool {
    bytes[i].is_ascii_digit()
        || (bytes[i] == b'-' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
}

/// The end of the number that starts at `start` (see [`starts_number`]): digits, an optional
/// fraction `.digits` and an optional exponent `e±digits`.
pub(crate) fn number_end(bytes: &[u8], start: usize) -> usize {
    let digits = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let mut i = digits(start + 1);
    if i + 1 < bytes.len() && bytes[i] == b'.' && bytes[i + 1].is_ascii_digit() {
        i = digits(i + 1);
    }
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        let mut j = i + 1;
        if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
            j += 1;
        }
        if j < bytes.len() && bytes[j].is_ascii_digit() {
            i = digits(j);
        }
    }
    i
}
