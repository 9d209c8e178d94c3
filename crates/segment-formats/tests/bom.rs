//! A UTF-8 byte-order mark (as Windows editors save) before a document is not part of it.

mod common;

use common::{and, cond, schema, segment};
use segment_formats::{odata, odp, parse_as, pql_json, pql_text, render_as, Format};
use segment_model::Segment;
use serde_json::json;

const PARSERS: [Format; 6] = [
    Format::Canonical,
    Format::Census,
    Format::PqlText,
    Format::PqlJson,
    Format::Odata,
    Format::Odp,
];

fn sample() -> Segment {
    segment(and(vec![
        cond("country", "is", json!("US")),
        cond("age", "greater_than", json!(30)),
        json!({"type": "relationship", "relationship": "events",
               "filter": and(vec![cond("name", "is", json!("purchase"))])}),
    ]))
}

#[test]
fn a_byte_order_mark_is_ignored_by_every_parser() {
    let schema = schema();
    let tree = sample();
    for format in PARSERS {
        let text = render_as(format, &tree, &schema, None).unwrap();
        let plain = parse_as(format, &text, &schema, None)
            .unwrap_or_else(|e| panic!("{format} without a BOM: {e}"));
        let with_bom = format!("\u{feff}{text}");
        let read = parse_as(format, &with_bom, &schema, None)
            .unwrap_or_else(|e| panic!("{format} with a BOM: {e}"));
        assert_eq!(read, plain, "{format}");
        // Each format's own entry point too.
        let direct = match format {
            Format::PqlText => Some(pql_text::parse(&with_bom, &schema, None)),
            Format::PqlJson => Some(pql_json::parse(&with_bom, &schema, None)),
            Format::Odata => Some(odata::parse(&with_bom, &schema, None)),
            Format::Odp => Some(odp::parse(&with_bom, &schema, None)),
            _ => None,
        };
        if let Some(direct) = direct {
            let direct = direct.unwrap_or_else(|e| panic!("{format}::parse with a BOM: {e}"));
            assert_eq!(direct, plain, "{format}::parse");
        }
    }
}

#[test]
fn after_a_byte_order_mark_errors_keep_their_columns() {
    let schema = schema();
    for (format, text) in [
        (Format::PqlText, "country = "),
        (Format::Odata, "country eq "),
    ] {
        let plain = parse_as(format, text, &schema, None).unwrap_err();
        let bom = parse_as(format, &format!("\u{feff}{text}"), &schema, None).unwrap_err();
        assert_eq!(plain.position(), bom.position(), "{format}");
    }
}
