//! The registry of formats and dialects: complete, looked up by name, and detection reads back
//! what every format writes.

use segment_formats::Format;
use segment_service::registry::{self, Target, REGISTRY};
use serde_json::json;

#[test]
fn every_tree_format_and_dialect_is_listed_once_by_a_unique_name() {
    for format in Format::ALL {
        let entries = REGISTRY
            .iter()
            .filter(|e| e.target == Target::Tree(format))
            .count();
        assert_eq!(entries, 1, "{format:?}");
        assert_eq!(registry::entry_of(format).parses, format.parses());
    }
    let mut names: Vec<&str> = REGISTRY.iter().map(|e| e.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), REGISTRY.len());
    for entry in &REGISTRY {
        assert_eq!(registry::lookup(entry.name), Some(entry));
        assert_eq!(
            registry::lookup(&entry.name.to_uppercase().replace('-', "_")),
            Some(entry)
        );
        assert!(!entry.label().is_empty() && !entry.extension.is_empty());
    }
    assert_eq!(
        registry::lookup("sql-postgresql").unwrap().name,
        "sql-postgres"
    );
    assert!(registry::input_format("sql-ansi")
        .unwrap_err()
        .contains("output-only"));
    assert!(registry::input_format("oracle")
        .unwrap_err()
        .contains("unknown format"));
}

#[test]
fn detection_reads_back_what_every_format_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.sqlite");
    segment_source::generate_demo(
        &path,
        segment_source::DemoOptions {
            profiles: 50,
            seed: 1,
        },
    )
    .unwrap();
    let schema = segment_source::DataSource::open_read_only(&path)
        .unwrap()
        .schema()
        .clone();
    let segment: segment_model::Segment = serde_json::from_value(json!({
        "version": 1, "entity": "profiles", "root": {"combinator": "and", "children": [
            {"type": "condition", "attribute": "country", "operator": "is", "value": "US"},
            {"type": "condition", "attribute": "age", "operator": "greater_than", "value": 30}]}}))
    .unwrap();
    let now = chrono::Utc::now();
    for entry in REGISTRY.iter().filter(|e| e.parses) {
        let text = registry::render(entry.target, &segment, &schema, Some("profiles"), now)
            .unwrap_or_else(|e| panic!("{}: {e:?}", entry.name));
        let imported = segment_service::detect::import(&text, None, &schema, Some("profiles"))
            .unwrap_or_else(|e| panic!("{}: {e:?}\n{text}", entry.name));
        assert_eq!(
            segment_formats::normalize(&imported.segment, &schema, Some("profiles")),
            segment_formats::normalize(&segment, &schema, Some("profiles")),
            "{} read back as {}",
            entry.name,
            imported.format
        );
        // With a BOM too (as some editors save files).
        let bom = format!("\u{feff}{text}");
        assert!(segment_service::detect::import(&bom, None, &schema, Some("profiles")).is_ok());
    }
    let e =
        segment_service::detect::import("country eq 'FR' and\n  (age gt )", None, &schema, None)
            .unwrap_err();
    assert_eq!((e.line, e.column), (Some(2), Some(11)), "{e:?}");
}

#[test]
fn labels_are_the_names_marketers_know() {
    let label = |name: &str| registry::lookup(name).map(|e| e.label());
    assert_eq!(label("pql-text"), Some("Adobe PQL"));
    assert_eq!(label("pql-json"), Some("PQL JSON"));
    assert_eq!(label("odata"), Some("OData filter"));
    assert_eq!(label("odp"), Some("Optimizely ODP"));
    assert_eq!(label("census"), Some("Census"));
    assert_eq!(label("sql-postgres"), Some("SQL · PostgreSQL"));
}
