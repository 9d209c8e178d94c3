//! Audience tools on the demo data: breakdowns sum to the count, splits partition the members
//! stably, tiers partition their union; the engine and the SQL agree on each, over random
//! segments.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use segment_service::audience::{
    bucket_of, BreakdownOptions, Dimension, Period, RowKind, SplitGroup, SplitRequest,
};
use segment_service::{CheckedSegment, EngineCache, Method, NodeCounts, Prefer, Service};
use segment_source::CancelToken;
use serde_json::{json, Value};

fn demo() -> &'static PathBuf {
    static DEMO: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &DEMO
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("demo.sqlite");
            let options = segment_source::DemoOptions {
                profiles: 600,
                seed: 11,
            };
            segment_source::generate_demo(&path, options).unwrap();
            (dir, path)
        })
        .1
}

fn service() -> Service {
    segment_service::open_sqlite(demo(), None, EngineCache::new()).unwrap()
}

fn now() -> DateTime<Utc> {
    "2026-11-01T00:00:00Z".parse().unwrap()
}

fn checked(service: &Service, root: Value) -> CheckedSegment {
    let segment = json!({"version": 1, "entity": "profiles", "root": root});
    CheckedSegment::from_json(segment, service.schema(), None, now()).unwrap()
}

/// Conditions random segments are made of.
fn conditions() -> Vec<Value> {
    let c = |attribute: &str, operator: &str, value: Value| json!({"type": "condition", "attribute": attribute, "operator": operator, "value": value});
    vec![
        c("country", "is", json!("US")),
        c("country", "is_one_of", json!(["CA", "GB", "FR"])),
        c("plan", "is_not", json!("free")),
        c("age", "greater_than", json!(40)),
        c("age", "is_null", Value::Null),
        c("lifetime_value", "less_than", json!(200)),
        c("is_subscribed", "is_true", Value::Null),
        json!({"type": "relationship", "relationship": "orders",
               "constraint": {"type": "occurrences", "operator": "at_least", "value": 2}, "filter": {"combinator": "and", "children": []}}),
    ]
    .into_iter()
    .map(|mut v| {
        if v["value"].is_null() {
            v.as_object_mut().unwrap().remove("value");
        }
        v
    })
    .collect()
}

/// A repeatable random segment: 1–3 conditions under AND or OR, some negated.
fn random_root(seed: u64) -> Value {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move |n: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % n
    };
    let pool = conditions();
    let children: Vec<Value> = (0..1 + next(3))
        .map(|_| pool[next(pool.len() as u64) as usize].clone())
        .collect();
    let combinator = if next(2) == 0 { "and" } else { "or" };
    json!({"combinator": combinator, "negated": next(4) == 0, "children": children})
}

fn segments(service: &Service) -> Vec<CheckedSegment> {
    (0..16)
        .map(random_root)
        .filter_map(|root| {
            let segment = json!({"version": 1, "entity": "profiles", "root": root});
            CheckedSegment::from_json(segment, service.schema(), None, now()).ok()
        })
        .collect()
}

fn dimensions() -> Vec<Dimension> {
    [
        "country",
        "plan",
        "is_subscribed",
        "age",
        "lifetime_value",
        "signed_up_at",
        "birth_date",
        "orders.count",
        "orders.sum(items)",
        "orders.max(placed_at)",
    ]
    .iter()
    .map(|t| Dimension::parse(t).unwrap())
    .collect()
}

fn count(service: &Service, segment: &CheckedSegment) -> u64 {
    service
        .count(segment, Prefer::Sql, NodeCounts::None, &CancelToken::new())
        .unwrap()
        .count
}

#[test]
fn breakdowns_sum_to_the_count_and_the_engine_agrees_with_sql() {
    let service = service();
    let token = CancelToken::new();
    let segments = segments(&service);
    assert!(
        segments.len() >= 10,
        "random segments should mostly be valid"
    );
    for segment in &segments {
        let expected = count(&service, segment);
        for dimension in dimensions() {
            let options = BreakdownOptions::default();
            let memory = service
                .breakdown(segment, &dimension, &options, Prefer::Engine, &token)
                .unwrap();
            let sql = service
                .breakdown(segment, &dimension, &options, Prefer::Sql, &token)
                .unwrap();
            assert_eq!(
                memory.method,
                Method::Memory,
                "{dimension:?}: {:?}",
                memory.notice
            );
            assert_eq!(sql.method, Method::Sql);
            assert_eq!(memory.rows, sql.rows, "{dimension:?}");
            assert_eq!(
                (memory.count, memory.total),
                (expected, 600),
                "{dimension:?}"
            );
            assert_eq!(memory.rows.iter().map(|r| r.count).sum::<u64>(), expected);
            assert_eq!(memory.rows.iter().map(|r| r.base).sum::<u64>(), 600);
            assert!(!memory.rows.is_empty());
        }
    }
}

#[test]
fn a_breakdown_ranks_by_lift_and_groups_the_rest() {
    let service = service();
    let us = checked(
        &service,
        json!({"combinator": "and", "children": [
            {"type": "condition", "attribute": "country", "operator": "is", "value": "US"}]}),
    );
    let token = CancelToken::new();
    let country = Dimension::parse("country").unwrap();
    let options = BreakdownOptions {
        top: Some(3),
        ..Default::default()
    };
    let b = service
        .breakdown(&us, &country, &options, Prefer::Engine, &token)
        .unwrap();
    // Every member is from the US: one value holds them all, with the lift 1 / its base share.
    assert_eq!(b.rows[0].label, "US");
    assert_eq!(b.rows[0].count, b.count);
    assert!((b.rows[0].lift.unwrap() - 1.0 / b.rows[0].base_share).abs() < 1e-9);
    assert!(b
        .rows
        .iter()
        .any(|r| r.kind == RowKind::Other && r.count == 0));
    let everyone = checked(&service, json!({"combinator": "and", "children": []}));
    let by_lift = BreakdownOptions {
        by_lift: true,
        ..Default::default()
    };
    let b = service
        .breakdown(&everyone, &country, &by_lift, Prefer::Engine, &token)
        .unwrap();
    // Everyone: every lift is 1.
    assert!(b.rows.iter().all(|r| (r.lift.unwrap() - 1.0).abs() < 1e-9));
    let dates = BreakdownOptions {
        period: Some(Period::Year),
        ..Default::default()
    };
    let b = service
        .breakdown(
            &everyone,
            &Dimension::parse("signed_up_at").unwrap(),
            &dates,
            Prefer::Engine,
            &token,
        )
        .unwrap();
    assert!(b.rows.iter().all(|r| r.label.len() == 4), "{:?}", b.rows);
}

fn holdout(salt: &str) -> SplitRequest {
    let group = |name: &str, percent: f64| SplitGroup {
        name: name.into(),
        percent,
    };
    SplitRequest {
        groups: vec![group("A", 45.0), group("B", 45.0), group("Holdout", 10.0)],
        salt: salt.into(),
        balance: vec![
            Dimension::parse("age").unwrap(),
            Dimension::parse("country").unwrap(),
        ],
    }
}

fn member_keys(service: &Service, segment: &CheckedSegment) -> BTreeSet<String> {
    service
        .members(segment, &CancelToken::new())
        .unwrap()
        .ids
        .into_iter()
        .collect()
}

#[test]
fn splits_partition_the_members_stably_by_the_documented_hash() {
    let service = service();
    let token = CancelToken::new();
    let request = holdout("spring-test");
    for segment in segments(&service) {
        let memory = service
            .split(&segment, &request, Prefer::Engine, &token)
            .unwrap();
        let sql = service
            .split(&segment, &request, Prefer::Sql, &token)
            .unwrap();
        assert_eq!(memory.method, Method::Memory);
        assert_eq!(memory.groups, sql.groups);
        assert_eq!(memory.balance, sql.balance);
        assert_eq!(memory.count, count(&service, &segment));
        assert_eq!(
            memory.groups.iter().map(|g| g.count).sum::<u64>(),
            memory.count
        );

        let lists = service
            .split_members(&segment, &request, Prefer::Engine, &token)
            .unwrap();
        let again = service
            .split_members(&segment, &request, Prefer::Sql, &token)
            .unwrap();
        let sets: Vec<BTreeSet<String>> =
            lists.iter().map(|l| l.iter().cloned().collect()).collect();
        let again: Vec<BTreeSet<String>> =
            again.iter().map(|l| l.iter().cloned().collect()).collect();
        assert_eq!(sets, again, "the same members land in the same groups");
        let union: BTreeSet<String> = sets.iter().flatten().cloned().collect();
        assert_eq!(
            union.len(),
            sets.iter().map(BTreeSet::len).sum::<usize>(),
            "disjoint"
        );
        assert_eq!(union, member_keys(&service, &segment), "every member, once");
        for (g, set) in sets.iter().enumerate() {
            for key in set {
                let bucket = bucket_of("spring-test", key);
                let group = &memory.groups[g];
                assert!((group.first_bucket..group.end_bucket).contains(&bucket));
                assert_eq!(group.count, set.len() as u64);
            }
        }
    }
}

#[test]
fn a_split_is_about_its_percentages_and_reports_balance() {
    let service = service();
    let everyone = checked(&service, json!({"combinator": "and", "children": []}));
    let token = CancelToken::new();
    let split = service
        .split(&everyone, &holdout("balance"), Prefer::Engine, &token)
        .unwrap();
    let shares: Vec<f64> = split
        .groups
        .iter()
        .map(|g| g.count as f64 / 600.0)
        .collect();
    assert!(
        (shares[0] - 0.45).abs() < 0.07 && (shares[2] - 0.10).abs() < 0.05,
        "{shares:?}"
    );
    assert_eq!(split.balance[0].attribute, "age");
    assert_eq!(split.balance[0].values.len(), 3);
    assert!(split
        .balance
        .iter()
        .any(|r| r.attribute.starts_with("country = ")));
    // Another salt, another assignment.
    let other = service
        .split_members(&everyone, &holdout("other"), Prefer::Engine, &token)
        .unwrap();
    let first = service
        .split_members(&everyone, &holdout("balance"), Prefer::Engine, &token)
        .unwrap();
    assert_ne!(other, first);
}

#[test]
fn tiers_partition_their_union_and_count_what_each_lost() {
    let service = service();
    let token = CancelToken::new();
    let all = segments(&service);
    for window in all.windows(3) {
        let tiers: Vec<(String, CheckedSegment)> = window
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("tier {i}"), s.clone()))
            .collect();
        let memory = service.tiers(&tiers, Prefer::Engine, &token).unwrap();
        let sql = service.tiers(&tiers, Prefer::Sql, &token).unwrap();
        assert_eq!(memory.method, Method::Memory);
        assert_eq!(memory.tiers, sql.tiers);
        assert_eq!((memory.union, memory.total), (sql.union, sql.total));

        let members: Vec<BTreeSet<String>> =
            window.iter().map(|s| member_keys(&service, s)).collect();
        let union: BTreeSet<String> = members.iter().flatten().cloned().collect();
        assert_eq!(memory.union, union.len() as u64);
        assert_eq!(
            memory.tiers.iter().map(|t| t.count).sum::<u64>(),
            memory.union
        );
        let mut first: HashMap<String, usize> = HashMap::new();
        for (i, m) in members.iter().enumerate() {
            for key in m {
                first.entry(key.clone()).or_insert(i);
            }
        }
        for (i, tier) in memory.tiers.iter().enumerate() {
            assert_eq!(tier.matched, members[i].len() as u64);
            assert_eq!(tier.lost, tier.lost_to.iter().sum::<u64>());
            for (j, lost) in tier.lost_to.iter().enumerate() {
                let expected = members[i].iter().filter(|k| first[*k] == j).count() as u64;
                assert_eq!(*lost, expected);
            }
        }
        let kept = service
            .tier_members(&tiers, Prefer::Engine, &token)
            .unwrap();
        let kept_sql = service.tier_members(&tiers, Prefer::Sql, &token).unwrap();
        for (i, list) in kept.iter().enumerate() {
            let set: BTreeSet<String> = list.iter().cloned().collect();
            let set_sql: BTreeSet<String> = kept_sql[i].iter().cloned().collect();
            assert_eq!(set, set_sql);
            let expected: BTreeSet<String> = members[i]
                .iter()
                .filter(|k| first[*k] == i)
                .cloned()
                .collect();
            assert_eq!(set, expected);
        }
    }
}
