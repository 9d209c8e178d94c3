//! Optimizely Data Platform real-time segment definitions (seed 003), rendered from and parsed
//! into the tree, and ODP's segment-id rule.
//!
//! ```json
//! {"root_condition": CONDITION}
//! ```
//! | tree | ODP |
//! | --- | --- |
//! | a group of profile conditions only | `{"customer_condition": {"customer_filter": FILTER}}` |
//! | a group with relationship conditions | `{"and_condition": {"conditions": [...]}}` / `{"or_condition": …}` |
//! | a negated group | `{"not_condition": {"condition": …}}` (`{"not_filter": {"filter": …}}` inside a filter) |
//! | profile condition | `{"comparison": {"lhs": {"path_reference": {"value": "customer.<attribute>"}}, "comparator": …, "rhs": LITERAL}}` |
//! | is true | a bare `{"path_reference": {"value": "customer.<attribute>"}}` (as the seed's entry event filter) |
//! | AND / OR of filters | `{"and_filter": {"filters": [...]}}` / `{"or_filter": …}` |
//! | relationship (the event stream), at least N | `{"sequence_condition": {"sequence": {"entry_event_filter": FILTER, "max_age_seconds": S}, "min_count": N}}` |
//!
//! Comparators: `EQUAL`, `NOT_EQUAL` (text and numbers), `LESS_THAN`, `LESS_THAN_OR_EQUAL`,
//! `GREATER_THAN`, `GREATER_THAN_OR_EQUAL` (numbers); literals `number_literal` (the number as a
//! string, as in the seed: `{"value": "25"}`), `string_literal`, `boolean_literal` (is false:
//! `EQUAL false`). Event conditions use `event.<attribute>`. The seed shows `root_condition`,
//! `customer_condition`, `comparison` and `sequence_condition`; the combination, `not` and
//! `*_filter` spellings here are this crate's where the seed is silent.
//!
//! The event stream is the base entity's one one-to-many relationship (or the one named
//! `events`); `max_age_seconds` is a window "in the last N minutes/hours/days/weeks" (read back
//! in days, hours or minutes), `min_count` an "at least N" constraint (1 when absent).
//!
//! Not expressible (reported by name and node path): every operator but is / is not / = ≠ < ≤ >
//! ≥ / is true / is false (no case-insensitive matching); raw SQL; a segment with no conditions,
//! negated or not (everyone, no one); relationships other than the event stream, or nested in an
//! event filter; a negated empty event filter; counts other than "at least"; aggregates; windows
//! other than "in the last" in fixed units (not months or years); the first / last time, the
//! first / most recent record and distinct periods of related records.
//!
//! NULL: this crate assumes ODP compares a missing value as SQL does (no match, `NOT_EQUAL`
//! included), so the model's rule holds.

use segment_model::schema::{DataType, Entity, Relationship, Schema};
use segment_model::tree::{
    constraint_name, Combinator, Condition, Constraint, CountOperator, Group, Node,
    RelationshipCondition, Segment, TimeUnit, TimeWindow,
};
use segment_model::Operator;
use serde_json::{json, Map, Value};

use crate::error::{clip, Error, Position, Result};
use crate::resolve;
use crate::value::{self, Num, Operand};
use crate::walk::{self, Spelling};
use crate::{Format, SYNTAX_DEPTH};

const FORMAT: Format = Format::Odp;

/// Whether `id` is a valid ODP segment id: `[a-z][a-z0-9_]*`, case-insensitive.
pub fn valid_segment_id(id: &str) -> bool {
    check_segment_id(id).is_ok()
}

/// Checks an ODP segment id, saying what is wrong.
pub fn check_segment_id(id: &str) -> std::result::Result<(), String> {
    let mut chars = id.chars();
    match chars.next() {
        None => Err("A segment id cannot be empty.".to_string()),
        Some(c) if !c.is_ascii_alphabetic() => {
            Err(format!("A segment id starts with a letter (not “{c}”)."))
        }
        Some(_) => match chars.find(|c| !(c.is_ascii_alphanumeric() || *c == '_')) {
            Some(bad) => Err(format!(
                "A segment id has only letters, digits and _ (not “{bad}”)."
            )),
            None => Ok(()),
        },
    }
}

fn unsupported(construct: impl Into<String>, path: &str, hint: impl Into<String>) -> Error {
    Error::unsupported(FORMAT, construct, path, hint)
}

/// The event stream: the base entity's only one-to-many relationship, or the one named `events`.
fn event_relationship<'s>(schema: &'s Schema, entity: &'s Entity) -> Option<&'s Relationship> {
    let many: Vec<&Relationship> = schema
        .relationships_from(&entity.name)
        .filter(|r| resolve::is_to_many(r))
        .collect();
    match many.as_slice() {
        [only] => Some(only),
        _ => many.into_iter().find(|r| r.name == "events"),
    }
}

// =============================================================================================
// Rendering
// =============================================================================================

/// Renders `segment` as an ODP definition (`{"root_condition": …}`), pretty-printed.
pub fn render(segment: &Segment, schema: &Schema, entity: Option<&str>) -> Result<String> {
    let mut text =
        serde_json::to_string_pretty(&to_value(segment, schema, entity)?).unwrap_or_default();
    text.push('\n');
    Ok(text)
}

/// The ODP definition of `segment`.
pub fn to_value(segment: &Segment, schema: &Schema, entity: Option<&str>) -> Result<Value> {
    let base = resolve::base_entity(FORMAT, segment, schema, entity)?;
    if segment.root.children.is_empty() {
        return Err(unsupported(
            if segment.root.negated {
                "a segment that matches no one"
            } else {
                "a segment with no conditions (everyone)"
            },
            "/root",
            "ODP definitions need a condition",
        ));
    }
    let r = Render { schema };
    Ok(
        json!({"root_condition": r.condition(&Node::Group(segment.root.clone()), base, "/root", 0)?}),
    )
}

struct Render<'s> {
    schema: &'s Schema,
}

fn has_relationship(node: &Node) -> bool {
    match node {
        Node::Relationship(_) => true,
        Node::Group(g) => g.children.iter().any(has_relationship),
        Node::Condition(_) | Node::Sql(_) | Node::InSegment(_) => false,
    }
}

impl<'s> Render<'s> {
    /// A node as an ODP condition.
    fn condition(
        &self,
        node: &Node,
        entity: &'s Entity,
        path: &str,
        depth: usize,
    ) -> Result<Value> {
        walk::node(&Conditions { render: self }, node, entity, &(), path, depth)
    }

    /// A node without relationships as an ODP filter over `root` (`customer` or `event`).
    fn filter(
        &self,
        node: &Node,
        entity: &'s Entity,
        root: &str,
        path: &str,
        depth: usize,
    ) -> Result<Value> {
        let filter = Filter { render: self, root };
        walk::node(&filter, node, entity, &(), path, depth)
    }

    fn comparison(
        &self,
        c: &Condition,
        entity: &'s Entity,
        root: &str,
        path: &str,
    ) -> Result<Value> {
        use Operator as O;
        let operand = resolve::condition(FORMAT, entity, c, path)?;
        if let Operand::Attribute(_) = operand {
            return Err(unsupported(
                "a comparison of two attributes",
                &format!("{path}/value"),
                "ODP compares an attribute with a literal",
            ));
        }
        if value::uses_case(c.operator) && c.case_sensitive == Some(false) {
            return Err(unsupported(
                "case-insensitive matching",
                &format!("{path}/case_sensitive"),
                "ODP compares text exactly",
            ));
        }
        let reference = json!({"path_reference": {"value": format!("{root}.{}", c.attribute)}});
        let compare = |comparator: &str, rhs: Value| json!({"comparison": {"lhs": reference.clone(), "comparator": comparator, "rhs": rhs}});
        let number = |n: Num| json!({"number_literal": {"value": n.to_string()}});
        let label = c.operator.label();
        let bad = || {
            Error::invalid(
                FORMAT,
                &format!("{path}/value"),
                format!("unexpected value for “{label}”"),
            )
        };
        Ok(match (c.operator, operand) {
            (O::Is, Operand::Text(s)) => compare("EQUAL", json!({"string_literal": {"value": s}})),
            (O::IsNot, Operand::Text(s)) => compare("NOT_EQUAL", json!({"string_literal": {"value": s}})),
            (O::Equals, Operand::Number(n)) => compare("EQUAL", number(n)),
            (O::NotEquals, Operand::Number(n)) => compare("NOT_EQUAL", number(n)),
            (O::LessThan, Operand::Number(n)) => compare("LESS_THAN", number(n)),
            (O::LessThanOrEqual, Operand::Number(n)) => compare("LESS_THAN_OR_EQUAL", number(n)),
            (O::GreaterThan, Operand::Number(n)) => compare("GREATER_THAN", number(n)),
            (O::GreaterThanOrEqual, Operand::Number(n)) => compare("GREATER_THAN_OR_EQUAL", number(n)),
            (O::IsTrue, _) => reference,
            (O::IsFalse, _) => compare("EQUAL", json!({"boolean_literal": {"value": false}})),
            (
                O::Is | O::IsNot | O::Equals | O::NotEquals | O::LessThan | O::LessThanOrEqual | O::GreaterThan
                | O::GreaterThanOrEqual,
                _,
            ) => return Err(bad()),
            (
                O::IsNull
                | O::IsNotNull
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
                | O::IsBlank
                | O::IsNotBlank
                | O::LengthEquals
                | O::LengthLessThan
                | O::LengthGreaterThan
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
                | O::IsEmpty
                | O::IsNotEmpty
                | O::SizeEquals
                | O::SizeLessThan
                | O::SizeGreaterThan
                | O::AnyItemStartsWith
                | O::AnyItemEndsWith
                | O::AnyItemContains
                | O::EveryItemIs,
                _,
            ) => {
                return Err(unsupported(
                    format!("the operator “{label}”"),
                    path,
                    "ODP comparisons are EQUAL, NOT_EQUAL, LESS_THAN, LESS_THAN_OR_EQUAL, GREATER_THAN and GREATER_THAN_OR_EQUAL",
                ))
            }
        })
    }

    fn sequence(
        &self,
        rel: &RelationshipCondition,
        entity: &'s Entity,
        path: &str,
        depth: usize,
    ) -> Result<Value> {
        let (r, related) =
            resolve::relationship(FORMAT, self.schema, entity, &rel.relationship, path)?;
        if event_relationship(self.schema, entity).map(|e| e.id) != Some(r.id) {
            return Err(unsupported(
                format!("a condition on {}", r.name),
                &format!("{path}/relationship"),
                "ODP sequences are over the event stream only (the one-to-many relationship, or the one named events)",
            ));
        }
        let constraint_path = format!("{path}/constraint");
        let min_count = match &rel.constraint {
            None => 1,
            Some(Constraint::Occurrences {
                operator: CountOperator::AtLeast,
                value,
                ..
            }) => match value::read(Operator::SizeEquals, DataType::Number, value) {
                Ok(Operand::Count(n)) => n,
                Ok(_) => 1,
                Err((suffix, message)) => {
                    return Err(Error::invalid(
                        FORMAT,
                        &format!("{constraint_path}/value{suffix}"),
                        message,
                    ))
                }
            },
            Some(Constraint::Occurrences { .. }) => {
                return Err(unsupported(
                    "a count other than “at least”",
                    &constraint_path,
                    "ODP sequences have a min_count",
                ))
            }
            Some(Constraint::Aggregate { .. }) => {
                return Err(unsupported(
                    "an aggregate of related records",
                    &constraint_path,
                    "ODP sequences count events",
                ))
            }
            Some(
                other @ (Constraint::FirstTime { .. }
                | Constraint::LastTime { .. }
                | Constraint::FirstRecord { .. }
                | Constraint::LastRecord { .. }
                | Constraint::DistinctPeriods { .. }),
            ) => {
                return Err(unsupported(
                    constraint_name(other),
                    &constraint_path,
                    "ODP sequences count events",
                ))
            }
            Some(other @ Constraint::Sequence { .. }) => {
                return Err(unsupported(
                    constraint_name(other),
                    &constraint_path,
                    "ODP's documented sequence_condition counts events passing one entry filter; it has no ordered steps",
                ))
            }
        };
        let mut sequence = Map::new();
        if !rel.filter.children.is_empty() {
            let filter = Node::Group(rel.filter.clone());
            sequence.insert(
                "entry_event_filter".into(),
                self.filter(
                    &filter,
                    related,
                    "event",
                    &format!("{path}/filter"),
                    depth + 1,
                )?,
            );
        } else if rel.filter.negated {
            return Err(unsupported(
                "a negated empty filter (no event can match)",
                &format!("{path}/filter"),
                "",
            ));
        }
        let window_path = format!("{path}/window");
        match &rel.window {
            None | Some(TimeWindow::AnyTime) => {}
            Some(TimeWindow::InTheLast { amount, unit }) => {
                if resolve::time_column(r, related).is_none() {
                    return Err(resolve::no_time_column(FORMAT, related, &window_path));
                }
                let per = match unit {
                    TimeUnit::Minute => 60u64,
                    TimeUnit::Hour => 3_600,
                    TimeUnit::Day => 86_400,
                    TimeUnit::Week => 604_800,
                    TimeUnit::Month | TimeUnit::Year => {
                        return Err(unsupported(
                            format!("a window in {}s", value::unit_name(*unit)),
                            &window_path,
                            "max_age_seconds is a fixed length; use days or weeks",
                        ))
                    }
                };
                sequence.insert("max_age_seconds".into(), json!(u64::from(*amount) * per));
            }
            Some(_) => {
                return Err(unsupported(
                    "a time window other than “in the last N units”",
                    &window_path,
                    "ODP sequences have a max_age_seconds",
                ))
            }
        }
        Ok(
            json!({"sequence_condition": {"sequence": Value::Object(sequence), "min_count": min_count}}),
        )
    }
}

// =============================================================================================
// Reading
// =============================================================================================

/// ODP's spelling of a whole tree: conditions, each part without relationships one customer
/// filter, each relationship a sequence.
struct Conditions<'r, 's> {
    render: &'r Render<'s>,
}

impl<'r, 's> Spelling<'s> for Conditions<'r, 's> {
    type Out = Value;
    type Ctx = ();

    fn format(&self) -> Format {
        FORMAT
    }

    fn whole(
        &self,
        node: &Node,
        entity: &'s Entity,
        _: &(),
        path: &str,
        depth: usize,
    ) -> Option<Result<Value>> {
        if has_relationship(node) {
            return None;
        }
        Some(
            self.render
                .filter(node, entity, "customer", path, depth)
                .map(|filter| json!({"customer_condition": {"customer_filter": filter}})),
        )
    }

    fn leaf(&self, c: &Condition, entity: &'s Entity, _: &(), path: &str) -> Result<Value> {
        // As taken whole above (a condition has no relationships).
        let filter = self.render.comparison(c, entity, "customer", path)?;
        Ok(json!({"customer_condition": {"customer_filter": filter}}))
    }

    fn related(
        &self,
        rel: &RelationshipCondition,
        entity: &'s Entity,
        _: &(),
        path: &str,
        depth: usize,
    ) -> Result<Value> {
        self.render.sequence(rel, entity, path, depth)
    }

    fn sql_hint(&self) -> &'static str {
        "ODP definitions have no SQL"
    }

    fn join(&self, g: &Group, mut conditions: Vec<Value>, _: &()) -> Result<Value> {
        let combined = match (conditions.len(), g.combinator) {
            (1, _) => conditions.pop().unwrap_or(Value::Null),
            (_, Combinator::And) => json!({"and_condition": {"conditions": conditions}}),
            (_, Combinator::Or) => json!({"or_condition": {"conditions": conditions}}),
        };
        Ok(if g.negated {
            json!({"not_condition": {"condition": combined}})
        } else {
            combined
        })
    }

    fn depth_at_every_node(&self) -> bool {
        true
    }
}

/// ODP's spelling of a tree without relationships: a filter over `root` (`customer` or `event`).
struct Filter<'r, 's> {
    render: &'r Render<'s>,
    root: &'r str,
}

impl<'r, 's> Spelling<'s> for Filter<'r, 's> {
    type Out = Value;
    type Ctx = ();

    fn format(&self) -> Format {
        FORMAT
    }

    fn leaf(&self, c: &Condition, entity: &'s Entity, _: &(), path: &str) -> Result<Value> {
        self.render.comparison(c, entity, self.root, path)
    }

    fn related(
        &self,
        _rel: &RelationshipCondition,
        _entity: &'s Entity,
        _: &(),
        path: &str,
        _depth: usize,
    ) -> Result<Value> {
        Err(unsupported(
            "a relationship condition inside an event filter",
            path,
            "ODP sequences filter events by their own fields only",
        ))
    }

    fn sql_hint(&self) -> &'static str {
        "ODP definitions have no SQL"
    }

    fn join(&self, g: &Group, mut filters: Vec<Value>, _: &()) -> Result<Value> {
        let combined = match (filters.len(), g.combinator) {
            (1, _) => filters.pop().unwrap_or(Value::Null),
            (_, Combinator::And) => json!({"and_filter": {"filters": filters}}),
            (_, Combinator::Or) => json!({"or_filter": {"filters": filters}}),
        };
        Ok(if g.negated {
            json!({"not_filter": {"filter": combined}})
        } else {
            combined
        })
    }

    fn depth_at_every_node(&self) -> bool {
        true
    }
}

/// Parses an ODP definition (`{"root_condition": …}`, or a request body with `"definition"`)
/// into a (normalized) tree.
pub fn parse(text: &str, schema: &Schema, entity: Option<&str>) -> Result<Segment> {
    let text = crate::strip_bom(text);
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let message = e.to_string();
        let message = message
            .rfind(" at line ")
            .map(|i| message[..i].to_string())
            .unwrap_or(message);
        Error::syntax(
            FORMAT,
            Position::Text {
                line: e.line(),
                column: e.column(),
            },
            message,
            "",
        )
    })?;
    from_value(&value, schema, entity)
}

pub fn from_value(value: &Value, schema: &Schema, entity: Option<&str>) -> Result<Segment> {
    let (definition, base_pointer) = match value.get("definition") {
        Some(d) if value.get("root_condition").is_none() => (d, "/definition"),
        _ => (value, ""),
    };
    let Some(root) = definition.get("root_condition") else {
        return Err(err(
            base_pointer,
            "missing \"root_condition\"",
            "an ODP definition is {\"root_condition\": …}",
        ));
    };
    let base = resolve::parse_entity(schema, entity)
        .map_err(|m| err("", m, "pass the entity the segment selects"))?;
    let reader = Read { schema };
    let node = reader.condition(root, &format!("{base_pointer}/root_condition"), base, 0)?;
    let root = match node {
        Node::Group(g) => g,
        other => Group::and(vec![other]),
    };
    let segment = Segment::new(Some(base.name.clone()), root);
    Ok(crate::normalize(&segment, schema, Some(&base.name)))
}

fn err(pointer: &str, message: impl Into<String>, hint: impl Into<String>) -> Error {
    Error::syntax(FORMAT, Position::json(pointer), message, hint)
}

fn cannot(pointer: &str, construct: impl Into<String>, hint: impl Into<String>) -> Error {
    Error::unrepresentable(FORMAT, construct, Position::json(pointer), hint)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The one key of a tagged object (`{"comparison": {…}}`) and its value.
fn tagged<'v>(value: &'v Value, pointer: &str, what: &str) -> Result<(&'v str, &'v Value)> {
    let Value::Object(map) = value else {
        return Err(err(
            pointer,
            format!("expected {what} (an object), found {}", kind(value)),
            "",
        ));
    };
    let mut keys = map.iter();
    match (keys.next(), keys.next()) {
        (Some((k, v)), None) => Ok((k.as_str(), v)),
        (None, _) => Err(err(
            pointer,
            format!("expected {what}, found an empty object"),
            "",
        )),
        (Some(_), Some((k, _))) => Err(err(
            &format!("{pointer}/{k}", k = clip(k)),
            format!("{what} has one key; found another, \"{k}\"", k = clip(k)),
            "",
        )),
    }
}

fn field<'v>(value: &'v Value, key: &str, pointer: &str) -> Result<&'v Value> {
    match value {
        Value::Object(map) => map
            .get(key)
            .ok_or_else(|| err(pointer, format!("missing \"{key}\""), "")),
        other => Err(err(
            pointer,
            format!("expected an object, found {}", kind(other)),
            "",
        )),
    }
}

fn check_keys(value: &Value, pointer: &str, allowed: &[&str]) -> Result<()> {
    if let Value::Object(map) = value {
        if let Some(k) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(err(
                &format!("{pointer}/{k}", k = clip(k)),
                format!("unknown key \"{k}\"", k = clip(k)),
                format!("expected {}", allowed.join(", ")),
            ));
        }
    }
    Ok(())
}

fn list<'v>(value: &'v Value, pointer: &str) -> Result<&'v [Value]> {
    match value {
        Value::Array(items) if !items.is_empty() => Ok(items),
        Value::Array(_) => Err(err(pointer, "an empty list", "list at least one")),
        other => Err(err(
            pointer,
            format!("expected a list, found {}", kind(other)),
            "",
        )),
    }
}

struct Read<'s> {
    schema: &'s Schema,
}

impl<'s> Read<'s> {
    fn condition(
        &self,
        value: &Value,
        pointer: &str,
        entity: &'s Entity,
        depth: usize,
    ) -> Result<Node> {
        if depth > SYNTAX_DEPTH {
            return Err(err(
                pointer,
                format!("nested more than {SYNTAX_DEPTH} levels deep"),
                "flatten the definition",
            ));
        }
        let (tag, body) = tagged(value, pointer, "a condition")?;
        let here = format!("{pointer}/{tag}");
        match tag {
            "customer_condition" => {
                check_keys(body, &here, &["customer_filter"])?;
                let filter = field(body, "customer_filter", &here)?;
                self.filter(filter, &format!("{here}/customer_filter"), entity, "customer", depth + 1)
            }
            "and_condition" | "or_condition" => {
                check_keys(body, &here, &["conditions"])?;
                let items = list(field(body, "conditions", &here)?, &format!("{here}/conditions"))?;
                let mut children = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    children.push(self.condition(item, &format!("{here}/conditions/{i}"), entity, depth + 1)?);
                }
                let combinator = if tag == "and_condition" { Combinator::And } else { Combinator::Or };
                Ok(Node::Group(Group { combinator, negated: false, children }))
            }
            "not_condition" => {
                check_keys(body, &here, &["condition"])?;
                let inner = self.condition(field(body, "condition", &here)?, &format!("{here}/condition"), entity, depth + 1)?;
                Ok(resolve::negate(inner))
            }
            "sequence_condition" => self.sequence(body, &here, entity, depth),
            other => Err(cannot(&here, format!("the condition \"{other}\"", other = clip(other)), "read: customer_condition, sequence_condition, and_condition, or_condition, not_condition")),
        }
    }

    fn sequence(
        &self,
        body: &Value,
        pointer: &str,
        entity: &'s Entity,
        depth: usize,
    ) -> Result<Node> {
        check_keys(body, pointer, &["sequence", "min_count"])?;
        let Some(r) = event_relationship(self.schema, entity) else {
            return Err(cannot(
                pointer,
                "a sequence of events",
                format!("{} has no event relationship", entity.name),
            ));
        };
        let Some(related) = self.schema.entity(&r.to_entity) else {
            return Err(cannot(
                pointer,
                "a sequence of events",
                "the event entity is missing from the schema",
            ));
        };
        let min_count = match body.get("min_count") {
            None => 1,
            Some(Value::Number(n)) if n.as_u64().is_some() => n.as_u64().unwrap_or(1),
            Some(other) => {
                return Err(err(
                    &format!("{pointer}/min_count"),
                    format!("expected a whole number, found {}", kind(other)),
                    "",
                ))
            }
        };
        let sequence_pointer = format!("{pointer}/sequence");
        let sequence = field(body, "sequence", pointer)?;
        check_keys(
            sequence,
            &sequence_pointer,
            &["entry_event_filter", "max_age_seconds"],
        )?;
        let filter = match sequence.get("entry_event_filter") {
            None => Group::and(Vec::new()),
            Some(f) => match self.filter(
                f,
                &format!("{sequence_pointer}/entry_event_filter"),
                related,
                "event",
                depth + 1,
            )? {
                Node::Group(g) => g,
                other => Group::and(vec![other]),
            },
        };
        let window = match sequence.get("max_age_seconds") {
            None => None,
            Some(Value::Number(n)) if n.as_u64().is_some() => {
                let seconds = n.as_u64().unwrap_or_default();
                let p = format!("{sequence_pointer}/max_age_seconds");
                let (amount, unit) = if seconds % 86_400 == 0 {
                    (seconds / 86_400, TimeUnit::Day)
                } else if seconds % 3_600 == 0 {
                    (seconds / 3_600, TimeUnit::Hour)
                } else if seconds % 60 == 0 {
                    (seconds / 60, TimeUnit::Minute)
                } else {
                    return Err(cannot(
                        &p,
                        format!("a window of {seconds} seconds"),
                        "windows are whole minutes, hours or days",
                    ));
                };
                let amount =
                    u32::try_from(amount).map_err(|_| cannot(&p, "a window this long", ""))?;
                if resolve::time_column(r, related).is_none() {
                    return Err(cannot(
                        &p,
                        "a time window",
                        format!("{} has no date/time column", related.name),
                    ));
                }
                Some(TimeWindow::InTheLast { amount, unit })
            }
            Some(other) => {
                return Err(err(
                    &format!("{sequence_pointer}/max_age_seconds"),
                    format!("expected a whole number of seconds, found {}", kind(other)),
                    "",
                ))
            }
        };
        let constraint = Some(Constraint::Occurrences {
            operator: CountOperator::AtLeast,
            value: Value::from(min_count),
            census_operator: None,
        });
        Ok(resolve::read_related(
            r,
            constraint,
            window,
            Some(Node::Group(filter)),
        ))
    }

    fn filter(
        &self,
        value: &Value,
        pointer: &str,
        entity: &'s Entity,
        root: &str,
        depth: usize,
    ) -> Result<Node> {
        if depth > SYNTAX_DEPTH {
            return Err(err(
                pointer,
                format!("nested more than {SYNTAX_DEPTH} levels deep"),
                "flatten the definition",
            ));
        }
        let (tag, body) = tagged(value, pointer, "a filter")?;
        let here = format!("{pointer}/{tag}");
        match tag {
            "comparison" => self.comparison(body, &here, entity, root),
            "path_reference" => {
                let column = self.path(body, &here, entity, root)?;
                if column.data_type != DataType::Boolean {
                    return Err(cannot(
                        &here,
                        format!("{} ({}) on its own", column.name, column.data_type.label()),
                        "compare it with a value",
                    ));
                }
                Ok(Node::Condition(Condition::new(
                    &column.name,
                    Operator::IsTrue,
                    Value::Null,
                )))
            }
            "and_filter" | "or_filter" => {
                check_keys(body, &here, &["filters"])?;
                let items = list(field(body, "filters", &here)?, &format!("{here}/filters"))?;
                let mut children = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    children.push(self.filter(
                        item,
                        &format!("{here}/filters/{i}"),
                        entity,
                        root,
                        depth + 1,
                    )?);
                }
                let combinator = if tag == "and_filter" {
                    Combinator::And
                } else {
                    Combinator::Or
                };
                Ok(Node::Group(Group {
                    combinator,
                    negated: false,
                    children,
                }))
            }
            "not_filter" => {
                check_keys(body, &here, &["filter"])?;
                Ok(resolve::negate(self.filter(
                    field(body, "filter", &here)?,
                    &format!("{here}/filter"),
                    entity,
                    root,
                    depth + 1,
                )?))
            }
            other => Err(cannot(
                &here,
                format!("the filter \"{other}\""),
                "read: comparison, path_reference, and_filter, or_filter, not_filter",
            )),
        }
    }

    /// `{"value": "customer.<attribute>"}`: the column.
    fn path(
        &self,
        body: &Value,
        pointer: &str,
        entity: &'s Entity,
        root: &str,
    ) -> Result<&'s segment_model::schema::Column> {
        check_keys(body, pointer, &["value"])?;
        let p = format!("{pointer}/value");
        let Some(text) = field(body, "value", pointer)?.as_str() else {
            return Err(err(
                &p,
                "expected the path as a string",
                "e.g. customer.country",
            ));
        };
        let prefix = format!("{root}.");
        let Some(name) = text.strip_prefix(&prefix) else {
            return Err(cannot(
                &p,
                format!("the path {text} here", text = clip(text)),
                format!("conditions here are on {root}.<field>"),
            ));
        };
        resolve::read_column(FORMAT, entity, name, name, Position::json(p))
    }

    fn comparison(
        &self,
        body: &Value,
        pointer: &str,
        entity: &'s Entity,
        root: &str,
    ) -> Result<Node> {
        check_keys(body, pointer, &["lhs", "comparator", "rhs"])?;
        let lhs = field(body, "lhs", pointer)?;
        let (tag, reference) = tagged(lhs, &format!("{pointer}/lhs"), "a path reference")?;
        if tag != "path_reference" {
            return Err(cannot(
                &format!("{pointer}/lhs/{tag}"),
                format!("\"{tag}\" on the left"),
                "the left side is a path_reference",
            ));
        }
        let column = self.path(
            reference,
            &format!("{pointer}/lhs/path_reference"),
            entity,
            root,
        )?;
        let comparator_pointer = format!("{pointer}/comparator");
        let Some(comparator) = field(body, "comparator", pointer)?.as_str() else {
            return Err(err(
                &comparator_pointer,
                "expected the comparator as a string",
                "e.g. LESS_THAN",
            ));
        };
        let rhs_pointer = format!("{pointer}/rhs");
        let (literal, literal_body) =
            tagged(field(body, "rhs", pointer)?, &rhs_pointer, "a literal")?;
        let literal_pointer = format!("{rhs_pointer}/{literal}");
        let raw = field(literal_body, "value", &literal_pointer)?;
        let attr = column.name.as_str();
        let wrong = |what: &str| {
            cannot(
                &literal_pointer,
                format!(
                    "comparing {attr} ({}) with {what}",
                    column.data_type.label()
                ),
                "compare it with a value of its type",
            )
        };
        let operator = match (column.data_type, literal, comparator) {
            (DataType::Text, "string_literal", "EQUAL") => Operator::Is,
            (DataType::Text, "string_literal", "NOT_EQUAL") => Operator::IsNot,
            (DataType::Number, "number_literal", c) => match c {
                "EQUAL" => Operator::Equals,
                "NOT_EQUAL" => Operator::NotEquals,
                "LESS_THAN" => Operator::LessThan,
                "LESS_THAN_OR_EQUAL" => Operator::LessThanOrEqual,
                "GREATER_THAN" => Operator::GreaterThan,
                "GREATER_THAN_OR_EQUAL" => Operator::GreaterThanOrEqual,
                other => return Err(cannot(&comparator_pointer, format!("the comparator {other}"), "use EQUAL, NOT_EQUAL, LESS_THAN, LESS_THAN_OR_EQUAL, GREATER_THAN or GREATER_THAN_OR_EQUAL")),
            },
            (DataType::Boolean, "boolean_literal", "EQUAL") => match raw {
                Value::Bool(true) => Operator::IsTrue,
                Value::Bool(false) => Operator::IsFalse,
                other => return Err(err(&format!("{literal_pointer}/value"), format!("expected true or false, found {}", kind(other)), "")),
            },
            (_, "string_literal" | "number_literal" | "boolean_literal", c) if !matches!(c, "EQUAL" | "NOT_EQUAL" | "LESS_THAN" | "LESS_THAN_OR_EQUAL" | "GREATER_THAN" | "GREATER_THAN_OR_EQUAL") => {
                return Err(cannot(&comparator_pointer, format!("the comparator {c}"), "use EQUAL, NOT_EQUAL, LESS_THAN, LESS_THAN_OR_EQUAL, GREATER_THAN or GREATER_THAN_OR_EQUAL"))
            }
            (DataType::Text | DataType::Boolean, "string_literal" | "boolean_literal", c) => {
                return Err(cannot(&comparator_pointer, format!("{c} on {attr} ({})", column.data_type.label()), "text compares with EQUAL and NOT_EQUAL; booleans with EQUAL"))
            }
            (_, "string_literal" | "number_literal" | "boolean_literal", _) => return Err(wrong(literal)),
            (_, other, _) => return Err(cannot(&literal_pointer, format!("the literal \"{other}\""), "use number_literal, string_literal or boolean_literal")),
        };
        let value = match operator {
            Operator::Is | Operator::IsNot => match raw {
                Value::String(s) => Value::String(s.clone()),
                other => {
                    return Err(err(
                        &format!("{literal_pointer}/value"),
                        format!("expected text, found {}", kind(other)),
                        "",
                    ))
                }
            },
            Operator::IsTrue | Operator::IsFalse => Value::Null,
            _ => {
                let n = match raw {
                    Value::String(s) => Num::parse(s),
                    Value::Number(n) => Num::from_json(n),
                    _ => None,
                };
                match n {
                    Some(n) => n.to_json(),
                    None => {
                        return Err(err(
                            &format!("{literal_pointer}/value"),
                            format!("expected a number, found {}", value::describe(raw)),
                            "write it like \"25\"",
                        ))
                    }
                }
            }
        };
        Ok(Node::Condition(Condition::new(attr, operator, value)))
    }
}
