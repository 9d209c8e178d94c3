//! A sequence of related records as a chain of correlated `EXISTS`, one per step after the
//! first, which is the definition itself (so exact): the first step's record `t{d}`, then a
//! record of the same key at a strictly later whole second (`Dialect::epoch_seconds`, as the
//! engine holds times), at most the step's gap after the previous one, with `NOT EXISTS` an
//! excluded record strictly between them, and the last at most the whole span after the
//! first. Each subquery seeks the import's `(fk, time)` index by the correlated key.

use segment_model::ir::{ColumnRef, Related, SequenceStep};

use super::{Compiler, Scope, Shape};
use crate::error::Result;
use crate::fragment::{Cond, Fragment, Select};

/// Where the chain is while it is written.
struct Link<'a> {
    related: &'a Related,
    column: &'a ColumnRef,
    /// The first step's scope (its time bounds the whole sequence) and its key.
    first: &'a Scope<'a>,
    steps_total: usize,
}

impl Compiler<'_> {
    /// The related keys holding a chain through `steps`; `filter` holds the first step's
    /// record's conditions (join value, window, the relationship's filter).
    pub(super) fn sequence(
        &self,
        related: &Related,
        inner: &Scope,
        filter: &mut Vec<Cond>,
        column: &ColumnRef,
        steps: &[SequenceStep],
        within: Option<i64>,
    ) -> Result<Shape> {
        self.check_entity(column, &related.to_entity)?;
        let Some((first, rest)) = steps.split_first() else {
            return Ok(Shape::Constant(false));
        };
        let nested = steps.len() > 2 || steps.iter().any(|s| s.excluding.is_some());
        if nested && !self.dialect.deep_correlation() {
            return Err(self.dialect.unsupported(
                "a sequence of three or more steps, or with \"no … in between\" (its sub-queries \
                 refer to queries more than one level out)",
            ));
        }
        let link = Link {
            related,
            column,
            first: inner,
            steps_total: steps.len(),
        };
        let time = self.epoch(inner, column)?;
        filter.push(Cond::Atom(Self::is_not_null(&time)));
        filter.push(self.expr(&first.test, inner, false)?);
        if !rest.is_empty() {
            filter.push(Cond::Atom(self.next_link(&link, inner, rest, 1, within)?));
        }
        Ok(Shape::InSelect(Box::new(Select {
            columns: self.qualified(inner, &related.to_column)?,
            from: self.table(inner)?,
            filter: Some(Cond::And(std::mem::take(filter))),
            group_by: None,
            having: None,
            order_by: None,
            limit: None,
        })))
    }

    /// `EXISTS` a record for `steps[0]` after the record in `previous` (step `index - 1`).
    fn next_link(
        &self,
        link: &Link<'_>,
        previous: &Scope,
        steps: &[SequenceStep],
        index: usize,
        within: Option<i64>,
    ) -> Result<Fragment> {
        let Some((step, rest)) = steps.split_first() else {
            return Ok(Fragment::sql("1 = 1"));
        };
        let scope = Scope {
            entity: &link.related.to_entity,
            depth: link.first.depth + index,
        };
        let mut filter = self.same_key(link, &scope)?;
        let before = self.epoch(previous, link.column)?;
        let time = self.epoch(&scope, link.column)?;
        filter.push(Cond::Atom(time.clone().text(" > ").append(&before)));
        if let Some(gap) = step.gap {
            filter.push(Cond::Atom(
                time.clone()
                    .text(" <= ")
                    .append(&before)
                    .text(" + ")
                    .param(gap),
            ));
        }
        if rest.is_empty() {
            if let Some(span) = within {
                let start = self.epoch(link.first, link.column)?;
                filter.push(Cond::Atom(
                    time.clone()
                        .text(" <= ")
                        .append(&start)
                        .text(" + ")
                        .param(span),
                ));
            }
        }
        filter.push(self.expr(&step.test, &scope, false)?);
        if let Some(excluded) = &step.excluding {
            let between = Scope {
                entity: &link.related.to_entity,
                depth: link.first.depth + link.steps_total + index,
            };
            let mut none = self.same_key(link, &between)?;
            let at = self.epoch(&between, link.column)?;
            none.push(Cond::Atom(at.clone().text(" > ").append(&before)));
            none.push(Cond::Atom(at.text(" < ").append(&time)));
            none.push(self.expr(excluded, &between, false)?);
            filter.push(Cond::Atom(
                Fragment::sql("NOT EXISTS ").subquery(self.one(&between, none)?),
            ));
        }
        if !rest.is_empty() {
            filter.push(Cond::Atom(self.next_link(
                link,
                &scope,
                rest,
                index + 1,
                within,
            )?));
        }
        Ok(Fragment::sql("EXISTS ").subquery(self.one(&scope, filter)?))
    }

    /// The conditions of a selected record of the same key as the first step's.
    fn same_key(&self, link: &Link<'_>, scope: &Scope) -> Result<Vec<Cond>> {
        let key = &link.related.to_column;
        let mut filter = vec![Cond::Atom(
            self.qualified(scope, key)?
                .text(" = ")
                .append(&self.qualified(link.first, key)?),
        )];
        filter.extend(self.related_filter(link.related, scope)?);
        Ok(filter)
    }

    fn epoch(&self, scope: &Scope, column: &ColumnRef) -> Result<Fragment> {
        let col = self.qualified(scope, &column.name)?;
        self.dialect.epoch_seconds(col, column.storage)
    }

    fn one(&self, scope: &Scope, filter: Vec<Cond>) -> Result<Select> {
        Ok(Select {
            columns: Fragment::sql("1"),
            from: self.table(scope)?,
            filter: Some(Cond::And(filter)),
            group_by: None,
            having: None,
            order_by: None,
            limit: None,
        })
    }
}
