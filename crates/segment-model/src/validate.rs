//! Validation against a schema: either the typed IR, or every problem found, each located by a
//! JSON Pointer into the canonical document and worded for a marketer.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::error::Problem;
use crate::ir::{
    ArrayElement, ColumnRef, CompareOp, CountTest, DatePart, EntityRef, Expr, Extreme, ItemTest,
    Number, NumberComparison, Predicate, Query, Related, RelatedConstraint, TimeBound, TimeRange,
};
use crate::operator::Operator;
use crate::schema::{DataType, Entity, Schema};
use crate::time::{self, Moment};
use crate::today;
use crate::tree::{
    AggregateFunction, Combinator, Condition, Constraint, CountOperator, Group, Node,
    RelationshipCondition, Segment, SqlCondition, TimeUnit, TimeWindow, CANONICAL_VERSION,
};

mod compare;
mod reference;
mod sequence;

pub use reference::{Definition, NoLibrary, ResolvedSegment, Resolver, MAX_REFERENCE_DEPTH};

/// Deepest nesting accepted; deeper trees are refused rather than risking the stack.
pub const MAX_DEPTH: usize = 64;

/// Checks `segment` against `schema` and lowers it to the IR. `entity` overrides the segment's
/// own base entity; with neither, the schema's single root entity is used. `now` is the instant
/// every relative date is computed from.
pub fn check(
    segment: &Segment,
    schema: &Schema,
    entity: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Query, Vec<Problem>> {
    check_with(segment, schema, entity, now, &NoLibrary, None)
}

/// As [`check`], with references to other segments resolved by `resolver`; `own_id` is the
/// library id of the segment being checked, if it has one (a reference back to it is a cycle).
pub fn check_with(
    segment: &Segment,
    schema: &Schema,
    entity: Option<&str>,
    now: DateTime<Utc>,
    resolver: &dyn Resolver,
    own_id: Option<&str>,
) -> Result<Query, Vec<Problem>> {
    let mut checker = Checker {
        schema,
        now,
        problems: Vec::new(),
        resolver,
        chain: own_id.map(str::to_string).into_iter().collect(),
        cycle: None,
    };
    if segment.version != CANONICAL_VERSION {
        checker.problem(
            "/version",
            format!(
                "This file is version {}; this build reads version {CANONICAL_VERSION}.",
                segment.version
            ),
        );
    }
    let base = match base_entity(segment, schema, entity) {
        Ok(base) => base,
        Err(problem) => {
            checker.problems.push(problem);
            return Err(checker.problems);
        }
    };
    let filter = checker.root_group(&segment.root, base);
    if checker.problems.is_empty() {
        Ok(Query {
            entity: entity_ref(base),
            filter,
            now: now.timestamp(),
        })
    } else {
        Err(checker.problems)
    }
}

/// The base entity: the explicit one, else the segment's, else the schema's only root entity
/// (one that is not the many side of any relationship).
pub fn base_entity<'s>(
    segment: &Segment,
    schema: &'s Schema,
    entity: Option<&str>,
) -> Result<&'s Entity, Problem> {
    let name = entity
        .map(str::to_string)
        .or_else(|| segment.entity.clone());
    match name {
        Some(name) => schema.entity(&name).ok_or_else(|| {
            Problem::new(
                "/entity",
                format!(
                    "There is no entity (table) named “{name}”. Known: {}.",
                    entity_names(schema)
                ),
            )
        }),
        None => default_entity(schema).ok_or_else(|| {
            Problem::new(
                "/entity",
                format!(
                    "Say which entity the segment selects (one of: {}).",
                    entity_names(schema)
                ),
            )
        }),
    }
}

/// The schema's single root entity, if there is exactly one.
pub fn default_entity(schema: &Schema) -> Option<&Entity> {
    let roots: Vec<&Entity> = schema
        .entities
        .iter()
        .filter(|e| {
            !schema.relationships.iter().any(|r| {
                r.from_entity == e.name && r.cardinality == crate::schema::Cardinality::ManyToOne
            })
        })
        .collect();
    match roots.as_slice() {
        [only] => Some(only),
        _ if schema.entities.len() == 1 => schema.entities.first(),
        _ => None,
    }
}

fn entity_names(schema: &Schema) -> String {
    schema
        .entities
        .iter()
        .map(|e| e.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn entity_ref(entity: &Entity) -> EntityRef {
    EntityRef {
        name: entity.name.clone(),
        key: entity.key.clone(),
    }
}

struct Checker<'s> {
    schema: &'s Schema,
    now: DateTime<Utc>,
    problems: Vec<Problem>,
    /// Finds the segments this one refers to.
    resolver: &'s dyn Resolver,
    /// The ids of the segments being inlined, outermost first (cycle detection).
    chain: Vec<String>,
    /// A cycle or too deep a chain found inside, worded once, so every level reports it as
    /// found.
    cycle: Option<String>,
}

impl<'s> Checker<'s> {
    fn problem(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem::new(path, message));
    }

    fn root_group(&mut self, group: &Group, entity: &'s Entity) -> Expr {
        if group.children.is_empty() {
            return if group.negated {
                Expr::False
            } else {
                Expr::True
            };
        }
        self.group(group, entity, "/root", 0)
    }

    fn group(&mut self, group: &Group, entity: &'s Entity, path: &str, depth: usize) -> Expr {
        if depth > MAX_DEPTH {
            self.problem(
                path,
                format!("The conditions are nested more than {MAX_DEPTH} levels deep."),
            );
            return Expr::False;
        }
        if group.children.is_empty() {
            self.problem(
                path,
                "This group is empty: add a condition to it or remove it.",
            );
            return Expr::False;
        }
        let mut parts = Vec::with_capacity(group.children.len());
        for (i, child) in group.children.iter().enumerate() {
            let child_path = format!("{path}/children/{i}");
            parts.push(self.node(child, entity, &child_path, depth + 1));
        }
        let combined = if parts.len() == 1 {
            parts.pop().unwrap_or(Expr::True)
        } else {
            match group.combinator {
                Combinator::And => Expr::And(parts),
                Combinator::Or => Expr::Or(parts),
            }
        };
        if group.negated {
            Expr::Not(Box::new(combined))
        } else {
            combined
        }
    }

    fn node(&mut self, node: &Node, entity: &'s Entity, path: &str, depth: usize) -> Expr {
        match node {
            Node::Group(group) => self.group(group, entity, path, depth),
            Node::Condition(condition) => self.condition(condition, entity, path),
            Node::Sql(sql) => self.sql(sql, path),
            Node::Relationship(rel) => self.relationship(rel, entity, path, depth),
            Node::InSegment(reference) => self.in_segment(reference, entity, path, depth),
        }
    }

    fn sql(&mut self, sql: &SqlCondition, path: &str) -> Expr {
        let text = sql.sql.trim();
        if text.is_empty() {
            self.problem(
                format!("{path}/sql"),
                "Write a SQL condition or remove this row.",
            );
        } else if has_statement_separator(text) {
            self.problem(
                format!("{path}/sql"),
                "A SQL condition is a single expression (like `age > 30`); remove the “;”.",
            );
        }
        Expr::RawSql(text.to_string())
    }

    fn condition(&mut self, cond: &Condition, entity: &'s Entity, path: &str) -> Expr {
        let Some(column) = entity.column(&cond.attribute) else {
            let known: Vec<&str> = entity.columns.iter().map(|c| c.name.as_str()).collect();
            self.problem(
                format!("{path}/attribute"),
                if cond.attribute.trim().is_empty() {
                    "Choose an attribute.".to_string()
                } else {
                    format!(
                        "“{}” is not an attribute of {}. Known: {}.",
                        cond.attribute,
                        entity.name,
                        known.join(", ")
                    )
                },
            );
            return Expr::False;
        };
        if crate::compare::names_attribute(&cond.value) {
            return self.attribute_comparison(cond, column, entity, path);
        }
        let ty = column.data_type;
        if !cond.operator.applies_to(ty) {
            let valid: Vec<&str> = Operator::for_type(ty).iter().map(|op| op.label()).collect();
            self.problem(
                format!("{path}/operator"),
                format!(
                    "“{}” does not apply to {} ({}). Use one of: {}.",
                    cond.operator.label(),
                    column.name,
                    ty.label(),
                    valid.join(", ")
                ),
            );
            return Expr::False;
        }
        if cond.case_sensitive.is_some() && ty != DataType::Text {
            self.problem(
                format!("{path}/case_sensitive"),
                "Case matters only for text attributes.",
            );
        }
        let column_ref = ColumnRef {
            entity: entity.name.clone(),
            name: column.name.clone(),
            data_type: ty,
            storage: column.storage,
        };
        let value_path = format!("{path}/value");
        match self.predicate(
            cond.operator,
            ty,
            &cond.value,
            cond.case_sensitive,
            &value_path,
        ) {
            Some(predicate) => Expr::Column {
                column: column_ref,
                predicate,
            },
            None => Expr::False,
        }
    }

    /// The typed predicate for an operator and its value, or `None` after recording a problem.
    fn predicate(
        &mut self,
        op: Operator,
        ty: DataType,
        value: &Value,
        case_sensitive: Option<bool>,
        path: &str,
    ) -> Option<Predicate> {
        use Operator as O;
        let cs = case_sensitive.unwrap_or(true);
        Some(match op {
            O::IsNull => Predicate::IsNull,
            O::IsNotNull => Predicate::IsNotNull,
            O::IsBlank => Predicate::IsBlank,
            O::IsNotBlank => Predicate::IsNotBlank,
            O::IsTrue => Predicate::Boolean(true),
            O::IsFalse => Predicate::Boolean(false),
            O::IsEmpty => Predicate::ArrayIsEmpty,
            O::IsNotEmpty => Predicate::ArrayIsNotEmpty,
            O::Is | O::IsNot => Predicate::TextEquals {
                value: self.text(value, path, true)?,
                case_sensitive: cs,
                negated: op == O::IsNot,
            },
            O::IsOneOf | O::IsNoneOf => {
                let negated = op == O::IsNoneOf;
                match ty {
                    DataType::Number => Predicate::Number(NumberComparison::In {
                        values: self.list(value, path, |c, v, p| c.number(v, p))?,
                        negated,
                    }),
                    DataType::Text | DataType::Boolean | DataType::Datetime | DataType::Array => {
                        Predicate::TextIn {
                            values: self.list(value, path, |c, v, p| c.text(v, p, true))?,
                            case_sensitive: cs,
                            negated,
                        }
                    }
                }
            }
            O::Contains | O::DoesNotContain => Predicate::Contains {
                value: self.non_empty_text(value, path)?,
                case_sensitive: cs,
                negated: op == O::DoesNotContain,
            },
            O::StartsWith | O::DoesNotStartWith => Predicate::StartsWith {
                value: self.non_empty_text(value, path)?,
                case_sensitive: cs,
                negated: op == O::DoesNotStartWith,
            },
            O::EndsWith | O::DoesNotEndWith => Predicate::EndsWith {
                value: self.non_empty_text(value, path)?,
                case_sensitive: cs,
                negated: op == O::DoesNotEndWith,
            },
            O::Like => Predicate::Like {
                pattern: self.non_empty_text(value, path)?,
                // SQL LIKE folds ASCII case by definition, and segments written before the flag
                // mattered rely on it: only an explicit `true` makes it case-sensitive.
                case_sensitive: case_sensitive == Some(true),
                negated: false,
            },
            O::MatchesRegex => {
                let pattern = self.non_empty_text(value, path)?;
                if let Err(err) = regex::Regex::new(&pattern) {
                    // The regex crate's message draws a caret diagram; keep its last line.
                    let text = err.to_string();
                    let reason = text
                        .lines()
                        .last()
                        .unwrap_or_default()
                        .trim_start_matches("error: ")
                        .to_string();
                    self.problem(
                        path,
                        format!("This is not a valid regular expression ({reason})."),
                    );
                    return None;
                }
                Predicate::Regex {
                    pattern,
                    negated: false,
                }
            }
            O::LengthEquals => Predicate::TextLength(CompareOp::Eq, self.count(value, path)?),
            O::LengthLessThan => Predicate::TextLength(CompareOp::Lt, self.count(value, path)?),
            O::LengthGreaterThan => Predicate::TextLength(CompareOp::Gt, self.count(value, path)?),
            O::Equals => Predicate::Number(NumberComparison::Compare(
                CompareOp::Eq,
                self.number_or_today(value, path)?,
            )),
            O::NotEquals => Predicate::Number(NumberComparison::Compare(
                CompareOp::Ne,
                self.number_or_today(value, path)?,
            )),
            O::LessThan | O::LessThanOrEqual | O::GreaterThan | O::GreaterThanOrEqual
                if ty == DataType::Text =>
            {
                let op = match op {
                    O::LessThan => CompareOp::Lt,
                    O::LessThanOrEqual => CompareOp::Le,
                    O::GreaterThan => CompareOp::Gt,
                    _ => CompareOp::Ge,
                };
                if case_sensitive == Some(false) {
                    self.problem(
                        path,
                        "Text is ordered exactly: case cannot be ignored here.",
                    );
                    return None;
                }
                Predicate::TextOrder(op, self.text(value, path, false)?)
            }
            O::LessThan => Predicate::Number(NumberComparison::Compare(
                CompareOp::Lt,
                self.number_or_today(value, path)?,
            )),
            O::LessThanOrEqual => Predicate::Number(NumberComparison::Compare(
                CompareOp::Le,
                self.number_or_today(value, path)?,
            )),
            O::GreaterThan => Predicate::Number(NumberComparison::Compare(
                CompareOp::Gt,
                self.number_or_today(value, path)?,
            )),
            O::GreaterThanOrEqual => Predicate::Number(NumberComparison::Compare(
                CompareOp::Ge,
                self.number_or_today(value, path)?,
            )),
            O::Between | O::NotBetween => {
                let negated = op == O::NotBetween;
                match ty {
                    DataType::Datetime => Predicate::Time {
                        range: self.date_between(value, path)?,
                        negated,
                    },
                    DataType::Number | DataType::Text | DataType::Boolean | DataType::Array => {
                        let (low, high) = self.number_pair(value, path)?;
                        Predicate::Number(NumberComparison::Between { low, high, negated })
                    }
                }
            }
            O::On | O::NotOn => {
                let day = self.moment(value, path)?.start().date_naive();
                let start = time::midnight(day);
                let end = start + chrono::Duration::days(1);
                Predicate::Time {
                    range: range(Some((start, true)), Some((end, false))),
                    negated: op == O::NotOn,
                }
            }
            O::Before => {
                let m = self.moment(value, path)?;
                Predicate::Time {
                    range: range(None, Some((m.start(), false))),
                    negated: false,
                }
            }
            O::OnOrBefore => {
                let end = match self.moment(value, path)? {
                    Moment::Date(d) => (time::midnight(d) + chrono::Duration::days(1), false),
                    Moment::Instant(t) => (t, true),
                };
                Predicate::Time {
                    range: range(None, Some(end)),
                    negated: false,
                }
            }
            O::After => Predicate::Time {
                range: range(Some(after(self.moment(value, path)?)), None),
                negated: false,
            },
            O::OnOrAfter => {
                let m = self.moment(value, path)?;
                Predicate::Time {
                    range: range(Some((m.start(), true)), None),
                    negated: false,
                }
            }
            O::InTheLast => {
                let span = self.span(value, path)?;
                let start = span.back_from(self.now).or_else(|| {
                    self.problem(path, "That is too far back in time.");
                    None
                })?;
                Predicate::Time {
                    range: range(Some((start, true)), Some((self.now, true))),
                    negated: false,
                }
            }
            O::InTheNext => {
                let span = self.span(value, path)?;
                let end = span.forward_from(self.now).or_else(|| {
                    self.problem(path, "That is too far ahead in time.");
                    None
                })?;
                Predicate::Time {
                    range: range(Some((self.now, true)), Some((end, true))),
                    negated: false,
                }
            }
            O::MoreThanAgo => {
                let span = self.span(value, path)?;
                let at = span.back_from(self.now).or_else(|| {
                    self.problem(path, "That is too far back in time.");
                    None
                })?;
                Predicate::Time {
                    range: range(None, Some((at, false))),
                    negated: false,
                }
            }
            O::LessThanAgo => {
                let span = self.span(value, path)?;
                let at = span.back_from(self.now).or_else(|| {
                    self.problem(path, "That is too far back in time.");
                    None
                })?;
                Predicate::Time {
                    range: range(Some((at, false)), Some((self.now, true))),
                    negated: false,
                }
            }
            O::ExactlyAgo => {
                let span = self.span(value, path)?;
                let (amount, unit) = match span {
                    Span::Units(amount, unit) => (amount, unit),
                    Span::Seconds(s) => ((s / 86_400.0).round() as i64, TimeUnit::Day),
                };
                let Some(day) = time::shift(self.now, -amount, unit) else {
                    self.problem(path, "That is too far back in time.");
                    return None;
                };
                let start = time::truncate(day, unit);
                let end = time::shift(start, 1, unit).unwrap_or(start);
                Predicate::Time {
                    range: range(Some((start, true)), Some((end, false))),
                    negated: false,
                }
            }
            O::BetweenAgo => {
                let (from, to, unit) = self.ago_pair(value, path)?;
                let (far, near) = if from >= to { (from, to) } else { (to, from) };
                let (Some(start), Some(end)) = (
                    time::shift(self.now, -far, unit),
                    time::shift(self.now, -near, unit),
                ) else {
                    self.problem(path, "That is too far back in time.");
                    return None;
                };
                Predicate::Time {
                    range: range(Some((start, true)), Some((end, true))),
                    negated: false,
                }
            }
            O::ThisPeriod | O::LastPeriod | O::NextPeriod => {
                let unit = self.period_unit(value, path)?;
                let offset = match op {
                    O::LastPeriod => -1,
                    O::NextPeriod => 1,
                    _ => 0,
                };
                let current = time::truncate(self.now, unit);
                let (Some(start), Some(end)) = (
                    time::shift(current, offset, unit),
                    time::shift(current, offset + 1, unit),
                ) else {
                    self.problem(path, "That period is out of range.");
                    return None;
                };
                Predicate::Time {
                    range: range(Some((start, true)), Some((end, false))),
                    negated: false,
                }
            }
            O::DatePartIs => self.date_part(value, path)?,
            O::ContainsAnyOf => {
                Predicate::ArrayContainsAny(self.list(value, path, |c, v, p| c.element(v, p))?)
            }
            O::ContainsAllOf => {
                Predicate::ArrayContainsAll(self.list(value, path, |c, v, p| c.element(v, p))?)
            }
            O::ContainsNoneOf => {
                Predicate::ArrayContainsNone(self.list(value, path, |c, v, p| c.element(v, p))?)
            }
            O::SizeEquals => Predicate::ArraySize(CompareOp::Eq, self.count(value, path)?),
            O::SizeLessThan => Predicate::ArraySize(CompareOp::Lt, self.count(value, path)?),
            O::SizeGreaterThan => Predicate::ArraySize(CompareOp::Gt, self.count(value, path)?),
            O::AnyItemStartsWith => Predicate::ArrayItems {
                every: false,
                test: ItemTest::StartsWith(self.non_empty_text(value, path)?),
            },
            O::AnyItemEndsWith => Predicate::ArrayItems {
                every: false,
                test: ItemTest::EndsWith(self.non_empty_text(value, path)?),
            },
            O::AnyItemContains => Predicate::ArrayItems {
                every: false,
                test: ItemTest::Contains(self.non_empty_text(value, path)?),
            },
            O::EveryItemIs => Predicate::ArrayItems {
                every: true,
                test: ItemTest::Is(self.text(value, path, true)?),
            },
        })
    }

    fn relationship(
        &mut self,
        rel: &RelationshipCondition,
        entity: &'s Entity,
        path: &str,
        depth: usize,
    ) -> Expr {
        let schema = self.schema;
        let Some(relationship) = schema.relationship(&entity.name, &rel.relationship) else {
            let known: Vec<&str> = schema
                .relationships_from(&entity.name)
                .map(|r| r.name.as_str())
                .collect();
            self.problem(
                format!("{path}/relationship"),
                if known.is_empty() {
                    format!("{} has no related records to filter on.", entity.name)
                } else {
                    format!(
                        "“{}” is not a relationship of {}. Known: {}.",
                        rel.relationship,
                        entity.name,
                        known.join(", ")
                    )
                },
            );
            return Expr::False;
        };
        let Some(related) = schema.entity(&relationship.to_entity) else {
            self.problem(
                format!("{path}/relationship"),
                format!(
                    "The relationship “{}” leads to a missing entity {}.",
                    relationship.name, relationship.to_entity
                ),
            );
            return Expr::False;
        };

        let window = match &rel.window {
            None | Some(TimeWindow::AnyTime) => None,
            Some(window) => {
                let time_column = relationship
                    .time_column
                    .as_deref()
                    .and_then(|name| related.column(name));
                match time_column {
                    None => {
                        self.problem(
                            format!("{path}/window"),
                            format!(
                                "{} has no date/time column, so a time window cannot apply.",
                                related.name
                            ),
                        );
                        None
                    }
                    Some(column) => self.window(window, &format!("{path}/window")).map(|range| {
                        (
                            ColumnRef {
                                entity: related.name.clone(),
                                name: column.name.clone(),
                                data_type: column.data_type,
                                storage: column.storage,
                            },
                            range,
                        )
                    }),
                }
            }
        };

        // The time column, or why there is none, for constraints that order records in time.
        let timed = relationship
            .time_column
            .as_deref()
            .and_then(|name| related.column(name))
            .filter(|column| column.data_type == DataType::Datetime)
            .map(|column| ColumnRef {
                entity: related.name.clone(),
                name: column.name.clone(),
                data_type: column.data_type,
                storage: column.storage,
            })
            .ok_or_else(|| related.name.clone());

        let filter = if rel.filter.children.is_empty() {
            if rel.filter.negated {
                Expr::False
            } else {
                Expr::True
            }
        } else {
            self.group(&rel.filter, related, &format!("{path}/filter"), depth + 1)
        };

        let constraint_path = format!("{path}/constraint");
        let constraint = match &rel.constraint {
            None => Some(RelatedConstraint::Count { min: 1, max: None }),
            Some(Constraint::Occurrences {
                operator, value, ..
            }) => match self.count_bounds(*operator, value, &format!("{constraint_path}/value")) {
                Some(Bounds::Always) => return Expr::True,
                Some(Bounds::Never) => return Expr::False,
                Some(Bounds::Constraint(c)) => Some(c),
                None => None,
            },
            Some(Constraint::Aggregate {
                function,
                attribute,
                operator,
                value,
                ..
            }) => self.aggregate(
                *function,
                attribute,
                *operator,
                value,
                related,
                &constraint_path,
            ),
            Some(Constraint::FirstTime { operator, value }) => {
                self.time_of(Extreme::First, *operator, value, &timed, &constraint_path)
            }
            Some(Constraint::LastTime { operator, value }) => {
                self.time_of(Extreme::Last, *operator, value, &timed, &constraint_path)
            }
            Some(Constraint::FirstRecord { condition }) => {
                self.record_of(Extreme::First, condition, related, &timed, &constraint_path)
            }
            Some(Constraint::LastRecord { condition }) => {
                self.record_of(Extreme::Last, condition, related, &timed, &constraint_path)
            }
            Some(Constraint::DistinctPeriods {
                unit,
                operator,
                value,
            }) => match self.distinct_periods(*unit, *operator, value, &timed, &constraint_path) {
                Periods::Always => return Expr::True,
                Periods::Never => return Expr::False,
                Periods::Constraint(c) => Some(c),
                Periods::Invalid => None,
            },
            Some(Constraint::Sequence { steps, within }) => self.sequence(
                steps,
                within.as_ref(),
                related,
                &timed,
                &constraint_path,
                depth,
            ),
        };
        let Some(constraint) = constraint else {
            return Expr::False;
        };

        Expr::Related(Box::new(Related {
            relationship_id: relationship.id,
            relationship: relationship.name.clone(),
            cardinality: relationship.cardinality,
            from_entity: entity_ref(entity),
            from_column: relationship.from_column.clone(),
            to_entity: entity_ref(related),
            to_column: relationship.to_column.clone(),
            window,
            filter,
            constraint,
        }))
    }

    fn count_bounds(&mut self, op: CountOperator, value: &Value, path: &str) -> Option<Bounds> {
        let bounds = match op {
            CountOperator::Between => {
                let (low, high) = self.count_pair(value, path)?;
                if low > high {
                    self.problem(path, "The first number must not be larger than the second.");
                    return None;
                }
                Bounds::count(low, Some(high))
            }
            CountOperator::AtLeast => Bounds::count(self.count_u(value, path)?, None),
            CountOperator::AtMost => Bounds::count(0, Some(self.count_u(value, path)?)),
            CountOperator::Exactly => {
                let n = self.count_u(value, path)?;
                Bounds::count(n, Some(n))
            }
            CountOperator::MoreThan => {
                Bounds::count(self.count_u(value, path)?.saturating_add(1), None)
            }
            CountOperator::LessThan => match self.count_u(value, path)? {
                0 => Bounds::Never,
                n => Bounds::count(0, Some(n - 1)),
            },
            CountOperator::NotEquals => match self.count_u(value, path)? {
                0 => Bounds::count(1, None),
                n => Bounds::Constraint(RelatedConstraint::CountNot(n)),
            },
        };
        Some(bounds)
    }

    fn aggregate(
        &mut self,
        function: AggregateFunction,
        attribute: &str,
        op: CountOperator,
        value: &Value,
        related: &Entity,
        path: &str,
    ) -> Option<RelatedConstraint> {
        let Some(column) = related.column(attribute) else {
            let known: Vec<&str> = related.columns.iter().map(|c| c.name.as_str()).collect();
            self.problem(
                format!("{path}/attribute"),
                format!(
                    "“{attribute}” is not an attribute of {}. Known: {}.",
                    related.name,
                    known.join(", ")
                ),
            );
            return None;
        };
        if function != AggregateFunction::CountDistinct && column.data_type != DataType::Number {
            self.problem(
                format!("{path}/attribute"),
                format!(
                    "{} is {}, so it cannot be summed or averaged; choose a number.",
                    column.name,
                    column.data_type.label()
                ),
            );
            return None;
        }
        let value_path = format!("{path}/value");
        let comparison = match op {
            CountOperator::Between => {
                let (low, high) = self.number_pair(value, &value_path)?;
                NumberComparison::Between {
                    low,
                    high,
                    negated: false,
                }
            }
            CountOperator::AtLeast => {
                NumberComparison::Compare(CompareOp::Ge, self.number(value, &value_path)?)
            }
            CountOperator::AtMost => {
                NumberComparison::Compare(CompareOp::Le, self.number(value, &value_path)?)
            }
            CountOperator::Exactly => {
                NumberComparison::Compare(CompareOp::Eq, self.number(value, &value_path)?)
            }
            CountOperator::MoreThan => {
                NumberComparison::Compare(CompareOp::Gt, self.number(value, &value_path)?)
            }
            CountOperator::LessThan => {
                NumberComparison::Compare(CompareOp::Lt, self.number(value, &value_path)?)
            }
            CountOperator::NotEquals => {
                NumberComparison::Compare(CompareOp::Ne, self.number(value, &value_path)?)
            }
        };
        Some(RelatedConstraint::Aggregate {
            function,
            column: ColumnRef {
                entity: related.name.clone(),
                name: column.name.clone(),
                data_type: column.data_type,
                storage: column.storage,
            },
            comparison,
        })
    }

    /// The time column for a constraint at `path` that orders records in time, or a problem.
    fn time_column(&mut self, timed: &Timed, path: &str) -> Option<ColumnRef> {
        match timed {
            Ok(column) => Some(column.clone()),
            Err(related) => {
                self.problem(
                    path,
                    format!(
                        "{related} has no date/time column, so there is no first, last or \
                         distinct day of them."
                    ),
                );
                None
            }
        }
    }

    fn time_of(
        &mut self,
        which: Extreme,
        op: Operator,
        value: &Value,
        timed: &Timed,
        path: &str,
    ) -> Option<RelatedConstraint> {
        let column = self.time_column(timed, path)?;
        // A first or last time always exists when the record matches: NULL tests say nothing.
        let null_test = |op: Operator| {
            matches!(
                op,
                Operator::IsNull | Operator::IsNotNull | Operator::IsBlank | Operator::IsNotBlank
            )
        };
        if null_test(op) || !op.applies_to(DataType::Datetime) {
            let valid: Vec<&str> = Operator::for_type(DataType::Datetime)
                .iter()
                .filter(|o| !null_test(**o))
                .map(|o| o.label())
                .collect();
            self.problem(
                format!("{path}/operator"),
                format!(
                    "“{}” does not apply to a time. Use one of: {}.",
                    op.label(),
                    valid.join(", ")
                ),
            );
            return None;
        }
        let predicate = self.predicate(
            op,
            DataType::Datetime,
            value,
            None,
            &format!("{path}/value"),
        )?;
        Some(RelatedConstraint::TimeOf {
            which,
            column,
            predicate,
        })
    }

    fn record_of(
        &mut self,
        which: Extreme,
        condition: &Condition,
        related: &'s Entity,
        timed: &Timed,
        path: &str,
    ) -> Option<RelatedConstraint> {
        let column = self.time_column(timed, path);
        let test = self.condition(condition, related, &format!("{path}/condition"));
        Some(RelatedConstraint::RecordOf {
            which,
            column: column?,
            test,
        })
    }

    fn distinct_periods(
        &mut self,
        unit: TimeUnit,
        op: CountOperator,
        value: &Value,
        timed: &Timed,
        path: &str,
    ) -> Periods {
        let column = self.time_column(timed, path);
        let unit_ok = matches!(
            unit,
            TimeUnit::Day | TimeUnit::Week | TimeUnit::Month | TimeUnit::Year
        );
        if !unit_ok {
            self.problem(
                format!("{path}/unit"),
                "Count distinct days, weeks, months or years.",
            );
        }
        let bounds = self.count_bounds(op, value, &format!("{path}/value"));
        let (Some(column), true, Some(bounds)) = (column, unit_ok, bounds) else {
            return Periods::Invalid;
        };
        let count = match bounds {
            Bounds::Always => return Periods::Always,
            Bounds::Never => return Periods::Never,
            Bounds::Constraint(RelatedConstraint::Count { min, max }) => {
                CountTest::Range { min, max }
            }
            Bounds::Constraint(RelatedConstraint::CountNot(n)) => CountTest::Not(n),
            Bounds::Constraint(_) => return Periods::Invalid,
        };
        Periods::Constraint(RelatedConstraint::DistinctPeriods {
            unit,
            column,
            count,
        })
    }

    fn window(&mut self, window: &TimeWindow, path: &str) -> Option<TimeRange> {
        let now = self.now;
        match window {
            TimeWindow::AnyTime => Some(range(None, None)),
            TimeWindow::InTheLast { amount, unit } => {
                match time::shift(now, -i64::from(*amount), *unit) {
                    Some(start) => Some(range(Some((start, true)), Some((now, true)))),
                    None => {
                        self.problem(path, "That is too far back in time.");
                        None
                    }
                }
            }
            TimeWindow::BetweenAgo { from, to, unit } => {
                let (far, near) = if from >= to {
                    (*from, *to)
                } else {
                    (*to, *from)
                };
                match (
                    time::shift(now, -i64::from(far), *unit),
                    time::shift(now, -i64::from(near), *unit),
                ) {
                    (Some(start), Some(end)) => Some(range(Some((start, true)), Some((end, true)))),
                    _ => {
                        self.problem(path, "That is too far back in time.");
                        None
                    }
                }
            }
            TimeWindow::Before { date } => {
                let m = self.moment(&Value::String(date.clone()), &format!("{path}/date"))?;
                Some(range(None, Some((m.start(), false))))
            }
            TimeWindow::After { date } => {
                let m = self.moment(&Value::String(date.clone()), &format!("{path}/date"))?;
                Some(range(Some(after(m)), None))
            }
            TimeWindow::Between { from, to } => {
                let value =
                    Value::Array(vec![Value::String(from.clone()), Value::String(to.clone())]);
                self.date_between(&value, path)
            }
        }
    }

    // ----- values -----

    fn text(&mut self, value: &Value, path: &str, allow_numbers: bool) -> Option<String> {
        match value {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) if allow_numbers => Some(n.to_string()),
            _ => {
                self.problem(
                    path,
                    format!("Enter a text value (got {}).", describe(value)),
                );
                None
            }
        }
    }

    fn non_empty_text(&mut self, value: &Value, path: &str) -> Option<String> {
        let text = self.text(value, path, true)?;
        if text.is_empty() {
            self.problem(path, "Enter some text to match.");
            return None;
        }
        Some(text)
    }

    fn number(&mut self, value: &Value, path: &str) -> Option<Number> {
        let parsed = match value {
            Value::Number(n) => n
                .as_i64()
                .map(Number::Int)
                .or_else(|| n.as_f64().map(Number::Float)),
            // Census writes numbers as strings ("3").
            Value::String(s) => {
                let s = s.trim();
                s.parse::<i64>().ok().map(Number::Int).or_else(|| {
                    s.parse::<f64>()
                        .ok()
                        .filter(|f| f.is_finite())
                        .map(Number::Float)
                })
            }
            _ => None,
        };
        if parsed.is_none() {
            self.problem(path, format!("Enter a number (got {}).", describe(value)));
        }
        parsed
    }

    fn count_u(&mut self, value: &Value, path: &str) -> Option<u64> {
        let n = self.number(value, path)?;
        match n {
            Number::Int(i) if i >= 0 => Some(i as u64),
            Number::Float(f) if f >= 0.0 && f.fract() == 0.0 && f < 1e15 => Some(f as u64),
            Number::Int(_) | Number::Float(_) => {
                self.problem(path, "Enter a whole number, 0 or more.");
                None
            }
        }
    }

    fn count(&mut self, value: &Value, path: &str) -> Option<i64> {
        self.count_u(value, path)
            .and_then(|n| i64::try_from(n).ok())
    }

    fn count_pair(&mut self, value: &Value, path: &str) -> Option<(u64, u64)> {
        let (a, b) = self.pair(value, path)?;
        let low = self.count_u(a, &format!("{path}/0"));
        let high = self.count_u(b, &format!("{path}/1"));
        Some((low?, high?))
    }

    fn number_pair(&mut self, value: &Value, path: &str) -> Option<(Number, Number)> {
        let (a, b) = self.pair(value, path)?;
        let low = self.number(a, &format!("{path}/0"));
        let high = self.number(b, &format!("{path}/1"));
        let (low, high) = (low?, high?);
        // Integers compare exactly: 2^53 + 1 and 2^53 are the same double.
        let reversed = match (low, high) {
            (Number::Int(a), Number::Int(b)) => a > b,
            _ => low.as_f64() > high.as_f64(),
        };
        if reversed {
            self.problem(path, "The first number must not be larger than the second.");
            return None;
        }
        Some((low, high))
    }

    fn pair<'v>(&mut self, value: &'v Value, path: &str) -> Option<(&'v Value, &'v Value)> {
        match value {
            Value::Array(items) if items.len() == 2 => Some((&items[0], &items[1])),
            _ => {
                self.problem(
                    path,
                    format!("Enter two values, from and to (got {}).", describe(value)),
                );
                None
            }
        }
    }

    fn list<T>(
        &mut self,
        value: &Value,
        path: &str,
        mut item: impl FnMut(&mut Self, &Value, &str) -> Option<T>,
    ) -> Option<Vec<T>> {
        let items: Vec<(usize, &Value)> = match value {
            Value::Array(items) => items.iter().enumerate().collect(),
            Value::Null => Vec::new(),
            single => vec![(usize::MAX, single)],
        };
        if items.is_empty() {
            self.problem(path, "Enter at least one value.");
            return None;
        }
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, v) in items {
            let item_path = if i == usize::MAX {
                path.to_string()
            } else {
                format!("{path}/{i}")
            };
            match item(self, v, &item_path) {
                Some(x) => out.push(x),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn element(&mut self, value: &Value, path: &str) -> Option<ArrayElement> {
        match value {
            Value::String(s) => Some(ArrayElement::Text(s.clone())),
            Value::Number(_) => self.number(value, path).map(ArrayElement::Number),
            _ => {
                self.problem(
                    path,
                    format!("Enter a text or number value (got {}).", describe(value)),
                );
                None
            }
        }
    }

    /// A number, or a part of today's date (`{"today": "month"}`) resolved from "now".
    fn number_or_today(&mut self, value: &Value, path: &str) -> Option<Number> {
        match today::today_part(value) {
            Some(Ok(part)) => Some(Number::Int(part.of(self.now))),
            Some(Err(message)) => {
                self.problem(path, message);
                None
            }
            None => self.number(value, path),
        }
    }

    fn moment(&mut self, value: &Value, path: &str) -> Option<Moment> {
        // A time counted from the start of today (`{"from_today": -1, "unit": "month"}`).
        match today::from_today(value) {
            Some(Ok(relative)) => {
                return relative.at(self.now).map(Moment::Instant).or_else(|| {
                    self.problem(path, "That is too far from today.");
                    None
                })
            }
            Some(Err(message)) => {
                self.problem(path, message);
                return None;
            }
            None => {}
        }
        if let Value::String(s) = value {
            if let Some(m) = time::parse_moment(s) {
                return Some(m);
            }
        }
        self.problem(
            path,
            format!("Enter a date like 2024-05-31 or a date and time like 2024-05-31T14:00:00Z (got {}).", describe(value)),
        );
        None
    }

    /// One end of a Census-style `between`: a date, a date-time, blank for now, or `"days_ago: Z"`.
    fn bound(&mut self, value: &Value, path: &str) -> Option<Moment> {
        match value {
            Value::Null => Some(Moment::Instant(self.now)),
            Value::String(s) if s.trim().is_empty() => Some(Moment::Instant(self.now)),
            Value::String(s) if s.trim_start().starts_with("days_ago") => {
                let days = s
                    .trim_start()
                    .trim_start_matches("days_ago")
                    .trim_start()
                    .trim_start_matches(':')
                    .trim();
                match days.parse::<f64>() {
                    Ok(d) if d.is_finite() && d.abs() < 1e6 => {
                        let seconds = (d * 86_400.0).round() as i64;
                        Some(Moment::Instant(
                            self.now - chrono::Duration::seconds(seconds),
                        ))
                    }
                    _ => {
                        self.problem(
                            path,
                            format!("“{s}”: write days_ago: followed by a number of days."),
                        );
                        None
                    }
                }
            }
            other => self.moment(other, path),
        }
    }

    fn date_between(&mut self, value: &Value, path: &str) -> Option<TimeRange> {
        let (a, b, a_path, b_path) = match value {
            Value::Array(items) if items.len() == 2 => (
                &items[0],
                &items[1],
                format!("{path}/0"),
                format!("{path}/1"),
            ),
            Value::Object(map)
                if map.contains_key("bound_one") || map.contains_key("bound_two") =>
            {
                (
                    map.get("bound_one").unwrap_or(&Value::Null),
                    map.get("bound_two").unwrap_or(&Value::Null),
                    format!("{path}/bound_one"),
                    format!("{path}/bound_two"),
                )
            }
            _ => {
                self.problem(
                    path,
                    format!("Enter two dates, from and to (got {}).", describe(value)),
                );
                return None;
            }
        };
        let first = self.bound(a, &a_path);
        let second = self.bound(b, &b_path);
        let (first, second) = (first?, second?);
        let (low, high) = if first.start() <= second.start() {
            (first, second)
        } else {
            (second, first)
        };
        let end = match high {
            Moment::Date(d) => (time::midnight(d) + chrono::Duration::days(1), false),
            Moment::Instant(t) => (t, true),
        };
        Some(range(Some((low.start(), true)), Some(end)))
    }

    /// A length of time: a bare number of days (Census; decimals allowed) or `{amount, unit}`.
    fn span(&mut self, value: &Value, path: &str) -> Option<Span> {
        match value {
            Value::Object(map) => {
                let amount = map.get("amount").unwrap_or(&Value::Null);
                let amount = self.count(amount, &format!("{path}/amount"));
                let unit = self.unit(
                    map.get("unit").unwrap_or(&Value::Null),
                    &format!("{path}/unit"),
                );
                Some(Span::Units(amount?, unit?))
            }
            other => {
                let n = self.number(other, path)?;
                let days = n.as_f64();
                if !(0.0..=1e6).contains(&days) {
                    self.problem(path, "Enter a number of days, 0 or more.");
                    return None;
                }
                if days.fract() == 0.0 {
                    Some(Span::Units(days as i64, TimeUnit::Day))
                } else {
                    Some(Span::Seconds((days * 86_400.0).round()))
                }
            }
        }
    }

    fn unit(&mut self, value: &Value, path: &str) -> Option<TimeUnit> {
        match serde_json::from_value::<TimeUnit>(value.clone()) {
            Ok(unit) => Some(unit),
            Err(_) => {
                self.problem(
                    path,
                    format!(
                        "Choose a unit: minute, hour, day, week, month or year (got {}).",
                        describe(value)
                    ),
                );
                None
            }
        }
    }

    fn period_unit(&mut self, value: &Value, path: &str) -> Option<TimeUnit> {
        let unit_value = match value {
            Value::Object(map) => map.get("unit").cloned().unwrap_or(Value::Null),
            other => other.clone(),
        };
        let unit_path = if value.is_object() {
            format!("{path}/unit")
        } else {
            path.to_string()
        };
        self.unit(&unit_value, &unit_path)
    }

    fn ago_pair(&mut self, value: &Value, path: &str) -> Option<(i64, i64, TimeUnit)> {
        let Value::Object(map) = value else {
            self.problem(path, format!("Enter from, to and a unit, like {{\"from\": 60, \"to\": 30, \"unit\": \"day\"}} (got {}).", describe(value)));
            return None;
        };
        let from = self.count(
            map.get("from").unwrap_or(&Value::Null),
            &format!("{path}/from"),
        );
        let to = self.count(map.get("to").unwrap_or(&Value::Null), &format!("{path}/to"));
        let unit = self.unit(
            map.get("unit").unwrap_or(&Value::Null),
            &format!("{path}/unit"),
        );
        Some((from?, to?, unit?))
    }

    fn date_part(&mut self, value: &Value, path: &str) -> Option<Predicate> {
        let Value::Object(map) = value else {
            self.problem(path, format!("Enter a date part and values, like {{\"part\": \"month\", \"values\": [12]}} (got {}).", describe(value)));
            return None;
        };
        let part = match map.get("part").and_then(Value::as_str) {
            Some("year") => Some(DatePart::Year),
            Some("month") => Some(DatePart::Month),
            Some("day_of_month") => Some(DatePart::DayOfMonth),
            Some("weekday") => Some(DatePart::Weekday),
            Some("hour") => Some(DatePart::Hour),
            _ => {
                self.problem(
                    format!("{path}/part"),
                    "Choose a date part: year, month, day_of_month, weekday or hour.",
                );
                None
            }
        };
        let (values_path, raw) = match (map.get("values"), map.get("value")) {
            (Some(v), _) => (format!("{path}/values"), v),
            (None, Some(v)) => (format!("{path}/value"), v),
            (None, None) => (format!("{path}/values"), &Value::Null),
        };
        let values = self.list(raw, &values_path, |c, v, p| c.count(v, p));
        let (part, values) = (part?, values?);
        let (low, high, what) = match part {
            DatePart::Year => (0, 9999, "a year from 0 to 9999"),
            DatePart::Month => (1, 12, "a month from 1 to 12"),
            DatePart::DayOfMonth => (1, 31, "a day from 1 to 31"),
            DatePart::Weekday => (0, 6, "a weekday from 0 (Sunday) to 6 (Saturday)"),
            DatePart::Hour => (0, 23, "an hour from 0 to 23"),
        };
        if let Some(bad) = values.iter().find(|v| !(low..=high).contains(*v)) {
            self.problem(values_path, format!("{bad} is not {what}."));
            return None;
        }
        Some(Predicate::DatePart { part, values })
    }
}

/// A relationship's time column, or the related entity's name when it has none.
type Timed = std::result::Result<ColumnRef, String>;

/// A distinct-periods constraint as checked.
enum Periods {
    Always,
    Never,
    Constraint(RelatedConstraint),
    Invalid,
}

enum Bounds {
    Always,
    Never,
    Constraint(RelatedConstraint),
}

impl Bounds {
    fn count(min: u64, max: Option<u64>) -> Bounds {
        if min == 0 && max.is_none() {
            Bounds::Always
        } else {
            Bounds::Constraint(RelatedConstraint::Count { min, max })
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Span {
    Units(i64, TimeUnit),
    Seconds(f64),
}

impl Span {
    fn back_from(self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Span::Units(n, unit) => time::shift(now, -n, unit),
            Span::Seconds(s) => now.checked_sub_signed(chrono::Duration::seconds(s as i64)),
        }
    }

    fn forward_from(self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Span::Units(n, unit) => time::shift(now, n, unit),
            Span::Seconds(s) => now.checked_add_signed(chrono::Duration::seconds(s as i64)),
        }
    }
}

/// "After" a date means from the next day on; after an instant, strictly later.
fn after(m: Moment) -> (DateTime<Utc>, bool) {
    match m {
        Moment::Date(d) => (time::midnight(d) + chrono::Duration::days(1), true),
        Moment::Instant(t) => (t, false),
    }
}

fn range(start: Option<(DateTime<Utc>, bool)>, end: Option<(DateTime<Utc>, bool)>) -> TimeRange {
    TimeRange {
        start: start.map(|(t, inclusive)| TimeBound {
            at: t.timestamp(),
            inclusive,
        }),
        end: end.map(|(t, inclusive)| TimeBound {
            at: t.timestamp(),
            inclusive,
        }),
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "nothing".to_string(),
        Value::Bool(b) => format!("{b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) if s.chars().count() > 40 => {
            format!("text “{}…”", s.chars().take(40).collect::<String>())
        }
        Value::String(s) => format!("text “{s}”"),
        Value::Array(items) => format!("a list of {}", items.len()),
        Value::Object(_) => "an object".to_string(),
    }
}

/// Whether raw SQL holds a `;` that separates statements: one outside string literals (`'…'`,
/// `''` escaping a quote), quoted identifiers (`"…"`, `` `…` ``, `[…]`) and comments (`--` to the
/// end of the line, `/* … */`). `email LIKE '%;%'` has none. The same lexical rules as the
/// SQL compiler's check of raw SQL (`segment-sql`'s `raw.rs`, which also refuses unclosed quotes
/// and comments: a `;` inside one is not reported here).
pub fn has_statement_separator(sql: &str) -> bool {
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' | '`' | '[' => {
                let close = if c == '[' { ']' } else { c };
                loop {
                    match chars.next() {
                        None => return false,
                        // A doubled quote is an escaped quote (not for `[…]`).
                        Some(q) if q == close => {
                            if close != ']' && chars.peek() == Some(&close) {
                                chars.next();
                            } else {
                                break;
                            }
                        }
                        Some(_) => {}
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut star = false;
                loop {
                    match chars.next() {
                        None => return false,
                        Some('/') if star => break,
                        Some(c) => star = c == '*',
                    }
                }
            }
            ';' => return true,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cases of `segment-sql`'s raw SQL check (`raw.rs`), which must agree.
    const SEPARATOR_FREE: &[&str] = &[
        "email LIKE '%;%'",
        "email LIKE '%'';%'",
        "\"a;b\" = 1",
        "[a;b] = 1",
        "`a;b` = 1",
        "x = x'3b'",
        "x = 1 /* ; */",
        "x = 1 /* ** ; */",
        "x = 1 -- ;",
        "instr(note, ';') > 0 AND note <> ';;'",
    ];
    const SEPARATED: &[&str] = &[
        "x = 1;",
        "x = 1 ; ",
        "email LIKE '%;%'; SELECT 1",
        "\"a;b\" = 1;--",
        "x = 1 /* ; */;",
        "x = 1 /**/;",
        "x = 1 -- ;\n; SELECT 1",
        "1; DROP TABLE profiles",
    ];

    fn sql_problems(sql: &str) -> Vec<Problem> {
        let schema = Schema::default();
        let mut checker = Checker {
            schema: &schema,
            now: DateTime::<Utc>::UNIX_EPOCH,
            problems: Vec::new(),
            resolver: &NoLibrary,
            chain: Vec::new(),
            cycle: None,
        };
        let condition = SqlCondition {
            sql: sql.to_string(),
            census: None,
        };
        checker.sql(&condition, "/root/children/0");
        checker.problems
    }

    #[test]
    fn semicolons_inside_literals_identifiers_and_comments_are_accepted() {
        for sql in SEPARATOR_FREE {
            assert!(!has_statement_separator(sql), "{sql:?}");
            assert!(sql_problems(sql).is_empty(), "{sql:?}");
        }
    }

    #[test]
    fn a_statement_separator_is_refused() {
        for sql in SEPARATED {
            assert!(has_statement_separator(sql), "{sql:?}");
            let problems = sql_problems(sql);
            assert_eq!(problems.len(), 1, "{sql:?}");
            assert_eq!(problems[0].path, "/root/children/0/sql");
        }
    }
}
