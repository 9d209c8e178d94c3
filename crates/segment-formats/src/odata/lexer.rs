//! OData reading, first step: the filter text as tokens.

use chrono::NaiveDate;
use segment_model::time::Moment;

use super::FORMAT;
use crate::cursor::{self, Lexeme, Token};
use crate::error::{clip, Error, Position, Result};
use crate::value::{self, Num};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Ident(String),
    Str(String),
    Num(Num),
    Date(NaiveDate),
    /// A date-time, in canonical spelling.
    DateTime(String),
    Sym(&'static str),
    End,
}

impl Lexeme for Tok {
    cursor::words_and_symbols!(Tok);

    fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("“{s}”", s = clip(s)),
            Tok::Str(_) => "a string".to_string(),
            Tok::Num(n) => format!("the number {n}"),
            Tok::Date(d) => format!("the date {d}"),
            Tok::DateTime(t) => format!("the date-time {t}"),
            Tok::Sym(s) => format!("“{s}”"),
            Tok::End => "the end of the filter".to_string(),
        }
    }
}

pub(super) fn syntax(
    text: &str,
    at: usize,
    message: impl Into<String>,
    hint: impl Into<String>,
) -> Error {
    Error::syntax(FORMAT, Position::in_text(text, at), message, hint)
}

pub(super) fn lex(text: &str) -> Result<Vec<Token<Tok>>> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let (tok, end) = if c.is_ascii_alphabetic()
            || c == b'_'
            || (c == b'$' && bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic))
        {
            let end = cursor::word_end(bytes, start);
            (Tok::Ident(text[start..end].to_string()), end)
        } else if starts_date(bytes, start) {
            date(text, start)?
        } else if cursor::starts_number(bytes, start) {
            number(text, start)?
        } else if c == b'\'' {
            string(text, start)?
        } else {
            symbol(text, start)?
        };
        tokens.push(Token { tok, at: start });
        i = end;
    }
    Ok(tokens)
}

/// Four digits and a dash: a date or date-time.
fn starts_date(bytes: &[u8], i: usize) -> bool {
    bytes.len() >= i + 5 && bytes[i..i + 4].iter().all(u8::is_ascii_digit) && bytes[i + 4] == b'-'
}

/// The date or date-time at `start`, and the offset after it.
fn date(text: &str, start: usize) -> Result<(Tok, usize)> {
    let bytes = text.as_bytes();
    let mut i = start;
    while i < bytes.len()
        && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'-' | b':' | b'.' | b'+'))
    {
        i += 1;
    }
    let lexeme = &text[start..i];
    let instant = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| Tok::DateTime(value::moment_text(&Moment::Instant(t.to_utc()))))
    };
    let tok = if lexeme.len() == 10 {
        NaiveDate::parse_from_str(lexeme, "%Y-%m-%d")
            .ok()
            .map(Tok::Date)
    } else {
        instant(lexeme).or_else(|| {
            // OData allows date-times without seconds.
            let with_seconds = lexeme
                .get(..16)
                .map(|head| format!("{head}:00{}", &lexeme[16..]));
            with_seconds.and_then(|s| instant(&s))
        })
    };
    match tok {
        Some(tok) => Ok((tok, i)),
        None => Err(syntax(
            text,
            start,
            format!(
                "“{lexeme}” is not a date or date-time",
                lexeme = clip(lexeme)
            ),
            "write 2024-05-31 or 2024-05-31T14:00:00Z (with Z or an offset)",
        )),
    }
}

/// The number at `start`, and the offset after it. OData type suffixes (`10L`, `1.5M`, `2.0d`)
/// are accepted and dropped.
fn number(text: &str, start: usize) -> Result<(Tok, usize)> {
    let bytes = text.as_bytes();
    let i = cursor::number_end(bytes, start);
    let suffix = i < bytes.len()
        && matches!(
            bytes[i],
            b'L' | b'l' | b'M' | b'm' | b'd' | b'D' | b'f' | b'F'
        )
        && !bytes.get(i + 1).is_some_and(|b| b.is_ascii_alphanumeric());
    match Num::parse(&text[start..i]) {
        Some(n) => Ok((Tok::Num(n), if suffix { i + 1 } else { i })),
        None => Err(syntax(
            text,
            start,
            "this number is out of range",
            "numbers fit in 64 bits",
        )),
    }
}

/// The string literal opening at `start` (a `'`; `''` inside is a quote), and the offset after
/// its closing quote.
fn string(text: &str, start: usize) -> Result<(Tok, usize)> {
    let bytes = text.as_bytes();
    let mut i = start + 1;
    let mut value = String::new();
    loop {
        let Some(ch) = text[i..].chars().next() else {
            return Err(syntax(
                text,
                start,
                "this string is not closed",
                "end it with ' (write '' for a quote inside)",
            ));
        };
        i += ch.len_utf8();
        if ch == '\'' {
            if bytes.get(i) == Some(&b'\'') {
                value.push('\'');
                i += 1;
                continue;
            }
            return Ok((Tok::Str(value), i));
        }
        value.push(ch);
    }
}

/// The symbol at `i`, and the offset after it.
fn symbol(text: &str, i: usize) -> Result<(Tok, usize)> {
    let sym: &'static str = match text.as_bytes()[i] {
        b'(' => "(",
        b')' => ")",
        b',' => ",",
        b':' => ":",
        b'/' => "/",
        b'=' => "=",
        _ => {
            let ch = text[i..].chars().next().unwrap_or('?');
            let hint = match ch {
                '"' => "OData strings use single quotes",
                '<' | '>' | '!' => "OData compares with eq, ne, lt, le, gt, ge",
                '&' | '|' => "OData combines with and, or",
                _ => "",
            };
            return Err(syntax(
                text,
                i,
                format!("unexpected character “{ch}”"),
                hint,
            ));
        }
    };
    Ok((Tok::Sym(sym), i + 1))
}
