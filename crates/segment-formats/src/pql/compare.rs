//! PQL's comparison of two fields of the profile (or of one related record):
//! `homeAddress.stateProvince = workAddress.stateProvince`. Text with `=` and `!=`, numbers
//! with any comparison; PQL compares dates with `occurs`, so two date fields are refused by
//! name, as is a comparison of their dates only.

use segment_model::compare::AttributeValue;
use segment_model::schema::{DataType, Entity};
use segment_model::tree::{Condition, Node};

use super::{cmp, Lower, Raise, P};
use crate::compare;
use crate::error::{Error, Result};

impl<'s> Lower<'s> {
    pub(super) fn fields_compared(
        &self,
        c: &Condition,
        entity: &'s Entity,
        var: Option<&str>,
        field: P,
        other: &AttributeValue,
        path: &str,
    ) -> Result<P> {
        let Some(column) = entity.column(&c.attribute) else {
            return Err(Error::invalid(self.format, path, "unknown attribute"));
        };
        if column.data_type == DataType::Datetime {
            return Err(Error::unsupported(
                self.format,
                "a comparison of two dates",
                &format!("{path}/value"),
                "PQL compares a date with occurs and a fixed date",
            ));
        }
        let op = compare::compare_op(c, column);
        let right = self.field(var, &other.attribute, &format!("{path}/value"))?;
        Ok(cmp(compare::pql_symbol(op), field, right))
    }
}

impl<'s> Raise<'s, '_> {
    pub(super) fn fields_compared_read(
        &self,
        p: &P,
        op: &str,
        lhs: &P,
        rhs: &P,
        entity: &'s Entity,
        var: Option<&str>,
    ) -> Result<Node> {
        let construct = |a: &P, b: &P| format!("{} {op} {}", field_text(a), field_text(b));
        let Some(cmp) = compare::op_from_symbol(op) else {
            return Err(self.cannot(
                &p.at,
                format!("comparing two fields ({})", construct(lhs, rhs)),
                "fields compare with =, !=, <, <=, > and >=",
            ));
        };
        // The left field is judged before the right one is looked up, so that reading without
        // data types the left one by what it is compared with.
        let left = self.column(lhs, entity, var)?;
        if left.data_type == DataType::Datetime {
            return Err(self.cannot(
                &p.at,
                format!("comparing two dates ({})", construct(lhs, rhs)),
                "PQL compares a date with occurs and a fixed date",
            ));
        }
        if segment_model::compare::operator_for(cmp, left.data_type).is_none() {
            return Err(self.cannot(
                &p.at,
                format!("comparing two fields ({})", construct(lhs, rhs)),
                "fields compare as text with = and !=, as numbers with any comparison",
            ));
        }
        let right = self.column(rhs, entity, var)?;
        compare::read(
            self.format,
            left,
            cmp,
            right,
            false,
            &construct(lhs, rhs),
            (self.locate)(&p.at),
        )
    }
}

fn field_text(p: &P) -> String {
    match &p.e {
        super::Expr::Field { path, .. } => path.join("."),
        _ => "…".to_string(),
    }
}
