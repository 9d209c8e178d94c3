//! The engine-or-SQL policy of the audience tools: the matching records of one or more checked
//! segments as the engine's bitsets when it can, else `None` with the reason, for the SQL path.

use std::sync::Arc;

use segment_engine::{Bitset, Dataset, Evaluator};
use segment_source::CancelToken;

use crate::checked::CheckedSegment;
use crate::engine_cache::EngineStatus;
use crate::error::{Error, Result};
use crate::service::{Prefer, Service};

/// The engine's copy and each segment's matching records in it.
pub struct InMemory {
    pub data: Arc<Dataset>,
    pub sets: Vec<Bitset>,
}

/// The segments' bitsets, or why SQL must answer (`Err` only for a cancel).
pub fn evaluate(
    service: &Service,
    segments: &[&CheckedSegment],
    prefer: Prefer,
    token: &CancelToken,
) -> Result<std::result::Result<InMemory, Option<String>>> {
    let status = match prefer {
        Prefer::Sql => return Ok(Err(None)),
        Prefer::EngineIfReady => service.engine_status(),
        Prefer::Engine => service.wait_for_engine(),
    };
    let data = match status {
        EngineStatus::Ready(data) => data,
        EngineStatus::Loading => {
            return Ok(Err(Some(
                "the count engine is still loading the data; computed with SQL".into(),
            )))
        }
        EngineStatus::Unsupported(why) => return Ok(Err(Some(why))),
    };
    let evaluator = Evaluator::with_cancel(&data, token.flag());
    let mut sets = Vec::with_capacity(segments.len());
    for segment in segments {
        match evaluator.matching(&segment.query) {
            Ok(set) => sets.push(set),
            Err(segment_engine::Error::Cancelled) => return Err(Error::Cancelled),
            Err(e) => return Ok(Err(Some(e.to_string()))),
        }
    }
    drop(evaluator);
    Ok(Ok(InMemory { data, sets }))
}

/// An engine failure on the way (a column it cannot hold) becomes the SQL path's notice;
/// a cancel stays a cancel.
pub fn or_sql<T>(result: Result<T>) -> Result<std::result::Result<T, Option<String>>> {
    match result {
        Ok(v) => Ok(Ok(v)),
        Err(Error::Cancelled) => Err(Error::Cancelled),
        Err(e) => Ok(Err(Some(e.to_string()))),
    }
}

/// Milliseconds since `started`, to two decimals.
pub fn millis(started: std::time::Instant) -> f64 {
    (started.elapsed().as_secs_f64() * 100_000.0).round() / 100.0
}

/// The key of every record of `entity` in the engine's copy, as member identifiers (integers
/// in decimal, text as it is): the text the split hashes and exports list.
pub fn engine_keys(data: &Dataset, entity: &str, key: &str) -> Result<Vec<String>> {
    use segment_engine::column::{exact_integer, ColumnData};
    let column = data.table(entity)?.column(key)?;
    Ok(match column {
        // A NULL key reads as 0, as it did when every integer was stored with 0 for NULL.
        ColumnData::Integer { values, valid } => (0..values.len())
            .map(|r| if valid.contains(r) { values.get(r) } else { 0 }.to_string())
            .collect(),
        ColumnData::Number { values, .. } => values
            .iter()
            .map(|v| match exact_integer(*v) {
                Some(i) => i.to_string(),
                None => v.to_string(),
            })
            .collect(),
        ColumnData::Text(t) => t
            .codes
            .iter()
            .map(|c| t.dict.get(*c as usize).to_string())
            .collect(),
        ColumnData::Time { .. } | ColumnData::Array(_) => {
            return Err(Error::EngineUnavailable(
                "records whose key is not a number or text".into(),
            ))
        }
    })
}
