//! OData rendering: the canonical tree as a `$filter` expression.

use segment_model::schema::{DataType, Entity, Schema};
use segment_model::time::Moment;
use segment_model::tree::{
    constraint_name, Combinator, Condition, Constraint, CountOperator, Group, Node,
    RelationshipCondition, TimeUnit,
};
use segment_model::Operator;

use super::{date_literal, is_identifier, FORMAT};
use crate::error::{clip, Error, Result};
use crate::resolve;
use crate::value::{self, Bound, DatePart, Element, Num, Operand, Span};
use crate::walk::{self, Spelling};
use crate::Format;

/// How properties are reached: `""` (implicit: the record itself) or `"e/"` (a lambda variable).
#[derive(Clone)]
pub(super) struct Scope {
    pub(super) prefix: String,
    /// Relationship lambdas entered, for variable names.
    pub(super) depth: usize,
    /// Under an even number of NOTs (from the filter or lambda body it is in).
    pub(super) positive: bool,
}

pub(super) struct Render<'s> {
    pub(super) schema: &'s Schema,
}

/// How a rendered piece binds: `Atom` needs no parentheses anywhere; `Not` is `not …`; `And`/`Or`
/// are joined expressions.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    Atom,
    Not,
    And,
    Or,
}

pub(super) fn unsupported(
    construct: impl Into<String>,
    path: &str,
    hint: impl Into<String>,
) -> Error {
    Error::unsupported(FORMAT, construct, path, hint)
}

pub(super) fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A duration literal for `amount` units: days (weeks as 7 days), hours or minutes.
pub(super) fn duration(amount: u64, unit: TimeUnit, path: &str) -> Result<String> {
    let text =
        match unit {
            TimeUnit::Minute => format!("PT{amount}M"),
            TimeUnit::Hour => format!("PT{amount}H"),
            TimeUnit::Day => format!("P{amount}D"),
            TimeUnit::Week => match amount.checked_mul(7) {
                Some(days) => format!("P{days}D"),
                None => return Err(unsupported("a duration this long", path, "")),
            },
            TimeUnit::Month | TimeUnit::Year => return Err(unsupported(
                format!("a duration in {}s", value::unit_name(unit)),
                path,
                "OData durations are days, hours and minutes; months and years are calendar units",
            )),
        };
    Ok(format!("duration'{text}'"))
}

impl<'s> Render<'s> {
    pub(super) fn property(&self, scope: &Scope, name: &str, path: &str) -> Result<String> {
        let parts: Vec<&str> = name.split('.').collect();
        if let Some(bad) = parts.iter().find(|p| !is_identifier(p)) {
            return Err(unsupported(
                format!("the attribute name “{name}”", name = clip(name)),
                &format!("{path}/attribute"),
                format!(
                    "“{bad}” is not an OData property name (letters, digits and _, not a keyword)"
                ),
            ));
        }
        Ok(format!("{}{}", scope.prefix, parts.join("/")))
    }

    pub(super) fn condition(
        &self,
        c: &Condition,
        entity: &'s Entity,
        scope: &Scope,
        path: &str,
        positive: bool,
    ) -> Result<(String, Shape)> {
        use Operator as O;
        let operand = resolve::condition(FORMAT, entity, c, path)?;
        let p = self.property(scope, &c.attribute, path)?;
        if let (Operand::Attribute(other), Some(column)) = (&operand, entity.column(&c.attribute)) {
            let q = self.property(scope, &other.attribute, &format!("{path}/value"))?;
            let op = crate::compare::compare_op(c, column);
            let text = super::compare::render(&p, &q, op, other.date_only);
            return Ok((text, Shape::Atom));
        }
        let cs = !value::uses_case(c.operator) || c.case_sensitive != Some(false);
        let label = c.operator.label();
        let bad = || {
            Error::invalid(
                FORMAT,
                &format!("{path}/value"),
                format!("unexpected value for “{label}”"),
            )
        };
        let op_unsupported =
            |hint: &str| unsupported(format!("the operator “{label}”"), path, hint);
        let value_path = format!("{path}/value");
        // The property, folded when case does not matter; a text literal likewise.
        let folded = if cs {
            p.clone()
        } else {
            format!("tolower({p})")
        };
        let text_lit = |s: &str| {
            if cs {
                quote(s)
            } else {
                format!("tolower({})", quote(s))
            }
        };
        let guard = |text: String| (format!("({p} ne null and {text})"), Shape::Atom);
        let atom = |text: String| (text, Shape::Atom);
        // Functions that are null on a null property: guarded under NOT.
        let three_valued = |text: String, shape: Shape| {
            if positive {
                (text, shape)
            } else {
                (format!("({p} ne null and {text})"), Shape::Atom)
            }
        };
        let number_lit = |n: Num| n.to_string();
        let moment_side = |m: &Moment, op: &str| match m {
            Moment::Date(d) => format!("date({p}) {op} {}", date_literal(d)),
            Moment::Instant(_) => format!("{p} {op} {}", value::moment_text(m)),
        };
        Ok(match c.operator {
            O::IsNull => atom(format!("{p} eq null")),
            O::IsNotNull => atom(format!("{p} ne null")),
            O::Is => {
                let Operand::Text(s) = operand else {
                    return Err(bad());
                };
                atom(format!("{folded} eq {}", text_lit(&s)))
            }
            O::IsNot => {
                let Operand::Text(s) = operand else {
                    return Err(bad());
                };
                guard(format!("{folded} ne {}", text_lit(&s)))
            }
            O::IsOneOf | O::IsNoneOf => {
                if !cs {
                    return Err(unsupported(
                        format!("case-insensitive “{label}”"),
                        &format!("{path}/case_sensitive"),
                        "OData's in lists literals only; make it case-sensitive or use an OR of tolower(…) eq …",
                    ));
                }
                let items: Vec<String> = match operand {
                    Operand::TextList(items) => items.iter().map(|s| quote(s)).collect(),
                    Operand::NumberList(items) => items.into_iter().map(number_lit).collect(),
                    _ => return Err(bad()),
                };
                let list = format!("{p} in ({})", items.join(", "));
                if c.operator == O::IsOneOf {
                    atom(list)
                } else {
                    guard(format!("not ({list})"))
                }
            }
            O::Contains
            | O::StartsWith
            | O::EndsWith
            | O::DoesNotContain
            | O::DoesNotStartWith
            | O::DoesNotEndWith => {
                let Operand::Text(s) = operand else {
                    return Err(bad());
                };
                let (name, negated) = match c.operator {
                    O::Contains => ("contains", false),
                    O::StartsWith => ("startswith", false),
                    O::EndsWith => ("endswith", false),
                    O::DoesNotContain => ("contains", true),
                    O::DoesNotStartWith => ("startswith", true),
                    _ => ("endswith", true),
                };
                let call = format!("{name}({folded}, {})", text_lit(&s));
                if negated {
                    three_valued(format!("not {call}"), Shape::Not)
                } else {
                    three_valued(call, Shape::Atom)
                }
            }
            O::Like => {
                return Err(op_unsupported(
                    "OData has no like; use contains, startswith, endswith or matches regex",
                ))
            }
            O::MatchesRegex => {
                let Operand::Text(s) = operand else {
                    return Err(bad());
                };
                three_valued(format!("matchesPattern({p}, {})", quote(&s)), Shape::Atom)
            }
            O::IsBlank => atom(format!("({p} eq null or {p} eq '')")),
            O::IsNotBlank => atom(format!("{p} gt ''")),
            O::LengthEquals | O::LengthLessThan | O::LengthGreaterThan => {
                let Operand::Count(n) = operand else {
                    return Err(bad());
                };
                let op = match c.operator {
                    O::LengthEquals => "eq",
                    O::LengthLessThan => "lt",
                    _ => "gt",
                };
                atom(format!("length({p}) {op} {n}"))
            }
            O::Equals
            | O::LessThan
            | O::LessThanOrEqual
            | O::GreaterThan
            | O::GreaterThanOrEqual => {
                // Text is ordered by code point (see `segment_model::ir::Predicate::TextOrder`).
                let literal = match operand {
                    Operand::Number(n) => number_lit(n),
                    Operand::Text(s) => quote(&s),
                    _ => return Err(bad()),
                };
                let op = match c.operator {
                    O::Equals => "eq",
                    O::LessThan => "lt",
                    O::LessThanOrEqual => "le",
                    O::GreaterThan => "gt",
                    _ => "ge",
                };
                atom(format!("{p} {op} {literal}"))
            }
            O::NotEquals => {
                let Operand::Number(n) = operand else {
                    return Err(bad());
                };
                guard(format!("{p} ne {}", number_lit(n)))
            }
            O::Between | O::NotBetween => {
                let between = c.operator == O::Between;
                let (low, high) = match operand {
                    Operand::NumberPair(a, b) => (
                        format!(
                            "{p} {} {}",
                            if between { "ge" } else { "lt" },
                            number_lit(a)
                        ),
                        format!(
                            "{p} {} {}",
                            if between { "le" } else { "gt" },
                            number_lit(b)
                        ),
                    ),
                    Operand::DateRange(Bound::Moment(_, a), Bound::Moment(_, b)) => {
                        let (a, b) = if a.start() > b.start() {
                            (b, a)
                        } else {
                            (a, b)
                        };
                        if matches!(a, Moment::Date(_)) != matches!(b, Moment::Date(_)) {
                            return Err(unsupported(
                                "a between of a date and a date-time",
                                &value_path,
                                "use two dates or two date-times",
                            ));
                        }
                        (
                            moment_side(&a, if between { "ge" } else { "lt" }),
                            moment_side(&b, if between { "le" } else { "gt" }),
                        )
                    }
                    Operand::DateRange(..) => {
                        return Err(unsupported(
                            "a between bound of “now” or “days ago”",
                            &value_path,
                            "use two dates, or a relative operator (in the last N days)",
                        ))
                    }
                    _ => return Err(bad()),
                };
                atom(format!(
                    "({low} {} {high})",
                    if between { "and" } else { "or" }
                ))
            }
            O::IsTrue => atom(format!("{p} eq true")),
            O::IsFalse => atom(format!("{p} eq false")),
            O::On | O::NotOn => {
                let Operand::Moment(_, m) = operand else {
                    return Err(bad());
                };
                let day = date_literal(&m.start().date_naive());
                if c.operator == O::On {
                    atom(format!("date({p}) eq {day}"))
                } else {
                    guard(format!("date({p}) ne {day}"))
                }
            }
            O::Before | O::After | O::OnOrBefore | O::OnOrAfter => {
                let Operand::Moment(_, m) = operand else {
                    return Err(bad());
                };
                let op = match c.operator {
                    O::Before => "lt",
                    O::After => "gt",
                    O::OnOrBefore => "le",
                    _ => "ge",
                };
                atom(moment_side(&m, op))
            }
            O::InTheLast | O::InTheNext | O::MoreThanAgo | O::LessThanAgo => {
                let (amount, unit) = match operand {
                    Operand::Span(Span::Units(n, u)) => (n, u),
                    Operand::Span(Span::Days(_)) => {
                        return Err(unsupported(
                            "a fractional number of days",
                            &value_path,
                            "use hours or minutes",
                        ))
                    }
                    _ => return Err(bad()),
                };
                let d = duration(amount, unit, &value_path)?;
                match c.operator {
                    O::InTheLast => atom(format!("({p} ge now() sub {d} and {p} le now())")),
                    O::InTheNext => atom(format!("({p} ge now() and {p} le now() add {d})")),
                    O::MoreThanAgo => atom(format!("{p} lt now() sub {d}")),
                    _ => atom(format!("({p} gt now() sub {d} and {p} le now())")),
                }
            }
            O::ExactlyAgo => return Err(op_unsupported(
                "OData cannot truncate to a calendar day or hour; use between N and M units ago",
            )),
            O::BetweenAgo => {
                let Operand::AgoPair { from, to, unit } = operand else {
                    return Err(bad());
                };
                let (far, near) = if from >= to { (from, to) } else { (to, from) };
                let far = duration(far, unit, &value_path)?;
                let near = duration(near, unit, &value_path)?;
                atom(format!(
                    "({p} ge now() sub {far} and {p} le now() sub {near})"
                ))
            }
            O::ThisPeriod | O::LastPeriod | O::NextPeriod => {
                // A day is `date(c) eq date(now())` (± one day); OData cannot truncate `now()`
                // to a week, month or year.
                let Operand::Period(TimeUnit::Day) = operand else {
                    return Err(op_unsupported(
                        "OData cannot truncate to a calendar week, month or year; use dates",
                    ));
                };
                let today = match c.operator {
                    O::ThisPeriod => "now()",
                    O::LastPeriod => "now() sub duration'P1D'",
                    _ => "now() add duration'P1D'",
                };
                atom(format!("date({p}) eq date({today})"))
            }
            O::DatePartIs => {
                let Operand::DatePart { part, values } = operand else {
                    return Err(bad());
                };
                let f = match part {
                    DatePart::Year => "year",
                    DatePart::Month => "month",
                    DatePart::DayOfMonth => "day",
                    DatePart::Hour => "hour",
                    DatePart::Weekday => {
                        return Err(unsupported(
                            "the weekday of a date",
                            &format!("{path}/value/part"),
                            "OData has year, month, day and hour only",
                        ))
                    }
                };
                match values.as_slice() {
                    [one] => atom(format!("{f}({p}) eq {one}")),
                    many => atom(format!(
                        "{f}({p}) in ({})",
                        many.iter()
                            .map(|v| v.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                }
            }
            // Lambdas over the items (OData collections are never null: see the module docs).
            O::AnyItemStartsWith | O::AnyItemEndsWith | O::AnyItemContains | O::EveryItemIs => {
                let Operand::Text(s) = operand else {
                    return Err(bad());
                };
                let s = quote(&s);
                atom(match c.operator {
                    O::AnyItemStartsWith => format!("{p}/any(v: startswith(v, {s}))"),
                    O::AnyItemEndsWith => format!("{p}/any(v: endswith(v, {s}))"),
                    O::AnyItemContains => format!("{p}/any(v: contains(v, {s}))"),
                    _ => format!("{p}/all(v: v eq {s})"),
                })
            }
            O::ContainsAnyOf | O::ContainsAllOf | O::ContainsNoneOf => {
                let Operand::Elements(items) = operand else {
                    return Err(bad());
                };
                let items: Vec<String> = items
                    .iter()
                    .map(|e| match e {
                        Element::Text(s) => quote(s),
                        Element::Number(n) => number_lit(*n),
                    })
                    .collect();
                match c.operator {
                    O::ContainsAnyOf => atom(format!("{p}/any(v: v in ({}))", items.join(", "))),
                    O::ContainsNoneOf => {
                        guard(format!("not {p}/any(v: v in ({}))", items.join(", ")))
                    }
                    _ => {
                        let each: Vec<String> = items
                            .iter()
                            .map(|i| format!("{p}/any(v: v eq {i})"))
                            .collect();
                        if each.len() == 1 {
                            atom(each.join(""))
                        } else {
                            atom(format!("({})", each.join(" and ")))
                        }
                    }
                }
            }
            O::IsEmpty => guard(format!("not {p}/any()")),
            O::IsNotEmpty => atom(format!("{p}/any()")),
            O::SizeEquals | O::SizeLessThan | O::SizeGreaterThan => {
                let Operand::Count(n) = operand else {
                    return Err(bad());
                };
                let op = match c.operator {
                    O::SizeEquals => "eq",
                    O::SizeLessThan => "lt",
                    _ => "gt",
                };
                atom(format!("{p}/$count {op} {n}"))
            }
        })
    }

    pub(super) fn relationship(
        &self,
        rel: &RelationshipCondition,
        entity: &'s Entity,
        scope: &Scope,
        path: &str,
        depth: usize,
    ) -> Result<(String, Shape)> {
        walk::check_depth(FORMAT, path, depth)?;
        let (r, related) =
            resolve::relationship(FORMAT, self.schema, entity, &rel.relationship, path)?;
        if !is_identifier(&r.name) {
            return Err(unsupported(
                format!("the relationship name “{}”", r.name),
                &format!("{path}/relationship"),
                "OData names are letters, digits and _",
            ));
        }
        let collection = format!("{}{}", scope.prefix, r.name);
        // Counts use `$count($filter=…)`, whose properties are implicit; `any` binds a variable.
        let counted = counted(rel.constraint.as_ref(), &format!("{path}/constraint"))?;
        let inner = match counted {
            Some(_) => Scope {
                prefix: String::new(),
                depth: scope.depth + 1,
                positive: true,
            },
            None => Scope {
                prefix: format!("{}/", variable(scope.depth)),
                depth: scope.depth + 1,
                positive: true,
            },
        };
        let mut parts: Vec<String> = Vec::new();
        let mut last_attribute: Option<String> = None;
        if !rel.filter.children.is_empty() {
            let filter_path = format!("{path}/filter");
            if !rel.filter.negated
                && rel.filter.combinator == Combinator::And
                && rel.filter.children.len() > 1
            {
                // Spliced, so a window can follow as one more conjunct.
                let (text, _) =
                    walk::group(self, &rel.filter, related, &inner, &filter_path, depth + 1)?;
                parts.push(text);
            } else {
                let (text, shape) =
                    walk::group(self, &rel.filter, related, &inner, &filter_path, depth + 1)?;
                parts.push(if shape == Shape::Or {
                    format!("({text})")
                } else {
                    text
                });
            }
            if !rel.filter.negated {
                last_attribute = rel
                    .filter
                    .children
                    .last()
                    .and_then(lone_attribute)
                    .map(str::to_string);
            }
        } else if rel.filter.negated {
            return Err(unsupported(
                "a negated empty filter (no related record can match)",
                &format!("{path}/filter"),
                "",
            ));
        }
        if let Some(window) = &rel.window {
            let window =
                self.window(window, r, related, &inner, path, last_attribute.as_deref())?;
            parts.extend(window);
        }
        let body = parts.join(" and ");
        Ok(match counted {
            Some((op, n)) if body.is_empty() => {
                (format!("{collection}/$count {op} {n}"), Shape::Atom)
            }
            Some((op, n)) => (
                format!("{collection}/$count($filter={body}) {op} {n}"),
                Shape::Atom,
            ),
            None if body.is_empty() => (format!("{collection}/any()"), Shape::Atom),
            None => (
                format!("{collection}/any({}: {body})", variable(scope.depth)),
                Shape::Atom,
            ),
        })
    }

    /// The time window of a relationship condition as one more conjunct of its filter (in
    /// parentheses after a condition on the same column, `last_attribute`).
    fn window(
        &self,
        window: &segment_model::tree::TimeWindow,
        r: &segment_model::schema::Relationship,
        related: &'s Entity,
        inner: &Scope,
        path: &str,
        last_attribute: Option<&str>,
    ) -> Result<Option<String>> {
        let Some((cond, (text, _))) = walk::window(self, r, related, window, inner, path)? else {
            return Ok(None);
        };
        let same = last_attribute == Some(cond.attribute.as_str());
        Ok(Some(if same { format!("({text})") } else { text }))
    }
}

/// OData's spelling of the tree: text and how it binds; the context is the scope properties are
/// reached in, and whether the node is under an even number of NOTs.
impl<'s> Spelling<'s> for Render<'s> {
    type Out = (String, Shape);
    type Ctx = Scope;

    fn format(&self) -> Format {
        FORMAT
    }

    fn leaf(
        &self,
        c: &Condition,
        entity: &'s Entity,
        scope: &Scope,
        path: &str,
    ) -> Result<(String, Shape)> {
        self.condition(c, entity, scope, path, scope.positive)
    }

    fn related(
        &self,
        rel: &RelationshipCondition,
        entity: &'s Entity,
        scope: &Scope,
        path: &str,
        depth: usize,
    ) -> Result<(String, Shape)> {
        self.relationship(rel, entity, scope, path, depth)
    }

    fn sql_hint(&self) -> &'static str {
        "OData filters have no SQL; rewrite it as conditions"
    }

    fn inner(&self, g: &Group, scope: &Scope) -> Scope {
        Scope {
            positive: scope.positive != g.negated,
            ..scope.clone()
        }
    }

    fn join(
        &self,
        g: &Group,
        rendered: Vec<(String, Shape)>,
        _scope: &Scope,
    ) -> Result<(String, Shape)> {
        let mut parts: Vec<(String, Shape)> = Vec::with_capacity(rendered.len());
        let mut previous: Option<&str> = None;
        for (child, (text, shape)) in g.children.iter().zip(rendered) {
            // Two conditions in a row on one attribute: parenthesize the second, so the pair is
            // never read as one condition.
            let attribute = lone_attribute(child);
            let same = attribute.is_some()
                && attribute == previous
                && g.children.len() > 1
                && !safe_second(child);
            previous = attribute;
            parts.push(if same {
                (format!("({text})"), Shape::Atom)
            } else {
                (text, shape)
            });
        }
        let combined = if parts.len() == 1 {
            parts
                .pop()
                .unwrap_or_else(|| ("true".to_string(), Shape::Atom))
        } else {
            let (joiner, shape) = match g.combinator {
                Combinator::And => (" and ", Shape::And),
                Combinator::Or => (" or ", Shape::Or),
            };
            let texts: Vec<String> = parts
                .into_iter()
                .map(|(t, s)| match s {
                    Shape::And | Shape::Or => format!("({t})"),
                    Shape::Atom | Shape::Not => t,
                })
                .collect();
            (texts.join(joiner), shape)
        };
        if g.negated {
            let (text, shape) = combined;
            if shape == Shape::Atom && text.starts_with('(') {
                Ok((format!("not {text}"), Shape::Not))
            } else {
                Ok((format!("not ({text})"), Shape::Not))
            }
        } else {
            Ok(combined)
        }
    }
}

/// The comparison and number of a count constraint (`None`: at least one related record); what
/// `$count` cannot say is `Unsupported`.
fn counted(
    constraint: Option<&Constraint>,
    constraint_path: &str,
) -> Result<Option<(&'static str, u64)>> {
    Ok(match constraint {
        None => None,
        Some(Constraint::Occurrences {
            operator, value, ..
        }) => {
            let op =
                match operator {
                    CountOperator::AtLeast => "ge",
                    CountOperator::AtMost => "le",
                    CountOperator::Exactly => "eq",
                    CountOperator::MoreThan => "gt",
                    CountOperator::LessThan => "lt",
                    CountOperator::NotEquals => "ne",
                    CountOperator::Between => return Err(unsupported(
                        "a count between two numbers",
                        constraint_path,
                        "use two relationship conditions, at least and at most, in an AND group",
                    )),
                };
            let n = match value::read(Operator::SizeEquals, DataType::Number, value) {
                Ok(Operand::Count(n)) => n,
                Ok(_) => 0,
                Err((suffix, message)) => {
                    return Err(Error::invalid(
                        FORMAT,
                        &format!("{constraint_path}/value{suffix}"),
                        message,
                    ))
                }
            };
            Some((op, n))
        }
        Some(Constraint::Aggregate { .. }) => {
            return Err(unsupported(
                "an aggregate (sum, average, min, max, count distinct) of related records",
                constraint_path,
                "OData $filter counts related records but does not aggregate them",
            ))
        }
        Some(
            other @ (Constraint::FirstTime { .. }
            | Constraint::LastTime { .. }
            | Constraint::FirstRecord { .. }
            | Constraint::LastRecord { .. }
            | Constraint::DistinctPeriods { .. }
            | Constraint::Sequence { .. }),
        ) => {
            return Err(unsupported(
                constraint_name(other),
                constraint_path,
                "OData $filter can only count related records",
            ))
        }
    })
}

/// A condition that can never be the second half of a pair read as one condition (see
/// [`Read::pattern`]): it needs no parentheses after a condition on the same attribute.
pub(super) fn safe_second(node: &Node) -> bool {
    use Operator as O;
    match node {
        Node::Condition(c) => match c.operator {
            O::Is => c.value.as_str().is_some_and(|s| !s.is_empty()),
            O::IsOneOf
            | O::Equals
            | O::LessThan
            | O::GreaterThanOrEqual
            | O::On
            | O::OnOrAfter
            | O::IsNull
            | O::IsNotNull
            | O::IsTrue
            | O::IsFalse
            | O::ContainsAnyOf
            | O::IsNotEmpty
            | O::SizeEquals
            | O::SizeLessThan
            | O::SizeGreaterThan
            | O::LengthEquals
            | O::LengthLessThan
            | O::LengthGreaterThan
            | O::DatePartIs
            | O::IsBlank
            | O::Between
            | O::NotBetween
            | O::InTheLast
            | O::InTheNext
            | O::LessThanAgo
            | O::BetweenAgo
            | O::AnyItemStartsWith
            | O::AnyItemEndsWith
            | O::AnyItemContains
            | O::EveryItemIs => true,
            O::IsNot
            | O::IsNoneOf
            | O::Contains
            | O::DoesNotContain
            | O::StartsWith
            | O::DoesNotStartWith
            | O::EndsWith
            | O::DoesNotEndWith
            | O::Like
            | O::MatchesRegex
            | O::IsNotBlank
            | O::NotEquals
            | O::LessThanOrEqual
            | O::GreaterThan
            | O::NotOn
            | O::Before
            | O::After
            | O::OnOrBefore
            | O::MoreThanAgo
            | O::ExactlyAgo
            | O::ThisPeriod
            | O::LastPeriod
            | O::NextPeriod
            | O::ContainsAllOf
            | O::ContainsNoneOf
            | O::IsEmpty => false,
        },
        Node::Group(g) if !g.negated && g.children.len() == 1 => {
            g.children.first().is_some_and(safe_second)
        }
        Node::Group(_) | Node::Sql(_) | Node::Relationship(_) | Node::InSegment(_) => false,
    }
}

/// The attribute of a node that renders as one condition (a condition, or a group around one).
pub(super) fn lone_attribute(node: &Node) -> Option<&str> {
    match node {
        Node::Condition(c) => Some(c.attribute.as_str()),
        Node::Group(g) if g.children.len() == 1 => g.children.first().and_then(lone_attribute),
        Node::Group(_) | Node::Sql(_) | Node::Relationship(_) | Node::InSegment(_) => None,
    }
}

/// The lambda variable for related records at a nesting level: `e`, `e1`, `e2`…
pub(super) fn variable(level: usize) -> String {
    if level == 0 {
        "e".to_string()
    } else {
        format!("e{level}")
    }
}
