//! Huge user text (an identifier, a number, a date, a JSON key) that an error message must
//! locate without repeating in full.

mod common;

use common::{and, cond, schema, segment};
use segment_formats::{parse_as, render_as, Error, Format};
use segment_model::Segment;
use serde_json::json;

/// Short enough to read in a dialog: the clipped text (80 characters), the position, the hint
/// (serde's list of the 30-odd operator names is the longest).
const SHORT: usize = 700;

fn sample() -> Segment {
    segment(and(vec![
        cond("country", "is", json!("US")),
        cond("age", "greater_than", json!(30)),
        json!({"type": "relationship", "relationship": "events",
               "filter": and(vec![cond("name", "is", json!("purchase"))])}),
    ]))
}

fn refused(format: Format, text: &str) -> Error {
    match parse_as(format, text, &schema(), None) {
        Ok(tree) => panic!("{format}: accepted {tree:?}"),
        Err(e) => e,
    }
}

fn assert_short(format: Format, e: &Error) {
    let shown = e.to_string();
    assert!(
        shown.chars().count() <= SHORT,
        "{format}: an error of {} characters: {}…",
        shown.chars().count(),
        shown.chars().take(300).collect::<String>()
    );
}

/// The error is short, located at `at` (line, column) and shows the head of the huge text.
fn assert_clipped(format: Format, text: &str, at: (usize, usize)) {
    let e = refused(format, text);
    assert_short(format, &e);
    assert_eq!(
        e.position(),
        Some(&segment_formats::Position::Text {
            line: at.0,
            column: at.1
        }),
        "{format}: {e}"
    );
    // Echoed, the huge text is cut after 80 characters.
    let shown = e.to_string();
    for c in ['x', 'q', '7'] {
        assert!(
            !shown.contains(&c.to_string().repeat(81)),
            "{format}: {shown}"
        );
    }
}

#[test]
fn a_ten_megabyte_identifier_is_clipped_in_pql_and_odata_errors() {
    let huge = "x".repeat(10_000_000);
    assert_clipped(
        Format::PqlText,
        &format!("country = \"US\"\nand {huge} = 1"),
        (2, 5),
    );
    assert_clipped(
        Format::Odata,
        &format!("country eq 'US'\nand {huge} eq 1"),
        (2, 5),
    );
}

#[test]
fn huge_user_text_is_clipped_wherever_pql_text_echoes_it() {
    let x = "q".repeat(1_000_000);
    let digits = "7".repeat(1_000_000);
    for (text, at) in [
        (format!("{x} = 1"), (1, 1)),
        (format!("country.{x}(\"a\")"), (1, 9)),
        (format!("exists E from {x} where E.name = \"x\""), (1, 15)),
        (format!("exists E from events where E.{x} = 1"), (1, 28)),
        (format!("age = 1 {x}"), (1, 9)),
        (format!("country = \"US\" {x}"), (1, 16)),
        (format!("age = {digits}"), (1, 7)),
        (format!("signed_up_at occurs <= 3 {x} before now"), (1, 26)),
        (
            format!("signed_up_at occurs <= {digits} days before now"),
            (1, 24),
        ),
        (format!("country = \"US\" and ({x} = 1)"), (1, 21)),
    ] {
        assert_clipped(Format::PqlText, &text, at);
    }
}

#[test]
fn huge_user_text_is_clipped_wherever_odata_echoes_it() {
    let x = "q".repeat(1_000_000);
    let digits = "7".repeat(1_000_000);
    for (text, at) in [
        (format!("{x} eq 1"), (1, 1)),
        (format!("events/any(e: e/{x} eq 'a')"), (1, 15)),
        (format!("{x}/any(e: e/name eq 'a')"), (1, 1)),
        (format!("{x}(country, 'a')"), (1, 1)),
        (format!("contains(country, 'a') {x}"), (1, 24)),
        (format!("signed_up_at lt 2024-{digits}"), (1, 17)),
        (format!("age eq {digits}"), (1, 8)),
        (format!("country eq 'US' and $q{x}"), (1, 21)),
        (format!("signed_up_at lt now() sub duration'{x}'"), (1, 27)),
    ] {
        assert_clipped(Format::Odata, &text, at);
    }
}

#[test]
fn huge_names_are_clipped_in_json_format_errors() {
    let schema = schema();
    let tree = sample();
    let x = "q".repeat(1_000_000);
    for format in [
        Format::PqlJson,
        Format::Odp,
        Format::Census,
        Format::Canonical,
    ] {
        let text = render_as(format, &tree, &schema, None).unwrap();
        // Every name in the document in turn: attribute, relationship, operator, function.
        for word in [
            "country", "events", "name", "purchase", "US", "is", "eq", "fnApply",
        ] {
            if !text.contains(word) {
                continue;
            }
            let bad = text.replacen(&format!("\"{word}\""), &format!("\"{x}\""), 1);
            if let Err(e) = parse_as(format, &bad, &schema, None) {
                assert_short(format, &e);
            }
        }
    }
}

#[test]
fn renderers_clip_a_huge_attribute_name_they_cannot_write() {
    let schema = schema();
    let name = format!("not a name {}", "q".repeat(1_000_000));
    let tree = segment(and(vec![cond(&name, "is", json!("US"))]));
    for format in Format::ALL {
        if let Err(e) = render_as(format, &tree, &schema, None) {
            assert_short(format, &e);
        }
    }
}

#[test]
fn deep_pointers_are_kept_exact_while_huge_keys_are_clipped() {
    let not = r#"{"nodeType":"fnApply","fnName":"not","params":["#;
    let depth = 12;
    let text = format!(
        r#"{}{{"nodeType":"bogus"}}{}"#,
        not.repeat(depth),
        "]}".repeat(depth)
    );
    let e = refused(Format::PqlJson, &text);
    let pointer = format!("{}/nodeType", "/params/0".repeat(depth));
    assert!(pointer.len() > 100);
    assert_eq!(
        e.position(),
        Some(&segment_formats::Position::Json { pointer }),
        "{e}"
    );
    // A huge unknown key: the pointer names it clipped.
    let key = "k".repeat(1_000_000);
    let text = format!(r#"{{"root_condition":{{"{key}":{{}}}}}}"#);
    let e = refused(Format::Odp, &text);
    assert_short(Format::Odp, &e);
    match e.position() {
        Some(segment_formats::Position::Json { pointer }) => {
            assert!(pointer.len() < 300, "{}", pointer.len());
            assert!(pointer.starts_with("/root_condition/kkk"), "{pointer}");
        }
        other => panic!("{other:?}"),
    }
}
