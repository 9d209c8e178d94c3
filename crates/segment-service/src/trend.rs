//! Size over time: the segment's count "as of" each day or week of a range, with how many
//! records entered and left since the step before. Each instant is the segment checked with
//! that instant as "now" ([`CheckedSegment::check`]), so relative dates and related records'
//! windows are replayed from the data's own timestamps, related records after the instant do
//! not count ([`crate::as_of`]), and every point equals `count --now <instant>`. Attributes of
//! the records themselves are as they are now: the data keeps no history of them.

use std::collections::HashSet;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use segment_engine::{Bitset, Evaluator};
use segment_model::Segment;
use segment_source::CancelToken;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::backend::key_text;
use crate::checked::CheckedSegment;
use crate::error::{Error, Result};
use crate::references::References;
use crate::service::{Method, Service};

/// At most this many instants in one trend (a year and a month of days).
pub const MAX_POINTS: usize = 400;

/// The distance between two instants of a trend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TrendStep {
    Day,
    Week,
}

impl TrendStep {
    fn duration(self) -> Duration {
        match self {
            TrendStep::Day => Duration::days(1),
            TrendStep::Week => Duration::weeks(1),
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "day" | "days" | "daily" => Some(TrendStep::Day),
            "week" | "weeks" | "weekly" => Some(TrendStep::Week),
            _ => None,
        }
    }
}

/// One instant of a trend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TrendPoint {
    /// The instant, ISO 8601 in UTC.
    pub at: String,
    #[ts(type = "number")]
    pub count: u64,
    /// Records in the segment now that were not at the step before (absent on the first).
    #[ts(type = "number | null")]
    pub entered: Option<u64>,
    /// Records in the segment at the step before that are not now (absent on the first).
    #[ts(type = "number | null")]
    pub left: Option<u64>,
}

/// The segment's size at each instant of a range.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Trend {
    pub points: Vec<TrendPoint>,
    /// All records of the entity (as they are now).
    #[ts(type = "number")]
    pub total: u64,
    #[ts(type = "\"memory\" | \"sql\"")]
    pub method: Method,
    /// Why it was counted in SQL, when it was.
    pub notice: Option<String>,
    /// What the trend replays and what it does not, in words for the chart.
    pub note: String,
    /// Milliseconds spent counting (after the engine was loaded).
    pub elapsed_ms: f64,
}

/// The note every trend carries.
pub const NOTE: &str = "Dates and related records (events, orders) are replayed as of each \
    step; attributes of the records themselves are as they are now.";

/// The instants from `from` to `to` (both included) `step` apart, ending exactly at `to`.
pub fn instants(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    step: TrendStep,
) -> Result<Vec<DateTime<Utc>>> {
    if from > to {
        return Err(Error::Request {
            message: "the start of the range is after its end".into(),
            path: Some("/from".into()),
        });
    }
    let mut out = Vec::new();
    let mut at = to;
    while at >= from {
        out.push(at);
        if out.len() > MAX_POINTS {
            return Err(Error::Request {
                message: format!(
                    "that range has more than {MAX_POINTS} steps: choose a shorter range or weekly steps"
                ),
                path: Some("/from".into()),
            });
        }
        at = match at.checked_sub_signed(step.duration()) {
            Some(earlier) => earlier,
            None => break,
        };
    }
    out.reverse();
    Ok(out)
}

/// The trend of `segment` over the instants: in memory when the engine can, else in SQL.
pub fn trend(
    service: &Service,
    segment: &Segment,
    entity: Option<&str>,
    instants: &[DateTime<Utc>],
    token: &CancelToken,
) -> Result<Trend> {
    trend_in(
        service,
        segment,
        entity,
        &References::none(),
        instants,
        token,
    )
}

/// As [`trend`], "is in segment" conditions resolved from `references` (the same library
/// segments at every instant).
pub fn trend_in(
    service: &Service,
    segment: &Segment,
    entity: Option<&str>,
    references: &References,
    instants: &[DateTime<Utc>],
    token: &CancelToken,
) -> Result<Trend> {
    let checked = instants
        .iter()
        .map(|at| {
            let (schema, refs) = (service.schema(), references.clone());
            CheckedSegment::check_in(segment.clone(), schema, entity, *at, refs)
                .map_err(Error::Invalid)
        })
        .collect::<Result<Vec<_>>>()?;
    let (points, total, method, notice, started) = match in_memory(service, &checked, token) {
        Ok((points, total, started)) => (points, total, Method::Memory, None, started),
        Err(Error::EngineUnavailable(why)) => {
            let started = Instant::now();
            let (points, total) = in_sql(service, &checked, token)?;
            (points, total, Method::Sql, Some(why), started)
        }
        Err(e) => return Err(e),
    };
    Ok(Trend {
        points,
        total,
        method,
        notice,
        note: NOTE.to_string(),
        elapsed_ms: (started.elapsed().as_secs_f64() * 100_000.0).round() / 100.0,
    })
}

fn point(at: DateTime<Utc>, count: u64, change: Option<(u64, u64)>) -> TrendPoint {
    TrendPoint {
        at: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        count,
        entered: change.map(|c| c.0),
        left: change.map(|c| c.1),
    }
}

fn in_memory(
    service: &Service,
    checked: &[CheckedSegment],
    token: &CancelToken,
) -> Result<(Vec<TrendPoint>, u64, Instant)> {
    let data = service.dataset()?;
    let started = Instant::now();
    // One evaluator for every step: conditions that do not move with "now" are evaluated once.
    let evaluator = Evaluator::with_cancel(&data, token.flag());
    let mut previous: Option<Bitset> = None;
    let mut points = Vec::with_capacity(checked.len());
    let mut total = 0;
    for step in checked {
        let rows = evaluator.matching(&step.query)?;
        total = rows.len() as u64;
        let change = previous.as_ref().map(|before| {
            let mut entered = rows.clone();
            entered.and_not_with(before);
            let mut left = before.clone();
            left.and_not_with(&rows);
            (entered.count(), left.count())
        });
        points.push(point(step.now, rows.count(), change));
        previous = Some(rows);
    }
    Ok((points, total, started))
}

fn in_sql(
    service: &Service,
    checked: &[CheckedSegment],
    token: &CancelToken,
) -> Result<(Vec<TrendPoint>, u64)> {
    let backend = service.backend();
    let mut previous: Option<HashSet<String>> = None;
    let mut points = Vec::with_capacity(checked.len());
    for step in checked {
        let keys: HashSet<String> = backend
            .matching_keys(&step.query, i64::MAX as u64, token)?
            .iter()
            .filter_map(key_text)
            .collect();
        let change = previous.as_ref().map(|before| {
            (
                keys.difference(before).count() as u64,
                before.difference(&keys).count() as u64,
            )
        });
        points.push(point(step.now, keys.len() as u64, change));
        previous = Some(keys);
    }
    let total = match checked.first() {
        Some(step) => backend.total(&step.query.entity.name)?,
        None => 0,
    };
    Ok((points, total))
}
