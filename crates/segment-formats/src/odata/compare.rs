//! Two properties of the same record compared: `HomeState eq WorkState`,
//! `date(StartTime) ne date(EndTime)`.
//!
//! OData's null rules for two properties differ from the model's (where a null on either side
//! makes the comparison false): `null eq null` is true, `ne` is true when exactly one side is
//! null, `le`/`ge` are true when both are null, `lt`/`gt` are false on any null. So the
//! renderer writes the model's comparison with guards, `(A ne null and A eq B)`,
//! `(A ne null and B ne null and A ne B)`, `(A ne null and A le B)`, `A lt B`, and the parser
//! reads exactly those shapes back as one comparison, and anything else by OData's rules:
//! `A eq B` is "A is B, or both are null", `A ne B` its complement.

use segment_model::ir::CompareOp;
use segment_model::schema::{Column, DataType, Entity};
use segment_model::tree::{Group, Node};
use segment_model::Operator;
use serde_json::Value;

use super::{cond, same, Leaf, FORMAT, O, OE};
use super::{Read, ReadScope};
use crate::compare;
use crate::error::{Position, Result};
use crate::resolve;

/// The OData of the model's comparison of `left` and `right` (property paths): the text and
/// whether it is a parenthesized conjunction.
pub(super) fn render(left: &str, right: &str, op: CompareOp, date_only: bool) -> String {
    let side = |p: &str| {
        if date_only {
            format!("date({p})")
        } else {
            p.to_string()
        }
    };
    let test = format!(
        "{} {} {}",
        side(left),
        compare::odata_symbol(op),
        side(right)
    );
    match op {
        CompareOp::Lt | CompareOp::Gt => test,
        CompareOp::Eq | CompareOp::Le | CompareOp::Ge => format!("({left} ne null and {test})"),
        CompareOp::Ne => format!("({left} ne null and {right} ne null and {test})"),
    }
}

/// A property, or `date(…)` of one: the path and whether it is a date.
fn side(o: &O) -> Option<(&O, bool)> {
    match &o.e {
        OE::Path { .. } => Some((o, false)),
        OE::Call { name, args } if name.eq_ignore_ascii_case("date") && args.len() == 1 => {
            matches!(args[0].e, OE::Path { .. }).then(|| (&args[0], true))
        }
        _ => None,
    }
}

impl<'s> Read<'_, 's> {
    /// The model's comparison `lhs op rhs` (no null rules applied), when both sides are
    /// properties or dates of properties.
    fn compared(
        &self,
        o: &O,
        op: &str,
        lhs: &O,
        rhs: &O,
        entity: &'s Entity,
        scope: &ReadScope,
    ) -> Result<Option<(Node, &'s Column, &'s Column)>> {
        let (Some((a, date_a)), Some((b, date_b))) = (side(lhs), side(rhs)) else {
            return Ok(None);
        };
        let construct = || format!("{} {op} {}", self.slice(lhs), self.slice(rhs));
        let Some(cmp) = compare::op_from_symbol(op) else {
            return Ok(None);
        };
        if date_a != date_b {
            return Err(self.cannot(
                o,
                format!("comparing a date with a date-time ({})", construct()),
                "compare date(…) with date(…), or two properties",
            ));
        }
        // The left property is judged before the right one is looked up, so that reading
        // without data types the left one by what it is compared with.
        let left = self.column(a, entity, scope)?;
        if date_a && left.data_type != DataType::Datetime {
            return Err(self.cannot(
                o,
                format!("date() of {} ({})", left.name, left.data_type.label()),
                "date() applies to date-time properties",
            ));
        }
        if segment_model::compare::operator_for(cmp, left.data_type).is_none() {
            return Err(self.cannot(
                o,
                format!("comparing two properties ({})", construct()),
                "properties compare as text with eq and ne, as numbers or dates with any comparison",
            ));
        }
        let right = self.column(b, entity, scope)?;
        let at = Position::in_text(self.text, o.at);
        let node = compare::read(FORMAT, left, cmp, right, date_a, &construct(), at)?;
        Ok(Some((node, left, right)))
    }

    /// `lhs op rhs` between two properties, read by OData's null rules.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn properties_compared(
        &self,
        o: &O,
        op: &str,
        lhs: &O,
        rhs: &O,
        entity: &'s Entity,
        scope: &ReadScope,
    ) -> Result<Option<Node>> {
        let read_op = if op == "ne" { "eq" } else { op };
        let Some((node, left, right)) = self.compared(o, read_op, lhs, rhs, entity, scope)? else {
            return Ok(None);
        };
        let both_null = Node::Group(Group::and(vec![
            cond(&left.name, Operator::IsNull, Value::Null),
            cond(&right.name, Operator::IsNull, Value::Null),
        ]));
        Ok(Some(match op {
            "lt" | "gt" => node,
            "ne" => resolve::negate(Node::Group(Group::or(vec![node, both_null]))),
            _ => Node::Group(Group::or(vec![node, both_null])),
        }))
    }

    /// The renderer's guarded shapes (see the module documentation) read as one comparison.
    pub(super) fn compared_pattern(
        &self,
        o: &O,
        entity: &'s Entity,
        scope: &ReadScope,
    ) -> Result<Option<Leaf>> {
        let OE::And(items) = &o.e else {
            return Ok(None);
        };
        if items.iter().any(|i| i.parens) {
            return Ok(None);
        }
        let (guards, last) = match items.as_slice() {
            [g, last] => (vec![g], last),
            [g1, g2, last] => (vec![g1, g2], last),
            _ => return Ok(None),
        };
        let OE::Cmp { op, lhs, rhs } = &last.e else {
            return Ok(None);
        };
        let (Some((a, _)), Some((b, _))) = (side(lhs), side(rhs)) else {
            return Ok(None);
        };
        let guarded: Vec<&O> = guards
            .iter()
            .filter_map(|g| match &g.e {
                OE::Cmp { op, lhs, rhs } if op == "ne" && rhs.e == OE::Null => Some(&**lhs),
                _ => None,
            })
            .collect();
        let expected: Vec<&O> = match op.as_str() {
            "eq" | "le" | "ge" => vec![a],
            "ne" => vec![a, b],
            _ => return Ok(None),
        };
        let matches = guarded.len() == guards.len()
            && guarded.len() == expected.len()
            && guarded.iter().zip(&expected).all(|(g, e)| same(g, e));
        if !matches {
            return Ok(None);
        }
        Ok(self
            .compared(last, op, lhs, rhs, entity, scope)?
            .map(|(pos, _, _)| Leaf { pos, neg: None }))
    }

    /// The text of `o` as written (for naming it in a refusal).
    fn slice(&self, o: &O) -> String {
        let rest = self.text.get(o.at..).unwrap_or("");
        rest.split_whitespace().next().unwrap_or("").to_string()
    }
}
