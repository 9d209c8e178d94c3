//! A corpus of trees (every operator, every condition type, nesting, negation, NULL-sensitive
//! cases) rendered to every format, checked by snapshot. What a format cannot express shows as
//! the error naming the construct and its node path. Every rendering that parses back is also
//! checked to read back as the normalized tree. The trees are data: one canonical segment file
//! each in `tests/corpus/formats/` at the repository root (adding a case is adding a file).

mod common;

use common::schema;
use segment_formats::{normalize, parse_as, render_as, Format};
use segment_model::Segment;

/// The named trees of `tests/corpus/formats/`, in file-name order, each read by the canonical
/// parser (which refuses anything not canonical).
fn corpus() -> Vec<(String, Segment)> {
    let schema = schema();
    segment_testkit::corpus::corpus("formats")
        .into_iter()
        .map(|case| {
            let tree = parse_as(Format::Canonical, &case.text, &schema, None)
                .unwrap_or_else(|e| panic!("{}: {e}", case.file));
            (case.title, tree)
        })
        .collect()
}

fn render_all(format: Format) -> String {
    let schema = schema();
    let mut out = String::new();
    for (name, tree) in corpus() {
        let rendered = match render_as(format, &tree, &schema, None) {
            Ok(text) => {
                let now = chrono::DateTime::parse_from_rfc3339("2024-05-16T13:45:10Z")
                    .unwrap()
                    .to_utc();
                let valid = segment_model::validate::check(&tree, &schema, None, now).is_ok();
                if format.parses() && valid {
                    match parse_as(format, &text, &schema, None) {
                        Ok(back) => {
                            let expected = normalize(&tree, &schema, None);
                            let back = if matches!(format, Format::Census | Format::Canonical) {
                                normalize(&back, &schema, None)
                            } else {
                                back
                            };
                            // OData has no weeks: a week is written, and read back, as 7 days.
                            let expected = if format == Format::Odata {
                                common::weeks_as_days(&expected)
                            } else {
                                expected
                            };
                            if back != expected {
                                panic!("{format}: “{name}” reads back differently:\n{text}\n{back:#?}\nexpected\n{expected:#?}");
                            }
                        }
                        Err(e) => panic!("{format}: “{name}” does not read back: {e}\n{text}"),
                    }
                }
                text.trim_end().to_string()
            }
            Err(e) => format!("! {e}"),
        };
        out.push_str(&format!("## {name}\n{rendered}\n\n"));
    }
    out
}

#[test]
fn corpus_pql_text() {
    insta::assert_snapshot!(render_all(Format::PqlText));
}

#[test]
fn corpus_pql_json() {
    insta::assert_snapshot!(render_all(Format::PqlJson));
}

#[test]
fn corpus_odata() {
    insta::assert_snapshot!(render_all(Format::Odata));
}

#[test]
fn corpus_odp() {
    insta::assert_snapshot!(render_all(Format::Odp));
}

#[test]
fn corpus_english() {
    insta::assert_snapshot!(render_all(Format::English));
}

#[test]
fn corpus_census() {
    insta::assert_snapshot!(render_all(Format::Census));
}

#[test]
fn corpus_canonical_reads_back_exactly() {
    let schema = schema();
    for (name, tree) in corpus() {
        let text = render_as(Format::Canonical, &tree, &schema, None).unwrap();
        assert_eq!(
            parse_as(Format::Canonical, &text, &schema, None).unwrap(),
            tree,
            "{name}"
        );
    }
}

#[test]
fn corpus_files_are_in_canonical_form() {
    let schema = schema();
    for case in segment_testkit::corpus::corpus("formats") {
        let tree = parse_as(Format::Canonical, &case.text, &schema, None).unwrap();
        let canonical = render_as(Format::Canonical, &tree, &schema, None).unwrap();
        assert_eq!(
            case.text, canonical,
            "{} is not in canonical form",
            case.file
        );
    }
}
