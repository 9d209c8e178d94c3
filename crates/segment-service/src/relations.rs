//! Relationships and time columns the user confirms beside the data (the sidecar store), for a
//! local file or a warehouse's tables alike: listed with the proposals their names suggest,
//! added (checked against the schema, and for a file against the data), removed, a table's time
//! column chosen. A file is known in the store by its path, a warehouse by its address and
//! schema ([`segment_import::WarehouseKey`]); every `open_backend` with a store applies them. One
//! implementation for the CLI's `relate` and the app's Data screen.

use std::path::PathBuf;

use segment_import::relate::{self, Proposal};
use segment_import::{Link, SourceMeta, Store, WarehouseKey};
use segment_model::Schema;

use crate::error::{Error, Result};
use crate::location::{open_backend, Location, OpenOptions};

/// A data source's relationships as the user sees them.
#[derive(Debug, Clone)]
pub struct Relations {
    /// The schema with the confirmed relationships and time columns applied.
    pub schema: Schema,
    /// What the user confirmed or added.
    pub confirmed: Vec<Link>,
    /// What the names suggest (`x_id` → `x`/`xs`…) and the schema lacks, each checked against
    /// the data (a file's sample, or a warehouse's keys where they are), best first.
    pub proposals: Vec<Proposal>,
}

/// A relationship just added, and how well its keys match.
#[derive(Debug, Clone)]
pub struct Added {
    pub relations: Relations,
    /// Distinct child keys sampled, and the share of them found in the parent.
    pub matched: (u64, f64),
}

/// `schema` with what `store` keeps for a warehouse's tables applied.
pub(crate) fn confirmed_schema(
    schema: &Schema,
    store: &Store,
    key: &WarehouseKey,
) -> Result<Schema> {
    let meta = store.get(key)?;
    Ok(relate::apply(
        schema,
        &meta.relationships,
        &meta.time_columns,
    ))
}

/// A source opened with its sidecar entries applied, and where those entries live.
enum Opened {
    File {
        path: PathBuf,
        opened: segment_import::Opened,
    },
    Warehouse {
        key: WarehouseKey,
        backend: std::sync::Arc<dyn crate::Backend>,
        meta: SourceMeta,
    },
}

fn open(location: &Location, options: &OpenOptions, store: &Store) -> Result<Opened> {
    if let Some(path) = location.path() {
        return Ok(Opened::File {
            path: path.to_path_buf(),
            opened: segment_import::open(path, Some(store))?,
        });
    }
    let options = OpenOptions {
        store: Some(store),
        ..*options
    };
    let backend = open_backend(location, &options)?;
    let key = backend.warehouse_key().ok_or_else(|| Error::Request {
        message: format!("{} keeps no relationships of its own", location.display()),
        path: None,
    })?;
    let meta = store.get(&key)?;
    Ok(Opened::Warehouse { key, backend, meta })
}

impl Opened {
    fn schema(&self) -> &Schema {
        match self {
            Opened::File { opened, .. } => &opened.schema,
            Opened::Warehouse { backend, .. } => backend.schema(),
        }
    }

    fn update<T>(&self, store: &Store, change: impl FnOnce(&mut SourceMeta) -> T) -> Result<T> {
        Ok(match self {
            Opened::File { path, .. } => store.update(path, change)?,
            Opened::Warehouse { key, .. } => store.update(key, change)?,
        })
    }

    fn relations(self) -> Result<Relations> {
        match self {
            Opened::File { opened, .. } => Ok(Relations {
                proposals: relate::propose(&opened.source, &opened.schema)?,
                schema: opened.schema,
                confirmed: opened.meta.relationships,
            }),
            Opened::Warehouse { backend, meta, .. } => Ok(Relations {
                proposals: warehouse_proposals(backend.as_ref())?,
                schema: backend.schema().clone(),
                confirmed: meta.relationships,
            }),
        }
    }
}

/// What a warehouse's names suggest, each checked where the data is (best first).
fn warehouse_proposals(backend: &dyn crate::Backend) -> Result<Vec<Proposal>> {
    relate::propose_with(backend.schema(), |_, link| backend.link_match(link))
}

/// The schema, confirmed relationships and proposals of `location`.
pub fn relations(location: &Location, options: &OpenOptions, store: &Store) -> Result<Relations> {
    open(location, options, store)?.relations()
}

/// Adds `link` (checked against the schema: both columns exist and compare; the time column
/// holds times) and, when given, the child's time column.
pub fn add(
    location: &Location,
    options: &OpenOptions,
    store: &Store,
    link: Link,
    time_column: Option<String>,
) -> Result<Added> {
    let opened = open(location, options, store)?;
    relate::check_link(opened.schema(), &link)?;
    if let Some(time) = &time_column {
        segment_import::meaning::check_time_column(opened.schema(), &link.child, time)?;
    }
    let matched = match &opened {
        Opened::File { opened, .. } => {
            let parent = opened
                .schema
                .entity(&link.parent)
                .ok_or_else(|| Error::Request {
                    message: format!("there is no table `{}` in the data source", link.parent),
                    path: None,
                })?;
            relate::match_share(&opened.source, parent, &link)?
        }
        Opened::Warehouse { backend, .. } => backend.link_match(&link)?,
    };
    opened.update(store, |meta| {
        if let Some(time) = time_column {
            meta.time_columns.insert(link.child.clone(), time);
        }
        meta.relationships.push(link);
    })?;
    Ok(Added {
        relations: relations(location, options, store)?,
        matched,
    })
}

/// Removes a relationship added before; `None` when it was not one.
pub fn remove(
    location: &Location,
    options: &OpenOptions,
    store: &Store,
    link: &Link,
) -> Result<Option<Relations>> {
    let opened = open(location, options, store)?;
    let removed = opened.update(store, |meta| {
        let before = meta.relationships.len();
        meta.relationships.retain(|l| l != link);
        meta.relationships.len() != before
    })?;
    if !removed {
        return Ok(None);
    }
    relations(location, options, store).map(Some)
}

/// Chooses `table`'s time column for time windows (`None`: the one detected).
pub fn set_time_column(
    location: &Location,
    options: &OpenOptions,
    store: &Store,
    table: &str,
    column: Option<String>,
) -> Result<Relations> {
    let opened = open(location, options, store)?;
    match &column {
        Some(column) => segment_import::meaning::check_time_column(opened.schema(), table, column)?,
        None if opened.schema().entity(table).is_none() => {
            return Err(Error::Request {
                message: format!("there is no table `{table}` in the data source"),
                path: None,
            })
        }
        None => {}
    }
    opened.update(store, |meta| match column {
        Some(column) => meta.time_columns.insert(table.to_string(), column),
        None => meta.time_columns.remove(table),
    })?;
    relations(location, options, store)
}

/// Confirms every proposal whose sampled keys match at least `min_share`; the links accepted
/// and the new state.
pub fn accept_proposals(
    location: &Location,
    options: &OpenOptions,
    store: &Store,
    min_share: f64,
) -> Result<(Vec<Link>, Relations)> {
    let opened = open(location, options, store)?;
    let accepted: Vec<Link> = match &opened {
        Opened::File { opened, .. } => relate::propose(&opened.source, &opened.schema)?
            .iter()
            .filter(|p| p.matched_share >= min_share)
            .map(Proposal::link)
            .collect(),
        Opened::Warehouse { backend, .. } => warehouse_proposals(backend.as_ref())?
            .iter()
            .filter(|p| p.matched_share >= min_share)
            .map(Proposal::link)
            .collect(),
    };
    if !accepted.is_empty() {
        opened.update(store, |meta| {
            meta.relationships.extend(accepted.iter().cloned())
        })?;
    }
    Ok((accepted, relations(location, options, store)?))
}

/// A warehouse's column statistics with the labels the user gave its columns (kept in the
/// store under the warehouse's key; a file's come with `segment_import::stats`).
pub fn with_labels(
    backend: &dyn crate::Backend,
    store: &Store,
    mut stats: Vec<segment_import::stats::EntityStats>,
) -> Result<Vec<segment_import::stats::EntityStats>> {
    let Some(key) = backend.warehouse_key() else {
        return Ok(stats);
    };
    let labels = store.get(&key)?.labels;
    for entity in &mut stats {
        let Some(table) = labels.get(&entity.name) else {
            continue;
        };
        for column in &mut entity.columns {
            column.label = table.get(&column.name).cloned();
        }
    }
    Ok(stats)
}

/// Labels `table.column` of an open warehouse (an empty label removes it).
pub fn set_warehouse_label(
    backend: &dyn crate::Backend,
    store: &Store,
    table: &str,
    column: &str,
    label: &str,
) -> Result<()> {
    let key = backend.warehouse_key().ok_or_else(|| Error::Request {
        message: format!("{} is not a warehouse", backend.location()),
        path: None,
    })?;
    let known = backend
        .schema()
        .entity(table)
        .is_some_and(|e| e.column(column).is_some());
    if !known {
        return Err(Error::Request {
            message: format!("there is no column `{table}.{column}` in the data source"),
            path: None,
        });
    }
    let label = label.trim().to_string();
    store.update(&key, |meta| {
        let labels = meta.labels.entry(table.to_string()).or_default();
        if label.is_empty() {
            labels.remove(column);
        } else {
            labels.insert(column.to_string(), label);
        }
        if labels.is_empty() {
            meta.labels.remove(table);
        }
    })?;
    Ok(())
}
