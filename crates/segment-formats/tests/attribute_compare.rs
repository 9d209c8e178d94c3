//! An attribute compared with another attribute of the same record in every format: PQL
//! text and pql/json (`a = b`, `$1.a = $1.b`, the one-parameter lambda), OData (`A eq B` by
//! OData's null rules, `date(A) ne date(B)`, the guarded shapes written back), English, the
//! refusals of ODP, Census and PQL dates, and typing without data.

mod common;

use common::schema;
use segment_formats::{
    english, normalize, odata, odp, parse_as, parse_without_data, pql_json, pql_text, render_as,
    Error, Format,
};
use segment_model::tree::{Group, Node};
use segment_model::{Condition, DataType, Operator, Segment};
use serde_json::json;

fn compared(attribute: &str, operator: Operator, other: serde_json::Value) -> Segment {
    Segment::new(
        Some("profiles".into()),
        Group::and(vec![Node::Condition(Condition::new(
            attribute, operator, other,
        ))]),
    )
}

fn only_condition(segment: &Segment) -> &Condition {
    match segment.root.children.as_slice() {
        [Node::Condition(c)] => c,
        other => panic!("not one condition: {other:?}"),
    }
}

#[test]
fn pql_reads_and_writes_two_fields_compared() {
    let s = schema();
    for text in [
        "homeAddress.stateProvince = workAddress.stateProvince",
        "$1.homeAddress.stateProvince = $1.workAddress.stateProvince",
        "(Profile) => Profile.homeAddress.stateProvince = Profile.workAddress.stateProvince",
    ] {
        let tree = pql_text::parse(text, &s, None).unwrap_or_else(|e| panic!("{text}: {e}"));
        let c = only_condition(&tree);
        assert_eq!(c.attribute, "homeAddress.stateProvince", "{text}");
        assert_eq!(c.operator, Operator::Is);
        assert_eq!(c.value, json!({"attribute": "workAddress.stateProvince"}));
        assert_eq!(
            pql_text::render(&tree, &s, None).unwrap(),
            "homeAddress.stateProvince = workAddress.stateProvince"
        );
    }
    let tree = compared(
        "age",
        Operator::LessThanOrEqual,
        json!({"attribute": "age"}),
    );
    assert_eq!(pql_text::render(&tree, &s, None).unwrap(), "age <= age");
    let json = pql_json::render(&tree, &s, None).unwrap();
    assert_eq!(pql_json::parse(&json, &s, None).unwrap(), tree);
    // A lambda's parameter is the profile only as a field's first step.
    let lambda = "(P) => P.country = \"P.x\" and P.email = P.country";
    let tree = pql_text::parse(lambda, &s, None).unwrap();
    assert_eq!(
        pql_text::render(&tree, &s, None).unwrap(),
        "country = \"P.x\" and email = country"
    );
}

#[test]
fn pql_refuses_what_it_cannot_compare_by_name() {
    let s = schema();
    let err = pql_text::parse("email = age", &s, None).unwrap_err();
    assert!(
        err.to_string()
            .contains("comparing two fields (email = age)")
            && err.to_string().contains("same type"),
        "{err}"
    );
    let err = pql_text::parse("email < country", &s, None).unwrap_err();
    assert!(err.to_string().contains("comparing two fields"), "{err}");
    let dates = compared(
        "signed_up_at",
        Operator::Before,
        json!({"attribute": "birth_date"}),
    );
    for format in [Format::PqlText, Format::PqlJson] {
        let err = render_as(format, &dates, &s, None).unwrap_err();
        assert!(
            matches!(&err, Error::Unsupported { construct, path, .. }
                if construct == "a comparison of two dates" && path == "/root/children/0/value"),
            "{err}"
        );
    }
}

#[test]
fn odata_reads_its_null_rules_and_writes_the_models() {
    let s = schema();
    // Written: the model's comparison, guarded where OData's null rules differ.
    let cases = [
        (
            Operator::Is,
            json!({"attribute": "country"}),
            "(email ne null and email eq country)",
        ),
        (
            Operator::IsNot,
            json!({"attribute": "country"}),
            "(email ne null and country ne null and email ne country)",
        ),
    ];
    for (op, other, expected) in cases {
        let tree = compared("email", op, other);
        let text = odata::render(&tree, &s, None).unwrap();
        assert_eq!(text, expected);
        assert_eq!(odata::parse(&text, &s, None).unwrap(), tree, "{text}");
    }
    let days = compared(
        "signed_up_at",
        Operator::OnOrAfter,
        json!({"attribute": "birth_date", "date_only": true}),
    );
    let text = odata::render(&days, &s, None).unwrap();
    assert_eq!(
        text,
        "(signed_up_at ne null and date(signed_up_at) ge date(birth_date))"
    );
    assert_eq!(odata::parse(&text, &s, None).unwrap(), days);
    let less = compared("age", Operator::LessThan, json!({"attribute": "age"}));
    assert_eq!(odata::render(&less, &s, None).unwrap(), "age lt age");
    // Read: `eq` also holds where both are null, `ne` is its complement.
    let english_of = |text: &str| {
        let tree = odata::parse(text, &s, None).unwrap();
        english::render(&tree, &s, None).unwrap()
    };
    let eq = english_of("email eq country");
    assert!(eq.contains("email is the same as country"), "{eq}");
    assert!(
        eq.contains("email has no value") && eq.contains("country has no value"),
        "{eq}"
    );
    let ne = english_of("date(signed_up_at) ne date(birth_date)");
    assert!(
        ne.contains("none of")
            && ne.contains("the date of signed up at is the same as the date of birth date"),
        "{ne}"
    );
    let err = odata::parse("date(signed_up_at) eq birth_date", &s, None).unwrap_err();
    assert!(
        err.to_string()
            .contains("comparing a date with a date-time"),
        "{err}"
    );
}

#[test]
fn english_names_both_attributes() {
    let s = schema();
    let tree = compared(
        "homeAddress.stateProvince",
        Operator::IsNot,
        json!({"attribute": "workAddress.stateProvince"}),
    );
    assert_eq!(
        english::render(&tree, &s, None).unwrap(),
        "Profiles whose homeAddress.stateProvince is not the same as workAddress.stateProvince (both known).\n"
    );
}

#[test]
fn odp_and_census_refuse_it_by_name() {
    let s = schema();
    let tree = compared("email", Operator::Is, json!({"attribute": "country"}));
    let err = odp::render(&tree, &s, None).unwrap_err();
    assert!(
        matches!(&err, Error::Unsupported { construct, .. } if construct == "a comparison of two attributes"),
        "{err}"
    );
    let err = render_as(Format::Census, &tree, &s, None).unwrap_err();
    assert!(
        err.to_string()
            .contains("cannot express a comparison of two attributes"),
        "{err}"
    );
}

#[test]
fn renderers_check_the_other_attribute() {
    let s = schema();
    let unknown = compared("email", Operator::Is, json!({"attribute": "emial"}));
    let wrong_type = compared("email", Operator::Is, json!({"attribute": "age"}));
    for format in [Format::PqlText, Format::Odata, Format::English] {
        let err = render_as(format, &unknown, &s, None).unwrap_err();
        assert_eq!(
            err.path(),
            Some("/root/children/0/value/attribute"),
            "{err}"
        );
        let err = render_as(format, &wrong_type, &s, None).unwrap_err();
        assert!(err.to_string().contains("same type"), "{err}");
    }
}

#[test]
fn without_data_both_attributes_are_typed_alike() {
    for (format, text) in [
        (
            Format::PqlText,
            "homeAddress.stateProvince = workAddress.stateProvince",
        ),
        (Format::Odata, "date(StartTime) ne date(EndTime)"),
        (Format::Odata, "Price lt ListPrice"),
    ] {
        let (tree, schema) = parse_without_data(format, text, None).unwrap();
        let entity = &schema.entities[0];
        let types: Vec<DataType> = entity.columns.iter().map(|c| c.data_type).collect();
        assert_eq!(types.len(), 2, "{text}: {types:?}");
        assert_eq!(types[0], types[1], "{text}");
        let back = render_as(format, &tree, &schema, None).unwrap();
        let again = parse_as(format, &back, &schema, None).unwrap();
        assert_eq!(
            normalize(&again, &schema, None),
            normalize(&tree, &schema, None),
            "{back}"
        );
    }
    let canonical = json!({"version": 1, "root": {"combinator": "and", "children": [
        {"type": "condition", "attribute": "start", "operator": "before", "value": {"attribute": "end"}}]}});
    let (_, schema) = parse_without_data(Format::Canonical, &canonical.to_string(), None).unwrap();
    let types: Vec<(&str, DataType)> = schema.entities[0]
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.data_type))
        .collect();
    assert_eq!(
        types,
        [("start", DataType::Datetime), ("end", DataType::Datetime)]
    );
}
