//! Random canonical trees over the test schema, for property tests: every operator of every
//! column type, empty groups, negated groups, and conditions on several relationships (events,
//! payments, and the profile of an event inside an event filter). Values are drawn partly from the
//! ones the semantic test's data holds, so that counts are not all zero.
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

const PAYMENT_COLUMNS: &[(&str, DataType)] = &[
    ("status", DataType::Text),
    ("total", DataType::Number),
    ("placed_at", DataType::Datetime),
];

/// Text values the semantic test's data holds (with case variants and characters formats
/// escape), so that text conditions match some records.
pub const TEXT_VALUES: &[&str] = &[
    "US",
    "us",
    "FR",
    "",
    "é",
    "a%b",
    "o'neil",
    "x\\y",
    "purchase",
    "Purchase",
    "refund",
    "vip",
    "new",
    "paid",
    "a\"b",
    "line\nbreak",
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

/// Text with the characters formats must escape, half the time one the data holds.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 '\"\\\\%_é.\n]{1,8}".boxed(),
        prop::sample::select(TEXT_VALUES)
            .prop_map(String::from)
            .boxed(),
    ]
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        (-1000i64..1000).prop_map(Value::from),
        (0i64..100).prop_map(Value::from),
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
        | O::Like
        | O::AnyItemStartsWith
        | O::AnyItemEndsWith
        | O::AnyItemContains
        | O::EveryItemIs => text().prop_map(Value::String).boxed(),
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

/// Any condition on one of `columns`, every operator of its type, now and then comparing it
/// with another of the columns.
pub fn condition(columns: &'static [(&'static str, DataType)]) -> BoxedStrategy<Condition> {
    prop_oneof![12 => value_condition(columns), 1 => attribute_comparison(columns)].boxed()
}

/// A column compared with another column of its type (itself included), with every operator
/// that compares two attributes of that type; dates sometimes by their date only.
fn attribute_comparison(columns: &'static [(&'static str, DataType)]) -> BoxedStrategy<Condition> {
    let comparable: Vec<(&'static str, DataType)> = columns
        .iter()
        .copied()
        .filter(|(_, ty)| segment_model::compare::compares(*ty))
        .collect();
    (
        prop::sample::select(comparable),
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        any::<bool>(),
    )
        .prop_map(move |((name, ty), other, op, date_only)| {
            let others: Vec<&str> = columns
                .iter()
                .filter(|(_, t)| *t == ty)
                .map(|(n, _)| *n)
                .collect();
            let ops = segment_model::compare::operators_for(ty);
            let mut value = json!({"attribute": others[other.index(others.len())]});
            if ty == DataType::Datetime && date_only {
                value["date_only"] = json!(true);
            }
            Condition::new(name, ops[op.index(ops.len())], value)
        })
        .boxed()
}

fn value_condition(columns: &'static [(&'static str, DataType)]) -> BoxedStrategy<Condition> {
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

/// A date/time operator and its value, for the first and last time of related records.
fn time_test() -> BoxedStrategy<(Operator, Value)> {
    let ops: Vec<Operator> = Operator::for_type(DataType::Datetime)
        .into_iter()
        .filter(|op| !matches!(op, Operator::IsNull | Operator::IsNotNull))
        .collect();
    prop::sample::select(ops)
        .prop_flat_map(|op| value_for(op, DataType::Datetime).prop_map(move |v| (op, v)))
        .boxed()
}

fn constraint(
    measure: &'static str,
    columns: &'static [(&'static str, DataType)],
) -> impl Strategy<Value = Option<Constraint>> {
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
                attribute: measure.into(),
                operator: op,
                value,
                census_operator: None
            }))),
        1 => (any::<bool>(), time_test()).prop_map(|(first, (operator, value))| Some(if first {
            Constraint::FirstTime { operator, value }
        } else {
            Constraint::LastTime { operator, value }
        })),
        1 => (any::<bool>(), condition(columns)).prop_map(|(first, condition)| Some(if first {
            Constraint::FirstRecord { condition }
        } else {
            Constraint::LastRecord { condition }
        })),
        1 => (unit(), count_operator())
            .prop_flat_map(move |(unit, op)| value(op).prop_map(move |value| Some(Constraint::DistinctPeriods { unit, operator: op, value }))),
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
            // Empty groups too: the walker and every parser have their rules for them.
            prop::collection::vec(inner, 0..4),
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

/// A segment of `entity` with `node` as its only condition.
fn alone(entity: &str, node: &Node) -> Segment {
    Segment::new(Some(entity.into()), Group::and(vec![node.clone()]))
}

/// Whether `format` writes `node` on its own (always, when no format is given).
fn writes(format: Option<Format>, node: &Node) -> bool {
    writes_segment(format, &alone("profiles", node))
}

/// Whether `format` writes `segment` (always, when no format is given).
fn writes_segment(format: Option<Format>, segment: &Segment) -> bool {
    match format {
        Some(format) => render_as(format, segment, &common::schema(), None).is_ok(),
        None => true,
    }
}

/// Conditions on `columns`, kept to what `format` writes (every one without a format).
fn leaf(
    format: Option<Format>,
    columns: &'static [(&'static str, DataType)],
    wrap: fn(&Node) -> Node,
) -> BoxedStrategy<Node> {
    condition(columns)
        .prop_map(Node::Condition)
        .prop_filter("the format writes it", move |n| writes(format, &wrap(n)))
        .boxed()
}

fn related(
    name: &'static str,
    columns: &'static [(&'static str, DataType)],
    measure: &'static str,
    filter: BoxedStrategy<Node>,
) -> BoxedStrategy<Node> {
    (
        constraint(measure, columns),
        window(),
        prop::option::weighted(0.8, group_of(filter, 2)),
    )
        .prop_map(move |(constraint, window, filter)| {
            Node::Relationship(RelationshipCondition {
                relationship: name.into(),
                constraint,
                window,
                filter: filter.unwrap_or_else(|| Group::and(Vec::new())),
                census: None,
            })
        })
        .boxed()
}

fn in_relationship(name: &str, node: &Node) -> Node {
    Node::Relationship(RelationshipCondition {
        relationship: name.into(),
        constraint: None,
        window: None,
        filter: Group::and(vec![node.clone()]),
        census: None,
    })
}

fn wrap_event(node: &Node) -> Node {
    in_relationship("events", node)
}

fn wrap_payment(node: &Node) -> Node {
    in_relationship("payments", node)
}

fn wrap_event_profile(node: &Node) -> Node {
    wrap_event(&in_relationship("profile", node))
}

/// Whether `format` writes a condition on `attribute` wrapped by `wrap` at all (a format that
/// cannot must not be asked for one: the generator would reject forever).
fn writes_any(format: Option<Format>, attribute: &str, wrap: fn(&Node) -> Node) -> bool {
    let probe = Node::Condition(Condition::new(attribute, Operator::IsNull, Value::Null));
    writes(format, &wrap(&probe))
}

/// A condition on the events or the payments of a profile; an event's filter may hold a
/// condition on the event's profile (a relationship inside a relationship). Kinds `format`
/// cannot write at all are left out.
fn relationship_of(format: Option<Format>) -> BoxedStrategy<Node> {
    let event_leaf = leaf(format, EVENT_COLUMNS, wrap_event);
    let event_filter = if writes_any(format, "email", wrap_event_profile) {
        let event_profile = related(
            "profile",
            PROFILE_COLUMNS,
            "age",
            leaf(format, PROFILE_COLUMNS, wrap_event_profile),
        )
        .prop_filter("the format writes it", move |n| {
            writes(format, &wrap_event(n))
        })
        .boxed();
        prop_oneof![6 => event_leaf, 1 => event_profile].boxed()
    } else {
        event_leaf
    };
    let events = related("events", EVENT_COLUMNS, "amount", event_filter);
    let kinds = if writes_any(format, "status", wrap_payment) {
        let payments = related(
            "payments",
            PAYMENT_COLUMNS,
            "total",
            leaf(format, PAYMENT_COLUMNS, wrap_payment),
        );
        prop_oneof![3 => events, 2 => payments].boxed()
    } else {
        events
    };
    kinds
        .prop_filter("the format writes it", move |n| writes(format, n))
        .boxed()
}

pub fn relationship(format: Format) -> BoxedStrategy<Node> {
    relationship_of(Some(format))
}

fn segment_of(format: Option<Format>) -> BoxedStrategy<Segment> {
    let leaf = prop_oneof![
        4 => leaf(format, PROFILE_COLUMNS, Node::clone),
        1 => relationship_of(format),
    ]
    .boxed();
    group_of(leaf, 3)
        .prop_map(|root| Segment::new(Some("profiles".into()), root))
        .prop_filter("the format writes it", move |s| writes_segment(format, s))
        .boxed()
}

/// Random segments of profiles that `format` can write.
pub fn segment(format: Format) -> BoxedStrategy<Segment> {
    segment_of(Some(format))
}

/// Random segments of profiles, whether or not a given format can write them.
pub fn any_segment() -> BoxedStrategy<Segment> {
    segment_of(None)
}
