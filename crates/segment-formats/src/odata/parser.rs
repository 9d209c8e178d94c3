//! OData reading, second step: tokens as a syntax tree (no names resolved yet).

use chrono::NaiveDate;
use segment_model::tree::TimeUnit;

use super::lexer::Tok;
use super::KEYWORDS;
use crate::cursor;
use crate::error::{clip, Result};
use crate::value::Num;

#[derive(Debug, Clone, PartialEq)]
pub(super) struct O {
    pub(super) e: OE,
    pub(super) at: usize,
    /// Written inside its own parentheses.
    pub(super) parens: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum OE {
    And(Vec<O>),
    Or(Vec<O>),
    Not(Box<O>),
    Cmp {
        op: String,
        lhs: Box<O>,
        rhs: Box<O>,
    },
    In {
        lhs: Box<O>,
        items: Vec<O>,
    },
    Arith {
        op: String,
        lhs: Box<O>,
        rhs: Box<O>,
    },
    Call {
        name: String,
        args: Vec<O>,
    },
    /// A Dataverse query function, `Microsoft.Dynamics.CRM.Today(PropertyName='createdon')`:
    /// its short name and named arguments (a list argument `['a','b']` gives several values).
    Dataverse {
        function: String,
        args: Vec<(String, Vec<O>)>,
    },
    /// A property path from the implicit record (`var: None`) or a lambda variable.
    Path {
        var: Option<String>,
        segments: Vec<String>,
    },
    /// `path/any(v: body)`, `path/any()`, `path/all(v: body)`.
    Lambda {
        path: Box<O>,
        all: bool,
        var: Option<String>,
        body: Option<Box<O>>,
    },
    /// `path/$count` or `path/$count($filter=…)`.
    Count {
        path: Box<O>,
        filter: Option<Box<O>>,
    },
    Str(String),
    Num(Num),
    Bool(bool),
    Null,
    Date(NaiveDate),
    DateTime(String),
    Duration {
        amount: u64,
        unit: TimeUnit,
    },
}

pub(super) type Parser<'t> = cursor::Parser<'t, Tok>;

pub(super) fn node(e: OE, at: usize) -> O {
    O {
        e,
        at,
        parens: false,
    }
}

impl<'t> Parser<'t> {
    pub(super) fn expr(&mut self) -> Result<O> {
        self.chain("or", Self::and, |items, at| node(OE::Or(items), at))
    }

    pub(super) fn and(&mut self) -> Result<O> {
        self.chain("and", Self::unary, |items, at| node(OE::And(items), at))
    }

    // The functions on the recursion path are kept small, so that deep input uses little stack
    // per level; everything else is in separate functions.

    pub(super) fn unary(&mut self) -> Result<O> {
        if self.is_word("not") {
            return self.negation();
        }
        self.comparison()
    }

    pub(super) fn negation(&mut self) -> Result<O> {
        let at = self.offset();
        self.pos += 1;
        self.enter()?;
        let inner = self.unary()?;
        self.leave();
        Ok(node(OE::Not(Box::new(inner)), at))
    }

    pub(super) fn comparison(&mut self) -> Result<O> {
        let lhs = self.additive()?;
        let at = self.offset();
        match self.comparison_word()? {
            None => Ok(lhs),
            Some(w) if w == "in" => self.in_list(lhs, at),
            Some(op) => {
                let rhs = self.additive()?;
                Ok(node(
                    OE::Cmp {
                        op,
                        lhs: Box::new(lhs),
                        rhs: Box::new(rhs),
                    },
                    at,
                ))
            }
        }
    }

    /// The comparison operator after a value, if any (consumed).
    #[inline(never)]
    pub(super) fn comparison_word(&mut self) -> Result<Option<String>> {
        let at = self.offset();
        let op = match self.peek() {
            Tok::Ident(w)
                if matches!(w.as_str(), "eq" | "ne" | "gt" | "ge" | "lt" | "le" | "in") =>
            {
                w.clone()
            }
            Tok::Ident(w) if w == "has" => {
                return Err(self.error(
                    at,
                    "the has operator (enum flags) is not read",
                    "the tree has no flags type; compare the property with eq or in (…)",
                ))
            }
            _ => return Ok(None),
        };
        self.pos += 1;
        Ok(Some(op))
    }

    pub(super) fn in_list(&mut self, lhs: O, at: usize) -> Result<O> {
        self.expect_sym("(")?;
        self.enter()?;
        let items = self.separated(")", false, Self::additive)?;
        self.leave();
        Ok(node(
            OE::In {
                lhs: Box::new(lhs),
                items,
            },
            at,
        ))
    }

    pub(super) fn additive(&mut self) -> Result<O> {
        let mut lhs = self.primary()?;
        while let Some(op) = self.arithmetic_word()? {
            let at = self.offset();
            let rhs = self.primary()?;
            lhs = node(
                OE::Arith {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
                at,
            );
        }
        Ok(lhs)
    }

    #[inline(never)]
    pub(super) fn arithmetic_word(&mut self) -> Result<Option<String>> {
        let at = self.offset();
        let op = match self.peek() {
            Tok::Ident(w) if w == "add" || w == "sub" => w.clone(),
            Tok::Ident(w) if matches!(w.as_str(), "mul" | "div" | "divby" | "mod") => {
                return Err(self.error(
                    at,
                    format!("arithmetic ({w}) is not read", w = clip(w)),
                    "compare a property with a value",
                ))
            }
            _ => return Ok(None),
        };
        self.pos += 1;
        Ok(Some(op))
    }

    pub(super) fn primary(&mut self) -> Result<O> {
        match self.peek() {
            Tok::Sym("(") => self.paren(),
            // `duration'P1D'` is a literal; `duration` alone a property.
            Tok::Ident(w) if w == "duration" && matches!(self.ahead(1), Some(Tok::Str(_))) => {
                self.simple()
            }
            Tok::Ident(w) if w.contains('.') && !matches!(self.ahead(1), Some(Tok::Sym("("))) => {
                let at = self.offset();
                Err(self.error(
                    at,
                    format!("a type cast to {w} is not read", w = clip(w)),
                    "filter on the properties every record has",
                ))
            }
            Tok::Ident(w) if !KEYWORDS.contains(&w.as_str()) && !w.starts_with('$') => {
                if matches!(self.ahead(1), Some(Tok::Sym("("))) {
                    self.call()
                } else {
                    let first = self.first_segment();
                    self.path(first)
                }
            }
            _ => self.simple(),
        }
    }

    pub(super) fn paren(&mut self) -> Result<O> {
        self.pos += 1;
        self.enter()?;
        let mut inner = self.expr()?;
        self.expect_sym(")")?;
        self.leave();
        inner.parens = true;
        Ok(inner)
    }

    pub(super) fn call(&mut self) -> Result<O> {
        let at = self.offset();
        let name = match self.bump() {
            Tok::Ident(w) => w,
            _ => String::new(),
        };
        if let Some(function) = name.strip_prefix(DATAVERSE_PREFIX) {
            return self.dataverse_call(function.to_string(), at);
        }
        if let Some(refusal) = unread_function(&name) {
            return Err(self.error(at, refusal.0, refusal.1));
        }
        self.pos += 1; // "("
        self.enter()?;
        let args = self.separated(")", true, Self::expr)?;
        self.leave();
        Ok(node(OE::Call { name, args }, at))
    }

    /// `(Name=value, Name=['a','b'])` after a Dataverse function's name.
    #[inline(never)]
    fn dataverse_call(&mut self, function: String, at: usize) -> Result<O> {
        self.pos += 1; // "("
        self.enter()?;
        let args = self.separated(")", true, |p| {
            let name = p.take_word(|_| true, "an argument name, like PropertyName")?;
            p.expect_sym("=")?;
            let values = if p.eat_sym("[") {
                p.separated("]", false, Self::simple)?
            } else {
                vec![p.simple()?]
            };
            Ok((name, values))
        })?;
        self.leave();
        Ok(node(OE::Dataverse { function, args }, at))
    }

    #[inline(never)]
    pub(super) fn first_segment(&mut self) -> O {
        let at = self.offset();
        let w = match self.bump() {
            Tok::Ident(w) => w,
            _ => String::new(),
        };
        let var = self.vars.contains(&w).then(|| w.clone());
        let segments = if var.is_some() { Vec::new() } else { vec![w] };
        node(OE::Path { var, segments }, at)
    }

    /// A literal: no nesting.
    #[inline(never)]
    pub(super) fn simple(&mut self) -> Result<O> {
        let at = self.offset();
        match self.bump() {
            Tok::Str(s) => Ok(node(OE::Str(s), at)),
            Tok::Num(n) => Ok(node(OE::Num(n), at)),
            Tok::Date(d) => Ok(node(OE::Date(d), at)),
            Tok::DateTime(t) => Ok(node(OE::DateTime(t), at)),
            Tok::Ident(w) if w == "true" || w == "false" => Ok(node(OE::Bool(w == "true"), at)),
            Tok::Ident(w) if w == "null" => Ok(node(OE::Null, at)),
            Tok::Ident(w) if w == "duration" => match self.bump() {
                Tok::Str(s) => parse_duration(&s)
                    .map(|(amount, unit)| node(OE::Duration { amount, unit }, at))
                    .ok_or_else(|| {
                        self.error(
                            at,
                            format!("duration'{s}' is not read", s = clip(&s)),
                            "write days P30D, hours PT5H or minutes PT5M",
                        )
                    }),
                _ => {
                    self.pos = self.pos.saturating_sub(1);
                    Err(self.unexpected("a duration string, like duration'P30D'"))
                }
            },
            Tok::Ident(w) if w.starts_with('$') => Err(self.error(
                at,
                format!("{w} is not read here", w = clip(&w)),
                "$count follows a collection: events/$count",
            )),
            Tok::Ident(w) => Err(self.error(
                at,
                format!("“{w}” cannot start a value here", w = clip(&w)),
                "",
            )),
            Tok::Enum(e) => Err(self.error(
                at,
                format!("the enum value {e} is not read", e = clip(&e)),
                "the tree has no enum type; compare with the member's name as text",
            )),
            Tok::Sym(_) | Tok::End => {
                self.pos = self.pos.saturating_sub(1);
                Err(self.unexpected("a condition or a value"))
            }
        }
    }

    /// The rest of a path after its first segment: `/name`, `/any(…)`, `/all(…)`, `/$count…`.
    pub(super) fn path(&mut self, mut current: O) -> Result<O> {
        while self.eat_sym("/") {
            let at = self.offset();
            let word = self.segment_word()?;
            current = match word.as_str() {
                "any" | "all" if matches!(self.peek(), Tok::Sym("(")) => {
                    self.lambda(current, word == "all", at)?
                }
                "$count" => self.count(current, at)?,
                _ => self.member(current, word, at)?,
            };
        }
        Ok(current)
    }

    #[inline(never)]
    pub(super) fn segment_word(&mut self) -> Result<String> {
        self.take_word(|_| true, "a property name, any, all or $count")
    }

    #[inline(never)]
    pub(super) fn member(&mut self, mut current: O, word: String, at: usize) -> Result<O> {
        if word.starts_with('$') {
            return Err(self.error(
                at,
                format!("{word} is not read", word = clip(&word)),
                "only $count follows a collection",
            ));
        }
        match &mut current.e {
            OE::Path { segments, .. } => {
                segments.push(word);
                Ok(current)
            }
            _ => Err(self.error(
                at,
                format!("“{word}” cannot follow this", word = clip(&word)),
                "",
            )),
        }
    }

    pub(super) fn lambda(&mut self, current: O, all: bool, at: usize) -> Result<O> {
        self.pos += 1; // "("
        self.enter()?;
        if !all && self.eat_sym(")") {
            self.leave();
            return Ok(node(
                OE::Lambda {
                    path: Box::new(current),
                    all,
                    var: None,
                    body: None,
                },
                at,
            ));
        }
        let var = self.lambda_variable()?;
        self.expect_sym(":")?;
        self.vars.push(var.clone());
        let body = self.expr();
        self.vars.pop();
        let body = body?;
        self.expect_sym(")")?;
        self.leave();
        Ok(node(
            OE::Lambda {
                path: Box::new(current),
                all,
                var: Some(var),
                body: Some(Box::new(body)),
            },
            at,
        ))
    }

    #[inline(never)]
    pub(super) fn lambda_variable(&mut self) -> Result<String> {
        self.take_word(
            |v| !KEYWORDS.contains(&v) && !v.starts_with('$'),
            "a lambda variable, like e",
        )
    }

    pub(super) fn count(&mut self, current: O, at: usize) -> Result<O> {
        let filter = if self.eat_sym("(") {
            self.enter()?;
            if !self.eat_word("$filter") {
                return Err(self.unexpected("$filter"));
            }
            self.expect_sym("=")?;
            // Inside $filter properties are the related record's own.
            let saved = std::mem::take(&mut self.vars);
            let f = self.expr();
            self.vars = saved;
            let f = f?;
            self.expect_sym(")")?;
            self.leave();
            Some(Box::new(f))
        } else {
            None
        };
        Ok(node(
            OE::Count {
                path: Box::new(current),
                filter,
            },
            at,
        ))
    }
}

/// Dataverse's query functions are named `Microsoft.Dynamics.CRM.<Function>`.
pub(super) const DATAVERSE_PREFIX: &str = "Microsoft.Dynamics.CRM.";

/// Functions refused as soon as they are met, with what to say: other vendors' functions and
/// type tests.
fn unread_function(name: &str) -> Option<(String, &'static str)> {
    if name.contains('.') {
        return Some((
            format!("the function {name}() is not read", name = clip(name)),
            "use the standard OData functions",
        ));
    }
    if name == "isof" || name == "cast" {
        return Some((
            format!("the type function {name}() is not read"),
            "filter on the properties every record has",
        ));
    }
    None
}

/// `P30D`, `PT5H`, `PT5M` (one component, whole units).
pub(super) fn parse_duration(s: &str) -> Option<(u64, TimeUnit)> {
    let rest = s.strip_prefix('P')?;
    let (digits, unit) = if let Some(t) = rest.strip_prefix('T') {
        if let Some(d) = t.strip_suffix('H') {
            (d, TimeUnit::Hour)
        } else {
            (t.strip_suffix('M')?, TimeUnit::Minute)
        }
    } else {
        (rest.strip_suffix('D')?, TimeUnit::Day)
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits
        .parse::<u64>()
        .ok()
        .filter(|n| *n <= u64::from(u32::MAX))
        .map(|n| (n, unit))
}
