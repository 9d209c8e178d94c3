//! Reading and converting definitions with no data: every tree format reads and writes with the
//! schema inferred from the document; the entity comes from the format or the caller.

use segment_formats::Format;
use segment_service::detect::{import_without_data, read_without_data};
use segment_service::registry::{self, render_all_without_data};

fn read(text: &str, format: Option<Format>) -> segment_service::detect::ReadWithoutData {
    read_without_data(text, format, None).unwrap_or_else(|e| panic!("{text}: {e:?}"))
}

#[test]
fn pql_text_is_detected_and_typed_by_its_literals() {
    let r = read(
        "homeAddress.countryISO = \"CA\" and person.birthYear = 1985 and vip = true",
        None,
    );
    assert_eq!(r.format, Format::PqlText);
    assert_eq!(r.segment.entity.as_deref(), Some("person"));
    let person = r.schema.entity("person").unwrap();
    let ty = |c: &str| person.column(c).map(|c| c.data_type);
    use segment_model::schema::DataType;
    assert_eq!(ty("homeAddress.countryISO"), Some(DataType::Text));
    assert_eq!(ty("person.birthYear"), Some(DataType::Number));
    assert_eq!(ty("vip"), Some(DataType::Boolean));
    let odata = segment_formats::render_as(Format::Odata, &r.segment, &r.schema, None).unwrap();
    assert_eq!(
        odata,
        "homeAddress/countryISO eq 'CA' and person/birthYear eq 1985 and vip eq true"
    );
}

#[test]
fn odata_as_graph_writes_it_converts_to_pql() {
    let r = read(
        "assignedLicenses/any(x:x/skuId eq 184efa21-98c3-4e5d-95ab-d07053a96e67) and NOT(accountEnabled eq false)",
        None,
    );
    assert_eq!(r.format, Format::Odata);
    assert_eq!(r.segment.entity.as_deref(), Some("record"));
    let pql = segment_formats::render_as(Format::PqlText, &r.segment, &r.schema, None).unwrap();
    assert_eq!(
        pql,
        "(exists E from assignedLicenses where E.skuId = \"184efa21-98c3-4e5d-95ab-d07053a96e67\") and not (accountEnabled = false)"
    );
}

#[test]
fn the_entity_can_be_given() {
    let r = read_without_data("country eq 'US'", Some(Format::Odata), Some("users")).unwrap();
    assert_eq!(r.segment.entity.as_deref(), Some("users"));
}

#[test]
fn canonical_documents_keep_their_entity_and_render_everywhere_but_sql() {
    let text = r#"{"version":1,"entity":"profiles","root":{"combinator":"and","children":[
        {"type":"condition","attribute":"country","operator":"is","value":"US"},
        {"type":"condition","attribute":"age","operator":"greater_than","value":30}]}}"#;
    let r = read(text, None);
    assert_eq!(r.format, Format::Canonical);
    for (entry, result) in render_all_without_data(&r.segment, None) {
        match entry.target {
            registry::Target::Sql(_) => {
                let failure = result.unwrap_err();
                assert!(
                    format!("{failure:?}").contains("data source"),
                    "{failure:?}"
                );
            }
            registry::Target::Tree(_) => {
                let text = result.unwrap_or_else(|e| panic!("{}: {e:?}", entry.name));
                assert!(!text.is_empty(), "{}", entry.name);
            }
        }
    }
}

#[test]
fn errors_name_the_construct_and_never_list_nothing() {
    for text in [
        "Style has Sales.Pattern'Yellow'",
        // Two fields compared are read now; a PQL `if` is not.
        "if (homeAddress.countryISO = \"CA\", 1, 2)",
        "x eq ",
    ] {
        let e = read_without_data(text, None, None).unwrap_err();
        assert!(!e.message.contains("one of: )"), "{text}: {}", e.message);
        assert!(
            !e.message.contains("unexpected character"),
            "{text}: {}",
            e.message
        );
    }
    let e =
        import_without_data("Style has Sales.Pattern'Yellow'", Some("odata"), None).unwrap_err();
    assert!(e.message.contains("the has operator"), "{}", e.message);
    assert_eq!((e.line, e.column), (Some(1), Some(7)));
}

#[test]
fn an_odata_filter_reads_as_graph_compares_text_when_asked() {
    let mut imported = import_without_data("mail eq 'A@x.org'", Some("odata"), None).unwrap();
    assert_eq!(imported.segment.root.children.len(), 1);
    segment_service::detect::read_as_graph(&mut imported);
    let segment_model::Node::Condition(c) = &imported.segment.root.children[0] else {
        panic!("{:?}", imported.segment);
    };
    assert_eq!(c.case_sensitive, Some(false));
    // Other formats are left as read.
    let mut pql = import_without_data("mail = \"A@x.org\"", Some("pql-text"), None).unwrap();
    segment_service::detect::read_as_graph(&mut pql);
    let segment_model::Node::Condition(c) = &pql.segment.root.children[0] else {
        panic!("{:?}", pql.segment);
    };
    assert_eq!(c.case_sensitive, None);
}
