//! Name resolution shared by the translators (the base entity, attributes, relationships, a
//! condition's value, a time window), and the tree pieces their parsers build.

use segment_model::schema::{Cardinality, Column, DataType, Entity, Relationship, Schema};
use segment_model::tree::{
    Combinator, Condition, Constraint, Group, Node, RelationshipCondition, TimeWindow,
};
use segment_model::Segment;
use std::cell::RefCell;

use crate::error::{clip, Error, Position, Result};
use crate::value::{self, Operand};
use crate::Format;

/// The base entity of `segment` (explicit, the segment's own, or the schema's only root).
pub(crate) fn base_entity<'s>(
    format: Format,
    segment: &Segment,
    schema: &'s Schema,
    entity: Option<&str>,
) -> Result<&'s Entity> {
    if schema.entities.is_empty() {
        return Err(Error::invalid(
            format,
            "/entity",
            "There is no data to take the entity from: read the segment without data (its \
             attributes are then typed from its values) or give a data file",
        ));
    }
    segment_model::validate::base_entity(segment, schema, entity)
        .map_err(|p| Error::invalid(format, &p.path, p.message))
}

/// The base entity for a parser, which has no segment yet.
pub(crate) fn parse_entity<'s>(
    schema: &'s Schema,
    entity: Option<&str>,
) -> std::result::Result<&'s Entity, String> {
    let placeholder = Segment::new(
        entity.map(str::to_string),
        segment_model::Group::and(Vec::new()),
    );
    if schema.entities.is_empty() {
        return Err(
            "There is no data to take the entity from: give the entity the segment selects, \
             or read it without data (the entity then comes from the format)"
                .to_string(),
        );
    }
    segment_model::validate::base_entity(&placeholder, schema, entity).map_err(|p| p.message)
}

/// A name a parser looked up and did not find, noted while [`recording`] (the no-data
/// inference then adds it to the schema it infers and reads again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Missing {
    /// The entity it was looked up on.
    pub entity: String,
    pub name: String,
    /// Looked up as a relationship (else as an attribute).
    pub relationship: bool,
}

thread_local! {
    static MISSING: RefCell<Option<Vec<Missing>>> = const { RefCell::new(None) };
}

fn note_missing(entity: &Entity, name: &str, relationship: bool) {
    MISSING.with(|m| {
        if let Some(list) = m.borrow_mut().as_mut() {
            let missing = Missing {
                entity: entity.name.clone(),
                name: name.to_string(),
                relationship,
            };
            if !list.contains(&missing) {
                list.push(missing);
            }
        }
    });
}

/// Runs `read` and returns, with its result, every name it looked up and did not find, in
/// order. Nested calls are not supported (the inner one takes the list).
pub(crate) fn recording<T>(read: impl FnOnce() -> T) -> (T, Vec<Missing>) {
    MISSING.with(|m| *m.borrow_mut() = Some(Vec::new()));
    let out = read();
    let missing = MISSING.with(|m| m.borrow_mut().take()).unwrap_or_default();
    (out, missing)
}

pub(crate) fn column<'e>(
    format: Format,
    entity: &'e Entity,
    name: &str,
    path: &str,
) -> Result<&'e Column> {
    entity.column(name).ok_or_else(|| {
        Error::invalid(
            format,
            &format!("{path}/attribute"),
            format!(
                "“{name}” is not an attribute of {}. Known: {}.",
                entity.name,
                known_columns(entity),
                name = clip(name),
            ),
        )
    })
}

pub(crate) fn known_columns(entity: &Entity) -> String {
    entity
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn known_relationships(schema: &Schema, entity: &Entity) -> String {
    let names: Vec<&str> = schema
        .relationships_from(&entity.name)
        .map(|r| r.name.as_str())
        .collect();
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

/// A relationship leaving `entity`, and the entity it leads to.
pub(crate) fn relationship<'s>(
    format: Format,
    schema: &'s Schema,
    entity: &Entity,
    name: &str,
    path: &str,
) -> Result<(&'s Relationship, &'s Entity)> {
    let Some(rel) = schema.relationship(&entity.name, name) else {
        return Err(Error::invalid(
            format,
            &format!("{path}/relationship"),
            format!(
                "“{name}” is not a relationship of {}. Known: {}.",
                entity.name,
                known_relationships(schema, entity),
                name = clip(name),
            ),
        ));
    };
    let Some(related) = schema.entity(&rel.to_entity) else {
        return Err(Error::invalid(
            format,
            &format!("{path}/relationship"),
            format!(
                "The relationship “{name}” leads to a missing entity {}.",
                rel.to_entity,
                name = clip(name),
            ),
        ));
    };
    Ok((rel, related))
}

/// The datetime column time windows of `rel` apply to, if it has one.
pub(crate) fn time_column<'e>(rel: &Relationship, related: &'e Entity) -> Option<&'e Column> {
    rel.time_column
        .as_deref()
        .and_then(|name| related.column(name))
        .filter(|c| c.data_type == DataType::Datetime)
}

pub(crate) fn is_to_many(rel: &Relationship) -> bool {
    rel.cardinality == Cardinality::OneToMany
}

/// The condition on the related entity's time column that a relationship's time `window` means
/// (`None` for any time), or an `Invalid` error at `window_path` if it has no time column.
pub(crate) fn window_condition(
    format: Format,
    rel: &Relationship,
    related: &Entity,
    window: &TimeWindow,
    window_path: &str,
) -> Result<Option<Condition>> {
    match time_column(rel, related) {
        Some(tc) => Ok(crate::normalize::window_condition(window, &tc.name)),
        None if *window != TimeWindow::AnyTime => Err(no_time_column(format, related, window_path)),
        None => Ok(None),
    }
}

/// A time window on a relationship to an entity without a date/time column.
pub(crate) fn no_time_column(format: Format, related: &Entity, window_path: &str) -> Error {
    Error::invalid(
        format,
        window_path,
        format!(
            "{} has no date/time column, so a time window cannot apply.",
            related.name
        ),
    )
}

/// Resolves `c` against `entity`, as every renderer needs it: the value read in the shape its
/// operator takes on the attribute's column type; an `Invalid` error at the node's `/attribute`, `/operator` or
/// `/value…` when the attribute is unknown, the operator does not apply to its type, or the
/// value does not read.
pub(crate) fn condition(
    format: Format,
    entity: &Entity,
    c: &Condition,
    path: &str,
) -> Result<Operand> {
    let column = column(format, entity, &c.attribute, path)?;
    if segment_model::compare::names_attribute(&c.value) {
        return crate::compare::resolve(format, entity, column, c, path);
    }
    let ty = column.data_type;
    if !c.operator.applies_to(ty) {
        return Err(Error::invalid(
            format,
            &format!("{path}/operator"),
            format!(
                "“{}” does not apply to {} ({}).",
                c.operator.label(),
                column.name,
                ty.label()
            ),
        ));
    }
    let operand = value::read(c.operator, ty, &c.value).map_err(|(suffix, message)| {
        Error::invalid(format, &format!("{path}/value{suffix}"), message)
    })?;
    relative_to_today(format, &operand, path)?;
    text_order(format, c, &operand, path)?;
    Ok(operand)
}

/// Text in code point order (`<` … on text): OData, PQL and English say it; the other formats
/// refuse it by name at the node.
fn text_order(format: Format, c: &Condition, operand: &Operand, path: &str) -> Result<()> {
    let ordering = matches!(
        c.operator,
        segment_model::Operator::LessThan
            | segment_model::Operator::LessThanOrEqual
            | segment_model::Operator::GreaterThan
            | segment_model::Operator::GreaterThanOrEqual
    ) && matches!(operand, Operand::Text(_));
    match format {
        _ if !ordering => Ok(()),
        Format::Odata | Format::PqlText | Format::PqlJson | Format::English => Ok(()),
        _ => Err(Error::unsupported(
            format,
            "ordering text",
            &format!("{path}/operator"),
            "compare text with is, is one of or starts with",
        )),
    }
}

/// Only PQL and English say a value relative to today (`segment_model::today`); the other
/// formats refuse it by name at the node.
fn relative_to_today(format: Format, operand: &Operand, path: &str) -> Result<()> {
    let construct = match operand {
        Operand::TodayPart(_) => "a number compared with a part of today's date",
        Operand::FromToday(_) => "a time counted from the start of today",
        Operand::DateRange(a, b)
            if matches!(a, value::Bound::FromToday(_))
                || matches!(b, value::Bound::FromToday(_)) =>
        {
            "a time counted from the start of today"
        }
        _ => return Ok(()),
    };
    match format {
        Format::PqlText | Format::PqlJson | Format::English => Ok(()),
        _ => Err(Error::unsupported(
            format,
            construct,
            &format!("{path}/value"),
            "use a fixed number or date, or a time relative to now",
        )),
    }
}

/// For a parser: the relationship `name` of `entity` read at `at`, and the entity it leads to; a
/// syntax error naming the known relationships, or an unrepresentable one if its entity is
/// missing from the schema.
pub(crate) fn read_relationship<'s>(
    format: Format,
    schema: &'s Schema,
    entity: &Entity,
    name: &str,
    at: Position,
) -> Result<(&'s Relationship, &'s Entity)> {
    let Some(r) = schema.relationship(&entity.name, name) else {
        note_missing(entity, name, true);
        return Err(Error::syntax(
            format,
            at,
            format!(
                "“{name}” is not a relationship of {}",
                entity.name,
                name = clip(name)
            ),
            format!("known: {}", known_relationships(schema, entity)),
        ));
    };
    let Some(related) = schema.entity(&r.to_entity) else {
        return Err(Error::unrepresentable(
            format,
            format!("the relationship {name}", name = clip(name)),
            at,
            "its entity is missing from the schema",
        ));
    };
    Ok((r, related))
}

/// For a parser: the column `name` of `entity`, read at `at` and written there as `shown`; a
/// syntax error naming the known attributes.
pub(crate) fn read_column<'e>(
    format: Format,
    entity: &'e Entity,
    name: &str,
    shown: &str,
    at: Position,
) -> Result<&'e Column> {
    entity.column(name).ok_or_else(|| {
        note_missing(entity, name, false);
        Error::syntax(
            format,
            at,
            format!(
                "“{shown}” is not an attribute of {}",
                entity.name,
                shown = clip(shown)
            ),
            format!("known: {}", known_columns(entity)),
        )
    })
}

/// For a parser: the relationship condition read on `rel`, with the filter read from its
/// condition on the related records (`None`: no condition, every related record counts).
pub(crate) fn read_related(
    rel: &Relationship,
    constraint: Option<Constraint>,
    window: Option<TimeWindow>,
    filter: Option<Node>,
) -> Node {
    let filter = match filter {
        None => Group::and(Vec::new()),
        Some(Node::Group(g)) => g,
        Some(other) => Group::and(vec![other]),
    };
    Node::Relationship(RelationshipCondition {
        relationship: rel.name.clone(),
        constraint,
        window,
        filter,
        census: None,
    })
}

/// For a parser: NOT `node` (a group's own negation flipped, anything else in a negated group).
pub(crate) fn negate(node: Node) -> Node {
    match node {
        Node::Group(mut g) => {
            g.negated = !g.negated;
            Node::Group(g)
        }
        other => Node::Group(Group {
            combinator: Combinator::And,
            negated: true,
            children: vec![other],
        }),
    }
}
