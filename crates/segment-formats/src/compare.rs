//! Two attributes of the same record compared (`segment_model::compare`): the renderers'
//! resolution of such a condition and the parsers' construction of one, shared by every format.

use segment_model::compare::{self, AttributeValue};
use segment_model::ir::CompareOp;
use segment_model::schema::{Column, Entity};
use segment_model::tree::{Condition, Node};

use crate::error::{clip, Error, Position, Result};
use crate::resolve;
use crate::value::Operand;
use crate::Format;

/// For a renderer: the other attribute of `c` (whose own attribute is `column`), checked as
/// validation checks it; an `Invalid` error at the node otherwise.
pub(crate) fn resolve(
    format: Format,
    entity: &Entity,
    column: &Column,
    c: &Condition,
    path: &str,
) -> Result<Operand> {
    let value_path = format!("{path}/value");
    let other = match compare::attribute_value(&c.value) {
        Some(Ok(other)) => other,
        Some(Err(message)) => return Err(Error::invalid(format, &value_path, message)),
        None => {
            return Err(Error::invalid(
                format,
                &value_path,
                "Name the other attribute.",
            ))
        }
    };
    let ty = column.data_type;
    if compare::compare_op(c.operator, ty).is_none() {
        return Err(Error::invalid(
            format,
            &format!("{path}/operator"),
            format!(
                "“{}” does not compare {} ({}) with another attribute.",
                c.operator.label(),
                column.name,
                ty.label()
            ),
        ));
    }
    let right = resolve::column(format, entity, &other.attribute, &value_path)?;
    if right.data_type != ty {
        return Err(Error::invalid(
            format,
            &format!("{value_path}/attribute"),
            format!(
                "{} is {} and {} is {}: compare attributes of the same type.",
                column.name,
                ty.label(),
                right.name,
                right.data_type.label()
            ),
        ));
    }
    if other.date_only && ty != segment_model::DataType::Datetime {
        return Err(Error::invalid(
            format,
            &format!("{value_path}/date_only"),
            "Only dates and times can be compared by their date.",
        ));
    }
    if c.case_sensitive == Some(false) {
        return Err(Error::invalid(
            format,
            &format!("{path}/case_sensitive"),
            "Two attributes are compared exactly: case cannot be ignored here.",
        ));
    }
    Ok(Operand::Attribute(other))
}

/// The comparison an operator makes between two attributes of `left`'s type (`Eq` when none:
/// `resolve` refused those already).
pub(crate) fn compare_op(c: &Condition, left: &Column) -> CompareOp {
    compare::compare_op(c.operator, left.data_type).unwrap_or(CompareOp::Eq)
}

/// For a parser: the condition "`left` `cmp` `right`" read at `at` (`construct` names it in a
/// refusal), or why the tree cannot hold it (different types, a type or an order the model
/// does not compare).
pub(crate) fn read(
    format: Format,
    left: &Column,
    cmp: CompareOp,
    right: &Column,
    date_only: bool,
    construct: &str,
    at: Position,
) -> Result<Node> {
    let refuse = |hint: String| {
        Error::unrepresentable(
            format,
            format!("comparing two fields ({})", clip(construct)),
            at.clone(),
            hint,
        )
    };
    if left.data_type != right.data_type {
        return Err(refuse(format!(
            "{} is {} and {} is {}: compare fields of the same type",
            left.name,
            left.data_type.label(),
            right.name,
            right.data_type.label()
        )));
    }
    let Some(operator) = compare::operator_for(cmp, left.data_type) else {
        return Err(refuse(
            "fields compare as text with = and !=, as numbers or dates with any comparison"
                .to_string(),
        ));
    };
    let value = AttributeValue {
        attribute: right.name.clone(),
        date_only,
    };
    Ok(Node::Condition(Condition::new(
        &left.name,
        operator,
        value.to_json(),
    )))
}

/// The comparison operator written `symbol` in PQL (`=`, `!=`, `<`…) or OData (`eq`, `ne`…).
pub(crate) fn op_from_symbol(symbol: &str) -> Option<CompareOp> {
    Some(match symbol {
        "=" | "eq" => CompareOp::Eq,
        "!=" | "ne" => CompareOp::Ne,
        "<" | "lt" => CompareOp::Lt,
        "<=" | "le" => CompareOp::Le,
        ">" | "gt" => CompareOp::Gt,
        ">=" | "ge" => CompareOp::Ge,
        _ => return None,
    })
}

/// PQL's spelling of a comparison.
pub(crate) fn pql_symbol(cmp: CompareOp) -> &'static str {
    match cmp {
        CompareOp::Eq => "=",
        CompareOp::Ne => "!=",
        CompareOp::Lt => "<",
        CompareOp::Le => "<=",
        CompareOp::Gt => ">",
        CompareOp::Ge => ">=",
    }
}

/// OData's spelling of a comparison.
pub(crate) fn odata_symbol(cmp: CompareOp) -> &'static str {
    match cmp {
        CompareOp::Eq => "eq",
        CompareOp::Ne => "ne",
        CompareOp::Lt => "lt",
        CompareOp::Le => "le",
        CompareOp::Gt => "gt",
        CompareOp::Ge => "ge",
    }
}
