//! Reloading as behaviour: the data file rewritten under the open app (new rows, new
//! modification time) is counted anew, in memory and in SQL; after a relationship is confirmed
//! and the data reopened, the engine counts through it.

mod common;

use common::{all_of, any_time, cond, invoke, related, segment, sql, within, Fixture};
use segment_builder_desktop::AppState;
use segment_service::EngineStatus;
use serde_json::{json, Value};

fn preview(
    window: &tauri::WebviewWindow<tauri::test::MockRuntime>,
    id: u64,
    segment: &Value,
) -> Value {
    invoke(
        window,
        "preview",
        json!({ "request": { "segment": segment, "request_id": id } }),
    )
    .unwrap()
}

fn engine_ready(state: &AppState) {
    let loaded = state.loaded().unwrap();
    assert!(matches!(
        loaded.service.wait_for_engine(),
        EngineStatus::Ready(_)
    ));
}

#[test]
fn a_rewritten_data_file_is_counted_anew() {
    let fixture = Fixture::demo(200, 31, |_| {});
    let window = fixture.window();
    let us = all_of("profiles", [cond("country", "is", "US")]);
    let us_in_sql = all_of("profiles", [sql("country = 'US'")]);
    let count_us = || fixture.count_sql("SELECT count(*) FROM profiles WHERE country = 'US'");
    let before = count_us();
    engine_ready(&fixture.state);
    let counted = preview(&window, 1, &us);
    assert_eq!(counted["engine"], "memory", "{counted}");
    assert_eq!(counted["count"], json!(before), "{counted}");

    // Every US profile again under a new id: the data changes, and so does the file's time.
    {
        let conn = rusqlite::Connection::open(&fixture.path).unwrap();
        let added = conn
            .execute(
                "INSERT INTO profiles SELECT id + 1000000, email, first_name, last_name, country, \
                 city, plan, age, lifetime_value, is_subscribed, signed_up_at, birth_date, \
                 last_seen_at, tags FROM profiles WHERE country = 'US'",
                [],
            )
            .unwrap();
        assert_eq!(added as u64, before);
    }
    let file = std::fs::File::options()
        .append(true)
        .open(&fixture.path)
        .unwrap();
    file.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(60))
        .unwrap();
    drop(file);
    let after = count_us();
    assert_eq!(after, 2 * before);

    // Counted in SQL: the new rows at once.
    let in_sql = preview(&window, 2, &us_in_sql);
    assert_eq!(in_sql["engine"], "sql", "{in_sql}");
    assert_eq!(in_sql["count"], json!(after), "{in_sql}");
    assert_eq!(in_sql["total"], json!(200 + before), "{in_sql}");
    // In memory once the engine has reloaded: the new rows too, never the old copy.
    preview(&window, 3, &us);
    engine_ready(&fixture.state);
    let counted = preview(&window, 4, &us);
    assert_eq!(counted["engine"], "memory", "{counted}");
    assert_eq!(counted["count"], json!(after), "{counted}");
    assert_eq!(counted["total"], json!(200 + before), "{counted}");
}

#[test]
fn after_a_new_relationship_the_engine_counts_through_it() {
    let dir = tempfile::tempdir().unwrap();
    std::env::set_var("SEGMENT_BUILDER_STORE", dir.path().join("sources.json"));
    let db = dir.path().join("shop.sqlite");
    let customers = dir.path().join("customers.csv");
    std::fs::write(&customers, "id,country\n1,US\n2,FR\n3,US\n4,DE\n").unwrap();
    let orders = dir.path().join("orders.csv");
    std::fs::write(
        &orders,
        "id,customer_id,total,placed_at\n1,1,10,2026-10-01T00:00:00Z\n2,1,20,2026-10-02T00:00:00Z\n\
         3,3,5,2026-10-03T00:00:00Z\n4,4,7,2026-10-04T00:00:00Z\n",
    )
    .unwrap();
    let state = AppState::with_grants(common::scripted(dir.path(), vec![dir.path().into()]));
    let window = common::window(state.clone());
    for (id, file) in [(1, &customers), (2, &orders)] {
        invoke(
            &window,
            "import_file",
            json!({ "request": { "file": file, "into": db }, "import_id": id }),
        )
        .unwrap();
    }
    invoke(&window, "open_data", json!({ "data": db })).unwrap();
    // Customers with at least two orders: customer 1 only.
    let two_orders = segment(
        "customers",
        common::and([within(related("orders", 2, []), any_time())]),
    );
    let unknown = preview(&window, 1, &two_orders);
    assert_eq!(
        unknown["count"],
        Value::Null,
        "no relationship yet: {unknown}"
    );
    engine_ready(&state);

    let link = json!({"child": "orders", "child_column": "customer_id", "parent": "customers", "parent_column": "id"});
    invoke(
        &window,
        "relate",
        json!({ "request": { "data": db, "link": link } }),
    )
    .unwrap();
    invoke(&window, "open_data", json!({ "data": db })).unwrap();
    preview(&window, 2, &two_orders);
    engine_ready(&state);
    let counted = preview(&window, 3, &two_orders);
    assert_eq!(counted["problems"], json!([]), "{counted}");
    assert_eq!(counted["engine"], "memory", "{counted}");
    assert_eq!(counted["count"], 1, "{counted}");
    assert_eq!(counted["total"], 4, "{counted}");
    let with_one = segment(
        "customers",
        common::and([within(related("orders", 1, []), any_time())]),
    );
    let counted = preview(&window, 4, &with_one);
    assert_eq!(counted["engine"], "memory", "{counted}");
    assert_eq!(counted["count"], 3, "{counted}");
}
