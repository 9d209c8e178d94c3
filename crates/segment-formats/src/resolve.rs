//! Name resolution shared by the translators: the base entity, attributes and relationships.

use segment_model::schema::{Cardinality, Column, DataType, Entity, Relationship, Schema};
use segment_model::Segment;

use crate::error::{clip, Error, Result};
use crate::Format;

/// The base entity of `segment` (explicit, the segment's own, or the schema's only root).
pub(crate) fn base_entity<'s>(
    format: Format,
    segment: &Segment,
    schema: &'s Schema,
    entity: Option<&str>,
) -> Result<&'s Entity> {
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
    segment_model::validate::base_entity(&placeholder, schema, entity).map_err(|p| p.message)
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
