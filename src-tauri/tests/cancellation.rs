//! Cancellation as behaviour: a preview still counting when a newer one arrives fails with kind
//! `cancelled`, and the newer one counts. The older one is made slow deterministically (a raw SQL
//! condition over a three-way product of the events table, which the engine cannot judge and
//! SQLite would take minutes over), so nothing here depends on timing.

mod common;

use common::{all_of, cond, invoke, sql, Fixture};
use serde_json::json;

#[test]
fn a_newer_preview_cancels_the_one_still_counting() {
    let fixture = Fixture::demo(300, 21, |_| {});
    let window = fixture.window();
    let events = fixture.count_sql("SELECT count(*) FROM events");
    assert!(events > 1000, "{events} events: not slow enough");
    let slow = all_of(
        "profiles",
        [sql(
            "(SELECT count(*) FROM events a, events b, events c) >= 0",
        )],
    );

    let first = std::thread::spawn({
        let window = window.clone();
        move || {
            invoke(
                &window,
                "preview",
                json!({ "request": { "segment": slow, "request_id": 1 } }),
            )
        }
    });
    // Once the first request is registered its count is under way (or about to be): whichever,
    // the newer request must stop it.
    while fixture.state.newest_request() < 1 {
        std::thread::yield_now();
    }
    let us = all_of("profiles", [cond("country", "is", "US")]);
    let second = invoke(
        &window,
        "preview",
        json!({ "request": { "segment": us, "request_id": 2 } }),
    )
    .unwrap();
    assert_eq!(
        second["count"],
        json!(fixture.count_sql("SELECT count(*) FROM profiles WHERE country = 'US'")),
        "{second}"
    );

    let error = first.join().unwrap().unwrap_err();
    assert_eq!(error["kind"], "cancelled", "{error}");
    assert_eq!(error["status"], 409, "{error}");
}

#[test]
fn a_request_older_than_the_newest_is_cancelled_from_the_start() {
    let fixture = Fixture::demo(50, 22, |_| {});
    let window = fixture.window();
    let us = all_of("profiles", [cond("country", "is", "US")]);
    invoke(
        &window,
        "preview",
        json!({ "request": { "segment": us, "request_id": 5 } }),
    )
    .unwrap();
    let late = invoke(
        &window,
        "preview",
        json!({ "request": { "segment": us, "request_id": 4 } }),
    )
    .unwrap_err();
    assert_eq!(late["kind"], "cancelled", "{late}");
}

/// "Cancel" beside a running count: `cancel_preview` stops the newest preview's count, which
/// fails with kind `cancelled`; the next preview counts as usual.
#[test]
fn cancel_stops_the_running_count_and_the_next_preview_counts() {
    let fixture = Fixture::demo(300, 23, |_| {});
    let window = fixture.window();
    let slow = all_of(
        "profiles",
        [sql(
            "(SELECT count(*) FROM events a, events b, events c) >= 0",
        )],
    );
    let running = std::thread::spawn({
        let window = window.clone();
        move || {
            invoke(
                &window,
                "preview",
                json!({ "request": { "segment": slow, "request_id": 1 } }),
            )
        }
    });
    while fixture.state.newest_request() < 1 {
        std::thread::yield_now();
    }
    invoke(&window, "cancel_preview", json!({})).unwrap();
    let error = running.join().unwrap().unwrap_err();
    assert_eq!(error["kind"], "cancelled", "{error}");

    let us = all_of("profiles", [cond("country", "is", "US")]);
    let next = invoke(
        &window,
        "preview",
        json!({ "request": { "segment": us, "request_id": 2 } }),
    )
    .unwrap();
    assert_eq!(
        next["count"],
        json!(fixture.count_sql("SELECT count(*) FROM profiles WHERE country = 'US'")),
        "{next}"
    );
}
