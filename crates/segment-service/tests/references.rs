//! "Is (not) in segment S" through the service: references gathered from a segment library,
//! dynamic segments inlined, static ones as their active members, counted in memory and in
//! SQL alike (with per-node counts); cycles, depth, unknown ids and pinned revisions.

use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use segment_model::Segment;
use segment_service::{CheckedSegment, EngineCache, NodeCounts, Prefer, References, Service};
use segment_source::CancelToken;
use segment_store::{AddOptions, SegmentDraft, SegmentType, Store};
use serde_json::{json, Value};

fn demo() -> &'static PathBuf {
    static DEMO: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &DEMO
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("demo.sqlite");
            segment_source::generate_demo(
                &path,
                segment_source::DemoOptions {
                    profiles: 500,
                    seed: 7,
                },
            )
            .unwrap();
            (dir, path)
        })
        .1
}

fn now() -> DateTime<Utc> {
    "2026-11-01T00:00:00Z".parse().unwrap()
}

fn tree(children: Value) -> Segment {
    serde_json::from_value(json!({"version": 1, "entity": "profiles",
        "root": {"combinator": "and", "children": children}}))
    .unwrap()
}

fn country(c: &str) -> Value {
    json!({"type": "condition", "attribute": "country", "operator": "is", "value": c})
}

fn in_segment(id: &str) -> Value {
    json!({"type": "in_segment", "segment": id})
}

fn save(store: &mut Store, id: &str, children: Value) {
    store
        .save(&SegmentDraft {
            id: id.into(),
            name: Some(id.replace('_', " ")),
            definition: Some(tree(children)),
            ..Default::default()
        })
        .unwrap();
}

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
    service: Service,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path().join("library.sqlite")).unwrap();
    save(&mut store, "us", json!([country("US")]));
    store
        .save(&SegmentDraft {
            id: "picked".into(),
            segment_type: Some(SegmentType::Static),
            entity: Some("profiles".into()),
            ..Default::default()
        })
        .unwrap();
    let members = ["1", "2", "3", "5", "8", "13", "21", "not_a_key", "99999"];
    store
        .add_members("picked", &members, &AddOptions::default())
        .unwrap();
    let service = segment_service::open_sqlite(demo(), None, EngineCache::new()).unwrap();
    Fixture {
        _dir: dir,
        store,
        service,
    }
}

impl Fixture {
    fn check(&mut self, children: Value) -> Result<CheckedSegment, Vec<String>> {
        let segment = tree(children);
        let refs = References::gather(&segment, &mut self.store);
        CheckedSegment::check_in(segment, self.service.schema(), None, now(), refs).map_err(|ps| {
            ps.into_iter()
                .map(|p| format!("{}: {}", p.path, p.message))
                .collect()
        })
    }

    /// The count in memory and in SQL (asserted equal).
    fn count(&mut self, children: Value) -> u64 {
        let checked = self.check(children).unwrap();
        let token = CancelToken::new();
        let memory = self
            .service
            .count(&checked, Prefer::Engine, NodeCounts::None, &token)
            .unwrap();
        let sql = self
            .service
            .count(&checked, Prefer::Sql, NodeCounts::None, &token)
            .unwrap();
        assert_eq!(memory.count, sql.count, "engine == SQL");
        memory.count
    }
}

#[test]
fn a_dynamic_segment_counts_as_its_definition_and_not_in_as_its_complement() {
    let mut f = fixture();
    let total = f.count(json!([]));
    let us = f.count(json!([country("US")]));
    assert!(us > 0 && us < total, "{us} of {total}");
    assert_eq!(f.count(json!([in_segment("us")])), us);
    let not_in = json!([{"type": "in_segment", "segment": "us", "negated": true}]);
    assert_eq!(f.count(not_in), total - us);
    // Inside a NOT group and beside another condition.
    let mixed = json!([{"type": "group", "combinator": "or", "negated": true,
        "children": [in_segment("us"), country("CA")]}]);
    let ca = f.count(json!([country("CA")]));
    assert_eq!(f.count(mixed), total - us - ca);
}

#[test]
fn a_static_segment_counts_its_active_members_that_are_records() {
    let mut f = fixture();
    let total = f.count(json!([]));
    // 7 of the 9 members are keys of the demo's profiles ("not_a_key" and 99999 are not).
    assert_eq!(f.count(json!([in_segment("picked")])), 7);
    let not_in = json!([{"type": "in_segment", "segment": "picked", "negated": true}]);
    assert_eq!(f.count(not_in), total - 7);
    f.store.remove_members("picked", &["1", "2"]).unwrap();
    assert_eq!(f.count(json!([in_segment("picked")])), 5);
}

#[test]
fn per_node_counts_include_the_reference() {
    let mut f = fixture();
    let us = f.count(json!([country("US")]));
    let checked = f
        .check(json!([in_segment("us"), in_segment("picked")]))
        .unwrap();
    let counted = f
        .service
        .count(
            &checked,
            Prefer::Engine,
            NodeCounts::Always,
            &CancelToken::new(),
        )
        .unwrap();
    let nodes = counted.nodes.unwrap();
    let first = nodes.iter().find(|n| n.path == "/root/children/0").unwrap();
    assert_eq!(first.count, us);
    let second = nodes.iter().find(|n| n.path == "/root/children/1").unwrap();
    assert_eq!(second.count, 7);
}

#[test]
fn a_pinned_revision_counts_that_revision() {
    let mut f = fixture();
    let us = f.count(json!([country("US")]));
    let ca = f.count(json!([country("CA")]));
    save(&mut f.store, "us", json!([country("CA")])); // revision 1
    assert_eq!(f.count(json!([in_segment("us")])), ca);
    let pinned = json!([{"type": "in_segment", "segment": "us", "revision": 0}]);
    assert_eq!(f.count(pinned), us);
    let missing = json!([{"type": "in_segment", "segment": "us", "revision": 7}]);
    assert_eq!(
        f.check(missing).unwrap_err(),
        ["/root/children/0/segment: Segment “us” has no revision 7 (its latest is 1)."]
    );
}

#[test]
fn cycles_unknown_ids_and_depth_are_located_problems() {
    let mut f = fixture();
    save(&mut f.store, "a", json!([in_segment("b")]));
    save(&mut f.store, "b", json!([country("US"), in_segment("a")]));
    assert_eq!(
        f.check(json!([in_segment("a")])).unwrap_err(),
        ["/root/children/0/segment: These segments refer to each other in a circle: a → b → a. Remove one of the references."]
    );
    assert_eq!(
        f.check(json!([country("US"), in_segment("nope")]))
            .unwrap_err(),
        ["/root/children/1/segment: There is no segment “nope” in the library."]
    );
    for i in 0..10 {
        save(
            &mut f.store,
            &format!("s{i}"),
            json!([in_segment(&format!("s{}", i + 1))]),
        );
    }
    save(&mut f.store, "s10", json!([country("US")]));
    let deep = f.check(json!([in_segment("s0")])).unwrap_err();
    assert_eq!(deep.len(), 1);
    assert!(
        deep[0].starts_with(
            "/root/children/0/segment: Segments refer to other segments more than 8 deep (s0 → s1"
        ),
        "{deep:?}"
    );
    // Without a library, a reference says so.
    let lone = CheckedSegment::check(
        tree(json!([in_segment("us")])),
        f.service.schema(),
        None,
        now(),
    );
    assert_eq!(
        lone.unwrap_err()[0].message,
        "Segment “us” is in the segment library, which is not open here."
    );
}

#[test]
fn a_segment_of_another_entity_is_refused() {
    let mut f = fixture();
    f.store
        .save(&SegmentDraft {
            id: "big_orders".into(),
            name: Some("Big orders".into()),
            definition: Some(
                serde_json::from_value(json!({"version": 1, "entity": "orders", "root": {
                    "combinator": "and", "children": [
                        {"type": "condition", "attribute": "amount", "operator": "greater_than", "value": 100}]}}))
                .unwrap(),
            ),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        f.check(json!([in_segment("big_orders")])).unwrap_err(),
        ["/root/children/0/segment: Segment “Big orders” selects orders, not profiles: choose a segment of profiles."]
    );
}
