//! What the compiler refuses, and the generic dialect defaults a new dialect starts from.

mod common;

use common::{on, query, text_eq};
use segment_model::ir::*;
use segment_model::schema::{DataType, Storage};
use segment_sql::{build, build_output, display, Dialect, Error, Output, Snowflake, Sqlite};

/// A dialect that overrides nothing: the generic (ANSI-leaning) defaults.
struct Generic;

impl Dialect for Generic {
    fn name(&self) -> &'static str {
        "generic"
    }
}

#[test]
fn a_column_of_another_entity_is_rejected() {
    let db = common::database();
    let p = db.table("profiles");
    let e = db.table("events");
    let q = query(p, on(e.column("name"), text_eq("x", true, false)));
    assert!(matches!(build(&q, &Sqlite), Err(Error::WrongEntity { .. })));
}

#[test]
fn predicates_need_a_fitting_storage() {
    let db = common::database();
    let p = db.table("profiles");
    let time = Predicate::Time {
        range: common::range(Some((0, true)), None),
        negated: false,
    };
    for predicate in [
        time,
        Predicate::DatePart {
            part: DatePart::Month,
            values: vec![1],
        },
        Predicate::ArrayIsEmpty,
        Predicate::ArrayContainsAny(vec![ArrayElement::Text("a".into())]),
        Predicate::Boolean(true),
    ] {
        let q = query(p, on(p.column("name"), predicate.clone()));
        assert!(
            matches!(build(&q, &Sqlite), Err(Error::Storage { .. })),
            "{predicate:?}"
        );
    }
}

#[test]
fn non_finite_numbers_are_rejected() {
    let db = common::database();
    let p = db.table("profiles");
    for n in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let q = query(
            p,
            on(
                p.column("score"),
                Predicate::Number(NumberComparison::Compare(CompareOp::Gt, Number::Float(n))),
            ),
        );
        assert!(matches!(build(&q, &Sqlite), Err(Error::NonFiniteNumber(_))));
        assert!(matches!(
            display(&q, &Sqlite),
            Err(Error::NonFiniteNumber(_))
        ));
    }
}

#[test]
fn unusable_identifiers_and_counts_are_rejected() {
    let db = common::database();
    let p = db.table("profiles");
    let column = ColumnRef {
        entity: "profiles".into(),
        name: "a\0b".into(),
        data_type: DataType::Text,
        storage: Storage::Text,
    };
    let q = query(p, on(column, Predicate::IsNull));
    assert!(matches!(
        build(&q, &Sqlite),
        Err(Error::InvalidIdentifier(_))
    ));
    let q = Query {
        entity: EntityRef {
            name: String::new(),
            key: "id".into(),
        },
        filter: Expr::True,
        now: 0,
    };
    assert!(matches!(
        build(&q, &Sqlite),
        Err(Error::InvalidIdentifier(_))
    ));
    let q = query(p, Expr::True);
    assert!(matches!(
        build_output(&q, Output::Keys { limit: u64::MAX }, &Sqlite),
        Err(Error::CountTooLarge(_))
    ));
}

#[test]
fn the_generic_dialect_says_what_it_cannot_express() {
    let db = common::database();
    let p = db.table("profiles");
    for (column, predicate) in [
        (
            "name",
            Predicate::Regex {
                pattern: "a".into(),
                negated: false,
            },
        ),
        ("tags", Predicate::ArrayIsEmpty),
        (
            "tags",
            Predicate::ArrayContainsAny(vec![ArrayElement::Text("a".into())]),
        ),
        (
            "signed_up",
            Predicate::DatePart {
                part: DatePart::Year,
                values: vec![2024],
            },
        ),
        (
            "birth_date",
            Predicate::DatePart {
                part: DatePart::Weekday,
                values: vec![0],
            },
        ),
    ] {
        let q = query(p, on(p.column(column), predicate));
        let err = build(&q, &Generic).expect_err(column);
        assert!(
            matches!(
                err,
                Error::Unsupported {
                    dialect: "generic",
                    ..
                }
            ),
            "{err}"
        );
    }
}

#[test]
fn generic_dialect_defaults() {
    let db = common::database();
    let p = db.table("profiles");
    let name = || p.column("name");
    let q = query(
        p,
        Expr::And(vec![
            on(
                name(),
                Predicate::Contains {
                    value: "it's".into(),
                    case_sensitive: false,
                    negated: false,
                },
            ),
            on(
                name(),
                Predicate::StartsWith {
                    value: "50%_\\".into(),
                    case_sensitive: true,
                    negated: false,
                },
            ),
            on(
                name(),
                Predicate::EndsWith {
                    value: "x".into(),
                    case_sensitive: true,
                    negated: true,
                },
            ),
            on(
                name(),
                Predicate::Like {
                    pattern: "A%".into(),
                    case_sensitive: false,
                    negated: false,
                },
            ),
            on(name(), Predicate::TextLength(CompareOp::Gt, 2)),
            on(
                p.column("birth_date"),
                Predicate::DatePart {
                    part: DatePart::Month,
                    values: vec![3],
                },
            ),
            on(p.column("is_paid"), Predicate::Boolean(true)),
            on(
                p.column("last_seen"),
                Predicate::Time {
                    range: common::range(Some((common::T0, false)), None),
                    negated: false,
                },
            ),
        ]),
    );
    let built = build(&q, &Generic).expect("build");
    let shown = display(&q, &Generic).expect("display");
    insta::assert_snapshot!(format!("{shown}\n\n{}\n{:?}", built.sql, built.params));
}

/// Snowflake takes flags only as REGEXP_INSTR's parameters argument: a leading `(?i)` becomes
/// one, a flag inside the pattern has no Snowflake form and is refused, never passed on.
#[test]
fn snowflake_regex_flags_become_parameters_or_are_refused() {
    let db = common::database();
    let p = db.table("profiles");
    let regex = |pattern: &str| {
        query(
            p,
            on(
                p.column("name"),
                Predicate::Regex {
                    pattern: pattern.into(),
                    negated: false,
                },
            ),
        )
    };
    let built = build(&regex("(?i)^al"), &Snowflake).expect("leading flag");
    assert!(
        built
            .sql
            .contains("REGEXP_INSTR(t0.\"name\", ?, 1, 1, 0, 'i') > 0"),
        "{}",
        built.sql
    );
    for pattern in ["a(?i)b", "(?x)a b", "\\pL"] {
        let err = build(&regex(pattern), &Snowflake).expect_err(pattern);
        assert!(
            matches!(
                err,
                Error::Unsupported {
                    dialect: "Snowflake",
                    ..
                }
            ),
            "{pattern}: {err}"
        );
    }
}
