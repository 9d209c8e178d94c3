//! Schema introspection of a hand-made SQLite file: every type rule, keys, and relationships
//! from foreign keys in both directions.

use rusqlite::Connection;
use segment_model::{Cardinality, DataType, Relationship, Schema, Storage};
use segment_source::DataSource;

const DDL: &str = r#"
CREATE TABLE companies (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, founded DATE, employees INT);
CREATE TABLE people (
  id INTEGER PRIMARY KEY,
  company_id INTEGER REFERENCES companies(id),
  manager_id INTEGER REFERENCES people,
  name VARCHAR(40),
  bio CLOB,
  score REAL,
  ratio FLOAT,
  weight DOUBLE PRECISION,
  price NUMERIC,
  price2 DECIMAL(10,2),
  active BOOLEAN,
  flag BOOL,
  born DATE,
  seen_at DATETIME,
  created_at TIMESTAMP,
  updated_at DATETIME,
  precise_at DATETIME,
  empty_dt DATETIME,
  empty_date DATE,
  mixed_dt DATETIME,
  num_dt DATETIME,
  tags JSON,
  meta JSON,
  empty_json JSON,
  raw,
  rawnum,
  rawreal,
  picture BLOB,
  "odd ""name""" TEXT
);
CREATE TABLE no_pk (a TEXT, b INTEGER);
CREATE TABLE text_pk (code TEXT PRIMARY KEY, label TEXT);
CREATE TABLE wr (k TEXT PRIMARY KEY, v INT) WITHOUT ROWID;
CREATE TABLE wr2 (a INT, b INT, PRIMARY KEY (a, b)) WITHOUT ROWID;
CREATE TABLE accounts (id INTEGER PRIMARY KEY, opened_at DATETIME, created_at DATETIME);
CREATE TABLE transfers (
  id INTEGER PRIMARY KEY,
  from_account INTEGER NOT NULL REFERENCES accounts(id),
  to_account INTEGER NOT NULL REFERENCES accounts(id),
  amount REAL,
  happened DATETIME
);
CREATE TABLE lines (
  id INTEGER PRIMARY KEY,
  a INT, b INT,
  FOREIGN KEY (a, b) REFERENCES wr2(a, b)
);
CREATE VIEW rich AS SELECT * FROM people WHERE score > 10;
CREATE INDEX people_score ON people(score);

INSERT INTO companies (name, founded, employees) VALUES ('Acme', '1999-01-02', 10), ('Globex', '2005-06-07', NULL);
INSERT INTO people VALUES
  (1, 1, NULL, 'Ann', 'x', 1.5, 2.5, 3.5, 10, 10.5, 1, 0, '1980-01-02', 1700000000, '2024-01-02T03:04:05Z',
   '2024-01-02 03:04:05', '2024-01-02T03:04:05.123', NULL, NULL, '2024-01-02', 1.5,
   '["a","b"]', '{"k":1}', NULL, 'text', 1, 1, x'00', 'o'),
  (2, 2, 1, 'Bob', NULL, NULL, NULL, NULL, 20, 11, NULL, 1, NULL, 1700000100, '2024-02-03T04:05:06Z',
   '2024-02-03 04:05:06', '2024-02-03T04:05:06.5Z', NULL, NULL, 1700000000, 2,
   '[]', '[1]', NULL, 'more', 2, 2.5, NULL, NULL);
INSERT INTO accounts VALUES (1, 1700000000, 1700000000);
INSERT INTO transfers VALUES (1, 1, 1, 5.0, 1700000000);
ANALYZE;
"#;

fn schema() -> Schema {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hand.sqlite");
    Connection::open(&path).unwrap().execute_batch(DDL).unwrap();
    DataSource::open_read_only(&path).unwrap().schema().clone()
}

fn column(schema: &Schema, entity: &str, name: &str) -> (DataType, Storage) {
    let c = schema
        .entity(entity)
        .unwrap()
        .column(name)
        .unwrap_or_else(|| panic!("{entity}.{name} missing"));
    (c.data_type, c.storage)
}

#[test]
fn every_table_is_an_entity_except_internals_and_views() {
    let s = schema();
    let names: Vec<&str> = s.entities.iter().map(|e| e.name.as_str()).collect();
    // Creation order; wr2 has a composite key in a WITHOUT ROWID table: no single key, left out.
    assert_eq!(
        names,
        [
            "companies",
            "people",
            "no_pk",
            "text_pk",
            "wr",
            "accounts",
            "transfers",
            "lines"
        ]
    );
}

#[test]
fn keys_are_the_integer_primary_key_or_rowid() {
    let s = schema();
    assert_eq!(s.entity("people").unwrap().key, "id");
    assert_eq!(s.entity("no_pk").unwrap().key, "rowid");
    assert_eq!(s.entity("text_pk").unwrap().key, "rowid");
    assert_eq!(s.entity("wr").unwrap().key, "k");
    assert!(s.entity("no_pk").unwrap().column("rowid").is_none());
    let id = s.entity("people").unwrap().column("id").unwrap();
    assert_eq!(
        (id.data_type, id.storage, id.nullable),
        (DataType::Number, Storage::Integer, false)
    );
    assert!(
        !s.entity("companies")
            .unwrap()
            .column("name")
            .unwrap()
            .nullable
    );
    assert!(s.entity("people").unwrap().column("name").unwrap().nullable);
}

#[test]
fn column_types_follow_declared_type_and_content() {
    use DataType as D;
    use Storage as S;
    let s = schema();
    let expected = [
        ("company_id", D::Number, S::Integer),
        ("name", D::Text, S::Text),
        ("bio", D::Text, S::Text),
        ("score", D::Number, S::Real),
        ("ratio", D::Number, S::Real),
        ("weight", D::Number, S::Real),
        ("price", D::Number, S::Integer),
        ("price2", D::Number, S::Real),
        ("active", D::Boolean, S::Boolean),
        ("flag", D::Boolean, S::Boolean),
        ("born", D::Datetime, S::IsoDate),
        ("seen_at", D::Datetime, S::UnixSeconds),
        ("created_at", D::Datetime, S::IsoDateTime),
        ("updated_at", D::Datetime, S::IsoDateTimeSpace),
        ("precise_at", D::Datetime, S::IsoDateTime),
        ("empty_dt", D::Datetime, S::IsoDateTime),
        ("empty_date", D::Datetime, S::IsoDate),
        ("mixed_dt", D::Text, S::Text),
        ("num_dt", D::Number, S::Real),
        ("tags", D::Array, S::JsonArray),
        ("meta", D::Text, S::Text),
        ("empty_json", D::Text, S::Text),
        ("raw", D::Text, S::Text),
        ("rawnum", D::Number, S::Integer),
        ("rawreal", D::Number, S::Real),
        ("odd \"name\"", D::Text, S::Text),
    ];
    for (name, ty, storage) in expected {
        assert_eq!(column(&s, "people", name), (ty, storage), "people.{name}");
    }
    assert!(
        s.entity("people").unwrap().column("picture").is_none(),
        "BLOB columns are left out"
    );
    assert_eq!(
        s.entity("people")
            .unwrap()
            .column("seen_at")
            .unwrap()
            .declared_type,
        "DATETIME"
    );
    assert_eq!(
        column(&s, "companies", "founded"),
        (D::Datetime, S::IsoDate)
    );
    assert_eq!(
        column(&s, "companies", "employees"),
        (D::Number, S::Integer)
    );
}

fn rel<'a>(s: &'a Schema, from: &str, name: &str) -> &'a Relationship {
    s.relationship(from, name).unwrap_or_else(|| {
        let all: Vec<_> = s
            .relationships
            .iter()
            .map(|r| format!("{}.{}", r.from_entity, r.name))
            .collect();
        panic!("no relationship {from}.{name}; have {all:?}")
    })
}

#[test]
fn foreign_keys_give_relationships_both_ways() {
    let s = schema();
    let employees = rel(&s, "companies", "people");
    assert_eq!(
        (
            employees.from_column.as_str(),
            employees.to_entity.as_str(),
            employees.to_column.as_str()
        ),
        ("id", "people", "company_id")
    );
    assert_eq!(employees.cardinality, Cardinality::OneToMany);
    assert_eq!(
        employees.id,
        Relationship::stable_id("companies", "id", "people", "company_id")
    );
    assert_eq!(
        employees.time_column.as_deref(),
        Some("created_at"),
        "a conventional name wins"
    );

    let company = rel(&s, "people", "company");
    assert_eq!(company.cardinality, Cardinality::ManyToOne);
    assert_eq!(
        (
            company.from_column.as_str(),
            company.to_entity.as_str(),
            company.to_column.as_str()
        ),
        ("company_id", "companies", "id")
    );
    assert_eq!(
        company.id,
        Relationship::stable_id("people", "company_id", "companies", "id")
    );
    assert_eq!(
        company.time_column.as_deref(),
        Some("founded"),
        "else the first datetime column"
    );

    // Self reference, the parent column left implicit (the primary key).
    let reports = rel(&s, "people", "people");
    assert_eq!(
        (reports.from_column.as_str(), reports.to_column.as_str()),
        ("id", "manager_id")
    );
    let manager = rel(&s, "people", "manager");
    assert_eq!(
        (manager.from_column.as_str(), manager.to_column.as_str()),
        ("manager_id", "id")
    );

    // Two foreign keys from one table to another: told apart by the column.
    let out = rel(&s, "accounts", "transfers_by_from_account");
    assert_eq!(
        (out.to_column.as_str(), out.time_column.as_deref()),
        ("from_account", Some("happened"))
    );
    rel(&s, "accounts", "transfers_by_to_account");
    let from = rel(&s, "transfers", "accounts_by_from_account");
    assert_eq!(from.cardinality, Cardinality::ManyToOne);
    assert_eq!(from.time_column.as_deref(), Some("created_at"));
    rel(&s, "transfers", "accounts_by_to_account");

    // Composite foreign keys are not relationships; nothing else was invented.
    assert!(s.relationships_from("lines").next().is_none());
    assert_eq!(s.relationships.len(), 8);
    let mut ids: Vec<i64> = s.relationships.iter().map(|r| r.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 8, "ids are unique");
}

#[test]
fn missing_and_non_database_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.sqlite");
    let err = DataSource::open_read_only(&missing).unwrap_err();
    assert!(
        matches!(err, segment_source::Error::NotFound { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("nope.sqlite"), "{err}");

    let text = dir.path().join("notes.txt");
    std::fs::write(
        &text,
        "this is not a database, just some text that is long enough ".repeat(40),
    )
    .unwrap();
    let err = DataSource::open_read_only(&text).unwrap_err();
    assert!(
        matches!(err, segment_source::Error::NotADatabase { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("notes.txt is not a SQLite database"),
        "{err}"
    );
}
