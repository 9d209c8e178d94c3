//! `pql/text`: printing and reading PQL expressions.

use segment_model::tree::TimeUnit;

use super::{unit_from_word, unit_word, At, Expr, Occurs, Step, Time, When, COMPARISONS, P};
use crate::cursor::{self, Cursor, Lexeme, Token};
use crate::error::{clip, Error, Position, Result};
use crate::value::Num;
use crate::Format;

const FORMAT: Format = Format::PqlText;

// ---------------------------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------------------------

/// Binding strength, weakest first: a child weaker than its context is parenthesized.
const QUANTIFIED: u8 = 0;
const OR: u8 = 1;
const AND: u8 = 2;
const NOT: u8 = 3;
const ATOM: u8 = 4;

pub(crate) fn print(p: &P) -> String {
    let mut out = String::new();
    expr(p, QUANTIFIED, &mut out);
    out
}

fn strength(p: &P) -> u8 {
    match &p.e {
        Expr::Exists { .. } => QUANTIFIED,
        Expr::Or(_) => OR,
        Expr::And(_) => AND,
        Expr::Not(_) => NOT,
        _ => ATOM,
    }
}

fn expr(p: &P, context: u8, out: &mut String) {
    let own = strength(p);
    let parens = own < context
        || (own == context && matches!(p.e, Expr::And(_) | Expr::Or(_)) && context > QUANTIFIED);
    if parens {
        out.push('(');
    }
    match &p.e {
        Expr::Or(items) => join(items, " or ", OR + 1, out),
        Expr::And(items) => join(items, " and ", AND + 1, out),
        Expr::Not(inner) => {
            out.push_str("not (");
            expr(inner, QUANTIFIED, out);
            out.push(')');
        }
        Expr::Exists { var, source, cond } => {
            out.push_str("exists ");
            out.push_str(var);
            out.push_str(" from ");
            term(source, out);
            if let Some(c) = cond {
                out.push_str(" where ");
                expr(c, QUANTIFIED, out);
            }
        }
        Expr::Compare { op, lhs, rhs } => {
            term(lhs, out);
            out.push(' ');
            out.push_str(op);
            out.push(' ');
            term(rhs, out);
        }
        Expr::Occurs { subject, spec } => {
            term(subject, out);
            out.push_str(" occurs ");
            occurs(spec, out);
        }
        _ => term(p, out),
    }
    if parens {
        out.push(')');
    }
}

fn join(items: &[P], separator: &str, context: u8, out: &mut String) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        expr(item, context, out);
    }
}

fn term(p: &P, out: &mut String) {
    match &p.e {
        Expr::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Expr::Str(s) => quote(s, out),
        Expr::Num(n) => out.push_str(&n.to_string()),
        Expr::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                term(item, out);
            }
            out.push(']');
        }
        Expr::Field { var, path } => {
            if let Some(v) = var {
                out.push_str(v);
                out.push('.');
            }
            out.push_str(&path.join("."));
        }
        Expr::Call { name, target, args } => {
            term(target, out);
            out.push('.');
            out.push_str(name);
            out.push('(');
            for (i, arg) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                term(arg, out);
            }
            out.push(')');
        }
        Expr::Select { var, source, cond } => {
            out.push_str("(select ");
            out.push_str(var);
            out.push_str(" from ");
            term(source, out);
            if let Some(c) = cond {
                out.push_str(" where ");
                expr(c, QUANTIFIED, out);
            }
            out.push(')');
        }
        Expr::Chain {
            source,
            time,
            steps,
        } => chain(source, time, steps, out),
        Expr::InSegment(id) => {
            out.push_str("inSegment(");
            quote(id, out);
            out.push(')');
        }
        Expr::Current(name) => {
            out.push_str(name);
            out.push_str("()");
        }
        // Never lowered for PQL text (refused there); written as its text if it ever were.
        Expr::DateTime(t) => quote(t, out),
        Expr::And(_)
        | Expr::Or(_)
        | Expr::Not(_)
        | Expr::Exists { .. }
        | Expr::Compare { .. }
        | Expr::Occurs { .. } => {
            out.push('(');
            expr(p, QUANTIFIED, out);
            out.push(')');
        }
    }
}

fn chain(source: &P, time: &P, steps: &[Step], out: &mut String) {
    out.push_str("chain(");
    term(source, out);
    out.push_str(", ");
    term(time, out);
    out.push_str(", [");
    for (i, step) in steps.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&step.label);
        out.push_str(": WHAT(");
        expr(&step.what, QUANTIFIED, out);
        out.push(')');
        match &step.when {
            None => {}
            Some(When::After {
                op,
                amount,
                unit,
                label,
                ..
            }) => out.push_str(&format!(
                " WHEN({op} {amount} {} after {label})",
                unit_word(*unit, *amount)
            )),
            Some(When::Occurs(spec, _)) => {
                out.push_str(" WHEN(");
                occurs(spec, out);
                out.push(')');
            }
        }
    }
    out.push_str("])");
}

fn occurs(spec: &Occurs, out: &mut String) {
    match spec {
        Occurs::Compare(op, t) => {
            out.push_str(op);
            out.push(' ');
            time(t, out);
        }
        Occurs::Before(t) => {
            out.push_str("before ");
            time(t, out);
        }
        Occurs::After(t) => {
            out.push_str("after ");
            time(t, out);
        }
        Occurs::On(t) => {
            out.push_str("on ");
            time(t, out);
        }
        Occurs::Between(a, b) => {
            out.push_str("between ");
            time(a, out);
            out.push_str(" and ");
            time(b, out);
        }
        Occurs::Period(which, unit) => {
            out.push_str(which);
            out.push(' ');
            out.push_str(unit_word(*unit, 1));
        }
    }
}

fn time(t: &Time, out: &mut String) {
    match t {
        Time::Now => out.push_str("now"),
        Time::Day(d) => out.push_str(match d {
            0 => "today",
            d if *d < 0 => "yesterday",
            _ => "tomorrow",
        }),
        Time::Date { year, month, day } => out.push_str(&format!("date({year}, {month}, {day})")),
        Time::FromDay {
            day,
            amount,
            unit,
            after,
        } => {
            out.push_str(&format!(
                "{amount} {} {} ",
                unit_word(*unit, *amount),
                if *after { "after" } else { "before" }
            ));
            time(&Time::Day(*day), out);
        }
        Time::Offset {
            amount,
            unit,
            after,
        } => out.push_str(&format!(
            "{amount} {} {} now",
            unit_word(*unit, *amount),
            if *after { "after" } else { "before" }
        )),
    }
}

/// A PQL string literal: double quotes, backslash escapes.
pub(crate) fn quote(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(String),
    Sym(&'static str),
    End,
}

impl Lexeme for Tok {
    cursor::words_and_symbols!(Tok);

    fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("“{s}”", s = clip(s)),
            Tok::Str(_) => "a string".to_string(),
            Tok::Num(n) => format!("the number {n}", n = clip(n)),
            Tok::Sym(s) => format!("“{s}”"),
            Tok::End => "the end of the expression".to_string(),
        }
    }
}

fn lex_error(text: &str, at: usize, message: &str, hint: &str) -> Error {
    Error::syntax(FORMAT, Position::in_text(text, at), message, hint)
}

fn lex(text: &str) -> Result<Vec<Token<Tok>>> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let (profile, mut i) = match profile_lambda(text) {
        Some((name, body)) => (Some(format!("{name}.")), body),
        None => (None, 0),
    };
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        // `$1.homeAddress.country`: parameter 1 is the profile, whose fields are written bare.
        if text[i..].starts_with("$1.") {
            i += 3;
            continue;
        }
        if let Some(prefix) = profile.as_deref() {
            if starts_parameter(text, i, prefix, &tokens) {
                i += prefix.len();
                continue;
            }
        }
        let start = i;
        let tok = if c.is_ascii_alphabetic() || c == b'_' {
            i = cursor::word_end(bytes, start);
            let after_dot = matches!(
                tokens.last(),
                Some(Token {
                    tok: Tok::Sym("."),
                    ..
                })
            );
            Tok::Ident(keyword(&text[start..i], after_dot))
        } else if cursor::starts_number(bytes, start) {
            i = cursor::number_end(bytes, start);
            Tok::Num(text[start..i].to_string())
        } else if c == b'"' || c == b'\'' {
            let (value, end) = string(text, start)?;
            i = end;
            Tok::Str(value)
        } else {
            let (sym, end) = symbol(text, start)?;
            i = end;
            Tok::Sym(sym)
        };
        tokens.push(Token { tok, at: start });
    }
    Ok(tokens)
}

/// A word as the grammar reads it: PQL's keywords are case-insensitive (`AND`, `Exists`,
/// `NOTIN`), so one spelled in any case is read as the keyword, except as a field name after
/// `.`.
fn keyword(word: &str, after_dot: bool) -> String {
    if !after_dot {
        if let Some(k) = super::KEYWORDS
            .iter()
            .find(|k| k.eq_ignore_ascii_case(word))
        {
            return (*k).to_string();
        }
    }
    word.to_string()
}

/// The string literal opening at `start` (a `"` or a `'`), and the offset after its closing
/// quote (the same as the opening one).
fn string(text: &str, start: usize) -> Result<(String, usize)> {
    let quote = if text.as_bytes()[start] == b'\'' {
        '\''
    } else {
        '"'
    };
    let not_closed = || {
        lex_error(
            text,
            start,
            "this string is not closed",
            &format!("end it with {quote}"),
        )
    };
    let mut i = start + 1;
    let mut value = String::new();
    loop {
        let Some(ch) = text[i..].chars().next() else {
            return Err(not_closed());
        };
        i += ch.len_utf8();
        match ch {
            c if c == quote => return Ok((value, i)),
            '\\' => {
                let Some(esc) = text[i..].chars().next() else {
                    return Err(not_closed());
                };
                i += esc.len_utf8();
                i = escape(text, i, esc, &mut value)?;
            }
            ch => value.push(ch),
        }
    }
}

/// Appends the character of the escape `\esc` (read up to `i`) to `value`; the offset after it.
fn escape(text: &str, i: usize, esc: char, value: &mut String) -> Result<usize> {
    let simple = match esc {
        '"' => '"',
        '\'' => '\'',
        '\\' => '\\',
        '/' => '/',
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        'u' => {
            let ch = text
                .get(i..i + 4)
                .filter(|h| h.chars().all(|c| c.is_ascii_hexdigit()))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .and_then(char::from_u32);
            return match ch {
                Some(ch) => {
                    value.push(ch);
                    Ok(i + 4)
                }
                None => Err(lex_error(
                    text,
                    i - 2,
                    "bad \\u escape",
                    "write \\u and four hex digits of a character",
                )),
            };
        }
        _ => {
            return Err(lex_error(
                text,
                i - esc.len_utf8() - 1,
                &format!("unknown escape \\{esc}"),
                "escape only \" \\ n r t u",
            ))
        }
    };
    value.push(simple);
    Ok(i)
}

/// `(Profile) => …`, a lambda of one parameter, the profile: its name and where its body
/// starts (the body is read with `Profile.` as the profile's own fields, as `$1.` is).
fn profile_lambda(text: &str) -> Option<(&str, usize)> {
    let open = text.len() - text.trim_start().len();
    let rest = text[open..].strip_prefix('(')?;
    let close = rest.find(')')?;
    let name = rest[..close].trim();
    let bytes = name.as_bytes();
    let identifier = !bytes.is_empty()
        && (bytes[0].is_ascii_alphabetic() || bytes[0] == b'_')
        && cursor::word_end(bytes, 0) == bytes.len();
    let after = &rest[close + 1..];
    let arrow = after.trim_start().strip_prefix("=>")?;
    identifier.then(|| (name, text.len() - arrow.len()))
}

/// Whether the lambda's parameter (`prefix`: `Profile.`) starts at `i`, as a field's first
/// step (not after a dot, not inside a longer name).
fn starts_parameter(text: &str, i: usize, prefix: &str, tokens: &[Token<Tok>]) -> bool {
    let after_dot = matches!(
        tokens.last(),
        Some(Token {
            tok: Tok::Sym("."),
            ..
        })
    );
    let before_ok =
        i == 0 || !matches!(text.as_bytes()[i - 1], b'_' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z');
    text[i..].starts_with(prefix) && !after_dot && before_ok
}

/// The symbol at `i`, and the offset after it.
fn symbol(text: &str, i: usize) -> Result<(&'static str, usize)> {
    if text.get(i..i + 2) == Some("=>") {
        return Err(Error::unrepresentable(
            FORMAT,
            "a PQL lambda (`(P) => …`)",
            Position::in_text(text, i),
            "write the condition on its own: fields are the profile's",
        ));
    }
    let two: Option<&'static str> = match text.get(i..i + 2) {
        Some("!=") => Some("!="),
        Some("<=") => Some("<="),
        Some(">=") => Some(">="),
        Some("==") => Some("="),
        _ => None,
    };
    if let Some(s) = two {
        return Ok((s, i + 2));
    }
    let sym: &'static str = match text.as_bytes()[i] {
        b'(' => "(",
        b')' => ")",
        b'[' => "[",
        b']' => "]",
        b',' => ",",
        b'.' => ".",
        b'=' => "=",
        b'<' => "<",
        b'>' => ">",
        b':' => ":",
        b'+' | b'-' | b'*' | b'/' | b'%' => {
            let ch = char::from(text.as_bytes()[i]);
            return Err(Error::unrepresentable(
                FORMAT,
                format!("PQL arithmetic (`{ch}`)"),
                Position::in_text(text, i),
                "a condition compares a field with a value; arithmetic is not read",
            ));
        }
        _ => {
            let ch = text[i..].chars().next().unwrap_or('?');
            // Curly quotes come from word processors and web pages: name them as such.
            if matches!(ch, '“' | '”' | '‘' | '’') {
                return Err(lex_error(
                    text,
                    i,
                    &format!("a curly quote “{ch}” around a string"),
                    "PQL strings use straight quotes: \" or '",
                ));
            }
            return Err(lex_error(
                text,
                i,
                &format!("unexpected character “{ch}”"),
                "",
            ));
        }
    };
    Ok((sym, i + 1))
}

pub(crate) fn parse(text: &str) -> Result<P> {
    if text.trim().is_empty() {
        return Err(Error::syntax(
            FORMAT,
            Position::in_text(text, 0),
            "the expression is empty",
            "write a condition, or true for everyone",
        ));
    }
    let tokens = lex(text)?;
    let cursor = Cursor::new(FORMAT, text, tokens, Tok::End, "flatten the expression");
    let mut parser = Parser::new(cursor);
    let p = parser.expr()?;
    if parser.peek() != &Tok::End {
        return Err(parser.unexpected("and, or or the end"));
    }
    Ok(p)
}

type Parser<'t> = cursor::Parser<'t, Tok>;

impl<'t> Parser<'t> {
    fn expr(&mut self) -> Result<P> {
        self.chain("or", Self::and, |items, at| P {
            e: Expr::Or(items),
            at: At::Offset(at),
        })
    }

    fn and(&mut self) -> Result<P> {
        self.chain("and", Self::unary, |items, at| P {
            e: Expr::And(items),
            at: At::Offset(at),
        })
    }

    // The functions on the recursion path (expr, and, unary, predicate, term, atom and the ones
    // they call for nesting) are kept small, so that deep input uses little stack per level;
    // everything else is in separate functions.

    fn unary(&mut self) -> Result<P> {
        if self.is_word("not") {
            return self.negation();
        }
        self.predicate()
    }

    fn negation(&mut self) -> Result<P> {
        let at = self.offset();
        self.pos += 1;
        self.enter()?;
        let inner = self.unary()?;
        self.leave();
        Ok(P {
            e: Expr::Not(Box::new(inner)),
            at: At::Offset(at),
        })
    }

    fn quantified(&mut self) -> Result<(String, P, Option<Box<P>>)> {
        let var = self.variable()?;
        self.expect_kw("from")?;
        let source = self.term()?;
        let cond = if self.eat_kw("where") || self.eat_sym(":") {
            self.enter()?;
            self.vars.push(var.clone());
            let c = self.expr();
            self.vars.pop();
            self.leave();
            Some(Box::new(c?))
        } else {
            None
        };
        Ok((var, source, cond))
    }

    #[inline(never)]
    fn variable(&mut self) -> Result<String> {
        self.take_word(|v| !super::KEYWORDS.contains(&v), "a variable name, like E")
    }

    fn predicate(&mut self) -> Result<P> {
        if let Tok::Ident(w) = self.peek() {
            if matches!(w.as_str(), "exists" | "select" | "forall" | "chain")
                || (["let", "sum", "average", "min", "max"]
                    .iter()
                    .any(|f| w.eq_ignore_ascii_case(f))
                    && matches!(self.ahead(1), Some(Tok::Ident(v)) if !super::KEYWORDS.contains(&v.as_str())))
            {
                return self.quantifier();
            }
        }
        let lhs = self.term()?;
        self.predicate_tail(lhs)
    }

    /// `exists …`, a `select …` on its own (true when it selects a record), `chain(…)`; `forall`
    /// is refused by name.
    #[inline(never)]
    fn quantifier(&mut self) -> Result<P> {
        let at = self.offset();
        match self.peek() {
            Tok::Ident(w) if w == "chain" => self.chain_expr(),
            Tok::Ident(w) if w == "forall" => Err(self.refuse(
                at,
                "PQL `forall` (a condition every related record meets)",
                "write not (exists E from … where not (…)) for “every record”",
            )),
            Tok::Ident(w) if w == "select" => {
                self.pos += 1;
                self.quantified_tail(at, false)
            }
            Tok::Ident(w) if w == "exists" => self.exists(),
            Tok::Ident(w) if w.eq_ignore_ascii_case("let") => {
                Err(self.refuse(at, "PQL `let`", "write the expression in place"))
            }
            Tok::Ident(w)
                if ["sum", "average", "min", "max"]
                    .iter()
                    .any(|f| w.eq_ignore_ascii_case(f)) =>
            {
                self.aggregate_over(at)
            }
            _ => Err(self.unexpected("a condition")),
        }
    }

    fn exists(&mut self) -> Result<P> {
        let at = self.offset();
        self.pos += 1;
        self.quantified_tail(at, true)
    }

    /// The rest of `exists V from …` / `select V from …`, after its first word.
    fn quantified_tail(&mut self, at: usize, exists: bool) -> Result<P> {
        let (var, source, mut cond) = self.quantified()?;
        let more = matches!(self.peek(), Tok::Sym(","))
            && matches!(self.ahead(2), Some(Tok::Ident(w)) if w.eq_ignore_ascii_case("from"));
        if more {
            // `…, I from X.items where …`: records of X's own collection, as a condition of X.
            self.vars.push(var.clone());
            let inner = self.nested_binding(at, exists);
            self.vars.pop();
            let inner = inner?;
            cond = Some(Box::new(match cond {
                None => inner,
                Some(c) => P {
                    at: c.at.clone(),
                    e: Expr::And(vec![*c, inner]),
                },
            }));
        }
        if !exists && !more {
            return Ok(P {
                e: Expr::Select {
                    var,
                    source: Box::new(source),
                    cond,
                },
                at: At::Offset(at),
            });
        }
        Ok(P {
            e: Expr::Exists {
                var,
                source: Box::new(source),
                cond,
            },
            at: At::Offset(at),
        })
    }

    /// After a binding's `,`: the next binding `V from <earlier variable>.<collection> …` as an
    /// `exists` (its records' tuples exist exactly when one does); over another collection, it is
    /// refused by name.
    #[inline(never)]
    fn nested_binding(&mut self, at: usize, exists: bool) -> Result<P> {
        self.pos += 1;
        let binding_at = self.offset();
        self.enter()?;
        let inner = self.quantified_tail(binding_at, true);
        self.leave();
        let inner = inner?;
        match &inner.e {
            Expr::Exists { source, .. }
                if matches!(&source.e, Expr::Field { var: Some(v), path } if self.vars.contains(v) && !path.is_empty()) =>
            {
                Ok(inner)
            }
            _ => Err(self.refuse(
                at,
                format!(
                    "PQL `{}` over two collections (`…, V from …`)",
                    if exists { "exists" } else { "select" }
                ),
                "a condition on related records reads one relationship; nest the second inside the first's where",
            )),
        }
    }

    fn predicate_tail(&mut self, lhs: P) -> Result<P> {
        let op_at = self.offset();
        let Some(op) = self.operator() else {
            return Ok(lhs);
        };
        if op == "occurs" {
            return self.occurs_tail(lhs, op_at);
        }
        let rhs = self.term()?;
        if op == "matches" {
            // `f matches "re"` is `f.matches("re")`.
            return Ok(P {
                e: Expr::Call {
                    name: op,
                    target: Box::new(lhs),
                    args: vec![rhs],
                },
                at: At::Offset(op_at),
            });
        }
        Ok(P {
            e: Expr::Compare {
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            },
            at: At::Offset(op_at),
        })
    }

    /// The comparison after a value, if any (consumed).
    #[inline(never)]
    fn operator(&mut self) -> Option<String> {
        let op = match self.peek() {
            Tok::Sym(s) if COMPARISONS.contains(s) => s.to_string(),
            Tok::Ident(w)
                if matches!(w.as_str(), "in" | "notIn" | "like" | "matches" | "occurs") =>
            {
                w.clone()
            }
            Tok::Ident(w) if w == "forall" => return None,
            _ => return None,
        };
        self.pos += 1;
        Some(op)
    }

    #[inline(never)]
    fn occurs_tail(&mut self, lhs: P, op_at: usize) -> Result<P> {
        let spec = self.occurs()?;
        Ok(P {
            e: Expr::Occurs {
                subject: Box::new(lhs),
                spec,
            },
            at: At::Offset(op_at),
        })
    }

    fn occurs(&mut self) -> Result<Occurs> {
        if let Tok::Sym(s) = self.peek().clone() {
            if COMPARISONS.contains(&s) {
                self.pos += 1;
                return Ok(Occurs::Compare(s.to_string(), self.time()?));
            }
        }
        let word = match self.peek().clone() {
            Tok::Ident(w) => w.to_ascii_lowercase(),
            _ => {
                return Err(
                    self.unexpected("a comparison, before, after, on, between, this, last or next")
                )
            }
        };
        self.pos += 1;
        Ok(match word.as_str() {
            "before" => Occurs::Before(self.time()?),
            "after" => Occurs::After(self.time()?),
            "on" => Occurs::On(self.time()?),
            "today" | "yesterday" | "tomorrow" => {
                self.pos -= 1;
                Occurs::On(self.time()?)
            }
            "between" => {
                let a = self.time()?;
                self.expect_word("and")?;
                Occurs::Between(a, self.time()?)
            }
            "this" | "last" | "next" => {
                let unit = self.unit(1)?;
                Occurs::Period(word, unit)
            }
            _ => {
                self.pos -= 1;
                return Err(
                    self.unexpected("a comparison, before, after, on, between, this, last or next")
                );
            }
        })
    }

    fn unit(&mut self, _amount: u64) -> Result<TimeUnit> {
        let at = self.offset();
        match self.bump() {
            Tok::Ident(w) => unit_from_word(&w.to_ascii_lowercase()).ok_or_else(|| {
                self.error(
                    at,
                    format!("“{w}” is not a time unit", w = clip(&w)),
                    "use minutes, hours, days, weeks, months or years",
                )
            }),
            _ => {
                self.pos = self.pos.saturating_sub(1);
                Err(self.unexpected("a time unit (days, weeks…)"))
            }
        }
    }

    fn time(&mut self) -> Result<Time> {
        let at = self.offset();
        let word = match self.peek() {
            Tok::Ident(w) => w.to_ascii_lowercase(),
            _ => String::new(),
        };
        match self.peek().clone() {
            Tok::Ident(_) if word == "now" => {
                self.pos += 1;
                Ok(Time::Now)
            }
            Tok::Ident(_) if matches!(word.as_str(), "today" | "yesterday" | "tomorrow") => {
                self.pos += 1;
                Ok(Time::Day(match word.as_str() {
                    "yesterday" => -1,
                    "today" => 0,
                    _ => 1,
                }))
            }
            Tok::Ident(_) if word == "date" => {
                self.pos += 1;
                self.expect_sym("(")?;
                let mut parts = [0i64; 3];
                for (i, part) in parts.iter_mut().enumerate() {
                    if i > 0 {
                        self.expect_sym(",")?;
                    }
                    let at = self.offset();
                    match self.bump() {
                        Tok::Num(n) => match Num::parse(&n) {
                            Some(Num::Int(v)) => *part = v,
                            _ => {
                                return Err(self.error(
                                    at,
                                    format!("{n} is not a whole number", n = clip(&n)),
                                    "date(year, month, day)",
                                ))
                            }
                        },
                        _ => {
                            self.pos = self.pos.saturating_sub(1);
                            return Err(self.unexpected("a whole number"));
                        }
                    }
                }
                self.expect_sym(")")?;
                Ok(Time::Date {
                    year: parts[0],
                    month: parts[1],
                    day: parts[2],
                })
            }
            Tok::Num(n) => {
                self.pos += 1;
                let amount = match Num::parse(&n) {
                    Some(Num::Int(v)) if v >= 0 => v as u64,
                    _ => {
                        return Err(self.error(
                            at,
                            format!("{n} is not a whole number of units", n = clip(&n)),
                            "use 0 or more whole units",
                        ))
                    }
                };
                let unit = self.unit(amount)?;
                let after = if self.eat_kw("before") {
                    false
                } else if self.eat_kw("after") {
                    true
                } else {
                    return Err(self.unexpected("before or after"));
                };
                if let Some(day) = self.day_word() {
                    self.pos += 1;
                    return Ok(Time::FromDay {
                        day,
                        amount,
                        unit,
                        after,
                    });
                }
                if !self.eat_kw("now") {
                    return Err(self.anchor(at));
                }
                Ok(Time::Offset {
                    amount,
                    unit,
                    after,
                })
            }
            _ => Err(self.unexpected("a time: now, date(y, m, d) or N units before now")),
        }
    }

    /// `yesterday` (-1), `today` (0) or `tomorrow` (1) next, in any case.
    fn day_word(&self) -> Option<i8> {
        match self.peek() {
            Tok::Ident(w) => match w.to_ascii_lowercase().as_str() {
                "yesterday" => Some(-1),
                "today" => Some(0),
                "tomorrow" => Some(1),
                _ => None,
            },
            _ => None,
        }
    }

    fn term(&mut self) -> Result<P> {
        let mut p = self.atom()?;
        while matches!(self.peek(), Tok::Sym(".")) {
            p = self.suffix(p)?;
        }
        if matches!(self.peek(), Tok::Sym("[")) {
            return Err(self.brackets());
        }
        Ok(p)
    }

    /// `.name` or `.name(args)` after a value.
    fn suffix(&mut self, p: P) -> Result<P> {
        self.pos += 1;
        let at = self.offset();
        let name = self.member_name()?;
        if !self.eat_sym("(") {
            return self.field_step(p, name, at);
        }
        self.enter()?;
        // The arguments of an aggregate over `(select V …)` may name V.
        let bound = match &p.e {
            Expr::Select { var, .. } => Some(var.clone()),
            _ => None,
        };
        if let Some(v) = &bound {
            self.vars.push(v.clone());
        }
        let args = self.args();
        if bound.is_some() {
            self.vars.pop();
        }
        let args = args?;
        self.leave();
        Ok(P {
            e: Expr::Call {
                name,
                target: Box::new(p),
                args,
            },
            at: At::Offset(at),
        })
    }

    #[inline(never)]
    fn member_name(&mut self) -> Result<String> {
        self.take_word(|_| true, "a field or function name")
    }

    #[inline(never)]
    fn field_step(&mut self, mut p: P, name: String, at: usize) -> Result<P> {
        match &mut p.e {
            Expr::Field { path, .. } if !super::KEYWORDS.contains(&name.as_str()) => {
                path.push(name);
                Ok(p)
            }
            _ => Err(self.error(
                at,
                format!("“{name}” cannot follow this", name = clip(&name)),
                "call a function: name(…)",
            )),
        }
    }

    fn args(&mut self) -> Result<Vec<P>> {
        self.separated(")", true, Self::term)
    }

    fn atom(&mut self) -> Result<P> {
        match self.peek() {
            Tok::Sym("(") => self.paren(),
            Tok::Sym("[") => self.list(),
            _ => self.simple(),
        }
    }

    fn paren(&mut self) -> Result<P> {
        let at = self.offset();
        self.pos += 1;
        self.enter()?;
        let inner = if self.is_word("select") && !matches!(self.ahead(1), Some(Tok::Sym("("))) {
            self.select(at)?
        } else {
            self.expr()?
        };
        self.expect_sym(")")?;
        self.leave();
        Ok(inner)
    }

    fn select(&mut self, at: usize) -> Result<P> {
        self.pos += 1;
        let (var, source, cond) = self.quantified()?;
        Ok(P {
            e: Expr::Select {
                var,
                source: Box::new(source),
                cond,
            },
            at: At::Offset(at),
        })
    }

    fn list(&mut self) -> Result<P> {
        let at = self.offset();
        self.pos += 1;
        self.enter()?;
        let items = self.separated("]", true, Self::term)?;
        self.leave();
        Ok(P {
            e: Expr::List(items),
            at: At::Offset(at),
        })
    }

    /// A literal or a name: no nesting.
    #[inline(never)]
    fn simple(&mut self) -> Result<P> {
        let at = self.offset();
        match self.bump() {
            Tok::Str(s) => Ok(P {
                e: Expr::Str(s),
                at: At::Offset(at),
            }),
            Tok::Num(n) => match Num::parse(&n) {
                Some(v) => Ok(P {
                    e: Expr::Num(v),
                    at: At::Offset(at),
                }),
                None => Err(self.error(
                    at,
                    format!("{n} is not a number this import reads", n = clip(&n)),
                    "numbers fit in 64 bits",
                )),
            },
            Tok::Ident(w) if w == "true" || w == "false" => Ok(P {
                e: Expr::Bool(w == "true"),
                at: At::Offset(at),
            }),
            Tok::Ident(w) if super::KEYWORDS.contains(&w.as_str()) => Err(self.error(
                at,
                format!("“{w}” cannot start a value here", w = clip(&w)),
                "",
            )),
            Tok::Ident(w) if matches!(self.peek(), Tok::Sym("(")) => self.function(w, at),
            Tok::Ident(w) => {
                if self.vars.contains(&w) {
                    Ok(P {
                        e: Expr::Field {
                            var: Some(w),
                            path: Vec::new(),
                        },
                        at: At::Offset(at),
                    })
                } else {
                    Ok(P {
                        e: Expr::Field {
                            var: None,
                            path: vec![w],
                        },
                        at: At::Offset(at),
                    })
                }
            }
            Tok::Sym(_) | Tok::End => {
                self.pos = self.pos.saturating_sub(1);
                Err(self.unexpected("a condition or a value"))
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading: Adobe's wider forms (chain, functions, keywords in any case) and named refusals
// ---------------------------------------------------------------------------------------------

impl<'t> Parser<'t> {
    /// Whether the current token is `word` in any case (PQL's words are case-insensitive).
    fn kw(&self, word: &str) -> bool {
        matches!(self.peek(), Tok::Ident(w) if w.eq_ignore_ascii_case(word))
    }

    fn eat_kw(&mut self, word: &str) -> bool {
        let found = self.kw(word);
        if found {
            self.pos += 1;
        }
        found
    }

    fn expect_kw(&mut self, word: &str) -> Result<()> {
        if self.eat_kw(word) {
            Ok(())
        } else {
            Err(self.unexpected(&format!("“{word}”")))
        }
    }

    /// A construct of PQL this import does not read, named, at byte `at`.
    #[cold]
    fn refuse(&self, at: usize, construct: impl Into<String>, hint: &str) -> Error {
        Error::unrepresentable(FORMAT, construct, Position::in_text(self.text, at), hint)
    }

    /// After `N units before|after`, something other than `now`.
    #[cold]
    fn anchor(&self, at: usize) -> Error {
        match self.peek() {
            Tok::Ident(w)
                if ["today", "yesterday", "tomorrow"]
                    .iter()
                    .any(|d| w.eq_ignore_ascii_case(d)) =>
            {
                self.refuse(
                    at,
                    format!("PQL `… before/after {w}` (a time counted from the start of a day)"),
                    "times are counted from now: write N units before now",
                )
            }
            Tok::Ident(w) if w.eq_ignore_ascii_case("date") => self.refuse(
                at,
                "PQL `… before/after date(…)` (a time counted from a date)",
                "times are counted from now: write N units before now, or occurs before date(…)",
            ),
            Tok::Ident(w) => self.refuse(
                at,
                format!(
                    "PQL `… before/after {w}` (a time counted from a field)",
                    w = clip(w)
                ),
                "times are counted from now: write N units before now",
            ),
            _ => self.unexpected("now"),
        }
    }

    /// `xEvent[…]`: PQL's filter brackets.
    #[cold]
    fn brackets(&self) -> Error {
        self.refuse(
            self.offset(),
            "PQL filter brackets (`xEvent[…]`)",
            "write exists E from events where … instead",
        )
    }

    /// `name(…)` without a target (its name and `(` are read): `inSegment("id")`,
    /// `currentMonth()`, `currentYear()`, `currentDayOfMonth()`; others are refused by name.
    #[inline(never)]
    fn function(&mut self, name: String, at: usize) -> Result<P> {
        if !matches!(
            name.as_str(),
            "inSegment" | "currentMonth" | "currentYear" | "currentDayOfMonth"
        ) {
            return Err(self.refuse(
                at,
                format!("the PQL function `{name}(…)`", name = clip(&name)),
                "read: inSegment(\"id\"), currentYear(), and methods like f.contains(\"x\")",
            ));
        }
        self.pos += 1;
        self.enter()?;
        let args = self.separated(")", true, Self::term)?;
        self.leave();
        let e =
            match (name.as_str(), args.as_slice()) {
                (
                    "inSegment",
                    [P {
                        e: Expr::Str(id), ..
                    }],
                ) => Expr::InSegment(id.clone()),
                ("currentMonth" | "currentYear" | "currentDayOfMonth", []) => Expr::Current(name),
                ("inSegment", _) => {
                    return Err(self.refuse(
                        at,
                        "PQL `inSegment(…)` without one segment id",
                        "write inSegment(\"segment-id\")",
                    ))
                }
                (n, _) if n.eq_ignore_ascii_case("let") => {
                    return Err(self.refuse(at, "PQL `let`", "write the expression in place"))
                }
                _ => return Err(self.refuse(
                    at,
                    format!("the PQL function `{name}(…)`", name = clip(&name)),
                    "read: inSegment(\"id\"), currentYear(), and methods like f.contains(\"x\")",
                )),
            };
        Ok(P {
            e,
            at: At::Offset(at),
        })
    }

    /// `chain(source, time, [A: WHAT(…) WHEN(…), …])`.
    #[inline(never)]
    fn chain_expr(&mut self) -> Result<P> {
        let at = self.offset();
        self.pos += 1;
        self.expect_sym("(")?;
        self.enter()?;
        let source = self.term()?;
        self.expect_sym(",")?;
        let time = self.term()?;
        self.expect_sym(",")?;
        self.expect_sym("[")?;
        let steps = self.separated("]", false, Self::chain_step)?;
        self.expect_sym(")")?;
        self.leave();
        Ok(P {
            e: Expr::Chain {
                source: Box::new(source),
                time: Box::new(time),
                steps,
            },
            at: At::Offset(at),
        })
    }

    fn chain_step(&mut self) -> Result<Step> {
        let at = self.offset();
        let label = self.take_word(|_| true, "a step label, like A")?;
        self.expect_sym(":")?;
        if !self.eat_kw("what") {
            return Err(self.unexpected("WHAT(…)"));
        }
        self.expect_sym("(")?;
        self.enter()?;
        let what = self.expr()?;
        self.expect_sym(")")?;
        self.leave();
        let mut when = None;
        loop {
            let word_at = self.offset();
            if self.eat_kw("when") {
                if when.is_some() {
                    return Err(self.refuse(
                        word_at,
                        "PQL chain step with two WHENs",
                        "give a step one WHEN",
                    ));
                }
                self.expect_sym("(")?;
                when = Some(self.when()?);
                self.expect_sym(")")?;
            } else if self.kw("count") {
                return Err(self.refuse(
                    word_at,
                    "PQL chain `COUNT(…)` (a step repeated a number of times)",
                    "a step is one record; count records with (select E from … where …).count()",
                ));
            } else {
                break;
            }
        }
        Ok(Step {
            label,
            what: Box::new(what),
            when,
            at: At::Offset(at),
        })
    }

    /// A step's `WHEN(…)` (inside the parentheses): `<= N units after LABEL`, or an `occurs`.
    fn when(&mut self) -> Result<When> {
        let at = self.offset();
        let relative = match (self.ahead(3), self.ahead(4)) {
            (Some(Tok::Ident(dir)), Some(Tok::Ident(anchor))) => {
                (dir.eq_ignore_ascii_case("after") || dir.eq_ignore_ascii_case("before"))
                    && !["now", "today", "yesterday", "tomorrow"]
                        .iter()
                        .any(|w| anchor.eq_ignore_ascii_case(w))
            }
            _ => false,
        };
        if !relative {
            return Ok(When::Occurs(self.occurs()?, At::Offset(at)));
        }
        let op = match self.bump() {
            Tok::Sym(s) if COMPARISONS.contains(&s) => s.to_string(),
            _ => {
                self.pos -= 1;
                return Err(self.unexpected("a comparison, like <="));
            }
        };
        let amount = match self.bump() {
            Tok::Num(n) => match Num::parse(&n) {
                Some(Num::Int(v)) if v >= 0 => v as u64,
                _ => return Err(self.error(at, "expected a whole number of units", "")),
            },
            _ => {
                self.pos -= 1;
                return Err(self.unexpected("a whole number"));
            }
        };
        let unit = self.unit(amount)?;
        if self.eat_kw("before") {
            return Err(self.refuse(
                at,
                "PQL chain `WHEN(… before <step>)` (a step before an earlier one)",
                "steps follow each other: write <= N units after the earlier step",
            ));
        }
        self.expect_kw("after")?;
        let label = self.take_word(|_| true, "a step label")?;
        Ok(When::After {
            op,
            amount,
            unit,
            label,
            at: At::Offset(at),
        })
    }

    /// `sum X.amount over X from events where …` (also `average`, `min`, `max`): the aggregate
    /// of the selected records, as `(select X from events where …).sum(X.amount)`.
    #[inline(never)]
    fn aggregate_over(&mut self, at: usize) -> Result<P> {
        let name = match self.bump() {
            Tok::Ident(w) => w.to_ascii_lowercase(),
            _ => return Err(self.unexpected("sum, average, min or max")),
        };
        let value_at = self.offset();
        let value = self.term()?;
        self.expect_kw("over")?;
        let (var, source, cond) = self.quantified()?;
        // The summed value was read before its variable was bound: `X.amount` is X's field.
        let arg =
            match value.e {
                Expr::Field {
                    var: None,
                    mut path,
                } if path.first() == Some(&var) && path.len() > 1 => {
                    path.remove(0);
                    P {
                        e: Expr::Field {
                            var: Some(var.clone()),
                            path,
                        },
                        at: value.at,
                    }
                }
                _ => return Err(self.refuse(
                    value_at,
                    format!("PQL `{name} … over …` of a value that is not a field of {var}"),
                    "aggregate a field of the selected records, like sum X.amount over X from …",
                )),
            };
        let select = P {
            e: Expr::Select {
                var,
                source: Box::new(source),
                cond,
            },
            at: At::Offset(at),
        };
        Ok(P {
            e: Expr::Call {
                name,
                target: Box::new(select),
                args: vec![arg],
            },
            at: At::Offset(at),
        })
    }
}
