//! Adobe PQL, shared by `pql/text` and `pql/json`: one expression tree ([`P`]) that both
//! spellings print and read, and the translation between it and the canonical tree.
//!
//! The PQL this crate writes and reads (a documented subset; see [`crate::pql_text`] for the
//! full table). Attributes are **bare field names** of the profile (the implicit first
//! parameter), as in the seed's `workAddress.country = "US"`: a canonical attribute containing
//! dots is a nested path (`workAddress.country` is the field `country` of `workAddress`).
//! Relationship conditions are written over the related records with a variable:
//! `exists E from events where E.name = "purchase" and E.ts occurs <= 30 days before now`, or
//! with a count or an aggregate over `(select E from events where …)`.

mod compare;
pub(crate) mod json;
pub(crate) mod text;
mod today;

use segment_model::schema::{DataType, Entity, Relationship, Schema};
use segment_model::time::Moment;
use segment_model::tree::{
    constraint_name, AggregateFunction, Combinator, Condition, Constraint, CountOperator, Group,
    Node, RelationshipCondition, Segment, SegmentReference, SequenceStep, Span as StepSpan,
    TimeUnit,
};
use segment_model::Operator;
use serde_json::Value;

use crate::error::{clip, Error, Position, Result};
use crate::resolve;
use crate::value::{self, Bound, DatePart, Element, Num, Operand, Span};
use crate::walk::{self, Spelling};
use crate::{Format, MAX_DEPTH};

/// Where a PQL node came from: a byte offset in text, a JSON Pointer, or nowhere (rendered).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum At {
    Offset(usize),
    Pointer(String),
    Rendered,
}

/// A PQL expression and where it was read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct P {
    pub(crate) e: Expr,
    pub(crate) at: At,
}

impl P {
    pub(crate) fn new(e: Expr) -> P {
        P {
            e,
            at: At::Rendered,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    Bool(bool),
    Str(String),
    Num(Num),
    List(Vec<P>),
    And(Vec<P>),
    Or(Vec<P>),
    Not(Box<P>),
    /// A field path from the profile (`var: None`, PQL's implicit first parameter) or from a
    /// bound variable (`E.name`).
    Field {
        var: Option<String>,
        path: Vec<String>,
    },
    /// `target.name(args)`.
    Call {
        name: String,
        target: Box<P>,
        args: Vec<P>,
    },
    /// `lhs op rhs` for `=`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `notIn`, `like`.
    Compare {
        op: String,
        lhs: Box<P>,
        rhs: Box<P>,
    },
    Occurs {
        subject: Box<P>,
        spec: Occurs,
    },
    /// `exists V from source [where cond]`.
    Exists {
        var: String,
        source: Box<P>,
        cond: Option<Box<P>>,
    },
    /// `(select V from source [where cond])`, used as the target of an aggregate call (alone,
    /// it means the same as `exists`).
    Select {
        var: String,
        source: Box<P>,
        cond: Option<Box<P>>,
    },
    /// `chain(events, ts, [A: WHAT(c1), B: WHAT(c2) WHEN(<= 7 days after A)])`: related
    /// records in time order, one a step (see [`crate::pql_text`] for the meaning read).
    Chain {
        source: Box<P>,
        time: Box<P>,
        steps: Vec<Step>,
    },
    /// `inSegment("segment-id")`: membership of another segment.
    InSegment(String),
    /// `currentMonth()`, `currentYear()`, `currentDayOfMonth()`: a part of today's date.
    Current(String),
    /// A pql/json `DateTime` literal (an instant, RFC 3339 as the canonical tree writes it);
    /// PQL text has no such literal.
    DateTime(String),
}

/// One step of a `chain`: its label, the condition on its record (`WHAT`), and when it happened
/// (`WHEN`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Step {
    pub(crate) label: String,
    pub(crate) what: Box<P>,
    pub(crate) when: Option<When>,
    pub(crate) at: At,
}

/// What a chain step's `WHEN(…)` says.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum When {
    /// `WHEN(<= 7 days after A)`: at most this long after the step labelled `label`.
    After {
        op: String,
        amount: u64,
        unit: TimeUnit,
        label: String,
        at: At,
    },
    /// `WHEN(<= 24 hours before now)`, `WHEN(today)`…: the step record's time, as an `occurs`.
    Occurs(Occurs, At),
}

/// What follows `occurs`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Occurs {
    /// `occurs <= 30 days before now`.
    Compare(String, Time),
    Before(Time),
    After(Time),
    On(Time),
    Between(Time, Time),
    /// `occurs this|last|next month`.
    Period(String, TimeUnit),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Time {
    Now,
    Date {
        year: i64,
        month: i64,
        day: i64,
    },
    /// `30 days before now` (`after: false`) or `… after now`.
    Offset {
        amount: u64,
        unit: TimeUnit,
        after: bool,
    },
    /// `yesterday` (-1), `today` (0), `tomorrow` (1): that whole UTC day.
    Day(i8),
    /// `1 month before today`: `amount` units before (or after) the start of `day` (as in
    /// `Day`).
    FromDay {
        day: i8,
        amount: u64,
        unit: TimeUnit,
        after: bool,
    },
}

pub(crate) const COMPARISONS: [&str; 6] = ["=", "!=", "<", "<=", ">", ">="];

/// Words that cannot be field names in PQL text (the others, like `date`, `now` or `from`, are
/// keywords only where the grammar expects them). PQL keywords are case-insensitive: the lexer
/// reads `AND`, `Exists` or `NOTIN` as these.
pub(crate) const KEYWORDS: [&str; 14] = [
    "and", "or", "not", "in", "notIn", "like", "matches", "occurs", "true", "false", "exists",
    "select", "forall", "chain",
];

pub(crate) fn unit_word(unit: TimeUnit, amount: u64) -> &'static str {
    let plural = amount != 1;
    match (unit, plural) {
        (TimeUnit::Minute, false) => "minute",
        (TimeUnit::Minute, true) => "minutes",
        (TimeUnit::Hour, false) => "hour",
        (TimeUnit::Hour, true) => "hours",
        (TimeUnit::Day, false) => "day",
        (TimeUnit::Day, true) => "days",
        (TimeUnit::Week, false) => "week",
        (TimeUnit::Week, true) => "weeks",
        (TimeUnit::Month, false) => "month",
        (TimeUnit::Month, true) => "months",
        (TimeUnit::Year, false) => "year",
        (TimeUnit::Year, true) => "years",
    }
}

pub(crate) fn unit_from_word(word: &str) -> Option<TimeUnit> {
    value::unit_from_name(word.strip_suffix('s').unwrap_or(word))
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !KEYWORDS.contains(&s)
}

// ---------------------------------------------------------------------------------------------
// Tree -> PQL
// ---------------------------------------------------------------------------------------------

pub(crate) fn lower(
    format: Format,
    segment: &Segment,
    schema: &Schema,
    entity: Option<&str>,
) -> Result<P> {
    let base = resolve::base_entity(format, segment, schema, entity)?;
    if segment.root.children.is_empty() {
        return Ok(P::new(Expr::Bool(!segment.root.negated)));
    }
    let lower = Lower { format, schema };
    walk::group(&lower, &segment.root, base, &None, "/root", 0)
}

/// PQL's spelling of the tree; the context is the variable whose fields conditions name
/// (`None`: the profile's own).
impl<'s> Spelling<'s> for Lower<'s> {
    type Out = P;
    type Ctx = Option<String>;

    fn format(&self) -> Format {
        self.format
    }

    fn leaf(&self, c: &Condition, entity: &'s Entity, var: &Self::Ctx, path: &str) -> Result<P> {
        self.condition(c, entity, var.as_deref(), path)
    }

    fn related(
        &self,
        rel: &RelationshipCondition,
        entity: &'s Entity,
        var: &Self::Ctx,
        path: &str,
        depth: usize,
    ) -> Result<P> {
        self.relationship(rel, entity, var.as_deref(), path, depth)
    }

    fn sql_hint(&self) -> &'static str {
        "PQL has no SQL; rewrite it as conditions"
    }

    /// `inSegment("id")`, `not (inSegment("id"))`: Adobe's segment of segments, by id.
    fn in_segment(&self, reference: &SegmentReference, path: &str) -> Result<P> {
        if reference.revision.is_some() {
            return Err(self.unsupported(
                "membership of a pinned revision of a segment",
                &format!("{path}/revision"),
                "PQL's inSegment names a segment, not one of its revisions",
            ));
        }
        let p = P::new(Expr::InSegment(reference.segment.clone()));
        Ok(if reference.negated {
            P::new(Expr::Not(Box::new(p)))
        } else {
            p
        })
    }

    fn join(&self, g: &Group, mut parts: Vec<P>, _var: &Self::Ctx) -> Result<P> {
        let combined = if parts.len() == 1 {
            parts.pop().unwrap_or_else(|| P::new(Expr::Bool(true)))
        } else {
            match g.combinator {
                Combinator::And => P::new(Expr::And(parts)),
                Combinator::Or => P::new(Expr::Or(parts)),
            }
        };
        Ok(if g.negated {
            P::new(Expr::Not(Box::new(combined)))
        } else {
            combined
        })
    }
}

struct Lower<'s> {
    format: Format,
    schema: &'s Schema,
}

fn cmp(op: &str, lhs: P, rhs: P) -> P {
    P::new(Expr::Compare {
        op: op.to_string(),
        lhs: Box::new(lhs),
        rhs: Box::new(rhs),
    })
}

fn call(name: &str, target: P, args: Vec<P>) -> P {
    P::new(Expr::Call {
        name: name.to_string(),
        target: Box::new(target),
        args,
    })
}

fn string(s: &str) -> P {
    P::new(Expr::Str(s.to_string()))
}

fn number(n: Num) -> P {
    P::new(Expr::Num(n))
}

fn int(n: u64) -> P {
    match i64::try_from(n) {
        Ok(i) => number(Num::Int(i)),
        Err(_) => number(Num::Float(n as f64)),
    }
}

fn date_time(m: &Moment) -> Option<Time> {
    match m {
        Moment::Date(d) => {
            use chrono::Datelike;
            Some(Time::Date {
                year: i64::from(d.year()),
                month: i64::from(d.month()),
                day: i64::from(d.day()),
            })
        }
        Moment::Instant(_) => None,
    }
}

impl<'s> Lower<'s> {
    fn unsupported(
        &self,
        construct: impl Into<String>,
        path: &str,
        hint: impl Into<String>,
    ) -> Error {
        Error::unsupported(self.format, construct, path, hint)
    }

    fn field(&self, var: Option<&str>, name: &str, path: &str) -> Result<P> {
        let parts: Vec<String> = name.split('.').map(str::to_string).collect();
        if let Some(bad) = parts.iter().find(|p| !is_identifier(p)) {
            return Err(self.unsupported(
                format!("the attribute name “{name}”", name = clip(name)),
                &format!("{path}/attribute"),
                format!(
                    "“{bad}” is not a PQL field name (letters, digits and _, not a keyword)",
                    bad = clip(bad)
                ),
            ));
        }
        Ok(P::new(Expr::Field {
            var: var.map(str::to_string),
            path: parts,
        }))
    }

    fn condition(
        &self,
        c: &Condition,
        entity: &'s Entity,
        var: Option<&str>,
        path: &str,
    ) -> Result<P> {
        use Operator as O;
        let operand = resolve::condition(self.format, entity, c, path)?;
        let f = self.field(var, &c.attribute, path)?;
        if let Operand::Attribute(other) = &operand {
            return self.fields_compared(c, entity, var, f, other, path);
        }
        let cs = !value::uses_case(c.operator) || c.case_sensitive != Some(false);
        let label = c.operator.label();
        let bad = || {
            Error::invalid(
                self.format,
                &format!("{path}/value"),
                format!("unexpected value for “{label}”"),
            )
        };
        let with_case = |s: &str| {
            if cs {
                vec![string(s)]
            } else {
                vec![string(s), P::new(Expr::Bool(false))]
            }
        };
        let op_unsupported =
            |hint: &str| self.unsupported(format!("the operator “{label}”"), path, hint);
        Ok(match c.operator {
            O::Is | O::IsNot => {
                let Operand::Text(s) = operand else { return Err(bad()) };
                match (c.operator == O::Is, cs) {
                    (true, true) => cmp("=", f, string(&s)),
                    (false, true) => cmp("!=", f, string(&s)),
                    (true, false) => call("equals", f, with_case(&s)),
                    (false, false) => call("notEqualTo", f, with_case(&s)),
                }
            }
            O::IsOneOf | O::IsNoneOf => {
                if !cs {
                    return Err(self.unsupported(
                        format!("case-insensitive “{label}”"),
                        &format!("{path}/case_sensitive"),
                        "PQL's in/notIn compare exactly; make it case-sensitive or use an OR of equals(…, false)",
                    ));
                }
                let items = match operand {
                    Operand::TextList(items) => items.iter().map(|s| string(s)).collect(),
                    Operand::NumberList(items) => items.into_iter().map(number).collect(),
                    _ => return Err(bad()),
                };
                cmp(if c.operator == O::IsOneOf { "in" } else { "notIn" }, f, P::new(Expr::List(items)))
            }
            O::Contains | O::DoesNotContain | O::StartsWith | O::DoesNotStartWith | O::EndsWith | O::DoesNotEndWith => {
                let Operand::Text(s) = operand else { return Err(bad()) };
                let name = match c.operator {
                    O::Contains => "contains",
                    O::DoesNotContain => "doesNotContain",
                    O::StartsWith => "startsWith",
                    O::DoesNotStartWith => "doesNotStartWith",
                    O::EndsWith => "endsWith",
                    _ => "doesNotEndWith",
                };
                call(name, f, with_case(&s))
            }
            O::Like => {
                let Operand::Text(s) = operand else { return Err(bad()) };
                if c.case_sensitive == Some(true) {
                    // `like` is read as folding case (as SQL LIKE): it cannot say the opposite.
                    return Err(self.unsupported(
                        "a case-sensitive like",
                        &format!("{path}/case_sensitive"),
                        "PQL's like is read as ignoring case; use matches with a regular expression",
                    ));
                }
                cmp("like", f, string(&s))
            }
            O::MatchesRegex => {
                let Operand::Text(s) = operand else { return Err(bad()) };
                call("matches", f, vec![string(&s)])
            }
            O::IsBlank | O::IsNotBlank => {
                return Err(op_unsupported("PQL has no blank test; use “is null” or “is” \"\" in an OR group"))
            }
            O::IsNull => call("isNull", f, vec![]),
            O::IsNotNull => call("isNotNull", f, vec![]),
            O::LengthEquals | O::LengthLessThan | O::LengthGreaterThan => {
                return Err(op_unsupported("PQL has no string length function"))
            }
            O::Equals | O::NotEquals | O::LessThan | O::LessThanOrEqual | O::GreaterThan | O::GreaterThanOrEqual
                if matches!(operand, Operand::TodayPart(_)) =>
            {
                let Operand::TodayPart(part) = operand else { return Err(bad()) };
                let op = match c.operator {
                    O::Equals => "=",
                    O::NotEquals => "!=",
                    O::LessThan => "<",
                    O::LessThanOrEqual => "<=",
                    O::GreaterThan => ">",
                    _ => ">=",
                };
                cmp(op, f, today::current(part))
            }
            O::On | O::NotOn | O::Before | O::After | O::OnOrBefore | O::OnOrAfter | O::Between | O::NotBetween
                if today::counts_from_today(&operand) =>
            {
                match today::occurs(c.operator, &operand) {
                    Some(spec) => occurs(f, spec),
                    None => return Err(self.unsupported(
                        format!("“{label}” a time counted from the start of today"),
                        &format!("{path}/value"),
                        "PQL counts from today: before today, after today, <= N units before today, > N units before today",
                    )),
                }
            }
            O::Equals | O::NotEquals | O::LessThan | O::LessThanOrEqual | O::GreaterThan | O::GreaterThanOrEqual => {
                let value = match operand {
                    Operand::Number(n) => number(n),
                    // Text in code point order.
                    Operand::Text(s) => string(&s),
                    _ => return Err(bad()),
                };
                let op = match c.operator {
                    O::Equals => "=",
                    O::NotEquals => "!=",
                    O::LessThan => "<",
                    O::LessThanOrEqual => "<=",
                    O::GreaterThan => ">",
                    _ => ">=",
                };
                cmp(op, f, value)
            }
            O::Between => match operand {
                Operand::DateRange(Bound::Moment(_, a), Bound::Moment(_, b)) => match if a.start() > b.start() {
                    (date_time(&b), date_time(&a))
                } else {
                    (date_time(&a), date_time(&b))
                } {
                    (Some(a), Some(b)) => occurs(f, Occurs::Between(a, b)),
                    _ => return Err(op_unsupported("PQL dates are whole days; use dates without a time")),
                },
                Operand::DateRange(..) => {
                    return Err(op_unsupported("PQL has no “now” or “days ago” bounds in between; use two dates"))
                }
                _ => return Err(op_unsupported("PQL has no between for numbers; use ≥ and ≤ in an AND group")),
            },
            O::NotBetween => return Err(op_unsupported("PQL has no “not between”; use < or > in an OR group")),
            O::IsTrue => cmp("=", f, P::new(Expr::Bool(true))),
            O::IsFalse => cmp("=", f, P::new(Expr::Bool(false))),
            O::Before | O::After | O::OnOrBefore | O::OnOrAfter
                if self.format == Format::PqlJson
                    && matches!(&operand, Operand::Moment(_, Moment::Instant(_))) =>
            {
                // pql/json compares instants with its DateTime literal.
                let Operand::Moment(_, m) = operand else { return Err(bad()) };
                let op = match c.operator {
                    O::Before => "<",
                    O::After => ">",
                    O::OnOrBefore => "<=",
                    _ => ">=",
                };
                cmp(op, f, P::new(Expr::DateTime(value::moment_text(&m))))
            }
            O::On | O::Before | O::After => {
                let Operand::Moment(_, m) = operand else { return Err(bad()) };
                let Some(t) = date_time(&m) else {
                    return Err(self.unsupported(
                        format!("“{label}” a date and time"),
                        &format!("{path}/value"),
                        "PQL dates are whole days (date(y, m, d)); use a date",
                    ));
                };
                occurs(
                    f,
                    match c.operator {
                        O::On => Occurs::On(t),
                        O::Before => Occurs::Before(t),
                        _ => Occurs::After(t),
                    },
                )
            }
            O::NotOn | O::OnOrBefore | O::OnOrAfter => {
                return Err(op_unsupported("PQL's occurs has on, before, after and between only"))
            }
            O::InTheLast | O::InTheNext | O::MoreThanAgo | O::LessThanAgo | O::ExactlyAgo => {
                let (amount, unit) = match operand {
                    Operand::Span(Span::Units(n, u)) => (n, u),
                    Operand::Span(Span::Days(_)) => {
                        return Err(self.unsupported(
                            "a fractional number of days",
                            &format!("{path}/value"),
                            "PQL counts whole units; use hours or minutes",
                        ))
                    }
                    _ => return Err(bad()),
                };
                let (op, after) = match c.operator {
                    O::InTheLast => ("<=", false),
                    O::InTheNext => ("<=", true),
                    O::MoreThanAgo => (">", false),
                    O::LessThanAgo => ("<", false),
                    _ => ("=", false),
                };
                occurs(f, Occurs::Compare(op.to_string(), Time::Offset { amount, unit, after }))
            }
            O::BetweenAgo => {
                let Operand::AgoPair { from, to, unit } = operand else { return Err(bad()) };
                occurs(
                    f,
                    Occurs::Between(
                        Time::Offset { amount: from, unit, after: false },
                        Time::Offset { amount: to, unit, after: false },
                    ),
                )
            }
            O::ThisPeriod | O::LastPeriod | O::NextPeriod => {
                let Operand::Period(unit) = operand else { return Err(bad()) };
                let which = match c.operator {
                    O::ThisPeriod => "this",
                    O::LastPeriod => "last",
                    _ => "next",
                };
                occurs(f, Occurs::Period(which.to_string(), unit))
            }
            O::DatePartIs => {
                let Operand::DatePart { part, values } = operand else { return Err(bad()) };
                let name = match part {
                    DatePart::Year => "getYear",
                    DatePart::Month => "getMonth",
                    DatePart::DayOfMonth => "getDayOfMonth",
                    DatePart::Weekday => {
                        return Err(self.unsupported(
                            "the weekday of a date",
                            &format!("{path}/value/part"),
                            "PQL has getYear, getMonth and getDayOfMonth only",
                        ))
                    }
                    DatePart::Hour => {
                        return Err(self.unsupported(
                            "the hour of a time",
                            &format!("{path}/value/part"),
                            "PQL has getYear, getMonth and getDayOfMonth only",
                        ))
                    }
                };
                let target = call(name, f, vec![]);
                match values.as_slice() {
                    [one] => cmp("=", target, number(Num::Int(*one))),
                    many => cmp("in", target, P::new(Expr::List(many.iter().map(|v| number(Num::Int(*v))).collect()))),
                }
            }
            O::ContainsAnyOf | O::ContainsAllOf => {
                let Operand::Elements(items) = operand else { return Err(bad()) };
                let list = P::new(Expr::List(
                    items
                        .iter()
                        .map(|e| match e {
                            Element::Text(s) => string(s),
                            Element::Number(n) => number(*n),
                        })
                        .collect(),
                ));
                call(if c.operator == O::ContainsAnyOf { "intersects" } else { "supersetOf" }, f, vec![list])
            }
            O::ContainsNoneOf => {
                return Err(op_unsupported("PQL has no “not null and none of”; NOT around “contains any of” also matches a missing list"))
            }
            O::AnyItemStartsWith | O::AnyItemEndsWith | O::AnyItemContains | O::EveryItemIs => {
                return Err(op_unsupported("PQL lists are tested with intersects, supersetOf and count; no test reads their items one by one here"))
            }
            O::IsEmpty | O::IsNotEmpty => return Err(op_unsupported("use “size is 0” or “size greater than 0”")),
            O::SizeEquals | O::SizeLessThan | O::SizeGreaterThan => {
                let Operand::Count(n) = operand else { return Err(bad()) };
                let op = match c.operator {
                    O::SizeEquals => "=",
                    O::SizeLessThan => "<",
                    _ => ">",
                };
                cmp(op, call("count", f, vec![]), int(n))
            }
        })
    }

    fn relationship(
        &self,
        rel: &RelationshipCondition,
        entity: &'s Entity,
        var: Option<&str>,
        path: &str,
        depth: usize,
    ) -> Result<P> {
        walk::check_depth(self.format, path, depth)?;
        let (r, related) =
            resolve::relationship(self.format, self.schema, entity, &rel.relationship, path)?;
        if !is_identifier(&r.name) {
            return Err(self.unsupported(
                format!("the relationship name “{}”", r.name),
                &format!("{path}/relationship"),
                "PQL names are letters, digits and _",
            ));
        }
        if let Some(Constraint::Sequence { steps, within }) = &rel.constraint {
            let seq = SequenceRef {
                steps,
                within: within.as_ref(),
            };
            return self.chain(rel, r, related, var, seq, path, depth);
        }
        let inner = variable(var);
        let cond = self.related_condition(rel, r, related, &inner, path, depth)?;
        let source = Box::new(P::new(Expr::Field {
            var: var.map(str::to_string),
            path: vec![r.name.clone()],
        }));
        let constraint_path = format!("{path}/constraint");
        let Some(constraint) = &rel.constraint else {
            return Ok(P::new(Expr::Exists {
                var: inner,
                source,
                cond,
            }));
        };
        let select = P::new(Expr::Select {
            var: inner.clone(),
            source,
            cond,
        });
        let (operator, target, value) = match constraint {
            Constraint::Occurrences {
                operator, value, ..
            } => (*operator, call("count", select, vec![]), value),
            Constraint::Aggregate {
                function,
                attribute,
                operator,
                value,
                ..
            } => {
                let name = match function {
                    AggregateFunction::Sum => "sum",
                    AggregateFunction::Avg => "average",
                    AggregateFunction::Min => "min",
                    AggregateFunction::Max => "max",
                    AggregateFunction::CountDistinct => {
                        return Err(self.unsupported(
                            "a count of distinct values",
                            &constraint_path,
                            "PQL's aggregates here are count, sum, average, min and max",
                        ))
                    }
                };
                resolve::column(self.format, related, attribute, &constraint_path)?;
                let arg = self.field(Some(&inner), attribute, &constraint_path)?;
                (*operator, call(name, select, vec![arg]), value)
            }
            Constraint::FirstTime { .. }
            | Constraint::LastTime { .. }
            | Constraint::FirstRecord { .. }
            | Constraint::LastRecord { .. }
            | Constraint::DistinctPeriods { .. }
            | Constraint::Sequence { .. } => {
                return Err(self.unsupported(
                    constraint_name(constraint),
                    &constraint_path,
                    "this translation writes counts and aggregates of related records only",
                ))
            }
        };
        let op = match operator {
            CountOperator::AtLeast => ">=",
            CountOperator::AtMost => "<=",
            CountOperator::Exactly => "=",
            CountOperator::MoreThan => ">",
            CountOperator::LessThan => "<",
            CountOperator::NotEquals => "!=",
            CountOperator::Between => {
                return Err(self.unsupported(
                    "a count or aggregate between two numbers",
                    &constraint_path,
                    "use two relationship conditions, at least and at most, in an AND group",
                ))
            }
        };
        let whole = matches!(constraint, Constraint::Occurrences { .. });
        let read = if whole {
            value::read(Operator::SizeEquals, DataType::Number, value).map(|o| match o {
                Operand::Count(n) => int(n),
                _ => int(0),
            })
        } else {
            value::read(Operator::Equals, DataType::Number, value).map(|o| match o {
                Operand::Number(n) => number(n),
                _ => int(0),
            })
        };
        let rhs = read.map_err(|(suffix, message)| {
            Error::invalid(
                self.format,
                &format!("{constraint_path}/value{suffix}"),
                message,
            )
        })?;
        if let (
            Constraint::Aggregate {
                function: AggregateFunction::Sum,
                ..
            },
            Expr::Num(n),
        ) = (constraint, &rhs.e)
        {
            if zero_satisfies(op, n) {
                return Err(self.unsupported(SUM_ZERO, &constraint_path, SUM_ZERO_HINT));
            }
        }
        Ok(cmp(op, target, rhs))
    }

    /// The `where` of a relationship's `exists`/`select`: its filter's conditions on the related
    /// records, then its time window as one more.
    fn related_condition(
        &self,
        rel: &RelationshipCondition,
        r: &Relationship,
        related: &'s Entity,
        inner: &str,
        path: &str,
        depth: usize,
    ) -> Result<Option<Box<P>>> {
        let mut parts = Vec::new();
        if !rel.filter.children.is_empty() {
            match walk::group(
                self,
                &rel.filter,
                related,
                &Some(inner.to_string()),
                &format!("{path}/filter"),
                depth + 1,
            )? {
                P {
                    e: Expr::And(items),
                    ..
                } => parts.extend(items),
                other => parts.push(other),
            }
        } else if rel.filter.negated {
            return Err(self.unsupported(
                "a negated empty filter (no related record can match)",
                &format!("{path}/filter"),
                "",
            ));
        }
        if let Some(window) = &rel.window {
            let ctx = Some(inner.to_string());
            if let Some((_, p)) = walk::window(self, r, related, window, &ctx, path)? {
                parts.push(p);
            }
        }
        Ok(match parts.len() {
            0 => None,
            1 => parts.pop().map(Box::new),
            _ => Some(Box::new(P::new(Expr::And(parts)))),
        })
    }
}

/// A sequence constraint's parts, as [`Lower::chain`] reads them.
struct SequenceRef<'t> {
    steps: &'t [SequenceStep],
    within: Option<&'t StepSpan>,
}

/// The label of step `i` of a chain: `A`, `B`, … (a sequence has at most 5 steps).
fn step_label(i: usize) -> String {
    char::from(b'A' + (i % 26) as u8).to_string()
}

impl<'s> Lower<'s> {
    /// A sequence as `chain(rel, time, [A: WHAT(…), B: WHAT(…) WHEN(<= N units after A), …])`.
    /// The relationship's own filter and window are conditions on every step's record (exact,
    /// as a chain has no exclusions); the whole span is the last step's `WHEN` after `A`.
    #[allow(clippy::too_many_arguments)]
    fn chain(
        &self,
        rel: &RelationshipCondition,
        r: &Relationship,
        related: &'s Entity,
        var: Option<&str>,
        seq: SequenceRef<'_>,
        path: &str,
        depth: usize,
    ) -> Result<P> {
        let constraint_path = format!("{path}/constraint");
        let Some(time) = resolve::time_column(r, related) else {
            return Err(self.unsupported(
                "a sequence over records without a time column",
                &constraint_path,
                "PQL's chain orders records by a timestamp",
            ));
        };
        let shared = self.shared_step_conditions(rel, r, related, path, depth)?;
        let last = seq.steps.len().saturating_sub(1);
        let mut steps = Vec::with_capacity(seq.steps.len());
        for (i, step) in seq.steps.iter().enumerate() {
            let step_path = format!("{constraint_path}/steps/{i}");
            if step.excluding.is_some() {
                return Err(self.unsupported(
                    "a sequence step with “no … in between”",
                    &format!("{step_path}/excluding"),
                    "PQL's chain has no exclusions between steps",
                ));
            }
            if i == 0 && (step.within.is_some() || seq.steps.len() < 2) {
                return Err(self.unsupported(
                    "a sequence without a first step and a later one",
                    &step_path,
                    "a sequence has 2 to 5 steps and its first step no “within”",
                ));
            }
            let mut parts = shared.clone();
            if !step.filter.children.is_empty() || step.filter.negated {
                let filter_path = format!("{step_path}/filter");
                match walk::group(self, &step.filter, related, &None, &filter_path, depth + 1)? {
                    P {
                        e: Expr::And(items),
                        ..
                    } => parts.extend(items),
                    other => parts.push(other),
                }
            }
            let what = match parts.len() {
                0 => P::new(Expr::Bool(true)),
                1 => parts.pop().unwrap_or_else(|| P::new(Expr::Bool(true))),
                _ => P::new(Expr::And(parts)),
            };
            let gap = |span: &StepSpan, label: String| When::After {
                op: "<=".to_string(),
                amount: u64::from(span.amount),
                unit: span.unit,
                label,
                at: At::Rendered,
            };
            let when = match (step.within.as_ref(), seq.within.filter(|_| i == last)) {
                (Some(_), Some(_)) if i > 0 => {
                    return Err(self.unsupported(
                        "a sequence whose last step has its own “within” and the whole sequence another",
                        &format!("{constraint_path}/within"),
                        "PQL's chain gives each step one WHEN; drop one of the two",
                    ))
                }
                (Some(w), _) if i > 0 => Some(gap(w, step_label(i - 1))),
                (None, Some(w)) if i > 0 => Some(gap(w, step_label(0))),
                _ => None,
            };
            steps.push(Step {
                label: step_label(i),
                what: Box::new(what),
                when,
                at: At::Rendered,
            });
        }
        Ok(P::new(Expr::Chain {
            source: Box::new(P::new(Expr::Field {
                var: var.map(str::to_string),
                path: vec![r.name.clone()],
            })),
            time: Box::new(P::new(Expr::Field {
                var: None,
                path: vec![time.name.clone()],
            })),
            steps,
        }))
    }

    /// The relationship's filter and window, which every step of a chain repeats.
    fn shared_step_conditions(
        &self,
        rel: &RelationshipCondition,
        r: &Relationship,
        related: &'s Entity,
        path: &str,
        depth: usize,
    ) -> Result<Vec<P>> {
        let mut parts = Vec::new();
        if !rel.filter.children.is_empty() {
            match walk::group(
                self,
                &rel.filter,
                related,
                &None,
                &format!("{path}/filter"),
                depth + 1,
            )? {
                P {
                    e: Expr::And(items),
                    ..
                } => parts.extend(items),
                other => parts.push(other),
            }
        } else if rel.filter.negated {
            return Err(self.unsupported(
                "a negated empty filter (no related record can match)",
                &format!("{path}/filter"),
                "",
            ));
        }
        if let Some(window) = &rel.window {
            if let Some((_, p)) = walk::window(self, r, related, window, &None, path)? {
                parts.push(p);
            }
        }
        Ok(parts)
    }
}

fn occurs(subject: P, spec: Occurs) -> P {
    P::new(Expr::Occurs {
        subject: Box::new(subject),
        spec,
    })
}

/// The variable for the related records one level inside `outer`: `E`, then `E2`, `E3`…
fn variable(outer: Option<&str>) -> String {
    match outer {
        None => "E".to_string(),
        Some(v) => {
            let n: u32 = v.trim_start_matches('E').parse().unwrap_or(1);
            format!("E{}", n + 1)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// PQL -> tree
// ---------------------------------------------------------------------------------------------

/// Reads a PQL expression as a segment of `entity` (or the schema's root entity). `locate` turns
/// a node's origin into a position for errors.
pub(crate) fn raise(
    format: Format,
    p: &P,
    schema: &Schema,
    entity: Option<&str>,
    locate: &dyn Fn(&At) -> Position,
) -> Result<Segment> {
    let base = resolve::parse_entity(schema, entity).map_err(|message| {
        Error::syntax(
            format,
            locate(&p.at),
            message,
            "pass the entity the segment selects",
        )
    })?;
    let raiser = Raise {
        format,
        schema,
        locate,
    };
    let root = match &p.e {
        Expr::Bool(b) => Group {
            combinator: Combinator::And,
            negated: !b,
            children: Vec::new(),
        },
        _ => match raiser.node(p, base, None, 0)? {
            Node::Group(g) => g,
            other => Group::and(vec![other]),
        },
    };
    let segment = Segment::new(Some(base.name.clone()), root);
    Ok(crate::normalize(&segment, schema, Some(&base.name)))
}

struct Raise<'s, 'l> {
    format: Format,
    schema: &'s Schema,
    locate: &'l dyn Fn(&At) -> Position,
}

impl<'s, 'l> Raise<'s, 'l> {
    fn cannot(&self, at: &At, construct: impl Into<String>, hint: impl Into<String>) -> Error {
        Error::unrepresentable(self.format, construct, (self.locate)(at), hint)
    }

    fn node(&self, p: &P, entity: &'s Entity, var: Option<&str>, depth: usize) -> Result<Node> {
        if depth > MAX_DEPTH {
            return Err(Error::syntax(
                self.format,
                (self.locate)(&p.at),
                format!("expression nested more than {MAX_DEPTH} levels deep"),
                "flatten the expression",
            ));
        }
        match &p.e {
            Expr::And(items) | Expr::Or(items) => {
                let combinator = if matches!(p.e, Expr::And(_)) {
                    Combinator::And
                } else {
                    Combinator::Or
                };
                let children = items
                    .iter()
                    .map(|i| self.node(i, entity, var, depth + 1))
                    .collect::<Result<Vec<_>>>()?;
                Ok(Node::Group(Group {
                    combinator,
                    negated: false,
                    children,
                }))
            }
            Expr::Not(inner) => match self.node(inner, entity, var, depth + 1)? {
                // `not inSegment("x")`: "is not a member of x", the reference's own negation.
                Node::InSegment(mut reference) if matches!(inner.e, Expr::InSegment(_)) => {
                    reference.negated = !reference.negated;
                    Ok(Node::InSegment(reference))
                }
                other => Ok(resolve::negate(other)),
            },
            Expr::Bool(_) => Err(self.cannot(
                &p.at,
                "a constant true/false inside a condition",
                "remove it, or use it as the whole expression",
            )),
            Expr::Exists {
                var: v,
                source,
                cond,
            } => self.relationship(entity, var, v, source, cond.as_deref(), None, depth),
            Expr::Compare { op, lhs, rhs } => self.compare(p, op, lhs, rhs, entity, var, depth),
            Expr::Call { name, target, args } => self.method(p, name, target, args, entity, var),
            Expr::Occurs { subject, spec } => self.occurs(p, subject, spec, entity, var),
            Expr::Field { .. } => {
                let column = self.column(p, entity, var)?;
                if column.data_type == DataType::Boolean {
                    Ok(condition(&column.name, Operator::IsTrue, Value::Null))
                } else {
                    Err(self.cannot(
                        &p.at,
                        format!("the field {} on its own", column.name),
                        "compare it with a value",
                    ))
                }
            }
            // A select on its own holds when it selects something: `exists`.
            Expr::Select {
                var: v,
                source,
                cond,
            } => self.relationship(entity, var, v, source, cond.as_deref(), None, depth),
            Expr::Chain {
                source,
                time,
                steps,
            } => self.chain(p, source, time, steps, entity, var, depth),
            Expr::InSegment(id) if !id.is_empty() => Ok(Node::InSegment(SegmentReference::new(id))),
            Expr::InSegment(_) => Err(self.cannot(
                &p.at,
                "PQL `inSegment(\"\")` (an empty segment id)",
                "name the segment: inSegment(\"segment-id\")",
            )),
            Expr::Current(name) => Err(self.cannot(
                &p.at,
                format!("PQL `{name}()` on its own", name = clip(name)),
                "compare a date's part with it, like birthday.getYear() = currentYear()",
            )),
            Expr::Str(_) | Expr::Num(_) | Expr::List(_) | Expr::DateTime(_) => Err(self.cannot(
                &p.at,
                "a value where a condition is expected",
                "write a comparison, like country = \"US\"",
            )),
        }
    }

    /// The column a field names, in the current scope.
    fn column(
        &self,
        p: &P,
        entity: &'s Entity,
        var: Option<&str>,
    ) -> Result<&'s segment_model::schema::Column> {
        let Expr::Field { var: fv, path } = &p.e else {
            return Err(self.cannot(
                &p.at,
                "a computed value",
                "compare a field of the record with a value",
            ));
        };
        if fv.as_deref() != var {
            let construct = match (fv, var) {
                (None, Some(v)) => format!("a profile field inside the condition on {v}"),
                (Some(f), _) => format!("the variable {f} here"),
                (None, None) => "a field".to_string(),
            };
            return Err(self.cannot(
                &p.at,
                construct,
                "conditions on related records use only that record's fields",
            ));
        }
        let name = path.join(".");
        resolve::read_column(self.format, entity, &name, &name, (self.locate)(&p.at))
    }

    #[allow(clippy::too_many_arguments)]
    fn relationship(
        &self,
        entity: &'s Entity,
        var: Option<&str>,
        inner_var: &str,
        source: &P,
        cond: Option<&P>,
        constraint: Option<Constraint>,
        depth: usize,
    ) -> Result<Node> {
        let Expr::Field { var: sv, path } = &source.e else {
            return Err(self.cannot(
                &source.at,
                "a computed collection",
                "use the name of a relationship, like events",
            ));
        };
        if sv.as_deref() != var || path.len() != 1 {
            return Err(self.cannot(
                &source.at,
                format!("the collection {}", path.join(".")),
                "use a relationship of the record",
            ));
        }
        let name = &path[0];
        let at = (self.locate)(&source.at);
        let (r, related) = resolve::read_relationship(self.format, self.schema, entity, name, at)?;
        let filter = match cond {
            None => None,
            Some(c) => Some(self.node(c, related, Some(inner_var), depth + 1)?),
        };
        Ok(resolve::read_related(r, constraint, None, filter))
    }

    #[allow(clippy::too_many_arguments)]
    fn compare(
        &self,
        p: &P,
        op: &str,
        lhs: &P,
        rhs: &P,
        entity: &'s Entity,
        var: Option<&str>,
        depth: usize,
    ) -> Result<Node> {
        // Aggregates over related records.
        if let Expr::Call { name, target, args } = &lhs.e {
            if let Expr::Select {
                var: inner,
                source,
                cond,
            } = &target.e
            {
                return self.aggregate(
                    p,
                    op,
                    name,
                    inner,
                    source,
                    cond.as_deref(),
                    args,
                    rhs,
                    entity,
                    var,
                    depth,
                );
            }
            return self.compare_call(p, op, lhs, name, target, args, rhs, entity, var);
        }
        if let (Expr::Field { .. }, Expr::Field { .. }) = (&lhs.e, &rhs.e) {
            return self.fields_compared_read(p, op, lhs, rhs, entity, var);
        }
        let column = self.column(lhs, entity, var)?;
        let ty = column.data_type;
        let attr = column.name.as_str();
        if let (Expr::Current(current), DataType::Number) = (&rhs.e, ty) {
            // A number compared with a part of today's date.
            if let (Some(part), Some(operator)) =
                (today::current_part(current), number_operator(op))
            {
                return Ok(condition(attr, operator, today::part_value(part)));
            }
        }
        if let Expr::Current(current) = &rhs.e {
            return Err(self.cannot(
                &p.at,
                format!("PQL `{attr} {op} {current}()`", current = clip(current)),
                "a value compared with a part of today's date is not a condition this import \
                 reads; compare a date's part, like birthday.getYear() = currentYear()",
            ));
        }
        let wrong = |what: &str| {
            self.cannot(
                &rhs.at,
                format!("comparing {attr} ({}) with {what}", ty.label()),
                "compare it with a value of its type",
            )
        };
        match ty {
            DataType::Text => match (op, &rhs.e) {
                ("=", Expr::Str(s)) => Ok(condition(attr, Operator::Is, Value::String(s.clone()))),
                ("!=", Expr::Str(s)) => {
                    Ok(condition(attr, Operator::IsNot, Value::String(s.clone())))
                }
                ("like", Expr::Str(s)) => {
                    Ok(condition(attr, Operator::Like, Value::String(s.clone())))
                }
                ("in" | "notIn", Expr::List(items)) => {
                    let values = items
                        .iter()
                        .map(|i| match &i.e {
                            Expr::Str(s) => Ok(Value::String(s.clone())),
                            _ => Err(self.cannot(
                                &i.at,
                                format!("a non-text value in a list for {attr}"),
                                "list text values",
                            )),
                        })
                        .collect::<Result<Vec<_>>>()?;
                    let operator = if op == "in" {
                        Operator::IsOneOf
                    } else {
                        Operator::IsNoneOf
                    };
                    Ok(condition(attr, operator, Value::Array(values)))
                }
                // Ordered by code point, the model's one text order.
                ("<" | "<=" | ">" | ">=", Expr::Str(s)) => match number_operator(op) {
                    Some(operator) => Ok(condition(attr, operator, Value::String(s.clone()))),
                    None => Err(wrong("this value")),
                },
                _ => Err(wrong("this value")),
            },
            DataType::Number => match (op, &rhs.e) {
                (_, Expr::Num(n)) if COMPARISONS.contains(&op) => {
                    let operator = match op {
                        "=" => Operator::Equals,
                        "!=" => Operator::NotEquals,
                        "<" => Operator::LessThan,
                        "<=" => Operator::LessThanOrEqual,
                        ">" => Operator::GreaterThan,
                        _ => Operator::GreaterThanOrEqual,
                    };
                    Ok(condition(attr, operator, n.to_json()))
                }
                ("in" | "notIn", Expr::List(items)) => {
                    let values = items
                        .iter()
                        .map(|i| match &i.e {
                            Expr::Num(n) => Ok(n.to_json()),
                            _ => Err(self.cannot(
                                &i.at,
                                format!("a non-number in a list for {attr}"),
                                "list numbers",
                            )),
                        })
                        .collect::<Result<Vec<_>>>()?;
                    let operator = if op == "in" {
                        Operator::IsOneOf
                    } else {
                        Operator::IsNoneOf
                    };
                    Ok(condition(attr, operator, Value::Array(values)))
                }
                _ => Err(wrong("this value")),
            },
            DataType::Boolean => match (op, &rhs.e) {
                ("=", Expr::Bool(true)) => Ok(condition(attr, Operator::IsTrue, Value::Null)),
                ("=", Expr::Bool(false)) => Ok(condition(attr, Operator::IsFalse, Value::Null)),
                ("!=", Expr::Bool(_)) => Err(self.cannot(
                    &p.at,
                    format!("{attr} != true/false"),
                    "write = true or = false (“not equal” would also match a missing value)",
                )),
                _ => Err(wrong("this value")),
            },
            DataType::Datetime => match (op, &rhs.e) {
                // A pql/json DateTime literal: an instant compared.
                ("<" | "<=" | ">" | ">=", Expr::DateTime(t)) => {
                    let operator = match op {
                        "<" => Operator::Before,
                        "<=" => Operator::OnOrBefore,
                        ">" => Operator::After,
                        _ => Operator::OnOrAfter,
                    };
                    Ok(condition(attr, operator, Value::String(t.clone())))
                }
                _ => Err(self.cannot(
                    &p.at,
                    format!("comparing the date {attr} with {op}"),
                    "use occurs, e.g. occurs before date(2024, 1, 31)",
                )),
            },
            DataType::Array => Err(self.cannot(
                &p.at,
                format!("comparing the list {attr} with {op}"),
                "use intersects, supersetOf or count()",
            )),
        }
    }

    /// `x.getMonth() = 5`, `tags.count() > 2`.
    #[allow(clippy::too_many_arguments)]
    fn compare_call(
        &self,
        p: &P,
        op: &str,
        lhs: &P,
        name: &str,
        target: &P,
        args: &[P],
        rhs: &P,
        entity: &'s Entity,
        var: Option<&str>,
    ) -> Result<Node> {
        if !args.is_empty() {
            return Err(self.cannot(
                &lhs.at,
                format!("{name}(…) with arguments here", name = clip(name)),
                "compare a field, a date part or a count",
            ));
        }
        let column = self.column(target, entity, var)?;
        let attr = column.name.as_str();
        if let Expr::Current(current) = &rhs.e {
            // Only "the year is this year" is a condition of the model (this year, UTC).
            return match (name, op, current.as_str(), column.data_type) {
                ("getYear", "=", "currentYear", DataType::Datetime) => Ok(condition(
                    attr,
                    Operator::ThisPeriod,
                    Value::String("year".to_string()),
                )),
                _ => Err(self.cannot(
                    &p.at,
                    format!(
                        "PQL `{attr}.{name}() {op} {current}()`",
                        name = clip(name),
                        current = clip(current)
                    ),
                    "a date part is compared with fixed numbers (e.g. getMonth() = 6); of \
                     today's parts only getYear() = currentYear() (this year) is read",
                )),
            };
        }
        match (name, column.data_type) {
            ("getYear" | "getMonth" | "getDayOfMonth", DataType::Datetime) => {
                let part = match name {
                    "getYear" => "year",
                    "getMonth" => "month",
                    _ => "day_of_month",
                };
                // A month or day of month compared with < ≤ > ≥ ≠ is the finite list of the
                // parts it allows (months 1–12, days 1–31).
                let range = match name {
                    "getMonth" => Some(12),
                    "getDayOfMonth" => Some(31),
                    _ => None,
                };
                let values: Vec<Value> = match (op, &rhs.e, range) {
                    (_, Expr::Num(Num::Int(v)), Some(last))
                        if op != "=" && COMPARISONS.contains(&op) =>
                    {
                        let keep = |part: i64| match op {
                            "<" => part < *v,
                            "<=" => part <= *v,
                            ">" => part > *v,
                            ">=" => part >= *v,
                            _ => part != *v,
                        };
                        let parts: Vec<Value> =
                            (1..=last).filter(|p| keep(*p)).map(Value::from).collect();
                        if parts.is_empty() {
                            return Err(self.cannot(
                                &p.at,
                                format!(
                                    "{name}() {op} {v}, which no date meets",
                                    name = clip(name)
                                ),
                                "compare with a value some date has",
                            ));
                        }
                        parts
                    }
                    ("=", Expr::Num(Num::Int(v)), _) => vec![Value::from(*v)],
                    ("in", Expr::List(items), _) => items
                        .iter()
                        .map(|i| match &i.e {
                            Expr::Num(Num::Int(v)) => Ok(Value::from(*v)),
                            _ => Err(self.cannot(
                                &i.at,
                                "a value that is not a whole number",
                                "list whole numbers",
                            )),
                        })
                        .collect::<Result<Vec<_>>>()?,
                    _ => {
                        return Err(self.cannot(
                            &p.at,
                            format!("{name}() {op} …", name = clip(name)),
                            "date parts compare with = or in [..]",
                        ))
                    }
                };
                let value = serde_json::json!({"part": part, "values": values});
                let node = condition(attr, Operator::DatePartIs, value.clone());
                if let Err((_, message)) =
                    value::read(Operator::DatePartIs, DataType::Datetime, &value)
                {
                    return Err(self.cannot(&rhs.at, format!("the {part} value"), message));
                }
                Ok(node)
            }
            ("count", DataType::Array) => {
                let operator = match op {
                    "=" => Operator::SizeEquals,
                    "<" => Operator::SizeLessThan,
                    ">" => Operator::SizeGreaterThan,
                    _ => {
                        return Err(self.cannot(
                            &p.at,
                            format!("count() {op} …"),
                            "list sizes compare with =, < or >",
                        ))
                    }
                };
                match &rhs.e {
                    Expr::Num(Num::Int(n)) if *n >= 0 => {
                        Ok(condition(attr, operator, Value::from(*n)))
                    }
                    _ => Err(self.cannot(
                        &rhs.at,
                        "a size that is not a whole number",
                        "use 0 or more",
                    )),
                }
            }
            _ => Err(self.cannot(
                &lhs.at,
                format!("{attr}.{name}() compared with a value", name = clip(name)),
                "supported: getYear(), getMonth(), getDayOfMonth() on dates and count() on lists",
            )),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn aggregate(
        &self,
        p: &P,
        op: &str,
        name: &str,
        inner: &str,
        source: &P,
        cond: Option<&P>,
        args: &[P],
        rhs: &P,
        entity: &'s Entity,
        var: Option<&str>,
        depth: usize,
    ) -> Result<Node> {
        let operator = match op {
            ">=" => CountOperator::AtLeast,
            "<=" => CountOperator::AtMost,
            "=" => CountOperator::Exactly,
            ">" => CountOperator::MoreThan,
            "<" => CountOperator::LessThan,
            "!=" => CountOperator::NotEquals,
            _ => {
                return Err(self.cannot(
                    &p.at,
                    format!("an aggregate compared with {op}"),
                    "use =, !=, <, <=, > or >=",
                ))
            }
        };
        let constraint = if name == "count" {
            if !args.is_empty() {
                return Err(self.cannot(
                    &p.at,
                    "count(…) with arguments",
                    "count the selected records with count()",
                ));
            }
            match &rhs.e {
                Expr::Num(Num::Int(n)) if *n >= 0 => Constraint::Occurrences {
                    operator,
                    value: Value::from(*n),
                    census_operator: None,
                },
                _ => {
                    return Err(self.cannot(
                        &rhs.at,
                        "a count that is not a whole number",
                        "use 0 or more",
                    ))
                }
            }
        } else {
            let function = match name {
                "sum" => AggregateFunction::Sum,
                "average" => AggregateFunction::Avg,
                "min" => AggregateFunction::Min,
                "max" => AggregateFunction::Max,
                other => {
                    return Err(self.cannot(
                        &p.at,
                        format!("the aggregate {other}()"),
                        "use count, sum, average, min or max",
                    ))
                }
            };
            let [arg] = args else {
                return Err(self.cannot(
                    &p.at,
                    format!("{name}() without one field", name = clip(name)),
                    format!(
                        "write {name}({inner}.field)",
                        name = clip(name),
                        inner = clip(inner)
                    ),
                ));
            };
            let Expr::Num(n) = &rhs.e else {
                return Err(self.cannot(
                    &rhs.at,
                    "an aggregate compared with a non-number",
                    "compare it with a number",
                ));
            };
            // The argument is a field of the selected records.
            let Expr::Field { var: av, path } = &arg.e else {
                return Err(self.cannot(
                    &arg.at,
                    "a computed value to aggregate",
                    format!(
                        "write {name}({inner}.field)",
                        name = clip(name),
                        inner = clip(inner)
                    ),
                ));
            };
            if av.as_deref() != Some(inner) {
                return Err(self.cannot(
                    &arg.at,
                    "a field of another record",
                    format!(
                        "write {name}({inner}.field)",
                        name = clip(name),
                        inner = clip(inner)
                    ),
                ));
            }
            if function == AggregateFunction::Sum && zero_satisfies(op, n) {
                return Err(self.cannot(
                    &p.at,
                    format!("PQL `sum … {op} …`, {SUM_ZERO}"),
                    SUM_ZERO_HINT,
                ));
            }
            Constraint::Aggregate {
                function,
                attribute: path.join("."),
                operator,
                value: n.to_json(),
                census_operator: None,
            }
        };
        let node = self.relationship(entity, var, inner, source, cond, Some(constraint), depth)?;
        // The aggregated attribute must exist on the related entity.
        if let Node::Relationship(rel) = &node {
            if let Some(Constraint::Aggregate { attribute, .. }) = &rel.constraint {
                let related = self
                    .schema
                    .relationship(&entity.name, &rel.relationship)
                    .and_then(|r| self.schema.entity(&r.to_entity));
                if let Some(related) = related {
                    let at = (self.locate)(&args[0].at);
                    resolve::read_column(self.format, related, attribute, attribute, at)?;
                }
            }
        }
        Ok(node)
    }

    fn method(
        &self,
        p: &P,
        name: &str,
        target: &P,
        args: &[P],
        entity: &'s Entity,
        var: Option<&str>,
    ) -> Result<Node> {
        let column = self.column(target, entity, var)?;
        let attr = column.name.as_str();
        let ty = column.data_type;
        if name == "includes" {
            // `tags.includes("red")`: the list holds that item.
            return match (ty, args) {
                (
                    DataType::Array,
                    [P {
                        e: Expr::Str(s), ..
                    }],
                ) => Ok(condition(
                    attr,
                    Operator::ContainsAnyOf,
                    Value::Array(vec![Value::String(s.clone())]),
                )),
                (
                    DataType::Array,
                    [P {
                        e: Expr::Num(n), ..
                    }],
                ) => Ok(condition(
                    attr,
                    Operator::ContainsAnyOf,
                    Value::Array(vec![n.to_json()]),
                )),
                _ => Err(self.cannot(
                    &p.at,
                    format!("PQL `{attr}.includes(…)` here"),
                    "includes applies to a list field and one text or number",
                )),
            };
        }
        let (operator, needs) = match name {
            "isNull" => (Operator::IsNull, None),
            "isNotNull" => (Operator::IsNotNull, None),
            "contains" => (Operator::Contains, Some(DataType::Text)),
            "doesNotContain" => (Operator::DoesNotContain, Some(DataType::Text)),
            "startsWith" => (Operator::StartsWith, Some(DataType::Text)),
            "doesNotStartWith" => (Operator::DoesNotStartWith, Some(DataType::Text)),
            "endsWith" => (Operator::EndsWith, Some(DataType::Text)),
            "doesNotEndWith" => (Operator::DoesNotEndWith, Some(DataType::Text)),
            "equals" => (Operator::Is, Some(DataType::Text)),
            "notEqualTo" => (Operator::IsNot, Some(DataType::Text)),
            "matches" => (Operator::MatchesRegex, Some(DataType::Text)),
            "intersects" => (Operator::ContainsAnyOf, Some(DataType::Array)),
            "supersetOf" => (Operator::ContainsAllOf, Some(DataType::Array)),
            other => {
                return Err(self.cannot(
                    &p.at,
                    format!("the function {other}()", other = clip(other)),
                    "see the list of PQL functions this import reads",
                ))
            }
        };
        if let Some(needed) = needs {
            if ty != needed {
                return Err(self.cannot(
                    &p.at,
                    format!("{name}() on {attr} ({})", ty.label(), name = clip(name)),
                    format!("{name}() applies to {}", needed.label(), name = clip(name)),
                ));
            }
        }
        match operator {
            Operator::IsNull | Operator::IsNotNull => {
                if !args.is_empty() {
                    return Err(self.cannot(
                        &p.at,
                        format!("{name}() with arguments", name = clip(name)),
                        format!("write {attr}.{name}()", name = clip(name)),
                    ));
                }
                Ok(condition(attr, operator, Value::Null))
            }
            Operator::ContainsAnyOf | Operator::ContainsAllOf => {
                let [P {
                    e: Expr::List(items),
                    ..
                }] = args
                else {
                    return Err(self.cannot(
                        &p.at,
                        format!("{name}() without a list", name = clip(name)),
                        format!("write {attr}.{name}([\"a\", \"b\"])", name = clip(name)),
                    ));
                };
                let values = items
                    .iter()
                    .map(|i| match &i.e {
                        Expr::Str(s) => Ok(Value::String(s.clone())),
                        Expr::Num(n) => Ok(n.to_json()),
                        _ => {
                            Err(self.cannot(&i.at, "a list item that is not text or a number", ""))
                        }
                    })
                    .collect::<Result<Vec<_>>>()?;
                if values.is_empty() {
                    return Err(self.cannot(&p.at, "an empty list", "list at least one value"));
                }
                Ok(condition(attr, operator, Value::Array(values)))
            }
            _ => {
                let (text, case) = match args {
                    [P {
                        e: Expr::Str(s), ..
                    }] => (s, None),
                    [P {
                        e: Expr::Str(s), ..
                    }, P {
                        e: Expr::Bool(b), ..
                    }] if operator != Operator::MatchesRegex => (s, Some(*b)),
                    _ => {
                        return Err(self.cannot(
                            &p.at,
                            format!("{name}() with these arguments", name = clip(name)),
                            format!(
                                "write {attr}.{name}(\"text\") or {attr}.{name}(\"text\", false)",
                                name = clip(name)
                            ),
                        ))
                    }
                };
                if text.is_empty() && operator != Operator::Is && operator != Operator::IsNot {
                    return Err(self.cannot(
                        &p.at,
                        format!("{name}(\"\")", name = clip(name)),
                        "give some text to match",
                    ));
                }
                let mut c = Condition::new(attr, operator, Value::String(text.clone()));
                if case == Some(false) {
                    c.case_sensitive = Some(false);
                }
                Ok(Node::Condition(c))
            }
        }
    }

    fn occurs(
        &self,
        p: &P,
        subject: &P,
        spec: &Occurs,
        entity: &'s Entity,
        var: Option<&str>,
    ) -> Result<Node> {
        let column = self.column(subject, entity, var)?;
        let attr = column.name.as_str();
        if column.data_type != DataType::Datetime {
            return Err(self.cannot(
                &p.at,
                format!("occurs on {attr} ({})", column.data_type.label()),
                "occurs applies to dates",
            ));
        }
        if let Some((operator, value)) = self.from_today(p, spec)? {
            return Ok(condition(attr, operator, value));
        }
        let date = |t: &Time| match t {
            Time::Date { year, month, day } => {
                let d = u32::try_from(*month)
                    .ok()
                    .zip(u32::try_from(*day).ok())
                    .and_then(|(m, d)| {
                        i32::try_from(*year)
                            .ok()
                            .and_then(|y| chrono::NaiveDate::from_ymd_opt(y, m, d))
                    });
                d.map(|d| d.format("%Y-%m-%d").to_string()).ok_or_else(|| {
                    self.cannot(
                        &p.at,
                        format!("the date date({year}, {month}, {day})"),
                        "it is not a calendar date",
                    )
                })
            }
            Time::Now | Time::Offset { .. } | Time::FromDay { .. } => {
                Err(self.cannot(&p.at, "a relative time here", "use date(year, month, day)"))
            }
            Time::Day(d) => Err(self.cannot(
                &p.at,
                format!(
                    "PQL `{}` here",
                    match d {
                        0 => "today",
                        d if *d < 0 => "yesterday",
                        _ => "tomorrow",
                    }
                ),
                "a day relative to today is read in `occurs today` (on that day); use a date \
                 or N units before now",
            )),
        };
        let span = |amount: u64, unit: TimeUnit| serde_json::json!({"amount": amount, "unit": value::unit_name(unit)});
        let (operator, value) = match spec {
            Occurs::Compare(
                op,
                Time::Offset {
                    amount,
                    unit,
                    after,
                },
            ) => {
                let operator = match (op.as_str(), after) {
                    ("<=", false) => Operator::InTheLast,
                    ("<=", true) => Operator::InTheNext,
                    (">", false) => Operator::MoreThanAgo,
                    ("<", false) => Operator::LessThanAgo,
                    ("=", false) => Operator::ExactlyAgo,
                    _ => return Err(self.cannot(
                        &p.at,
                        format!(
                            "occurs {op} … {}",
                            if *after { "after now" } else { "before now" }
                        ),
                        "supported: <= N units before/after now, > N, < N and = N units before now",
                    )),
                };
                (operator, span(*amount, *unit))
            }
            Occurs::Compare(op, _) => {
                return Err(self.cannot(
                    &p.at,
                    format!("occurs {op} a fixed time"),
                    "use occurs before/after/on date(…)",
                ))
            }
            Occurs::Before(t) => (Operator::Before, Value::String(date(t)?)),
            Occurs::After(t) => (Operator::After, Value::String(date(t)?)),
            Occurs::On(Time::Day(d)) => {
                let operator = match d {
                    0 => Operator::ThisPeriod,
                    d if *d < 0 => Operator::LastPeriod,
                    _ => Operator::NextPeriod,
                };
                (operator, Value::String("day".to_string()))
            }
            Occurs::On(t) => (Operator::On, Value::String(date(t)?)),
            Occurs::Between(
                Time::Offset {
                    amount: a,
                    unit: ua,
                    after: false,
                },
                Time::Offset {
                    amount: b,
                    unit: ub,
                    after: false,
                },
            ) if ua == ub => (
                Operator::BetweenAgo,
                serde_json::json!({"from": a, "to": b, "unit": value::unit_name(*ua)}),
            ),
            Occurs::Between(a, b) => (Operator::Between, serde_json::json!([date(a)?, date(b)?])),
            Occurs::Period(which, unit) => {
                let operator = match which.as_str() {
                    "this" => Operator::ThisPeriod,
                    "last" => Operator::LastPeriod,
                    _ => Operator::NextPeriod,
                };
                (operator, Value::String(value::unit_name(*unit).to_string()))
            }
        };
        Ok(condition(attr, operator, value))
    }
}

/// Adobe documents `sum` as 0 when no selected record has a value, where the model's sum of
/// no values is no value (no match): the two agree exactly when 0 fails the comparison.
const SUM_ZERO: &str = "a sum compared so that 0 matches";
const SUM_ZERO_HINT: &str = "PQL's sum is 0 when no record has a value, the model's is no value: \
     compare so that 0 does not match, or add a count of records";

/// Whether 0 satisfies `0 op n`.
fn zero_satisfies(op: &str, n: &Num) -> bool {
    let v = match n {
        Num::Int(i) => *i as f64,
        Num::Float(f) => *f,
    };
    match op {
        "=" => v == 0.0,
        "!=" => v != 0.0,
        "<" => 0.0 < v,
        "<=" => 0.0 <= v,
        ">" => 0.0 > v,
        ">=" => 0.0 >= v,
        _ => false,
    }
}

/// The number operator a PQL comparison symbol is.
fn number_operator(op: &str) -> Option<Operator> {
    Some(match op {
        "=" => Operator::Equals,
        "!=" => Operator::NotEquals,
        "<" => Operator::LessThan,
        "<=" => Operator::LessThanOrEqual,
        ">" => Operator::GreaterThan,
        ">=" => Operator::GreaterThanOrEqual,
        _ => return None,
    })
}

fn condition(attribute: &str, operator: Operator, value: Value) -> Node {
    Node::Condition(Condition::new(attribute, operator, value))
}

impl<'s, 'l> Raise<'s, 'l> {
    /// `chain(rel, time, [steps])`: one step is "at least one record passing it"; 2–5 steps a
    /// sequence, where `WHEN(<= N units after <previous label>)` is a step's gap, the last step's
    /// `WHEN(<= N units after <first label>)` the whole span, and a `WHEN` relative to now or a
    /// date a condition on that step record's time.
    #[allow(clippy::too_many_arguments)]
    fn chain(
        &self,
        p: &P,
        source: &P,
        time: &P,
        steps: &[Step],
        entity: &'s Entity,
        var: Option<&str>,
        depth: usize,
    ) -> Result<Node> {
        let (r, related) = self.chain_source(source, entity, var)?;
        let time_path = self.chain_time(time, r, related)?;
        if steps.is_empty() {
            return Err(self.cannot(
                &p.at,
                "PQL `chain(…)` without steps",
                "list at least one step",
            ));
        }
        if steps.len() > 5 {
            return Err(self.cannot(
                &steps[5].at,
                format!("PQL `chain(…)` of {} steps", steps.len()),
                "sequences have 2 to 5 steps",
            ));
        }
        let mut out: Vec<SequenceStep> = Vec::with_capacity(steps.len());
        let mut whole = None;
        for (i, step) in steps.iter().enumerate() {
            if steps[..i].iter().any(|s| s.label == step.label) {
                return Err(self.cannot(
                    &step.at,
                    format!("PQL `chain(…)` with the label {} twice", clip(&step.label)),
                    "give each step its own label",
                ));
            }
            let mut children = Vec::new();
            if step.what.e != Expr::Bool(true) {
                match self.node(&step.what, related, None, depth + 2)? {
                    Node::Group(g) if !g.negated && g.combinator == Combinator::And => {
                        children.extend(g.children)
                    }
                    other => children.push(other),
                }
            }
            let mut within = None;
            match &step.when {
                None => {}
                Some(When::Occurs(spec, at)) => {
                    let subject = P {
                        e: Expr::Field {
                            var: None,
                            path: time_path.clone(),
                        },
                        at: at.clone(),
                    };
                    let whole_when = P {
                        e: Expr::Occurs {
                            subject: Box::new(subject.clone()),
                            spec: spec.clone(),
                        },
                        at: at.clone(),
                    };
                    children.push(self.occurs(&whole_when, &subject, spec, related, None)?);
                }
                Some(When::After {
                    op,
                    amount,
                    unit,
                    label,
                    at,
                }) => {
                    let span = self.step_gap(op, *amount, *unit, label, at)?;
                    let earlier = steps[..i].iter().position(|s| s.label == *label);
                    match earlier {
                        Some(j) if j + 1 == i => within = Some(span),
                        Some(0) if i + 1 == steps.len() => whole = Some(span),
                        _ => {
                            return Err(self.cannot(
                                at,
                                format!("PQL `WHEN(… after {label})` here", label = clip(label)),
                                "a step's WHEN names the step just before it (its gap), or the \
                                 last step's names the first (the whole span)",
                            ))
                        }
                    }
                }
            }
            out.push(SequenceStep {
                filter: Group::and(children),
                within,
                excluding: None,
            });
        }
        if out.len() == 1 {
            let filter = out.pop().map(|s| Node::Group(s.filter));
            return Ok(resolve::read_related(r, None, None, filter));
        }
        Ok(resolve::read_related(
            r,
            Some(Constraint::Sequence {
                steps: out,
                within: whole,
            }),
            None,
            None,
        ))
    }

    /// The relationship a chain runs over (`chain(events, …)`).
    fn chain_source(
        &self,
        source: &P,
        entity: &'s Entity,
        var: Option<&str>,
    ) -> Result<(&'s Relationship, &'s Entity)> {
        match &source.e {
            Expr::Field { var: sv, path } if sv.as_deref() == var && path.len() == 1 => {
                let at = (self.locate)(&source.at);
                resolve::read_relationship(self.format, self.schema, entity, &path[0], at)
            }
            _ => Err(self.cannot(
                &source.at,
                "PQL `chain(…)` over this collection",
                "chain the records of a relationship, like chain(events, ts, [...])",
            )),
        }
    }

    /// The time field a chain orders by: the relationship's time column.
    fn chain_time(&self, time: &P, r: &Relationship, related: &Entity) -> Result<Vec<String>> {
        let column = resolve::time_column(r, related);
        match (&time.e, column) {
            (Expr::Field { var: None, path }, Some(c)) if path.join(".") == c.name => {
                Ok(path.clone())
            }
            (_, Some(c)) => Err(self.cannot(
                &time.at,
                "PQL `chain(…)` ordered by another field",
                format!("{}'s records are ordered by {}", r.name, c.name),
            )),
            (_, None) => Err(self.cannot(
                &time.at,
                "PQL `chain(…)` over records without a time column",
                format!("{} has no date/time column", related.name),
            )),
        }
    }

    /// A step's gap from `WHEN(<= N units after L)`.
    fn step_gap(
        &self,
        op: &str,
        amount: u64,
        unit: TimeUnit,
        label: &str,
        at: &At,
    ) -> Result<StepSpan> {
        let written = format!(
            "PQL `WHEN({op} {amount} {} after {label})`",
            unit_word(unit, amount),
            label = clip(label)
        );
        if op != "<=" {
            return Err(self.cannot(
                at,
                written,
                "a step's gap is read as at most N units after: write <=",
            ));
        }
        if matches!(unit, TimeUnit::Month | TimeUnit::Year) {
            return Err(self.cannot(
                at,
                written,
                "a gap is in minutes, hours, days or weeks (months and years vary in length)",
            ));
        }
        let amount =
            u32::try_from(amount).map_err(|_| self.cannot(at, written, "the gap is too long"))?;
        Ok(StepSpan { amount, unit })
    }
}
