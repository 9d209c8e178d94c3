//! Validation of "is (not) in segment S" against a fixed library: inlining, static members,
//! cycles (including back to the segment being checked), pinned revisions, located problems.

mod common;

use std::cell::RefCell;

use chrono::{DateTime, Utc};
use segment_model::ir::{ArrayElement, Expr, Number};
use segment_model::validate::{self, Definition, ResolvedSegment, Resolver};
use segment_model::Segment;
use serde_json::json;

fn now() -> DateTime<Utc> {
    "2024-05-16T00:00:00Z".parse().unwrap()
}

fn segment(children: serde_json::Value) -> Segment {
    serde_json::from_value(json!({"version": 1, "entity": "profiles",
        "root": {"combinator": "and", "children": children}}))
    .unwrap()
}

fn refer(id: &str) -> serde_json::Value {
    json!({"type": "in_segment", "segment": id})
}

/// The library: `us` (country is US), `loop_a` ⇄ `loop_b`, `members` (static), `empty`
/// (static, none); every lookup is recorded with its revision.
#[derive(Default)]
struct Library {
    asked: RefCell<Vec<(String, Option<i64>)>>,
}

impl Resolver for Library {
    fn resolve(&self, id: &str, revision: Option<i64>) -> Result<ResolvedSegment, String> {
        self.asked.borrow_mut().push((id.into(), revision));
        let dynamic = |children| Definition::Dynamic(segment(children));
        let definition = match id {
            "us" => dynamic(
                json!([{"type": "condition", "attribute": "country", "operator": "is", "value": "US"}]),
            ),
            "loop_a" => dynamic(json!([refer("loop_b")])),
            "loop_b" => dynamic(json!([refer("loop_a")])),
            "mine" => dynamic(json!([refer("outer")])),
            "members" => Definition::Static {
                entity: None,
                members: vec!["7".into(), "x".into(), "3".into()],
            },
            "empty" => Definition::Static {
                entity: None,
                members: vec![],
            },
            _ => return Err(format!("There is no segment “{id}” in the library.")),
        };
        Ok(ResolvedSegment {
            id: id.into(),
            name: id.into(),
            revision: revision.unwrap_or(4),
            definition,
        })
    }
}

fn check(children: serde_json::Value, own: Option<&str>) -> Result<Expr, Vec<String>> {
    let library = Library::default();
    validate::check_with(
        &segment(children),
        &common::schema(),
        None,
        now(),
        &library,
        own,
    )
    .map(|q| q.filter)
    .map_err(|ps| {
        ps.iter()
            .map(|p| format!("{}: {}", p.path, p.message))
            .collect()
    })
}

#[test]
fn a_dynamic_segment_is_its_filter_and_not_in_its_complement() {
    let direct = validate::check(
        &segment(
            json!([{"type": "condition", "attribute": "country", "operator": "is", "value": "US"}]),
        ),
        &common::schema(),
        None,
        now(),
    )
    .unwrap()
    .filter;
    assert_eq!(check(json!([refer("us")]), None).unwrap(), direct);
    let negated = json!([{"type": "in_segment", "segment": "us", "negated": true}]);
    assert_eq!(check(negated, None).unwrap(), Expr::Not(Box::new(direct)));
}

#[test]
fn a_static_segment_is_its_keys_typed_as_the_key_column() {
    let Expr::Members(m) = check(json!([refer("members")]), None).unwrap() else {
        panic!("not members");
    };
    // The integer key: "x" cannot be a key and is dropped.
    assert_eq!(m.keys, [7, 3].map(|k| ArrayElement::Number(Number::Int(k))));
    assert_eq!(
        (m.segment.as_str(), m.column.name.as_str()),
        ("members", "id")
    );
    assert_eq!(check(json!([refer("empty")]), None).unwrap(), Expr::False);
}

#[test]
fn cycles_are_located_at_the_referring_node_and_name_the_circle() {
    assert_eq!(
        check(json!([refer("us"), refer("loop_a")]), None).unwrap_err(),
        ["/root/children/1/segment: These segments refer to each other in a circle: loop_a → loop_b → loop_a. Remove one of the references."]
    );
    // Back to the segment being checked (saved as `outer`).
    assert_eq!(
        check(json!([refer("mine")]), Some("outer")).unwrap_err(),
        ["/root/children/0/segment: These segments refer to each other in a circle: outer → mine → outer. Remove one of the references."]
    );
}

#[test]
fn unknown_ids_blank_ids_and_bad_revisions_are_located() {
    assert_eq!(
        check(json!([refer("nope")]), None).unwrap_err(),
        ["/root/children/0/segment: There is no segment “nope” in the library."]
    );
    assert_eq!(
        check(json!([refer(" ")]), None).unwrap_err(),
        ["/root/children/0/segment: Choose a segment."]
    );
    assert_eq!(
        check(
            json!([{"type": "in_segment", "segment": "us", "revision": -1}]),
            None
        )
        .unwrap_err(),
        ["/root/children/0/revision: Revision -1 does not exist: revisions start at 0."]
    );
}

#[test]
fn a_pinned_revision_is_asked_for() {
    let library = Library::default();
    let pinned = segment(json!([{"type": "in_segment", "segment": "us", "revision": 2}]));
    validate::check_with(&pinned, &common::schema(), None, now(), &library, None).unwrap();
    assert_eq!(
        library.asked.borrow().as_slice(),
        [("us".to_string(), Some(2))]
    );
}

#[test]
fn without_a_library_a_reference_says_so() {
    let problems = validate::check(
        &segment(json!([refer("us")])),
        &common::schema(),
        None,
        now(),
    )
    .unwrap_err();
    assert_eq!(problems[0].path, "/root/children/0/segment");
    assert_eq!(
        problems[0].message,
        "Segment “us” is in the segment library, which is not open here."
    );
}
