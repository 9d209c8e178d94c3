//! The constraints that order related records in time, as sub-selects of the related records:
//!
//! - first / last time: `GROUP BY fk HAVING <test of MIN(time) / MAX(time)>`, over the records
//!   with a time (NULL times are never first or last);
//! - the first / most recent record's attribute: the records whose time equals their group's
//!   `MIN` / `MAX` (a correlated sub-select, an index seek on the import's
//!   `(filter column, fk, time)` indexes), any of them (ties) passing the test;
//! - distinct periods: `HAVING COUNT(DISTINCT <period of time>)`, the period spelled by the
//!   dialect (`Dialect::period_key`).

use segment_model::ir::{ColumnRef, CountTest, Extreme, Related, RelatedConstraint};
use segment_model::schema::Storage;

use super::{count_value, Compiler, Scope, Shape};
use crate::error::Result;
use crate::fragment::{Cond, Fragment, Select};

impl Compiler<'_> {
    /// The shape of an ordering constraint; `filter` (the related records' conditions) gains
    /// what the constraint adds to it.
    pub(super) fn ordered(
        &self,
        related: &Related,
        inner: &Scope,
        filter: &mut Vec<Cond>,
    ) -> Result<Shape> {
        match &related.constraint {
            RelatedConstraint::TimeOf {
                which,
                column,
                predicate,
            } => {
                self.check_entity(column, &related.to_entity)?;
                let col = self.qualified(inner, &column.name)?;
                filter.push(Cond::Atom(Self::is_not_null(&col)));
                let extreme = self.extreme(*which, col, column);
                let test = self.predicate(extreme, column, predicate)?;
                Ok(Shape::In {
                    having: Some(test.frag),
                })
            }
            RelatedConstraint::RecordOf {
                which,
                column,
                test,
            } => {
                self.check_entity(column, &related.to_entity)?;
                let col = self.qualified(inner, &column.name)?;
                let peer = Scope {
                    entity: &related.to_entity,
                    depth: inner.depth + 1,
                };
                let mut peer_filter = self.related_filter(related, &peer)?;
                peer_filter.push(Cond::Atom(
                    self.qualified(&peer, &related.to_column)?
                        .text(" = ")
                        .append(&self.qualified(inner, &related.to_column)?),
                ));
                let extreme = Select {
                    columns: self.extreme(*which, self.qualified(&peer, &column.name)?, column),
                    from: self.table(&peer)?,
                    filter: Some(Cond::And(peer_filter)),
                    group_by: None,
                    having: None,
                    order_by: None,
                    limit: None,
                };
                filter.push(Cond::Atom(col.text(" = ").subquery(extreme)));
                filter.push(self.expr(test, inner, false)?);
                Ok(Shape::In { having: None })
            }
            RelatedConstraint::DistinctPeriods {
                unit,
                column,
                count,
            } => {
                self.check_entity(column, &related.to_entity)?;
                let col = self.qualified(inner, &column.name)?;
                filter.push(Cond::Atom(Self::is_not_null(&col)));
                let key = self.dialect.period_key(col, column.storage, *unit)?;
                let distinct = Fragment::sql("COUNT(DISTINCT ").append(&key).text(")");
                distinct_shape(&distinct, *count)
            }
            RelatedConstraint::Count { .. }
            | RelatedConstraint::CountNot(_)
            | RelatedConstraint::Aggregate { .. } => Err(self
                .dialect
                .unsupported("a count as an ordering constraint")),
        }
    }

    /// `MIN(time)` or `MAX(time)`; ISO text in the byte order that is time order.
    fn extreme(&self, which: Extreme, col: Fragment, column: &ColumnRef) -> Fragment {
        let text = matches!(
            column.storage,
            Storage::IsoDate | Storage::IsoDateTime | Storage::IsoDateTimeSpace
        );
        let operand = if text {
            self.dialect.time_text_operand(col)
        } else {
            col
        };
        let function = match which {
            Extreme::First => "MIN(",
            Extreme::Last => "MAX(",
        };
        Fragment::sql(function).append(&operand).text(")")
    }
}

/// How the number of distinct periods is tested (a group without records has 0).
fn distinct_shape(distinct: &Fragment, count: CountTest) -> Result<Shape> {
    let compare = |op: &str, n: u64| -> Result<Option<Fragment>> {
        Ok(Some(distinct.clone().text(op).param(count_value(n)?)))
    };
    Ok(match count {
        CountTest::Range { min: 0, max: None } => Shape::Constant(true),
        CountTest::Range {
            min,
            max: Some(max),
        } if min > max => Shape::Constant(false),
        CountTest::Range {
            min: 0,
            max: Some(max),
        } => Shape::NotIn {
            having: compare(" > ", max)?,
        },
        CountTest::Range { min, max: None } => Shape::In {
            having: compare(" >= ", min)?,
        },
        CountTest::Range {
            min,
            max: Some(max),
        } if min == max => Shape::In {
            having: compare(" = ", min)?,
        },
        CountTest::Range {
            min,
            max: Some(max),
        } => Shape::In {
            having: Some(
                distinct
                    .clone()
                    .text(" BETWEEN ")
                    .param(count_value(min)?)
                    .text(" AND ")
                    .param(count_value(max)?),
            ),
        },
        CountTest::Not(0) => Shape::In {
            having: compare(" >= ", 1)?,
        },
        CountTest::Not(n) => Shape::NotIn {
            having: compare(" = ", n)?,
        },
    })
}
