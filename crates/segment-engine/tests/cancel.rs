//! A raised cancellation flag stops the evaluation with `Error::Cancelled`, and a cancelled
//! evaluation leaves nothing half-made behind: the same evaluator counts in full once the flag
//! is down again.

use std::sync::atomic::{AtomicBool, Ordering};

use segment_engine::{Dataset, Error, Evaluator, Table};
use segment_model::ir::{EntityRef, Expr, Query};
use segment_model::Schema;

fn data(rows: usize) -> Dataset {
    let schema = Schema {
        entities: Vec::new(),
        relationships: Vec::new(),
    };
    Dataset::new(vec![Table::new("people", rows)], &schema).unwrap()
}

/// Every record, through a few nodes (the flag is looked at on each).
fn everyone() -> Query {
    Query {
        entity: EntityRef {
            name: "people".into(),
            key: "id".into(),
        },
        filter: Expr::And(vec![Expr::True, Expr::Not(Box::new(Expr::False))]),
        now: 0,
    }
}

#[test]
fn a_raised_flag_stops_the_evaluation_with_cancelled() {
    let data = data(1000);
    let cancel = AtomicBool::new(false);
    let evaluator = Evaluator::with_cancel(&data, &cancel);
    assert_eq!(evaluator.matching(&everyone()).unwrap().count(), 1000);

    // Raised by another thread, as a newer preview does.
    std::thread::scope(|s| {
        s.spawn(|| cancel.store(true, Ordering::Relaxed));
    });
    assert!(matches!(
        evaluator.matching(&everyone()),
        Err(Error::Cancelled)
    ));

    cancel.store(false, Ordering::Relaxed);
    assert_eq!(evaluator.matching(&everyone()).unwrap().count(), 1000);
}

#[test]
fn an_evaluator_without_a_flag_is_never_cancelled() {
    let data = data(7);
    assert_eq!(
        Evaluator::new(&data).matching(&everyone()).unwrap().count(),
        7
    );
}
