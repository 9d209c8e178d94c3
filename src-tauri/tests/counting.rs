//! Counting in the app (src-tauri/src/counting.rs) through Tauri's IPC without a window: the
//! preview's engine and per-node counts, samples and overlap, each checked against SQL counts on
//! a small demo file in a temporary directory. Its own fixture and state, so that its request ids
//! do not cancel the previews of `tests/commands.rs`.

mod common;

use std::path::Path;
use std::sync::OnceLock;

use common::{all_of, cond, related, sql, strs, Fixture};
use segment_service::EngineStatus;
use serde_json::{json, Value};

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    common::cached(&FIXTURE, || {
        let fixture = Fixture::demo(400, 11, |_| {});
        let loaded = fixture.state.loaded().unwrap();
        assert!(matches!(
            loaded.service.wait_for_engine(),
            EngineStatus::Ready(_)
        ));
        fixture
    })
}

fn invoke(cmd: &str, body: Value) -> Result<Value, Value> {
    fixture().invoke(cmd, body)
}

/// Previews and the reload test take turns (a reload makes previews count with SQL meanwhile).
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Request ids grow across the tests of this file (they run in parallel; an older id would be
/// cancelled by a newer one, so each test waits for its own response before the next request).
fn preview(segment: Value) -> Value {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let id = NEXT.fetch_add(1, Ordering::SeqCst);
    invoke(
        "preview",
        json!({ "request": { "segment": segment, "request_id": id } }),
    )
    .unwrap()
}

fn count_sql(sql: &str) -> u64 {
    fixture().count_sql(sql)
}

fn keys_sql(sql: &str) -> Vec<i64> {
    fixture().keys_sql(sql)
}

fn segment(children: Vec<Value>) -> Value {
    all_of("profiles", children)
}

const US: &str = "country = 'US'";
const PAID: &str = "plan IN ('pro', 'enterprise')";
const PURCHASER: &str =
    "(SELECT count(*) FROM events e WHERE e.profile_id = profiles.id AND e.name = 'purchase') >= 1";

fn us_paid_purchasers() -> Value {
    segment(vec![
        cond("country", "is", json!("US")),
        cond("plan", "is_one_of", json!(["pro", "enterprise"])),
        related("events", 1, [cond("name", "is", "purchase")]),
    ])
}

fn profiles_where(parts: &[&str]) -> u64 {
    count_sql(&format!(
        "SELECT count(*) FROM profiles WHERE {}",
        if parts.is_empty() {
            "1".to_string()
        } else {
            parts.join(" AND ")
        }
    ))
}

#[test]
fn the_preview_counts_in_memory_with_every_node_alone_and_without_it() {
    let response = preview(us_paid_purchasers());
    assert_eq!(response["problems"], json!([]), "{response}");
    assert_eq!(response["engine"], "memory", "{response}");
    assert_eq!(response["notice"], Value::Null);
    assert_eq!(
        response["count"],
        json!(profiles_where(&[US, PAID, PURCHASER]))
    );
    let nodes = response["nodes"].as_array().unwrap();
    let node = |path: &str| {
        nodes
            .iter()
            .find(|n| n["path"] == path)
            .unwrap_or_else(|| panic!("no {path} in {nodes:?}"))
            .clone()
    };
    let expected = [
        ("/root/children/0", US, [PAID, PURCHASER]),
        ("/root/children/1", PAID, [US, PURCHASER]),
        ("/root/children/2", PURCHASER, [US, PAID]),
    ];
    for (path, alone, others) in expected {
        let n = node(path);
        assert_eq!(n["count"], json!(profiles_where(&[alone])), "{path} alone");
        assert_eq!(
            n["without"],
            json!(profiles_where(&others)),
            "{path} without"
        );
    }
    // The condition inside the relationship: records having any purchase event, and the
    // segment without that filter (any event at all).
    let inner = node("/root/children/2/filter/children/0");
    assert_eq!(inner["count"], json!(profiles_where(&[PURCHASER])));
    assert_eq!(
        inner["without"],
        json!(profiles_where(&[
            US,
            PAID,
            "EXISTS (SELECT 1 FROM events e WHERE e.profile_id = profiles.id)"
        ]))
    );
}

#[test]
fn what_the_engine_cannot_judge_is_counted_with_sql_and_said() {
    let response = preview(segment(vec![
        cond("country", "is", json!("US")),
        sql("age > 30"),
    ]));
    assert_eq!(response["problems"], json!([]), "{response}");
    assert_eq!(response["engine"], "sql", "{response}");
    assert!(
        response["notice"].as_str().unwrap().contains("SQL"),
        "{response}"
    );
    assert_eq!(response["count"], json!(profiles_where(&[US, "age > 30"])));
    let nodes = response["nodes"].as_array().unwrap();
    let first = nodes
        .iter()
        .find(|n| n["path"] == "/root/children/0")
        .unwrap();
    assert_eq!(first["count"], json!(profiles_where(&[US])));
    assert_eq!(first["without"], json!(profiles_where(&["age > 30"])));
}

#[test]
fn samples_are_matching_records_with_the_nodes_they_met() {
    let request = |seed: Value| {
        invoke(
            "samples",
            json!({ "request": { "segment": us_paid_purchasers(), "n": 5, "seed": seed } }),
        )
        .unwrap()
    };
    let matching = keys_sql(&format!(
        "SELECT id FROM profiles WHERE {US} AND {PAID} AND {PURCHASER} ORDER BY id"
    ));
    let first = request(Value::Null);
    assert_eq!(first["key"], "id");
    let samples = first["samples"].as_array().unwrap();
    let keys: Vec<i64> = samples
        .iter()
        .map(|s| s["key"].as_f64().unwrap() as i64)
        .collect();
    assert_eq!(keys, matching[..5.min(matching.len())].to_vec());
    for s in samples {
        assert_eq!(s["record"]["country"], "US", "{s}");
        assert_eq!(
            s["record"]["id"].as_i64(),
            s["key"].as_f64().map(|k| k as i64)
        );
        let met: Vec<&str> = strs(&s["met"]);
        for path in ["/root/children/0", "/root/children/1", "/root/children/2"] {
            assert!(met.contains(&path), "{met:?}");
        }
    }
    // Random: matching records too, the same for the same seed.
    let random = request(json!(42));
    let again = request(json!(42));
    assert_eq!(random, again);
    for s in random["samples"].as_array().unwrap() {
        assert!(
            matching.contains(&(s["key"].as_f64().unwrap() as i64)),
            "{s}"
        );
    }
}

#[test]
fn overlap_counts_every_region_exactly() {
    let a = segment(vec![cond("country", "is", json!("US"))]);
    let b = segment(vec![cond(
        "plan",
        "is_one_of",
        json!(["pro", "enterprise"]),
    )]);
    let c = segment(vec![cond("age", "greater_than", json!(40))]);
    let r = invoke("overlap", json!({ "request": { "segments": [a, b, c] } })).unwrap();
    let (na, nb, nc) = (
        profiles_where(&[US]),
        profiles_where(&[PAID]),
        profiles_where(&["age > 40"]),
    );
    assert_eq!(r["counts"], json!([na, nb, nc]), "{r}");
    assert_eq!(r["total"], json!(profiles_where(&[])));
    let region = |ids: &[u64]| {
        r["regions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["segments"] == json!(ids))
            .map(|g| g["count"].as_u64().unwrap())
            .unwrap_or(0)
    };
    let not = |s: &str| format!("NOT coalesce({s}, 0)");
    assert_eq!(region(&[0, 1, 2]), profiles_where(&[US, PAID, "age > 40"]));
    assert_eq!(
        region(&[0, 1]),
        profiles_where(&[US, PAID, &not("age > 40")])
    );
    assert_eq!(
        region(&[0]),
        profiles_where(&[US, &not(PAID), &not("age > 40")])
    );
    let ab = profiles_where(&[US, PAID]) as f64;
    let union = (na + nb) as f64 - ab;
    assert!(
        (r["jaccard"][0][1].as_f64().unwrap() - ab / union).abs() < 1e-9,
        "{r}"
    );

    let err = invoke(
        "overlap",
        json!({ "request": { "segments": [segment(vec![])] } }),
    )
    .unwrap_err();
    assert_eq!(err["kind"], "invalid_request");
}

#[test]
fn the_engine_reloads_when_the_file_changes() {
    let state = &fixture().state;
    let turn = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let loaded = state.loaded().unwrap();
    let path = Path::new(&loaded.info.path);
    let file = std::fs::File::options().append(true).open(path).unwrap();
    file.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(60))
        .unwrap();
    drop(file);
    assert!(matches!(
        loaded.service.engine_status(),
        EngineStatus::Loading
    ));
    assert!(matches!(
        loaded.service.wait_for_engine(),
        EngineStatus::Ready(_)
    ));
    drop(turn);
    // And the preview counts in memory again.
    assert_eq!(preview(us_paid_purchasers())["engine"], "memory");
}
