//! Hostile-but-plausible input: huge user text in messages, CRLF files, ambiguous membership
//! lines, ids that Windows cannot use as file names.

mod common;

use common::*;
use segment_store::commands::{Format, OnError};
use segment_store::*;

fn setup() -> TestStore {
    let mut t = open();
    t.store.save(&static_draft("vip")).unwrap();
    t
}

/// The problems of a file imported with `abort` (nothing is applied).
fn problems(t: &mut TestStore, text: &str, format: Format) -> Vec<LineProblem> {
    match t.store.import_commands(text, format, "m", OnError::Abort) {
        Err(Error::Lines(problems)) => problems,
        other => panic!("{format:?}: {other:?}"),
    }
}

fn lines(problems: &[LineProblem]) -> Vec<u64> {
    problems.iter().map(|p| p.line).collect()
}

#[test]
fn a_huge_member_id_is_clipped_in_the_message_and_keeps_its_line() {
    let mut t = setup();
    let huge = "m".repeat(2_000_000);
    let ndjson = format!(
        "{{\"operation\":\"UPDATE\",\"expiration_duration\":0,\"user_account_id\":\"ok\",\"segment_id\":\"vip\"}}\n\
         {{\"operation\":\"UPDATE\",\"expiration_duration\":0,\"user_account_id\":\"{huge}\",\"segment_id\":\"vip\"}}\n"
    );
    let csv = format!(
        "operation,user_account_id,segment_id,expiration_duration\nUPDATE,ok,vip,0\nUPDATE,{huge},vip,0\n"
    );
    for (text, format, line) in [(ndjson, Format::Ndjson, 2), (csv, Format::Csv, 3)] {
        let found = problems(&mut t, &text, format);
        assert_eq!(lines(&found), [line], "{format:?}");
        let shown = found[0].to_string();
        assert!(shown.len() < 300, "{format:?}: {} bytes", shown.len());
        assert!(shown.starts_with(&format!("m:{line}: ")), "{shown}");
        assert!(shown.contains("mmm…"), "{shown}");
        // And the error that carries them.
        let e = t
            .store
            .import_commands(&text, format, "m", OnError::Abort)
            .unwrap_err();
        assert!(e.to_string().len() < 400, "{format:?}");
    }
}

#[test]
fn huge_text_is_clipped_in_every_command_message() {
    let mut t = setup();
    let x = "q".repeat(1_000_000);
    let base =
        r#""operation":"UPDATE","expiration_duration":0,"user_account_id":"u","segment_id":"vip""#;
    for line in [
        format!(
            r#"{{"operation":"{x}","expiration_duration":0,"user_account_id":"u","segment_id":"vip"}}"#
        ),
        format!(r#"{{{base},"{x}":1}}"#),
        format!(
            r#"{{"operation":"UPDATE","expiration_duration":"{x}","user_account_id":"u","segment_id":"vip"}}"#
        ),
        format!(
            r#"{{"operation":"UPDATE","expiration_duration":0,"user_account_id":"u","segment_id":"{x}"}}"#
        ),
        format!(
            r#"{{"operation":"UPDATE","expiration_duration":0,"user_account_id":"u","segment_technical_name":"{x}"}}"#
        ),
        format!(
            r#"{{"operation":"UPDATE","expiration_duration":0,"user_account_id":["{x}"],"segment_id":"vip"}}"#
        ),
        format!(r#"{{{base},"data_bag":"{x}"}}"#),
        format!(r#"["{x}"]"#),
        format!(r#"{{"operation":"UPDATE","{x}"#),
    ] {
        let found = problems(&mut t, &line, Format::Ndjson);
        assert_eq!(lines(&found), [1]);
        let shown = found[0].to_string();
        assert!(
            shown.chars().count() <= 400,
            "{} chars: {}",
            shown.len(),
            &shown[..200]
        );
    }
    // Other echoes of user text: sort fields, dates, a segment id in a lookup.
    let errors = [
        Format::parse(&x).unwrap_err(),
        t.store.get(&x).unwrap_err(),
        segment_store::parse_instant("asOf", &x).unwrap_err(),
        t.store.save(&draft(&format!("a{x}"), "US")).unwrap_err(),
    ];
    for e in errors {
        assert!(
            e.to_string().chars().count() < 300,
            "{}",
            &e.to_string()[..200]
        );
    }
}

#[test]
fn csv_line_numbers_are_the_same_with_crlf_and_lf() {
    let lf = "operation,user_account_id,segment_id,expiration_duration\n\
              UPDATE,a,vip,0\n\
              \n\
              UPSERT,b,vip,0\n\
              UPDATE,c,vip\n\
              UPDATE,\"d\nwith a break\",vip,x\n\
              UPDATE,e,vip,-1\n";
    let crlf = lf.replace('\n', "\r\n");
    let mut t = setup();
    let from_lf = problems(&mut t, lf, Format::Csv);
    let from_crlf = problems(&mut t, &crlf, Format::Csv);
    assert_eq!(lines(&from_lf), [4, 5, 6, 8]);
    assert_eq!(lines(&from_crlf), lines(&from_lf));
    // NDJSON too.
    let ndjson = "{\"operation\":\"UPDATE\",\"expiration_duration\":0,\"user_account_id\":\"a\",\"segment_id\":\"vip\"}\n\nnot json\n";
    assert_eq!(lines(&problems(&mut t, ndjson, Format::Ndjson)), [3]);
    assert_eq!(
        lines(&problems(
            &mut t,
            &ndjson.replace('\n', "\r\n"),
            Format::Ndjson
        )),
        [3]
    );
}

/// One good line, then `bad` on line 2 (NDJSON) / line 3 (CSV, after its header and a good
/// line): the bad line is refused with a message containing `says`.
fn refused_in_both(header: &str, csv_bad: &str, ndjson_bad: &str, says: &str) {
    let mut t = setup();
    let ndjson = format!(
        "{{\"operation\":\"UPDATE\",\"expiration_duration\":0,\"user_account_id\":\"ok\",\"segment_id\":\"vip\"}}\n{ndjson_bad}\n"
    );
    let found = problems(&mut t, &ndjson, Format::Ndjson);
    assert_eq!(lines(&found), [2], "{ndjson_bad}: {found:?}");
    assert!(found[0].message.contains(says), "{}", found[0]);
    let csv = format!("{header}\nUPDATE,ok,,vip,0,\n{csv_bad}\n");
    let found = problems(&mut t, &csv, Format::Csv);
    assert_eq!(lines(&found), [3], "{csv_bad}: {found:?}");
    assert!(found[0].message.contains(says), "{}", found[0]);
    assert_eq!(t.store.individual_count("vip").unwrap(), 0);
}

const HEADER: &str =
    "operation,user_account_id,email_hash,segment_id,expiration_duration,expiration_ts";

#[test]
fn two_identifiers_on_one_line_are_refused() {
    refused_in_both(
        HEADER,
        "UPDATE,u1,e1,vip,0,",
        r#"{"operation":"UPDATE","expiration_duration":0,"user_account_id":"u1","email_hash":"e1","segment_id":"vip"}"#,
        "not both user_account_id and email_hash",
    );
}

#[test]
fn two_expirations_on_one_line_are_refused() {
    refused_in_both(
        HEADER,
        "UPDATE,u1,,vip,60,1793620800000",
        r#"{"operation":"UPDATE","expiration_duration":60,"expiration_ts":1793620800000,"user_account_id":"u1","segment_id":"vip"}"#,
        "expiration_duration or expiration_ts, not both",
    );
}

#[test]
fn a_blank_identifier_is_refused() {
    refused_in_both(
        HEADER,
        "UPDATE,  ,,vip,0,",
        r#"{"operation":"UPDATE","expiration_duration":0,"user_account_id":" ","segment_id":"vip"}"#,
        "user_account_id is blank",
    );
    // An empty one in JSON too (an empty CSV cell is an absent value: "no identifier").
    let mut t = setup();
    let found = problems(
        &mut t,
        r#"{"operation":"UPDATE","expiration_duration":0,"user_account_id":"","email_hash":"e1","segment_id":"vip"}"#,
        Format::Ndjson,
    );
    assert!(
        found[0].message.contains("user_account_id is blank"),
        "{}",
        found[0]
    );
    let found = problems(
        &mut t,
        "operation,user_account_id,segment_id,expiration_duration\nUPDATE,,vip,0\n",
        Format::Csv,
    );
    assert_eq!(lines(&found), [2]);
    assert!(found[0].message.contains("no identifier"), "{}", found[0]);
}

#[test]
fn a_field_given_twice_is_refused() {
    let mut t = setup();
    let found = problems(
        &mut t,
        "{\"operation\":\"UPDATE\",\"expiration_duration\":0,\"user_account_id\":\"ok\",\"segment_id\":\"vip\"}\n\
         {\"operation\":\"UPDATE\",\"expiration_duration\":0,\"user_account_id\":\"a\",\"user_account_id\":\"b\",\"segment_id\":\"vip\"}\n",
        Format::Ndjson,
    );
    assert_eq!(lines(&found), [2]);
    assert!(
        found[0].message.contains("user_account_id is given twice"),
        "{}",
        found[0]
    );
    // In CSV the header names the column twice: the header line is the problem.
    for text in [
        "operation,user_account_id,segment_id,user_account_id,expiration_duration\nUPDATE,a,vip,b,0\n",
        "operation,user_account_id,segment_id,user_account_id,expiration_duration\r\nUPDATE,a,vip,b,0\r\n",
    ] {
        let found = problems(&mut t, text, Format::Csv);
        assert_eq!(lines(&found), [1]);
        assert!(
            found[0].message.contains("\"user_account_id\" is named twice (columns 2 and 4)"),
            "{}",
            found[0]
        );
    }
    assert_eq!(t.store.individual_count("vip").unwrap(), 0);
}

#[test]
fn exported_commands_carry_one_expiration_and_import_back() {
    let mut t = setup();
    let soon = AddOptions {
        expires_at: Some("2027-01-01".into()),
        ..Default::default()
    };
    t.store.add_members("vip", &["a"], &soon).unwrap();
    t.store
        .add_members("vip", &["b"], &AddOptions::default())
        .unwrap();
    for format in [Format::Ndjson, Format::Csv] {
        let mut out = Vec::new();
        t.store.export_commands("vip", format, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            !text.contains("\"expiration_duration\":0,\"expiration_ts\""),
            "{text}"
        );
        let mut other = setup();
        let report = other
            .store
            .import_commands(&text, format, "export", OnError::Abort)
            .unwrap_or_else(|e| panic!("{format:?}: {e}\n{text}"));
        assert_eq!(report.applied, 2);
    }
}

#[test]
fn windows_device_names_are_refused_as_new_ids() {
    let mut t = open();
    for id in [
        "con", "CON", "Prn", "aux", "nul", "com1", "COM9", "lpt1", "Lpt9",
    ] {
        let e = t.store.save(&draft(id, "US")).unwrap_err();
        assert!(matches!(e, Error::ReservedId { .. }), "{id}: {e}");
        assert_eq!((e.status(), e.kind()), (400, "invalid_id"));
        assert!(e.to_string().contains("Windows reserves"), "{e}");
        assert!(e.to_string().contains(".json"), "{e}");
    }
    // Near misses are ordinary ids.
    for id in [
        "cons",
        "com",
        "com0",
        "com10",
        "lpt",
        "nul_list",
        "auxiliary",
        "con_2",
    ] {
        t.store
            .save(&draft(id, "US"))
            .unwrap_or_else(|e| panic!("{id}: {e}"));
    }
    // Nor can freeze create one.
    t.store.save(&draft("src", "US")).unwrap();
    let e = t
        .store
        .freeze("src", "aux", None, ["m1"], &CountInput::default())
        .unwrap_err();
    assert!(matches!(e, Error::ReservedId { .. }), "{e}");
}

#[test]
fn a_segment_file_for_a_device_name_is_refused() {
    let mut t = open();
    let dir = t.dir.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    // A bare canonical definition takes its id from the file name.
    let definition = segment_model::canonical::to_string_pretty(&definition("US"));
    std::fs::write(dir.join("nul_.json"), &definition).unwrap();
    std::fs::write(dir.join("LPT3.json"), &definition).unwrap();
    let report = t
        .store
        .import_files(std::slice::from_ref(&dir), false, OnError::Skip)
        .unwrap();
    assert_eq!(report.created, ["nul_"]);
    assert_eq!(report.skipped.len(), 1, "{:?}", report.skipped);
    assert!(
        report.skipped[0].message.contains("Windows reserves"),
        "{}",
        report.skipped[0]
    );
}
