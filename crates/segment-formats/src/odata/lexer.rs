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
    /// An enum value, `Namespace.Type'Member'` (as written).
    Enum(String),
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
            Tok::Enum(e) => format!("the enum value {e}", e = clip(e)),
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
        let (tok, end) = if let Some(end) = guid_end(bytes, start) {
            // Graph and Dataverse write GUIDs bare; the tree holds them as text.
            (Tok::Str(text[start..end].to_string()), end)
        } else if c.is_ascii_alphabetic()
            || c == b'_'
            || (c == b'$' && bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic))
        {
            qualified(text, start)
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
    fold_case(&mut tokens);
    Ok(tokens)
}

/// A word, or a qualified name (`microsoft.graph.user`, `Microsoft.Dynamics.CRM.Today`), or an
/// enum value (`Sales.Pattern'Yellow'`), and the offset after it.
fn qualified(text: &str, start: usize) -> (Tok, usize) {
    let bytes = text.as_bytes();
    let mut end = cursor::word_end(bytes, start);
    while bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_alphabetic) {
        end = cursor::word_end(bytes, end + 1);
    }
    if bytes.get(end) == Some(&b'\'') && text[start..end].contains('.') {
        if let Ok((Tok::Str(_), after)) = string(text, end) {
            return (Tok::Enum(text[start..after].to_string()), after);
        }
    }
    (Tok::Ident(text[start..end].to_string()), end)
}

/// The end of a GUID (`8-4-4-4-12` hexadecimal digits) starting at `i`, if one does.
fn guid_end(bytes: &[u8], i: usize) -> Option<usize> {
    if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_') {
        return None;
    }
    let mut at = i;
    for (n, group) in [8, 4, 4, 4, 12].into_iter().enumerate() {
        if n > 0 {
            (bytes.get(at) == Some(&b'-')).then_some(())?;
            at += 1;
        }
        let digits = bytes.get(at..at + group)?;
        digits.iter().all(u8::is_ascii_hexdigit).then_some(())?;
        at += group;
    }
    let next = bytes.get(at);
    (!next.is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))).then_some(at)
}

/// Built-in function names, as OData spells them: Graph writes `startsWith`, `endsWith`.
const FUNCTIONS: [&str; 30] = [
    "contains",
    "startswith",
    "endswith",
    "indexof",
    "length",
    "substring",
    "tolower",
    "toupper",
    "trim",
    "concat",
    "year",
    "month",
    "day",
    "hour",
    "minute",
    "second",
    "date",
    "time",
    "now",
    "round",
    "floor",
    "ceiling",
    "matchesPattern",
    "isof",
    "cast",
    "fractionalseconds",
    "totaloffsetminutes",
    "totalseconds",
    "maxdatetime",
    "mindatetime",
];

/// Keywords and built-in functions in any case, as Microsoft Graph and Dataverse accept them
/// (`NOT`, `AND`, `startsWith`, `/Any(`): spelled as OData's grammar does. A path segment after
/// `/` keeps its case (properties are case-sensitive), except `any`/`all` before `(`.
fn fold_case(tokens: &mut [Token<Tok>]) {
    for i in 0..tokens.len() {
        let after_slash = i > 0 && tokens[i - 1].tok == Tok::Sym("/");
        let before_paren = matches!(tokens.get(i + 1).map(|t| &t.tok), Some(Tok::Sym("(")));
        let Tok::Ident(word) = &mut tokens[i].tok else {
            continue;
        };
        let lower = word.to_ascii_lowercase();
        let spelled = if after_slash {
            (before_paren && (lower == "any" || lower == "all")).then_some(lower)
        } else if super::KEYWORDS.contains(&lower.as_str()) {
            Some(lower)
        } else if before_paren {
            FUNCTIONS
                .iter()
                .find(|f| f.eq_ignore_ascii_case(word))
                .map(|f| f.to_string())
        } else {
            None
        };
        if let Some(spelled) = spelled {
            *word = spelled;
        }
    }
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
        // Not OData syntax, but Dataverse's function arguments use them: a parse error at
        // the function names it, rather than a lexical one here.
        b'[' => "[",
        b']' => "]",
        _ => {
            let ch = text[i..].chars().next().unwrap_or('?');
            let (construct, hint) = match ch {
                '"' => ("a double-quoted string", "OData strings use single quotes"),
                '<' | '>' | '!' => (
                    "the comparison symbol",
                    "OData compares with eq, ne, lt, le, gt, ge",
                ),
                '&' | '|' => ("the logical symbol", "OData combines with and, or"),
                _ => ("the character", ""),
            };
            return Err(syntax(
                text,
                i,
                format!("{construct} “{ch}” is not OData $filter syntax"),
                hint,
            ));
        }
    };
    Ok((Tok::Sym(sym), i + 1))
}
