//! The normal form of a tree: one spelling for each meaning, so that translations can be
//! compared. `parse(render(t)) == normalize(t)` for every format that renders and parses (the
//! non-lossless parsers return normalized trees).
//!
//! What `normalize` does (and only this; it never changes what a segment matches):
//! - **Layout hints dropped**: Census `moleculeIndex`/`atomIndex`, omitted `attribute_type`,
//!   operator spellings and constraint operator spellings; `attribute_kind` becomes `column`
//!   (properties are columns in every data source; the distinction is Census interchange only).
//! - **Groups flattened**: a non-negated group with one child is replaced by its child; a
//!   non-negated child group with its parent's combinator is spliced into the parent; a group
//!   (root, relationship filter or negated group) whose only child is a group takes that group's
//!   children and combinator, negations cancelling (`NOT (NOT (a or b))` is `a or b`). Groups of
//!   zero or one child say `and`.
//! - **Values in one shape**: numbers as JSON numbers (Census writes `"3"`), text operands as
//!   strings, lists as lists, spans as `{"amount", "unit"}` (a whole number of days included),
//!   periods as the unit name, date parts as `{"part", "values"}`, value-less operators with
//!   `null`; a `case_sensitive` flag that says the operator's default is dropped (`true` on the
//!   text tests, which are case-sensitive unless `false`; `false` on `like`, which folds ASCII
//!   case unless `true`), and so is the flag on operators that ignore case.
//!   Values that do not read (invalid trees) are kept as written.
//! - **Relationships**: "at least 1 occurrence" is no constraint; an `any_time` window is no
//!   window; and when a relationship has no window, a trailing condition of its filter's
//!   top-level AND on the relationship's time column that a window can say (in the last N units,
//!   between N and M units ago, before, after, between two dates) becomes the window (both mean
//!   the same; formats write windows as such a trailing condition).
//! - **Entity explicit**: the base entity is written when it resolves.

use segment_model::schema::{Entity, Schema};
use segment_model::tree::{
    AttributeKind, Combinator, Condition, Constraint, CountOperator, Group, Node,
    RelationshipCondition, Segment, TimeWindow,
};
use segment_model::Operator;
use serde_json::Value;

use crate::resolve;
use crate::value::{self, Operand, Span};

/// Deeper trees are returned unchanged below this depth (they do not validate anyway).
const DEPTH_LIMIT: usize = 256;

/// The normal form of `segment` (see the module documentation). `entity` overrides the
/// segment's base entity, as in validation.
pub fn normalize(segment: &Segment, schema: &Schema, entity: Option<&str>) -> Segment {
    let base = segment_model::validate::base_entity(segment, schema, entity).ok();
    let n = Normalizer { schema };
    Segment {
        version: segment.version,
        entity: base
            .map(|e| e.name.clone())
            .or_else(|| segment.entity.clone()),
        root: n.standing_group(&segment.root, base, 0),
    }
}

struct Normalizer<'s> {
    schema: &'s Schema,
}

impl<'s> Normalizer<'s> {
    /// A group that must stay a group (root, relationship filter, negated group).
    fn standing_group(&self, group: &Group, entity: Option<&'s Entity>, depth: usize) -> Group {
        if depth > DEPTH_LIMIT {
            return group.clone();
        }
        let mut g = Group {
            combinator: group.combinator,
            negated: group.negated,
            children: self.children(group, entity, depth),
        };
        lift(&mut g);
        g
    }

    fn children(&self, group: &Group, entity: Option<&'s Entity>, depth: usize) -> Vec<Node> {
        let mut out = Vec::with_capacity(group.children.len());
        for child in &group.children {
            match self.node(child, entity, depth + 1) {
                Node::Group(inner)
                    if !inner.negated
                        && inner.combinator == group.combinator
                        && !inner.children.is_empty() =>
                {
                    out.extend(inner.children)
                }
                other => out.push(other),
            }
        }
        out
    }

    fn node(&self, node: &Node, entity: Option<&'s Entity>, depth: usize) -> Node {
        match node {
            Node::Group(group) => {
                let g = self.standing_group(group, entity, depth);
                if !g.negated && g.children.len() == 1 {
                    g.children
                        .into_iter()
                        .next()
                        .unwrap_or(Node::Group(Group::and(Vec::new())))
                } else {
                    Node::Group(g)
                }
            }
            Node::Condition(c) => Node::Condition(condition(c, entity)),
            Node::Sql(sql) => {
                let mut sql = sql.clone();
                sql.census = None;
                Node::Sql(sql)
            }
            Node::Relationship(rel) => Node::Relationship(self.relationship(rel, entity, depth)),
            Node::InSegment(reference) => Node::InSegment(reference.clone()),
        }
    }

    fn relationship(
        &self,
        rel: &RelationshipCondition,
        entity: Option<&'s Entity>,
        depth: usize,
    ) -> RelationshipCondition {
        let resolved = entity.and_then(|e| self.schema.relationship(&e.name, &rel.relationship));
        let related = resolved.and_then(|r| self.schema.entity(&r.to_entity));
        let mut filter = self.standing_group(&rel.filter, related, depth + 1);
        let constraint = rel.constraint.as_ref().and_then(constraint);
        let mut window = match &rel.window {
            None | Some(TimeWindow::AnyTime) => None,
            Some(w) => Some(canonical_window(w)),
        };
        if window.is_none() {
            if let Some(tc) = resolved
                .zip(related)
                .and_then(|(r, e)| resolve::time_column(r, e))
            {
                window = extract_window(&mut filter, &tc.name);
            }
        }
        RelationshipCondition {
            relationship: rel.relationship.clone(),
            constraint,
            window,
            filter,
            census: None,
        }
    }
}

/// A window with its dates in canonical spelling.
fn canonical_window(w: &TimeWindow) -> TimeWindow {
    match w {
        TimeWindow::Before { date } => TimeWindow::Before {
            date: value::canonical_moment(date),
        },
        TimeWindow::After { date } => TimeWindow::After {
            date: value::canonical_moment(date),
        },
        TimeWindow::Between { from, to } => {
            let (from, to) = (value::canonical_moment(from), value::canonical_moment(to));
            let start = |s: &str| segment_model::time::parse_moment(s).map(|m| m.start());
            match (start(&from), start(&to)) {
                (Some(a), Some(b)) if a > b => TimeWindow::Between { from: to, to: from },
                _ => TimeWindow::Between { from, to },
            }
        }
        TimeWindow::BetweenAgo { from, to, unit } => TimeWindow::BetweenAgo {
            from: (*from).max(*to),
            to: (*from).min(*to),
            unit: *unit,
        },
        TimeWindow::AnyTime | TimeWindow::InTheLast { .. } => w.clone(),
    }
}

/// Takes the children of a single child group, negations cancelling; groups of at most one
/// child say `and`.
fn lift(g: &mut Group) {
    while g.children.len() == 1 {
        let Some(Node::Group(_)) = g.children.first() else {
            break;
        };
        let Some(Node::Group(inner)) = g.children.pop() else {
            break;
        };
        g.combinator = inner.combinator;
        g.negated ^= inner.negated;
        g.children = inner.children;
    }
    if g.children.len() <= 1 {
        g.combinator = Combinator::And;
    }
}

pub(crate) fn condition(c: &Condition, entity: Option<&Entity>) -> Condition {
    let mut out = c.clone();
    out.census = None;
    out.attribute_kind = AttributeKind::Column;
    if !value::case_flag_meaningful(out.operator, out.case_sensitive) {
        out.case_sensitive = None;
    }
    if let Some(Ok(other)) = segment_model::compare::attribute_value(&c.value) {
        out.value = other.to_json();
        return out;
    }
    if let Some(column) = entity.and_then(|e| e.column(&c.attribute)) {
        if c.operator.applies_to(column.data_type) {
            if let Ok(operand) = value::read(c.operator, column.data_type, &c.value) {
                // Text after '' in code point order is exactly "not blank".
                if let (Operator::GreaterThan, Operand::Text(s)) = (c.operator, &operand) {
                    if s.is_empty() {
                        out.operator = Operator::IsNotBlank;
                        out.value = Value::Null;
                        return out;
                    }
                }
                out.value = match (c.operator, &operand) {
                    // "On" a date-time means on its (UTC) day.
                    (Operator::On | Operator::NotOn, Operand::Moment(_, m)) => {
                        Value::String(m.start().date_naive().format("%Y-%m-%d").to_string())
                    }
                    _ => value::canonical(&operand),
                };
            }
        }
    }
    out
}

fn constraint(c: &Constraint) -> Option<Constraint> {
    match c {
        Constraint::Occurrences {
            operator, value, ..
        } => {
            let value = count_value(*operator, value, true);
            if *operator == CountOperator::AtLeast && value == 1 {
                return None;
            }
            Some(Constraint::Occurrences {
                operator: *operator,
                value,
                census_operator: None,
            })
        }
        Constraint::Aggregate {
            function,
            attribute,
            operator,
            value,
            ..
        } => Some(Constraint::Aggregate {
            function: *function,
            attribute: attribute.clone(),
            operator: *operator,
            value: count_value(*operator, value, false),
            census_operator: None,
        }),
        Constraint::DistinctPeriods {
            unit,
            operator,
            value,
        } => Some(Constraint::DistinctPeriods {
            unit: *unit,
            operator: *operator,
            value: count_value(*operator, value, true),
        }),
        // No format reads these yet, so their one spelling is the canonical one.
        Constraint::FirstTime { .. }
        | Constraint::LastTime { .. }
        | Constraint::FirstRecord { .. }
        | Constraint::LastRecord { .. }
        | Constraint::Sequence { .. } => Some(c.clone()),
    }
}

/// A constraint's value in canonical shape: whole counts (occurrences) or numbers (aggregates),
/// a pair for `between`.
fn count_value(op: CountOperator, value: &Value, whole: bool) -> Value {
    let ty = segment_model::schema::DataType::Number;
    let read_one = |v: &Value| -> Option<Value> {
        let operand = if whole {
            value::read(Operator::SizeEquals, ty, v)
        } else {
            value::read(Operator::Equals, ty, v)
        };
        operand.ok().map(|o| value::canonical(&o))
    };
    let canonical = match (op, value) {
        (CountOperator::Between, Value::Array(items)) if items.len() == 2 => read_one(&items[0])
            .zip(read_one(&items[1]))
            .map(|(a, b)| Value::Array(vec![a, b])),
        (CountOperator::Between, _) => None,
        _ => read_one(value),
    };
    canonical.unwrap_or_else(|| value.clone())
}

/// Moves a trailing window-shaped condition on `time_column` out of `filter` into a window
/// (see the module documentation). `filter` must be normalized.
pub(crate) fn extract_window(filter: &mut Group, time_column: &str) -> Option<TimeWindow> {
    if filter.negated || (filter.children.len() > 1 && filter.combinator != Combinator::And) {
        return None;
    }
    let Some(Node::Condition(last)) = filter.children.last() else {
        return None;
    };
    if last.attribute != time_column || last.case_sensitive.is_some() || last.census.is_some() {
        return None;
    }
    let window = window_of(last)?;
    filter.children.pop();
    lift(filter);
    Some(window)
}

/// The window a (normalized) condition on a relationship's time column says, if one does.
pub(crate) fn window_of(c: &Condition) -> Option<TimeWindow> {
    let ty = segment_model::schema::DataType::Datetime;
    let operand = value::read(c.operator, ty, &c.value).ok()?;
    if value::canonical(&operand) != c.value {
        return None;
    }
    match (c.operator, operand) {
        (Operator::InTheLast, Operand::Span(Span::Units(amount, unit))) => {
            Some(TimeWindow::InTheLast {
                amount: u32::try_from(amount).ok()?,
                unit,
            })
        }
        (Operator::BetweenAgo, Operand::AgoPair { from, to, unit }) => {
            Some(TimeWindow::BetweenAgo {
                from: u32::try_from(from).ok()?,
                to: u32::try_from(to).ok()?,
                unit,
            })
        }
        (Operator::Before, Operand::Moment(date, _)) => Some(TimeWindow::Before { date }),
        (Operator::After, Operand::Moment(date, _)) => Some(TimeWindow::After { date }),
        (
            Operator::Between,
            Operand::DateRange(value::Bound::Moment(from, _), value::Bound::Moment(to, _)),
        ) => Some(TimeWindow::Between { from, to }),
        _ => None,
    }
}

/// The condition on `time_column` that says the same as `window` (`None` for any time).
pub(crate) fn window_condition(window: &TimeWindow, time_column: &str) -> Option<Condition> {
    let (op, value) = match window {
        TimeWindow::AnyTime => return None,
        TimeWindow::InTheLast { amount, unit } => (
            Operator::InTheLast,
            serde_json::json!({"amount": amount, "unit": value::unit_name(*unit)}),
        ),
        TimeWindow::BetweenAgo { from, to, unit } => (
            Operator::BetweenAgo,
            serde_json::json!({"from": from, "to": to, "unit": value::unit_name(*unit)}),
        ),
        TimeWindow::Before { date } => (Operator::Before, Value::String(date.clone())),
        TimeWindow::After { date } => (Operator::After, Value::String(date.clone())),
        TimeWindow::Between { from, to } => (Operator::Between, serde_json::json!([from, to])),
    };
    Some(Condition::new(time_column, op, value))
}
