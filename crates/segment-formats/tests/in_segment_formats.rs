//! "Is (not) in segment S": English says it; Census, OData and ODP refuse it by name at the
//! node (the segment lives in this app's library); the canonical form keeps it as written and
//! `normalize` leaves it alone.

mod common;

use segment_formats::{normalize, render_as, Error, Format};
use serde_json::json;

fn referring() -> segment_model::Segment {
    common::segment(common::and(vec![
        common::cond("country", "is", json!("US")),
        json!({"type": "in_segment", "segment": "vip", "revision": 2, "negated": true}),
    ]))
}

#[test]
fn english_says_membership() {
    let text = render_as(Format::English, &referring(), &common::schema(), None).unwrap();
    assert!(
        text.contains("who are not in segment “vip” (as saved in its revision 2)"),
        "{text}"
    );
}

#[test]
fn canonical_keeps_the_reference_and_normalize_leaves_it() {
    let text = render_as(Format::Canonical, &referring(), &common::schema(), None).unwrap();
    assert!(
        text.contains(r#""type": "in_segment""#) && text.contains(r#""revision": 2"#),
        "{text}"
    );
    let normal = normalize(&referring(), &common::schema(), None);
    assert_eq!(normal.root.children[1], referring().root.children[1]);
}

#[test]
fn other_platforms_refuse_it_by_name_at_the_node() {
    for format in [Format::Census, Format::Odata, Format::Odp] {
        match render_as(format, &referring(), &common::schema(), None) {
            Err(Error::Unsupported {
                construct, path, ..
            }) => {
                assert_eq!(construct, "membership of another segment", "{format:?}");
                assert_eq!(path, "/root/children/1", "{format:?}");
            }
            Err(Error::Model(e)) => {
                let text = e.to_string();
                assert!(
                    text.contains("membership of another segment")
                        && text.contains("/root/children/1"),
                    "{format:?}: {text}"
                );
            }
            other => panic!("{format:?}: {other:?}"),
        }
    }
}
