//! Validation reports every problem at its node, and lowers valid trees to the IR.

mod common;

use chrono::{DateTime, Utc};
use segment_model::ir::{Expr, Predicate, RelatedConstraint, TimeBound, TimeRange};
use segment_model::{canonical, validate, Operator, Segment};
use serde_json::json;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-05-16T13:45:10Z")
        .unwrap()
        .to_utc()
}

fn at(s: &str) -> i64 {
    DateTime::parse_from_rfc3339(s).unwrap().timestamp()
}

fn segment(root: serde_json::Value) -> Segment {
    serde_json::from_value(json!({"version": 1, "entity": "profiles", "root": root})).unwrap()
}

fn condition(attribute: &str, operator: &str, value: serde_json::Value) -> serde_json::Value {
    json!({"type": "condition", "attribute": attribute, "operator": operator, "value": value})
}

fn predicate_of(op: &str, attribute: &str, value: serde_json::Value) -> Predicate {
    let seg = segment(json!({"combinator": "and", "children": [condition(attribute, op, value)]}));
    match validate::check(&seg, &common::schema(), None, now()) {
        Ok(query) => match query.filter {
            Expr::Column { predicate, .. } => predicate,
            other => panic!("{op}: unexpected {other:?}"),
        },
        Err(problems) => panic!("{op}: {problems:?}"),
    }
}

#[test]
fn every_problem_is_reported_with_its_path() {
    let seg = segment(json!({"combinator": "and", "children": [
        condition("favourite_colour", "is", json!("red")),
        condition("age", "contains", json!("3")),
        condition("age", "greater_than", json!("thirty")),
        {"type": "group", "combinator": "or", "children": []},
        {"type": "relationship", "relationship": "orders", "filter": {"combinator": "and", "children": []}},
        {"type": "relationship", "relationship": "events",
         "constraint": {"type": "occurrences", "operator": "between", "value": [5, 2]},
         "filter": {"combinator": "and", "children": [condition("colour", "is", json!("x"))]}},
        condition("signed_up_at", "before", json!("last tuesday")),
        condition("email", "matches_regex", json!("(unclosed")),
        {"type": "sql", "sql": "1; DROP TABLE profiles"}
    ]}));
    let problems = validate::check(&seg, &common::schema(), None, now()).expect_err("invalid");
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/root/children/0/attribute",
            "/root/children/1/operator",
            "/root/children/2/value",
            "/root/children/3",
            "/root/children/4/relationship",
            "/root/children/5/filter/children/0/attribute",
            "/root/children/5/constraint/value",
            "/root/children/6/value",
            "/root/children/7/value",
            "/root/children/8/sql",
        ]
    );
    insta::assert_snapshot!(problems
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join("\n"));
}

#[test]
fn unknown_fields_and_versions_are_refused_with_a_location() {
    let err = canonical::parse(
        r#"{"version": 1, "root": {"combinator": "and", "children": [], "colour": 1}}"#,
    )
    .expect_err("unknown field");
    assert!(
        err.to_string().contains("“colour” is not a field here")
            && err.to_string().contains("line 1"),
        "{err}"
    );
    let err = canonical::parse(r#"{"version": 2, "root": {"combinator": "and", "children": []}}"#)
        .expect_err("version");
    assert!(err.to_string().contains("version 2"), "{err}");
    let err = canonical::parse("{\n  \"version\": 1,\n  \"root\": [\n").expect_err("truncated");
    assert!(
        matches!(err, segment_model::Error::Json { line: 4, .. }),
        "{err:?}"
    );
}

#[test]
fn canonical_text_is_stable() {
    let seg = segment(json!({"combinator": "and", "children": [
        condition("country", "is_one_of", json!(["US", "CA"])),
        {"type": "relationship", "relationship": "events",
         "constraint": {"type": "aggregate", "function": "sum", "attribute": "amount", "operator": "more_than", "value": 500},
         "window": {"type": "between_ago", "from": 60, "to": 30, "unit": "day"},
         "filter": {"combinator": "and", "negated": true, "children": [condition("name", "is", json!("refund"))]}}
    ]}));
    let text = canonical::to_string_pretty(&seg);
    insta::assert_snapshot!(text);
    assert_eq!(canonical::parse(&text).unwrap(), seg);
    assert_eq!(
        canonical::to_string_pretty(&canonical::parse(&text).unwrap()),
        text
    );
}

#[test]
fn relative_dates_are_absolute_ranges_from_now() {
    let range = |start: Option<(&str, bool)>, end: Option<(&str, bool)>| TimeRange {
        start: start.map(|(s, inclusive)| TimeBound {
            at: at(s),
            inclusive,
        }),
        end: end.map(|(s, inclusive)| TimeBound {
            at: at(s),
            inclusive,
        }),
    };
    let time = |range| Predicate::Time {
        range,
        negated: false,
    };
    assert_eq!(
        predicate_of(
            "in_the_last",
            "signed_up_at",
            json!({"amount": 1, "unit": "month"})
        ),
        time(range(
            Some(("2024-04-16T13:45:10Z", true)),
            Some(("2024-05-16T13:45:10Z", true))
        ))
    );
    // Census: a bare number of days.
    assert_eq!(
        predicate_of("more_than_ago", "signed_up_at", json!(30)),
        time(range(None, Some(("2024-04-16T13:45:10Z", false))))
    );
    assert_eq!(
        predicate_of("exactly_ago", "signed_up_at", json!(1)),
        time(range(
            Some(("2024-05-15T00:00:00Z", true)),
            Some(("2024-05-16T00:00:00Z", false))
        ))
    );
    assert_eq!(
        predicate_of("last_period", "signed_up_at", json!("week")),
        time(range(
            Some(("2024-05-06T00:00:00Z", true)),
            Some(("2024-05-13T00:00:00Z", false))
        ))
    );
    assert_eq!(
        predicate_of("this_period", "signed_up_at", json!({"unit": "year"})),
        time(range(
            Some(("2024-01-01T00:00:00Z", true)),
            Some(("2025-01-01T00:00:00Z", false))
        ))
    );
    assert_eq!(
        predicate_of("after", "signed_up_at", json!("2024-01-31")),
        time(range(Some(("2024-02-01T00:00:00Z", true)), None))
    );
    assert_eq!(
        predicate_of(
            "between",
            "signed_up_at",
            json!({"bound_one": "days_ago: 1.5", "bound_two": ""})
        ),
        time(range(
            Some(("2024-05-15T01:45:10Z", true)),
            Some(("2024-05-16T13:45:10Z", true))
        ))
    );
    assert_eq!(
        predicate_of(
            "between",
            "signed_up_at",
            json!(["2024-03-01", "2024-02-01"])
        ),
        time(range(
            Some(("2024-02-01T00:00:00Z", true)),
            Some(("2024-03-02T00:00:00Z", false))
        ))
    );
}

#[test]
fn every_operator_has_a_valid_example() {
    let examples: Vec<(Operator, &str, serde_json::Value)> = vec![
        (Operator::IsNull, "country", json!(null)),
        (Operator::IsNotNull, "age", json!(null)),
        (Operator::Is, "country", json!("US")),
        (Operator::IsNot, "country", json!("US")),
        (Operator::IsOneOf, "country", json!(["US", "CA"])),
        (Operator::IsNoneOf, "age", json!([30, "31"])),
        (Operator::Contains, "email", json!("gmail")),
        (Operator::DoesNotContain, "email", json!("gmail")),
        (Operator::StartsWith, "email", json!("a")),
        (Operator::DoesNotStartWith, "email", json!("a")),
        (Operator::EndsWith, "email", json!(".com")),
        (Operator::DoesNotEndWith, "email", json!(".com")),
        (Operator::Like, "email", json!("%@%.org")),
        (Operator::MatchesRegex, "email", json!("^[a-c]")),
        (Operator::IsBlank, "email", json!(null)),
        (Operator::IsNotBlank, "email", json!(null)),
        (Operator::LengthEquals, "country", json!(2)),
        (Operator::LengthLessThan, "email", json!(10)),
        (Operator::LengthGreaterThan, "email", json!(10)),
        (Operator::Equals, "age", json!(30)),
        (Operator::NotEquals, "age", json!(30)),
        (Operator::LessThan, "age", json!(30.5)),
        (Operator::LessThanOrEqual, "age", json!(30)),
        (Operator::GreaterThan, "age", json!("30")),
        (Operator::GreaterThanOrEqual, "age", json!(30)),
        (Operator::Between, "age", json!([20, 30])),
        (Operator::NotBetween, "age", json!([20, 30])),
        (Operator::IsTrue, "is_subscribed", json!(null)),
        (Operator::IsFalse, "is_subscribed", json!(null)),
        (Operator::On, "birth_date", json!("1990-01-01")),
        (Operator::NotOn, "birth_date", json!("1990-01-01")),
        (Operator::Before, "signed_up_at", json!("2024-01-01")),
        (
            Operator::After,
            "signed_up_at",
            json!("2024-01-01T10:00:00Z"),
        ),
        (Operator::OnOrBefore, "signed_up_at", json!("2024-01-01")),
        (Operator::OnOrAfter, "signed_up_at", json!("2024-01-01")),
        (
            Operator::InTheLast,
            "signed_up_at",
            json!({"amount": 90, "unit": "day"}),
        ),
        (
            Operator::InTheNext,
            "birth_date",
            json!({"amount": 2, "unit": "week"}),
        ),
        (
            Operator::MoreThanAgo,
            "signed_up_at",
            json!({"amount": 1, "unit": "year"}),
        ),
        (Operator::LessThanAgo, "signed_up_at", json!(7)),
        (
            Operator::ExactlyAgo,
            "signed_up_at",
            json!({"amount": 3, "unit": "hour"}),
        ),
        (
            Operator::BetweenAgo,
            "signed_up_at",
            json!({"from": 60, "to": 30, "unit": "day"}),
        ),
        (Operator::ThisPeriod, "signed_up_at", json!("month")),
        (Operator::LastPeriod, "signed_up_at", json!("year")),
        (Operator::NextPeriod, "birth_date", json!("week")),
        (
            Operator::DatePartIs,
            "birth_date",
            json!({"part": "month", "values": [5]}),
        ),
        (Operator::ContainsAnyOf, "tags", json!(["vip", "beta"])),
        (Operator::ContainsAllOf, "tags", json!(["vip", "beta"])),
        (Operator::ContainsNoneOf, "tags", json!(["vip"])),
        (Operator::IsEmpty, "tags", json!(null)),
        (Operator::IsNotEmpty, "tags", json!(null)),
        (Operator::SizeEquals, "tags", json!(2)),
        (Operator::SizeLessThan, "tags", json!(2)),
        (Operator::SizeGreaterThan, "tags", json!(2)),
        (Operator::AnyItemStartsWith, "tags", json!("vi")),
        (Operator::AnyItemEndsWith, "tags", json!("ta")),
        (Operator::AnyItemContains, "tags", json!("et")),
        (Operator::EveryItemIs, "tags", json!("vip")),
    ];
    let covered: std::collections::HashSet<Operator> =
        examples.iter().map(|(op, _, _)| *op).collect();
    for op in Operator::ALL {
        assert!(covered.contains(op), "no example for {op:?}");
    }
    let lowered: Vec<String> = examples
        .iter()
        .map(|(op, attribute, value)| {
            format!(
                "{} {attribute} {value} => {:?}",
                op.name(),
                predicate_of(op.name(), attribute, value.clone())
            )
        })
        .collect();
    insta::assert_snapshot!(lowered.join("\n"));
}

#[test]
fn occurrence_constraints_normalise_to_bounds() {
    let constraint = |op: &str, value: serde_json::Value| {
        let seg = segment(json!({"combinator": "and", "children": [
            {"type": "relationship", "relationship": "events",
             "constraint": {"type": "occurrences", "operator": op, "value": value},
             "filter": {"combinator": "and", "children": []}}]}));
        match validate::check(&seg, &common::schema(), None, now())
            .unwrap()
            .filter
        {
            Expr::Related(related) => Some(related.constraint),
            Expr::True => None,
            Expr::False => Some(RelatedConstraint::Count {
                min: u64::MAX,
                max: Some(0),
            }),
            other => panic!("{other:?}"),
        }
    };
    use RelatedConstraint::{Count, CountNot};
    assert_eq!(
        constraint("at_least", json!(3)),
        Some(Count { min: 3, max: None })
    );
    assert_eq!(
        constraint("at_least", json!(0)),
        None,
        "at least 0 is everyone"
    );
    assert_eq!(
        constraint("at_most", json!(2)),
        Some(Count {
            min: 0,
            max: Some(2)
        })
    );
    assert_eq!(
        constraint("exactly", json!(0)),
        Some(Count {
            min: 0,
            max: Some(0)
        })
    );
    assert_eq!(
        constraint("more_than", json!(1)),
        Some(Count { min: 2, max: None })
    );
    assert_eq!(
        constraint("less_than", json!(0)),
        Some(Count {
            min: u64::MAX,
            max: Some(0)
        }),
        "never"
    );
    assert_eq!(
        constraint("not_equals", json!(0)),
        Some(Count { min: 1, max: None })
    );
    assert_eq!(constraint("not_equals", json!(2)), Some(CountNot(2)));
    assert_eq!(
        constraint("between", json!([0, 4])),
        Some(Count {
            min: 0,
            max: Some(4)
        })
    );
}

/// `like` honours `case_sensitive: true`; absent or `false`, it folds ASCII case as SQL LIKE does.
#[test]
fn like_is_case_sensitive_only_when_asked() {
    let like = |case_sensitive: Option<bool>| {
        let mut c = condition("email", "like", json!("%@X.org"));
        if let Some(cs) = case_sensitive {
            c["case_sensitive"] = json!(cs);
        }
        let seg = segment(json!({"combinator": "and", "negated": false, "children": [c]}));
        match validate::check(&seg, &common::schema(), None, now()).map(|q| q.filter) {
            Ok(Expr::Column { predicate, .. }) => predicate,
            other => panic!("{other:?}"),
        }
    };
    for (flag, expected) in [(None, false), (Some(false), false), (Some(true), true)] {
        assert_eq!(
            like(flag),
            Predicate::Like {
                pattern: "%@X.org".into(),
                case_sensitive: expected,
                negated: false,
            }
        );
    }
}

/// Integer literals beyond 2^53 reach the IR exactly (not through a double).
#[test]
fn large_integers_are_exact() {
    let text = r#"{"version": 1, "entity": "profiles", "root": {"combinator": "and", "negated": false, "children": [
        {"type": "condition", "attribute": "age", "operator": "is_one_of",
         "value": [9007199254740993, "9007199254740995", -9223372036854775808]}]}}"#;
    let seg: Segment = serde_json::from_str(text).unwrap();
    match validate::check(&seg, &common::schema(), None, now()).map(|q| q.filter) {
        Ok(Expr::Column {
            predicate: Predicate::Number(segment_model::ir::NumberComparison::In { values, .. }),
            ..
        }) => assert_eq!(
            values,
            vec![
                segment_model::ir::Number::Int(9007199254740993),
                segment_model::ir::Number::Int(9007199254740995),
                segment_model::ir::Number::Int(i64::MIN),
            ]
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_reversed_range_of_large_integers_is_a_problem() {
    let seg = segment(json!({"combinator": "and", "negated": false, "children": [
        condition("age", "between", json!([9007199254740993i64, 9007199254740992i64]))]}));
    let problems = validate::check(&seg, &common::schema(), None, now()).expect_err("reversed");
    assert_eq!(problems[0].path, "/root/children/0/value");
}

#[test]
fn item_tests_on_a_list_need_text_and_a_list() {
    assert_eq!(
        predicate_of("every_item_is", "tags", json!("")),
        Predicate::ArrayItems {
            every: true,
            test: segment_model::ir::ItemTest::Is(String::new()),
        }
    );
    for (attribute, operator, value, path) in [
        (
            "tags",
            "any_item_starts_with",
            json!(""),
            "/root/children/0/value",
        ),
        (
            "tags",
            "any_item_contains",
            json!(["a"]),
            "/root/children/0/value",
        ),
        (
            "email",
            "any_item_ends_with",
            json!("x"),
            "/root/children/0/operator",
        ),
    ] {
        let seg = segment(json!({"combinator": "and", "children": [
            condition(attribute, operator, value)]}));
        let problems = validate::check(&seg, &common::schema(), None, now()).expect_err(operator);
        assert_eq!(problems[0].path, path, "{operator}: {problems:?}");
    }
}
