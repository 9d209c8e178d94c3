//! "As of" per data source: relative dates are computed from the demo data's end date on the
//! demo data (it does not move with the clock) and from the clock on any other data, in the
//! app and the CLI alike (both take `resolve_now(typed, backend.default_now())`).

use chrono::{DateTime, Utc};
use segment_service::{resolve_now, EngineCache};

const DEMO_END: &str = "2026-11-01T00:00:00Z";

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

#[test]
fn the_demo_data_is_counted_as_of_its_end_date() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.sqlite");
    let options = segment_source::DemoOptions {
        profiles: 50,
        seed: 3,
    };
    segment_source::generate_demo(&path, options).unwrap();
    let service = segment_service::open_sqlite(&path, None, EngineCache::new()).unwrap();
    let default = service.backend().default_now();
    assert_eq!(default, Some(at(DEMO_END).timestamp()));
    assert_eq!(resolve_now(None, default).unwrap(), at(DEMO_END));
    assert_eq!(resolve_now(Some("  "), default).unwrap(), at(DEMO_END));
    // A typed instant wins, in ISO with a space or a T, read as UTC.
    assert_eq!(
        resolve_now(Some("2026-03-15 12:00"), default).unwrap(),
        at("2026-03-15T12:00:00Z")
    );
    assert_eq!(
        resolve_now(Some("2026-03-15T12:00"), default).unwrap(),
        at("2026-03-15T12:00:00Z")
    );
}

#[test]
fn any_other_data_is_counted_as_of_the_clock() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crm.sqlite");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE profiles (id INTEGER PRIMARY KEY, email TEXT, signed_up TEXT);
         INSERT INTO profiles VALUES (1, 'a@example.com', '2026-11-20T10:00:00Z');",
    )
    .unwrap();
    drop(conn);
    let service = segment_service::open_sqlite(&path, None, EngineCache::new()).unwrap();
    let default = service.backend().default_now();
    assert_eq!(
        default, None,
        "only the demo data has an end date of its own"
    );
    let before = Utc::now();
    let used = resolve_now(None, default).unwrap();
    let after = Utc::now();
    assert!(before <= used && used <= after, "{used} is not the clock");
    assert_ne!(used, at(DEMO_END));
}

#[test]
fn a_typed_instant_that_is_not_a_date_is_refused_at_now() {
    let error = resolve_now(Some("11/01/2026"), None).unwrap_err();
    let text = error.to_string();
    assert!(text.contains("2026-05-01"), "{text}");
}
