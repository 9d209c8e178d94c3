//! Time and memory limits on what a data source runs: a raw SQL condition that joins without
//! end or builds huge values stops with a clear error, quickly; cancelling still works; and the
//! data source counts normally afterwards.
//!
//! One test function: SQLite's heap limit is per process, so these must not run beside other
//! tests of this binary.

use std::time::{Duration, Instant};

use segment_model::tree::Segment;
use segment_source::{CancelToken, DataSource, DemoOptions, Error, Limits};

fn raw_sql_query(source: &DataSource, sql: &str) -> segment_model::ir::Query {
    let doc = serde_json::json!({
        "version": 1,
        "entity": "profiles",
        "root": { "combinator": "and", "children": [{ "type": "sql", "sql": sql }] }
    });
    let segment: Segment = serde_json::from_value(doc).unwrap();
    let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    segment_model::validate::check(&segment, source.schema(), None, now)
        .unwrap_or_else(|p| panic!("{p:?}"))
}

#[test]
fn runaway_statements_stop_at_the_limits() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.sqlite");
    segment_source::generate_demo(
        &path,
        DemoOptions {
            profiles: 300,
            seed: 5,
        },
    )
    .unwrap();
    let mut source = DataSource::open_read_only(&path).unwrap();
    assert_eq!(source.limits(), Limits::DEFAULT);
    let profiles = source.total("profiles").unwrap();

    // Time: a triple cross join in a raw SQL condition.
    source.set_limits(Limits {
        time: Duration::from_millis(200),
        ..Limits::DEFAULT
    });
    let endless = raw_sql_query(
        &source,
        "EXISTS (SELECT 1 FROM events a, events b, events c WHERE a.id + b.id + c.id < 0)",
    );
    let started = Instant::now();
    let err = source.count(&endless).unwrap_err();
    assert!(matches!(err, Error::TimeLimit(_)), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "stopped promptly"
    );
    assert_eq!(
        err.to_string(),
        "the SQL condition ran longer than 0.2 s and was stopped (the time limit of a count); \
         make it simpler or more selective"
    );

    // A cancel token still cancels (well before the time limit), and is told apart from it.
    source.set_limits(Limits {
        time: Duration::from_secs(120),
        ..Limits::DEFAULT
    });
    let cancel = CancelToken::new();
    let canceller = {
        let cancel = cancel.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            cancel.cancel();
        })
    };
    let started = Instant::now();
    let err = source.count_cancellable(&endless, &cancel).unwrap_err();
    canceller.join().unwrap();
    assert!(matches!(err, Error::Cancelled), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5));

    // Memory: one huge value, and a statement whose working set grows without end.
    source.set_limits(Limits {
        heap_bytes: 64 << 20,
        ..Limits::DEFAULT
    });
    let huge = raw_sql_query(&source, "length(randomblob(100000000)) > 0");
    let err = source.count(&huge).unwrap_err();
    assert!(matches!(err, Error::MemoryLimit(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "the SQL condition used more than 64 MB of memory and was stopped (the memory limit of a count)"
    );
    let growing = raw_sql_query(
        &source,
        "(SELECT count(DISTINCT hex(randomblob(64)) || a.id || b.id) FROM events a, events b) > 0",
    );
    let err = source.count(&growing).unwrap_err();
    assert!(matches!(err, Error::MemoryLimit(_)), "{err:?}");

    // Afterwards counts work, under the default limits again.
    source.set_limits(Limits::DEFAULT);
    let fine = raw_sql_query(&source, "email LIKE '%@%'");
    let counted = source.count(&fine).unwrap();
    assert_eq!(counted.total, profiles);
    assert!(counted.count > 0);
    // The process-wide heap limit is lifted again once no count runs.
    // SAFETY: a negative argument only reads the limit.
    assert_eq!(unsafe { rusqlite::ffi::sqlite3_hard_heap_limit64(-1) }, 0);
}
