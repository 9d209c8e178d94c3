//! Every operator of the builder, which attribute types it applies to, and its labels.
//! Matches are exhaustive on purpose: a new operator does not compile until every renderer,
//! engine and label handles it.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::schema::DataType;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Operator {
    // any type
    IsNull,
    IsNotNull,
    // text
    Is,
    IsNot,
    IsOneOf,
    IsNoneOf,
    Contains,
    DoesNotContain,
    StartsWith,
    DoesNotStartWith,
    EndsWith,
    DoesNotEndWith,
    Like,
    MatchesRegex,
    IsBlank,
    IsNotBlank,
    LengthEquals,
    LengthLessThan,
    LengthGreaterThan,
    // number
    Equals,
    NotEquals,
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
    Between,
    NotBetween,
    // boolean
    IsTrue,
    IsFalse,
    // datetime, absolute
    On,
    NotOn,
    Before,
    After,
    OnOrBefore,
    OnOrAfter,
    // (`Between` / `NotBetween` also apply to datetimes: two dates or Census bounds)
    // datetime, relative to "now"
    InTheLast,
    InTheNext,
    MoreThanAgo,
    LessThanAgo,
    ExactlyAgo,
    BetweenAgo,
    ThisPeriod,
    LastPeriod,
    NextPeriod,
    DatePartIs,
    // array
    ContainsAnyOf,
    ContainsAllOf,
    ContainsNoneOf,
    IsEmpty,
    IsNotEmpty,
    SizeEquals,
    SizeLessThan,
    SizeGreaterThan,
    // array of text, item by item (see `ir::Predicate::ArrayItems`)
    AnyItemStartsWith,
    AnyItemEndsWith,
    AnyItemContains,
    EveryItemIs,
}

impl Operator {
    pub const ALL: &'static [Operator] = &[
        Operator::IsNull,
        Operator::IsNotNull,
        Operator::Is,
        Operator::IsNot,
        Operator::IsOneOf,
        Operator::IsNoneOf,
        Operator::Contains,
        Operator::DoesNotContain,
        Operator::StartsWith,
        Operator::DoesNotStartWith,
        Operator::EndsWith,
        Operator::DoesNotEndWith,
        Operator::Like,
        Operator::MatchesRegex,
        Operator::IsBlank,
        Operator::IsNotBlank,
        Operator::LengthEquals,
        Operator::LengthLessThan,
        Operator::LengthGreaterThan,
        Operator::Equals,
        Operator::NotEquals,
        Operator::LessThan,
        Operator::LessThanOrEqual,
        Operator::GreaterThan,
        Operator::GreaterThanOrEqual,
        Operator::Between,
        Operator::NotBetween,
        Operator::IsTrue,
        Operator::IsFalse,
        Operator::On,
        Operator::NotOn,
        Operator::Before,
        Operator::After,
        Operator::OnOrBefore,
        Operator::OnOrAfter,
        Operator::InTheLast,
        Operator::InTheNext,
        Operator::MoreThanAgo,
        Operator::LessThanAgo,
        Operator::ExactlyAgo,
        Operator::BetweenAgo,
        Operator::ThisPeriod,
        Operator::LastPeriod,
        Operator::NextPeriod,
        Operator::DatePartIs,
        Operator::ContainsAnyOf,
        Operator::ContainsAllOf,
        Operator::ContainsNoneOf,
        Operator::IsEmpty,
        Operator::IsNotEmpty,
        Operator::SizeEquals,
        Operator::SizeLessThan,
        Operator::SizeGreaterThan,
        Operator::AnyItemStartsWith,
        Operator::AnyItemEndsWith,
        Operator::AnyItemContains,
        Operator::EveryItemIs,
    ];

    /// The canonical (snake_case) name, as written in canonical JSON.
    pub fn name(self) -> &'static str {
        OPERATOR_NAMES
            .iter()
            .find(|(op, _)| *op == self)
            .map(|(_, n)| *n)
            .unwrap_or("operator")
    }

    /// Whether this operator applies to attributes of `ty`.
    pub fn applies_to(self, ty: DataType) -> bool {
        use DataType as T;
        use Operator as O;
        match self {
            O::IsNull | O::IsNotNull => true,
            O::Is
            | O::IsNot
            | O::Contains
            | O::DoesNotContain
            | O::StartsWith
            | O::DoesNotStartWith
            | O::EndsWith
            | O::DoesNotEndWith
            | O::Like
            | O::MatchesRegex
            | O::IsBlank
            | O::IsNotBlank
            | O::LengthEquals
            | O::LengthLessThan
            | O::LengthGreaterThan => ty == T::Text,
            O::IsOneOf | O::IsNoneOf => matches!(ty, T::Text | T::Number),
            O::Equals | O::NotEquals => ty == T::Number,
            // On text: ordered by code point (see `ir::Predicate::TextOrder`).
            O::LessThan | O::LessThanOrEqual | O::GreaterThan | O::GreaterThanOrEqual => {
                matches!(ty, T::Number | T::Text)
            }
            O::Between | O::NotBetween => matches!(ty, T::Number | T::Datetime),
            O::IsTrue | O::IsFalse => ty == T::Boolean,
            O::On
            | O::NotOn
            | O::Before
            | O::After
            | O::OnOrBefore
            | O::OnOrAfter
            | O::InTheLast
            | O::InTheNext
            | O::MoreThanAgo
            | O::LessThanAgo
            | O::ExactlyAgo
            | O::BetweenAgo
            | O::ThisPeriod
            | O::LastPeriod
            | O::NextPeriod
            | O::DatePartIs => ty == T::Datetime,
            O::ContainsAnyOf
            | O::ContainsAllOf
            | O::ContainsNoneOf
            | O::IsEmpty
            | O::IsNotEmpty
            | O::SizeEquals
            | O::SizeLessThan
            | O::SizeGreaterThan
            | O::AnyItemStartsWith
            | O::AnyItemEndsWith
            | O::AnyItemContains
            | O::EveryItemIs => ty == T::Array,
        }
    }

    /// Operators valid for a type, in the order the builder offers them.
    pub fn for_type(ty: DataType) -> Vec<Operator> {
        Operator::ALL
            .iter()
            .copied()
            .filter(|op| op.applies_to(ty))
            .collect()
    }

    /// Whether the operator takes no value.
    pub fn is_unary(self) -> bool {
        use Operator as O;
        match self {
            O::IsNull
            | O::IsNotNull
            | O::IsBlank
            | O::IsNotBlank
            | O::IsTrue
            | O::IsFalse
            | O::IsEmpty
            | O::IsNotEmpty => true,
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
            | O::Like
            | O::MatchesRegex
            | O::LengthEquals
            | O::LengthLessThan
            | O::LengthGreaterThan
            | O::Equals
            | O::NotEquals
            | O::LessThan
            | O::LessThanOrEqual
            | O::GreaterThan
            | O::GreaterThanOrEqual
            | O::Between
            | O::NotBetween
            | O::On
            | O::NotOn
            | O::Before
            | O::After
            | O::OnOrBefore
            | O::OnOrAfter
            | O::InTheLast
            | O::InTheNext
            | O::MoreThanAgo
            | O::LessThanAgo
            | O::ExactlyAgo
            | O::BetweenAgo
            | O::ThisPeriod
            | O::LastPeriod
            | O::NextPeriod
            | O::DatePartIs
            | O::ContainsAnyOf
            | O::ContainsAllOf
            | O::ContainsNoneOf
            | O::SizeEquals
            | O::SizeLessThan
            | O::SizeGreaterThan
            | O::AnyItemStartsWith
            | O::AnyItemEndsWith
            | O::AnyItemContains
            | O::EveryItemIs => false,
        }
    }

    /// A short label a marketer reads in the operator picker.
    pub fn label(self) -> &'static str {
        use Operator as O;
        match self {
            O::IsNull => "is null",
            O::IsNotNull => "is not null",
            O::Is => "is",
            O::IsNot => "is not",
            O::IsOneOf => "is one of",
            O::IsNoneOf => "is none of",
            O::Contains => "contains",
            O::DoesNotContain => "does not contain",
            O::StartsWith => "starts with",
            O::DoesNotStartWith => "does not start with",
            O::EndsWith => "ends with",
            O::DoesNotEndWith => "does not end with",
            O::Like => "is like (pattern)",
            O::MatchesRegex => "matches regex",
            O::IsBlank => "is blank",
            O::IsNotBlank => "is not blank",
            O::LengthEquals => "length is",
            O::LengthLessThan => "length less than",
            O::LengthGreaterThan => "length greater than",
            O::Equals => "=",
            O::NotEquals => "≠",
            O::LessThan => "<",
            O::LessThanOrEqual => "≤",
            O::GreaterThan => ">",
            O::GreaterThanOrEqual => "≥",
            O::Between => "between",
            O::NotBetween => "not between",
            O::IsTrue => "is true",
            O::IsFalse => "is false",
            O::On => "on",
            O::NotOn => "not on",
            O::Before => "before",
            O::After => "after",
            O::OnOrBefore => "on or before",
            O::OnOrAfter => "on or after",
            O::InTheLast => "in the last",
            O::InTheNext => "in the next",
            O::MoreThanAgo => "more than … ago",
            O::LessThanAgo => "less than … ago",
            O::ExactlyAgo => "exactly … ago",
            O::BetweenAgo => "between … ago",
            O::ThisPeriod => "this",
            O::LastPeriod => "last",
            O::NextPeriod => "next",
            O::DatePartIs => "date part is",
            O::ContainsAnyOf => "contains any of",
            O::ContainsAllOf => "contains all of",
            O::ContainsNoneOf => "contains none of",
            O::IsEmpty => "is empty",
            O::IsNotEmpty => "is not empty",
            O::SizeEquals => "size is",
            O::SizeLessThan => "size less than",
            O::SizeGreaterThan => "size greater than",
            O::AnyItemStartsWith => "has an item starting with",
            O::AnyItemEndsWith => "has an item ending with",
            O::AnyItemContains => "has an item containing",
            O::EveryItemIs => "every item is",
        }
    }
}

static OPERATOR_NAMES: std::sync::LazyLock<Vec<(Operator, &'static str)>> =
    std::sync::LazyLock::new(|| {
        Operator::ALL
            .iter()
            .map(|op| {
                let name = match serde_json::to_value(op) {
                    Ok(serde_json::Value::String(s)) => s,
                    _ => String::new(),
                };
                (*op, &*Box::leak(name.into_boxed_str()))
            })
            .collect()
    });

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_every_operator_once_and_every_one_applies_somewhere() {
        let mut seen = std::collections::HashSet::new();
        for op in Operator::ALL {
            assert!(seen.insert(*op), "{op:?} listed twice");
            let types = [
                DataType::Text,
                DataType::Number,
                DataType::Boolean,
                DataType::Datetime,
                DataType::Array,
            ];
            assert!(
                types.iter().any(|t| op.applies_to(*t)),
                "{op:?} applies to no type"
            );
            assert!(!op.name().is_empty());
        }
        assert_eq!(Operator::Is.name(), "is");
        assert_eq!(Operator::DoesNotStartWith.name(), "does_not_start_with");
    }
}
