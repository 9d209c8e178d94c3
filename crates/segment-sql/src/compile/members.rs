//! Membership of a static segment: `key IN (<the members' keys>)`, the key list spelled by the
//! dialect ([`Dialect::member_keys`]: one bound JSON array on SQLite, a bound list elsewhere).
//! A NULL key is never a member, so under NOT the test is guarded like a column's.

use segment_model::ir::Members;

use super::{element_value, Compiler, Scope};
use crate::error::Result;
use crate::fragment::Cond;

impl Compiler<'_> {
    pub(super) fn members(&self, members: &Members, scope: &Scope, negative: bool) -> Result<Cond> {
        self.check_entity(&members.column, scope.entity)?;
        let key = self.qualified(scope, &members.column.name)?;
        let keys = members
            .keys
            .iter()
            .map(element_value)
            .collect::<Result<Vec<_>>>()?;
        let test = key
            .clone()
            .text(" IN (")
            .append(&self.dialect.member_keys(keys))
            .text(")")
            .note(&format!("the members of segment {}", members.segment));
        Ok(Cond::Atom(if negative {
            Self::not_null_and(&key, test)
        } else {
            test
        }))
    }
}
