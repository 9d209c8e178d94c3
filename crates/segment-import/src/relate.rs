//! Relationships for data without foreign keys: proposed from column names and checked against
//! the data (`customer_id` → `customers.id`, with the share of child keys that match a parent),
//! then confirmed by the user into the sidecar store ([`crate::store`]), and applied to the
//! introspected schema in both directions, named and identified exactly as `segment-source`
//! names relationships declared by foreign keys.

use std::collections::BTreeMap;
use std::path::Path;

use segment_model::{Cardinality, Column, DataType, Entity, Relationship, Schema};
use segment_source::DataSource;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::names::quote;
use crate::store::Link;

/// Distinct child keys checked against the parent.
const SAMPLE_KEYS: u64 = 10_000;
/// …when the parent column is not its key (each check may scan the parent).
const SAMPLE_KEYS_UNINDEXED: u64 = 200;
/// Time column names preferred for time windows, best first (as in `segment-source`).
const PREFERRED_TIME_COLUMNS: &[&str] =
    &["ts", "timestamp", "occurred_at", "created_at", "placed_at"];

/// A relationship proposed from names and values, not yet confirmed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Proposal {
    pub child: String,
    pub child_column: String,
    pub parent: String,
    pub parent_column: String,
    /// The share of the sampled distinct child keys found in the parent (1.0: all).
    pub matched_share: f64,
    /// How many distinct child keys were checked.
    #[ts(type = "number")]
    pub sampled: u64,
    /// The child's time column for time windows, if it has one.
    #[ts(optional)]
    pub time_column: Option<String>,
    /// `Relationship::stable_id` of parent → child (one to many) and child → parent.
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub reverse_id: i64,
}

impl Proposal {
    pub fn link(&self) -> Link {
        Link {
            child: self.child.clone(),
            child_column: self.child_column.clone(),
            parent: self.parent.clone(),
            parent_column: self.parent_column.clone(),
        }
    }
}

/// Entities named like the stem of a `…_id` column: `customer` → `customer`, `customers`,
/// `customeres`, `customery` → `customeries`.
fn parent_names(stem: &str) -> Vec<String> {
    let mut out = vec![stem.to_string(), format!("{stem}s"), format!("{stem}es")];
    if let Some(s) = stem.strip_suffix('y') {
        out.push(format!("{s}ies"));
    }
    out
}

fn compatible(a: &Column, b_type: DataType) -> bool {
    a.data_type == b_type && matches!(a.data_type, DataType::Number | DataType::Text)
}

/// The key's type: an INTEGER key or `rowid` is a number.
fn column_type(entity: &Entity, column: &str) -> Option<DataType> {
    if column == entity.key {
        return Some(
            entity
                .column(column)
                .map_or(DataType::Number, |c| c.data_type),
        );
    }
    entity.column(column).map(|c| c.data_type)
}

/// Every relationship the names suggest that the schema does not have yet, checked against the
/// data, best first.
pub fn propose(source: &DataSource, schema: &Schema) -> Result<Vec<Proposal>> {
    propose_with(schema, |parent, link| match_share(source, parent, link))
}

/// [`propose`] with the keys checked by `share` (sampled distinct child keys, and the share
/// found in the parent): a file's SQLite, or a warehouse's SQL where its data is.
pub fn propose_with<E>(
    schema: &Schema,
    mut share: impl FnMut(&Entity, &Link) -> std::result::Result<(u64, f64), E>,
) -> std::result::Result<Vec<Proposal>, E> {
    let mut out = Vec::new();
    for child in &schema.entities {
        for column in &child.columns {
            let Some(stem) = column.name.strip_suffix("_id").filter(|s| !s.is_empty()) else {
                continue;
            };
            if column.name == child.key {
                continue;
            }
            for parent in &schema.entities {
                if parent.name == child.name
                    || !parent_names(stem)
                        .iter()
                        .any(|n| n.eq_ignore_ascii_case(&parent.name))
                {
                    continue;
                }
                let parent_column = if parent.key != "rowid" {
                    parent.key.clone()
                } else if parent.column("id").is_some() {
                    "id".to_string()
                } else if parent.column(&column.name).is_some() {
                    column.name.clone()
                } else {
                    continue;
                };
                let Some(parent_type) = column_type(parent, &parent_column) else {
                    continue;
                };
                if !compatible(column, parent_type) {
                    continue;
                }
                let known = schema.relationships.iter().any(|r| {
                    r.from_entity == parent.name
                        && r.to_entity == child.name
                        && r.to_column == column.name
                });
                if known {
                    continue;
                }
                let link = Link {
                    child: child.name.clone(),
                    child_column: column.name.clone(),
                    parent: parent.name.clone(),
                    parent_column: parent_column.clone(),
                };
                let (sampled, matched_share) = share(parent, &link)?;
                out.push(Proposal {
                    id: Relationship::stable_id(
                        &parent.name,
                        &parent_column,
                        &child.name,
                        &column.name,
                    ),
                    reverse_id: Relationship::stable_id(
                        &child.name,
                        &column.name,
                        &parent.name,
                        &parent_column,
                    ),
                    time_column: time_column(child, &BTreeMap::new()),
                    child: link.child,
                    child_column: link.child_column,
                    parent: link.parent,
                    parent_column: link.parent_column,
                    matched_share,
                    sampled,
                });
            }
        }
    }
    out.sort_by(|a, b| b.matched_share.total_cmp(&a.matched_share));
    Ok(out)
}

/// Proposals involving `table` in the data source at `path` (after an import).
pub(crate) fn proposals_for(path: &Path, table: &str) -> Result<Vec<Proposal>> {
    let source = DataSource::open_read_only(path)?;
    let all = propose(&source, source.schema())?;
    Ok(all
        .into_iter()
        .filter(|p| p.child == table || p.parent == table)
        .collect())
}

/// How many distinct child keys were sampled, and the share found in the parent.
pub fn match_share(source: &DataSource, parent: &Entity, link: &Link) -> Result<(u64, f64)> {
    let limit = if link.parent_column == parent.key {
        SAMPLE_KEYS
    } else {
        SAMPLE_KEYS_UNINDEXED
    };
    let sql = format!(
        "SELECT count(*), coalesce(sum(EXISTS (SELECT 1 FROM {parent} WHERE {pcol} = v)), 0) \
         FROM (SELECT DISTINCT {ccol} AS v FROM {child} WHERE {ccol} IS NOT NULL LIMIT {limit})",
        parent = quote(&link.parent),
        pcol = quote(&link.parent_column),
        ccol = quote(&link.child_column),
        child = quote(&link.child),
    );
    let (n, matched): (i64, i64) = source
        .connection()
        .query_row(&sql, [], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let share = if n > 0 {
        matched as f64 / n as f64
    } else {
        0.0
    };
    Ok((n as u64, share))
}

/// Checks a link against a schema: both tables and columns exist, with compatible types.
pub fn check_link(schema: &Schema, link: &Link) -> Result<()> {
    let entity = |name: &str| {
        schema
            .entity(name)
            .ok_or_else(|| Error::Invalid(format!("there is no table `{name}` in the data source")))
    };
    let child = entity(&link.child)?;
    let parent = entity(&link.parent)?;
    let child_type = column_type(child, &link.child_column)
        .ok_or_else(|| Error::UnknownColumn(format!("{}.{}", link.child, link.child_column)))?;
    let parent_type = column_type(parent, &link.parent_column)
        .ok_or_else(|| Error::UnknownColumn(format!("{}.{}", link.parent, link.parent_column)))?;
    if child_type != parent_type {
        return Err(Error::Invalid(format!(
            "{}.{} is {} but {}.{} is {}: a relationship joins values of one type",
            link.child,
            link.child_column,
            child_type.label(),
            link.parent,
            link.parent_column,
            parent_type.label()
        )));
    }
    if link.child == link.parent && link.child_column == link.parent_column {
        return Err(Error::Invalid(
            "a column cannot be related to itself".into(),
        ));
    }
    Ok(())
}

/// The schema with the confirmed links added (both directions, as `segment-source` adds a
/// foreign key's) and the chosen time columns applied. Links that no longer fit the data
/// source (a table or column gone) are left out.
pub fn apply(schema: &Schema, links: &[Link], time_columns: &BTreeMap<String, String>) -> Schema {
    let mut out = schema.clone();
    for r in &mut out.relationships {
        if let Some(entity) = schema.entity(&r.to_entity) {
            if time_columns.contains_key(&r.to_entity) {
                r.time_column = time_column(entity, time_columns);
            }
        }
    }
    for link in links {
        if check_link(schema, link).is_err() {
            continue;
        }
        let (Some(parent), Some(child)) = (schema.entity(&link.parent), schema.entity(&link.child))
        else {
            continue;
        };
        let exists = out.relationships.iter().any(|r| {
            r.from_entity == link.parent
                && r.from_column == link.parent_column
                && r.to_entity == link.child
                && r.to_column == link.child_column
        });
        if exists {
            continue;
        }
        let many_to_one_name = match link.child_column.strip_suffix("_id") {
            Some(stem) if !stem.is_empty() => stem.to_string(),
            _ => parent.name.clone(),
        };
        let one_to_many = Relationship {
            id: Relationship::stable_id(
                &parent.name,
                &link.parent_column,
                &child.name,
                &link.child_column,
            ),
            name: unique_name(&out, &parent.name, &child.name, &link.child_column),
            from_entity: parent.name.clone(),
            from_column: link.parent_column.clone(),
            to_entity: child.name.clone(),
            to_column: link.child_column.clone(),
            cardinality: Cardinality::OneToMany,
            time_column: time_column(child, time_columns),
        };
        out.relationships.push(one_to_many);
        let many_to_one = Relationship {
            id: Relationship::stable_id(
                &child.name,
                &link.child_column,
                &parent.name,
                &link.parent_column,
            ),
            name: unique_name(&out, &child.name, &many_to_one_name, &link.child_column),
            from_entity: child.name.clone(),
            from_column: link.child_column.clone(),
            to_entity: parent.name.clone(),
            to_column: link.parent_column.clone(),
            cardinality: Cardinality::ManyToOne,
            time_column: time_column(parent, time_columns),
        };
        out.relationships.push(many_to_one);
    }
    out
}

/// `name`, or `name_by_column` when a relationship leaving `from` already has that name.
fn unique_name(schema: &Schema, from: &str, name: &str, fk_column: &str) -> String {
    if schema.relationship(from, name).is_none() {
        return name.to_string();
    }
    let mut candidate = format!("{name}_by_{fk_column}");
    let mut n = 2;
    while schema.relationship(from, &candidate).is_some() {
        candidate = format!("{name}_by_{fk_column}_{n}");
        n += 1;
    }
    candidate
}

/// The entity's time column: the user's choice, else a conventional name, else its first
/// datetime column.
pub fn time_column(entity: &Entity, chosen: &BTreeMap<String, String>) -> Option<String> {
    let datetimes: Vec<&Column> = entity
        .columns
        .iter()
        .filter(|c| c.data_type == DataType::Datetime)
        .collect();
    if let Some(c) = chosen.get(&entity.name) {
        if datetimes.iter().any(|d| &d.name == c) {
            return Some(c.clone());
        }
    }
    PREFERRED_TIME_COLUMNS
        .iter()
        .find_map(|p| datetimes.iter().find(|c| c.name.eq_ignore_ascii_case(p)))
        .or_else(|| datetimes.first())
        .map(|c| c.name.clone())
}
