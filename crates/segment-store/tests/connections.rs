//! Connection profiles: saved, replaced by name, listed by name, deleted; an address with a
//! password or token is refused (secrets are never stored), and so is one of another kind.

mod common;

use common::*;
use segment_store::{ConnectionProfile, Error};

fn profile(name: &str, url: &str, schema: Option<&str>) -> ConnectionProfile {
    ConnectionProfile {
        name: name.into(),
        url: url.into(),
        schema: schema.map(str::to_string),
    }
}

#[test]
fn profiles_are_kept_without_secrets() {
    let mut t = open();
    let s = &mut t.store;
    s.save_connection(&profile(
        "Warehouse",
        "postgresql://ann@db:5432/shop",
        Some("crm"),
    ))
    .unwrap();
    s.save_connection(&profile("Spark", "sc://spark.example:15002", None))
        .unwrap();
    s.save_connection(&profile(
        "Warehouse",
        "postgresql://ann@db:5433/shop",
        Some("crm"),
    ))
    .unwrap();
    let listed = s.connections().unwrap();
    assert_eq!(
        listed,
        vec![
            profile("Spark", "sc://spark.example:15002", None),
            profile("Warehouse", "postgresql://ann@db:5433/shop", Some("crm")),
        ]
    );
    for url in [
        "postgresql://ann:secret@db/shop",
        "sc://spark:15002/;token=abc",
        "mysql://ann@db/shop",
    ] {
        match s.save_connection(&profile("Bad", url, None)) {
            Err(Error::Invalid { field, .. }) => assert_eq!(field, "url"),
            other => panic!("{url}: {other:?}"),
        }
    }
    assert!(s.delete_connection("Spark").unwrap());
    assert!(!s.delete_connection("Spark").unwrap());
    assert_eq!(s.connections().unwrap().len(), 1);
}
