//! A sequence of related records: English says it in order; PQL writes it as `chain(…)` (see
//! `pql_adobe.rs`); the other formats refuse it by name, located at the constraint.

mod common;

use segment_formats::{render_as, Error, Format};
use serde_json::json;

fn sequence_segment() -> segment_model::Segment {
    let named = |n: &str| common::and(vec![common::cond("name", "is", json!(n))]);
    common::segment(common::and(vec![json!({
        "type": "relationship", "relationship": "events",
        "constraint": {"type": "sequence", "steps": [
            {"filter": named("view")},
            {"filter": named("purchase"), "within": {"amount": 7, "unit": "day"}}
        ]},
        "filter": {"combinator": "and", "children": []}
    })]))
}

#[test]
fn english_says_the_steps_in_order() {
    let text = render_as(
        Format::English,
        &sequence_segment(),
        &common::schema(),
        None,
    )
    .unwrap();
    assert!(
        text.contains(
            "events where name is view, then events where name is purchase within 7 days"
        ),
        "{text}"
    );
}

#[test]
fn other_formats_refuse_a_sequence_by_name_at_the_constraint() {
    for format in [Format::Census, Format::Odata, Format::Odp] {
        match render_as(format, &sequence_segment(), &common::schema(), None) {
            Err(Error::Unsupported {
                construct, path, ..
            }) => {
                assert_eq!(construct, "a sequence of related records", "{format:?}");
                assert_eq!(path, "/root/children/0/constraint", "{format:?}");
            }
            Err(segment_formats::Error::Model(e)) => {
                let text = e.to_string();
                assert!(
                    text.contains("a sequence of related records")
                        && text.contains("/root/children/0/constraint"),
                    "{format:?}: {text}"
                );
            }
            other => panic!("{format:?}: {other:?}"),
        }
    }
}
