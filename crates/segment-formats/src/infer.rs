//! Reading and writing definitions without data: the schema is inferred from the document.
//!
//! Every translator resolves names against a [`Schema`]. With no data file there is none, so
//! one is inferred: the base entity comes from the format (PQL's `person`, ODP's `customer`,
//! OData's `record`, the document's own for canonical JSON and Census) or the caller; each
//! attribute is taken as written, typed by what the document does with it (its literals:
//! text, numbers, booleans, dates, lists; its operators); each collection a lambda or a
//! relationship names becomes a relationship to an entity of its own.
//!
//! For the formats read by a parser (PQL text, pql/json, OData, ODP) the parser itself is the
//! judge: it is run, every name it looks up and does not find is noted (`resolve::recording`),
//! and the first such name is added with the first type under which the parser reads past it
//! (it then reads on, or meets the next unknown name), else the one it reads furthest with. The loop ends when the document reads, or
//! when an error is not about a missing name (that error is the answer, as with data). Work is
//! bounded: at most [`MAX_NAMES`] names and a parse budget proportional to the input's size.
//!
//! With a schema (a data file), none of this applies: names are checked and typed by it.

use segment_model::schema::{Cardinality, Column, DataType, Entity, Relationship, Schema, Storage};
use segment_model::tree::{Constraint, Group, Node};
use segment_model::Operator;
use segment_model::Segment;
use serde_json::Value;

use crate::error::{Position, Result};
use crate::resolve::{self, Missing};
use crate::Format;

/// The base entity of PQL without data: XDM's individual profile (PQL's `person`).
pub const PQL_ENTITY: &str = "person";
/// The base entity of ODP without data.
pub const ODP_ENTITY: &str = "customer";
/// The base entity of an OData filter (and of a tree that names none) without data.
pub const ODATA_ENTITY: &str = "record";
/// The time column of a relationship inferred without data (XDM's and most event streams').
pub const TIME_COLUMN: &str = "timestamp";
/// The most names one document may introduce without data.
pub const MAX_NAMES: usize = 256;

/// The base entity a format's documents select when nothing else says.
pub fn default_entity(format: Format) -> &'static str {
    match format {
        Format::PqlText | Format::PqlJson => PQL_ENTITY,
        Format::Odp => ODP_ENTITY,
        Format::Odata | Format::Canonical | Format::Census | Format::English => ODATA_ENTITY,
    }
}

/// Reads `text` in `format` with no data: the tree (with its base entity set) and the schema
/// inferred for it, which the renderers then use. `entity` names the base entity.
pub fn parse_without_data(
    format: Format,
    text: &str,
    entity: Option<&str>,
) -> Result<(Segment, Schema)> {
    match format {
        Format::Canonical => {
            let segment = crate::parse_as(format, text, &Schema::default(), entity)?;
            let schema = schema_for(&segment, entity, Schema::default());
            Ok((with_entity(segment, &schema), schema))
        }
        Format::Census => {
            let base = entity.unwrap_or(ODATA_ENTITY);
            let seed = census_relationships(text, base);
            let segment = crate::parse_as(format, text, &seed, Some(base))?;
            let schema = schema_for(&segment, Some(base), seed);
            Ok((with_entity(segment, &schema), schema))
        }
        Format::English => crate::parse_as(format, text, &Schema::default(), entity)
            .map(|s| (s, Schema::default())),
        Format::PqlText | Format::PqlJson | Format::Odata | Format::Odp => {
            let base = entity.unwrap_or(default_entity(format));
            let mut schema = Schema {
                entities: vec![empty_entity(base)],
                relationships: Vec::new(),
            };
            if format == Format::Odp {
                // ODP's event conditions name no relationship: the customer's event stream.
                add_relationship(&mut schema, base, "events", "ts");
            }
            let (segment, schema) = Inference::new(format, text, base).run(schema)?;
            Ok((with_entity(segment, &schema), schema))
        }
    }
}

/// A schema under which `segment` is typed by its own conditions: each attribute gets the first
/// type (text, number, true/false, date/time, list) its operator applies to and its value reads
/// as; each relationship an entity of its own with a [`TIME_COLUMN`]. `seed` is extended
/// (entities and relationships already there are kept).
pub fn schema_for(segment: &Segment, entity: Option<&str>, seed: Schema) -> Schema {
    let base = entity
        .or(segment.entity.as_deref())
        .unwrap_or(ODATA_ENTITY)
        .to_string();
    let mut schema = seed;
    if schema.entity(&base).is_none() {
        schema.entities.insert(0, empty_entity(&base));
    }
    type_group(&mut schema, &base, &segment.root);
    schema
}

fn with_entity(mut segment: Segment, schema: &Schema) -> Segment {
    if segment.entity.is_none() {
        segment.entity = schema.entities.first().map(|e| e.name.clone());
    }
    segment
}

fn empty_entity(name: &str) -> Entity {
    Entity {
        name: name.to_string(),
        key: "id".to_string(),
        columns: Vec::new(),
    }
}

fn column(name: &str, data_type: DataType) -> Column {
    let storage = match data_type {
        DataType::Text => Storage::Text,
        DataType::Number => Storage::Real,
        DataType::Boolean => Storage::Boolean,
        DataType::Datetime => Storage::IsoDateTime,
        DataType::Array => Storage::JsonArray,
    };
    Column {
        name: name.to_string(),
        data_type,
        storage,
        declared_type: format!("inferred {}", data_type.label()),
        nullable: true,
    }
}

/// Adds the one-to-many relationship `name` from `from` to a new entity (named after it, made
/// unique) with the time column `time`; returns the entity's name.
fn add_relationship(schema: &mut Schema, from: &str, name: &str, time: &str) -> String {
    let mut to = name.to_string();
    let mut n = 2;
    while schema.entity(&to).is_some() {
        to = format!("{name}_{n}");
        n += 1;
    }
    add_relationship_with_id(schema, from, name, &to, time, None);
    to
}

fn add_relationship_with_id(
    schema: &mut Schema,
    from: &str,
    name: &str,
    to: &str,
    time: &str,
    id: Option<i64>,
) {
    let to_column = format!("{from}_id");
    let id = id.unwrap_or_else(|| Relationship::stable_id(from, "id", to, &to_column));
    let mut related = empty_entity(to);
    related.columns.push(column(time, DataType::Datetime));
    schema.entities.push(related);
    schema.relationships.push(Relationship {
        id,
        name: name.to_string(),
        from_entity: from.to_string(),
        from_column: "id".to_string(),
        to_entity: to.to_string(),
        to_column,
        cardinality: Cardinality::OneToMany,
        time_column: Some(time.to_string()),
    });
}

/// Census relationship molecules name relationships by id only: one relationship per id found.
fn census_relationships(text: &str, base: &str) -> Schema {
    let mut schema = Schema {
        entities: vec![empty_entity(base)],
        relationships: Vec::new(),
    };
    let mut ids = Vec::new();
    if let Ok(value) = serde_json::from_str::<Value>(crate::strip_bom(text)) {
        collect_ids(&value, &mut ids, 0);
    }
    for id in ids {
        let name = format!("related_{id}");
        add_relationship_with_id(&mut schema, base, &name, &name, TIME_COLUMN, Some(id));
    }
    schema
}

fn collect_ids(value: &Value, ids: &mut Vec<i64>, depth: usize) {
    if depth > crate::SYNTAX_DEPTH || ids.len() >= MAX_NAMES {
        return;
    }
    match value {
        Value::Object(map) => {
            if let Some(id) = map.get("relationship_id").and_then(Value::as_i64) {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            for v in map.values() {
                collect_ids(v, ids, depth + 1);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_ids(v, ids, depth + 1)),
        _ => {}
    }
}

// ----- typing a tree -----

const TYPES: [DataType; 5] = [
    DataType::Text,
    DataType::Number,
    DataType::Boolean,
    DataType::Datetime,
    DataType::Array,
];

fn type_group(schema: &mut Schema, entity: &str, group: &Group) {
    for child in &group.children {
        match child {
            Node::Group(g) => type_group(schema, entity, g),
            Node::Condition(c) if segment_model::compare::names_attribute(&c.value) => {
                type_comparison(schema, entity, c)
            }
            Node::Condition(c) => {
                let fits = |ty: DataType| {
                    c.operator.applies_to(ty)
                        && crate::value::read(c.operator, ty, &c.value).is_ok()
                };
                // `< "5"` (Census writes numbers as text) is a number before it is text order.
                let ordering = matches!(
                    c.operator,
                    Operator::LessThan
                        | Operator::LessThanOrEqual
                        | Operator::GreaterThan
                        | Operator::GreaterThanOrEqual
                );
                let ty = if ordering && fits(DataType::Number) {
                    DataType::Number
                } else {
                    TYPES
                        .into_iter()
                        .find(|t| fits(*t))
                        .unwrap_or(DataType::Text)
                };
                add_column(schema, entity, &c.attribute, ty);
            }
            Node::Relationship(r) => {
                let related = match schema.relationship(entity, &r.relationship) {
                    Some(rel) => rel.to_entity.clone(),
                    None => add_relationship(schema, entity, &r.relationship, TIME_COLUMN),
                };
                if let Some(Constraint::Aggregate { attribute, .. }) = &r.constraint {
                    add_column(schema, &related, attribute, DataType::Number);
                }
                type_group(schema, &related, &r.filter);
            }
            Node::Sql(_) | Node::InSegment(_) => {}
        }
    }
}

/// Both attributes of a comparison of two attributes, typed alike: the first type the
/// operator compares (text for is, number for =, date/time for before…).
fn type_comparison(schema: &mut Schema, entity: &str, c: &segment_model::Condition) {
    let ty = TYPES
        .into_iter()
        .find(|t| segment_model::compare::compare_op(c.operator, *t).is_some())
        .unwrap_or(DataType::Text);
    add_column(schema, entity, &c.attribute, ty);
    if let Some(Ok(other)) = segment_model::compare::attribute_value(&c.value) {
        add_column(schema, entity, &other.attribute, ty);
    }
}

fn add_column(schema: &mut Schema, entity: &str, name: &str, ty: DataType) {
    if let Some(e) = schema.entities.iter_mut().find(|e| e.name == entity) {
        if e.column(name).is_none() {
            e.columns.push(column(name, ty));
        }
    }
}

// ----- inferring by reading -----

/// What a name that was not found becomes.
#[derive(Debug, Clone, Copy)]
enum Candidate {
    Column(DataType),
    Relationship,
}

/// How far a read got: it read (3), it met another unknown name (2), it failed (1); then how
/// far into the text.
type Score = (u8, usize, usize);

struct Inference<'t> {
    format: Format,
    text: &'t str,
    base: &'t str,
    parses_left: usize,
}

impl<'t> Inference<'t> {
    fn new(format: Format, text: &'t str, base: &'t str) -> Self {
        // About 16 MiB of text read in all, and always enough for a small document.
        let parses_left = (16 << 20) / text.len().max(1);
        Inference {
            format,
            text,
            base,
            parses_left: parses_left.clamp(8, 4 * MAX_NAMES),
        }
    }

    fn attempt(&mut self, schema: &Schema) -> (Result<Segment>, Vec<Missing>) {
        self.parses_left = self.parses_left.saturating_sub(1);
        resolve::recording(|| crate::parse_as(self.format, self.text, schema, Some(self.base)))
    }

    fn run(mut self, mut schema: Schema) -> Result<(Segment, Schema)> {
        for _ in 0..MAX_NAMES {
            let (result, missing) = self.attempt(&schema);
            let error = match result {
                Ok(segment) => return Ok((segment, schema)),
                Err(e) => e,
            };
            let Some(first) = missing.iter().find(|m| !known(&schema, m)).cloned() else {
                return Err(error);
            };
            let as_relationship = missing.iter().any(|m| same(m, &first) && m.relationship);
            let as_column = missing.iter().any(|m| same(m, &first) && !m.relationship);
            let mut candidates: Vec<Candidate> = Vec::new();
            if as_column {
                candidates.extend(TYPES.into_iter().map(Candidate::Column));
            }
            if as_relationship {
                candidates.push(Candidate::Relationship);
            }
            let mut best: Option<(Score, Schema)> = None;
            for candidate in candidates {
                if self.parses_left == 0 {
                    return Err(error);
                }
                let trial = self.with(&schema, &first, candidate);
                let (result, missing) = self.attempt(&trial);
                let score = self.score(&result, &missing, &first, &trial);
                // Read past this name (to the end, or to the next unknown one): this type is
                // the one; a later candidate could do no better.
                let done = score.0 >= 2;
                if best.as_ref().is_none_or(|(b, _)| score > *b) {
                    best = Some((score, trial));
                }
                if done {
                    break;
                }
            }
            match best {
                Some((_, trial)) => schema = trial,
                None => return Err(error),
            }
        }
        let (result, _) = self.attempt(&schema);
        result.map(|segment| (segment, schema))
    }

    fn with(&self, schema: &Schema, missing: &Missing, candidate: Candidate) -> Schema {
        let mut out = schema.clone();
        match candidate {
            Candidate::Column(ty) => add_column(&mut out, &missing.entity, &missing.name, ty),
            Candidate::Relationship => {
                add_relationship(&mut out, &missing.entity, &missing.name, TIME_COLUMN);
            }
        }
        out
    }

    fn score(
        &self,
        result: &Result<Segment>,
        missing: &[Missing],
        current: &Missing,
        schema: &Schema,
    ) -> Score {
        let error = match result {
            Ok(_) => return (3, usize::MAX, usize::MAX),
            Err(e) => e,
        };
        let (line, column) = match error.position() {
            Some(Position::Text { line, column }) => (*line, *column),
            _ => (0, 0),
        };
        let other = missing
            .iter()
            .any(|m| !same(m, current) && !known(schema, m));
        (if other { 2 } else { 1 }, line, column)
    }
}

fn same(a: &Missing, b: &Missing) -> bool {
    a.entity == b.entity && a.name == b.name
}

fn known(schema: &Schema, m: &Missing) -> bool {
    let column = schema
        .entity(&m.entity)
        .is_some_and(|e| e.column(&m.name).is_some());
    column || schema.relationship(&m.entity, &m.name).is_some()
}
