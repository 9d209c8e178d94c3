//! What a breakdown or a balance report is about: a [`Dimension`] (a column of the entity, or an
//! aggregate of its related records), checked against the schema, and its value for every
//! record — from the engine's columns, or as a SQL expression over the base table `t0`.

use std::collections::HashMap;

use segment_engine::column::ColumnData;
use segment_engine::dataset::NONE;
use segment_engine::Dataset;
use segment_model::schema::{Column, DataType, Relationship, Storage};
use segment_model::Schema;
use segment_sql::{Dialect, Fragment, SqlCell};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

pub use super::bins::Period;

/// What to break members down by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Dimension {
    /// A column of the segment's entity (e.g. `country`).
    Attribute { column: String },
    /// Per record, an aggregate of its related records: how many (`orders` count), or the sum,
    /// average, minimum or maximum of one of their columns.
    Related {
        relationship: String,
        aggregate: Aggregate,
        #[serde(default)]
        #[ts(optional)]
        column: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Aggregate {
    Count,
    Sum,
    Avg,
    Min,
    Max,
}

impl Aggregate {
    fn name(self) -> &'static str {
        match self {
            Aggregate::Count => "count",
            Aggregate::Sum => "sum",
            Aggregate::Avg => "avg",
            Aggregate::Min => "min",
            Aggregate::Max => "max",
        }
    }

    fn parse(name: &str) -> Option<Aggregate> {
        [
            Aggregate::Count,
            Aggregate::Sum,
            Aggregate::Avg,
            Aggregate::Min,
            Aggregate::Max,
        ]
        .into_iter()
        .find(|a| a.name() == name.trim().to_ascii_lowercase())
    }
}

impl Dimension {
    /// Reads `country`, `orders.count` or `orders.sum(amount)` (the CLI's `--by`).
    pub fn parse(text: &str) -> Result<Dimension> {
        let text = text.trim();
        let Some((relationship, rest)) = text.split_once('.') else {
            return Ok(Dimension::Attribute {
                column: text.to_string(),
            });
        };
        let bad = || {
            Error::request(format!(
                "“{text}” is not an attribute (like country) or a related aggregate (like orders.count or orders.sum(amount))"
            ))
        };
        let (aggregate, column) = match rest.split_once('(') {
            Some((name, column)) => {
                let column = column.strip_suffix(')').ok_or_else(bad)?.trim();
                (name, (!column.is_empty()).then(|| column.to_string()))
            }
            None => (rest, None),
        };
        let aggregate = Aggregate::parse(aggregate).ok_or_else(bad)?;
        Ok(Dimension::Related {
            relationship: relationship.trim().to_string(),
            aggregate,
            column,
        })
    }

    /// How people read it: `country`, `number of orders`, `sum of orders amount`.
    pub fn label(&self) -> String {
        match self {
            Dimension::Attribute { column } => column.clone(),
            Dimension::Related {
                relationship,
                aggregate: Aggregate::Count,
                ..
            } => format!("number of {relationship}"),
            Dimension::Related {
                relationship,
                aggregate,
                column,
            } => format!(
                "{} of {relationship} {}",
                match aggregate {
                    Aggregate::Avg => "average",
                    Aggregate::Min => "lowest",
                    Aggregate::Max => "highest",
                    _ => "total",
                },
                column.as_deref().unwrap_or_default()
            ),
        }
    }
}

/// How a dimension's values are tallied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Boolean,
    Number {
        integer: bool,
    },
    /// Unix seconds, from a column stored as `storage`.
    Time {
        storage: Storage,
    },
}

/// A dimension checked against the schema.
#[derive(Debug, Clone)]
pub struct Resolved<'s> {
    pub label: String,
    pub kind: Kind,
    source: Source<'s>,
}

#[derive(Debug, Clone)]
enum Source<'s> {
    Column(&'s Column),
    Related {
        relationship: &'s Relationship,
        aggregate: Aggregate,
        column: Option<&'s Column>,
    },
}

fn kind_of(column: &Column) -> Option<Kind> {
    Some(match column.data_type {
        DataType::Text => Kind::Text,
        DataType::Boolean => Kind::Boolean,
        DataType::Number => Kind::Number {
            integer: column.storage == Storage::Integer,
        },
        DataType::Datetime => Kind::Time {
            storage: column.storage,
        },
        DataType::Array => return None,
    })
}

/// Checks `dimension` against the entity's columns and relationships.
pub fn resolve<'s>(
    schema: &'s Schema,
    entity: &str,
    dimension: &Dimension,
) -> Result<Resolved<'s>> {
    let table = schema
        .entity(entity)
        .ok_or_else(|| Error::request(format!("there is no table {entity}")))?;
    let label = dimension.label();
    match dimension {
        Dimension::Attribute { column } => {
            let found = table
                .column(column)
                .ok_or_else(|| Error::request(format!("{entity} has no attribute “{column}”")))?;
            let kind = kind_of(found).ok_or_else(|| {
                Error::request(format!(
                    "“{column}” holds lists; break down by another attribute"
                ))
            })?;
            Ok(Resolved {
                label,
                kind,
                source: Source::Column(found),
            })
        }
        Dimension::Related {
            relationship,
            aggregate,
            column,
        } => {
            let rel = schema.relationship(entity, relationship).ok_or_else(|| {
                Error::request(format!("{entity} has no related records “{relationship}”"))
            })?;
            let related = schema
                .entity(&rel.to_entity)
                .ok_or_else(|| Error::request(format!("there is no table {}", rel.to_entity)))?;
            let column = match (aggregate, column) {
                (Aggregate::Count, _) => None,
                (_, None) => {
                    return Err(Error::request(format!(
                    "say which attribute of {relationship} to {} (like {relationship}.{}(amount))",
                    aggregate.name(),
                    aggregate.name()
                )))
                }
                (_, Some(name)) => Some(related.column(name).ok_or_else(|| {
                    Error::request(format!("{relationship} have no attribute “{name}”"))
                })?),
            };
            let kind = match (aggregate, column.map(|c| (c, kind_of(c)))) {
                (Aggregate::Count, _) => Kind::Number { integer: true },
                (Aggregate::Sum, Some((_, Some(Kind::Number { integer })))) => {
                    Kind::Number { integer }
                }
                (Aggregate::Avg, Some((_, Some(Kind::Number { .. })))) => {
                    Kind::Number { integer: false }
                }
                (
                    Aggregate::Min | Aggregate::Max,
                    Some((_, Some(k @ (Kind::Number { .. } | Kind::Time { .. })))),
                ) => k,
                (_, Some((c, _))) => {
                    return Err(Error::request(format!(
                        "the {} of {relationship} {} is not a number or a date",
                        aggregate.name(),
                        c.name
                    )))
                }
                (_, None) => Kind::Number { integer: true },
            };
            Ok(Resolved {
                label,
                kind,
                source: Source::Related {
                    relationship: rel,
                    aggregate: *aggregate,
                    column,
                },
            })
        }
    }
}

/// Every record's value of a dimension.
#[derive(Debug, Clone)]
pub enum RecordValues {
    /// An index into `labels` per record, [`NO_VALUE`] for NULL.
    Categories {
        codes: Vec<u32>,
        labels: Vec<String>,
    },
    /// NaN for NULL.
    Numbers(Vec<f64>),
    Times(Vec<Option<i64>>),
}

pub const NO_VALUE: u32 = u32::MAX;

impl RecordValues {
    pub fn len(&self) -> usize {
        match self {
            RecordValues::Categories { codes, .. } => codes.len(),
            RecordValues::Numbers(v) => v.len(),
            RecordValues::Times(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The dimension's value for every record of `entity` in the engine's copy.
pub fn engine_values(data: &Dataset, entity: &str, dim: &Resolved) -> Result<RecordValues> {
    let table = data.table(entity)?;
    match &dim.source {
        Source::Column(column) => Ok(column_values(table.column(&column.name)?, dim.kind)),
        Source::Related {
            relationship,
            aggregate,
            column,
        } => {
            let join = data.join(relationship.id, &relationship.name)?;
            let related = data.table(&relationship.to_entity)?;
            let values = match column {
                Some(c) => Some(column_values(related.column(&c.name)?, dim.kind)),
                None => None,
            };
            let per_group =
                aggregate_groups(&join.to_group, join.groups, values.as_ref(), *aggregate);
            let of_record = |r: usize| match join.from_group[r] {
                NONE => per_group.missing,
                g => per_group.values[g as usize],
            };
            let n = table.len;
            Ok(match dim.kind {
                Kind::Time { .. } => RecordValues::Times(
                    (0..n)
                        .map(|r| Some(of_record(r)).filter(|v| !v.is_nan()).map(|v| v as i64))
                        .collect(),
                ),
                _ => RecordValues::Numbers((0..n).map(of_record).collect()),
            })
        }
    }
}

fn column_values(column: &ColumnData, kind: Kind) -> RecordValues {
    let valid = column.valid();
    match column {
        ColumnData::Text(t) => RecordValues::Categories {
            codes: (0..t.codes.len())
                .map(|r| {
                    if valid.contains(r) {
                        t.codes[r]
                    } else {
                        NO_VALUE
                    }
                })
                .collect(),
            labels: t.dict.to_vec(),
        },
        ColumnData::Integer { values, .. } if kind == Kind::Boolean => RecordValues::Categories {
            codes: (0..values.len())
                .map(|r| match valid.contains(r) {
                    true => u32::from(values.get(r) != 0),
                    false => NO_VALUE,
                })
                .collect(),
            labels: vec!["false".into(), "true".into()],
        },
        ColumnData::Integer { values, .. } => RecordValues::Numbers(
            (0..values.len())
                .map(|r| {
                    if valid.contains(r) {
                        values.get(r) as f64
                    } else {
                        f64::NAN
                    }
                })
                .collect(),
        ),
        ColumnData::Number { values, .. } => RecordValues::Numbers(
            (0..values.len())
                .map(|r| {
                    if valid.contains(r) {
                        values[r]
                    } else {
                        f64::NAN
                    }
                })
                .collect(),
        ),
        ColumnData::Time { values, .. } => RecordValues::Times(
            (0..values.len())
                .map(|r| valid.contains(r).then(|| values.get(r)))
                .collect(),
        ),
        ColumnData::Array(a) => RecordValues::Categories {
            codes: vec![NO_VALUE; a.valid.len()],
            labels: Vec::new(),
        },
    }
}

struct GroupValues {
    values: Vec<f64>,
    /// A record without related records: 0 for a count, NULL otherwise.
    missing: f64,
}

/// Per join group, the aggregate of its related records' values (NaN when none), as SQL's
/// `count(*)`, `sum`, `avg`, `min`, `max` over the group would give it.
fn aggregate_groups(
    to_group: &[u32],
    groups: usize,
    values: Option<&RecordValues>,
    aggregate: Aggregate,
) -> GroupValues {
    let value = |r: usize| -> f64 {
        match values {
            Some(RecordValues::Numbers(v)) => v[r],
            Some(RecordValues::Times(v)) => v[r].map_or(f64::NAN, |t| t as f64),
            _ => f64::NAN,
        }
    };
    let mut count = vec![0f64; groups];
    let mut acc = vec![f64::NAN; groups];
    for (r, &g) in to_group.iter().enumerate() {
        if g == NONE {
            continue;
        }
        let g = g as usize;
        if aggregate == Aggregate::Count {
            count[g] += 1.0;
            continue;
        }
        let v = value(r);
        if v.is_nan() {
            continue;
        }
        count[g] += 1.0;
        acc[g] = match (aggregate, acc[g].is_nan()) {
            (_, true) => v,
            (Aggregate::Sum | Aggregate::Avg, false) => acc[g] + v,
            (Aggregate::Min, false) => acc[g].min(v),
            (_, false) => acc[g].max(v),
        };
    }
    match aggregate {
        Aggregate::Count => GroupValues {
            values: count,
            missing: 0.0,
        },
        Aggregate::Avg => GroupValues {
            values: acc.iter().zip(&count).map(|(s, n)| s / n).collect(),
            missing: f64::NAN,
        },
        _ => GroupValues {
            values: acc,
            missing: f64::NAN,
        },
    }
}

/// The dimension as an expression in `dialect` over the base table aliased `t0` (identifiers
/// checked against the schema by [`resolve`], quoted by the dialect; no value in it). Dates
/// and times are whole Unix seconds ([`Dialect::epoch_seconds`]: every storage, every
/// engine, read alike); a related aggregate is a correlated sub-select over the related table
/// aliased `tr` (a warehouse reads a table through its shaping sub-select at `AS t…`).
pub fn sql_expression(dim: &Resolved, dialect: &dyn Dialect) -> Result<String> {
    let quote = |name: &str| dialect.quote_identifier(name);
    let seconds = |expr: String, column: &Column| -> Result<String> {
        match column.data_type {
            DataType::Datetime => dialect
                .epoch_seconds(Fragment::sql(expr), column.storage)?
                .plain_sql()
                .ok_or_else(|| {
                    Error::EngineUnavailable(format!(
                        "the {} dialect binds a value in the seconds of {}",
                        dialect.name(),
                        column.name
                    ))
                }),
            _ => Ok(expr),
        }
    };
    match &dim.source {
        Source::Column(column) => seconds(format!("t0.{}", quote(&column.name)), column),
        Source::Related {
            relationship: rel,
            aggregate,
            column,
        } => {
            let what = match column {
                Some(c) => format!(
                    "{}({})",
                    aggregate.name(),
                    seconds(format!("tr.{}", quote(&c.name)), c)?
                ),
                None => "count(*)".to_string(),
            };
            Ok(format!(
                "(SELECT {what} FROM {} AS tr WHERE tr.{} = t0.{})",
                quote(&rel.to_entity),
                quote(&rel.to_column),
                quote(&rel.from_column)
            ))
        }
    }
}

/// One value as SQL returned it, in the dimension's terms.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Missing,
    Label(String),
    Number(f64),
    Time(i64),
}

/// Reads a value of [`sql_expression`] as the engine would hold it (times as Unix seconds,
/// booleans as true/false, decimals as numbers), from any source.
pub fn cell(value: &SqlCell, kind: Kind) -> Cell {
    let number = |v: &SqlCell| match v {
        SqlCell::Integer(_) | SqlCell::Real(_) | SqlCell::Decimal(_) => v.as_f64(),
        _ => None,
    };
    match (kind, value) {
        (_, SqlCell::Null) => Cell::Missing,
        (Kind::Text, SqlCell::Text(s) | SqlCell::Decimal(s)) => Cell::Label(s.clone()),
        (Kind::Text, SqlCell::Integer(i)) => Cell::Label(i.to_string()),
        (Kind::Text, SqlCell::Real(f)) => Cell::Label(f.to_string()),
        (Kind::Text | Kind::Boolean, SqlCell::Boolean(b)) => Cell::Label(b.to_string()),
        (Kind::Boolean, v) => {
            number(v).map_or(Cell::Missing, |f| Cell::Label((f != 0.0).to_string()))
        }
        (Kind::Number { .. }, v) => number(v).map_or(Cell::Missing, Cell::Number),
        (Kind::Time { .. }, SqlCell::Date(_) | SqlCell::Timestamp(_)) => {
            value.unix_seconds().map_or(Cell::Missing, Cell::Time)
        }
        (Kind::Time { .. }, SqlCell::Text(s)) => segment_model::time::parse_moment(s)
            .map(|m| Cell::Time(m.start().timestamp()))
            .unwrap_or(Cell::Missing),
        (Kind::Time { .. }, v) => match v.as_i64() {
            Some(seconds) => Cell::Time(seconds),
            None => number(v).map_or(Cell::Missing, |f| Cell::Time(f.floor() as i64)),
        },
        _ => Cell::Missing,
    }
}

/// Per-member values read from SQL rows, as [`RecordValues`] indexed by member.
pub fn values_of_cells(cells: impl Iterator<Item = Cell>, kind: Kind) -> RecordValues {
    match kind {
        Kind::Text | Kind::Boolean => {
            let mut index: HashMap<String, u32> = HashMap::new();
            let mut labels = Vec::new();
            let codes = cells
                .map(|c| match c {
                    Cell::Label(s) => *index.entry(s.clone()).or_insert_with(|| {
                        labels.push(s);
                        (labels.len() - 1) as u32
                    }),
                    _ => NO_VALUE,
                })
                .collect();
            RecordValues::Categories { codes, labels }
        }
        Kind::Number { .. } => RecordValues::Numbers(
            cells
                .map(|c| match c {
                    Cell::Number(v) => v,
                    _ => f64::NAN,
                })
                .collect(),
        ),
        Kind::Time { .. } => RecordValues::Times(
            cells
                .map(|c| match c {
                    Cell::Time(t) => Some(t),
                    _ => None,
                })
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dimensions_read_from_text() {
        assert_eq!(
            Dimension::parse("country").unwrap(),
            Dimension::Attribute {
                column: "country".into()
            }
        );
        assert_eq!(
            Dimension::parse("orders.sum(amount)").unwrap(),
            Dimension::Related {
                relationship: "orders".into(),
                aggregate: Aggregate::Sum,
                column: Some("amount".into())
            }
        );
        assert_eq!(
            Dimension::parse("events.count").unwrap().label(),
            "number of events"
        );
        assert!(Dimension::parse("orders.median(amount)").is_err());
    }
}
