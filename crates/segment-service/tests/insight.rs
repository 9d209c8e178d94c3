//! Size over time, "why / why not" and near misses (issue 14 items 4–6), on random trees over the
//! demo data: each trend point equals the count "as of" that instant, in memory and in SQL;
//! a record is in the segment exactly when the root of its explanation is met, and every node's
//! verdict equals SQL's; near misses' "without" and curve points equal counts of the moved
//! segment. Related records after "now" do not count.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::{DateTime, Duration, Utc};
use segment_model::Segment;
use segment_service::explain_record::{explain_record, parse_key};
use segment_service::near_miss::near_misses;
use segment_service::trend::{instants, trend, TrendStep};
use segment_service::{backend::key_text, EngineCache, Method, NodeCounts, Prefer, Service};
use segment_source::CancelToken;
use serde_json::{json, Value};

const END: &str = "2026-11-01T00:00:00Z";

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn demo() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let path = dir.join("demo.sqlite");
        let options = segment_source::DemoOptions {
            profiles: 300,
            seed: 11,
        };
        segment_source::generate_demo(&path, options).unwrap();
        path
    })
}

fn service() -> Service {
    let service = segment_service::open_sqlite(demo(), None, EngineCache::new()).unwrap();
    assert!(service.dataset().is_ok(), "the engine loads the demo data");
    service
}

/// splitmix64: repeatable random numbers without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

fn attribute(rng: &mut Rng) -> Value {
    match rng.below(6) {
        0 => json!({"type": "condition", "attribute": "country", "operator": "is_one_of",
                    "value": [rng.pick(&["US", "DE", "FR"]), rng.pick(&["GB", "US", "JP"])]}),
        1 => json!({"type": "condition", "attribute": "plan", "operator": "is",
                    "value": rng.pick(&["free", "pro", "starter"])}),
        2 => json!({"type": "condition", "attribute": "age",
                    "operator": rng.pick(&["greater_than", "less_than_or_equal"]),
                    "value": 20 + rng.below(40)}),
        3 => json!({"type": "condition", "attribute": "signed_up_at", "operator": "in_the_last",
                    "value": {"amount": 1 + rng.below(24), "unit": "month"}}),
        4 => json!({"type": "condition", "attribute": "lifetime_value", "operator": "greater_than",
                    "value": rng.below(500)}),
        _ => json!({"type": "condition", "attribute": "is_subscribed", "operator": "is_true"}),
    }
}

fn window(rng: &mut Rng) -> Option<Value> {
    match rng.below(5) {
        0 => Some(json!({"type": "in_the_last", "amount": 1 + rng.below(60), "unit": "day"})),
        1 => Some(json!({"type": "between_ago", "from": 30, "to": rng.below(20), "unit": "day"})),
        2 => Some(json!({"type": "after", "date": "2026-08-01"})),
        _ => None,
    }
}

fn relationship(rng: &mut Rng) -> Value {
    let (relationship, filter, aggregate) = if rng.below(3) == 0 {
        let filter = json!({"type": "condition", "attribute": "status", "operator": "is",
                            "value": rng.pick(&["paid", "refunded", "shipped"])});
        ("orders", filter, "total")
    } else {
        let filter = json!({"type": "condition", "attribute": "name", "operator": "is",
                            "value": rng.pick(&["purchase", "login", "page_view", "email_opened"])});
        ("events", filter, "amount")
    };
    let constraint = if rng.below(4) == 0 {
        json!({"type": "aggregate", "function": rng.pick(&["sum", "max", "avg"]),
               "attribute": aggregate, "operator": "more_than", "value": rng.below(200)})
    } else {
        json!({"type": "occurrences", "operator": rng.pick(&["at_least", "at_most", "exactly"]),
               "value": rng.below(4)})
    };
    let filter = if rng.below(4) == 0 {
        json!({"combinator": "and", "children": []})
    } else {
        json!({"combinator": "and", "children": [filter]})
    };
    let mut node = json!({"type": "relationship", "relationship": relationship,
                          "constraint": constraint, "filter": filter});
    if let Some(w) = window(rng) {
        node["window"] = w;
    }
    node
}

fn node(rng: &mut Rng, depth: u32) -> Value {
    match rng.below(if depth >= 2 { 2 } else { 3 }) {
        0 => attribute(rng),
        1 => relationship(rng),
        _ => {
            let children: Vec<Value> = (0..1 + rng.below(3))
                .map(|_| node(rng, depth + 1))
                .collect();
            json!({"type": "group", "combinator": rng.pick(&["and", "or"]),
                   "negated": rng.below(3) == 0, "children": children})
        }
    }
}

fn random_segment(seed: u64) -> Segment {
    let mut rng = Rng(seed);
    let children: Vec<Value> = (0..1 + rng.below(3)).map(|_| node(&mut rng, 0)).collect();
    let combinator = *rng.pick(&["and", "or"]);
    serde_json::from_value(json!({"version": 1, "entity": "profiles",
        "root": {"combinator": combinator, "children": children}}))
    .unwrap()
}

fn sql_keys(service: &Service, segment: &Segment, now: DateTime<Utc>) -> HashSet<String> {
    let checked = service.check(segment.clone(), None, now).unwrap();
    let keys = service
        .backend()
        .matching_keys(&checked.query, u64::MAX >> 1, &CancelToken::new())
        .unwrap();
    keys.iter().filter_map(key_text).collect()
}

#[test]
fn each_trend_point_is_the_count_as_of_its_instant_in_memory_and_in_sql() {
    let service = service();
    let token = CancelToken::new();
    for seed in 0..25 {
        let segment = random_segment(seed);
        let steps = instants(at("2026-09-10T00:00:00Z"), at(END), TrendStep::Week).unwrap();
        assert_eq!(
            steps.last(),
            Some(&at(END)),
            "the last step is the end itself"
        );
        let found = trend(&service, &segment, None, &steps, &token).unwrap();
        assert_eq!(found.method, Method::Memory);
        let mut before: Option<HashSet<String>> = None;
        for (point, instant) in found.points.iter().zip(&steps) {
            let checked = service.check(segment.clone(), None, *instant).unwrap();
            let engine = service
                .count(&checked, Prefer::Engine, NodeCounts::None, &token)
                .unwrap();
            let sql = service
                .count(&checked, Prefer::Sql, NodeCounts::None, &token)
                .unwrap();
            assert_eq!(point.count, engine.count, "seed {seed} at {instant}");
            assert_eq!(point.count, sql.count, "seed {seed} at {instant} (SQL)");
            let keys = sql_keys(&service, &segment, *instant);
            if let Some(before) = &before {
                let entered = keys.difference(before).count() as u64;
                let left = before.difference(&keys).count() as u64;
                assert_eq!((point.entered, point.left), (Some(entered), Some(left)));
            } else {
                assert_eq!((point.entered, point.left), (None, None));
            }
            before = Some(keys);
        }
    }
}

#[test]
fn related_records_after_now_do_not_count() {
    // "Did at least one purchase, any time": as of a day, only purchases up to that day count,
    // in the engine and in SQL alike, and the count only grows day after day.
    let service = service();
    let token = CancelToken::new();
    let segment: Segment = serde_json::from_value(json!({"version": 1, "entity": "profiles",
        "root": {"combinator": "and", "children": [{"type": "relationship", "relationship": "events",
            "constraint": {"type": "occurrences", "operator": "at_least", "value": 1},
            "filter": {"combinator": "and", "children": [
                {"type": "condition", "attribute": "name", "operator": "is", "value": "purchase"}]}}]}}))
    .unwrap();
    let early = at("2025-06-01T00:00:00Z");
    let conn = rusqlite::Connection::open(demo()).unwrap();
    let purchasers_then: u64 = conn
        .query_row(
            "SELECT count(DISTINCT profile_id) FROM events WHERE name = 'purchase' AND ts <= ?",
            [early.timestamp()],
            |r| r.get(0),
        )
        .unwrap();
    let purchasers_ever: u64 = conn
        .query_row(
            "SELECT count(DISTINCT profile_id) FROM events WHERE name = 'purchase'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(purchasers_then < purchasers_ever);
    for prefer in [Prefer::Engine, Prefer::Sql] {
        let checked = service.check(segment.clone(), None, early).unwrap();
        let counted = service
            .count(&checked, prefer, NodeCounts::None, &token)
            .unwrap();
        assert_eq!(counted.count, purchasers_then, "{prefer:?}");
    }
    let steps = instants(at("2026-06-01T00:00:00Z"), at(END), TrendStep::Week).unwrap();
    let found = trend(&service, &segment, None, &steps, &token).unwrap();
    assert!(found
        .points
        .windows(2)
        .all(|w| w[0].count <= w[1].count && w[1].left == Some(0)));
    assert_eq!(found.points.last().map(|p| p.count), Some(purchasers_ever));
}

#[test]
fn a_record_is_in_the_segment_exactly_when_its_root_is_met_and_each_node_agrees_with_sql() {
    let service = service();
    let token = CancelToken::new();
    let now = at(END);
    let mut members_seen = 0;
    for seed in 100..140 {
        let segment = random_segment(seed);
        let checked = service.check(segment.clone(), None, now).unwrap();
        let members = sql_keys(&service, &segment, now);
        let variants = checked.variants(service.schema());
        for id in [1, 7, 42, 150, 299] {
            let key = parse_key(&id.to_string(), service.schema(), &checked).unwrap();
            let explained = explain_record(&service, &checked, &key, &token).unwrap();
            assert!(explained.found);
            assert_eq!(explained.method, Method::Memory);
            assert_eq!(explained.nodes[0].path, "/root");
            assert_eq!(explained.nodes[0].met, explained.member);
            assert_eq!(
                explained.member,
                members.contains(&id.to_string()),
                "seed {seed}, id {id}"
            );
            members_seen += u32::from(explained.member);
            for (verdict, variant) in explained.nodes[1..].iter().zip(&variants) {
                assert_eq!(verdict.path, variant.path);
                let in_sql = service
                    .backend()
                    .keys_matching(&variant.alone, std::slice::from_ref(&key), &token)
                    .unwrap();
                assert_eq!(
                    verdict.met, in_sql[0],
                    "seed {seed}, id {id}, {}",
                    verdict.path
                );
            }
        }
    }
    assert!(
        members_seen > 10,
        "members and non-members are both explained"
    );
}

#[test]
fn why_not_shows_the_values_that_decided() {
    let service = service();
    let token = CancelToken::new();
    let segment: Segment = serde_json::from_value(json!({"version": 1, "entity": "profiles",
        "root": {"combinator": "and", "children": [
            {"type": "condition", "attribute": "plan", "operator": "is", "value": "enterprise"},
            {"type": "relationship", "relationship": "orders",
             "constraint": {"type": "aggregate", "function": "sum", "attribute": "total",
                            "operator": "more_than", "value": 100},
             "filter": {"combinator": "and", "children": []}}]}}))
    .unwrap();
    let checked = service.check(segment, None, at(END)).unwrap();
    let conn = rusqlite::Connection::open(demo()).unwrap();
    let (id, plan, orders, sum): (i64, String, u64, f64) = conn
        .query_row(
            "SELECT p.id, p.plan, count(o.id), sum(o.total) FROM profiles p
             JOIN orders o ON o.profile_id = p.id GROUP BY p.id ORDER BY p.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    let key = parse_key(&format!(" {id} "), service.schema(), &checked).unwrap();
    assert_eq!(key, json!(id));
    let explained = explain_record(&service, &checked, &key, &token).unwrap();
    let plan_node = &explained.nodes[1];
    assert_eq!(plan_node.value, Some(json!(plan)));
    assert_eq!(plan_node.met, plan == "enterprise");
    let orders_node = explained.nodes[2].related.as_ref().unwrap();
    assert_eq!(orders_node.records, orders);
    assert!((orders_node.aggregate.unwrap() - sum).abs() < 1e-6);
    assert_eq!(explained.nodes[2].met, sum > 100.0);
    // An unknown key is not found; a key that is not a number is refused at /key.
    let missing = explain_record(&service, &checked, &json!(999_999), &token).unwrap();
    assert!(!missing.found && !missing.member && missing.nodes.is_empty());
    let error = parse_key("abc", service.schema(), &checked).unwrap_err();
    assert!(error.to_string().contains("not a number"), "{error}");
}

#[test]
fn near_misses_equal_counts_of_the_segment_without_each_node_and_with_each_value_moved() {
    let service = service();
    let token = CancelToken::new();
    let segment: Segment = serde_json::from_value(json!({"version": 1, "entity": "profiles",
        "root": {"combinator": "and", "children": [
            {"type": "condition", "attribute": "age", "operator": "greater_than", "value": 30},
            {"type": "relationship", "relationship": "events",
             "constraint": {"type": "occurrences", "operator": "at_least", "value": 2},
             "window": {"type": "in_the_last", "amount": 30, "unit": "day"},
             "filter": {"combinator": "and", "children": [
                {"type": "condition", "attribute": "name", "operator": "is", "value": "login"}]}}]}}))
    .unwrap();
    let now = at(END);
    let checked = service.check(segment.clone(), None, now).unwrap();
    let found = near_misses(&service, &checked, &token).unwrap();
    let document = serde_json::to_value(&segment).unwrap();
    let count_of = |doc: &Value| {
        let moved: Segment = serde_json::from_value(doc.clone()).unwrap();
        sql_keys(&service, &moved, now).len() as u64
    };
    assert_eq!(found.count, count_of(&document));
    let age = &found.nodes[0];
    assert_eq!(age.path, "/root/children/0");
    let mut without_age = document.clone();
    without_age["root"]["children"]
        .as_array_mut()
        .unwrap()
        .remove(0);
    assert_eq!(age.without, count_of(&without_age));
    assert_eq!(age.more_if_dropped, age.without - found.count);
    let curve = &age.curves[0];
    assert_eq!(curve.pointer, "/root/children/0/value");
    assert!(curve
        .points
        .iter()
        .any(|p| p.value == 30.0 && p.count == found.count));
    for point in &curve.points {
        let mut moved = document.clone();
        moved["root"]["children"][0]["value"] = json!(point.value as i64);
        assert_eq!(point.count, count_of(&moved), "age > {}", point.value);
    }
    // The related condition moves its occurrences and its window; counts fall as the bar rises.
    let events = &found.nodes[1];
    let kinds: Vec<String> = events
        .curves
        .iter()
        .map(|c| {
            serde_json::to_value(c.kind)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(kinds, ["occurrences", "window"]);
    let occurrences = &events.curves[0].points;
    assert!(occurrences.windows(2).all(|w| w[0].count >= w[1].count));
    let window = &events.curves[1].points;
    assert!(window.windows(2).all(|w| w[0].count <= w[1].count));
    for point in window {
        let mut moved = document.clone();
        moved["root"]["children"][1]["window"]["amount"] = json!(point.value as i64);
        assert_eq!(
            point.count,
            count_of(&moved),
            "in the last {} days",
            point.value
        );
    }
}

#[test]
fn a_range_too_long_or_backwards_is_refused() {
    let end = at(END);
    assert!(instants(end - Duration::days(500), end, TrendStep::Day).is_err());
    assert_eq!(
        instants(end - Duration::days(500), end, TrendStep::Week)
            .unwrap()
            .len(),
        72
    );
    let error = instants(end, end - Duration::days(1), TrendStep::Day).unwrap_err();
    assert!(error.to_string().contains("after its end"), "{error}");
}
