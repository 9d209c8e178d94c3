//! The count history of each segment: every count computed, when, on what data. The newest is
//! the segment's cached record count.

use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::model::*;
use crate::segments::live;
use crate::{stamp, Store};

/// A count to record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CountInput {
    #[ts(type = "number")]
    pub count: u64,
    #[ts(type = "number | null")]
    pub total: Option<u64>,
    pub data_source: Option<String>,
    /// "Now" the definition was evaluated as of (ISO-8601).
    pub as_of: Option<String>,
}

const SELECT: &str = "SELECT revision, count, total, computed_at, data_source, as_of FROM counts";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CountRecord> {
    Ok(CountRecord {
        revision: r.get(0)?,
        count: r.get::<_, i64>(1)?.max(0) as u64,
        total: r.get::<_, Option<i64>>(2)?.map(|t| t.max(0) as u64),
        computed_at: r.get(3)?,
        data_source: r.get(4)?,
        as_of: r.get(5)?,
    })
}

pub(crate) fn latest(tx: &Transaction<'_>, id: &str) -> Result<Option<CountRecord>> {
    Ok(tx
        .query_row(
            &format!("{SELECT} WHERE segment_id = ?1 ORDER BY id DESC LIMIT 1"),
            params![id],
            from_row,
        )
        .optional()?)
}

pub(crate) fn insert(
    tx: &Transaction<'_>,
    id: &str,
    revision: i64,
    input: &CountInput,
    now: &str,
) -> Result<CountRecord> {
    let as_of = input
        .as_of
        .as_deref()
        .map(|t| crate::parse_instant("asOf", t))
        .transpose()?;
    let count = i64::try_from(input.count).map_err(|_| Error::invalid("count", "too large"))?;
    let total = input
        .total
        .map(i64::try_from)
        .transpose()
        .map_err(|_| Error::invalid("total", "too large"))?;
    tx.execute(
        "INSERT INTO counts (segment_id, revision, count, total, computed_at, data_source, as_of) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![id, revision, count, total, now, input.data_source, as_of],
    )?;
    Ok(CountRecord {
        revision,
        count: input.count,
        total: input.total,
        computed_at: now.to_string(),
        data_source: input.data_source.clone(),
        as_of,
    })
}

impl Store {
    /// Records a count of the segment's current revision (it becomes the cached count).
    pub fn record_count(&mut self, id: &str, input: &CountInput) -> Result<CountRecord> {
        let id = normalize_id(id)?;
        self.write(|tx, now| {
            let c = live(tx, &id)?;
            insert(tx, &id, c.revision, input, &stamp(now))
        })
    }

    /// Every count of the segment, newest first, paged.
    pub fn count_history(&mut self, id: &str, paging: Paging) -> Result<Page<CountRecord>> {
        let id = normalize_id(id)?;
        let (limit, offset) = paging.checked()?;
        self.read(|tx, _| {
            crate::segments::current(tx, &id)?.ok_or_else(|| Error::NotFound { id: id.clone() })?;
            let total: i64 = tx.query_row(
                "SELECT count(*) FROM counts WHERE segment_id = ?1",
                params![id],
                |r| r.get(0),
            )?;
            let mut stmt = tx.prepare(&format!(
                "{SELECT} WHERE segment_id = ?1 ORDER BY id DESC LIMIT ?2 OFFSET ?3"
            ))?;
            let items = stmt
                .query_map(params![id, limit, offset], from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(Page {
                items,
                page: PageInfo::new(paging.size, total as u64, paging.page),
            })
        })
    }
}
