//! `segment-builder render` and `convert` end to end: every output format from one segment, a
//! round trip through Census and PQL, and located errors.

use std::process::Output;

use segment_testkit::{
    all_of, cond, recent_purchasers, stderr, stdout_text as stdout, Cli, Workdir,
};

fn cli() -> Cli {
    Cli::new(env!("CARGO_BIN_EXE_segment-builder"))
}

fn run(args: &[&str]) -> Output {
    cli().run(args)
}

fn data() -> &'static str {
    segment_testkit::demo(&cli(), 300, Some(3)).path_str()
}

/// A value that needs quoting (`O'Hara`), and a relationship with a window.
fn ohara() -> String {
    recent_purchasers("O'Hara").to_string()
}

#[test]
fn every_output_format_from_one_segment() {
    let dir = Workdir::new();
    let seg = dir.file("seg.json", ohara());
    let expect: &[(&str, &str)] = &[
        ("canonical", "\"version\": 1"),
        ("census", "\"moleculeIndex\""),
        ("pql-text", "country = "),
        ("pql-json", "\"nodeType\""),
        ("odata", "country eq 'O''Hara'"),
        ("odp", "root_condition"),
        ("sql-sqlite", "t0.\"country\" = 'O''Hara'"),
        ("sql-postgres", "t0.\"country\" = 'O''Hara'"),
        ("sql-duckdb", "t0.\"country\" = 'O''Hara'"),
        ("sql-bigquery", "t0.`country` = 'O\\'Hara'"),
        ("sql-snowflake", "t0.\"country\" = 'O''Hara'"),
        ("sql-ansi", "t0.\"country\" = 'O''Hara'"),
        ("english", "purchase"),
    ];
    for (format, needle) in expect {
        let out = run(&[
            "render",
            "--to",
            format,
            "--data",
            data(),
            "--segment",
            &seg,
            "--now",
            "2026-11-01",
        ]);
        let text = stdout(&out);
        assert!(text.contains(needle), "{format}: no {needle:?} in\n{text}");
    }
}

#[test]
fn census_to_pql_text_to_canonical_round_trip() {
    let dir = Workdir::new();
    let seg = dir.file("seg.json", ohara());
    let census = stdout(&run(&[
        "render",
        "--to",
        "census",
        "--data",
        data(),
        "--segment",
        &seg,
    ]));
    let census_file = dir.file("census.json", &census);
    let pql = stdout(&run(&[
        "convert",
        "--from",
        "census",
        "--to",
        "pql-text",
        "--data",
        data(),
        &census_file,
    ]));
    let direct = stdout(&run(&[
        "render",
        "--to",
        "pql-text",
        "--data",
        data(),
        "--segment",
        &seg,
    ]));
    assert_eq!(pql, direct);
    let pql_file = dir.file("seg.pql", &pql);
    let canonical = stdout(&run(&[
        "convert",
        "--from",
        "pql-text",
        "--to",
        "canonical",
        "--data",
        data(),
        "--entity",
        "profiles",
        &pql_file,
    ]));
    let back = dir.file("back.json", &canonical);
    // The canonical result is valid against the data and says the same thing.
    let out = run(&["validate", "--data", data(), "--segment", &back]);
    assert!(
        out.status.success(),
        "{}{}",
        stderr(&out),
        String::from_utf8_lossy(&out.stdout)
    );
    let again = stdout(&run(&[
        "render",
        "--to",
        "pql-text",
        "--data",
        data(),
        "--segment",
        &back,
    ]));
    assert_eq!(again, pql);
    let sql_before = stdout(&run(&[
        "render",
        "--to",
        "sql-sqlite",
        "--data",
        data(),
        "--segment",
        &seg,
        "--now",
        "2026-11-01",
    ]));
    let sql_after = stdout(&run(&[
        "render",
        "--to",
        "sql-sqlite",
        "--data",
        data(),
        "--segment",
        &back,
        "--now",
        "2026-11-01",
    ]));
    assert_eq!(sql_before, sql_after);
}

#[test]
fn a_parse_error_shows_its_position() {
    let dir = Workdir::new();
    let bad = dir.file("bad.pql", "country = \"US\" and (age > ");
    let out = run(&[
        "convert",
        "--from",
        "pql-text",
        "--to",
        "canonical",
        "--data",
        data(),
        "--entity",
        "profiles",
        &bad,
    ]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("bad.pql") && err.contains("line 1, column"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn output_only_formats_and_unknown_names_are_rejected() {
    let dir = Workdir::new();
    let seg = dir.file("seg.json", ohara());
    let out = run(&["convert", "--from", "sql-sqlite", "--to", "canonical", &seg]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("sql-sqlite is output-only"),
        "{}",
        stderr(&out)
    );
    let out = run(&["convert", "--from", "english", "--to", "canonical", &seg]);
    assert!(
        stderr(&out).contains("english is output-only"),
        "{}",
        stderr(&out)
    );
    let out = run(&["render", "--to", "sql-oracle", "--segment", &seg]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown format \"sql-oracle\": one of canonical, census"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn what_a_dialect_cannot_express_is_named() {
    let dir = Workdir::new();
    let seg = dir.json(
        "regex.json",
        &all_of("profiles", [cond("email", "matches_regex", "^a")]),
    );
    let out = run(&[
        "render",
        "--to",
        "sql-ansi",
        "--data",
        data(),
        "--segment",
        &seg,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot write sql-ansi: ANSI SQL cannot express regular expressions"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("(at /root/children/0)"),
        "the node is named: {}",
        stderr(&out)
    );
    let out = run(&[
        "render",
        "--to",
        "sql-duckdb",
        "--data",
        data(),
        "--segment",
        &seg,
    ]);
    assert!(stdout(&out).contains("regexp_matches(t0.\"email\", '^a')"));
}

/// `convert` with no `--data`: attributes taken as written and typed by the literals, the entity
/// from the format; every tree format is written, SQL says it needs data.
#[test]
fn convert_without_data() {
    let dir = Workdir::new();
    let pql = dir.file(
        "seg.pql",
        "homeAddress.countryISO = \"CA\" and person.birthYear = 1985",
    );
    let out = run(&["convert", "--to", "odata", &pql]);
    assert_eq!(
        stdout(&out),
        "homeAddress/countryISO eq 'CA' and person/birthYear eq 1985\n",
        "{}",
        stderr(&out)
    );
    let out = run(&["convert", "--to", "canonical", &pql]);
    assert!(
        stdout(&out).contains("\"entity\": \"person\""),
        "{}",
        stderr(&out)
    );

    let graph = dir.file(
        "graph.txt",
        "startsWith(displayName, 'a') and NOT(imAddresses/any(i:i eq 'admin@contoso.com'))",
    );
    let out = run(&["convert", "--to", "pql-text", "--entity", "users", &graph]);
    assert_eq!(
        stdout(&out),
        "displayName.startsWith(\"a\") and not (imAddresses.supersetOf([\"admin@contoso.com\"]))\n",
        "{}",
        stderr(&out)
    );

    let out = run(&["convert", "--to", "sql-sqlite", &pql]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("needs --data"), "{}", stderr(&out));

    let bad = dir.file("bad.txt", "Style has Sales.Pattern'Yellow'");
    let out = run(&["convert", "--from", "odata", "--to", "pql-text", &bad]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("line 1, column 7: the has operator"), "{err}");
    assert!(!err.contains("one of: )"), "{err}");
}

/// `--odata-ignore-case` reads OData as Microsoft Graph compares strings: ignoring case.
#[test]
fn graph_filters_can_be_read_ignoring_case() {
    let dir = Workdir::new();
    let graph = dir.file(
        "graph.txt",
        "startsWith(displayName, 'a') and userType eq 'Member'",
    );
    let out = run(&["convert", "--to", "english", "--odata-ignore-case", &graph]);
    let text = stdout(&out);
    assert!(text.contains("ignoring case"), "{text}{}", stderr(&out));
    let out = run(&["convert", "--to", "odata", "--odata-ignore-case", &graph]);
    assert_eq!(
        stdout(&out),
        "startswith(tolower(displayName), tolower('a')) and tolower(userType) eq tolower('Member')\n",
        "{}",
        stderr(&out)
    );
    let out = run(&["convert", "--to", "english", &graph]);
    assert!(!stdout(&out).contains("ignoring case"), "{}", stdout(&out));
}
