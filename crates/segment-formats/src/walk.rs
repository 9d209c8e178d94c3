//! The tree walker the renderers share (react-querybuilder style: one walk, a small rule set a
//! format). The walker visits groups and their children, builds each node's path (a JSON
//! Pointer into the canonical document, `/root/children/2`), bounds nesting at [`MAX_DEPTH`],
//! refuses empty groups and raw SQL by path, and hands each condition, relationship and group
//! to the format's [`Spelling`].

use segment_model::schema::{Entity, Relationship};
use segment_model::tree::{
    Condition, Group, Node, RelationshipCondition, SegmentReference, SqlCondition, TimeWindow,
};

use crate::error::{Error, Result};
use crate::resolve;
use crate::{Format, MAX_DEPTH};

/// How one format spells a tree: its leaves, and a group of spelled children.
pub(crate) trait Spelling<'s> {
    /// A spelled node.
    type Out;
    /// What the format hands down the tree (a variable in scope, a polarity…).
    type Ctx: Clone;

    fn format(&self) -> Format;

    /// A condition.
    fn leaf(
        &self,
        c: &Condition,
        entity: &'s Entity,
        ctx: &Self::Ctx,
        path: &str,
    ) -> Result<Self::Out>;

    /// A relationship condition (at `depth`, for its own nesting).
    fn related(
        &self,
        rel: &RelationshipCondition,
        entity: &'s Entity,
        ctx: &Self::Ctx,
        path: &str,
        depth: usize,
    ) -> Result<Self::Out>;

    /// The hint of the `Unsupported` error for a raw SQL condition.
    fn sql_hint(&self) -> &'static str;

    /// A raw SQL condition: by default `Unsupported` (no format but English can say SQL).
    fn sql(&self, _sql: &SqlCondition, path: &str) -> Result<Self::Out> {
        Err(Error::unsupported(
            self.format(),
            "a raw SQL condition",
            path,
            self.sql_hint(),
        ))
    }

    /// "Is (not) in segment S": by default `Unsupported` (the segment lives in this app's
    /// library, which other platforms do not know).
    fn in_segment(&self, _reference: &SegmentReference, path: &str) -> Result<Self::Out> {
        Err(Error::unsupported(
            self.format(),
            "membership of another segment",
            path,
            "the segment is in this app's library: add its conditions instead, or export its members",
        ))
    }

    /// The context of a group's children (by default the group's own).
    fn inner(&self, _g: &Group, ctx: &Self::Ctx) -> Self::Ctx {
        ctx.clone()
    }

    /// A group from its children's spellings (at least one, in order), its negation included.
    fn join(&self, g: &Group, parts: Vec<Self::Out>, ctx: &Self::Ctx) -> Result<Self::Out>;

    /// A node the format spells whole, without the walker looking inside (ODP: a part without
    /// relationships is one customer filter); `None` by default.
    fn whole(
        &self,
        _node: &Node,
        _entity: &'s Entity,
        _ctx: &Self::Ctx,
        _path: &str,
        _depth: usize,
    ) -> Option<Result<Self::Out>> {
        None
    }

    /// Whether nesting is bounded at every node rather than at groups (and relationships) only.
    fn depth_at_every_node(&self) -> bool {
        false
    }
}

/// A node, dispatched to the format's spelling.
pub(crate) fn node<'s, S: Spelling<'s>>(
    s: &S,
    node: &Node,
    entity: &'s Entity,
    ctx: &S::Ctx,
    path: &str,
    depth: usize,
) -> Result<S::Out> {
    if s.depth_at_every_node() {
        check_depth(s.format(), path, depth)?;
    }
    if let Some(out) = s.whole(node, entity, ctx, path, depth) {
        return out;
    }
    match node {
        Node::Group(g) => group(s, g, entity, ctx, path, depth),
        Node::Condition(c) => s.leaf(c, entity, ctx, path),
        Node::Sql(sql) => s.sql(sql, path),
        Node::Relationship(rel) => s.related(rel, entity, ctx, path, depth),
        Node::InSegment(reference) => s.in_segment(reference, path),
    }
}

/// A group: bounded depth, not empty, each child at `{path}/children/{i}`, then joined.
pub(crate) fn group<'s, S: Spelling<'s>>(
    s: &S,
    g: &Group,
    entity: &'s Entity,
    ctx: &S::Ctx,
    path: &str,
    depth: usize,
) -> Result<S::Out> {
    check_depth(s.format(), path, depth)?;
    if g.children.is_empty() {
        return Err(Error::invalid(
            s.format(),
            path,
            "This group is empty: add a condition to it or remove it.",
        ));
    }
    let inner = s.inner(g, ctx);
    let mut parts = Vec::with_capacity(g.children.len());
    for (i, child) in g.children.iter().enumerate() {
        parts.push(node(
            s,
            child,
            entity,
            &inner,
            &format!("{path}/children/{i}"),
            depth + 1,
        )?);
    }
    s.join(g, parts, ctx)
}

/// `Unsupported` past [`MAX_DEPTH`] levels of nesting.
pub(crate) fn check_depth(format: Format, path: &str, depth: usize) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(Error::unsupported(
            format,
            format!("conditions nested more than {MAX_DEPTH} levels deep"),
            path,
            "",
        ));
    }
    Ok(())
}

/// A relationship's time window as the condition on the related time column it means, spelled as
/// a leaf in `ctx` (the related records' context); `None` for any time. Errors point at
/// `{path}/window`, not at the condition written for it.
pub(crate) fn window<'s, S: Spelling<'s>>(
    s: &S,
    r: &Relationship,
    related: &'s Entity,
    window: &TimeWindow,
    ctx: &S::Ctx,
    path: &str,
) -> Result<Option<(Condition, S::Out)>> {
    let window_path = format!("{path}/window");
    let Some(cond) = resolve::window_condition(s.format(), r, related, window, &window_path)?
    else {
        return Ok(None);
    };
    let out = s
        .leaf(&cond, related, ctx, &window_path)
        .map_err(|e| relocate(e, &window_path))?;
    Ok(Some((cond, out)))
}

/// `e` with its node path replaced by `path` (for errors of a condition written for a window).
pub(crate) fn relocate(e: Error, path: &str) -> Error {
    match e {
        Error::Unsupported {
            format,
            construct,
            hint,
            ..
        } => Error::Unsupported {
            format,
            construct,
            path: path.to_string(),
            hint,
        },
        Error::Invalid {
            format, message, ..
        } => Error::Invalid {
            format,
            path: path.to_string(),
            message,
        },
        other => other,
    }
}
