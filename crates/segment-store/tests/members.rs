//! Static memberships, the change log, expiration, freeze, evaluations.

mod common;

use common::*;
use segment_store::*;

#[test]
fn members_change_only_on_active_static_segments() {
    let mut t = open();
    let s = &mut t.store;
    s.save(&draft("dyn", "US")).unwrap();
    let e = s
        .add_members("dyn", &["a"], &AddOptions::default())
        .unwrap_err();
    assert!(matches!(e, Error::NotActiveStatic { .. }), "{e}");
    s.save(&SegmentDraft {
        status: Some(Status::Inactive),
        ..static_draft("off")
    })
    .unwrap();
    assert!(s
        .add_members("off", &["a"], &AddOptions::default())
        .is_err());
    assert!(s.remove_members("off", &["a"]).is_err());
    assert_eq!(
        s.add_members("nope", &["a"], &AddOptions::default())
            .unwrap_err()
            .status(),
        404
    );
}

#[test]
fn removal_deactivates_and_the_log_counts() {
    let mut t = open();
    t.store.save(&static_draft("friends")).unwrap();
    let out = t
        .store
        .add_members("friends", &["ann", "bob", "cid"], &AddOptions::default())
        .unwrap();
    assert_eq!((out.added, out.individual_count), (3, 3));
    t.advance_minutes(10);
    let out = t
        .store
        .add_members("friends", &["bob", "dan"], &AddOptions::default())
        .unwrap();
    assert_eq!((out.added, out.updated, out.individual_count), (1, 1, 4));
    t.advance_minutes(10);
    let out = t.store.remove_members("friends", &["bob", "zed"]).unwrap();
    assert_eq!(
        (out.removed, out.not_members, out.individual_count),
        (1, 1, 3)
    );
    let s = &mut t.store;
    assert_eq!(s.get("friends").unwrap().individual_count, Some(3));

    let all = s
        .memberships(
            "friends",
            &MembershipFilter {
                size: Some(100),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(all.page.total_elements, 4);
    let bob = all
        .items
        .iter()
        .find(|m| m.individual_identifier == "bob")
        .unwrap();
    assert_eq!(bob.status, Status::Inactive);
    assert_eq!(bob.date_created, "2026-11-01T12:00:00.000Z");
    assert_eq!(
        bob.date_removed.as_deref(),
        Some("2026-11-01T12:20:00.000Z")
    );
    let active = s
        .memberships(
            "friends",
            &MembershipFilter {
                status: Some(Status::Active),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(active.page.total_elements, 3);

    let log = s
        .membership_changes("friends", None, Paging::default())
        .unwrap();
    let summary: Vec<(String, Operation, u64)> = log
        .items
        .iter()
        .map(|c| {
            (
                c.individual_identifier.clone(),
                c.operation,
                c.individuals_count,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("ann".into(), Operation::Added, 1),
            ("bob".into(), Operation::Added, 2),
            ("cid".into(), Operation::Added, 3),
            ("dan".into(), Operation::Added, 4),
            ("bob".into(), Operation::Removed, 3),
        ]
    );
    let removed = &log.items[4];
    assert_eq!(removed.date_first, "2026-11-01T12:00:00.000Z");
    assert_eq!(removed.date_changed, "2026-11-01T12:20:00.000Z");
    let only = s
        .membership_changes("friends", Some(Operation::Removed), Paging::default())
        .unwrap();
    assert_eq!(only.page.total_elements, 1);

    // Bob comes back: a new membership period, logged.
    let out = s
        .add_members("friends", &["bob"], &AddOptions::default())
        .unwrap();
    assert_eq!((out.added, out.individual_count), (1, 4));
}

#[test]
fn expired_memberships_stop_counting() {
    let mut t = open();
    t.store.save(&static_draft("promo")).unwrap();
    let soon = AddOptions {
        expires_at: Some("2026-11-01T13:00:00Z".into()),
        data_bag: Some(r#"{"source":"campaign"}"#.into()),
    };
    t.store.add_members("promo", &["a", "b"], &soon).unwrap();
    t.store
        .add_members("promo", &["c"], &AddOptions::default())
        .unwrap();
    assert_eq!(t.store.individual_count("promo").unwrap(), 3);
    t.advance_minutes(61);
    assert_eq!(t.store.individual_count("promo").unwrap(), 1);
    let m = t
        .store
        .memberships("promo", &MembershipFilter::default())
        .unwrap();
    let a = &m.items[0];
    assert_eq!(
        (a.status, a.date_removed.as_deref()),
        (Status::Inactive, Some("2026-11-01T13:00:00.000Z"))
    );
    assert_eq!(a.data_bag.as_deref(), Some(r#"{"source":"campaign"}"#));
    // The next write records the expiries in the log.
    let out = t
        .store
        .add_members("promo", &["d"], &AddOptions::default())
        .unwrap();
    assert_eq!(out.individual_count, 2);
    let log = t
        .store
        .membership_changes("promo", Some(Operation::Removed), Paging::default())
        .unwrap();
    assert_eq!(
        log.items
            .iter()
            .map(|c| c.individuals_count)
            .collect::<Vec<_>>(),
        [2, 1]
    );
    assert!(t
        .store
        .add_members(
            "promo",
            &["e"],
            &AddOptions {
                data_bag: Some("{oops".into()),
                ..Default::default()
            }
        )
        .is_err());
}

#[test]
fn freeze_turns_a_result_into_a_static_segment() {
    let mut t = open();
    let s = &mut t.store;
    s.save(&draft("us_buyers", "US")).unwrap();
    let members: Vec<String> = (0..5000).map(|i| i.to_string()).collect();
    let out = s
        .freeze(
            "us_buyers",
            "us_buyers_nov",
            None,
            members.iter().chain(members.iter().take(10)),
            &CountInput {
                as_of: Some("2026-11-01".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(out.added, 5000);
    let frozen = s.get("us_buyers_nov").unwrap();
    assert_eq!(frozen.segment_type, SegmentType::Static);
    assert_eq!(frozen.individual_count, Some(5000));
    assert_eq!(frozen.revision, 0);
    assert!(frozen.name.starts_with("us_buyers (frozen"));
    assert_eq!(
        s.get("us_buyers").unwrap().record_count.unwrap().count,
        5000
    );
    let e = s
        .freeze(
            "us_buyers",
            "us_buyers_nov",
            None,
            ["x"],
            &CountInput::default(),
        )
        .unwrap_err();
    assert_eq!(e.status(), 409);
    let log = s
        .membership_changes("us_buyers_nov", None, Paging { page: 0, size: 1 })
        .unwrap();
    assert_eq!(log.page.total_elements, 5000);
}

#[test]
fn evaluations_tell_who_entered_and_who_left() {
    let mut t = open();
    let s = &mut t.store;
    s.save(&draft("vip", "US")).unwrap();
    let a = s
        .record_evaluation(
            "vip",
            ["1", "2", "3"],
            &CountInput {
                total: Some(10),
                ..Default::default()
            },
        )
        .unwrap();
    let b = s
        .record_evaluation("vip", ["2", "3", "4", "5"], &CountInput::default())
        .unwrap();
    assert_eq!(b.member_count, 4);
    let d = s.evaluation_diff(a.evaluation, b.evaluation, 100).unwrap();
    assert_eq!(
        (d.entered, d.left),
        (
            vec!["4".to_string(), "5".to_string()],
            vec!["1".to_string()]
        )
    );
    assert_eq!((d.entered_count, d.left_count), (2, 1));
    assert_eq!(s.evaluations("vip").unwrap().len(), 2);
    assert_eq!(
        s.count_history("vip", Paging::default())
            .unwrap()
            .page
            .total_elements,
        2
    );
    assert_eq!(
        s.evaluation_diff(a.evaluation, 99, 10)
            .unwrap_err()
            .status(),
        404
    );
}
