//! Property: for every format that both renders and parses, `parse(render(t)) == normalize(t)`
//! on random trees (restricted to what the format can express; the rest is reported, see the
//! corpus snapshots).

mod common;
mod generate;

use proptest::prelude::*;
use segment_formats::{normalize, parse_as, render_as, Format};

fn round_trip(format: Format, segment: &segment_model::Segment) -> Result<(), TestCaseError> {
    let schema = common::schema();
    let text = render_as(format, segment, &schema, None).map_err(|e| TestCaseError::fail(format!("render: {e}")))?;
    let back = parse_as(format, &text, &schema, None).map_err(|e| TestCaseError::fail(format!("parse: {e}\n{text}")))?;
    let mut expected = normalize(segment, &schema, None);
    if format == Format::Odata {
        // OData durations have no weeks: a week is written, and read back, as 7 days.
        expected = weeks_as_days(&expected);
    }
    prop_assert_eq!(&back, &expected, "{}\n{}", format, text);
    // And rendering the normal form gives the same text back.
    let again = render_as(format, &back, &schema, None).map_err(|e| TestCaseError::fail(format!("re-render: {e}")))?;
    let reread = parse_as(format, &again, &schema, None).map_err(|e| TestCaseError::fail(format!("re-parse: {e}\n{again}")))?;
    prop_assert_eq!(reread, expected);
    Ok(())
}

/// 256 cases, or `PROPTEST_CASES` when set (for longer runs).
fn config() -> ProptestConfig {
    match std::env::var("PROPTEST_CASES") {
        Ok(_) => ProptestConfig::default(),
        Err(_) => ProptestConfig::with_cases(256),
    }
}

fn weeks_as_days(segment: &segment_model::Segment) -> segment_model::Segment {
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                if map.get("unit").and_then(|u| u.as_str()) == Some("week") {
                    for key in ["amount", "from", "to"] {
                        if let Some(n) = map.get(key).and_then(|n| n.as_u64()) {
                            map.insert(key.into(), (n * 7).into());
                        }
                    }
                    map.insert("unit".into(), "day".into());
                }
                map.values_mut().for_each(walk);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(segment).unwrap();
    walk(&mut value);
    serde_json::from_value(value).unwrap()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn pql_text_round_trips(segment in generate::segment(Format::PqlText)) {
        round_trip(Format::PqlText, &segment)?;
    }

    #[test]
    fn pql_json_round_trips(segment in generate::segment(Format::PqlJson)) {
        round_trip(Format::PqlJson, &segment)?;
    }

    #[test]
    fn odata_round_trips(segment in generate::segment(Format::Odata)) {
        round_trip(Format::Odata, &segment)?;
    }
}

#[test]
fn normalize_is_idempotent_on_random_trees() {
    let schema = common::schema();
    let mut runner = proptest::test_runner::TestRunner::default();
    runner
        .run(&generate::segment(Format::Canonical), |segment| {
            let once = normalize(&segment, &schema, None);
            prop_assert_eq!(normalize(&once, &schema, None), once);
            Ok(())
        })
        .unwrap();
}
