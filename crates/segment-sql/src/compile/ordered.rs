//! The constraints that order related records in time, as sub-selects of the related records:
//!
//! - first / last time: `GROUP BY fk HAVING <test of MIN(time) / MAX(time)>`, over the records
//!   with a time (NULL times are never first or last);
//! - the first / most recent record's attribute: the records joined to their group's `MIN` /
//!   `MAX` time (a grouped scan of the import's `(filter column, fk, time)` index, then a seek
//!   per group), any of them (ties) passing the test;
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
                filter.push(self.expr(test, inner, false)?);
                Ok(Shape::InSelect(Box::new(
                    self.record_of(related, *which, column, inner, filter)?,
                )))
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
            | RelatedConstraint::Aggregate { .. }
            | RelatedConstraint::Sequence { .. } => Err(self
                .dialect
                .unsupported("a count as an ordering constraint")),
        }
    }

    /// The related keys with a record passing `filter` at its group's earliest (latest) time:
    /// the records joined to each group's `MIN`/`MAX` time (one grouped scan, then a seek per
    /// group on the import's index; a correlated `MAX` per record was 1.7 times slower).
    fn record_of(
        &self,
        related: &Related,
        which: Extreme,
        column: &ColumnRef,
        inner: &Scope,
        filter: &[Cond],
    ) -> Result<Select> {
        let peer = Scope {
            entity: &related.to_entity,
            depth: inner.depth + 1,
        };
        let peer_fk = self.qualified(&peer, &related.to_column)?;
        let mut peer_filter = self.related_filter(related, &peer)?;
        let time = self.qualified(&peer, &column.name)?;
        peer_filter.push(Cond::Atom(Self::is_not_null(&time)));
        let extremes = Select {
            columns: peer_fk
                .clone()
                .text(" AS extreme_key, ")
                .append(&self.extreme(which, time, column))
                .text(" AS extreme_time"),
            from: self.table(&peer)?,
            filter: Some(Cond::And(peer_filter)),
            group_by: Some(peer_fk),
            having: None,
            order_by: None,
            limit: None,
        };
        let alias = format!("x{}", inner.depth);
        let fk = self.qualified(inner, &related.to_column)?;
        let from = self
            .table(inner)?
            .text(" JOIN ")
            .subquery(extremes)
            .text(format!(" AS {alias} ON "))
            .append(&fk)
            .text(format!(" = {alias}.extreme_key AND "))
            .append(&self.qualified(inner, &column.name)?)
            .text(format!(" = {alias}.extreme_time"));
        Ok(Select {
            columns: fk,
            from,
            filter: match filter.len() {
                0 => None,
                1 => filter.first().cloned(),
                _ => Some(Cond::And(filter.to_vec())),
            },
            group_by: None,
            having: None,
            order_by: None,
            limit: None,
        })
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
