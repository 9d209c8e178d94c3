//! A condition whose value is another attribute of the same record (see [`crate::compare`]):
//! the other attribute is checked against the schema like the first, both must be of one type
//! that compares, and the operator must be one that compares two attributes of it.

use crate::compare::{self, AttributeValue};
use crate::ir::{ColumnComparison, ColumnRef, Expr};
use crate::operator::Operator;
use crate::schema::{Column, DataType, Entity};
use crate::tree::Condition;

use super::Checker;

impl<'s> Checker<'s> {
    /// The comparison of `column` (the condition's own attribute) with the attribute its value
    /// names, or `Expr::False` after recording the problems.
    pub(super) fn attribute_comparison(
        &mut self,
        cond: &Condition,
        column: &Column,
        entity: &'s Entity,
        path: &str,
    ) -> Expr {
        let value_path = format!("{path}/value");
        let other = match compare::attribute_value(&cond.value) {
            Some(Ok(other)) => other,
            Some(Err(message)) => {
                self.problem(value_path, message);
                return Expr::False;
            }
            None => return Expr::False,
        };
        let ty = column.data_type;
        let Some(op) = compare::compare_op(cond.operator, ty) else {
            self.operator_does_not_compare(cond.operator, column, path);
            return Expr::False;
        };
        let Some(right) = self.other_column(&other, column, entity, &value_path) else {
            return Expr::False;
        };
        if cond.case_sensitive == Some(false) {
            self.problem(
                format!("{path}/case_sensitive"),
                "Two attributes are compared exactly: case cannot be ignored here.",
            );
            return Expr::False;
        }
        if other.date_only && ty != DataType::Datetime {
            self.problem(
                format!("{value_path}/date_only"),
                "Only dates and times can be compared by their date.",
            );
            return Expr::False;
        }
        let column_ref = |c: &Column| ColumnRef {
            entity: entity.name.clone(),
            name: c.name.clone(),
            data_type: c.data_type,
            storage: c.storage,
        };
        Expr::Compare(Box::new(ColumnComparison {
            left: column_ref(column),
            op,
            right: column_ref(right),
            date_only: other.date_only,
        }))
    }

    fn operator_does_not_compare(&mut self, op: Operator, column: &Column, path: &str) {
        let ty = column.data_type;
        let valid: Vec<&str> = compare::operators_for(ty)
            .iter()
            .map(|op| op.label())
            .collect();
        let message = if valid.is_empty() {
            format!(
                "{} ({}) cannot be compared with another attribute.",
                column.name,
                ty.label()
            )
        } else {
            format!(
                "“{}” does not compare {} with another attribute. Use one of: {}.",
                op.label(),
                column.name,
                valid.join(", ")
            )
        };
        self.problem(format!("{path}/operator"), message);
    }

    fn other_column(
        &mut self,
        other: &AttributeValue,
        column: &Column,
        entity: &'s Entity,
        value_path: &str,
    ) -> Option<&'s Column> {
        let Some(right) = entity.column(&other.attribute) else {
            let known: Vec<&str> = entity.columns.iter().map(|c| c.name.as_str()).collect();
            self.problem(
                format!("{value_path}/attribute"),
                format!(
                    "“{}” is not an attribute of {}. Known: {}.",
                    other.attribute,
                    entity.name,
                    known.join(", ")
                ),
            );
            return None;
        };
        if right.data_type != column.data_type {
            self.problem(
                format!("{value_path}/attribute"),
                format!(
                    "{} is {} and {} is {}: compare attributes of the same type.",
                    column.name,
                    column.data_type.label(),
                    right.name,
                    right.data_type.label()
                ),
            );
            return None;
        }
        Some(right)
    }
}
