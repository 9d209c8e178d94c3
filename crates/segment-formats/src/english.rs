//! Plain English for review: one sentence for flat segments ("Profiles whose country is US or CA
//! and who did purchase at least 3 times in the last 30 days."), a short outline when groups nest.
//! Written for people and never read back. Every condition appears, with its values; text values
//! are quoted when they are not a plain word, so spaces and empty text stay visible.

use segment_model::schema::{DataType, Entity, Schema};
use segment_model::time::Moment;
use segment_model::tree::{
    AggregateFunction, Combinator, Condition, Constraint, CountOperator, Group, Node,
    RelationshipCondition, Segment, TimeUnit, TimeWindow,
};
use segment_model::Operator;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::resolve;
use crate::value::{self, Bound, DatePart, Element, Num, Operand, Span};
use crate::walk::{self, Spelling};
use crate::Format;

const FORMAT: Format = Format::English;

mod compare;
mod ordered;
mod reference;
mod sequence;

/// Renders `segment` as an English sentence or outline.
pub fn render(segment: &Segment, schema: &Schema, entity: Option<&str>) -> Result<String> {
    let base = resolve::base_entity(FORMAT, segment, schema, entity)?;
    let subject = capitalize(&base.name.replace('_', " "));
    let root = &segment.root;
    if root.children.is_empty() {
        return Ok(if root.negated {
            format!("No {}.\n", base.name.replace('_', " "))
        } else {
            format!("All {}.\n", base.name.replace('_', " "))
        });
    }
    let e = English { schema };
    // A root whose only child is a group reads as that group.
    let (mut root, mut root_path) = (root, "/root".to_string());
    while !root.negated && root.children.len() == 1 {
        let Some(Node::Group(inner)) = root.children.first() else {
            break;
        };
        root = inner;
        root_path.push_str("/children/0");
    }
    if !root.negated && is_flat(root) {
        let mut clauses = Vec::with_capacity(root.children.len());
        for (i, child) in root.children.iter().enumerate() {
            clauses.push(e.clause(child, base, &format!("{root_path}/children/{i}"), 0)?);
        }
        let joiner = match root.combinator {
            Combinator::And => " and ",
            Combinator::Or => " or ",
        };
        return Ok(format!("{subject} {}.\n", clauses.join(joiner)));
    }
    let mut out = format!("{subject} {}\n", heading(root));
    e.outline(root, base, &root_path, 1, &mut out)?;
    Ok(out)
}

/// One node of `segment`, at the JSON Pointer `path` (`/root/children/1/filter/children/0`), as
/// the phrase the sentence uses for it ("country is US", "who did purchase"); a group by its
/// heading ("all of:"). For lists of nodes with their counts (near misses, why / why not).
pub fn node_phrase(
    segment: &Segment,
    schema: &Schema,
    entity: Option<&str>,
    path: &str,
) -> Result<String> {
    let mut entity = resolve::base_entity(FORMAT, segment, schema, entity)?;
    let e = English { schema };
    let not_found = || Error::invalid(FORMAT, path, "There is no condition at this place.");
    let rest = path.strip_prefix("/root").ok_or_else(not_found)?;
    let mut group = &segment.root;
    let mut steps = rest.split('/').skip(1).peekable();
    let mut here = "/root".to_string();
    while let Some(step) = steps.next() {
        let index: usize = match (step, steps.next()) {
            ("children", Some(i)) => i.parse().map_err(|_| not_found())?,
            _ => return Err(not_found()),
        };
        here.push_str(&format!("/children/{index}"));
        let node = group.children.get(index).ok_or_else(not_found)?;
        match (node, steps.peek().copied()) {
            (Node::Group(inner), Some("children")) => group = inner,
            (Node::Relationship(r), Some("filter")) => {
                steps.next();
                let (_, related) =
                    resolve::relationship(FORMAT, schema, entity, &r.relationship, &here)?;
                entity = related;
                group = &r.filter;
                here.push_str("/filter");
            }
            (Node::Group(inner), None) => return Ok(heading(inner).trim_end_matches(':').into()),
            (node, None) => return e.clause(node, entity, &here, 0),
            _ => return Err(not_found()),
        }
    }
    Ok(heading(group).trim_end_matches(':').into())
}

struct English<'s> {
    schema: &'s Schema,
}

/// A root with no nested groups and relationship filters of at most one level.
fn is_flat(g: &Group) -> bool {
    g.children.iter().all(|c| match c {
        Node::Group(_) => false,
        Node::Condition(_) | Node::Sql(_) | Node::InSegment(_) => true,
        Node::Relationship(r) => r
            .filter
            .children
            .iter()
            .all(|c| matches!(c, Node::Condition(_) | Node::Sql(_))),
    })
}

/// A boolean attribute named like a predicate (`is_subscribed`, `has_paid`): "who is subscribed".
fn is_predicate(c: &Condition) -> bool {
    matches!(c.operator, Operator::IsTrue | Operator::IsFalse)
        && (c.attribute.starts_with("is_") || c.attribute.starts_with("has_"))
}

fn heading(g: &Group) -> &'static str {
    match (g.negated, g.combinator, g.children.len()) {
        (false, _, 1) => "where:",
        (true, _, 1) => "where NOT:",
        (false, Combinator::And, _) => "where all of:",
        (false, Combinator::Or, _) => "where any of:",
        (true, Combinator::And, _) => "where NOT all of:",
        (true, Combinator::Or, _) => "where none of:",
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

/// Text as a reader sees it: bare when a plain word, otherwise in quotes.
fn text(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '@' | '+'))
    {
        s.to_string()
    } else {
        format!(
            "\"{}\"",
            s.replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n")
        )
    }
}

fn list(items: &[String], last: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., tail] => format!("{} {last} {tail}", init.join(", ")),
    }
}

fn unit(unit: TimeUnit, amount: u64) -> String {
    let name = value::unit_name(unit);
    if amount == 1 {
        format!("1 {name}")
    } else {
        format!("{amount} {name}s")
    }
}

fn times(n: u64) -> String {
    match n {
        1 => "once".to_string(),
        2 => "twice".to_string(),
        n => format!("{n} times"),
    }
}

fn moment(m: &Moment) -> String {
    value::moment_text(m)
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

fn ordinal(n: i64) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, r) if r != 11 => "st",
        (2, r) if r != 12 => "nd",
        (3, r) if r != 13 => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// English's spelling of a tree as clauses after the subject.
impl<'s> Spelling<'s> for English<'s> {
    type Out = String;
    type Ctx = ();

    fn format(&self) -> Format {
        FORMAT
    }

    fn leaf(&self, c: &Condition, entity: &'s Entity, _: &(), path: &str) -> Result<String> {
        let phrase = self.condition(c, entity, path)?;
        Ok(if is_predicate(c) {
            format!("who {phrase}")
        } else {
            format!("whose {phrase}")
        })
    }

    fn related(
        &self,
        rel: &RelationshipCondition,
        entity: &'s Entity,
        _: &(),
        path: &str,
        depth: usize,
    ) -> Result<String> {
        self.relationship(rel, entity, path, depth)
    }

    fn sql_hint(&self) -> &'static str {
        ""
    }

    fn sql(&self, sql: &segment_model::tree::SqlCondition, _path: &str) -> Result<String> {
        Ok(format!(
            "that satisfy the SQL condition `{}`",
            sql.sql.trim()
        ))
    }

    fn in_segment(
        &self,
        reference: &segment_model::tree::SegmentReference,
        _path: &str,
    ) -> Result<String> {
        Ok(reference::phrase(reference))
    }

    fn join(&self, g: &Group, parts: Vec<String>, _: &()) -> Result<String> {
        let joined = parts.join(match g.combinator {
            Combinator::And => " and ",
            Combinator::Or => " or ",
        });
        Ok(if g.negated {
            format!("not ({joined})")
        } else {
            format!("({joined})")
        })
    }
}

impl<'s> English<'s> {
    /// A node as a clause after the subject: "whose country is US", "who did purchase …".
    fn clause(&self, node: &Node, entity: &'s Entity, path: &str, depth: usize) -> Result<String> {
        walk::node(self, node, entity, &(), path, depth)
    }

    fn outline(
        &self,
        g: &Group,
        entity: &'s Entity,
        path: &str,
        level: usize,
        out: &mut String,
    ) -> Result<()> {
        walk::check_depth(FORMAT, path, level)?;
        if g.children.is_empty() {
            return Err(Error::invalid(
                FORMAT,
                path,
                "This group is empty: add a condition to it or remove it.",
            ));
        }
        let indent = "  ".repeat(level);
        for (i, child) in g.children.iter().enumerate() {
            let child_path = format!("{path}/children/{i}");
            match child {
                Node::Group(inner)
                    if inner.children.len() == 1
                        && match inner.children.first() {
                            Some(Node::Condition(_)) => true,
                            Some(Node::Relationship(r)) => is_flat(&r.filter),
                            _ => false,
                        } =>
                {
                    let only = format!("{child_path}/children/0");
                    let phrase = match inner.children.first() {
                        Some(Node::Condition(c)) => self.condition(c, entity, &only)?,
                        Some(Node::Relationship(r)) => {
                            self.relationship(r, entity, &only, level)?
                        }
                        _ => String::new(),
                    };
                    let not = if inner.negated { "not: " } else { "" };
                    out.push_str(&format!("{indent}- {not}{phrase}\n"));
                }
                Node::Group(inner) => {
                    let label = match (inner.negated, inner.combinator, inner.children.len()) {
                        (false, _, 1) => "this:",
                        (true, _, 1) => "not this:",
                        (false, Combinator::And, _) => "all of:",
                        (false, Combinator::Or, _) => "any of:",
                        (true, Combinator::And, _) => "not all of:",
                        (true, Combinator::Or, _) => "none of:",
                    };
                    out.push_str(&format!("{indent}- {label}\n"));
                    self.outline(inner, entity, &child_path, level + 1, out)?;
                }
                Node::Condition(c) => out.push_str(&format!(
                    "{indent}- {}\n",
                    self.condition(c, entity, &child_path)?
                )),
                Node::Sql(sql) => out.push_str(&format!("{indent}- SQL: `{}`\n", sql.sql.trim())),
                Node::InSegment(r) => {
                    out.push_str(&format!("{indent}- {}\n", reference::phrase(r)))
                }
                Node::Relationship(rel) => {
                    let (r, related) = resolve::relationship(
                        FORMAT,
                        self.schema,
                        entity,
                        &rel.relationship,
                        &child_path,
                    )?;
                    let head =
                        self.relationship_head(rel, r.name.as_str(), related, &child_path)?;
                    if rel.filter.children.is_empty() || is_flat(&rel.filter) {
                        out.push_str(&format!(
                            "{indent}- {}\n",
                            self.relationship(rel, entity, &child_path, level)?
                        ));
                    } else {
                        out.push_str(&format!(
                            "{indent}- {head}, counting {} {}\n",
                            r.name,
                            heading(&rel.filter).trim_start_matches("where ")
                        ));
                        self.outline(
                            &rel.filter,
                            related,
                            &format!("{child_path}/filter"),
                            level + 1,
                            out,
                        )?;
                    }
                }
            }
        }
        Ok(())
    }

    /// "with at least 3 events in the last 30 days" (without the filter).
    fn relationship_head(
        &self,
        rel: &RelationshipCondition,
        name: &str,
        related: &'s Entity,
        path: &str,
    ) -> Result<String> {
        let window = self.window(rel.window.as_ref(), &format!("{path}/window"))?;
        let time_column = self.time_column(rel, related);
        if let Some(sentence) =
            self.ordered(rel, time_column.as_deref(), related, name, &window, path)?
        {
            return Ok(sentence);
        }
        let count = self.constraint(rel, related, path)?;
        let name = noun(rel, name);
        Ok(format!("who have {count}{name}{window}"))
    }

    fn relationship(
        &self,
        rel: &RelationshipCondition,
        entity: &'s Entity,
        path: &str,
        depth: usize,
    ) -> Result<String> {
        walk::check_depth(FORMAT, path, depth)?;
        let (r, related) =
            resolve::relationship(FORMAT, self.schema, entity, &rel.relationship, path)?;
        let window = self.window(rel.window.as_ref(), &format!("{path}/window"))?;
        if let Some(sentence) = self.ordered_with_filter(rel, r, related, &window, path)? {
            return Ok(sentence);
        }
        // "who did purchase …": a filter that is just the event's name.
        if let (false, [Node::Condition(c)]) = (rel.filter.negated, rel.filter.children.as_slice())
        {
            let is_name = matches!(
                c.attribute.as_str(),
                "name" | "event_name" | "event" | "type" | "event_type"
            );
            if is_name && c.operator == Operator::Is && c.case_sensitive != Some(false) {
                if let Ok(Operand::Text(event)) = value::read(c.operator, DataType::Text, &c.value)
                {
                    let how_often = match &rel.constraint {
                        None => String::new(),
                        Some(Constraint::Occurrences {
                            operator, value, ..
                        }) => format!(" {}", self.count_times(*operator, value, path)?),
                        Some(_) => {
                            return self.generic(rel, r.name.as_str(), related, &window, path)
                        }
                    };
                    if how_often == " never" {
                        return Ok(format!("who never did {}{window}", text(&event)));
                    }
                    return Ok(format!("who did {}{how_often}{window}", text(&event)));
                }
            }
        }
        self.generic(rel, r.name.as_str(), related, &window, path)
    }

    fn generic(
        &self,
        rel: &RelationshipCondition,
        name: &str,
        related: &'s Entity,
        window: &str,
        path: &str,
    ) -> Result<String> {
        let count = self.constraint(rel, related, path)?;
        let filter = if rel.filter.children.is_empty() {
            if rel.filter.negated {
                " where nothing matches".to_string()
            } else {
                String::new()
            }
        } else {
            let parts = rel
                .filter
                .children
                .iter()
                .enumerate()
                .map(|(i, c)| match c {
                    Node::Condition(c) => {
                        self.condition(c, related, &format!("{path}/filter/children/{i}"))
                    }
                    other => self.clause(other, related, &format!("{path}/filter/children/{i}"), 1),
                })
                .collect::<Result<Vec<_>>>()?;
            let joined = parts.join(match rel.filter.combinator {
                Combinator::And => " and ",
                Combinator::Or => " or ",
            });
            if rel.filter.negated {
                format!(" where not ({joined})")
            } else {
                format!(" where {joined}")
            }
        };
        let name = noun(rel, name);
        Ok(format!("who have {count}{name}{filter}{window}"))
    }

    /// "at least 3", "at least one", "a total amount of more than 100 over".
    fn constraint(
        &self,
        rel: &RelationshipCondition,
        related: &'s Entity,
        path: &str,
    ) -> Result<String> {
        let constraint_path = format!("{path}/constraint");
        Ok(match &rel.constraint {
            None => String::new(),
            Some(Constraint::Occurrences {
                operator, value, ..
            }) => {
                let read = |v: &Value| match value::read(Operator::SizeEquals, DataType::Number, v)
                {
                    Ok(Operand::Count(n)) => Ok(n),
                    Ok(_) => Ok(0),
                    Err((suffix, message)) => Err(Error::invalid(
                        FORMAT,
                        &format!("{constraint_path}/value{suffix}"),
                        message,
                    )),
                };
                match operator {
                    CountOperator::Between => match value {
                        Value::Array(items) if items.len() == 2 => {
                            format!("between {} and {} ", read(&items[0])?, read(&items[1])?)
                        }
                        _ => {
                            return Err(Error::invalid(
                                FORMAT,
                                &format!("{constraint_path}/value"),
                                "Enter two numbers, from and to.",
                            ))
                        }
                    },
                    op => {
                        let n = read(value)?;
                        let phrase = match op {
                            CountOperator::AtLeast => "at least",
                            CountOperator::AtMost => "at most",
                            CountOperator::Exactly => "exactly",
                            CountOperator::MoreThan => "more than",
                            CountOperator::LessThan => "fewer than",
                            CountOperator::NotEquals => "a number other than",
                            CountOperator::Between => "between",
                        };
                        let phrase = match (op, n) {
                            (CountOperator::AtMost | CountOperator::Exactly, 0) => {
                                return Ok("no ".to_string())
                            }
                            _ => phrase,
                        };
                        format!("{phrase} {n} ")
                    }
                }
            }
            // Said by `ordered`, never counted.
            Some(
                Constraint::FirstTime { .. }
                | Constraint::LastTime { .. }
                | Constraint::FirstRecord { .. }
                | Constraint::LastRecord { .. }
                | Constraint::DistinctPeriods { .. }
                | Constraint::Sequence { .. },
            ) => String::new(),
            Some(Constraint::Aggregate {
                function,
                attribute,
                operator,
                value,
                ..
            }) => {
                resolve::column(FORMAT, related, attribute, &constraint_path)?;
                let f = match function {
                    AggregateFunction::Sum => "a total",
                    AggregateFunction::Avg => "an average",
                    AggregateFunction::Min => "a smallest",
                    AggregateFunction::Max => "a largest",
                    AggregateFunction::CountDistinct => "a number of different values of",
                };
                let number = |v: &Value| match value::read(Operator::Equals, DataType::Number, v) {
                    Ok(Operand::Number(n)) => Ok(n.to_string()),
                    Ok(_) => Ok(String::new()),
                    Err((suffix, message)) => Err(Error::invalid(
                        FORMAT,
                        &format!("{constraint_path}/value{suffix}"),
                        message,
                    )),
                };
                let comparison = match operator {
                    CountOperator::Between => match value {
                        Value::Array(items) if items.len() == 2 => {
                            format!("between {} and {}", number(&items[0])?, number(&items[1])?)
                        }
                        _ => {
                            return Err(Error::invalid(
                                FORMAT,
                                &format!("{constraint_path}/value"),
                                "Enter two numbers, from and to.",
                            ))
                        }
                    },
                    CountOperator::AtLeast => format!("at least {}", number(value)?),
                    CountOperator::AtMost => format!("at most {}", number(value)?),
                    CountOperator::Exactly => format!("exactly {}", number(value)?),
                    CountOperator::MoreThan => format!("more than {}", number(value)?),
                    CountOperator::LessThan => format!("less than {}", number(value)?),
                    CountOperator::NotEquals => format!("other than {}", number(value)?),
                };
                if *function == AggregateFunction::CountDistinct {
                    // "at least 3 different channel values across their events".
                    let label = attribute.replace('_', " ");
                    return Ok(format!(
                        "{comparison} different {label} values across their "
                    ));
                }
                format!("{f} {attribute} of {comparison} over their ")
            }
        })
    }

    /// "at least 3 times", "once", "never".
    fn count_times(&self, operator: CountOperator, value: &Value, path: &str) -> Result<String> {
        let constraint_path = format!("{path}/constraint");
        let read = |v: &Value| match value::read(Operator::SizeEquals, DataType::Number, v) {
            Ok(Operand::Count(n)) => Ok(n),
            Ok(_) => Ok(0),
            Err((suffix, message)) => Err(Error::invalid(
                FORMAT,
                &format!("{constraint_path}/value{suffix}"),
                message,
            )),
        };
        Ok(match operator {
            CountOperator::Between => match value {
                Value::Array(items) if items.len() == 2 => format!(
                    "between {} and {} times",
                    read(&items[0])?,
                    read(&items[1])?
                ),
                _ => {
                    return Err(Error::invalid(
                        FORMAT,
                        &format!("{constraint_path}/value"),
                        "Enter two numbers, from and to.",
                    ))
                }
            },
            CountOperator::AtLeast => format!("at least {}", times(read(value)?)),
            CountOperator::AtMost => match read(value)? {
                0 => "never".to_string(),
                n => format!("at most {}", times(n)),
            },
            CountOperator::Exactly => match read(value)? {
                0 => "never".to_string(),
                n => format!("exactly {}", times(n)),
            },
            CountOperator::MoreThan => format!("more than {}", times(read(value)?)),
            CountOperator::LessThan => format!("fewer than {}", times(read(value)?)),
            CountOperator::NotEquals => format!("a number of times other than {}", read(value)?),
        })
    }

    fn window(&self, window: Option<&TimeWindow>, path: &str) -> Result<String> {
        let date = |s: &str| -> Result<String> {
            segment_model::time::parse_moment(s)
                .map(|m| moment(&m))
                .ok_or_else(|| Error::invalid(FORMAT, path, format!("“{s}” is not a date.")))
        };
        Ok(match window {
            None | Some(TimeWindow::AnyTime) => String::new(),
            Some(TimeWindow::InTheLast { amount, unit: u }) => {
                format!(" in the last {}", unit(*u, u64::from(*amount)))
            }
            Some(TimeWindow::BetweenAgo { from, to, unit: u }) => {
                let (far, near) = ((*from).max(*to), (*from).min(*to));
                format!(" between {far} and {} ago", unit(*u, u64::from(near)))
            }
            Some(TimeWindow::Before { date: d }) => format!(" before {}", date(d)?),
            Some(TimeWindow::After { date: d }) => format!(" after {}", date(d)?),
            Some(TimeWindow::Between { from, to }) => {
                format!(" between {} and {}", date(from)?, date(to)?)
            }
        })
    }

    /// "country is US or CA".
    fn condition(&self, c: &Condition, entity: &'s Entity, path: &str) -> Result<String> {
        use Operator as O;
        let operand = resolve::condition(FORMAT, entity, c, path)?;
        let name = c.attribute.replace('_', " ");
        if let (Operand::Attribute(other), Some(column)) = (&operand, entity.column(&c.attribute)) {
            let op = crate::compare::compare_op(c, column);
            return Ok(compare::phrase(&name, op, other, column.data_type));
        }
        // Said only where it changes the default (`like` folds case unless told otherwise).
        let ignoring_case = match c.case_sensitive {
            Some(false) if value::case_flag_meaningful(c.operator, c.case_sensitive) => {
                " (ignoring case)"
            }
            Some(true) if value::case_flag_meaningful(c.operator, c.case_sensitive) => {
                " (case-sensitive)"
            }
            _ => "",
        };
        let bad = || {
            Error::invalid(
                FORMAT,
                &format!("{path}/value"),
                format!("unexpected value for “{}”", c.operator.label()),
            )
        };
        let texts = |items: &[String]| items.iter().map(|s| text(s)).collect::<Vec<_>>();
        let numbers = |items: &[Num]| items.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        let elements = |items: &[Element]| {
            items
                .iter()
                .map(|e| match e {
                    Element::Text(s) => text(s),
                    Element::Number(n) => n.to_string(),
                })
                .collect::<Vec<_>>()
        };
        let span = |s: &Span| match s {
            Span::Units(n, u) => unit(*u, *n),
            Span::Days(d) => format!("{d} days"),
        };
        let bound = |b: &Bound| match b {
            Bound::Moment(_, m) => moment(m),
            Bound::Now => "now".to_string(),
            Bound::DaysAgo(d) => format!("{d} days ago"),
            Bound::FromToday(relative) => from_today(relative),
        };
        let phrase = match (c.operator, &operand) {
            (O::IsNull, _) => "has no value".to_string(),
            (O::IsNotNull, _) => "has a value".to_string(),
            (O::Is, Operand::Text(s)) => format!("is {}", text(s)),
            (O::IsNot, Operand::Text(s)) => format!("is not {}", text(s)),
            (O::IsOneOf, Operand::TextList(items)) => format!("is {}", list(&texts(items), "or")),
            (O::IsOneOf, Operand::NumberList(items)) => {
                format!("is {}", list(&numbers(items), "or"))
            }
            (O::IsNoneOf, Operand::TextList(items)) => {
                format!("is not {}", list(&texts(items), "or"))
            }
            (O::IsNoneOf, Operand::NumberList(items)) => {
                format!("is not {}", list(&numbers(items), "or"))
            }
            (O::Contains, Operand::Text(s)) => format!("contains {}", text(s)),
            (O::DoesNotContain, Operand::Text(s)) => format!("does not contain {}", text(s)),
            (O::StartsWith, Operand::Text(s)) => format!("starts with {}", text(s)),
            (O::DoesNotStartWith, Operand::Text(s)) => format!("does not start with {}", text(s)),
            (O::EndsWith, Operand::Text(s)) => format!("ends with {}", text(s)),
            (O::DoesNotEndWith, Operand::Text(s)) => format!("does not end with {}", text(s)),
            // `like` folds ASCII case unless made case-sensitive (which says so itself).
            (O::Like, Operand::Text(s)) if c.case_sensitive != Some(true) => {
                format!("matches the pattern {} (ignoring case)", text(s))
            }
            (O::Like, Operand::Text(s)) => format!("matches the pattern {}", text(s)),
            (O::MatchesRegex, Operand::Text(s)) => {
                format!("matches the regular expression {}", text(s))
            }
            (O::IsBlank, _) => "is blank".to_string(),
            (O::IsNotBlank, _) => "is not blank".to_string(),
            (O::LengthEquals, Operand::Count(n)) => format!("is {n} characters long"),
            (O::LengthLessThan, Operand::Count(n)) => format!("is shorter than {n} characters"),
            (O::LengthGreaterThan, Operand::Count(n)) => format!("is longer than {n} characters"),
            (O::Equals, Operand::TodayPart(p)) => format!("is {}", today_part(*p)),
            (O::NotEquals, Operand::TodayPart(p)) => format!("is not {}", today_part(*p)),
            (O::LessThan, Operand::TodayPart(p)) => format!("is less than {}", today_part(*p)),
            (O::LessThanOrEqual, Operand::TodayPart(p)) => format!("is at most {}", today_part(*p)),
            (O::GreaterThan, Operand::TodayPart(p)) => format!("is more than {}", today_part(*p)),
            (O::GreaterThanOrEqual, Operand::TodayPart(p)) => {
                format!("is at least {}", today_part(*p))
            }
            (O::On, Operand::FromToday(f)) => format!("is on the day of {}", from_today(f)),
            (O::NotOn, Operand::FromToday(f)) => format!("is not on the day of {}", from_today(f)),
            (O::Before, Operand::FromToday(f)) => format!("is before {}", from_today(f)),
            (O::After, Operand::FromToday(f)) => format!("is after {}", from_today(f)),
            (O::OnOrBefore, Operand::FromToday(f)) => format!("is at or before {}", from_today(f)),
            (O::OnOrAfter, Operand::FromToday(f)) => format!("is at or after {}", from_today(f)),
            (O::LessThan, Operand::Text(s)) => {
                format!("comes before {} (in character order)", text(s))
            }
            (O::LessThanOrEqual, Operand::Text(s)) => {
                format!("is {} or comes before it (in character order)", text(s))
            }
            (O::GreaterThan, Operand::Text(s)) => {
                format!("comes after {} (in character order)", text(s))
            }
            (O::GreaterThanOrEqual, Operand::Text(s)) => {
                format!("is {} or comes after it (in character order)", text(s))
            }
            (O::Equals, Operand::Number(n)) => format!("is {n}"),
            (O::NotEquals, Operand::Number(n)) => format!("is not {n}"),
            (O::LessThan, Operand::Number(n)) => format!("is less than {n}"),
            (O::LessThanOrEqual, Operand::Number(n)) => format!("is at most {n}"),
            (O::GreaterThan, Operand::Number(n)) => format!("is more than {n}"),
            (O::GreaterThanOrEqual, Operand::Number(n)) => format!("is at least {n}"),
            (O::Between, Operand::NumberPair(a, b)) => format!("is between {a} and {b}"),
            (O::NotBetween, Operand::NumberPair(a, b)) => format!("is not between {a} and {b}"),
            (O::Between, Operand::DateRange(a, b)) => {
                format!("is between {} and {}", bound(a), bound(b))
            }
            (O::NotBetween, Operand::DateRange(a, b)) => {
                format!("is not between {} and {}", bound(a), bound(b))
            }
            (O::IsTrue | O::IsFalse, _) if is_predicate(c) => {
                // The subject is plural: "(profiles) who are subscribed", "who have not paid".
                let (verb, rest) = name.split_once(' ').unwrap_or((name.as_str(), ""));
                let verb = if verb == "is" { "are" } else { "have" };
                let not = if c.operator == O::IsFalse { " not" } else { "" };
                return Ok(format!("{verb}{not} {rest}"));
            }
            (O::IsTrue, _) => "is true".to_string(),
            (O::IsFalse, _) => "is false".to_string(),
            (O::On, Operand::Moment(_, m)) => {
                format!("is on {}", m.start().date_naive().format("%Y-%m-%d"))
            }
            (O::NotOn, Operand::Moment(_, m)) => {
                format!("is not on {}", m.start().date_naive().format("%Y-%m-%d"))
            }
            (O::Before, Operand::Moment(_, m)) => format!("is before {}", moment(m)),
            (O::After, Operand::Moment(_, m)) => format!("is after {}", moment(m)),
            (O::OnOrBefore, Operand::Moment(_, m)) => format!("is on or before {}", moment(m)),
            (O::OnOrAfter, Operand::Moment(_, m)) => format!("is on or after {}", moment(m)),
            (O::InTheLast, Operand::Span(s)) => format!("is in the last {}", span(s)),
            (O::InTheNext, Operand::Span(s)) => format!("is in the next {}", span(s)),
            (O::MoreThanAgo, Operand::Span(s)) => format!("is more than {} ago", span(s)),
            (O::LessThanAgo, Operand::Span(s)) => format!("is less than {} ago", span(s)),
            (O::ExactlyAgo, Operand::Span(s)) => format!("is exactly {} ago", span(s)),
            (O::BetweenAgo, Operand::AgoPair { from, to, unit: u }) => {
                format!(
                    "is between {} and {} ago",
                    from.max(to),
                    unit(*u, *from.min(to))
                )
            }
            (O::ThisPeriod, Operand::Period(u)) => format!("is this {}", value::unit_name(*u)),
            (O::LastPeriod, Operand::Period(u)) => format!("is last {}", value::unit_name(*u)),
            (O::NextPeriod, Operand::Period(u)) => format!("is next {}", value::unit_name(*u)),
            (O::DatePartIs, Operand::DatePart { part, values }) => {
                let names: Vec<String> = values
                    .iter()
                    .map(|v| match part {
                        DatePart::Month => MONTHS
                            .get((*v as usize).wrapping_sub(1))
                            .map(|m| m.to_string())
                            .unwrap_or_else(|| v.to_string()),
                        DatePart::Weekday => WEEKDAYS
                            .get(*v as usize)
                            .map(|d| d.to_string())
                            .unwrap_or_else(|| v.to_string()),
                        DatePart::DayOfMonth => ordinal(*v),
                        DatePart::Year | DatePart::Hour => v.to_string(),
                    })
                    .collect();
                match part {
                    DatePart::Year | DatePart::Month => format!("is in {}", list(&names, "or")),
                    DatePart::DayOfMonth => format!("is on the {} of a month", list(&names, "or")),
                    DatePart::Weekday => format!("is on a {}", list(&names, "or")),
                    DatePart::Hour => format!("is in hour {} of the day (UTC)", list(&names, "or")),
                }
            }
            (O::ContainsAnyOf, Operand::Elements(items)) => {
                format!("contains any of {}", list(&elements(items), "or"))
            }
            (O::ContainsAllOf, Operand::Elements(items)) => {
                format!("contains all of {}", list(&elements(items), "and"))
            }
            (O::ContainsNoneOf, Operand::Elements(items)) => {
                format!("contains none of {}", list(&elements(items), "or"))
            }
            (O::AnyItemStartsWith, Operand::Text(s)) => {
                format!("has an item starting with {}", text(s))
            }
            (O::AnyItemEndsWith, Operand::Text(s)) => {
                format!("has an item ending with {}", text(s))
            }
            (O::AnyItemContains, Operand::Text(s)) => {
                format!("has an item containing {}", text(s))
            }
            // Exactly as OData's `all`: an empty list passes.
            (O::EveryItemIs, Operand::Text(s)) => {
                format!("has only items equal to {} (or no items)", text(s))
            }
            (O::IsEmpty, _) => "is an empty list".to_string(),
            (O::IsNotEmpty, _) => "is a non-empty list".to_string(),
            (O::SizeEquals, Operand::Count(n)) => format!("has {n} items"),
            (O::SizeLessThan, Operand::Count(n)) => format!("has fewer than {n} items"),
            (O::SizeGreaterThan, Operand::Count(n)) => format!("has more than {n} items"),
            (
                O::Is
                | O::IsNot
                | O::IsOneOf
                | O::IsNoneOf
                | O::Contains
                | O::DoesNotContain
                | O::StartsWith
                | O::DoesNotStartWith
                | O::EndsWith
                | O::DoesNotEndWith
                | O::Like
                | O::MatchesRegex
                | O::LengthEquals
                | O::LengthLessThan
                | O::LengthGreaterThan
                | O::Equals
                | O::NotEquals
                | O::LessThan
                | O::LessThanOrEqual
                | O::GreaterThan
                | O::GreaterThanOrEqual
                | O::Between
                | O::NotBetween
                | O::On
                | O::NotOn
                | O::Before
                | O::After
                | O::OnOrBefore
                | O::OnOrAfter
                | O::InTheLast
                | O::InTheNext
                | O::MoreThanAgo
                | O::LessThanAgo
                | O::ExactlyAgo
                | O::BetweenAgo
                | O::ThisPeriod
                | O::LastPeriod
                | O::NextPeriod
                | O::DatePartIs
                | O::ContainsAnyOf
                | O::ContainsAllOf
                | O::ContainsNoneOf
                | O::SizeEquals
                | O::SizeLessThan
                | O::SizeGreaterThan
                | O::AnyItemStartsWith
                | O::AnyItemEndsWith
                | O::AnyItemContains
                | O::EveryItemIs,
                _,
            ) => return Err(bad()),
        };
        Ok(format!("{name} {phrase}{ignoring_case}"))
    }
}

/// The related records' name as the count reads it: "at least 1 event", "at least 2 events".
/// Relationship names are plural nouns; exactly one record takes the singular.
fn noun(rel: &RelationshipCondition, name: &str) -> String {
    let one = matches!(
        &rel.constraint,
        Some(Constraint::Occurrences { operator, value, .. })
            if *operator != CountOperator::Between
                && *operator != CountOperator::NotEquals
                && value.as_f64() == Some(1.0)
    );
    if one {
        singular(name)
    } else {
        name.to_string()
    }
}

/// "events" → "event", "activities" → "activity", "addresses" → "address"; other words as they are.
fn singular(plural: &str) -> String {
    if let Some(stem) = plural.strip_suffix("ies") {
        return format!("{stem}y");
    }
    for ending in ["sses", "shes", "ches", "xes"] {
        if plural.ends_with(ending) {
            return plural[..plural.len() - 2].to_string();
        }
    }
    match plural.strip_suffix('s') {
        Some(stem) if !stem.ends_with('s') && !stem.is_empty() => stem.to_string(),
        _ => plural.to_string(),
    }
}

/// "today's month (1–12)": a part of today's date, as English says it.
fn today_part(part: segment_model::today::TodayPart) -> &'static str {
    use segment_model::today::TodayPart as T;
    match part {
        T::Year => "today's year",
        T::Month => "today's month (1–12)",
        T::DayOfMonth => "today's day of the month (1–31)",
    }
}

/// "the start of today", "1 month before the start of today": a time from today's midnight.
fn from_today(relative: &segment_model::today::FromToday) -> String {
    let n = relative.from_today;
    match (n, relative.unit) {
        (0, _) => "the start of today (UTC)".to_string(),
        (-1, TimeUnit::Day) => "the start of yesterday (UTC)".to_string(),
        (1, TimeUnit::Day) => "the start of tomorrow (UTC)".to_string(),
        (n, u) if n < 0 => format!(
            "{} before the start of today (UTC)",
            unit(u, n.unsigned_abs())
        ),
        (n, u) => format!(
            "{} after the start of today (UTC)",
            unit(u, n.unsigned_abs())
        ),
    }
}
