//! Two attributes of the same record compared (`ir::ColumnComparison`): `a = b` for text and
//! numbers, whole UTC seconds (`Dialect::epoch_seconds`) or UTC days (`Dialect::period_key`)
//! for dates and times, so columns of different time storages compare as the engine compares
//! them. A NULL on either side makes the SQL comparison NULL, which WHERE drops as the model's
//! "false"; under NOT both columns are guarded, so NOT stays the exact complement.

use segment_model::ir::ColumnComparison;
use segment_model::schema::DataType;
use segment_model::tree::TimeUnit;

use super::{op_sql, Compiler, Scope};
use crate::error::Result;
use crate::fragment::Cond;

impl Compiler<'_> {
    pub(super) fn compare_columns(
        &self,
        comparison: &ColumnComparison,
        scope: &Scope,
        negative: bool,
    ) -> Result<Cond> {
        self.check_entity(&comparison.left, scope.entity)?;
        self.check_entity(&comparison.right, scope.entity)?;
        let left = self.qualified(scope, &comparison.left.name)?;
        let right = self.qualified(scope, &comparison.right.name)?;
        let (a, b) = match comparison.left.data_type {
            DataType::Datetime if comparison.date_only => (
                self.dialect
                    .period_key(left.clone(), comparison.left.storage, TimeUnit::Day)?,
                self.dialect
                    .period_key(right.clone(), comparison.right.storage, TimeUnit::Day)?,
            ),
            DataType::Datetime => (
                self.dialect
                    .epoch_seconds(left.clone(), comparison.left.storage)?,
                self.dialect
                    .epoch_seconds(right.clone(), comparison.right.storage)?,
            ),
            _ => (left.clone(), right.clone()),
        };
        let test = a.text(op_sql(comparison.op)).append(&b);
        Ok(Cond::Atom(if negative {
            left.text(" IS NOT NULL AND ")
                .append(&right)
                .text(" IS NOT NULL AND ")
                .append(&test)
                .parens()
        } else {
            test
        }))
    }
}
