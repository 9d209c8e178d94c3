//! Errors are located and named: parse errors at a line/column (text) or JSON Pointer (JSON)
//! with a hint; renderer errors at the node path of the construct the format cannot express.

mod common;

use common::{and, cond, schema, segment};
use segment_formats::{parse_as, render_as, Error, Format, Position};
use serde_json::json;

fn parse_err(format: Format, text: &str) -> Error {
    match parse_as(format, text, &schema(), None) {
        Ok(tree) => panic!("{format}: {text:?} was accepted: {tree:?}"),
        Err(e) => e,
    }
}

fn at(line: usize, column: usize) -> Position {
    Position::Text { line, column }
}

#[test]
fn pql_text_errors_name_the_line_column_and_a_hint() {
    let e = parse_err(Format::PqlText, "country = ");
    assert!(
        matches!(&e, Error::Syntax { at: p, message, .. } if *p == at(1, 11) && message.contains("expected a condition or a value")),
        "{e}"
    );

    let e = parse_err(Format::PqlText, "country = \"US\"\nand agee = 3");
    assert!(
        matches!(&e, Error::Syntax { at: p, message, hint, .. }
        if *p == at(2, 5) && message.contains("“agee” is not an attribute of profiles") && hint.contains("known: id, email")),
        "{e}"
    );

    // Single quotes are PQL strings too (Adobe's documents write both); an open one is located.
    let e = parse_err(Format::PqlText, "country = 'US");
    assert!(
        matches!(&e, Error::Syntax { at: p, hint, .. } if *p == at(1, 11) && hint.contains("end it with '")),
        "{e}"
    );

    let e = parse_err(Format::PqlText, "country.soundsLike(\"US\")");
    assert!(
        matches!(&e, Error::Unrepresentable { construct, .. } if construct == "the function soundsLike()"),
        "{e}"
    );

    let e = parse_err(Format::PqlText, "exists E from orders where E.x = 1");
    assert!(
        matches!(&e, Error::Syntax { at: p, message, hint, .. }
        if *p == at(1, 15) && message.contains("not a relationship of profiles") && hint.contains("events")),
        "{e}"
    );

    let e = parse_err(
        Format::PqlText,
        "exists E from events where country = \"US\"",
    );
    assert!(
        matches!(&e, Error::Unrepresentable { construct, .. } if construct.contains("a profile field inside the condition on E")),
        "{e}"
    );

    let e = parse_err(
        Format::PqlText,
        "signed_up_at occurs <= 30 days after date(2024, 1, 1)",
    );
    assert!(
        matches!(&e, Error::Unrepresentable { construct, at: p, .. }
            if construct.contains("before/after date(…)") && *p == at(1, 24)),
        "{e}"
    );

    let e = parse_err(Format::PqlText, "age = \"30\"");
    assert!(
        matches!(&e, Error::Unrepresentable { construct, at: p, .. } if construct.contains("age (number)") && *p == at(1, 7)),
        "{e}"
    );
}

#[test]
fn pql_json_errors_name_the_json_pointer() {
    let e = parse_err(
        Format::PqlJson,
        r#"{"nodeType":"fnApply","fnName":"=","params":[{"nodeType":"fieldLookup","fieldName":"country","object":{"nodeType":"parameterReference","position":1}},{"nodeType":"literal","literalType":"Text","value":"US"}]}"#,
    );
    assert!(
        matches!(&e, Error::Syntax { at: Position::Json { pointer }, message, .. }
        if pointer == "/params/1/literalType" && message.contains("unknown literalType \"Text\"")),
        "{e}"
    );

    let e = parse_err(
        Format::PqlJson,
        r#"{"nodeType":"fnApply","fnName":"=","params":[]"#,
    );
    assert!(
        matches!(
            &e,
            Error::Syntax {
                at: Position::Text { line: 1, .. },
                ..
            }
        ),
        "{e}"
    );

    let e = parse_err(
        Format::PqlJson,
        r#"{"nodeType":"fnApply","fnName":"=","params":[{"nodeType":"fieldLookup","fieldName":"colour","object":{"nodeType":"parameterReference","position":1}},{"nodeType":"literal","literalType":"String","value":"red"}]}"#,
    );
    assert!(
        matches!(&e, Error::Syntax { at: Position::Json { pointer }, message, .. }
        if pointer == "/params/0" && message.contains("“colour” is not an attribute")),
        "{e}"
    );
}

#[test]
fn odata_errors_name_the_line_column_and_a_hint() {
    let e = parse_err(Format::Odata, "country eq \"US\"");
    assert!(
        matches!(&e, Error::Syntax { at: p, hint, .. } if *p == at(1, 12) && hint.contains("single quotes")),
        "{e}"
    );

    let e = parse_err(Format::Odata, "age gt 'x'");
    assert!(
        matches!(&e, Error::Unrepresentable { construct, .. } if construct.contains("age gt this value")),
        "{e}"
    );

    // `all` reads on related records (NOT any(NOT …)); on a list of values only `t eq 'text'`
    // (every item is) reads.
    let e = parse_err(Format::Odata, "tags/all(t: startswith(t, 'x'))");
    assert!(
        matches!(&e, Error::Unrepresentable { construct, at: p, .. } if construct == "all(…) on the list tags" && *p == at(1, 6)),
        "{e}"
    );

    let e = parse_err(
        Format::Odata,
        "$filter=country eq 'US' and\n  signed_up_at ge now() sub duration'P1Y'",
    );
    assert!(
        matches!(&e, Error::Syntax { at: p, message, .. } if *p == at(2, 29) && message.contains("duration'P1Y'")),
        "{e}"
    );

    let e = parse_err(Format::Odata, "signed_up_at ge now() sub duration'P30D'");
    assert!(
        matches!(&e, Error::Unrepresentable { construct, hint, .. }
        if construct.contains("relative to now on its own") && hint.contains("c le now()")),
        "{e}"
    );

    let e = parse_err(Format::Odata, "country eq 'US' or");
    assert!(
        matches!(&e, Error::Syntax { at: p, message, .. } if *p == at(1, 19) && message.contains("the end of the filter")),
        "{e}"
    );
}

#[test]
fn odp_errors_name_the_json_pointer() {
    let definition = json!({"root_condition": {"customer_condition": {"customer_filter": {"comparison": {
        "lhs": {"path_reference": {"value": "customer.age"}}, "comparator": "ROUGHLY", "rhs": {"number_literal": {"value": "25"}}}}}}});
    let e = parse_err(Format::Odp, &definition.to_string());
    assert!(
        matches!(&e, Error::Unrepresentable { at: Position::Json { pointer }, construct, .. }
        if pointer == "/root_condition/customer_condition/customer_filter/comparison/comparator" && construct == "the comparator ROUGHLY"),
        "{e}"
    );

    let definition = json!({"root_condition": {"sequence_condition": {"sequence": {"max_age_seconds": 90}, "min_count": 1}}});
    let e = parse_err(Format::Odp, &definition.to_string());
    assert!(
        matches!(&e, Error::Unrepresentable { at: Position::Json { pointer }, construct, .. }
        if pointer == "/root_condition/sequence_condition/sequence/max_age_seconds" && construct == "a window of 90 seconds"),
        "{e}"
    );

    let e = parse_err(
        Format::Odp,
        r#"{"root_condition": {"customer_condition": {}, "x": 1}}"#,
    );
    assert!(
        matches!(&e, Error::Syntax { at: Position::Json { pointer }, .. } if pointer == "/root_condition/x"),
        "{e}"
    );
}

#[test]
fn renderers_name_the_construct_and_its_node_path() {
    let schema = schema();
    let tree = segment(and(vec![
        cond("country", "is", json!("US")),
        json!({"type": "relationship", "relationship": "events", "filter": and(vec![
            cond("name", "is", json!("x")),
            cond("name", "is_blank", json!(null)),
        ])}),
    ]));
    for format in [Format::PqlText, Format::PqlJson, Format::Odp] {
        let e = render_as(format, &tree, &schema, None).unwrap_err();
        assert_eq!(
            e.path(),
            Some("/root/children/1/filter/children/1"),
            "{format}: {e}"
        );
        assert!(e.to_string().contains("“is blank”"), "{e}");
    }
    // OData writes it, with the NULL-faithful spelling.
    assert_eq!(
        render_as(Format::Odata, &tree, &schema, None).unwrap(),
        "country eq 'US' and events/any(e: e/name eq 'x' and (e/name eq null or e/name eq ''))"
    );
    let sql = segment(and(vec![json!({"type": "sql", "sql": "age > 1"})]));
    for format in [Format::PqlText, Format::PqlJson, Format::Odata, Format::Odp] {
        let e = render_as(format, &sql, &schema, None).unwrap_err();
        assert!(
            matches!(&e, Error::Unsupported { construct, path, .. } if construct == "a raw SQL condition" && path == "/root/children/0"),
            "{e}"
        );
    }
}

#[test]
fn the_format_enum_lists_capabilities_and_names() {
    for format in Format::ALL {
        assert_eq!(Format::from_name(format.name()), Some(format));
        assert!(format.renders());
    }
    assert_eq!(Format::from_name("pql-text"), Some(Format::PqlText));
    assert_eq!(Format::from_name("ODATA"), Some(Format::Odata));
    assert_eq!(Format::from_name("sql"), None);
    assert!(!Format::English.parses());
    assert!(matches!(
        parse_as(Format::English, "Profiles.", &schema(), None),
        Err(Error::Syntax { .. })
    ));
    assert_eq!(
        serde_json::to_value(Format::PqlJson).unwrap(),
        json!("pql_json")
    );
}

#[test]
fn contextual_words_are_fine_as_names() {
    use segment_model::schema::{Column, DataType, Entity, Schema, Storage};
    let col = |name: &str, data_type: DataType| Column {
        name: name.into(),
        data_type,
        storage: Storage::Text,
        declared_type: String::new(),
        nullable: true,
    };
    let schema = Schema {
        entities: vec![Entity {
            name: "things".into(),
            key: "id".into(),
            columns: vec![
                col("date", DataType::Text),
                col("from", DataType::Text),
                col("now", DataType::Number),
                col("duration", DataType::Number),
            ],
        }],
        relationships: vec![],
    };
    let tree = serde_json::from_value::<segment_model::Segment>(json!({"version": 1, "entity": "things", "root": and(vec![
        cond("date", "is", json!("x")), cond("from", "is", json!("y")), cond("now", "greater_than", json!(1)), cond("duration", "less_than", json!(2)),
    ])})).unwrap();
    for format in [Format::PqlText, Format::PqlJson, Format::Odata] {
        let text = render_as(format, &tree, &schema, None).unwrap();
        assert_eq!(
            parse_as(format, &text, &schema, None).unwrap(),
            tree,
            "{format}: {text}"
        );
    }
    // A keyword proper cannot be written as a name.
    let bad = serde_json::from_value::<segment_model::Segment>(
        json!({"version": 1, "entity": "things", "root": and(vec![cond("and", "is", json!("x"))])}),
    )
    .unwrap();
    let schema_and = Schema {
        entities: vec![Entity {
            name: "things".into(),
            key: "id".into(),
            columns: vec![col("and", DataType::Text)],
        }],
        relationships: vec![],
    };
    for format in [Format::PqlText, Format::Odata] {
        let e = render_as(format, &bad, &schema_and, None).unwrap_err();
        assert!(
            matches!(&e, Error::Unsupported { construct, path, .. } if construct == "the attribute name “and”" && path == "/root/children/0/attribute"),
            "{e}"
        );
    }
}
