//! Saving, reading, listing and deleting segments.

mod common;

use common::*;
use segment_store::*;

#[test]
fn revision_starts_at_zero_and_increments_on_every_update() {
    let mut t = open();
    let s = &mut t.store;
    let saved = s.save(&draft("is_active", "US")).unwrap();
    assert_eq!(
        (saved.revision, saved.created, saved.changed),
        (0, true, true)
    );
    // Seed 003: a description update, then a definition update.
    let d = SegmentDraft {
        id: "is_active".into(),
        description: Some("recently active".into()),
        ..Default::default()
    };
    assert_eq!(s.save(&d).unwrap().revision, 1);
    assert_eq!(s.save(&draft("is_active", "CA")).unwrap().revision, 2);
    // The same content again changes nothing.
    let again = s.save(&draft("is_active", "CA")).unwrap();
    assert_eq!((again.revision, again.changed), (2, false));
    let got = s.get("is_active").unwrap();
    assert_eq!(got.revision, 2);
    assert_eq!(got.description, "recently active");
    assert_eq!(got.segment_type, SegmentType::Dynamic);
    assert_eq!(got.status, Status::Active);
    assert_eq!(got.scope, Scope::User);
    assert_eq!(got.name, "is_active");
    assert_eq!(got.definition, Some(definition("CA")));
    assert_eq!(got.entity.as_deref(), Some("profiles"));
}

#[test]
fn ids_are_checked_and_case_insensitive() {
    let mut t = open();
    let s = &mut t.store;
    for bad in [
        "",
        "1abc",
        "_x",
        "a-b",
        "a b",
        "x'; DROP TABLE segments; --",
        "é",
        &"a".repeat(129),
    ] {
        let e = s.save(&draft(bad, "US")).unwrap_err();
        assert!(matches!(e, Error::InvalidId { .. }), "{bad:?}: {e}");
        assert_eq!(e.status(), 400);
        assert!(e.to_string().contains("[a-z][a-z0-9_]*"));
    }
    s.save(&draft("Big_Spenders", "US")).unwrap();
    assert_eq!(s.get("BIG_SPENDERS").unwrap().id, "big_spenders");
    assert_eq!(s.save(&draft("big_spenders", "CA")).unwrap().revision, 1);
    let e = s.get("nope").unwrap_err();
    assert_eq!(e.status(), 404);
    assert!(e.to_string().starts_with("Segment not found."), "{e}");
}

#[test]
fn hostile_names_are_stored_verbatim() {
    let mut t = open();
    let s = &mut t.store;
    let names = [
        "Robert'); DROP TABLE segments; --",
        "<script>alert(1)</script>",
        "100% off _sale_ \\ \"quoted\"",
        "日本のお客様 🎯",
    ];
    for (i, name) in names.iter().enumerate() {
        let d = SegmentDraft {
            name: Some(name.to_string()),
            description: Some(name.repeat(3)),
            ..draft(&format!("s{i}"), name)
        };
        s.save(&d).unwrap();
        let got = s.get(&format!("s{i}")).unwrap();
        assert_eq!(got.name, *name);
        assert_eq!(got.definition, Some(definition(name)));
    }
    // Search treats LIKE wildcards literally.
    let page = s
        .list(&ListQuery {
            search: Some("100%".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.items.len(), 1);
    let page = s
        .list(&ListQuery {
            search: Some("_".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        page.items.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["s2"]
    );
    assert_eq!(
        s.list(&ListQuery::default()).unwrap().page.total_elements,
        4
    );
    s.check_integrity().unwrap();
    // Empty names and NULs are refused.
    let e = s
        .save(&SegmentDraft {
            name: Some("  ".into()),
            ..draft("x", "US")
        })
        .unwrap_err();
    assert_eq!(e.status(), 400);
    let e = s
        .save(&SegmentDraft {
            name: Some("a\0b".into()),
            ..draft("x", "US")
        })
        .unwrap_err();
    assert_eq!(e.status(), 400);
}

#[test]
fn a_dynamic_segment_needs_a_definition() {
    let mut t = open();
    let d = SegmentDraft {
        id: "x".into(),
        segment_type: Some(SegmentType::Dynamic),
        ..Default::default()
    };
    assert!(t
        .store
        .save(&d)
        .unwrap_err()
        .to_string()
        .contains("definition"));
    // Without one, a new segment is STATIC.
    assert_eq!(
        t.store
            .save(&SegmentDraft {
                id: "x".into(),
                ..Default::default()
            })
            .unwrap()
            .revision,
        0
    );
    assert_eq!(t.store.get("x").unwrap().segment_type, SegmentType::Static);
    assert_eq!(t.store.get("x").unwrap().individual_count, Some(0));
}

#[test]
fn expected_revision_detects_concurrent_edits() {
    let mut t = open();
    let s = &mut t.store;
    s.save(&draft("a", "US")).unwrap();
    s.save(&SegmentDraft {
        expected_revision: Some(0),
        ..draft("a", "CA")
    })
    .unwrap();
    let e = s
        .save(&SegmentDraft {
            expected_revision: Some(0),
            ..draft("a", "FR")
        })
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::RevisionConflict {
                expected: 0,
                actual: 1,
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(e.status(), 409);
    assert_eq!(s.get("a").unwrap().definition, Some(definition("CA")));
}

#[test]
fn delete_hides_but_keeps_history_and_restore_brings_back() {
    let mut t = open();
    let s = &mut t.store;
    for id in ["example_one", "example_two", "example_three"] {
        s.save(&draft(id, "US")).unwrap();
    }
    assert_eq!(
        s.delete("example_two").unwrap(),
        ["example_one", "example_three"]
    );
    assert_eq!(s.get("example_two").unwrap_err().status(), 404);
    assert_eq!(s.delete("example_two").unwrap_err().status(), 404);
    assert_eq!(s.deleted_ids().unwrap(), ["example_two"]);
    let history = s.history("example_two").unwrap();
    assert_eq!(
        history
            .iter()
            .map(|h| h.action.as_str())
            .collect::<Vec<_>>(),
        ["create", "delete"]
    );
    let back = s.restore("example_two", 0, None).unwrap();
    assert_eq!(back.revision, 2);
    assert_eq!(
        s.get("example_two").unwrap().definition,
        Some(definition("US"))
    );
}

#[test]
fn list_searches_filters_sorts_and_pages() {
    let mut t = open();
    for i in 0..25 {
        let d = SegmentDraft {
            name: Some(format!(
                "Segment {i:02} {}",
                if i % 2 == 0 { "even" } else { "odd" }
            )),
            status: Some(if i % 5 == 0 {
                Status::Inactive
            } else {
                Status::Active
            }),
            scope: Some(if i < 10 { Scope::Project } else { Scope::User }),
            author: Some(Author {
                identifier: Some(format!("u{}", i % 3)),
                name: None,
            }),
            ..draft(&format!("seg_{i:02}"), "US")
        };
        t.store.save(&d).unwrap();
        t.store
            .record_count(
                &format!("seg_{i:02}"),
                &CountInput {
                    count: (i * 7 % 11) as u64,
                    ..Default::default()
                },
            )
            .unwrap();
        t.advance_minutes(1);
    }
    let s = &mut t.store;
    let page = s
        .list(&ListQuery {
            size: Some(10),
            page: Some(2),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        page.page,
        PageInfo {
            size: 10,
            total_elements: 25,
            total_pages: 3,
            number: 2
        }
    );
    assert_eq!(page.items.len(), 5);
    assert_eq!(page.items[0].id, "seg_20");

    let odd = s
        .list(&ListQuery {
            search: Some("ODD".into()),
            size: Some(100),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(odd.page.total_elements, 12);

    let q = ListQuery {
        status: Some(Status::Inactive),
        scope: Some(Scope::Project),
        ..Default::default()
    };
    let ids: Vec<String> = s
        .list(&q)
        .unwrap()
        .items
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(ids, ["seg_00", "seg_05"]);

    let q = ListQuery {
        author: Some("u1".into()),
        size: Some(100),
        ..Default::default()
    };
    assert_eq!(s.list(&q).unwrap().page.total_elements, 8);

    let q = ListQuery {
        modified_after: Some("2026-11-01T12:20:00Z".into()),
        ..Default::default()
    };
    let ids: Vec<String> = s
        .list(&q)
        .unwrap()
        .items
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(ids, ["seg_21", "seg_22", "seg_23", "seg_24"]);

    let q = ListQuery {
        sort: vec![(SortField::DateModified, Direction::Desc)],
        size: Some(3),
        ..Default::default()
    };
    let ids: Vec<String> = s
        .list(&q)
        .unwrap()
        .items
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(ids, ["seg_24", "seg_23", "seg_22"]);

    let q = ListQuery {
        sort: vec![
            (SortField::RecordCount, Direction::Desc),
            (SortField::Id, Direction::Asc),
        ],
        size: Some(100),
        ..Default::default()
    };
    let counts: Vec<u64> = s
        .list(&q)
        .unwrap()
        .items
        .iter()
        .map(|r| r.record_count.as_ref().unwrap().count)
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");

    for field in SortField::ALL {
        for dir in [Direction::Asc, Direction::Desc] {
            let q = ListQuery {
                sort: vec![(field, dir)],
                size: Some(100),
                ..Default::default()
            };
            assert_eq!(s.list(&q).unwrap().items.len(), 25, "{field:?}");
        }
    }
    assert_eq!(
        SortField::parse("date_modified").unwrap(),
        SortField::DateModified
    );
    assert!(SortField::parse("name; DROP TABLE x").is_err());
    assert_eq!(
        parse_sort("name,desc").unwrap(),
        ("name".to_string(), Direction::Desc)
    );
    assert!(s
        .list(&ListQuery {
            size: Some(0),
            ..Default::default()
        })
        .is_err());
    assert!(s
        .list(&ListQuery {
            modified_after: Some("yesterday".into()),
            ..Default::default()
        })
        .is_err());
}

#[test]
fn a_foreign_sqlite_file_is_not_opened_as_a_library() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.sqlite");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("CREATE TABLE profiles (id INTEGER PRIMARY KEY)")
        .unwrap();
    drop(conn);
    assert!(matches!(
        Store::open(&path).unwrap_err(),
        Error::NotAStore { .. }
    ));
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "just some text, long enough to not be a database header at all.....................................").unwrap();
    assert!(matches!(
        Store::open(&text).unwrap_err(),
        Error::NotAStore { .. }
    ));
}
