//! History, diff, restore, count history.

mod common;

use common::*;
use segment_store::*;
use serde_json::json;

fn tree(children: serde_json::Value) -> segment_model::Segment {
    serde_json::from_value(json!({"version": 1, "entity": "profiles", "root": {"combinator": "and", "children": children}})).unwrap()
}

#[test]
fn every_revision_is_kept_and_diffs_name_the_changed_conditions() {
    let mut t = open();
    let s = &mut t.store;
    let us = json!({"type": "condition", "attribute": "country", "operator": "is", "value": "US"});
    let paid = json!({"type": "condition", "attribute": "plan", "operator": "is", "value": "paid"});
    let d0 = SegmentDraft {
        id: "buyers".into(),
        name: Some("Buyers".into()),
        definition: Some(tree(json!([us]))),
        ..Default::default()
    };
    s.save(&d0).unwrap();
    s.record_count(
        "buyers",
        &CountInput {
            count: 120,
            total: Some(1000),
            data_source: Some("demo".into()),
            as_of: Some("2026-11-01".into()),
        },
    )
    .unwrap();
    t.advance_minutes(5);
    let s = &mut t.store;
    let d1 = SegmentDraft {
        id: "buyers".into(),
        definition: Some(tree(json!([us, paid]))),
        ..Default::default()
    };
    assert_eq!(s.save(&d1).unwrap().revision, 1);
    s.record_count(
        "buyers",
        &CountInput {
            count: 80,
            total: Some(1000),
            ..Default::default()
        },
    )
    .unwrap();
    let mut ca = us.clone();
    ca["value"] = json!("CA");
    let d2 = SegmentDraft {
        id: "buyers".into(),
        name: Some("Canadian buyers".into()),
        definition: Some(tree(json!([ca, paid]))),
        ..Default::default()
    };
    assert_eq!(s.save(&d2).unwrap().revision, 2);

    let history = s.history("buyers").unwrap();
    assert_eq!(
        history.iter().map(|h| h.revision).collect::<Vec<_>>(),
        [0, 1, 2]
    );
    assert_eq!(history[0].count, Some(120));
    assert_eq!(history[1].count, Some(80));
    assert_eq!(history[2].count, None);
    assert_eq!(history[1].date_saved, "2026-11-01T12:05:00.000Z");

    let diff = s.diff("buyers", 0, 1).unwrap();
    assert_eq!(diff.conditions.len(), 1);
    assert_eq!(diff.conditions[0].change, ChangeKind::Added);
    assert_eq!(diff.conditions[0].path, "/root/children/1");
    assert_eq!(
        diff.count,
        CountChange {
            from: Some(120),
            to: Some(80),
            delta: Some(-40)
        }
    );
    assert!(diff.fields.is_empty());

    let diff = s.diff("buyers", 1, 2).unwrap();
    assert_eq!(diff.conditions.len(), 1);
    assert_eq!(diff.conditions[0].change, ChangeKind::Changed);
    assert_eq!(diff.conditions[0].path, "/root/children/0/value");
    assert_eq!(diff.fields.len(), 1);
    assert_eq!(diff.fields[0].field, "name");

    // Backwards: the added condition is removed.
    let diff = s.diff("buyers", 1, 0).unwrap();
    assert_eq!(diff.conditions[0].change, ChangeKind::Removed);

    // Restoring revision 0 makes revision 3 with revision 0's content.
    let restored = s.restore("buyers", 0, Some(2)).unwrap();
    assert_eq!(restored.revision, 3);
    let got = s.get("buyers").unwrap();
    assert_eq!(got.definition, Some(tree(json!([us]))));
    assert_eq!(got.name, "Buyers");
    assert!(s.diff("buyers", 0, 3).unwrap().conditions.is_empty());
    let last = s.history("buyers").unwrap().pop().unwrap();
    assert_eq!(
        (last.action.as_str(), last.restored_from),
        ("restore", Some(0))
    );
    let old = s.revision("buyers", 1).unwrap();
    assert_eq!(old.definition, Some(tree(json!([us, paid]))));

    assert_eq!(s.revision("buyers", 9).unwrap_err().status(), 404);
    assert_eq!(s.restore("buyers", 0, Some(1)).unwrap_err().status(), 409);
}

#[test]
fn count_history_keeps_every_count_newest_first() {
    let mut t = open();
    t.store.save(&draft("a", "US")).unwrap();
    for i in 0..5 {
        t.store
            .record_count(
                "a",
                &CountInput {
                    count: i * 10,
                    total: Some(100),
                    data_source: Some("demo.sqlite".into()),
                    as_of: None,
                },
            )
            .unwrap();
        t.advance_minutes(60);
    }
    let s = &mut t.store;
    let page = s.count_history("a", Paging { page: 0, size: 3 }).unwrap();
    assert_eq!(page.page.total_elements, 5);
    assert_eq!(
        page.items.iter().map(|c| c.count).collect::<Vec<_>>(),
        [40, 30, 20]
    );
    let cached = s.get("a").unwrap().record_count.unwrap();
    assert_eq!(cached.count, 40);
    assert_eq!(cached.computed_at, "2026-11-01T16:00:00.000Z");
    assert_eq!(cached.data_source.as_deref(), Some("demo.sqlite"));
    assert_eq!(cached.revision, 0);
}
