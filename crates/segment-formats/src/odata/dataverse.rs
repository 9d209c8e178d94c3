//! Dataverse query functions (`Microsoft.Dynamics.CRM.Today(PropertyName='createdon')`), read
//! as the model's operators where the meaning is the same; the others are refused by name.
//!
//! | Dataverse | canonical |
//! | --- | --- |
//! | `Today` / `Yesterday` / `Tomorrow` | this / last / next `day` |
//! | `ThisMonth` / `LastMonth` / `NextMonth` | this / last / next `month` |
//! | `ThisYear` / `LastYear` / `NextYear` | this / last / next `year` |
//! | `LastXHours` / `NextXHours` (`PropertyValue=N`) | in the last / next N hours |
//! | `OlderThanXMinutes` / `OlderThanXHours` | more than N minutes / hours ago |
//! | `On` / `OnOrBefore` / `OnOrAfter` (`PropertyValue='2024-05-01'`) | on / on or before / on or after |
//! | `In` / `NotIn` (`PropertyValues=['a','b']`) | is one of / is none of |
//! | `Between` / `NotBetween` (`PropertyValues=[low, high]`) | between / not between |
//!
//! Days, months and years are UTC calendar periods in the model, where Dataverse uses the
//! user's time zone: read as UTC, as every date of the model. Refused by name: weeks
//! (`ThisWeek`, `LastXWeeks`…: Dataverse starts them on the user's first day of the week, the
//! model on Monday), `LastXDays`/`NextXDays`/`…Months`/`…Years` and `OlderThanXDays`/`…Weeks`/
//! `…Months`/`…Years` (Dataverse counts whole days from midnight in the user's time zone, which
//! it does not document exactly; the model's "in the last N days" counts from now), fiscal
//! periods, users, business units and hierarchies (`EqualUserId`, `Under`…): what the tree
//! cannot say.

use segment_model::tree::TimeUnit;
use segment_model::Operator;
use serde_json::{json, Value};

use super::parser::{node, O, OE};
use super::{cond, Leaf, Read, ReadScope};
use crate::error::{clip, Result};
use crate::value::{self, Num};

/// What a Dataverse function is in the model.
#[derive(Clone, Copy)]
enum Meaning {
    /// This / last / next period (offset 0, -1, 1) of a unit.
    Period(Operator, TimeUnit),
    /// An operator whose value is `{amount: PropertyValue, unit}`.
    Span(Operator, TimeUnit),
    /// An operator whose value is the date in `PropertyValue`.
    Date(Operator),
    /// An operator whose value is the list in `PropertyValues`.
    List(Operator),
    /// An operator whose value is the pair in `PropertyValues`.
    Pair(Operator),
}

const TABLE: &[(&str, Meaning)] = {
    use Meaning as M;
    use Operator as Op;
    use TimeUnit as U;
    &[
        ("Today", M::Period(Op::ThisPeriod, U::Day)),
        ("Yesterday", M::Period(Op::LastPeriod, U::Day)),
        ("Tomorrow", M::Period(Op::NextPeriod, U::Day)),
        ("ThisMonth", M::Period(Op::ThisPeriod, U::Month)),
        ("LastMonth", M::Period(Op::LastPeriod, U::Month)),
        ("NextMonth", M::Period(Op::NextPeriod, U::Month)),
        ("ThisYear", M::Period(Op::ThisPeriod, U::Year)),
        ("LastYear", M::Period(Op::LastPeriod, U::Year)),
        ("NextYear", M::Period(Op::NextPeriod, U::Year)),
        ("LastXHours", M::Span(Op::InTheLast, U::Hour)),
        ("NextXHours", M::Span(Op::InTheNext, U::Hour)),
        ("OlderThanXMinutes", M::Span(Op::MoreThanAgo, U::Minute)),
        ("OlderThanXHours", M::Span(Op::MoreThanAgo, U::Hour)),
        ("On", M::Date(Op::On)),
        ("OnOrBefore", M::Date(Op::OnOrBefore)),
        ("OnOrAfter", M::Date(Op::OnOrAfter)),
        ("In", M::List(Op::IsOneOf)),
        ("NotIn", M::List(Op::IsNoneOf)),
        ("Between", M::Pair(Op::Between)),
        ("NotBetween", M::Pair(Op::NotBetween)),
    ]
};

/// Why a documented Dataverse function that is not in the table is refused.
fn refusal(function: &str) -> &'static str {
    if function.contains("Week") {
        "Dataverse weeks start on the user's first day of the week, the model's on Monday"
    } else if function.contains("Fiscal") {
        "the model has no fiscal calendar"
    } else if function.starts_with("LastX")
        || function.starts_with("NextX")
        || function.starts_with("OlderThanX")
    {
        "Dataverse counts these from midnight in the user's time zone; write ge/le with dates, or now() sub duration'…'"
    } else {
        "write the condition in standard OData: createdon ge 2024-05-01"
    }
}

impl<'t, 's> Read<'t, 's> {
    /// A Dataverse query function as a condition.
    pub(super) fn dataverse(
        &self,
        o: &O,
        function: &str,
        args: &[(String, Vec<O>)],
        entity: &'s segment_model::schema::Entity,
        scope: &ReadScope,
    ) -> Result<Leaf> {
        let Some((_, meaning)) = TABLE.iter().find(|(name, _)| *name == function) else {
            return Err(self.cannot(
                o,
                format!(
                    "the Dataverse query function Microsoft.Dynamics.CRM.{}()",
                    clip(function)
                ),
                refusal(function),
            ));
        };
        let arg = |name: &str| args.iter().find(|(n, _)| n == name).map(|(_, v)| v);
        let Some([property]) = arg("PropertyName").map(Vec::as_slice) else {
            return Err(self.cannot(
                o,
                format!("{function}() without PropertyName"),
                "name the property: PropertyName='createdon'",
            ));
        };
        let OE::Str(path) = &property.e else {
            return Err(self.cannot(
                property,
                "a PropertyName that is not a string",
                "write PropertyName='createdon'",
            ));
        };
        let segments = path.split('/').map(str::to_string).collect();
        let column = self.column(
            &node(
                OE::Path {
                    var: None,
                    segments,
                },
                property.at,
            ),
            entity,
            scope,
        )?;
        let value = self.dataverse_value(
            o,
            function,
            *meaning,
            arg("PropertyValue"),
            arg("PropertyValues"),
        )?;
        let operator = meaning.operator();
        let value = value?;
        if !operator.applies_to(column.data_type)
            || value::read(operator, column.data_type, &value).is_err()
        {
            return Err(self.cannot(
                o,
                format!(
                    "{function}() on {} ({})",
                    column.name,
                    column.data_type.label()
                ),
                "the function applies to a property of another type",
            ));
        }
        Ok(Leaf {
            pos: cond(&column.name, operator, value),
            neg: None,
        })
    }

    /// The canonical value of a function's arguments (the inner error: a bad argument).
    fn dataverse_value(
        &self,
        o: &O,
        function: &str,
        meaning: Meaning,
        single: Option<&Vec<O>>,
        many: Option<&Vec<O>>,
    ) -> Result<Result<Value>> {
        let missing = |what: &str| {
            Err(self.cannot(
                o,
                format!("{function}() without {what}"),
                format!("write {what}=…"),
            ))
        };
        Ok(match meaning {
            Meaning::Period(_, unit) => Ok(Value::String(value::unit_name(unit).to_string())),
            Meaning::Span(_, unit) => match single.map(Vec::as_slice) {
                Some(
                    [O {
                        e: OE::Num(Num::Int(n)),
                        ..
                    }],
                ) if *n >= 0 => Ok(json!({"amount": n, "unit": value::unit_name(unit)})),
                Some([v]) => Err(self.cannot(
                    v,
                    format!("{function}() with this PropertyValue"),
                    "a whole number of units",
                )),
                _ => return missing("PropertyValue"),
            },
            Meaning::Date(_) => match single.map(Vec::as_slice) {
                Some([v]) => scalar(v).ok_or_else(|| {
                    self.cannot(
                        v,
                        format!("{function}() with this PropertyValue"),
                        "a date, like '2024-05-01'",
                    )
                }),
                _ => return missing("PropertyValue"),
            },
            Meaning::List(_) | Meaning::Pair(_) => match many {
                Some(items) if !items.is_empty() => items
                    .iter()
                    .map(|i| {
                        scalar(i).ok_or_else(|| {
                            self.cannot(
                                i,
                                format!("this value in {function}()"),
                                "text, numbers or dates",
                            )
                        })
                    })
                    .collect::<Result<Vec<_>>>()
                    .map(Value::Array),
                _ => return missing("PropertyValues"),
            },
        })
    }
}

impl Meaning {
    fn operator(self) -> Operator {
        match self {
            Meaning::Period(op, _)
            | Meaning::Span(op, _)
            | Meaning::Date(op)
            | Meaning::List(op)
            | Meaning::Pair(op) => op,
        }
    }
}

/// A literal argument as a canonical value; Dataverse writes numbers and dates as strings too,
/// which validation reads by the property's type.
fn scalar(o: &O) -> Option<Value> {
    match &o.e {
        OE::Str(s) => Some(Value::String(s.clone())),
        OE::Num(n) => Some(n.to_json()),
        OE::Date(d) => Some(Value::String(super::date_literal(d))),
        OE::DateTime(t) => Some(Value::String(t.clone())),
        _ => None,
    }
}
