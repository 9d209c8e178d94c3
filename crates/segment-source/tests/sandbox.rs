//! The read-only sandbox: raw SQL can read and nothing else; `regexp()`; cancellation.

use std::time::Duration;

use rusqlite::types::Value;
use segment_source::{CancelToken, DataSource, DemoOptions, Error};

fn demo(profiles: u64) -> (tempfile::TempDir, DataSource) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.sqlite");
    segment_source::generate_demo(&path, DemoOptions { profiles, seed: 3 }).unwrap();
    let source = DataSource::open_read_only(&path).unwrap();
    (dir, source)
}

#[test]
fn only_reading_is_allowed() {
    let (dir, source) = demo(200);
    let count = |sql: &str| source.count_sql(sql, &[], None);
    assert_eq!(count("SELECT count(*) FROM profiles").unwrap(), 200);
    assert!(count("SELECT count(*) FROM profiles WHERE EXISTS (SELECT 1 FROM json_each(tags) WHERE atom = 'vip')").is_ok());
    let other = dir.path().join("other.sqlite");
    for sql in [
        "DELETE FROM events".to_string(),
        "UPDATE profiles SET age = 1".to_string(),
        "INSERT INTO profiles (id, email, plan, lifetime_value, signed_up_at) VALUES (9999, 'x', 'free', 0, 0)".to_string(),
        "DROP TABLE events".to_string(),
        "CREATE TABLE x (a)".to_string(),
        "CREATE TEMP TABLE x (a)".to_string(),
        format!("ATTACH '{}' AS other", other.display()),
        "PRAGMA query_only = 0".to_string(),
        "PRAGMA writable_schema = 1".to_string(),
        "PRAGMA table_info(profiles)".to_string(),
        "BEGIN".to_string(),
        "ANALYZE".to_string(),
        "SELECT count(*) FROM profiles WHERE load_extension('libevil')".to_string(),
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r".to_string(),
    ] {
        let err = count(&sql).unwrap_err();
        assert!(matches!(err, Error::NotAllowed(_)), "{sql}: {err:?}");
    }
    assert!(!other.exists(), "ATTACH created no file");
    assert_eq!(
        count("SELECT count(*) FROM events").unwrap(),
        source.total("events").unwrap()
    );
}

#[test]
fn regexp_is_rust_regex_search_with_sql_nulls() {
    let (_dir, source) = demo(50);
    let one = |sql: &str, params: &[Value]| source.count_sql(sql, params, None);
    assert_eq!(one("SELECT 'hello' REGEXP 'l+o$'", &[]).unwrap(), 1);
    assert_eq!(one("SELECT regexp('^ell', 'hello')", &[]).unwrap(), 0);
    assert_eq!(one("SELECT regexp('(?i)HEL', 'hello')", &[]).unwrap(), 1);
    assert_eq!(one("SELECT regexp('é.', 'café!')", &[]).unwrap(), 1);
    assert_eq!(
        one(
            "SELECT regexp(?1, NULL) IS NULL",
            &[Value::Text("x".into())]
        )
        .unwrap(),
        1
    );
    assert_eq!(one("SELECT regexp(NULL, 'x') IS NULL", &[]).unwrap(), 1);
    assert_eq!(one("SELECT regexp('^4', 42)", &[]).unwrap(), 1);
    let all = one(
        "SELECT count(*) FROM profiles WHERE email REGEXP ?1",
        &[Value::Text("@".into())],
    )
    .unwrap();
    assert_eq!(all, 50);
    // A pattern that changes per row (from a column) is compiled once per distinct value.
    assert_eq!(
        one(
            "SELECT count(*) FROM profiles WHERE regexp('^' || plan || '$', plan)",
            &[]
        )
        .unwrap(),
        50
    );
    // A pattern whose compiled form would be huge is refused, not built.
    let err = one("SELECT regexp('(\\w{100}){100}', 'x')", &[]).unwrap_err();
    assert!(err.to_string().contains("size limit"), "{err}");
    let err = one("SELECT regexp('(', 'x')", &[]).unwrap_err();
    assert!(matches!(err, Error::Query { .. }), "{err:?}");
    assert!(err.to_string().contains("regex"), "{err}");
}

/// A statement that runs for a long time (a cross join over events).
const SLOW: &str =
    "SELECT count(*) FROM events a, events b, events c WHERE a.amount + b.amount + c.amount > 1e12";

#[test]
fn a_cancelled_token_stops_a_running_count() {
    let (_dir, source) = demo(300);
    let pre = CancelToken::new();
    pre.cancel();
    assert!(matches!(
        source.count_sql("SELECT 1", &[], Some(&pre)),
        Err(Error::Cancelled)
    ));

    let token = CancelToken::new();
    let remote = token.clone();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        remote.cancel();
    });
    let started = std::time::Instant::now();
    let result = source.count_sql(SLOW, &[], Some(&token));
    canceller.join().unwrap();
    assert!(matches!(result, Err(Error::Cancelled)), "{result:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    // The connection is usable afterwards, with no handler left behind.
    assert_eq!(
        source
            .count_sql("SELECT count(*) FROM profiles", &[], None)
            .unwrap(),
        300
    );
}

#[test]
fn the_interrupter_stops_a_running_count_from_another_thread() {
    let (_dir, source) = demo(300);
    let interrupter = source.interrupter();
    interrupter.interrupt(); // no statement running: no effect on the next one
    assert_eq!(
        source
            .count_sql("SELECT count(*) FROM profiles", &[], None)
            .unwrap(),
        300
    );
    let stop = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        interrupter.interrupt();
    });
    let result = source.count_sql(SLOW, &[], None);
    stop.join().unwrap();
    assert!(matches!(result, Err(Error::Cancelled)), "{result:?}");
}
