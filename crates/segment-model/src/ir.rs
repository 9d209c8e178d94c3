//! The checked, typed form of a segment: what validation produces and what every SQL dialect and
//! the count engine consume. Names are resolved against the schema, values are typed, and every
//! relative date is already an absolute range computed from an explicit "now", so all consumers
//! share one meaning for each operator (NULL semantics included, see ARCHITECTURE.md).

use serde::Serialize;

use crate::schema::{Cardinality, DataType, Storage};
use crate::tree::{AggregateFunction, TimeUnit};

/// A segment ready to compile: the base entity and a filter over its records.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Query {
    pub entity: EntityRef,
    pub filter: Expr,
    /// The instant relative dates were computed from, in Unix seconds.
    pub now: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntityRef {
    pub name: String,
    pub key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Expr {
    /// Matches every record (an empty root group).
    True,
    /// Matches no record (e.g. "fewer than 0 occurrences").
    False,
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Column {
        column: ColumnRef,
        predicate: Predicate,
    },
    /// A raw SQL boolean expression over the current entity (sandboxed, read-only).
    RawSql(String),
    Related(Box<Related>),
    /// Membership of a static library segment (a dynamic one is inlined as its own filter).
    Members(Box<Members>),
    /// Two attributes of the same record compared.
    Compare(Box<ColumnComparison>),
}

/// "`left` `op` `right`" for two columns of the same entity and type (text: `Eq`/`Ne` only),
/// compared exactly: text byte for byte, numbers by value, instants as whole UTC seconds (or,
/// `date_only`, as UTC dates). False when either is NULL (even for `Ne`); NOT is the complement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnComparison {
    pub left: ColumnRef,
    pub op: CompareOp,
    pub right: ColumnRef,
    pub date_only: bool,
}

/// "The record's key is one of a static segment's active members." Never true on a NULL key;
/// a non-empty key list (validation folds an empty one to `Expr::False`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Members {
    /// The library segment's id, for people reading the SQL.
    pub segment: String,
    /// The base entity's key column.
    pub column: ColumnRef,
    /// The members' keys, typed as the key column (numbers for a number key, else text).
    pub keys: Vec<ArrayElement>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnRef {
    /// The entity (table) the column belongs to.
    pub entity: String,
    pub name: String,
    pub data_type: DataType,
    pub storage: Storage,
}

/// "Records of the current entity that have related records such that …".
///
/// Semantics: take the related records whose join column equals the current record's
/// `from_column`, keep those inside `window` (by `time_column`) that satisfy `filter`, then apply
/// `constraint` to them. A current record whose `from_column` is NULL has no related records.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Related {
    pub relationship_id: i64,
    pub relationship: String,
    pub cardinality: Cardinality,
    pub from_entity: EntityRef,
    pub from_column: String,
    pub to_entity: EntityRef,
    pub to_column: String,
    /// The related entity's time column and the range its value must fall in.
    pub window: Option<(ColumnRef, TimeRange)>,
    /// Over the related entity's records; `Expr::True` when there is none.
    pub filter: Expr,
    pub constraint: RelatedConstraint,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum RelatedConstraint {
    /// The number of matching related records lies in `[min, max]` (max `None`: unbounded).
    /// Always satisfiable and never `{min: 0, max: None}` (validation folds that to `True`).
    Count { min: u64, max: Option<u64> },
    /// The number of matching related records differs from `n`.
    CountNot(u64),
    /// An aggregate of a column over the matching related records compares with a number.
    /// Over no records (or only NULLs) the aggregate is NULL and the record does not match.
    Aggregate {
        function: AggregateFunction,
        column: ColumnRef,
        comparison: NumberComparison,
    },
    /// The earliest (or latest) time among the matching related records with a time satisfies
    /// `predicate` (a date/time predicate, never a NULL test). Records with a NULL time are
    /// ignored; without any timed matching record, the record does not match.
    TimeOf {
        which: Extreme,
        /// The related entity's time column.
        column: ColumnRef,
        predicate: Predicate,
    },
    /// Some matching related record at the earliest (or latest) time (ties: any of them)
    /// satisfies `test`, an expression over the related entity. Records with a NULL time are
    /// never first or last.
    RecordOf {
        which: Extreme,
        column: ColumnRef,
        test: Expr,
    },
    /// The number of distinct UTC calendar periods (`unit`: day, week from Monday, month,
    /// year) the matching related records' times fall on passes `count` (NULL times ignored).
    DistinctPeriods {
        unit: TimeUnit,
        column: ColumnRef,
        count: CountTest,
    },
    /// Some chain of matching related records, one per step, passes each step's test at
    /// strictly increasing whole-second times of `column` (NULL times never take part), each
    /// at most its step's `gap` seconds after the previous, with no record passing the step's
    /// `excluding` strictly between the two, and the last at most `within` seconds after the
    /// first. 2–5 steps.
    Sequence {
        column: ColumnRef,
        steps: Vec<SequenceStep>,
        within: Option<i64>,
    },
}

/// One step of [`RelatedConstraint::Sequence`]; the first step has no gap nor exclusion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SequenceStep {
    pub test: Expr,
    /// Seconds after the previous step, at most.
    pub gap: Option<i64>,
    pub excluding: Option<Expr>,
}

/// The earliest or the latest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Extreme {
    First,
    Last,
}

/// A test of a count: in `[min, max]` (max `None`: unbounded) or different from a number.
/// As for [`RelatedConstraint::Count`], never always true nor never satisfiable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CountTest {
    Range { min: u64, max: Option<u64> },
    Not(u64),
}

impl CountTest {
    pub fn passes(self, n: u64) -> bool {
        match self {
            CountTest::Range { min, max } => n >= min && max.is_none_or(|m| n <= m),
            CountTest::Not(k) => n != k,
        }
    }
}

/// A number with its JSON kind kept, so integers bind as integers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum NumberComparison {
    Compare(CompareOp, Number),
    /// Inclusive on both ends; `negated` is NOT BETWEEN.
    Between {
        low: Number,
        high: Number,
        negated: bool,
    },
    In {
        values: Vec<Number>,
        negated: bool,
    },
}

/// One end of a time range, in Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TimeBound {
    pub at: i64,
    pub inclusive: bool,
}

/// A range of instants; an absent end is unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TimeRange {
    pub start: Option<TimeBound>,
    pub end: Option<TimeBound>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DatePart {
    Year,
    /// 1–12.
    Month,
    /// 1–31.
    DayOfMonth,
    /// 0 = Sunday … 6 = Saturday (as SQLite's `%w`).
    Weekday,
    /// 0–23, of the UTC time.
    Hour,
}

/// A scalar element of a JSON array column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ArrayElement {
    Text(String),
    Number(Number),
}

/// What a column's value must satisfy. A NULL value satisfies only `IsNull` and `IsBlank`;
/// every other predicate, negative ones included ("is not", "does not contain", "not between"),
/// is false on NULL, as in SQL.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Predicate {
    IsNull,
    IsNotNull,
    /// NULL or ''.
    IsBlank,
    /// Neither NULL nor ''.
    IsNotBlank,
    /// `case_sensitive: false` folds ASCII letters only (as SQLite's `lower()`).
    TextEquals {
        value: String,
        case_sensitive: bool,
        negated: bool,
    },
    TextIn {
        values: Vec<String>,
        case_sensitive: bool,
        negated: bool,
    },
    /// `value` is never empty.
    Contains {
        value: String,
        case_sensitive: bool,
        negated: bool,
    },
    StartsWith {
        value: String,
        case_sensitive: bool,
        negated: bool,
    },
    EndsWith {
        value: String,
        case_sensitive: bool,
        negated: bool,
    },
    /// SQL LIKE: `%` any run, `_` one character, `\` escapes; ASCII case folded unless
    /// `case_sensitive` (the condition's `case_sensitive: true`; absent folds, as LIKE does).
    Like {
        pattern: String,
        case_sensitive: bool,
        negated: bool,
    },
    /// Rust `regex` syntax, unanchored (a search).
    Regex {
        pattern: String,
        negated: bool,
    },
    /// Character length.
    TextLength(CompareOp, i64),
    /// Text ordered by its UTF-8 bytes (= Unicode code points; SQLite's BINARY collation,
    /// PostgreSQL's `COLLATE "C"`) compared with `value`: `Lt`, `Le`, `Gt`, `Ge` only. Case
    /// matters ('Z' < 'a').
    TextOrder(CompareOp, String),
    Number(NumberComparison),
    Boolean(bool),
    /// The instant lies in the range; `negated`: it does not (and is not NULL).
    Time {
        range: TimeRange,
        negated: bool,
    },
    /// The UTC date part is one of `values`.
    DatePart {
        part: DatePart,
        values: Vec<i64>,
    },
    ArrayContainsAny(Vec<ArrayElement>),
    ArrayContainsAll(Vec<ArrayElement>),
    /// Not NULL and contains none of the elements.
    ArrayContainsNone(Vec<ArrayElement>),
    ArrayIsEmpty,
    ArrayIsNotEmpty,
    ArraySize(CompareOp, i64),
    /// Some item (`every: false`) or every item (`every: true`) of the JSON array is text
    /// passing `test`, compared exactly (case and all). Only text items can pass; a number
    /// item fails. On an empty list "some item" is false and "every item" is true (as OData's
    /// `any`/`all`); on NULL both are false (NOT is the complement).
    ArrayItems {
        every: bool,
        test: ItemTest,
    },
}

/// A test of one text item of a list: equal to, starting with, ending with or containing
/// `value` (never empty for the last three).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ItemTest {
    Is(String),
    StartsWith(String),
    EndsWith(String),
    Contains(String),
}

impl ItemTest {
    /// Whether a text item passes, byte for byte.
    pub fn passes(&self, item: &str) -> bool {
        match self {
            ItemTest::Is(v) => item == v,
            ItemTest::StartsWith(v) => item.starts_with(v.as_str()),
            ItemTest::EndsWith(v) => item.ends_with(v.as_str()),
            ItemTest::Contains(v) => item.contains(v.as_str()),
        }
    }
}
