//! Property: for every format that both renders and parses, `parse(render(t)) == normalize(t)`
//! on random trees (restricted to what the format can express; the rest is reported, see the
//! corpus snapshots).

mod common;
mod generate;

use proptest::prelude::*;
use segment_formats::{normalize, parse_as, render_as, Format};

fn round_trip(format: Format, segment: &segment_model::Segment) -> Result<(), TestCaseError> {
    let schema = common::schema();
    let text = render_as(format, segment, &schema, None)
        .map_err(|e| TestCaseError::fail(format!("render: {e}")))?;
    let back = parse_as(format, &text, &schema, None)
        .map_err(|e| TestCaseError::fail(format!("parse: {e}\n{text}")))?;
    let mut expected = normalize(segment, &schema, None);
    match format {
        // OData durations have no weeks: a week is written, and read back, as 7 days.
        Format::Odata => expected = common::weeks_as_days(&expected),
        // ODP windows are seconds, read back in the largest of days, hours, minutes that fits.
        Format::Odp => expected = windows_in_largest_unit(&expected),
        _ => {}
    }
    prop_assert_eq!(&back, &expected, "{}\n{}", format, text);
    // And rendering the normal form gives the same text back.
    let again = render_as(format, &back, &schema, None)
        .map_err(|e| TestCaseError::fail(format!("re-render: {e}")))?;
    let reread = parse_as(format, &again, &schema, None)
        .map_err(|e| TestCaseError::fail(format!("re-parse: {e}\n{again}")))?;
    prop_assert_eq!(reread, expected);
    Ok(())
}

fn windows_in_largest_unit(segment: &segment_model::Segment) -> segment_model::Segment {
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                if map.get("type").and_then(|t| t.as_str()) == Some("in_the_last") {
                    let per = match map.get("unit").and_then(|u| u.as_str()) {
                        Some("minute") => 60,
                        Some("hour") => 3_600,
                        Some("day") => 86_400,
                        Some("week") => 604_800,
                        _ => 0,
                    };
                    if let Some(amount) = map
                        .get("amount")
                        .and_then(|a| a.as_u64())
                        .filter(|_| per > 0)
                    {
                        let seconds = amount * per;
                        let (n, unit) = if seconds % 86_400 == 0 {
                            (seconds / 86_400, "day")
                        } else if seconds % 3_600 == 0 {
                            (seconds / 3_600, "hour")
                        } else {
                            (seconds / 60, "minute")
                        };
                        map.insert("amount".into(), n.into());
                        map.insert("unit".into(), unit.into());
                    }
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

/// 256 cases, or `PROPTEST_CASES` when set (for longer runs).
fn config() -> ProptestConfig {
    let config = match std::env::var("PROPTEST_CASES") {
        Ok(_) => ProptestConfig::default(),
        Err(_) => ProptestConfig::with_cases(256),
    };
    // Trees are drawn from everything and filtered to what the format writes: ODP writes little.
    ProptestConfig {
        max_local_rejects: 10_000_000,
        ..config
    }
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

    #[test]
    fn odp_round_trips(segment in generate::segment(Format::Odp)) {
        round_trip(Format::Odp, &segment)?;
    }

    /// Census and canonical JSON are lossless: reading what was written gives the tree back
    /// (Census adds its layout hints, which `normalize` drops).
    #[test]
    fn census_round_trips(segment in generate::segment(Format::Census)) {
        let schema = common::schema();
        let text = render_as(Format::Census, &segment, &schema, None).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back = parse_as(Format::Census, &text, &schema, None).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(normalize(&back, &schema, None), normalize(&segment, &schema, None));
        // Written again, the file is byte for byte the same.
        prop_assert_eq!(render_as(Format::Census, &back, &schema, None).unwrap(), text);
    }

    #[test]
    fn canonical_round_trips(segment in generate::segment(Format::Canonical)) {
        let schema = common::schema();
        let text = render_as(Format::Canonical, &segment, &schema, None).unwrap();
        prop_assert_eq!(parse_as(Format::Canonical, &text, &schema, None).unwrap(), segment);
    }

    /// English renders every tree the model validates, and refuses others at a node.
    #[test]
    fn english_renders_every_tree(segment in generate::segment(Format::Canonical)) {
        let schema = common::schema();
        let english = render_as(Format::English, &segment, &schema, None);
        let valid = segment_model::validate::check(&segment, &schema, None, common::now()).is_ok();
        match english {
            Ok(_) => {}
            Err(segment_formats::Error::Invalid { path, .. }) if !valid => {
                prop_assert!(common::points_into(&segment, &path), "{}", path);
            }
            Err(e) => prop_assert!(false, "{}", e),
        }
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
