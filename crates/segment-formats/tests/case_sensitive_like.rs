//! `case_sensitive: true` on a `like` condition makes it case-sensitive (SQL LIKE folds ASCII
//! case otherwise). Normalizing keeps the flag, and every renderer either says it or refuses the
//! condition by name and path; none writes the folding `like` in its place.

mod common;

use segment_formats::{normalize, render_as, Error, Format};
use segment_model::tree::{Condition, Group, Node, Segment};
use segment_model::Operator;
use serde_json::json;

fn like(case_sensitive: Option<bool>) -> Segment {
    let mut c = Condition::new("email", Operator::Like, json!("%@Example.com"));
    c.case_sensitive = case_sensitive;
    Segment::new(
        Some("profiles".into()),
        Group::and(vec![Node::Condition(c)]),
    )
}

fn only_condition(segment: &Segment) -> &Condition {
    match segment.root.children.as_slice() {
        [Node::Condition(c)] => c,
        other => panic!("expected one condition, found {other:?}"),
    }
}

#[test]
fn normalize_keeps_a_case_sensitive_like_and_drops_the_default() {
    let schema = common::schema();
    let kept = normalize(&like(Some(true)), &schema, None);
    assert_eq!(only_condition(&kept).case_sensitive, Some(true));
    // `false` is what `like` does anyway.
    let dropped = normalize(&like(Some(false)), &schema, None);
    assert_eq!(only_condition(&dropped).case_sensitive, None);
}

#[test]
fn renderers_say_a_case_sensitive_like_or_refuse_it() {
    let schema = common::schema();
    let segment = like(Some(true));
    for format in [Format::PqlText, Format::PqlJson, Format::Odata, Format::Odp] {
        match render_as(format, &segment, &schema, None) {
            Err(Error::Unsupported { path, .. }) => {
                assert!(path.starts_with("/root/children/0"), "{format}: {path}")
            }
            other => panic!("{format}: expected Unsupported, got {other:?}"),
        }
    }
    match render_as(Format::PqlText, &segment, &schema, None) {
        Err(Error::Unsupported {
            construct, path, ..
        }) => {
            assert_eq!(construct, "a case-sensitive like");
            assert_eq!(path, "/root/children/0/case_sensitive");
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
    let english = render_as(Format::English, &segment, &schema, None).expect("English");
    assert!(english.contains("(case-sensitive)"), "{english}");
    // Census molecules have no case-sensitive LIKE either.
    assert!(render_as(Format::Census, &segment, &schema, None).is_err());
}

#[test]
fn a_folding_like_renders_as_before() {
    let schema = common::schema();
    for flag in [None, Some(false)] {
        let segment = like(flag);
        assert_eq!(
            render_as(Format::PqlText, &segment, &schema, None).unwrap(),
            r#"email like "%@Example.com""#
        );
        // English says what `like` does: it folds case.
        let english = render_as(Format::English, &segment, &schema, None).unwrap();
        assert!(english.contains("(ignoring case)"), "{english}");
    }
}
