//! Census is read and written through `segment_formats::census`, and either definition format
//! through `segment_formats::parse_any`, as through the model's paths.

mod common;

use segment_formats::{census, parse_any, DocumentFormat};
use segment_model::tree::{Condition, Group, Node, Segment};
use segment_model::Operator;
use serde_json::json;

#[test]
fn census_and_canonical_read_through_this_crate() {
    let schema = common::schema();
    let segment = Segment::new(
        Some("profiles".into()),
        Group::and(vec![Node::Condition(Condition::new(
            "country",
            Operator::Is,
            json!("US"),
        ))]),
    );
    let molecules = census::to_string_pretty(&segment, &schema, None).expect("Census");
    let (read, format) = parse_any(&molecules, &schema, None).expect("reads Census");
    assert_eq!(format, DocumentFormat::Census);
    assert_eq!(
        read,
        census::parse(&molecules, &schema, None).expect("reads")
    );
    let canonical = segment_model::canonical::to_string_pretty(&segment);
    let (read, format) = parse_any(&canonical, &schema, None).expect("reads canonical");
    assert_eq!(format, DocumentFormat::Canonical);
    assert_eq!(read, segment);
}
