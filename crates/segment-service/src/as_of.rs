//! "As of" a moment means the data as it was then: a related record (an event, an order) whose
//! time is after "now" has not happened yet, so it does not count. Validation makes relative
//! windows absolute from "now" but leaves "any time", "after a date" and "before a date" open
//! towards the future; this caps every related records' window at "now" (inclusive) on every
//! relationship with a time column, so `count --now T` and the size over time at `T` are the
//! same number. A related record without a time is left out by a window the segment states (as
//! every time window leaves it out) but still counts where the segment states none: there only
//! records known to be later than "now" are left out. Attributes of the records themselves are
//! as they are now (there is no history of them).

use segment_model::ir::{
    ColumnRef, Expr, Predicate, Query, Related, RelatedConstraint, TimeBound, TimeRange,
};
use segment_model::schema::DataType;
use segment_model::Schema;

/// `query` with every related records' window ending at `query.now` at the latest.
pub fn not_after_now(mut query: Query, schema: &Schema) -> Query {
    let now = query.now;
    cap_expr(&mut query.filter, schema, now);
    query
}

fn cap_expr(expr: &mut Expr, schema: &Schema, now: i64) {
    match expr {
        Expr::And(items) | Expr::Or(items) => {
            for item in items {
                cap_expr(item, schema, now);
            }
        }
        Expr::Not(inner) => cap_expr(inner, schema, now),
        Expr::Related(related) => cap_related(related, schema, now),
        // Conditions on the record itself: as they are now.
        _ => {}
    }
}

fn cap_related(related: &mut Related, schema: &Schema, now: i64) {
    cap_expr(&mut related.filter, schema, now);
    match &mut related.constraint {
        RelatedConstraint::RecordOf { test, .. } => cap_expr(test, schema, now),
        RelatedConstraint::Sequence { steps, .. } => {
            for step in steps {
                cap_expr(&mut step.test, schema, now);
                if let Some(excluding) = &mut step.excluding {
                    cap_expr(excluding, schema, now);
                }
            }
        }
        _ => {}
    }
    let cap = TimeBound {
        at: now,
        inclusive: true,
    };
    match &mut related.window {
        Some((_, range)) => range.end = Some(earlier(range.end, cap)),
        None => {
            let Some((column, nullable)) = time_column(related, schema) else {
                return;
            };
            let range = TimeRange {
                start: None,
                end: Some(cap),
            };
            if !nullable {
                related.window = Some((column, range));
                return;
            }
            // Without a window of its own, a record whose time is unknown counted before "as
            // of" was pinned and still does: only records known to be later are left out.
            let not_later = Expr::Or(vec![
                Expr::Column {
                    column: column.clone(),
                    predicate: Predicate::Time {
                        range,
                        negated: false,
                    },
                },
                Expr::Column {
                    column,
                    predicate: Predicate::IsNull,
                },
            ]);
            let filter = std::mem::replace(&mut related.filter, Expr::True);
            related.filter = match filter {
                Expr::True => not_later,
                Expr::And(mut items) => {
                    items.push(not_later);
                    Expr::And(items)
                }
                other => Expr::And(vec![other, not_later]),
            };
        }
    }
}

/// The earlier of an end bound and the cap (at the same instant, the exclusive one).
fn earlier(end: Option<TimeBound>, cap: TimeBound) -> TimeBound {
    match end {
        Some(end) if end.at < cap.at || (end.at == cap.at && !end.inclusive) => end,
        _ => cap,
    }
}

fn time_column(related: &Related, schema: &Schema) -> Option<(ColumnRef, bool)> {
    let relationship = schema.relationship(&related.from_entity.name, &related.relationship)?;
    let entity = schema.entity(&related.to_entity.name)?;
    let column = entity.column(relationship.time_column.as_deref()?)?;
    if column.data_type != DataType::Datetime {
        return None;
    }
    let column_ref = ColumnRef {
        entity: entity.name.clone(),
        name: column.name.clone(),
        data_type: column.data_type,
        storage: column.storage,
    };
    Some((column_ref, column.nullable))
}
