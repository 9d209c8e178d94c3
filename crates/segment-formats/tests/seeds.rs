//! The seeds' own examples: every PQL, OData, ODP and Census example parses and renders back
//! equivalent; the ones the tree cannot represent are refused by name.

mod common;

use common::schema;
use segment_formats::{
    normalize, parse_as, pql_json, pql_text, render_as, Error, Format, Position,
};
use segment_model::tree::Node;
use serde_json::{json, Value};

// ----- seed 001: Adobe PQL -----

/// The seed's conversion response: `workAddress.country = "US"` in pql/json, verbatim.
const SEED_PQL_JSON: &str = r#"{"nodeType":"fnApply","fnName":"=","params":[{"nodeType":"fieldLookup","fieldName":"country","object":{"nodeType":"fieldLookup","fieldName":"workAddress","object":{"nodeType":"parameterReference","position":1}}},{"nodeType":"literal","literalType":"String","value":"US"}]}"#;

#[test]
fn pql_text_from_the_seed_converts_to_exactly_the_seeds_pql_json() {
    let schema = schema();
    for (text, country) in [
        ("workAddress.country = \"US\"", "US"),
        ("workAddress.country = \"CA\"", "CA"),
    ] {
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
    assert_eq!(
        pql_json::render(&segment, &schema, None).unwrap(),
        SEED_PQL_JSON
    );
    assert_eq!(
        pql_text::render(&segment, &schema, None).unwrap(),
        "workAddress.country = \"US\""
    );
}

#[test]
fn seed_segment_definitions_are_read_through_their_expression() {
    let schema = schema();
    let expected = pql_text::parse("workAddress.country = \"US\"", &schema, None).unwrap();
    // The conversion response (pql/json as a JSON string) and the create request (pql/text).
    let converted = json!({"description": "Last 30 days", "expression": {"type": "PQL", "format": "pql/json", "value": SEED_PQL_JSON}});
    let created = json!({"name": "People who ordered in the last 30 days", "expression": {"type": "PQL", "format": "pql/text", "value": "workAddress.country = \"US\""}});
    for definition in [converted, created] {
        assert_eq!(
            pql_json::parse(&definition.to_string(), &schema, None).unwrap(),
            expected
        );
    }
}

#[test]
fn seed_pql_comparing_two_fields_reads_as_a_comparison() {
    let schema = schema();
    // From the seed: `workAddress.stateProvince = homeAddress.stateProvince` and the create
    // request's pql/json `a = b`: one attribute compared with another of the same record.
    let tree = pql_text::parse(
        "workAddress.stateProvince = homeAddress.stateProvince",
        &schema,
        None,
    )
    .unwrap();
    let Node::Condition(c) = &tree.root.children[0] else {
        panic!("{tree:?}")
    };
    assert_eq!(
        (c.attribute.as_str(), c.operator, &c.value),
        (
            "workAddress.stateProvince",
            segment_model::Operator::Is,
            &json!({"attribute": "homeAddress.stateProvince"})
        )
    );
    assert_eq!(
        pql_text::render(&tree, &schema, None).unwrap(),
        "workAddress.stateProvince = homeAddress.stateProvince"
    );
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
        let tree = parse_as(
            Format::Census,
            &example.to_string(),
            &schema,
            Some("profiles"),
        )
        .expect("census reads");
        let census = render_as(Format::Census, &tree, &schema, Some("profiles")).unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(&census).unwrap(),
            example,
            "Census writes back exactly"
        );
        for format in [Format::PqlText, Format::PqlJson] {
            let text = render_as(format, &tree, &schema, None).unwrap();
            let back = parse_as(format, &text, &schema, None).unwrap();
            assert_eq!(back, normalize(&tree, &schema, None), "{format}: {text}");
        }
    }
}

// ----- seed 000: OData filters -----

/// The seed's filters are over its own collections (segments, memberships, membership
/// changes); this schema has their fields as one entity.
fn collections_schema() -> segment_model::Schema {
    use segment_model::schema::{Column, DataType, Entity, Schema, Storage};
    let col = |name: &str, data_type: DataType, storage: Storage| Column {
        name: name.into(),
        data_type,
        storage,
        declared_type: String::new(),
        nullable: true,
    };
    Schema {
        entities: vec![Entity {
            name: "records".into(),
            key: "id".into(),
            columns: vec![
                col("scope", DataType::Text, Storage::Text),
                col("author.identifier", DataType::Text, Storage::Text),
                col("datemodified", DataType::Datetime, Storage::IsoDateTime),
                col("status", DataType::Text, Storage::Text),
                col("dateCreated", DataType::Datetime, Storage::IsoDateTime),
                col("operation", DataType::Text, Storage::Text),
                col("dateChanged", DataType::Datetime, Storage::IsoDateTime),
            ],
        }],
        relationships: vec![],
    }
}

#[test]
fn every_odata_filter_of_the_seed_parses_and_renders_back_equivalent() {
    let schema = collections_schema();
    let filters = [
        "?filter=(datemodified gt 2018-02-13T12:33:12Z)",
        "?filter=(status eq 'ACTIVE') and (dateCreated lt 2013-05-29T09:13:28Z)",
        "?filter=(status eq 'INACTIVE') and (dateCreated gt 2012-05-29T09:13:28Z) and (dateCreated lt 2015-05-29T09:13:28Z)",
        "?filter=(operation eq 'ADDED') and (dateChanged lt 2013-05-29T09:13:28Z)",
        "?filter=(status eq 'REMOVED') and (dateChanged gt 2012-05-29T09:13:28Z) and (dateChanged lt 2015-05-29T09:13:28Z)",
        // The seed's first example with its quote fixed (see the next test).
        "?filter=((scope eq 'USER') and (author/identifier eq '123456'))",
    ];
    let mut rendered = String::new();
    for filter in filters {
        let tree = parse_as(Format::Odata, filter, &schema, None)
            .unwrap_or_else(|e| panic!("{filter}: {e}"));
        let text = render_as(Format::Odata, &tree, &schema, None).unwrap();
        assert_eq!(
            parse_as(Format::Odata, &text, &schema, None).unwrap(),
            tree,
            "{text}"
        );
        let english = render_as(Format::English, &tree, &schema, None).unwrap();
        rendered.push_str(&format!("{filter}\n{text}\n{}\n", english.trim_end()));
    }
    insta::assert_snapshot!(rendered);
}

#[test]
fn the_seeds_dynamic_segment_filter_parses() {
    let schema = schema();
    let tree = parse_as(
        Format::Odata,
        "(demographics/age/value eq '30')",
        &schema,
        None,
    )
    .unwrap();
    assert_eq!(
        tree,
        common::segment(common::and(vec![common::cond(
            "demographics.age.value",
            "is",
            json!("30")
        )]))
    );
    assert_eq!(
        render_as(Format::Odata, &tree, &schema, None).unwrap(),
        "demographics/age/value eq '30'"
    );
}

#[test]
fn the_seeds_unbalanced_odata_example_is_refused_at_its_position() {
    // Verbatim from the seed: the doubled quote escapes the closing quote, so the string never
    // ends. The error says where it starts.
    let err = parse_as(
        Format::Odata,
        "?filter=((scope eq 'USER') and (author/identifier eq '123456'')",
        &collections_schema(),
        None,
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::Syntax { at: Position::Text { line: 1, column: 54 }, message, .. } if message.contains("not closed")),
        "{err}"
    );
}

// ----- seed 003: ODP -----

fn odp_seed_examples() -> Vec<Value> {
    let active = |seconds: u64| {
        json!({"root_condition": {"sequence_condition": {
            "sequence": {"entry_event_filter": {"path_reference": {"value": "event.active_event"}}, "max_age_seconds": seconds},
            "min_count": 1}}})
    };
    vec![
        json!({"root_condition": {"customer_condition": {"customer_filter": {"comparison": {
            "lhs": {"path_reference": {"value": "customer.observations.total_revenue_percentile"}},
            "comparator": "LESS_THAN",
            "rhs": {"number_literal": {"value": "25"}}}}}}}),
        active(604_800),
        active(86_400),
    ]
}

#[test]
fn every_odp_definition_of_the_seed_parses_and_renders_back_exactly() {
    let schema = schema();
    let mut rendered = String::new();
    for definition in odp_seed_examples() {
        let tree = parse_as(Format::Odp, &definition.to_string(), &schema, None).expect("reads");
        let text = render_as(Format::Odp, &tree, &schema, None).unwrap();
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), definition);
        rendered.push_str(&format!(
            "{}\n",
            render_as(Format::English, &tree, &schema, None)
                .unwrap()
                .trim_end()
        ));
        rendered.push_str(&format!(
            "{}\n",
            render_as(Format::PqlText, &tree, &schema, None).unwrap()
        ));
        rendered.push_str(&format!(
            "{}\n\n",
            render_as(Format::Odata, &tree, &schema, None).unwrap()
        ));
    }
    insta::assert_snapshot!(rendered);
}

#[test]
fn odp_request_bodies_are_read_through_their_definition() {
    let schema = schema();
    for definition in odp_seed_examples() {
        let body = json!({"description": "Users who were active in the last 7 days", "definition": definition});
        assert_eq!(
            parse_as(Format::Odp, &body.to_string(), &schema, None).unwrap(),
            parse_as(Format::Odp, &definition.to_string(), &schema, None).unwrap()
        );
    }
}

#[test]
fn odp_segment_ids_follow_the_seed_rule() {
    use segment_formats::{check_segment_id, valid_segment_id};
    for id in [
        "total_revenue_lt_25",
        "is_active",
        "example_one",
        "Is_Active",
        "a",
    ] {
        assert!(valid_segment_id(id), "{id}");
    }
    for id in ["", "1abc", "_x", "h-0", "is active", "é"] {
        assert!(!valid_segment_id(id), "{id}");
        assert!(check_segment_id(id).is_err());
    }
    assert_eq!(
        check_segment_id("h-0").unwrap_err(),
        "A segment id has only letters, digits and _ (not “-”)."
    );
}

// ----- seed 002: Census, into every format -----

#[test]
fn census_seed_examples_render_to_every_format() {
    let schema = schema();
    let examples = [
        json!([[{"attribute": "id", "attribute_type": "column", "operator": "isnotnull", "value": null, "moleculeIndex": 0, "atomIndex": 0}]]),
        json!([[{"attribute": "id", "attribute_type": "column", "operator": "exactly", "value": "2", "moleculeIndex": 0, "atomIndex": 0}]]),
        json!([{"relationship_id": 1, "constraint": {"type": "occurrences", "operator": "greaterthan", "value": 1},
                "molecules": [{"attribute": "event_name", "operator": "exactly", "value": "login"}]}]),
    ];
    let mut out = String::new();
    for example in examples {
        let tree = parse_as(
            Format::Census,
            &example.to_string(),
            &schema,
            Some("profiles"),
        )
        .unwrap();
        for format in Format::ALL {
            let rendered = match render_as(format, &tree, &schema, None) {
                Ok(text) => {
                    if format.parses() {
                        let back = parse_as(format, &text, &schema, None).unwrap();
                        assert_eq!(
                            normalize(&back, &schema, None),
                            normalize(&tree, &schema, None),
                            "{format}"
                        );
                    }
                    text.trim_end().to_string()
                }
                Err(e) => format!("! {e}"),
            };
            if format != Format::Canonical && format != Format::Census {
                out.push_str(&format!(
                    "{}: {}\n",
                    format.name(),
                    rendered.replace('\n', " ")
                ));
            }
        }
        out.push('\n');
    }
    insta::assert_snapshot!(out);
}
