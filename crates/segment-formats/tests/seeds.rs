//! The seeds' own examples: every PQL, OData, ODP and Census example parses and renders back
//! equivalent; the ones the tree cannot represent are refused by name.

mod common;

use common::schema;
use segment_formats::{normalize, parse_as, pql_json, pql_text, render_as, Error, Format, Position};
use serde_json::{json, Value};

// ----- seed 001: Adobe PQL -----

/// The seed's conversion response: `workAddress.country = "US"` in pql/json, verbatim.
const SEED_PQL_JSON: &str = r#"{"nodeType":"fnApply","fnName":"=","params":[{"nodeType":"fieldLookup","fieldName":"country","object":{"nodeType":"fieldLookup","fieldName":"workAddress","object":{"nodeType":"parameterReference","position":1}}},{"nodeType":"literal","literalType":"String","value":"US"}]}"#;

#[test]
fn pql_text_from_the_seed_converts_to_exactly_the_seeds_pql_json() {
    let schema = schema();
    for (text, country) in [("workAddress.country = \"US\"", "US"), ("workAddress.country = \"CA\"", "CA")] {
        let segment = pql_text::parse(text, &schema, None).expect("seed PQL text parses");
        assert_eq!(pql_text::render(&segment, &schema, None).unwrap(), text);
        let expected = SEED_PQL_JSON.replace("\"US\"", &format!("\"{country}\""));
        assert_eq!(pql_json::render(&segment, &schema, None).unwrap(), expected);
    }
}

#[test]
fn the_seeds_pql_json_parses_and_renders_back_byte_for_byte() {
    let schema = schema();
    let segment = pql_json::parse(SEED_PQL_JSON, &schema, None).expect("seed pql/json parses");
    assert_eq!(pql_json::render(&segment, &schema, None).unwrap(), SEED_PQL_JSON);
    assert_eq!(pql_text::render(&segment, &schema, None).unwrap(), "workAddress.country = \"US\"");
}

#[test]
fn seed_segment_definitions_are_read_through_their_expression() {
    let schema = schema();
    let expected = pql_text::parse("workAddress.country = \"US\"", &schema, None).unwrap();
    // The conversion response (pql/json as a JSON string) and the create request (pql/text).
    let converted = json!({"description": "Last 30 days", "expression": {"type": "PQL", "format": "pql/json", "value": SEED_PQL_JSON}});
    let created = json!({"name": "People who ordered in the last 30 days", "expression": {"type": "PQL", "format": "pql/text", "value": "workAddress.country = \"US\""}});
    for definition in [converted, created] {
        assert_eq!(pql_json::parse(&definition.to_string(), &schema, None).unwrap(), expected);
    }
}

#[test]
fn seed_pql_comparing_two_fields_is_refused_by_name() {
    let schema = schema();
    // From the seed: `workAddress.stateProvince = homeAddress.stateProvince` and the create
    // request's pql/json `a = b`. The tree compares attributes with values, never two attributes.
    let err = pql_text::parse("workAddress.stateProvince = homeAddress.stateProvince", &schema, None).unwrap_err();
    assert!(matches!(&err, Error::Unrepresentable { construct, at: Position::Text { line: 1, column: 27 }, .. }
        if construct.contains("comparing two fields")), "{err}");
    let a_eq_b = r#"{"nodeType":"fnApply","fnName":"=","params":[{"nodeType":"fieldLookup","fieldName":"a","object":{"nodeType":"parameterReference","position":1}},{"nodeType":"fieldLookup","fieldName":"b","object":{"nodeType":"parameterReference","position":1}}]}"#;
    let err = pql_json::parse(a_eq_b, &schema, None).unwrap_err();
    assert!(matches!(&err, Error::Unrepresentable { construct, at: Position::Json { pointer }, .. }
        if construct.contains("comparing two fields (a = b)") && pointer.is_empty()), "{err}");
}

/// Census examples: they read, render to every format that can say them, and come back equal.
#[test]
fn census_seed_examples_translate_to_pql_and_back() {
    let schema = schema();
    let examples: Vec<Value> = vec![
        json!([[{"attribute": "id", "attribute_type": "column", "operator": "isnotnull", "value": null, "moleculeIndex": 0, "atomIndex": 0}]]),
        json!([[{"attribute": "id", "attribute_type": "column", "operator": "exactly", "value": "2", "moleculeIndex": 0, "atomIndex": 0}]]),
        json!([]),
        json!([{"relationship_id": 1, "constraint": {"type": "occurrences", "operator": "greaterthan", "value": 1},
                "molecules": [{"attribute": "event_name", "operator": "exactly", "value": "login"}]}]),
    ];
    for example in examples {
        let tree = parse_as(Format::Census, &example.to_string(), &schema, Some("profiles")).expect("census reads");
        let census = render_as(Format::Census, &tree, &schema, Some("profiles")).unwrap();
        assert_eq!(serde_json::from_str::<Value>(&census).unwrap(), example, "Census writes back exactly");
        for format in [Format::PqlText, Format::PqlJson] {
            let text = render_as(format, &tree, &schema, None).unwrap();
            let back = parse_as(format, &text, &schema, None).unwrap();
            assert_eq!(back, normalize(&tree, &schema, None), "{format}: {text}");
        }
    }
}
