//! Segment files: export, import, conflicts, malformed files.

mod common;

use common::*;
use segment_store::commands::OnError;
use segment_store::files::*;
use segment_store::*;

#[test]
fn export_writes_one_stable_file_per_segment_and_import_restores_them() {
    let mut t = open();
    t.store
        .save(&SegmentDraft {
            name: Some("US".into()),
            author: Some(Author {
                identifier: Some("7".into()),
                name: Some("Ann".into()),
            }),
            ..draft("us", "US")
        })
        .unwrap();
    t.store.save(&draft("ca", "CA")).unwrap();
    t.store.save(&static_draft("list")).unwrap();
    let out = t.dir.path().join("export");
    let render: Renderer<'_> = &|r: &SegmentRecord| match &r.definition {
        Some(_) => Ok(("sql".into(), format!("-- {}\n", r.id))),
        None => Err("no definition".into()),
    };
    let exported = t.store.export_library(&out, Some(render)).unwrap();
    assert_eq!(exported.len(), 3);
    assert!(exported
        .iter()
        .find(|e| e.id == "list")
        .unwrap()
        .render_error
        .is_some());
    assert!(out.join("us.sql").exists());
    let text = std::fs::read_to_string(out.join("us.json")).unwrap();
    let keys: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("  \""))
        .map(|l| l.trim().split('"').nth(1).unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "format",
            "version",
            "id",
            "name",
            "description",
            "segmentType",
            "status",
            "scope",
            "author",
            "entity",
            "revision",
            "dateModified",
            "definition"
        ]
    );
    // The same segment exports to the same bytes.
    t.store.export_file("us", &out, None).unwrap();
    assert_eq!(std::fs::read_to_string(out.join("us.json")).unwrap(), text);

    let mut other = open();
    let report = other
        .store
        .import_files(std::slice::from_ref(&out), false, OnError::Abort)
        .unwrap();
    assert_eq!(report.created, ["ca", "list", "us"]);
    assert_eq!(
        other.store.get("us").unwrap().definition,
        t.store.get("us").unwrap().definition
    );
    assert_eq!(
        other.store.get("us").unwrap().author,
        t.store.get("us").unwrap().author
    );
    // Again: unchanged.
    let report = other
        .store
        .import_files(std::slice::from_ref(&out), false, OnError::Abort)
        .unwrap();
    assert_eq!(report.unchanged.len(), 3);
}

#[test]
fn a_different_definition_is_a_conflict_not_an_overwrite() {
    let mut t = open();
    t.store.save(&draft("us", "US")).unwrap();
    let out = t.dir.path().join("export");
    t.store.export_file("us", &out, None).unwrap();
    t.store.save(&draft("us", "FR")).unwrap();
    let report = t
        .store
        .import_files(&[out.join("us.json")], false, OnError::Abort)
        .unwrap();
    assert_eq!(report.conflicts.len(), 1);
    assert_eq!(report.conflicts[0].differs, ["definition"]);
    assert_eq!(report.conflicts[0].stored_revision, 1);
    assert_eq!(
        t.store.get("us").unwrap().definition,
        Some(definition("FR"))
    );
    let report = t
        .store
        .import_files(&[out.join("us.json")], true, OnError::Abort)
        .unwrap();
    assert_eq!(report.updated, ["us"]);
    let got = t.store.get("us").unwrap();
    assert_eq!((got.revision, got.definition), (2, Some(definition("US"))));
    // Nothing was lost: revision 1 is in the history.
    assert_eq!(
        t.store.revision("us", 1).unwrap().definition,
        Some(definition("FR"))
    );
}

#[test]
fn malformed_files_are_located_and_nothing_is_imported() {
    let t = open();
    let dir = t.dir.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    let good = SegmentFile::from_record(&{
        let mut s = open();
        s.store.save(&draft("good", "US")).unwrap();
        s.store.get("good").unwrap()
    });
    std::fs::write(dir.join("a_good.json"), good.to_text()).unwrap();
    std::fs::write(
        dir.join("b_broken.json"),
        "{\n  \"format\": \"segment-builder/segment\",\n  \"id\": oops\n}",
    )
    .unwrap();
    let mut bad_id = good.clone();
    bad_id.id = "x; DROP TABLE".into();
    std::fs::write(dir.join("c_bad_id.json"), bad_id.to_text()).unwrap();
    std::fs::write(
        dir.join("d_plain.json"),
        segment_model::canonical::to_string_pretty(&definition("CA")),
    )
    .unwrap();
    std::fs::write(dir.join("notes.txt"), "ignored").unwrap();
    let mut t = t;
    let e = t
        .store
        .import_files(std::slice::from_ref(&dir), false, OnError::Abort)
        .unwrap_err();
    let Error::Lines(problems) = &e else {
        panic!("{e}")
    };
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].source.ends_with("b_broken.json") && problems[0].line == 3,
        "{}",
        problems[0]
    );
    assert!(
        problems[1].source.ends_with("c_bad_id.json"),
        "{}",
        problems[1]
    );
    assert_eq!(
        t.store
            .list(&ListQuery::default())
            .unwrap()
            .page
            .total_elements,
        0
    );
    let report = t.store.import_files(&[dir], false, OnError::Skip).unwrap();
    assert_eq!(report.created, ["good", "d_plain"]);
    assert_eq!(report.skipped.len(), 2);
}
