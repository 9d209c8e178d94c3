//! Bulk membership commands: NDJSON and CSV, located errors, all-or-nothing or skip.

mod common;

use common::*;
use segment_store::commands::{Format, OnError};
use segment_store::*;

fn setup() -> TestStore {
    let mut t = open();
    t.store
        .save(&SegmentDraft {
            name: Some("Newsletter".into()),
            ..static_draft("newsletter")
        })
        .unwrap();
    t.store.save(&static_draft("vip")).unwrap();
    t
}

#[test]
fn ndjson_update_and_delete_mixed() {
    let mut t = setup();
    let text = r#"{"operation":"UPDATE","expiration_duration":0,"compartment_id":"1","user_account_id":"u1","segment_id":"newsletter"}
{"operation":"UPDATE","expiration_duration":60,"user_account_id":"u2","segment_technical_name":"Newsletter","data_bag":"{\"score\":3}"}

{"operation":"UPDATE","expiration_ts":1793620800000,"email_hash":"e3","segment_id":"VIP"}
{"operation":"DELETE","user_account_id":"u1","segment_id":"newsletter"}
"#;
    let report = t
        .store
        .import_commands(text, Format::Ndjson, "cmds.ndjson", OnError::Abort)
        .unwrap();
    assert_eq!((report.lines, report.applied), (4, 4));
    assert!(report.skipped.is_empty());
    assert_eq!(t.store.individual_count("newsletter").unwrap(), 1);
    assert_eq!(t.store.individual_count("vip").unwrap(), 1);
    let m = t
        .store
        .memberships("newsletter", &MembershipFilter::default())
        .unwrap();
    let u2 = m
        .items
        .iter()
        .find(|m| m.individual_identifier == "u2")
        .unwrap();
    assert_eq!(u2.expires_at.as_deref(), Some("2026-11-01T13:00:00.000Z"));
    assert_eq!(u2.data_bag.as_deref(), Some(r#"{"score":3}"#));
    let vip = t
        .store
        .memberships("vip", &MembershipFilter::default())
        .unwrap();
    assert_eq!(
        vip.items[0].expires_at.as_deref(),
        Some("2026-11-02T12:00:00.000Z")
    );
    t.advance_minutes(61);
    assert_eq!(t.store.individual_count("newsletter").unwrap(), 0);
}

#[test]
fn malformed_lines_are_located_and_abort_applies_nothing() {
    let mut t = setup();
    let text = r#"{"operation":"UPDATE","expiration_duration":0,"user_account_id":"ok1","segment_id":"vip"}
{"operation":"UPSERT","expiration_duration":0,"user_account_id":"x","segment_id":"vip"}
not json at all
{"operation":"UPDATE","user_account_id":"x","segment_id":"vip"}
{"operation":"UPDATE","expiration_duration":-5,"user_account_id":"x","segment_id":"vip"}
{"operation":"UPDATE","expiration_duration":0,"segment_id":"vip"}
{"operation":"UPDATE","expiration_duration":0,"user_account_id":"x","segment_id":"bad-id"}
{"operation":"UPDATE","expiration_duration":0,"user_account_id":"x","segment_id":"vip","data_bag":"{nope"}
{"operation":"UPDATE","expiration_duration":0,"user_account_id":"x","segment_id":"vip","colour":"red"}
{"operation":"UPDATE","expiration_duration":0,"user_account_id":"ok2","segment_id":"vip"}
"#;
    let e = t
        .store
        .import_commands(text, Format::Ndjson, "cmds.ndjson", OnError::Abort)
        .unwrap_err();
    let Error::Lines(problems) = &e else {
        panic!("{e}")
    };
    assert_eq!(
        problems.iter().map(|p| p.line).collect::<Vec<_>>(),
        [2, 3, 4, 5, 6, 7, 8, 9]
    );
    assert!(problems.iter().all(|p| p.source == "cmds.ndjson"));
    assert!(problems[0].message.contains("UPSERT"), "{}", problems[0]);
    assert!(
        problems[1].message.contains("line 1, column"),
        "{}",
        problems[1]
    );
    assert!(
        problems[2].message.contains("expiration_duration"),
        "{}",
        problems[2]
    );
    assert!(problems[7].message.contains("colour"), "{}", problems[7]);
    assert_eq!(t.store.individual_count("vip").unwrap(), 0);

    let report = t
        .store
        .import_commands(text, Format::Ndjson, "cmds.ndjson", OnError::Skip)
        .unwrap();
    assert_eq!((report.applied, report.skipped.len()), (2, 8));
    assert_eq!(t.store.individual_count("vip").unwrap(), 2);
}

#[test]
fn rejected_lines_roll_back_a_whole_file() {
    let mut t = setup();
    t.store.save(&draft("dynamic_one", "US")).unwrap();
    let text = "\u{feff}operation,user_account_id,segment_id,expiration_duration\n\
                UPDATE,a,vip,0\n\
                UPDATE,b,dynamic_one,0\n\
                UPDATE,c,missing,0\n\
                UPDATE,d,vip,0\n";
    let e = t
        .store
        .import_commands(text, Format::Csv, "m.csv", OnError::Abort)
        .unwrap_err();
    let Error::Lines(problems) = &e else {
        panic!("{e}")
    };
    assert_eq!(problems.iter().map(|p| p.line).collect::<Vec<_>>(), [3, 4]);
    assert!(problems[0].message.contains("STATIC"), "{}", problems[0]);
    assert!(problems[1].message.contains("not found"), "{}", problems[1]);
    assert_eq!(t.store.individual_count("vip").unwrap(), 0);
    let log = t
        .store
        .membership_changes("vip", None, Paging::default())
        .unwrap();
    assert_eq!(log.page.total_elements, 0);
    let report = t
        .store
        .import_commands(text, Format::Csv, "m.csv", OnError::Skip)
        .unwrap();
    assert_eq!(report.applied, 2);
    assert_eq!(t.store.individual_count("vip").unwrap(), 2);
}

#[test]
fn csv_with_quoted_data_bags_and_bad_rows() {
    let mut t = setup();
    let text = "operation,user_account_id,segment_id,expiration_duration,data_bag\n\
                UPDATE,a,vip,0,\"{\"\"k\"\":\"\"v, w\"\"}\"\n\
                UPDATE,b,vip\n\
                DELETE,a,vip,,\n";
    let e = t
        .store
        .import_commands(text, Format::Csv, "m.csv", OnError::Abort)
        .unwrap_err();
    let Error::Lines(problems) = &e else {
        panic!("{e}")
    };
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].line, 3);
    assert!(problems[0].message.contains("3 fields"), "{}", problems[0]);
    let report = t
        .store
        .import_commands(text, Format::Csv, "m.csv", OnError::Skip)
        .unwrap();
    assert_eq!(report.applied, 2);
    let m = t
        .store
        .memberships("vip", &MembershipFilter::default())
        .unwrap();
    assert_eq!(m.items[0].data_bag.as_deref(), Some(r#"{"k":"v, w"}"#));
    assert_eq!(m.items[0].status, Status::Inactive);
}

#[test]
fn export_round_trips_in_both_formats() {
    let mut t = setup();
    let bag = AddOptions {
        data_bag: Some(r#"{"a":"x,\"y\""}"#.into()),
        expires_at: Some("2027-01-01".into()),
    };
    t.store
        .add_members("vip", &["m1", "m,2", "m\"3"], &bag)
        .unwrap();
    t.store
        .add_members("vip", &["m4"], &AddOptions::default())
        .unwrap();
    for format in [Format::Ndjson, Format::Csv] {
        let mut out = Vec::new();
        assert_eq!(t.store.export_commands("vip", format, &mut out).unwrap(), 4);
        let text = String::from_utf8(out).unwrap();
        let mut other = setup();
        let report = other
            .store
            .import_commands(&text, format, "export", OnError::Abort)
            .unwrap();
        assert_eq!(report.applied, 4, "{text}");
        let a = t
            .store
            .memberships("vip", &MembershipFilter::default())
            .unwrap()
            .items;
        let b = other
            .store
            .memberships("vip", &MembershipFilter::default())
            .unwrap()
            .items;
        let key = |m: &Membership| {
            (
                m.individual_identifier.clone(),
                m.expires_at.clone(),
                m.data_bag.clone(),
            )
        };
        assert_eq!(
            a.iter().map(key).collect::<Vec<_>>(),
            b.iter().map(key).collect::<Vec<_>>()
        );
    }
    let mut out = Vec::new();
    assert_eq!(
        t.store
            .export_memberships("vip", Format::Csv, &mut out)
            .unwrap(),
        4
    );
    assert!(String::from_utf8(out)
        .unwrap()
        .starts_with("individualIdentifier,status,dateCreated"));
}
