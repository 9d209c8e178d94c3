//! Segments referring to segments: who uses one, a static segment's active members, and a
//! delete refused (naming the users) while a live segment refers to it.

mod common;

use common::*;
use segment_store::*;
use serde_json::json;

fn referring(id: &str, name: &str, to: &str) -> SegmentDraft {
    SegmentDraft {
        id: id.to_string(),
        name: Some(name.to_string()),
        definition: Some(
            serde_json::from_value(json!({"version": 1, "entity": "profiles", "root": {
                "combinator": "and", "children": [
                    {"type": "condition", "attribute": "country", "operator": "is", "value": "US"},
                    {"type": "group", "combinator": "or", "negated": true, "children": [
                        {"type": "in_segment", "segment": to}]}]}}))
            .unwrap(),
        ),
        ..Default::default()
    }
}

#[test]
fn a_used_segment_is_not_deleted_and_the_error_names_its_users() {
    let mut t = open();
    let s = &mut t.store;
    s.save(&draft("vip", "US")).unwrap();
    s.save(&referring("big_spenders", "Big spenders", "vip"))
        .unwrap();
    s.save(&referring("lapsed", "Lapsed", "vip")).unwrap();
    s.save(&referring("other", "Other", "vip_two")).unwrap();

    let users: Vec<String> = s
        .used_by("vip")
        .unwrap()
        .into_iter()
        .map(|u| u.id)
        .collect();
    assert_eq!(users, ["big_spenders", "lapsed"]);

    let e = s.delete("vip").unwrap_err();
    assert_eq!(e.status(), 409);
    assert_eq!(e.kind(), "in_use");
    assert_eq!(
        e.to_string(),
        "segment \"vip\" is used by Big spenders (big_spenders), Lapsed (lapsed): remove those references first"
    );
    assert!(s.exists("vip").unwrap(), "nothing was deleted");

    // Once its users are gone (deleted ones do not count), it can go.
    s.delete("big_spenders").unwrap();
    s.delete("lapsed").unwrap();
    assert!(s.used_by("vip").unwrap().is_empty());
    s.delete("vip").unwrap();
    assert!(!s.exists("vip").unwrap());
}

#[test]
fn active_member_ids_leave_out_removed_and_expired_members() {
    let mut t = open();
    t.store.save(&static_draft("friends")).unwrap();
    t.store
        .add_members("friends", &["3", "1", "2"], &AddOptions::default())
        .unwrap();
    t.store.remove_members("friends", &["2"]).unwrap();
    assert_eq!(t.store.active_member_ids("friends").unwrap(), ["1", "3"]);
    assert_eq!(t.store.active_member_ids("nope").unwrap_err().status(), 404);
}
