//! "As of" leaves out related records known to be later than "now", and only those: a record
//! whose time is unknown still counts where the segment states no window (as it did before
//! "now" was pinned), and a window the segment states leaves it out, in memory and in SQL alike.

use chrono::{TimeZone, Utc};
use segment_model::Segment;
use segment_service::{EngineCache, NodeCounts, Prefer};
use segment_source::CancelToken;
use serde_json::{json, Value};

const NOW: i64 = 1_780_000_000;

/// Profile 1 bought at an unknown time, 2 after "now", 3 before it; 4 never bought.
fn data() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.sqlite");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(&format!(
        "CREATE TABLE profiles (id INTEGER PRIMARY KEY, name TEXT);
         CREATE TABLE events (id INTEGER PRIMARY KEY,
             profile_id INTEGER REFERENCES profiles(id), name TEXT, ts DATETIME);
         INSERT INTO profiles VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd');
         INSERT INTO events VALUES (1, 1, 'purchase', NULL), (2, 2, 'purchase', {later}),
             (3, 3, 'purchase', {earlier});",
        later = NOW + 86_400,
        earlier = NOW - 86_400,
    ))
    .unwrap();
    (dir, path)
}

fn purchased(window: Option<Value>) -> Segment {
    let mut relationship = json!({"type": "relationship", "relationship": "events",
        "filter": {"combinator": "and", "children": [
            {"type": "condition", "attribute": "name", "operator": "is", "value": "purchase"}]}});
    if let Some(window) = window {
        relationship["window"] = window;
    }
    serde_json::from_value(json!({"version": 1, "entity": "profiles",
        "root": {"combinator": "and", "children": [relationship]}}))
    .unwrap()
}

#[test]
fn an_unknown_time_counts_without_a_window_and_a_later_one_never() {
    let (_dir, path) = data();
    let service = segment_service::open_sqlite(&path, None, EngineCache::new()).unwrap();
    assert!(service.dataset().is_ok(), "the engine loads the file");
    let now = Utc.timestamp_opt(NOW, 0).unwrap();
    let token = CancelToken::new();
    let last_year = json!({"type": "in_the_last", "amount": 1, "unit": "year"});
    for (segment, expected) in [(purchased(None), 2), (purchased(Some(last_year)), 1)] {
        let checked = service.check(segment, None, now).unwrap();
        for prefer in [Prefer::Engine, Prefer::Sql] {
            let counted = service
                .count(&checked, prefer, NodeCounts::None, &token)
                .unwrap();
            assert_eq!(counted.count, expected, "{prefer:?}");
        }
    }
}
