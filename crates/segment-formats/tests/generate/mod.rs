//! Random canonical trees over the test schema, for property tests.
#![allow(dead_code)]

use proptest::prelude::*;
use segment_formats::{render_as, Format};
use segment_model::schema::DataType;
use segment_model::tree::{
    AggregateFunction, Combinator, Condition, Constraint, CountOperator, Group, Node,
    RelationshipCondition, Segment, TimeUnit, TimeWindow,
};
use segment_model::Operator;
use serde_json::{json, Value};

use crate::common;

const PROFILE_COLUMNS: &[(&str, DataType)] = &[
    ("email", DataType::Text),
    ("country", DataType::Text),
    ("age", DataType::Number),
    ("is_subscribed", DataType::Boolean),
    ("signed_up_at", DataType::Datetime),
    ("birth_date", DataType::Datetime),
    ("tags", DataType::Array),
    ("workAddress.country", DataType::Text),
];

const EVENT_COLUMNS: &[(&str, DataType)] = &[
    ("name", DataType::Text),
    ("amount", DataType::Number),
    ("ts", DataType::Datetime),
    ("active_event", DataType::Boolean),
];

fn unit() -> impl Strategy<Value = TimeUnit> {
    prop_oneof![
        Just(TimeUnit::Minute),
        Just(TimeUnit::Hour),
        Just(TimeUnit::Day),
        Just(TimeUnit::Week),
        Just(TimeUnit::Month),
        Just(TimeUnit::Year),
    ]
}

fn unit_name(u: TimeUnit) -> &'static str {
    match u {
        TimeUnit::Minute => "minute",
        TimeUnit::Hour => "hour",
        TimeUnit::Day => "day",
        TimeUnit::Week => "week",
        TimeUnit::Month => "month",
        TimeUnit::Year => "year",
    }
}

/// Text with the characters formats must escape.
fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 '\"\\\\%_é.\n]{1,8}"
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        (-1000i64..1000).prop_map(Value::from),
        (-1.0e6f64..1.0e6).prop_map(|f| json!(f)),
        Just(json!(0.5)),
        Just(json!(30.0)),
    ]
}

fn date() -> impl Strategy<Value = String> {
    (1970i32..2030, 1u32..13, 1u32..29).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
}

fn instant() -> impl Strategy<Value = String> {
    (date(), 0u32..24, 0u32..60, 0u32..60)
        .prop_map(|(d, h, m, s)| format!("{d}T{h:02}:{m:02}:{s:02}Z"))
}

fn moment() -> impl Strategy<Value = String> {
    prop_oneof![3 => date(), 1 => instant()]
}

fn span() -> impl Strategy<Value = Value> {
    (0u32..400, unit()).prop_map(|(amount, u)| json!({"amount": amount, "unit": unit_name(u)}))
}

fn value_for(op: Operator, ty: DataType) -> BoxedStrategy<Value> {
    use Operator as O;
    match op {
        O::IsNull
        | O::IsNotNull
        | O::IsBlank
        | O::IsNotBlank
        | O::IsTrue
        | O::IsFalse
        | O::IsEmpty
        | O::IsNotEmpty => Just(Value::Null).boxed(),
        O::Is | O::IsNot => prop_oneof![text(), Just(String::new())]
            .prop_map(Value::String)
            .boxed(),
        O::IsOneOf | O::IsNoneOf => match ty {
            DataType::Number => prop::collection::vec(number(), 1..4)
                .prop_map(Value::Array)
                .boxed(),
            _ => prop::collection::vec(text().prop_map(Value::String), 1..4)
                .prop_map(Value::Array)
                .boxed(),
        },
        O::Contains
        | O::DoesNotContain
        | O::StartsWith
        | O::DoesNotStartWith
        | O::EndsWith
        | O::DoesNotEndWith
        | O::Like => text().prop_map(Value::String).boxed(),
        O::MatchesRegex => "[a-z^$.]{1,6}".prop_map(Value::String).boxed(),
        O::LengthEquals
        | O::LengthLessThan
        | O::LengthGreaterThan
        | O::SizeEquals
        | O::SizeLessThan
        | O::SizeGreaterThan => (0u32..100).prop_map(Value::from).boxed(),
        O::Equals
        | O::NotEquals
        | O::LessThan
        | O::LessThanOrEqual
        | O::GreaterThan
        | O::GreaterThanOrEqual => number().boxed(),
        O::Between | O::NotBetween => match ty {
            DataType::Datetime => prop_oneof![
                (date(), date()).prop_map(|(a, b)| json!([a, b])),
                (instant(), instant()).prop_map(|(a, b)| json!([a, b])),
            ]
            .boxed(),
            _ => (-1000i64..1000, 0i64..500)
                .prop_map(|(a, w)| json!([a, a + w]))
                .boxed(),
        },
        O::On | O::NotOn | O::Before | O::After | O::OnOrBefore | O::OnOrAfter => {
            moment().prop_map(Value::String).boxed()
        }
        O::InTheLast | O::InTheNext | O::MoreThanAgo | O::LessThanAgo | O::ExactlyAgo => {
            span().boxed()
        }
        O::BetweenAgo => (0u32..400, 0u32..400, unit())
            .prop_map(|(a, b, u)| json!({"from": a.max(b), "to": a.min(b), "unit": unit_name(u)}))
            .boxed(),
        O::ThisPeriod | O::LastPeriod | O::NextPeriod => {
            unit().prop_map(|u| json!(unit_name(u))).boxed()
        }
        O::DatePartIs => prop_oneof![
            prop::collection::vec(1i64..13, 1..3)
                .prop_map(|v| json!({"part": "month", "values": v})),
            prop::collection::vec(1i64..32, 1..3)
                .prop_map(|v| json!({"part": "day_of_month", "values": v})),
            prop::collection::vec(1990i64..2030, 1..3)
                .prop_map(|v| json!({"part": "year", "values": v})),
            prop::collection::vec(0i64..7, 1..3)
                .prop_map(|v| json!({"part": "weekday", "values": v})),
        ]
        .boxed(),
        O::ContainsAnyOf | O::ContainsAllOf | O::ContainsNoneOf => prop::collection::vec(
            prop_oneof![
                text().prop_map(Value::String),
                (0i64..100).prop_map(Value::from)
            ],
            1..4,
        )
        .prop_map(Value::Array)
        .boxed(),
    }
}

fn uses_case(op: Operator) -> bool {
    use Operator as O;
    matches!(
        op,
        O::Is
            | O::IsNot
            | O::IsOneOf
            | O::IsNoneOf
            | O::Contains
            | O::DoesNotContain
            | O::StartsWith
            | O::DoesNotStartWith
            | O::EndsWith
            | O::DoesNotEndWith
    )
}

/// Any condition on one of `columns`, every operator of its type.
pub fn condition(columns: &'static [(&'static str, DataType)]) -> BoxedStrategy<Condition> {
    (0..columns.len())
        .prop_flat_map(move |i| {
            let (name, ty) = columns[i];
            let ops = Operator::for_type(ty);
            (0..ops.len()).prop_flat_map(move |j| {
                let op = Operator::for_type(ty)[j];
                (value_for(op, ty), any::<bool>()).prop_map(move |(value, insensitive)| {
                    let mut c = Condition::new(name, op, value);
                    if uses_case(op) && insensitive {
                        c.case_sensitive = Some(false);
                    }
                    c
                })
            })
        })
        .boxed()
}

fn count_operator() -> impl Strategy<Value = CountOperator> {
    prop_oneof![
        Just(CountOperator::AtLeast),
        Just(CountOperator::AtMost),
        Just(CountOperator::Exactly),
        Just(CountOperator::MoreThan),
        Just(CountOperator::LessThan),
        Just(CountOperator::NotEquals),
        Just(CountOperator::Between),
    ]
}

fn constraint() -> impl Strategy<Value = Option<Constraint>> {
    let value = |op: CountOperator| -> BoxedStrategy<Value> {
        if op == CountOperator::Between {
            (0u32..5, 0u32..5)
                .prop_map(|(a, w)| json!([a, a + w]))
                .boxed()
        } else {
            (0u32..10).prop_map(Value::from).boxed()
        }
    };
    prop_oneof![
        2 => Just(None),
        2 => count_operator().prop_flat_map(move |op| value(op).prop_map(move |value| Some(Constraint::Occurrences { operator: op, value, census_operator: None }))),
        1 => (
            prop_oneof![
                Just(AggregateFunction::Sum),
                Just(AggregateFunction::Avg),
                Just(AggregateFunction::Min),
                Just(AggregateFunction::Max),
                Just(AggregateFunction::CountDistinct)
            ],
            count_operator()
        )
            .prop_flat_map(move |(function, op)| value(op).prop_map(move |value| Some(Constraint::Aggregate {
                function,
                attribute: "amount".into(),
                operator: op,
                value,
                census_operator: None
            }))),
    ]
}

fn window() -> impl Strategy<Value = Option<TimeWindow>> {
    prop_oneof![
        3 => Just(None),
        1 => Just(Some(TimeWindow::AnyTime)),
        2 => (1u32..400, unit()).prop_map(|(amount, unit)| Some(TimeWindow::InTheLast { amount, unit })),
        1 => (0u32..400, 0u32..400, unit()).prop_map(|(a, b, unit)| Some(TimeWindow::BetweenAgo { from: a.max(b), to: a.min(b), unit })),
        1 => moment().prop_map(|date| Some(TimeWindow::Before { date })),
        1 => moment().prop_map(|date| Some(TimeWindow::After { date })),
        1 => (date(), date()).prop_map(|(a, b)| Some(TimeWindow::Between { from: a.clone().min(b.clone()), to: a.max(b) })),
    ]
}

fn group_of(leaf: BoxedStrategy<Node>, depth: u32) -> BoxedStrategy<Group> {
    leaf.prop_recursive(depth, 12, 4, |inner| {
        (
            prop::collection::vec(inner, 1..4),
            any::<bool>(),
            prop::bool::weighted(0.2),
        )
            .prop_map(|(children, or, negated)| {
                Node::Group(Group {
                    combinator: if or { Combinator::Or } else { Combinator::And },
                    negated,
                    children,
                })
            })
    })
    .prop_map(|node| match node {
        Node::Group(g) => g,
        other => Group::and(vec![other]),
    })
    .boxed()
}

/// A leaf a format can write on its own.
fn supported(format: Format, node: &Node) -> bool {
    let segment = Segment::new(Some("profiles".into()), Group::and(vec![node.clone()]));
    render_as(format, &segment, &common::schema(), None).is_ok()
}

pub fn relationship(format: Format) -> BoxedStrategy<Node> {
    let event_leaf = condition(EVENT_COLUMNS)
        .prop_map(Node::Condition)
        .prop_filter("the format writes it", move |n| {
            supported(format, &wrap_event(n))
        })
        .boxed();
    (
        constraint(),
        window(),
        prop::option::weighted(0.8, group_of(event_leaf, 2)),
    )
        .prop_map(|(constraint, window, filter)| {
            Node::Relationship(RelationshipCondition {
                relationship: "events".into(),
                constraint,
                window,
                filter: filter.unwrap_or_else(|| Group::and(Vec::new())),
                census: None,
            })
        })
        .prop_filter("the format writes it", move |n| supported(format, n))
        .boxed()
}

fn wrap_event(node: &Node) -> Node {
    Node::Relationship(RelationshipCondition {
        relationship: "events".into(),
        constraint: None,
        window: None,
        filter: Group::and(vec![node.clone()]),
        census: None,
    })
}

/// Random segments of profiles that `format` can write.
pub fn segment(format: Format) -> BoxedStrategy<Segment> {
    let leaf = prop_oneof![
        4 => condition(PROFILE_COLUMNS).prop_map(Node::Condition).prop_filter("the format writes it", move |n| supported(format, n)),
        1 => relationship(format),
    ]
    .boxed();
    group_of(leaf, 3)
        .prop_map(|root| Segment::new(Some("profiles".into()), root))
        .prop_filter("the format writes it", move |s| {
            render_as(format, s, &common::schema(), None).is_ok()
        })
        .boxed()
}
