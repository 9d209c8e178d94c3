//! OData `$filter` expressions (seed 000's `filter`), rendered from and parsed into the tree.
//!
//! Attributes are property paths: a canonical attribute with dots is a path
//! (`demographics.age.value` is `demographics/age/value`). Literals: `'text'` (quotes doubled),
//! numbers, `true`/`false`, `null`, dates `2024-05-31`, date-times `2024-05-31T14:00:00Z`,
//! durations `duration'P30D'`.
//!
//! | canonical operator | OData |
//! | --- | --- |
//! | is / is not | `c eq 'x'` / `(c ne null and c ne 'x')`; case-insensitive: `tolower(c) eq tolower('x')` |
//! | is one of / is none of | `c in ('a', 'b')` / `(c ne null and not (c in ('a', 'b')))` |
//! | contains, starts with, ends with | `contains(c, 'x')`, `startswith`, `endswith`; negations `not contains(c, 'x')`…; case-insensitive with `tolower` on both arguments |
//! | matches regex | `matchesPattern(c, 're')` (the pattern is passed through) |
//! | is blank / is not blank | `(c eq null or c eq '')` / `c gt ''` |
//! | is null / is not null | `c eq null` / `c ne null` |
//! | length = < > | `length(c) eq n`, `lt`, `gt` |
//! | = ≠ < ≤ > ≥ | `c eq 3`, `(c ne null and c ne 3)`, `lt`, `le`, `gt`, `ge`; text `c lt 'Milk'` (code point order) |
//! | between / not between | `(c ge 1 and c le 5)` / `(c lt 1 or c gt 5)` (dates as below) |
//! | is true / is false | `c eq true` / `c eq false` |
//! | on / not on a date | `date(c) eq 2024-05-31` / `(c ne null and date(c) ne 2024-05-31)` |
//! | before / after / on or before / on or after | `date(c) lt 2024-05-31` (a date), `c lt 2024-05-31T14:00:00Z` (a date-time); `gt`, `le`, `ge` |
//! | in the last / next N units | `(c ge now() sub duration'P30D' and c le now())` / `(c ge now() and c le now() add duration'P30D')` |
//! | more / less than N units ago | `c lt now() sub duration'P30D'` / `(c gt now() sub duration'P30D' and c le now())` |
//! | between N and M units ago | `(c ge now() sub duration'P60D' and c le now() sub duration'P30D')` |
//! | this / last / next day | `date(c) eq date(now())`, `date(c) eq date(now() sub duration'P1D')`, `… add …` |
//! | date part (year, month, day of month, hour) | `year(c) eq 2024`, `month(c) in (11, 12)`, `day(c) eq 1`, `hour(c) eq 13` |
//! | list contains any of / all of / none of | `c/any(v: v in ('a', 'b'))` / `(c/any(v: v eq 'a') and c/any(v: v eq 'b'))` / `(c ne null and not c/any(v: v in ('a')))` |
//! | list is empty / not empty / size | `(c ne null and not c/any())` / `c/any()` / `c/$count eq 2` |
//! | list has an item starting / ending with, containing; every item is | `c/any(v: startswith(v, 'a'))`, `endswith`, `contains` / `c/all(v: v eq 'a')` (true on an empty list) |
//! | relationship, at least one | `events/any(e: e/name eq 'purchase')` |
//! | relationship, count | `events/$count($filter=name eq 'purchase') ge 3` (`ge`, `le`, `eq`, `gt`, `lt`, `ne`) |
//! | time window | the last condition of the lambda or `$filter`, on the time column |
//! | AND / OR / NOT group | `and`, `or`, `not (…)`; an empty root is `true` (`false` negated) |
//!
//! Durations are days (`P30D`, weeks as 7 days), hours (`PT5H`) or minutes (`PT5M`).
//!
//! Not expressible (reported by name and node path): raw SQL; like; case-insensitive is one of
//! / is none of; exactly N units ago; this / last / next week, month or year; durations in months or years;
//! fractional days; the weekday date part; Census `days_ago`/blank between bounds; a count
//! between two numbers; aggregates (sum, average, min, max, count distinct); the first / last
//! time, the first / most recent record and distinct periods of related records; a negated empty
//! relationship filter (no related record); names that are not OData identifiers or are OData
//! keywords.
//!
//! **NULL.** OData's rules differ from the model's: `ne` is true when the property is null, and
//! `contains`/`startswith`/`endswith`/`matchesPattern` are null on null (so `not contains(…)`
//! excludes nulls). The renderer therefore guards `ne` comparisons, and under an odd number of
//! NOTs guards those functions, with `c ne null and …`; the parser reads OData's rules
//! faithfully: an unguarded `c ne 'x'` is read as "is not x, or is null", and a negated
//! expression whose functions may be null is pushed down (De Morgan) so that each function's
//! null case stays excluded. A parenthesized pair in exactly the shapes above is read as the one
//! condition it spells; a pair a person writes otherwise is read condition by condition. When
//! two conditions in a group are on the same attribute, the renderer parenthesizes the second so
//! that they are not read as one.

//!
//! **As Microsoft Graph and Dataverse write it** (read; what is written stays standard OData):
//! keywords and built-in functions in any case (`NOT`, `AND`, `startsWith`, `/Any(`); bare
//! GUIDs (`skuId eq 184efa21-98c3-4e5d-95ab-d07053a96e67`), read as text and written back
//! quoted; `c in (null, 'a')` as "is one of a, or is null"; lambdas on a list of values
//! (`groupTypes/any(c: c eq 'Unified')`) and on a collection of objects, read as a
//! relationship (`identities/any(c: c/issuer eq 'x' and c/issuerAssignedId eq 'y')`, string
//! functions and nested comparisons in the body); `all(…)` on related records, read as NOT
//! any(NOT …) with the model's NOT inside (a body that is null on a record is not true there, as
//! in OData); date-times compared with dates and date-times (`date(c) eq 2024-05-31`,
//! `c ge 2021-01-02T12:00:00Z`). Refused by name, with where: `has` (enum flags) and enum
//! values, type casts (`microsoft.graph.user/…`, `isof`, `cast`), the Dataverse query
//! functions the model cannot say (see `dataverse`), arithmetic, on the items of a list of values
//! any test but those in the table, and any character outside the syntax. Text is ordered by code point
//! (`Name gt 'Milk'`, as the model orders text; a server may collate otherwise).
//!
//! **Graph vs OData string comparison.** Standard OData compares strings case-sensitively;
//! Graph compares directory strings ignoring case. A filter is read as standard OData;
//! [`as_graph_reads_it`] (the CLI's `convert --odata-ignore-case`) makes every text comparison
//! of the tree read case-insensitive, as Graph means it (English then says "ignoring case").
//! **NOT over missing fields**: in OData `c eq 'x'` is false when `c` is null, so
//! `not (c eq 'x')` and `c ne 'x'` include records without `c`; they are read so (the model's
//! NOT is the complement), while `not contains(c, 'x')` excludes them (functions are null on
//! null), read as "does not contain".

use chrono::NaiveDate;
use segment_model::schema::{DataType, Entity, Schema};
use segment_model::tree::{
    Combinator, Condition, Constraint, CountOperator, Group, Node, Segment, TimeUnit,
};
use segment_model::Operator;
use serde_json::{json, Value};

use crate::error::{clip, Error, Position, Result};
use crate::resolve;
use crate::value::{self, Num};
use crate::{Format, SYNTAX_DEPTH};

use crate::cursor::Cursor;
use lexer::{lex, syntax, Tok};
use parser::{Parser, O, OE};
use render::{Render, Scope};

const FORMAT: Format = Format::Odata;

/// Words that cannot be property names.
const KEYWORDS: [&str; 19] = [
    "and", "or", "not", "eq", "ne", "gt", "ge", "lt", "le", "in", "has", "add", "sub", "mul",
    "div", "mod", "true", "false", "null",
];

fn date_literal(d: &NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !KEYWORDS.contains(&s)
}

mod compare;
mod dataverse;
mod lexer;
mod parser;
mod render;

// =============================================================================================
// Rendering
// =============================================================================================

/// Renders `segment` as an OData `$filter` expression.
pub fn render(segment: &Segment, schema: &Schema, entity: Option<&str>) -> Result<String> {
    let base = resolve::base_entity(FORMAT, segment, schema, entity)?;
    if segment.root.children.is_empty() {
        return Ok(if segment.root.negated {
            "false"
        } else {
            "true"
        }
        .to_string());
    }
    let r = Render { schema };
    let scope = Scope {
        prefix: String::new(),
        depth: 0,
        positive: true,
    };
    let (text, _) = crate::walk::group(&r, &segment.root, base, &scope, "/root", 0)?;
    Ok(text)
}

// =============================================================================================
// Reading: meaning
// =============================================================================================

/// Parses an OData filter into a (normalized) tree over `entity`, or the schema's root entity.
pub fn parse(text: &str, schema: &Schema, entity: Option<&str>) -> Result<Segment> {
    let text = crate::strip_bom(text);
    let trimmed = text.trim();
    let text_owned;
    // Accept `$filter=…` or `?$filter=…` as copied from a URL.
    let unprefixed = trimmed.strip_prefix('?').unwrap_or(trimmed);
    let text = match unprefixed
        .strip_prefix("$filter=")
        .or_else(|| unprefixed.strip_prefix("filter="))
    {
        Some(rest) => {
            // Keep columns: blank out the prefix.
            let offset = rest.as_ptr() as usize - text.as_ptr() as usize;
            text_owned = format!("{}{rest}", " ".repeat(offset));
            text_owned.as_str()
        }
        None => text,
    };
    if text.trim().is_empty() {
        return Err(syntax(
            text,
            0,
            "the filter is empty",
            "write a condition, or true for everyone",
        ));
    }
    let tokens = lex(text)?;
    let cursor = Cursor::new(FORMAT, text, tokens, Tok::End, "flatten the filter");
    let mut parser = Parser::new(cursor);
    let o = parser.expr()?;
    if parser.peek() != &Tok::End {
        return Err(parser.unexpected("and, or, or the end of the filter"));
    }
    let base = resolve::parse_entity(schema, entity)
        .map_err(|m| syntax(text, 0, m, "pass the entity the segment selects"))?;
    let root = match &o.e {
        OE::Bool(b) => Group {
            combinator: Combinator::And,
            negated: !b,
            children: Vec::new(),
        },
        _ => {
            let reader = Read { text, schema };
            let scope = ReadScope { var: None };
            match reader.tree(&o, base, &scope, true, true, 0)? {
                Node::Group(g) => g,
                other => Group::and(vec![other]),
            }
        }
    };
    let segment = Segment::new(Some(base.name.clone()), root);
    Ok(crate::normalize(&segment, schema, Some(&base.name)))
}

/// Microsoft Graph compares strings ignoring case (`eq`, `ne`, `in`, `startswith`, `endswith`,
/// `contains` on directory objects), where standard OData is case-sensitive. Reading a Graph
/// filter, apply this to the tree read: every text comparison becomes case-insensitive, which is
/// what Graph means (English then says "ignoring case"; OData written back folds with
/// `tolower`). Other conditions (numbers, dates, lists, null checks) are unchanged.
pub fn as_graph_reads_it(segment: &mut Segment) {
    fold_group(&mut segment.root);
}

fn fold_group(group: &mut Group) {
    for child in &mut group.children {
        match child {
            Node::Group(g) => fold_group(g),
            Node::Relationship(r) => fold_group(&mut r.filter),
            Node::Condition(c) if folds_case(c) => c.case_sensitive = Some(false),
            _ => {}
        }
    }
}

/// A comparison of text with text, which Graph makes case-insensitive.
fn folds_case(c: &Condition) -> bool {
    use Operator as Op;
    let text_values = match &c.value {
        Value::String(_) => true,
        Value::Array(items) => !items.is_empty() && items.iter().all(Value::is_string),
        _ => false,
    };
    text_values
        && matches!(
            c.operator,
            Op::Is
                | Op::IsNot
                | Op::IsOneOf
                | Op::IsNoneOf
                | Op::Contains
                | Op::DoesNotContain
                | Op::StartsWith
                | Op::DoesNotStartWith
                | Op::EndsWith
                | Op::DoesNotEndWith
        )
}

struct Read<'t, 's> {
    text: &'t str,
    schema: &'s Schema,
}

/// Whose properties bare paths name: the implicit record (`None`) or a lambda variable.
struct ReadScope {
    var: Option<String>,
}

/// One condition read from OData: the records where it is true (`pos`), and where it is false
/// when that is not simply the complement (a function that is null on a null property).
struct Leaf {
    pos: Node,
    neg: Option<Node>,
}

fn cond(attribute: &str, operator: Operator, value: Value) -> Node {
    Node::Condition(Condition::new(attribute, operator, value))
}

fn cond_ci(attribute: &str, operator: Operator, value: Value, case_sensitive: bool) -> Node {
    let mut c = Condition::new(attribute, operator, value);
    if !case_sensitive {
        c.case_sensitive = Some(false);
    }
    Node::Condition(c)
}

fn or_null(node: Node, attribute: &str) -> Node {
    Node::Group(Group::or(vec![
        node,
        cond(attribute, Operator::IsNull, Value::Null),
    ]))
}

impl<'t, 's> Read<'t, 's> {
    fn cannot(&self, o: &O, construct: impl Into<String>, hint: impl Into<String>) -> Error {
        Error::unrepresentable(FORMAT, construct, Position::in_text(self.text, o.at), hint)
    }

    fn error(&self, o: &O, message: impl Into<String>, hint: impl Into<String>) -> Error {
        syntax(self.text, o.at, message, hint)
    }

    /// The records where `o` is true (`positive`) or false. `overall`: whether `o` is under an
    /// even number of NOTs (from the filter or lambda body it is in).
    ///
    /// A function that is null on a null property (contains…) behaves as "false" wherever it is
    /// under an even number of NOTs; under an odd number its null case must stay excluded, so a
    /// NOT over it is pushed down to the function's strict negation (does not contain…). NOTs
    /// over anything else are kept as negated groups.
    // `tree` and the functions it recurses through are kept small (the rest is in functions
    // called and returned from), so that deep input uses little stack per level: the deepest
    // filter read stays within the parsers' documented stack (tests/stack.rs).
    fn tree(
        &self,
        o: &O,
        entity: &'s Entity,
        scope: &ReadScope,
        positive: bool,
        overall: bool,
        depth: usize,
    ) -> Result<Node> {
        if depth > SYNTAX_DEPTH {
            return Err(self.too_deep(o));
        }
        if let Some(node) = self.pattern_node(o, entity, scope, positive)? {
            return Ok(node);
        }
        match &o.e {
            // `not contains(…)` is one condition (does not contain), itself null on null.
            OE::Not(inner) if is_null_function(inner) && !inner.parens => {
                self.not_function(o, inner, entity, scope, positive)
            }
            OE::Not(inner) => self.not_tree(inner, entity, scope, positive, overall, depth),
            OE::And(items) | OE::Or(items) => {
                self.group_tree(o, items, entity, scope, positive, overall, depth)
            }
            _ => self.leaf_node(o, entity, scope, positive, depth),
        }
    }

    #[inline(never)]
    fn too_deep(&self, o: &O) -> Error {
        self.error(
            o,
            format!("nested more than {SYNTAX_DEPTH} levels deep"),
            "flatten the filter",
        )
    }

    /// A parenthesized pair spelling one condition, as `positive` asks.
    #[inline(never)]
    fn pattern_node(
        &self,
        o: &O,
        entity: &'s Entity,
        scope: &ReadScope,
        positive: bool,
    ) -> Result<Option<Node>> {
        Ok(self
            .pattern(o, entity, scope)?
            .map(|leaf| Self::side(leaf, positive)))
    }

    /// The records where a leaf is true (`positive`) or false.
    fn side(leaf: Leaf, positive: bool) -> Node {
        if positive {
            leaf.pos
        } else {
            leaf.neg.unwrap_or_else(|| resolve::negate(leaf.pos))
        }
    }

    #[inline(never)]
    fn not_function(
        &self,
        o: &O,
        inner: &O,
        entity: &'s Entity,
        scope: &ReadScope,
        positive: bool,
    ) -> Result<Node> {
        let Some((_, leaf)) = self.string_function(inner, entity, scope)? else {
            return Err(self.error(o, "unexpected function", ""));
        };
        let (pos, neg) = (
            leaf.neg
                .unwrap_or_else(|| resolve::negate(leaf.pos.clone())),
            leaf.pos,
        );
        Ok(if positive { pos } else { neg })
    }

    #[inline(never)]
    fn not_tree(
        &self,
        inner: &O,
        entity: &'s Entity,
        scope: &ReadScope,
        positive: bool,
        overall: bool,
        depth: usize,
    ) -> Result<Node> {
        if self.two_valued(inner, entity, scope, !overall)? {
            let node = self.tree(inner, entity, scope, true, !overall, depth + 1)?;
            Ok(if positive {
                resolve::negate(node)
            } else {
                node
            })
        } else {
            self.tree(inner, entity, scope, !positive, !overall, depth + 1)
        }
    }

    #[inline(never)]
    #[allow(clippy::too_many_arguments)]
    fn group_tree(
        &self,
        o: &O,
        items: &[O],
        entity: &'s Entity,
        scope: &ReadScope,
        positive: bool,
        overall: bool,
        depth: usize,
    ) -> Result<Node> {
        let is_and = matches!(o.e, OE::And(_));
        if !positive && self.two_valued(o, entity, scope, overall)? {
            return Ok(resolve::negate(
                self.tree(o, entity, scope, true, overall, depth)?,
            ));
        }
        let combinator = if is_and == positive {
            Combinator::And
        } else {
            Combinator::Or
        };
        let mut children = Vec::with_capacity(items.len());
        for item in items {
            children.push(self.tree(item, entity, scope, positive, overall, depth + 1)?);
        }
        Ok(Node::Group(Group {
            combinator,
            negated: false,
            children,
        }))
    }

    #[inline(never)]
    fn leaf_node(
        &self,
        o: &O,
        entity: &'s Entity,
        scope: &ReadScope,
        positive: bool,
        depth: usize,
    ) -> Result<Node> {
        Ok(Self::side(self.leaf(o, entity, scope, depth)?, positive))
    }

    /// Whether every function in `o` that is null on a null property is under an even number
    /// of NOTs, given `o`'s own parity (`overall`): then OData's and the model's NOT agree.
    fn two_valued(
        &self,
        o: &O,
        entity: &'s Entity,
        scope: &ReadScope,
        overall: bool,
    ) -> Result<bool> {
        if self.pattern(o, entity, scope)?.is_some() {
            return Ok(true);
        }
        Ok(match &o.e {
            OE::Not(inner) if is_null_function(inner) && !inner.parens => overall,
            OE::Not(inner) => self.two_valued(inner, entity, scope, !overall)?,
            OE::And(items) | OE::Or(items) => {
                for i in items {
                    if !self.two_valued(i, entity, scope, overall)? {
                        return Ok(false);
                    }
                }
                true
            }
            OE::Call { .. } if is_null_function(o) => overall,
            _ => true,
        })
    }

    /// The column a path names in `scope`, with its canonical attribute name.
    fn column(
        &self,
        o: &O,
        entity: &'s Entity,
        scope: &ReadScope,
    ) -> Result<&'s segment_model::schema::Column> {
        let OE::Path { var, segments } = &o.e else {
            return Err(self.cannot(o, "a computed value", "compare a property with a value"));
        };
        if var != &scope.var {
            let construct = match (var, &scope.var) {
                (None, Some(v)) => {
                    format!("a property of the outer record inside the lambda on {v}")
                }
                (Some(v), _) => format!("the variable {v} here"),
                (None, None) => "a property".to_string(),
            };
            return Err(self.cannot(
                o,
                construct,
                "conditions on related records use only that record's properties",
            ));
        }
        let name = segments.join(".");
        if name.is_empty() {
            let construct = match &o.e {
                OE::Path { var: Some(v), .. } => format!(
                    "the lambda variable {v} on its own (an item of a list of values) here",
                    v = clip(v)
                ),
                _ => "a lambda variable on its own".to_string(),
            };
            return Err(self.cannot(
                o,
                construct,
                "list items are read in any(v: v eq …), any(v: v in (…)), any(v: startswith(v, …)) (or endswith, contains) and all(v: v eq …); related records by their properties, like e/name",
            ));
        }
        let at = Position::in_text(self.text, o.at);
        resolve::read_column(FORMAT, entity, &name, &segments.join("/"), at)
    }

    /// `c`, `tolower(c)` (text, folded) or `date(c)`, `year(c)`… : the column and the wrapper.
    fn operand(
        &self,
        o: &O,
        entity: &'s Entity,
        scope: &ReadScope,
    ) -> Result<(&'s segment_model::schema::Column, Option<String>)> {
        match &o.e {
            OE::Path { .. } => Ok((self.column(o, entity, scope)?, None)),
            OE::Call { name, args }
                if args.len() == 1
                    && matches!(
                        name.as_str(),
                        "tolower"
                            | "toupper"
                            | "date"
                            | "year"
                            | "month"
                            | "day"
                            | "hour"
                            | "length"
                    ) =>
            {
                Ok((self.column(&args[0], entity, scope)?, Some(name.clone())))
            }
            OE::Call { name, .. } => Err(self.cannot(
                o,
                format!("the function {name}() here", name = clip(name)),
                "supported on the left: tolower, toupper, date, year, month, day, hour, length",
            )),
            _ => Err(self.cannot(
                o,
                "a value on the left of a comparison",
                "write the property first: country eq 'US'",
            )),
        }
    }

    /// Parenthesized pairs that spell one condition (see the module documentation).
    fn pattern(&self, o: &O, entity: &'s Entity, scope: &ReadScope) -> Result<Option<Leaf>> {
        if !o.parens {
            return Ok(None);
        }
        if let Some(leaf) = self.compared_pattern(o, entity, scope)? {
            return Ok(Some(leaf));
        }
        match &o.e {
            OE::And(items) if items.len() >= 2 && items.iter().all(|i| !i.parens) => {
                if let [a, b] = items.as_slice() {
                    // Guard: `c ne null and …` over the same property.
                    if let OE::Cmp { op, lhs, rhs } = &a.e {
                        if op == "ne" && rhs.e == OE::Null && matches!(lhs.e, OE::Path { .. }) {
                            let column = self.column(lhs, entity, scope)?;
                            if let Some(pos) = self.guarded(b, column, entity, scope)? {
                                return Ok(Some(Leaf { pos, neg: None }));
                            }
                        }
                    }
                    if let Some(leaf) = self.range(a, b, entity, scope)? {
                        return Ok(Some(leaf));
                    }
                }
                // Contains all of: `c/any(v: v eq 'a') and c/any(v: v eq 'b') …`.
                let mut attribute: Option<String> = None;
                let mut values = Vec::new();
                for item in items {
                    let Some((column, value)) = self.any_eq(item, entity, scope)? else {
                        return Ok(None);
                    };
                    if attribute.as_deref().is_some_and(|a| a != column.name) {
                        return Ok(None);
                    }
                    attribute = Some(column.name.clone());
                    values.push(value);
                }
                Ok(attribute.map(|a| Leaf {
                    pos: cond(&a, Operator::ContainsAllOf, Value::Array(values)),
                    neg: None,
                }))
            }
            OE::Or(items) if items.len() == 2 && items.iter().all(|i| !i.parens) => {
                let (a, b) = (&items[0], &items[1]);
                // Blank: `c eq null or c eq ''`.
                if let (
                    OE::Cmp {
                        op: o1,
                        lhs: l1,
                        rhs: r1,
                    },
                    OE::Cmp {
                        op: o2,
                        lhs: l2,
                        rhs: r2,
                    },
                ) = (&a.e, &b.e)
                {
                    if o1 == "eq"
                        && o2 == "eq"
                        && r1.e == OE::Null
                        && r2.e == OE::Str(String::new())
                        && same(l1, l2)
                        && matches!(l1.e, OE::Path { .. })
                    {
                        let column = self.column(l1, entity, scope)?;
                        if column.data_type == DataType::Text {
                            return Ok(Some(Leaf {
                                pos: cond(&column.name, Operator::IsBlank, Value::Null),
                                neg: None,
                            }));
                        }
                    }
                    // Not between: `x lt a or x gt b`.
                    if o1 == "lt" && o2 == "gt" && same(l1, l2) {
                        if let Some(node) =
                            self.between(l1, r1, r2, Operator::NotBetween, entity, scope)?
                        {
                            return Ok(Some(Leaf {
                                pos: node,
                                neg: None,
                            }));
                        }
                    }
                }
                Ok(None)
            }
            _ => Ok(None),
        }
    }

    /// `c/any(v: v eq 'a')` on a list column: the column and the value.
    fn any_eq(
        &self,
        o: &O,
        entity: &'s Entity,
        scope: &ReadScope,
    ) -> Result<Option<(&'s segment_model::schema::Column, Value)>> {
        let OE::Lambda {
            path,
            all: false,
            var: Some(v),
            body: Some(body),
        } = &o.e
        else {
            return Ok(None);
        };
        let OE::Path { .. } = &path.e else {
            return Ok(None);
        };
        let Ok(column) = self.column(path, entity, scope) else {
            return Ok(None);
        };
        if column.data_type != DataType::Array {
            return Ok(None);
        }
        let OE::Cmp { op, lhs, rhs } = &body.e else {
            return Ok(None);
        };
        if op != "eq"
            || !matches!(&lhs.e, OE::Path { var: Some(x), segments } if x == v && segments.is_empty())
        {
            return Ok(None);
        }
        Ok(element(rhs).map(|value| (column, value)))
    }

    /// The condition `b` spells for non-null values of `column`, when `b` is a guardable shape.
    fn guarded(
        &self,
        b: &O,
        column: &segment_model::schema::Column,
        entity: &'s Entity,
        scope: &ReadScope,
    ) -> Result<Option<Node>> {
        let same = |o: &O| -> Result<bool> {
            Ok(match &o.e {
                OE::Path { .. } => self
                    .column(o, entity, scope)
                    .is_ok_and(|c| c.name == column.name),
                _ => false,
            })
        };
        let attr = column.name.as_str();
        match &b.e {
            // `c ne x`, `tolower(c) ne tolower('x')`, `date(c) ne d`.
            OE::Cmp { op, lhs, rhs } if op == "ne" && rhs.e != OE::Null => {
                let Ok((col, wrapper)) = self.operand(lhs, entity, scope) else {
                    return Ok(None);
                };
                if col.name != column.name {
                    return Ok(None);
                }
                Ok(match (wrapper.as_deref(), col.data_type, &rhs.e) {
                    (None, DataType::Text, OE::Str(s)) => {
                        Some(cond(attr, Operator::IsNot, Value::String(s.clone())))
                    }
                    (Some("tolower"), DataType::Text, _) => self
                        .folded_literal(rhs)?
                        .map(|s| cond_ci(attr, Operator::IsNot, Value::String(s), false)),
                    (None, DataType::Number, OE::Num(n)) => {
                        Some(cond(attr, Operator::NotEquals, n.to_json()))
                    }
                    (Some("date"), DataType::Datetime, OE::Date(d)) => {
                        Some(cond(attr, Operator::NotOn, Value::String(date_literal(d))))
                    }
                    _ => None,
                })
            }
            OE::Not(inner) if !inner.parens || matches!(inner.e, OE::In { .. }) => match &inner.e {
                OE::In { lhs, items } if same(lhs)? => {
                    let values = self.in_values(items, column)?;
                    Ok(Some(cond(attr, Operator::IsNoneOf, values)))
                }
                OE::Lambda {
                    path,
                    all: false,
                    var,
                    body,
                } if same(path)? && column.data_type == DataType::Array => match (var, body) {
                    (None, None) => Ok(Some(cond(attr, Operator::IsEmpty, Value::Null))),
                    (Some(v), Some(body)) => Ok(self
                        .any_in(v, body)?
                        .map(|values| cond(attr, Operator::ContainsNoneOf, values))),
                    _ => Ok(None),
                },
                OE::Call { .. } => Ok(self
                    .string_function(inner, entity, scope)?
                    .filter(|(c, _)| c.name == column.name)
                    .map(|(_, leaf)| leaf.neg.unwrap_or_else(|| resolve::negate(leaf.pos)))),
                _ => Ok(None),
            },
            OE::Call { .. } => Ok(self
                .string_function(b, entity, scope)?
                .filter(|(c, _)| c.name == column.name)
                .map(|(_, leaf)| leaf.pos)),
            _ => Ok(None),
        }
    }

    /// `tolower('x')`, or a literal already in lower case.
    fn folded_literal(&self, o: &O) -> Result<Option<String>> {
        Ok(match &o.e {
            OE::Call { name, args } if name == "tolower" && args.len() == 1 => match &args[0].e {
                OE::Str(s) => Some(s.clone()),
                _ => None,
            },
            OE::Str(s) if !s.chars().any(|c| c.is_ascii_uppercase()) => Some(s.clone()),
            OE::Str(_) => {
                return Err(self.cannot(
                    o,
                    "a lower-cased property compared with upper-case text",
                    "it never matches; write tolower('…') on both sides",
                ))
            }
            _ => None,
        })
    }

    /// `contains(c, 'x')`, `startswith`, `endswith`, `matchesPattern`, with `tolower` on both
    /// sides for case-insensitive matching.
    fn string_function(
        &self,
        o: &O,
        entity: &'s Entity,
        scope: &ReadScope,
    ) -> Result<Option<(&'s segment_model::schema::Column, Leaf)>> {
        let OE::Call { name, args } = &o.e else {
            return Ok(None);
        };
        let (positive, negative) = match name.as_str() {
            "contains" => (Operator::Contains, Some(Operator::DoesNotContain)),
            "startswith" => (Operator::StartsWith, Some(Operator::DoesNotStartWith)),
            "endswith" => (Operator::EndsWith, Some(Operator::DoesNotEndWith)),
            "matchesPattern" => (Operator::MatchesRegex, None),
            _ => return Ok(None),
        };
        let [subject, literal] = args.as_slice() else {
            return Err(self.cannot(
                o,
                format!("{name}() with {} arguments", args.len(), name = clip(name)),
                format!("write {name}(property, 'text')", name = clip(name)),
            ));
        };
        let (column, wrapper) = self.operand(subject, entity, scope)?;
        if column.data_type != DataType::Text {
            return Err(self.cannot(
                o,
                format!(
                    "{name}() on {} ({})",
                    column.name,
                    column.data_type.label(),
                    name = clip(name)
                ),
                format!("{name}() applies to text", name = clip(name)),
            ));
        }
        let (text, case_sensitive) = match (wrapper.as_deref(), &literal.e) {
            (None, OE::Str(s)) => (s.clone(), true),
            (Some("tolower"), _) if positive != Operator::MatchesRegex => {
                match self.folded_literal(literal)? {
                    Some(s) => (s, false),
                    None => {
                        return Err(self.cannot(
                            literal,
                            format!("{name}() of a computed value", name = clip(name)),
                            "compare with 'text'",
                        ))
                    }
                }
            }
            _ => {
                return Err(self.cannot(
                    o,
                    format!("{name}() with these arguments", name = clip(name)),
                    format!("write {name}(property, 'text')", name = clip(name)),
                ))
            }
        };
        if text.is_empty() {
            return Err(self.cannot(
                literal,
                format!("{name}() of empty text", name = clip(name)),
                "give some text to match",
            ));
        }
        let attr = column.name.as_str();
        let pos = cond_ci(attr, positive, Value::String(text.clone()), case_sensitive);
        let neg = match negative {
            Some(op) => cond_ci(attr, op, Value::String(text), case_sensitive),
            None => Node::Group(Group::and(vec![
                cond(attr, Operator::IsNotNull, Value::Null),
                resolve::negate(pos.clone()),
            ])),
        };
        Ok(Some((
            column,
            Leaf {
                pos,
                neg: Some(neg),
            },
        )))
    }

    /// `v in ('a', 'b')` in a lambda over a list.
    fn any_in(&self, v: &str, body: &O) -> Result<Option<Value>> {
        let OE::In { lhs, items } = &body.e else {
            return Ok(None);
        };
        if !matches!(&lhs.e, OE::Path { var: Some(x), segments } if x == v && segments.is_empty()) {
            return Ok(None);
        }
        let mut values = Vec::with_capacity(items.len());
        for item in items {
            match element(item) {
                Some(value) => values.push(value),
                None => {
                    return Err(self.cannot(item, "a list item that is not text or a number", ""))
                }
            }
        }
        Ok(Some(Value::Array(values)))
    }

    fn in_values(&self, items: &[O], column: &segment_model::schema::Column) -> Result<Value> {
        let mut values = Vec::with_capacity(items.len());
        for item in items {
            let v = match (&item.e, column.data_type) {
                (OE::Str(s), DataType::Text) => Value::String(s.clone()),
                (OE::Num(n), DataType::Number) => n.to_json(),
                _ => {
                    return Err(self.cannot(
                        item,
                        format!(
                            "this value in a list for {} ({})",
                            column.name,
                            column.data_type.label()
                        ),
                        "list values of the property's type",
                    ))
                }
            };
            values.push(v);
        }
        Ok(Value::Array(values))
    }

    /// `c in (null, 'a', …)` (Graph writes it): is null, or is one of the others.
    fn in_with_null(&self, items: &[O], column: &segment_model::schema::Column) -> Result<Node> {
        let attr = column.name.as_str();
        let others: Vec<O> = items.iter().filter(|i| i.e != OE::Null).cloned().collect();
        let is_null = cond(attr, Operator::IsNull, Value::Null);
        if others.is_empty() {
            return Ok(is_null);
        }
        let values = self.in_values(&others, column)?;
        Ok(Node::Group(Group::or(vec![
            cond(attr, Operator::IsOneOf, values),
            is_null,
        ])))
    }

    /// `(x ge a and x le b)` and the relative-date pairs.
    fn range(&self, a: &O, b: &O, entity: &'s Entity, scope: &ReadScope) -> Result<Option<Leaf>> {
        let (
            OE::Cmp {
                op: o1,
                lhs: l1,
                rhs: r1,
            },
            OE::Cmp {
                op: o2,
                lhs: l2,
                rhs: r2,
            },
        ) = (&a.e, &b.e)
        else {
            return Ok(None);
        };
        if !same(l1, l2) || !matches!(l1.e, OE::Path { .. } | OE::Call { .. }) {
            return Ok(None);
        }
        if o1 == "ge" && o2 == "le" {
            if let Some(node) = self.between(l1, r1, r2, Operator::Between, entity, scope)? {
                return Ok(Some(Leaf {
                    pos: node,
                    neg: None,
                }));
            }
        }
        let OE::Path { .. } = &l1.e else {
            return Ok(None);
        };
        let column = self.column(l1, entity, scope)?;
        if column.data_type != DataType::Datetime {
            return Ok(None);
        }
        let attr = column.name.as_str();
        let span =
            |amount: u64, unit: TimeUnit| json!({"amount": amount, "unit": value::unit_name(unit)});
        let node = match (o1.as_str(), now_offset(r1), o2.as_str(), now_offset(r2)) {
            ("ge", Some(Some((n, u, false))), "le", Some(None)) => {
                Some(cond(attr, Operator::InTheLast, span(n, u)))
            }
            ("gt", Some(Some((n, u, false))), "le", Some(None)) => {
                Some(cond(attr, Operator::LessThanAgo, span(n, u)))
            }
            ("ge", Some(None), "le", Some(Some((n, u, true)))) => {
                Some(cond(attr, Operator::InTheNext, span(n, u)))
            }
            ("ge", Some(Some((far, u1, false))), "le", Some(Some((near, u2, false))))
                if u1 == u2 && far >= near =>
            {
                Some(cond(
                    attr,
                    Operator::BetweenAgo,
                    json!({"from": far, "to": near, "unit": value::unit_name(u1)}),
                ))
            }
            _ => None,
        };
        Ok(node.map(|pos| Leaf { pos, neg: None }))
    }

    /// `x ge a and x le b` (Between) or `x lt a or x gt b` (NotBetween) over numbers or moments.
    fn between(
        &self,
        x: &O,
        low: &O,
        high: &O,
        operator: Operator,
        entity: &'s Entity,
        scope: &ReadScope,
    ) -> Result<Option<Node>> {
        let (column, wrapper) = match self.operand(x, entity, scope) {
            Ok(found) => found,
            Err(_) => return Ok(None),
        };
        let attr = column.name.as_str();
        match (column.data_type, wrapper.as_deref()) {
            (DataType::Number, None) => match (&low.e, &high.e) {
                (OE::Num(a), OE::Num(b)) if a.as_f64() <= b.as_f64() => Ok(Some(cond(
                    attr,
                    operator,
                    json!([a.to_json(), b.to_json()]),
                ))),
                _ => Ok(None),
            },
            (DataType::Datetime, wrapper @ (None | Some("date"))) => {
                // Both sides use the same wrapper in our rendering only when both are dates or
                // both instants; mixed pairs are written as separate conditions.
                let side = |o: &O| match (&o.e, wrapper) {
                    (OE::Date(d), Some("date")) => Some(date_literal(d)),
                    (OE::DateTime(t), None) => Some(t.clone()),
                    _ => None,
                };
                match (side(low), side(high)) {
                    (Some(a), Some(b)) => {
                        let (ma, mb) = (
                            segment_model::time::parse_moment(&a),
                            segment_model::time::parse_moment(&b),
                        );
                        match (ma, mb) {
                            (Some(ma), Some(mb)) if ma.start() <= mb.start() => {
                                Ok(Some(cond(attr, operator, json!([a, b]))))
                            }
                            _ => Ok(None),
                        }
                    }
                    _ => Ok(None),
                }
            }
            _ => Ok(None),
        }
    }

    fn leaf(&self, o: &O, entity: &'s Entity, scope: &ReadScope, depth: usize) -> Result<Leaf> {
        let two = |pos: Node| Ok(Leaf { pos, neg: None });
        match &o.e {
            OE::Cmp { op, lhs, rhs } => self.comparison(o, op, lhs, rhs, entity, scope, depth),
            OE::In { lhs, items } => {
                let (column, wrapper) = self.operand(lhs, entity, scope)?;
                let attr = column.name.as_str();
                match wrapper.as_deref() {
                    None if items.iter().any(|i| i.e == OE::Null) => {
                        two(self.in_with_null(items, column)?)
                    }
                    None if matches!(column.data_type, DataType::Text | DataType::Number) => two(
                        cond(attr, Operator::IsOneOf, self.in_values(items, column)?),
                    ),
                    Some(part @ ("year" | "month" | "day" | "hour"))
                        if column.data_type == DataType::Datetime =>
                    {
                        let values = items
                            .iter()
                            .map(|i| match &i.e {
                                OE::Num(Num::Int(v)) => Ok(Value::from(*v)),
                                _ => Err(self.cannot(
                                    i,
                                    "a date part that is not a whole number",
                                    "",
                                )),
                            })
                            .collect::<Result<Vec<_>>>()?;
                        two(self.date_part(o, attr, part, values)?)
                    }
                    _ => Err(self.cannot(
                        o,
                        format!("in (…) on {} ({})", column.name, column.data_type.label()),
                        "in lists text or numbers",
                    )),
                }
            }
            OE::Call { name, .. } => match self.string_function(o, entity, scope)? {
                Some((_, leaf)) => Ok(leaf),
                None => Err(self.cannot(
                    o,
                    format!("the function {name}() as a condition", name = clip(name)),
                    "supported: contains, startswith, endswith, matchesPattern",
                )),
            },
            OE::Lambda {
                path,
                all,
                var,
                body,
            } => self.lambda(
                o,
                path,
                *all,
                var.as_deref(),
                body.as_deref(),
                entity,
                scope,
                depth,
            ),
            OE::Path { .. } => {
                let column = self.column(o, entity, scope)?;
                if column.data_type == DataType::Boolean {
                    two(cond(&column.name, Operator::IsTrue, Value::Null))
                } else {
                    Err(self.cannot(
                        o,
                        format!("the property {} on its own", column.name),
                        "compare it with a value",
                    ))
                }
            }
            OE::Dataverse { function, args } => self.dataverse(o, function, args, entity, scope),
            OE::Bool(_) => Err(self.cannot(
                o,
                "a constant true/false inside a condition",
                "remove it, or use it as the whole filter",
            )),
            OE::Count { .. } => {
                Err(self.cannot(o, "a count on its own", "compare it: events/$count ge 3"))
            }
            OE::Str(_)
            | OE::Num(_)
            | OE::Null
            | OE::Date(_)
            | OE::DateTime(_)
            | OE::Duration { .. }
            | OE::Arith { .. } => Err(self.cannot(
                o,
                "a value where a condition is expected",
                "write a comparison, like country eq 'US'",
            )),
            OE::And(_) | OE::Or(_) | OE::Not(_) => Err(self.error(o, "unexpected expression", "")),
        }
    }

    fn date_part(&self, o: &O, attr: &str, function: &str, values: Vec<Value>) -> Result<Node> {
        let part = match function {
            "year" => "year",
            "month" => "month",
            "hour" => "hour",
            _ => "day_of_month",
        };
        let value = json!({"part": part, "values": values});
        if let Err((_, message)) = value::read(Operator::DatePartIs, DataType::Datetime, &value) {
            return Err(self.cannot(o, format!("this {part}"), message));
        }
        Ok(cond(attr, Operator::DatePartIs, value))
    }

    #[allow(clippy::too_many_arguments)]
    fn comparison(
        &self,
        o: &O,
        op: &str,
        lhs: &O,
        rhs: &O,
        entity: &'s Entity,
        scope: &ReadScope,
        depth: usize,
    ) -> Result<Leaf> {
        let two = |pos: Node| Ok(Leaf { pos, neg: None });
        if let OE::Count { path, filter } = &lhs.e {
            return self
                .count(o, op, path, filter.as_deref(), rhs, entity, scope, depth)
                .map(|pos| Leaf { pos, neg: None });
        }
        if matches!(
            lhs.e,
            OE::Str(_) | OE::Num(_) | OE::Null | OE::Bool(_) | OE::Date(_) | OE::DateTime(_)
        ) {
            return Err(self.cannot(
                lhs,
                "a value on the left of a comparison",
                "write the property first: country eq 'US'",
            ));
        }
        if let Some(pos) = self.properties_compared(o, op, lhs, rhs, entity, scope)? {
            return two(pos);
        }
        let (column, wrapper) = self.operand(lhs, entity, scope)?;
        let attr = column.name.as_str();
        let ty = column.data_type;
        let wrong = || {
            self.cannot(
                o,
                format!("{} {op} this value ({} is {})", attr, attr, ty.label()),
                "compare it with a value of its type",
            )
        };
        match (wrapper.as_deref(), op, &rhs.e) {
            (None, "eq", OE::Null) => two(cond(attr, Operator::IsNull, Value::Null)),
            (None, "ne", OE::Null) => two(cond(attr, Operator::IsNotNull, Value::Null)),
            (_, _, OE::Null) => Err(self.cannot(o, format!("{op} null"), "null compares with eq or ne")),
            (None, _, _) => match (ty, op, &rhs.e) {
                (DataType::Text, "eq", OE::Str(s)) => two(cond(attr, Operator::Is, Value::String(s.clone()))),
                (DataType::Text, "ne", OE::Str(s)) => two(or_null(cond(attr, Operator::IsNot, Value::String(s.clone())), attr)),
                (DataType::Text, "gt", OE::Str(s)) if s.is_empty() => two(cond(attr, Operator::IsNotBlank, Value::Null)),
                // Ordered by code point, the model's one text order.
                (DataType::Text, "lt" | "le" | "gt" | "ge", OE::Str(s)) => {
                    let operator = match op {
                        "lt" => Operator::LessThan,
                        "le" => Operator::LessThanOrEqual,
                        "gt" => Operator::GreaterThan,
                        _ => Operator::GreaterThanOrEqual,
                    };
                    two(cond(attr, operator, Value::String(s.clone())))
                }
                (DataType::Number, _, OE::Num(n)) => {
                    let operator = match op {
                        "eq" => Operator::Equals,
                        "ne" => return two(or_null(cond(attr, Operator::NotEquals, n.to_json()), attr)),
                        "lt" => Operator::LessThan,
                        "le" => Operator::LessThanOrEqual,
                        "gt" => Operator::GreaterThan,
                        _ => Operator::GreaterThanOrEqual,
                    };
                    two(cond(attr, operator, n.to_json()))
                }
                (DataType::Boolean, "eq", OE::Bool(b)) => two(cond(attr, if *b { Operator::IsTrue } else { Operator::IsFalse }, Value::Null)),
                (DataType::Boolean, "ne", OE::Bool(b)) => two(or_null(cond(attr, if *b { Operator::IsFalse } else { Operator::IsTrue }, Value::Null), attr)),
                (DataType::Datetime, _, OE::DateTime(t)) => {
                    let operator = match op {
                        "lt" => Operator::Before,
                        "gt" => Operator::After,
                        "le" => Operator::OnOrBefore,
                        "ge" => Operator::OnOrAfter,
                        _ => return Err(self.cannot(o, format!("{attr} {op} an exact instant"), "compare instants with lt, le, gt, ge; days with date(…) eq")),
                    };
                    two(cond(attr, operator, Value::String(t.clone())))
                }
                (DataType::Datetime, _, OE::Date(_)) => {
                    Err(self.cannot(rhs, format!("{attr} {op} a date"), format!("compare the day: date({attr}) {op} …, or use a date-time")))
                }
                (DataType::Datetime, "lt", _) if now_offset(rhs).is_some() => match now_offset(rhs) {
                    Some(Some((n, u, false))) => two(cond(attr, Operator::MoreThanAgo, json!({"amount": n, "unit": value::unit_name(u)}))),
                    _ => Err(self.cannot(o, format!("{attr} lt this time"), "supported alone: lt now() sub duration'…' (more than … ago)")),
                },
                (DataType::Datetime, _, _) if now_offset(rhs).is_some() => Err(self.cannot(
                    o,
                    format!("{attr} {op} a time relative to now on its own"),
                    "write the pairs this import reads, e.g. (c ge now() sub duration'P30D' and c le now())",
                )),
                (DataType::Array, _, _) => Err(self.cannot(o, format!("comparing the list {attr}"), "use any(), $count or null checks")),
                _ => Err(wrong()),
            },
            (Some("tolower"), "eq" | "ne", _) if ty == DataType::Text => match self.folded_literal(rhs)? {
                Some(s) if op == "eq" => two(cond_ci(attr, Operator::Is, Value::String(s), false)),
                Some(s) => two(or_null(cond_ci(attr, Operator::IsNot, Value::String(s), false), attr)),
                None => Err(wrong()),
            },
            // `toupper(c) eq 'ABC'`: ignoring case, for ASCII text (the model folds ASCII).
            (Some("toupper"), "eq" | "ne", OE::Str(s))
                if ty == DataType::Text
                    && s.is_ascii()
                    && !s.chars().any(|c| c.is_ascii_lowercase()) =>
            {
                let value = Value::String(s.clone());
                if op == "eq" {
                    two(cond_ci(attr, Operator::Is, value, false))
                } else {
                    two(or_null(cond_ci(attr, Operator::IsNot, value, false), attr))
                }
            }
            // `date(c) eq date(now())`, `… date(now() sub duration'P1D')`: today, yesterday…
            (Some("date"), "eq", _) if ty == DataType::Datetime && day_from_today(rhs).is_some() => {
                let operator = match day_from_today(rhs) {
                    Some(0) => Operator::ThisPeriod,
                    Some(d) if d < 0 => Operator::LastPeriod,
                    _ => Operator::NextPeriod,
                };
                two(cond(attr, operator, Value::String("day".to_string())))
            }
            (Some("date"), _, OE::Date(d)) if ty == DataType::Datetime => {
                let day = Value::String(date_literal(d));
                match op {
                    "eq" => two(cond(attr, Operator::On, day)),
                    "ne" => two(or_null(cond(attr, Operator::NotOn, day), attr)),
                    "lt" => two(cond(attr, Operator::Before, day)),
                    "gt" => two(cond(attr, Operator::After, day)),
                    "le" => two(cond(attr, Operator::OnOrBefore, day)),
                    _ => two(cond(attr, Operator::OnOrAfter, day)),
                }
            }
            (Some(part @ ("year" | "month" | "day" | "hour")), "eq", OE::Num(Num::Int(v))) if ty == DataType::Datetime => {
                two(self.date_part(o, attr, part, vec![Value::from(*v)])?)
            }
            (Some("length"), "eq" | "lt" | "gt", OE::Num(Num::Int(n))) if ty == DataType::Text && *n >= 0 => {
                let operator = match op {
                    "eq" => Operator::LengthEquals,
                    "lt" => Operator::LengthLessThan,
                    _ => Operator::LengthGreaterThan,
                };
                two(cond(attr, operator, Value::from(*n)))
            }
            (Some(f), _, _) => Err(self.cannot(o, format!("{f}({attr}) {op} this value"), "see the list of OData shapes this import reads")),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn count(
        &self,
        o: &O,
        op: &str,
        path: &O,
        filter: Option<&O>,
        rhs: &O,
        entity: &'s Entity,
        scope: &ReadScope,
        depth: usize,
    ) -> Result<Node> {
        let OE::Num(Num::Int(n)) = rhs.e else {
            return Err(self.cannot(
                rhs,
                "a count compared with something other than a whole number",
                "e.g. events/$count ge 3",
            ));
        };
        if n < 0 {
            return Err(self.cannot(rhs, "a negative count", "use 0 or more"));
        }
        // A list column: its size.
        if let OE::Path { .. } = &path.e {
            if let Ok(column) = self.column(path, entity, scope) {
                if column.data_type == DataType::Array && filter.is_none() {
                    let operator = match op {
                        "eq" => Operator::SizeEquals,
                        "lt" => Operator::SizeLessThan,
                        "gt" => Operator::SizeGreaterThan,
                        _ => {
                            return Err(self.cannot(
                                o,
                                format!("a list size compared with {op}"),
                                "list sizes compare with eq, lt or gt",
                            ))
                        }
                    };
                    return Ok(cond(&column.name, operator, Value::from(n)));
                }
            }
        }
        let operator = match op {
            "ge" => CountOperator::AtLeast,
            "le" => CountOperator::AtMost,
            "eq" => CountOperator::Exactly,
            "gt" => CountOperator::MoreThan,
            "lt" => CountOperator::LessThan,
            _ => CountOperator::NotEquals,
        };
        let constraint = Constraint::Occurrences {
            operator,
            value: Value::from(n),
            census_operator: None,
        };
        self.related(path, None, filter, Some(constraint), entity, scope, depth)
    }

    #[allow(clippy::too_many_arguments)]
    fn lambda(
        &self,
        o: &O,
        path: &O,
        all: bool,
        var: Option<&str>,
        body: Option<&O>,
        entity: &'s Entity,
        scope: &ReadScope,
        depth: usize,
    ) -> Result<Leaf> {
        if all {
            return self.all_related(o, path, var, body, entity, scope, depth);
        }
        // A list column.
        if let OE::Path { .. } = &path.e {
            if let Ok(column) = self.column(path, entity, scope) {
                if column.data_type == DataType::Array {
                    let attr = column.name.as_str();
                    return match (var, body) {
                        (None, None) => Ok(Leaf {
                            pos: cond(attr, Operator::IsNotEmpty, Value::Null),
                            neg: None,
                        }),
                        (Some(v), Some(b)) => {
                            if let Some(values) = self.any_in(v, b)? {
                                return Ok(Leaf {
                                    pos: cond(attr, Operator::ContainsAnyOf, values),
                                    neg: None,
                                });
                            }
                            if let Some((_, value)) = self.any_eq(o, entity, scope)? {
                                return Ok(Leaf {
                                    pos: cond(
                                        attr,
                                        Operator::ContainsAllOf,
                                        Value::Array(vec![value]),
                                    ),
                                    neg: None,
                                });
                            }
                            if let Some((operator, text)) = item_text_test(v, b) {
                                return Ok(Leaf {
                                    pos: cond(attr, operator, Value::String(text)),
                                    neg: None,
                                });
                            }
                            Err(self.cannot(
                                b,
                                "this condition on list items",
                                "write v in (…), v eq …, startswith(v, …), endswith(v, …) or contains(v, …)",
                            ))
                        }
                        _ => Err(self.error(o, "a lambda needs a variable and a condition", "")),
                    };
                }
            }
        }
        let pos = self.related(path, var, body, None, entity, scope, depth)?;
        Ok(Leaf { pos, neg: None })
    }

    /// `events/all(e: body)`: no related record where the body is not true, that is
    /// NOT events/any(e: NOT body), with the model's NOT inside (a body that is null on a record,
    /// `contains` on a null name, is not true there, so that record fails `all`, as in OData).
    /// On a list of values only `all(v: v eq 'text')` reads ("every item is").
    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    fn all_related(
        &self,
        o: &O,
        path: &O,
        var: Option<&str>,
        body: Option<&O>,
        entity: &'s Entity,
        scope: &ReadScope,
        depth: usize,
    ) -> Result<Leaf> {
        if let Ok(column) = self.column(path, entity, scope) {
            if column.data_type == DataType::Array {
                if let (Some(v), Some(b)) = (var, body) {
                    if let Some(text) = item_equals(v, b) {
                        return Ok(Leaf {
                            pos: cond(&column.name, Operator::EveryItemIs, Value::String(text)),
                            neg: None,
                        });
                    }
                }
            }
            return Err(self.cannot(
                o,
                format!("all(…) on the list {}", column.name),
                "on a list, all(…) reads only v eq 'text' (every item is); write any(…) or contains none of",
            ));
        }
        let (Some(var), Some(body)) = (var, body) else {
            return Err(self.error(o, "all(…) needs a variable and a condition", ""));
        };
        match self.related(path, Some(var), Some(body), None, entity, scope, depth)? {
            Node::Relationship(mut r) => {
                r.filter = Group::and(vec![resolve::negate(Node::Group(r.filter))]);
                Ok(Leaf {
                    pos: resolve::negate(Node::Relationship(r)),
                    neg: None,
                })
            }
            _ => Err(self.cannot(o, "all(…) here", "use all(…) on a relationship")),
        }
    }

    /// A relationship condition from a collection path, its lambda/filter and a constraint.
    #[allow(clippy::too_many_arguments)]
    fn related(
        &self,
        path: &O,
        var: Option<&str>,
        body: Option<&O>,
        constraint: Option<Constraint>,
        entity: &'s Entity,
        scope: &ReadScope,
        depth: usize,
    ) -> Result<Node> {
        let OE::Path { var: pv, segments } = &path.e else {
            return Err(self.cannot(
                path,
                "a computed collection",
                "use a relationship, like events",
            ));
        };
        if pv != &scope.var || segments.len() != 1 {
            return Err(self.cannot(
                path,
                format!("the collection {}", segments.join("/")),
                "use a relationship of the record",
            ));
        }
        let name = &segments[0];
        let at = Position::in_text(self.text, path.at);
        let (r, related) = resolve::read_relationship(FORMAT, self.schema, entity, name, at)?;
        let inner = ReadScope {
            var: var.map(str::to_string),
        };
        let filter = match body {
            None => None,
            Some(b) => Some(self.tree(b, related, &inner, true, true, depth + 1)?),
        };
        Ok(resolve::read_related(r, constraint, None, filter))
    }
}

/// `now()` → `Some(None)`; `now() sub duration'…'` → `Some(Some((n, unit, false)))`;
/// `now() add …` → `(…, true)`; anything else `None`.
#[allow(clippy::type_complexity)]
fn now_offset(o: &O) -> Option<Option<(u64, TimeUnit, bool)>> {
    let is_now =
        |o: &O| matches!(&o.e, OE::Call { name, args } if name == "now" && args.is_empty());
    match &o.e {
        _ if is_now(o) => Some(None),
        OE::Arith { op, lhs, rhs } if is_now(lhs) => match &rhs.e {
            OE::Duration { amount, unit } => Some(Some((*amount, *unit, op == "add"))),
            _ => None,
        },
        _ => None,
    }
}

/// `date(now())` → 0 (today); `date(now() sub duration'P1D')` → -1; `… add …` → 1.
fn day_from_today(o: &O) -> Option<i8> {
    let OE::Call { name, args } = &o.e else {
        return None;
    };
    let [inner] = args.as_slice() else {
        return None;
    };
    match (name.as_str(), now_offset(inner)?) {
        ("date", None) => Some(0),
        ("date", Some((1, TimeUnit::Day, after))) => Some(if after { 1 } else { -1 }),
        _ => None,
    }
}

/// A function that is null when its property is null.
fn is_null_function(o: &O) -> bool {
    matches!(&o.e, OE::Call { name, .. } if matches!(name.as_str(), "contains" | "startswith" | "endswith" | "matchesPattern"))
}

/// The same property or function of a property, wherever it was written.
fn same(a: &O, b: &O) -> bool {
    match (&a.e, &b.e) {
        (
            OE::Path {
                var: v1,
                segments: s1,
            },
            OE::Path {
                var: v2,
                segments: s2,
            },
        ) => v1 == v2 && s1 == s2,
        (OE::Call { name: n1, args: a1 }, OE::Call { name: n2, args: a2 }) => {
            n1 == n2 && a1.len() == a2.len() && a1.iter().zip(a2).all(|(x, y)| same(x, y))
        }
        _ => false,
    }
}

/// A list item: text or a number.
fn element(o: &O) -> Option<Value> {
    match &o.e {
        OE::Str(s) => Some(Value::String(s.clone())),
        OE::Num(n) => Some(n.to_json()),
        _ => None,
    }
}

/// Whether `o` is the lambda variable `v` on its own (an item of a list of values).
fn is_item(o: &O, v: &str) -> bool {
    matches!(&o.e, OE::Path { var: Some(x), segments } if x == v && segments.is_empty())
}

/// `startswith(v, 'text')`, `endswith(…)` or `contains(…)` on a list item `v`: the operator
/// "has an item …" and its text (never empty, as the model requires).
fn item_text_test(v: &str, body: &O) -> Option<(Operator, String)> {
    let OE::Call { name, args } = &body.e else {
        return None;
    };
    let operator = match name.as_str() {
        "startswith" => Operator::AnyItemStartsWith,
        "endswith" => Operator::AnyItemEndsWith,
        "contains" => Operator::AnyItemContains,
        _ => return None,
    };
    match args.as_slice() {
        [item, text] if is_item(item, v) => match &text.e {
            OE::Str(s) if !s.is_empty() => Some((operator, s.clone())),
            _ => None,
        },
        _ => None,
    }
}

/// `v eq 'text'` on a list item `v` (in `all(…)`: every item is that text).
fn item_equals(v: &str, body: &O) -> Option<String> {
    let OE::Cmp { op, lhs, rhs } = &body.e else {
        return None;
    };
    match (&rhs.e, op.as_str()) {
        (OE::Str(s), "eq") if is_item(lhs, v) => Some(s.clone()),
        _ => None,
    }
}
