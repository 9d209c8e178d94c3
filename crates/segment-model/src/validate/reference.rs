//! "Is (not) in segment S": a reference to a library segment, resolved by the caller (the core
//! does no I/O). A dynamic segment's definition is checked here, against the same schema and
//! "now", and inlined as its filter; a static segment becomes its members' keys. References
//! are followed at most [`MAX_REFERENCE_DEPTH`] deep, and a segment met again on the way is a
//! cycle, reported at the referring node with every segment of the circle named.

use crate::ir::{ArrayElement, ColumnRef, Expr, Members, Number};
use crate::schema::{DataType, Entity, Storage};
use crate::tree::{Segment, SegmentReference};

use super::{base_entity, Checker};

/// Most segments a reference chain may pass through (a refers to b refers to c …).
pub const MAX_REFERENCE_DEPTH: usize = 8;

/// What a referenced segment selects.
#[derive(Debug, Clone, PartialEq)]
pub enum Definition {
    /// Its definition, evaluated in place.
    Dynamic(Segment),
    /// Its active members' ids (the key values as text) and the entity it was frozen on.
    Static {
        entity: Option<String>,
        members: Vec<String>,
    },
}

/// A library segment found by id (and revision).
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedSegment {
    pub id: String,
    pub name: String,
    pub revision: i64,
    pub definition: Definition,
}

/// Finds referenced segments: the service implements it over the segment library.
pub trait Resolver {
    /// The segment `id` at `revision` (its latest when `None`), or why it cannot be used, in
    /// a marketer's words ("There is no segment “vip” in the library.").
    fn resolve(&self, id: &str, revision: Option<i64>) -> Result<ResolvedSegment, String>;
}

/// No library at hand: every reference is refused, saying so.
pub struct NoLibrary;

impl Resolver for NoLibrary {
    fn resolve(&self, id: &str, _revision: Option<i64>) -> Result<ResolvedSegment, String> {
        Err(format!(
            "Segment “{id}” is in the segment library, which is not open here."
        ))
    }
}

impl<'s> Checker<'s> {
    pub(super) fn in_segment(
        &mut self,
        reference: &SegmentReference,
        entity: &'s Entity,
        path: &str,
        depth: usize,
    ) -> Expr {
        let inner = self.referenced(reference, entity, path, depth);
        if reference.negated {
            Expr::Not(Box::new(inner))
        } else {
            inner
        }
    }

    /// The referenced segment's records as an expression over `entity` (`False` after a
    /// problem, which is recorded).
    fn referenced(
        &mut self,
        reference: &SegmentReference,
        entity: &'s Entity,
        path: &str,
        depth: usize,
    ) -> Expr {
        let id = reference.segment.trim();
        let at = format!("{path}/segment");
        if id.is_empty() {
            self.problem(at, "Choose a segment.");
            return Expr::False;
        }
        if let Some(revision) = reference.revision.filter(|r| *r < 0) {
            self.problem(
                format!("{path}/revision"),
                format!("Revision {revision} does not exist: revisions start at 0."),
            );
            return Expr::False;
        }
        if let Some(start) = self.chain.iter().position(|c| c == id) {
            let mut circle: Vec<&str> = self.chain[start..].iter().map(String::as_str).collect();
            circle.push(id);
            let message = format!(
                "These segments refer to each other in a circle: {}. Remove one of the references.",
                circle.join(" → ")
            );
            self.cycle = Some(message.clone());
            self.problem(at, message);
            return Expr::False;
        }
        if self.chain.len() >= MAX_REFERENCE_DEPTH {
            let message = format!(
                "Segments refer to other segments more than {MAX_REFERENCE_DEPTH} deep ({} → {id}).",
                self.chain.join(" → ")
            );
            self.cycle = Some(message.clone());
            self.problem(at, message);
            return Expr::False;
        }
        let resolved = match self.resolver.resolve(id, reference.revision) {
            Ok(resolved) => resolved,
            Err(message) => {
                self.problem(at, message);
                return Expr::False;
            }
        };
        match resolved.definition {
            Definition::Dynamic(tree) => self.inline(&resolved.name, id, &tree, entity, &at, depth),
            Definition::Static {
                entity: of,
                members,
            } => {
                if let Some(other) = of.filter(|name| *name != entity.name) {
                    self.problem(at, wrong_entity(&resolved.name, &other, &entity.name));
                    return Expr::False;
                }
                members_expr(id, entity, &members)
            }
        }
    }

    /// A dynamic segment's definition checked as part of this tree (its problems reported at
    /// the referring node) and returned as its filter.
    fn inline(
        &mut self,
        name: &str,
        id: &str,
        tree: &Segment,
        entity: &'s Entity,
        at: &str,
        depth: usize,
    ) -> Expr {
        let own = tree.entity.is_none().then_some(entity.name.as_str());
        match base_entity(tree, self.schema, own) {
            Ok(base) if base.name == entity.name => {}
            Ok(base) => {
                self.problem(at, wrong_entity(name, &base.name, &entity.name));
                return Expr::False;
            }
            Err(problem) => {
                self.problem(at, format!("Segment “{name}”: {}", problem.message));
                return Expr::False;
            }
        }
        let mut nested = Checker {
            schema: self.schema,
            now: self.now,
            problems: Vec::new(),
            resolver: self.resolver,
            chain: self.chain.iter().cloned().chain([id.to_string()]).collect(),
            cycle: None,
        };
        let filter = if tree.root.children.is_empty() {
            if tree.root.negated {
                Expr::False
            } else {
                Expr::True
            }
        } else {
            nested.group(&tree.root, entity, "/root", depth)
        };
        if let Some(cycle) = nested.cycle {
            self.cycle = Some(cycle.clone());
            self.problem(at, cycle);
            return Expr::False;
        }
        if let Some(first) = nested.problems.first() {
            self.problem(
                at,
                format!(
                    "Segment “{name}” cannot be used as it is: {} (at {}).",
                    first.message.trim_end_matches('.'),
                    first.path
                ),
            );
            return Expr::False;
        }
        filter
    }
}

fn wrong_entity(name: &str, theirs: &str, ours: &str) -> String {
    format!("Segment “{name}” selects {theirs}, not {ours}: choose a segment of {ours}.")
}

/// A static segment's members as keys of `entity`, typed as its key column. Ids that cannot be
/// a key of that type match no record and are dropped.
fn members_expr(id: &str, entity: &Entity, members: &[String]) -> Expr {
    let column = key_column(entity);
    let keys: Vec<ArrayElement> = members
        .iter()
        .filter_map(|m| member_key(&column, m))
        .collect();
    if keys.is_empty() {
        return Expr::False;
    }
    Expr::Members(Box::new(Members {
        segment: id.to_string(),
        column,
        keys,
    }))
}

fn key_column(entity: &Entity) -> ColumnRef {
    let (data_type, storage) = entity
        .column(&entity.key)
        .map(|c| (c.data_type, c.storage))
        // `rowid`: an integer not listed among the columns.
        .unwrap_or((DataType::Number, Storage::Integer));
    ColumnRef {
        entity: entity.name.clone(),
        name: entity.key.clone(),
        data_type,
        storage,
    }
}

fn member_key(column: &ColumnRef, member: &str) -> Option<ArrayElement> {
    match column.storage {
        Storage::Integer => member
            .parse()
            .ok()
            .map(|i| ArrayElement::Number(Number::Int(i))),
        Storage::Real => member
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(|f| ArrayElement::Number(Number::Float(f))),
        _ => Some(ArrayElement::Text(member.to_string())),
    }
}
