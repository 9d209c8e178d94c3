//! Census molecules (seed 002), read and written losslessly.
//!
//! A molecules list interleaves operands with operation strings: `[a, "AND", b, "AND", c]`.
//! An operand is an atomic molecule (object with `attribute`), a relationship molecule (object
//! with `relationship_id`) or a molecule group (a nested list). A list maps to a [`Group`]; one
//! list uses one operation (mixing AND and OR at one level is rejected: group them instead).
//!
//! Lossless: whatever carries no meaning but was in the file (`moleculeIndex`, `atomIndex`, an
//! absent `attribute_type`, the operator's spelling, values as written, e.g. numbers as strings)
//! is kept on the node in [`CensusLayout`] and written back as read. Nodes built elsewhere get the
//! seed's layout: atoms of a group in a molecules list carry `moleculeIndex` (the group's position)
//! and `atomIndex` (their position in the group), relationship molecules their position.
//!
//! Extensions beyond the seed: every builder operator has a spelling (its canonical name without
//! underscores), constraints may be aggregates (`{"type": "sum", "attribute": …}`), and a
//! relationship's time window is written as `"time_window"` in the canonical shape.

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::operator::Operator;
use crate::schema::{DataType, Entity, Schema};
use crate::tree::{
    AggregateFunction, AttributeKind, CensusLayout, Combinator, Condition, Constraint,
    CountOperator, Group, Node, RelationshipCondition, Segment, SqlCondition, TimeWindow,
};

/// Deepest nesting read; deeper input is refused instead of exhausting the stack.
pub const MAX_DEPTH: usize = 64;

/// Reads Census molecules: a bare list, `{"molecules": […]}`, or an API response
/// `{"data": {"molecules": […]}}`.
pub fn parse(text: &str, schema: &Schema, entity: Option<&str>) -> Result<Segment> {
    let value: Value = serde_json::from_str(text).map_err(|e| Error::from_json(&e))?;
    from_value(&value, schema, entity)
}

pub fn from_value(value: &Value, schema: &Schema, entity: Option<&str>) -> Result<Segment> {
    let (molecules, path) = match value {
        Value::Array(_) => (value, String::new()),
        Value::Object(map) => match (
            map.get("molecules"),
            map.get("data").and_then(|d| d.get("molecules")),
        ) {
            (Some(m), _) => (m, "/molecules".to_string()),
            (None, Some(m)) => (m, "/data/molecules".to_string()),
            (None, None) => return Err(Error::format("", "no \"molecules\" list found")),
        },
        _ => return Err(Error::format("", "Census molecules must be a list")),
    };
    let placeholder = Segment::new(entity.map(str::to_string), Group::and(Vec::new()));
    let base = crate::validate::base_entity(&placeholder, schema, entity).map_err(Error::Format)?;
    let reader = Reader { schema };
    let Value::Array(items) = molecules else {
        return Err(Error::format(path, "\"molecules\" must be a list"));
    };
    let root = reader.list(items, &path, Some(base), 0)?;
    Ok(Segment::new(Some(base.name.clone()), root))
}

/// Writes the molecules list for `segment` (its root group).
pub fn to_value(segment: &Segment, schema: &Schema, entity: Option<&str>) -> Result<Value> {
    let base = crate::validate::base_entity(segment, schema, entity).map_err(Error::Format)?;
    let writer = Writer { schema };
    if segment.root.negated {
        return Err(Error::format(
            "/root",
            "Census molecules cannot express NOT on a group",
        ));
    }
    writer.list(&segment.root, Some(base), "/root")
}

pub fn to_string_pretty(
    segment: &Segment,
    schema: &Schema,
    entity: Option<&str>,
) -> Result<String> {
    let value = to_value(segment, schema, entity)?;
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    Ok(text)
}

/// Operator spellings are compared lowercased without spaces, underscores or hyphens.
fn normalize(spelling: &str) -> String {
    spelling
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The spelling written for an operator on an attribute of type `ty`: the seed's where it has
/// one, otherwise the canonical name without underscores.
pub fn operator_spelling(op: Operator, ty: DataType) -> String {
    use Operator as O;
    let seed = match (op, ty) {
        (O::Is, DataType::Text) => Some("exactly"),
        (O::NotEquals, _) => Some("doesnotequal"),
        (O::MoreThanAgo, _) => Some("morethan"),
        (O::LessThanAgo, _) => Some("lessthan"),
        (O::ExactlyAgo, _) => Some("exactly"),
        _ => None,
    };
    seed.map(str::to_string)
        .unwrap_or_else(|| normalize(op.name()))
}

/// Reads an operator spelling for an attribute of type `ty`.
pub fn operator_from_spelling(spelling: &str, ty: DataType) -> Option<Operator> {
    use Operator as O;
    let wanted = normalize(spelling);
    let alias = match (wanted.as_str(), ty) {
        ("is" | "equals" | "equal" | "eq", DataType::Text) => Some(O::Is),
        ("notexactly" | "notequals" | "doesnotequal" | "isnot" | "ne", DataType::Text) => {
            Some(O::IsNot)
        }
        ("exactly" | "is" | "equal" | "eq", DataType::Number) => Some(O::Equals),
        ("isnot" | "notexactly" | "ne", DataType::Number) => Some(O::NotEquals),
        ("morethandays" | "morethandaysago", DataType::Datetime) => Some(O::MoreThanAgo),
        ("lessthandays" | "lessthandaysago", DataType::Datetime) => Some(O::LessThanAgo),
        ("exactlydays" | "exactlydaysago", DataType::Datetime) => Some(O::ExactlyAgo),
        _ => None,
    };
    alias.or_else(|| {
        Operator::for_type(ty)
            .into_iter()
            .find(|op| operator_spelling(*op, ty) == wanted || normalize(op.name()) == wanted)
    })
}

const TYPE_ORDER: [DataType; 5] = [
    DataType::Text,
    DataType::Number,
    DataType::Datetime,
    DataType::Boolean,
    DataType::Array,
];

fn count_operator_spelling(op: CountOperator) -> &'static str {
    match op {
        CountOperator::AtLeast => "atleast",
        CountOperator::AtMost => "atmost",
        CountOperator::Exactly => "equals",
        CountOperator::MoreThan => "greaterthan",
        CountOperator::LessThan => "lessthan",
        CountOperator::NotEquals => "doesnotequal",
        CountOperator::Between => "between",
    }
}

fn count_operator_from_spelling(spelling: &str) -> Option<CountOperator> {
    Some(match normalize(spelling).as_str() {
        "atleast" | "greaterthanorequal" | "gte" => CountOperator::AtLeast,
        "atmost" | "lessthanorequal" | "lte" => CountOperator::AtMost,
        "equals" | "exactly" | "equal" | "eq" => CountOperator::Exactly,
        "greaterthan" | "morethan" | "gt" => CountOperator::MoreThan,
        "lessthan" | "fewerthan" | "lt" => CountOperator::LessThan,
        "doesnotequal" | "notequals" | "ne" => CountOperator::NotEquals,
        "between" => CountOperator::Between,
        _ => return None,
    })
}

fn aggregate_name(function: AggregateFunction) -> &'static str {
    match function {
        AggregateFunction::Sum => "sum",
        AggregateFunction::Avg => "avg",
        AggregateFunction::Min => "min",
        AggregateFunction::Max => "max",
        AggregateFunction::CountDistinct => "count_distinct",
    }
}

fn aggregate_from_name(name: &str) -> Option<AggregateFunction> {
    Some(match normalize(name).as_str() {
        "sum" => AggregateFunction::Sum,
        "avg" | "average" => AggregateFunction::Avg,
        "min" | "minimum" => AggregateFunction::Min,
        "max" | "maximum" => AggregateFunction::Max,
        "countdistinct" => AggregateFunction::CountDistinct,
        _ => return None,
    })
}

struct Reader<'s> {
    schema: &'s Schema,
}

impl<'s> Reader<'s> {
    /// A molecules list. `entity` is `None` when an enclosing relationship could not be resolved;
    /// atoms are then read without type information (validation reports the problem).
    fn list(
        &self,
        items: &[Value],
        path: &str,
        entity: Option<&'s Entity>,
        depth: usize,
    ) -> Result<Group> {
        if depth > MAX_DEPTH {
            return Err(Error::format(
                path,
                format!("molecules nested more than {MAX_DEPTH} levels deep"),
            ));
        }
        let mut combinator: Option<Combinator> = None;
        let mut children = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let item_path = format!("{path}/{i}");
            let expect_operand = i % 2 == 0;
            match item {
                Value::String(op) => {
                    if expect_operand {
                        return Err(Error::format(
                            item_path,
                            format!("expected a molecule here, found the operation \"{op}\""),
                        ));
                    }
                    let this = match op.as_str() {
                        "AND" => Combinator::And,
                        "OR" => Combinator::Or,
                        other => {
                            return Err(Error::format(
                                item_path,
                                format!("unknown operation \"{other}\": use \"AND\" or \"OR\""),
                            ))
                        }
                    };
                    match combinator {
                        Some(previous) if previous != this => return Err(Error::format(
                            item_path,
                            "AND and OR are mixed in one list: put one of them in a molecule group",
                        )),
                        _ => combinator = Some(this),
                    }
                }
                _ if !expect_operand => {
                    return Err(Error::format(
                        item_path,
                        "expected \"AND\" or \"OR\" between two molecules",
                    ));
                }
                Value::Array(inner) => children.push(Node::Group(self.list(
                    inner,
                    &item_path,
                    entity,
                    depth + 1,
                )?)),
                Value::Object(map) if map.contains_key("relationship_id") => {
                    children.push(self.relationship(map, &item_path, entity, depth)?)
                }
                Value::Object(map) => children.push(self.atom(map, &item_path, entity)?),
                other => {
                    return Err(Error::format(
                        item_path,
                        format!("expected a molecule, found {}", kind(other)),
                    ));
                }
            }
        }
        if !items.is_empty() && items.len() % 2 == 0 {
            return Err(Error::format(
                format!("{path}/{}", items.len() - 1),
                "a list cannot end with an operation",
            ));
        }
        Ok(Group {
            combinator: combinator.unwrap_or(Combinator::And),
            negated: false,
            children,
        })
    }

    fn atom(&self, map: &Map<String, Value>, path: &str, entity: Option<&Entity>) -> Result<Node> {
        check_keys(
            map,
            path,
            &[
                "attribute",
                "attribute_type",
                "operator",
                "value",
                "moleculeIndex",
                "atomIndex",
            ],
        )?;
        let attribute = match map.get("attribute") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => {
                return Err(Error::format(
                    format!("{path}/attribute"),
                    format!("expected a name, found {}", kind(other)),
                ))
            }
        };
        let attribute_type = match map.get("attribute_type") {
            None => None,
            Some(Value::String(s)) => Some(s.as_str()),
            Some(other) => {
                return Err(Error::format(
                    format!("{path}/attribute_type"),
                    format!("expected a string, found {}", kind(other)),
                ))
            }
        };
        let operator_text = match map.get("operator") {
            Some(Value::String(s)) => Some(s.clone()),
            None | Some(Value::Null) => None,
            Some(other) => {
                return Err(Error::format(
                    format!("{path}/operator"),
                    format!("expected a string, found {}", kind(other)),
                ))
            }
        };
        let mut layout = CensusLayout {
            molecule_index: index(map, "moleculeIndex", path)?,
            atom_index: index(map, "atomIndex", path)?,
            attribute_type_omitted: attribute_type.is_none(),
            operator: None,
            attribute: None,
        };
        let value = map.get("value").cloned().unwrap_or(Value::Null);

        if attribute_type == Some("sql") {
            let Value::String(sql) = value else {
                return Err(Error::format(
                    format!("{path}/value"),
                    "a SQL molecule's value is the SQL text",
                ));
            };
            layout.operator = operator_text;
            layout.attribute = Some(attribute);
            return Ok(Node::Sql(SqlCondition {
                sql,
                census: Some(layout),
            }));
        }
        let attribute_kind = match attribute_type {
            None | Some("column") => AttributeKind::Column,
            Some("property") => AttributeKind::Property,
            Some(other) => {
                return Err(Error::format(
                    format!("{path}/attribute_type"),
                    format!("unknown attribute_type \"{other}\": use column, property or sql"),
                ))
            }
        };
        let Some(spelling) = operator_text else {
            return Err(Error::format(
                format!("{path}/operator"),
                "missing operator",
            ));
        };
        let known_type = entity
            .and_then(|e| e.column(&attribute))
            .map(|c| c.data_type);
        let operator = match known_type {
            Some(ty) => operator_from_spelling(&spelling, ty).map(|op| (op, ty)),
            // Unknown attribute: read the operator anyway; validation reports the attribute.
            None => TYPE_ORDER
                .iter()
                .find_map(|ty| operator_from_spelling(&spelling, *ty).map(|op| (op, *ty))),
        };
        let Some((operator, ty)) = operator else {
            let hint = match known_type {
                Some(ty) => {
                    let names: Vec<String> = Operator::for_type(ty)
                        .iter()
                        .map(|op| operator_spelling(*op, ty))
                        .collect();
                    format!(
                        " for {} ({}); use one of: {}",
                        attribute,
                        ty.label(),
                        names.join(", ")
                    )
                }
                None => String::new(),
            };
            return Err(Error::format(
                format!("{path}/operator"),
                format!("unknown operator \"{spelling}\"{hint}"),
            ));
        };
        if operator_spelling(operator, ty) != spelling {
            layout.operator = Some(spelling);
        }
        Ok(Node::Condition(Condition {
            attribute,
            attribute_kind,
            operator,
            value,
            case_sensitive: None,
            census: Some(layout),
        }))
    }

    fn relationship(
        &self,
        map: &Map<String, Value>,
        path: &str,
        entity: Option<&'s Entity>,
        depth: usize,
    ) -> Result<Node> {
        check_keys(
            map,
            path,
            &[
                "relationship_id",
                "constraint",
                "molecules",
                "moleculeIndex",
                "time_window",
            ],
        )?;
        let id = match map.get("relationship_id") {
            Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64().unwrap_or_default(),
            Some(Value::String(s)) if s.parse::<i64>().is_ok() => {
                s.parse::<i64>().unwrap_or_default()
            }
            _ => {
                return Err(Error::format(
                    format!("{path}/relationship_id"),
                    "expected a relationship id (a number)",
                ))
            }
        };
        let Some(relationship) = self.schema.relationship_by_id(id) else {
            let known: Vec<String> = self
                .schema
                .relationships
                .iter()
                .filter(|r| entity.is_none_or(|e| e.name == r.from_entity))
                .map(|r| format!("{} ({})", r.id, r.name))
                .collect();
            return Err(Error::format(
                format!("{path}/relationship_id"),
                format!(
                    "no relationship has id {id}; known: {}",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            ));
        };
        if let Some(e) = entity {
            if relationship.from_entity != e.name {
                return Err(Error::format(
                    format!("{path}/relationship_id"),
                    format!(
                        "relationship {id} ({}) starts at {}, not at {}",
                        relationship.name, relationship.from_entity, e.name
                    ),
                ));
            }
        }
        let related = self.schema.entity(&relationship.to_entity);
        let filter = match map.get("molecules") {
            None | Some(Value::Null) => Group::and(Vec::new()),
            Some(Value::Array(items)) => {
                self.list(items, &format!("{path}/molecules"), related, depth + 1)?
            }
            Some(other) => {
                return Err(Error::format(
                    format!("{path}/molecules"),
                    format!("expected a list, found {}", kind(other)),
                ))
            }
        };
        let constraint = match map.get("constraint") {
            None | Some(Value::Null) => None,
            Some(Value::Object(c)) => Some(self.constraint(c, &format!("{path}/constraint"))?),
            Some(other) => {
                return Err(Error::format(
                    format!("{path}/constraint"),
                    format!("expected an object, found {}", kind(other)),
                ))
            }
        };
        let window = match map.get("time_window") {
            None | Some(Value::Null) => None,
            Some(w) => Some(
                serde_json::from_value::<TimeWindow>(w.clone()).map_err(|e| {
                    Error::format(
                        format!("{path}/time_window"),
                        format!("not a time window: {e}"),
                    )
                })?,
            ),
        };
        Ok(Node::Relationship(RelationshipCondition {
            relationship: relationship.name.clone(),
            constraint,
            window,
            filter,
            census: Some(CensusLayout {
                molecule_index: index(map, "moleculeIndex", path)?,
                ..CensusLayout::default()
            }),
        }))
    }

    fn constraint(&self, map: &Map<String, Value>, path: &str) -> Result<Constraint> {
        check_keys(map, path, &["type", "operator", "value", "attribute"])?;
        let kind_name = map
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("occurrences");
        let spelling = match map.get("operator") {
            Some(Value::String(s)) => s.clone(),
            _ => {
                return Err(Error::format(
                    format!("{path}/operator"),
                    "missing constraint operator",
                ))
            }
        };
        let Some(operator) = count_operator_from_spelling(&spelling) else {
            return Err(Error::format(
                format!("{path}/operator"),
                format!("unknown constraint operator \"{spelling}\": use greaterthan, lessthan, equals, atleast, atmost, between or doesnotequal"),
            ));
        };
        let census_operator = (count_operator_spelling(operator) != spelling).then_some(spelling);
        let value = map.get("value").cloned().unwrap_or(Value::Null);
        if normalize(kind_name) == "occurrences" {
            if map.contains_key("attribute") {
                return Err(Error::format(
                    format!("{path}/attribute"),
                    "an occurrences constraint has no attribute",
                ));
            }
            return Ok(Constraint::Occurrences {
                operator,
                value,
                census_operator,
            });
        }
        let Some(function) = aggregate_from_name(kind_name) else {
            return Err(Error::format(
                format!("{path}/type"),
                format!("unknown constraint type \"{kind_name}\": use occurrences, sum, avg, min, max or count_distinct"),
            ));
        };
        let attribute = match map.get("attribute") {
            Some(Value::String(s)) => s.clone(),
            _ => {
                return Err(Error::format(
                    format!("{path}/attribute"),
                    "an aggregate constraint names the attribute it aggregates",
                ))
            }
        };
        Ok(Constraint::Aggregate {
            function,
            attribute,
            operator,
            value,
            census_operator,
        })
    }
}

fn check_keys(map: &Map<String, Value>, path: &str, allowed: &[&str]) -> Result<()> {
    match map.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(unknown) => Err(Error::format(
            format!("{path}/{unknown}"),
            format!(
                "unknown key \"{unknown}\"; expected one of: {}",
                allowed.join(", ")
            ),
        )),
        None => Ok(()),
    }
}

fn index(map: &Map<String, Value>, key: &str, path: &str) -> Result<Option<i64>> {
    match map.get(key) {
        None => Ok(None),
        Some(Value::Number(n)) if n.as_i64().is_some() => Ok(n.as_i64()),
        Some(other) => Err(Error::format(
            format!("{path}/{key}"),
            format!("expected a whole number, found {}", kind(other)),
        )),
    }
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

struct Writer<'s> {
    schema: &'s Schema,
}

/// Where a node sits, which decides the indexes generated for nodes without a recorded layout.
#[derive(Clone, Copy)]
enum Position {
    /// An item of a molecules list (top level or a relationship's), at this index.
    Molecule(usize),
    /// An item of a molecule group that is itself item `molecule` of a molecules list.
    Atom {
        molecule: usize,
        atom: usize,
    },
    Deeper,
}

impl<'s> Writer<'s> {
    /// A group written as a molecules list (top level or a relationship's `molecules`).
    fn list(&self, group: &Group, entity: Option<&'s Entity>, path: &str) -> Result<Value> {
        self.items(group, entity, path, |i| Position::Molecule(i))
    }

    fn items(
        &self,
        group: &Group,
        entity: Option<&'s Entity>,
        path: &str,
        position: impl Fn(usize) -> Position,
    ) -> Result<Value> {
        let operation = match group.combinator {
            Combinator::And => "AND",
            Combinator::Or => "OR",
        };
        let mut out = Vec::with_capacity(group.children.len() * 2);
        for (i, child) in group.children.iter().enumerate() {
            if i > 0 {
                out.push(Value::String(operation.to_string()));
            }
            let item_index = out.len();
            let child_path = format!("{path}/children/{i}");
            out.push(self.node(child, entity, &child_path, position(item_index))?);
        }
        Ok(Value::Array(out))
    }

    fn node(
        &self,
        node: &Node,
        entity: Option<&'s Entity>,
        path: &str,
        position: Position,
    ) -> Result<Value> {
        match node {
            Node::Group(group) => {
                if group.negated {
                    return Err(Error::format(
                        path,
                        "Census molecules cannot express NOT on a group",
                    ));
                }
                match position {
                    Position::Molecule(molecule) => self.items(group, entity, path, |atom| {
                        Position::Atom { molecule, atom }
                    }),
                    Position::Atom { .. } | Position::Deeper => {
                        self.items(group, entity, path, |_| Position::Deeper)
                    }
                }
            }
            Node::Condition(condition) => self.atom(condition, entity, path, position),
            Node::Sql(sql) => Ok(self.sql(sql, position)),
            Node::Relationship(rel) => self.relationship(rel, entity, path, position),
            Node::InSegment(_) => Err(Error::format(
                path,
                "Census molecules cannot express membership of another segment",
            )),
        }
    }

    fn atom(
        &self,
        cond: &Condition,
        entity: Option<&Entity>,
        path: &str,
        position: Position,
    ) -> Result<Value> {
        let ty = entity
            .and_then(|e| e.column(&cond.attribute))
            .map(|c| c.data_type)
            .or_else(|| {
                TYPE_ORDER
                    .iter()
                    .copied()
                    .find(|ty| cond.operator.applies_to(*ty))
            })
            .unwrap_or(DataType::Text);
        // A Census `like` reads back as the tree's like, which folds case unless
        // `case_sensitive: true`; every other text test is case-sensitive unless `false`.
        let refused = if cond.operator == Operator::Like {
            (cond.case_sensitive == Some(true)).then_some("case-sensitive LIKE")
        } else {
            (cond.case_sensitive == Some(false)).then_some("case-insensitive matching")
        };
        if let Some(what) = refused {
            return Err(Error::format(
                format!("{path}/case_sensitive"),
                format!("Census molecules cannot express {what}"),
            ));
        }
        if crate::compare::names_attribute(&cond.value) {
            return Err(Error::format(
                format!("{path}/value"),
                "Census molecules cannot express a comparison of two attributes",
            ));
        }
        let layout = cond
            .census
            .clone()
            .unwrap_or_else(|| generated_layout(position));
        let mut map = Map::new();
        map.insert("attribute".into(), Value::String(cond.attribute.clone()));
        if !layout.attribute_type_omitted {
            let kind = match cond.attribute_kind {
                AttributeKind::Column => "column",
                AttributeKind::Property => "property",
            };
            map.insert("attribute_type".into(), Value::String(kind.into()));
        }
        let spelling = layout
            .operator
            .clone()
            .unwrap_or_else(|| operator_spelling(cond.operator, ty));
        map.insert("operator".into(), Value::String(spelling));
        map.insert("value".into(), cond.value.clone());
        insert_indexes(&mut map, &layout);
        Ok(Value::Object(map))
    }

    fn sql(&self, sql: &SqlCondition, position: Position) -> Value {
        let layout = sql
            .census
            .clone()
            .unwrap_or_else(|| generated_layout(position));
        let mut map = Map::new();
        map.insert(
            "attribute".into(),
            Value::String(layout.attribute.clone().unwrap_or_default()),
        );
        map.insert("attribute_type".into(), Value::String("sql".into()));
        if let Some(op) = &layout.operator {
            map.insert("operator".into(), Value::String(op.clone()));
        }
        map.insert("value".into(), Value::String(sql.sql.clone()));
        insert_indexes(&mut map, &layout);
        Value::Object(map)
    }

    fn relationship(
        &self,
        rel: &RelationshipCondition,
        entity: Option<&'s Entity>,
        path: &str,
        position: Position,
    ) -> Result<Value> {
        let from = entity.map(|e| e.name.as_str()).unwrap_or_default();
        let Some(relationship) = self.schema.relationship(from, &rel.relationship) else {
            return Err(Error::format(
                format!("{path}/relationship"),
                format!("“{}” is not a relationship of {from}", rel.relationship),
            ));
        };
        if rel.filter.negated {
            return Err(Error::format(
                format!("{path}/filter"),
                "Census molecules cannot express NOT on a group",
            ));
        }
        let related = self.schema.entity(&relationship.to_entity);
        let mut map = Map::new();
        map.insert("relationship_id".into(), Value::from(relationship.id));
        if let Some(constraint) = &rel.constraint {
            map.insert(
                "constraint".into(),
                constraint_value(constraint, &format!("{path}/constraint"))?,
            );
        }
        if let Some(window) = &rel.window {
            map.insert(
                "time_window".into(),
                serde_json::to_value(window).unwrap_or(Value::Null),
            );
        }
        map.insert(
            "molecules".into(),
            self.list(&rel.filter, related, &format!("{path}/filter"))?,
        );
        let molecule_index = match &rel.census {
            Some(layout) => layout.molecule_index,
            None => match position {
                Position::Molecule(i) => i64::try_from(i).ok(),
                Position::Atom { .. } | Position::Deeper => None,
            },
        };
        if let Some(i) = molecule_index {
            map.insert("moleculeIndex".into(), Value::from(i));
        }
        Ok(Value::Object(map))
    }
}

/// The Census spelling of a constraint; first/last and distinct periods have none.
fn constraint_value(constraint: &Constraint, path: &str) -> Result<Value> {
    let mut map = Map::new();
    match constraint {
        Constraint::Occurrences {
            operator,
            value,
            census_operator,
        } => {
            map.insert("type".into(), Value::String("occurrences".into()));
            let op = census_operator
                .clone()
                .unwrap_or_else(|| count_operator_spelling(*operator).to_string());
            map.insert("operator".into(), Value::String(op));
            map.insert("value".into(), value.clone());
        }
        Constraint::Aggregate {
            function,
            attribute,
            operator,
            value,
            census_operator,
        } => {
            map.insert(
                "type".into(),
                Value::String(aggregate_name(*function).into()),
            );
            map.insert("attribute".into(), Value::String(attribute.clone()));
            let op = census_operator
                .clone()
                .unwrap_or_else(|| count_operator_spelling(*operator).to_string());
            map.insert("operator".into(), Value::String(op));
            map.insert("value".into(), value.clone());
        }
        Constraint::FirstTime { .. }
        | Constraint::LastTime { .. }
        | Constraint::FirstRecord { .. }
        | Constraint::LastRecord { .. }
        | Constraint::DistinctPeriods { .. }
        | Constraint::Sequence { .. } => {
            return Err(Error::format(
                path,
                format!(
                    "Census molecules cannot express {}",
                    crate::tree::constraint_name(constraint)
                ),
            ));
        }
    }
    Ok(Value::Object(map))
}

fn generated_layout(position: Position) -> CensusLayout {
    let (molecule_index, atom_index) = match position {
        Position::Molecule(i) => (i64::try_from(i).ok(), None),
        Position::Atom { molecule, atom } => {
            (i64::try_from(molecule).ok(), i64::try_from(atom).ok())
        }
        Position::Deeper => (None, None),
    };
    CensusLayout {
        molecule_index,
        atom_index,
        ..CensusLayout::default()
    }
}

fn insert_indexes(map: &mut Map<String, Value>, layout: &CensusLayout) {
    if let Some(i) = layout.molecule_index {
        map.insert("moleculeIndex".into(), Value::from(i));
    }
    if let Some(i) = layout.atom_index {
        map.insert("atomIndex".into(), Value::from(i));
    }
}
