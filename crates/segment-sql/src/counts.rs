//! Several counts over one entity in ONE statement (per-node counts: a segment and its variants,
//! every node alone and the segment without it), shaped so the server does each piece of work
//! once:
//!
//! - One scan of the entity, a conditional count per query (`COUNT(CASE WHEN … THEN 1 END)`,
//!   which every dialect spells alike).
//! - Each distinct condition on related records (`key IN (select)`) computed once, as a
//!   `LEFT JOIN` of its distinct keys (`related1`, `related2`, …), tested in the counts as
//!   `related1.k IS NOT NULL`. The variants of one segment repeat the same related-record
//!   conditions; written as sub-selects, PostgreSQL computed each again for every variant and
//!   ran a `NOT IN` whose keys outgrew its hash memory record by record (a 6-node segment's
//!   counts took 17× its count at 1M profiles and did not finish in 30 minutes at 10M). A join
//!   is a hash join the server may spill to disk.
//! - Related records are compiled as `IN` for this, also where the dialect writes them as
//!   correlated `EXISTS` ([`Dialect::related_as_exists`], Spark): a joined key set is a plain
//!   equi-join on every engine. Only when a filter holds a sub-select that names the outer
//!   record (a sequence's) does each query stay a scalar sub-select, compiled as the dialect
//!   writes it.

use segment_model::ir::Query;

use crate::compile::Compiler;
use crate::dialect::Dialect;
use crate::error::Result;
use crate::fragment::{Cond, Fragment, Piece, Select};
use crate::render::Renderer;
use crate::{Output, Statement};

/// The count of records matching each of `queries` (all over the same entity), one column each,
/// in the queries' order, in one executable statement.
pub fn build_counts(queries: &[Query], dialect: &dyn Dialect) -> Result<Statement> {
    let compile = |compiler: Compiler| {
        queries
            .iter()
            .map(|q| compiler.statement(q, Output::Count))
            .collect::<Result<Vec<_>>>()
    };
    let mut selects = compile(Compiler::with_keys_in(dialect))?;
    let mut renderer = Renderer::new(dialect, false);
    match joinable(&selects) {
        Some(from) => {
            let joins = join_related(&mut selects);
            let filters: Vec<Option<&Cond>> = selects.iter().map(|s| s.filter.as_ref()).collect();
            renderer.conditional_counts(&from, &joins, &filters)?;
        }
        // Each count alone, related records as the dialect writes them (Spark's `EXISTS`: its
        // `IN` under NOT or OR is a null-aware join it may not finish).
        None => renderer.scalar_counts(&compile(Compiler::new(dialect))?)?,
    }
    let (sql, params) = renderer.finish();
    Ok(Statement { sql, params })
}

/// The queries' common table, when all of them can be counted in one scan of it: every
/// related-record test kept whole as `KeyIn`, and no filter holds another sub-select (a
/// sequence's, which names the outer record).
fn joinable(selects: &[Select]) -> Option<Fragment> {
    let first = selects.first()?;
    let mut ok = true;
    for select in selects {
        ok &= select.from == first.from;
        if let Some(filter) = &select.filter {
            visit_atoms(filter, &mut |fragment| {
                ok &= !fragment
                    .pieces
                    .iter()
                    .any(|p| matches!(p, Piece::Subquery(_)));
            });
        }
    }
    ok.then(|| first.from.clone())
}

/// A distinct related-record test joined once: `LEFT JOIN (SELECT DISTINCT … AS k …) AS name
/// ON name.k = lhs`.
pub(crate) struct RelatedJoin {
    pub name: String,
    pub lhs: Fragment,
    pub keys: Select,
}

/// Replaces every `KeyIn` of the filters by a test of its join (`(relatedN.k IS NOT NULL)`,
/// `IS NULL` for `NOT IN`), and returns the joins, each distinct (column, select) once.
fn join_related(selects: &mut [Select]) -> Vec<RelatedJoin> {
    let mut joins: Vec<RelatedJoin> = Vec::new();
    for select in selects.iter_mut() {
        let Some(filter) = &mut select.filter else {
            continue;
        };
        visit_atoms_mut(filter, &mut |fragment| {
            for piece in &mut fragment.pieces {
                let Piece::KeyIn(key_in) = piece else {
                    continue;
                };
                let keys = distinct_keys(&key_in.select);
                let found = joins
                    .iter()
                    .position(|j| j.lhs == key_in.lhs && j.keys == keys);
                let n = found.unwrap_or_else(|| {
                    joins.push(RelatedJoin {
                        name: format!("related{}", joins.len() + 1),
                        lhs: key_in.lhs.clone(),
                        keys,
                    });
                    joins.len() - 1
                });
                let test = if key_in.negated {
                    "IS NULL"
                } else {
                    "IS NOT NULL"
                };
                *piece = Piece::Sql(format!("({}.k {test})", joins[n].name));
            }
        });
    }
    joins
}

/// `select` returning each key once, as column `k` (a join must not repeat records).
fn distinct_keys(select: &Select) -> Select {
    Select {
        columns: Fragment::sql("DISTINCT ")
            .append(&select.columns)
            .text(" AS k"),
        ..select.clone()
    }
}

fn visit_atoms<'c>(cond: &'c Cond, f: &mut dyn FnMut(&'c Fragment)) {
    match cond {
        Cond::Atom(fragment) => f(fragment),
        Cond::And(items) | Cond::Or(items) => items.iter().for_each(|c| visit_atoms(c, f)),
        Cond::Not(inner) => visit_atoms(inner, f),
    }
}

fn visit_atoms_mut(cond: &mut Cond, f: &mut dyn FnMut(&mut Fragment)) {
    match cond {
        Cond::Atom(fragment) => f(fragment),
        Cond::And(items) | Cond::Or(items) => items.iter_mut().for_each(|c| visit_atoms_mut(c, f)),
        Cond::Not(inner) => visit_atoms_mut(inner, f),
    }
}
