//! The canonical condition tree ("molecules"): what the builder edits, what files store, and
//! what every format translates to and from. Values stay as the JSON the author wrote; their
//! meaning is fixed by validation against a schema (see `validate`), which is what lets Census
//! molecules (numbers written as strings, several value shapes) round-trip losslessly.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::operator::Operator;

/// Version of the canonical JSON form written by this build.
pub const CANONICAL_VERSION: u32 = 1;

/// A segment definition: the base entity and the root group of conditions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Segment {
    /// Always 1 for this form.
    pub version: u32,
    /// The base entity (table) whose records the segment selects; `None` leaves it to the caller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub entity: Option<String>,
    pub root: Group,
}

impl Segment {
    pub fn new(entity: Option<String>, root: Group) -> Self {
        Segment {
            version: CANONICAL_VERSION,
            entity,
            root,
        }
    }
}

/// AND / OR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Combinator {
    And,
    Or,
}

/// Children combined with AND or OR, optionally negated as a whole (NOT).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Group {
    pub combinator: Combinator,
    #[serde(default, skip_serializing_if = "is_false")]
    #[ts(as = "Option<bool>", optional)]
    pub negated: bool,
    pub children: Vec<Node>,
}

impl Group {
    pub fn and(children: Vec<Node>) -> Self {
        Group {
            combinator: Combinator::And,
            negated: false,
            children,
        }
    }
    pub fn or(children: Vec<Node>) -> Self {
        Group {
            combinator: Combinator::Or,
            negated: false,
            children,
        }
    }
}

/// One node of the tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum Node {
    Group(Group),
    Condition(Condition),
    Sql(SqlCondition),
    Relationship(RelationshipCondition),
    /// Membership of another segment of the library: "is (not) in segment S".
    InSegment(SegmentReference),
}

/// Where an attribute lives: a column of the entity's table, or an entity property.
/// (Properties are columns too in a SQLite data source; the distinction is kept for interchange.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum AttributeKind {
    Column,
    Property,
}

fn is_column(kind: &AttributeKind) -> bool {
    *kind == AttributeKind::Column
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// An atomic condition: attribute, operator, value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Condition {
    pub attribute: String,
    #[serde(default = "column_kind", skip_serializing_if = "is_column")]
    #[ts(as = "Option<AttributeKind>", optional)]
    pub attribute_kind: AttributeKind,
    pub operator: Operator,
    /// The operand as written; its accepted shapes depend on the operator (see `operator`).
    #[serde(default)]
    pub value: serde_json::Value,
    /// Text comparisons only: `false` folds ASCII case. Absent means case-sensitive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub case_sensitive: Option<bool>,
    /// How this atom was laid out in a Census molecules file, kept so it is written back as read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub census: Option<CensusLayout>,
}

fn column_kind() -> AttributeKind {
    AttributeKind::Column
}

impl Condition {
    pub fn new(attribute: &str, operator: Operator, value: serde_json::Value) -> Self {
        Condition {
            attribute: attribute.to_string(),
            attribute_kind: AttributeKind::Column,
            operator,
            value,
            case_sensitive: None,
            census: None,
        }
    }
}

/// A raw SQL boolean expression over the current entity's columns. Read-only and sandboxed:
/// the data source is opened read-only and the expression must be a single expression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct SqlCondition {
    pub sql: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub census: Option<CensusLayout>,
}

/// "Is (not) a member of segment S": a reference to a library segment by id. A dynamic
/// segment's definition is evaluated in place (checked with the referring tree, cycles and
/// depth bounded); a static segment's members are its active memberships. The referenced
/// segment must select the same entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct SegmentReference {
    /// The library segment's id (`[a-z][a-z0-9_]*`).
    pub segment: String,
    /// Pinned to this revision of the segment's definition; absent: its latest revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub revision: Option<i64>,
    /// "Is not a member": the exact complement.
    #[serde(default, skip_serializing_if = "is_false")]
    #[ts(as = "Option<bool>", optional)]
    pub negated: bool,
}

impl SegmentReference {
    pub fn new(segment: &str) -> Self {
        SegmentReference {
            segment: segment.to_string(),
            revision: None,
            negated: false,
        }
    }
}

/// A condition on related records (events, orders…) reached through a relationship.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct RelationshipCondition {
    /// The relationship's name in the schema (e.g. `events`).
    pub relationship: String,
    /// How many related records must match, or an aggregate over them. Absent: at least one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub constraint: Option<Constraint>,
    /// Which related records count, by their timestamp. Absent: any time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub window: Option<TimeWindow>,
    /// Conditions on the related records themselves.
    pub filter: Group,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub census: Option<CensusLayout>,
}

/// Occurrence count or aggregate constraint on the related records that pass the filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[ts(export)]
pub enum Constraint {
    Occurrences {
        operator: CountOperator,
        value: serde_json::Value,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        census_operator: Option<String>,
    },
    Aggregate {
        function: AggregateFunction,
        /// The related entity's column aggregated.
        attribute: String,
        operator: CountOperator,
        value: serde_json::Value,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        census_operator: Option<String>,
    },
    /// The earliest matching related record (by the relationship's time column; records
    /// without a time are ignored) happened at a time satisfying `operator` and `value`, a
    /// date/time operator as in a [`Condition`] (e.g. `in_the_last` 30 days: new customers).
    /// Records without a matching related record do not match.
    FirstTime {
        operator: Operator,
        #[serde(default)]
        value: serde_json::Value,
    },
    /// The latest matching related record happened at a time satisfying `operator` and
    /// `value` (e.g. `more_than_ago` 90 days: lapsed customers). As [`Constraint::FirstTime`].
    LastTime {
        operator: Operator,
        #[serde(default)]
        value: serde_json::Value,
    },
    /// The earliest matching related record satisfies `condition` (an attribute of the related
    /// entity). When several share the earliest time, one of them satisfying it is enough.
    FirstRecord { condition: Condition },
    /// The most recent matching related record satisfies `condition`; ties as
    /// [`Constraint::FirstRecord`].
    LastRecord { condition: Condition },
    /// The matching related records fall on a number of distinct calendar periods (UTC days,
    /// weeks from Monday, months or years) of their time column: "on at least 5 distinct days".
    DistinctPeriods {
        unit: TimeUnit,
        operator: CountOperator,
        value: serde_json::Value,
    },
    /// An ordered chain of 2–5 related records ("viewed a product, then bought within 7
    /// days"): one record per step, each passing its step's filter, at strictly increasing
    /// times (records with equal times never follow each other; NULL times never take part).
    /// The records are the relationship's selected ones (its filter and window apply).
    Sequence {
        steps: Vec<SequenceStep>,
        /// The last step at most this long after the first.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        within: Option<Span>,
    },
}

/// One step of a [`Constraint::Sequence`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct SequenceStep {
    /// Conditions on the step's record (the related entity).
    pub filter: Group,
    /// At most this long after the previous step's record (not on the first step).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub within: Option<Span>,
    /// No selected record matching this strictly between the previous step's time and this
    /// step's (not on the first step).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub excluding: Option<Group>,
}

/// A length of time: `amount` minutes, hours, days or weeks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Span {
    pub amount: u32,
    pub unit: TimeUnit,
}

/// A constraint's name in a refusal ("Census cannot express the first time of related
/// records"), for the formats that cannot say it.
pub fn constraint_name(constraint: &Constraint) -> &'static str {
    match constraint {
        Constraint::Occurrences { .. } => "a number of related records",
        Constraint::Aggregate { .. } => "an aggregate of related records",
        Constraint::FirstTime { .. } => "the first time of related records",
        Constraint::LastTime { .. } => "the last time of related records",
        Constraint::FirstRecord { .. } => "an attribute of the first related record",
        Constraint::LastRecord { .. } => "an attribute of the most recent related record",
        Constraint::DistinctPeriods { .. } => "a number of distinct days, weeks or months",
        Constraint::Sequence { .. } => "a sequence of related records",
    }
}

/// Comparison of a count or aggregate with a number (or, for `between`, `[low, high]`, inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CountOperator {
    AtLeast,
    AtMost,
    Exactly,
    MoreThan,
    LessThan,
    NotEquals,
    Between,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AggregateFunction {
    Sum,
    Avg,
    Min,
    Max,
    CountDistinct,
}

/// Time units for relative dates and windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TimeUnit {
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

/// Which related records count, by their timestamp column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[ts(export)]
pub enum TimeWindow {
    AnyTime,
    /// From `amount` units before now up to now.
    InTheLast {
        amount: u32,
        unit: TimeUnit,
    },
    /// From `to` units ago back to `from` units ago (`from` ≥ `to`).
    BetweenAgo {
        from: u32,
        to: u32,
        unit: TimeUnit,
    },
    /// Strictly before the date (a date means its first instant, UTC).
    Before {
        date: String,
    },
    /// At or after the end of the date (a bare date) or strictly after the instant.
    After {
        date: String,
    },
    /// From the start of `from` to the end of `to`, inclusive.
    Between {
        from: String,
        to: String,
    },
}

/// Census layout details that carry no meaning but are kept so files round-trip byte for byte.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct CensusLayout {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub molecule_index: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub atom_index: Option<i64>,
    /// `attribute_type` was absent in the source file.
    #[serde(default, skip_serializing_if = "is_false")]
    #[ts(as = "Option<bool>", optional)]
    pub attribute_type_omitted: bool,
    /// The operator as spelled in the source file, when it differs from the spelling we write.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub operator: Option<String>,
    /// The `attribute` string of a SQL atom (normally blank).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub attribute: Option<String>,
}
