//! Breakdowns: a segment's members by one dimension — top values with their counts, numeric
//! histograms, dates by week, month or year — each beside its share of the whole base and the
//! lift (share in the segment / share in the base). Every member is in exactly one row ("Other"
//! and "No value" included), so the rows sum to the segment's count.

use std::collections::HashMap;
use std::time::Instant;

use segment_engine::Bitset;
use segment_source::CancelToken;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::bins::{Bins, Period};
use super::membership::{evaluate, millis, or_sql};
use super::values::{
    cell, engine_values, resolve, sql_expression, Cell, Dimension, Kind, RecordValues, Resolved,
    NO_VALUE,
};
use crate::checked::CheckedSegment;
use crate::error::Result;
use crate::service::{Method, Prefer, Service};

/// How to break down.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BreakdownOptions {
    /// Values listed by name before the rest are grouped as "Other" (default 10).
    #[serde(default)]
    #[ts(optional)]
    pub top: Option<u32>,
    /// Dates by week, month or year (default: what suits the range).
    #[serde(default)]
    #[ts(optional)]
    pub period: Option<Period>,
    /// About how many histogram bars (default 12).
    #[serde(default)]
    #[ts(optional)]
    pub bins: Option<u32>,
    /// Rank values by lift (the values that most distinguish the segment first) instead of by
    /// count; values with fewer than 1% of the members (at least 5) are not ranked by lift.
    #[serde(default)]
    pub by_lift: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Shape {
    /// Values by name (text, true/false).
    Values,
    /// Numbers in equal ranges.
    Histogram,
    /// Dates by period.
    Dates,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RowKind {
    Value,
    /// The values beyond the top ones, together.
    Other,
    /// Records without a value (NULL).
    Missing,
}

/// One bar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BreakdownRow {
    pub label: String,
    pub kind: RowKind,
    /// A histogram bar's range `[low, high)`, or a period's first and next instants (Unix s).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub low: Option<f64>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub high: Option<f64>,
    /// Members with this value.
    #[ts(type = "number")]
    pub count: u64,
    /// Records of the whole base with this value.
    #[ts(type = "number")]
    pub base: u64,
    /// `count` / the segment's count.
    pub share: f64,
    /// `base` / all records.
    pub base_share: f64,
    /// `share / base_share`: above 1, the value is more common in the segment than overall.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub lift: Option<f64>,
}

/// A segment broken down by one dimension.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Breakdown {
    pub dimension: String,
    pub shape: Shape,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub period: Option<Period>,
    #[ts(type = "number")]
    pub count: u64,
    #[ts(type = "number")]
    pub total: u64,
    pub rows: Vec<BreakdownRow>,
    /// `memory` or `sql`.
    #[ts(type = "\"memory\" | \"sql\"")]
    pub method: Method,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub notice: Option<String>,
    pub ms: f64,
}

/// What either path tallied, before rows are made.
enum Tally {
    Labels(Vec<(String, u64, u64)>),
    /// Per value or record: (value, members, base records).
    Numbers(Vec<(f64, u64, u64)>),
    Times(Vec<(i64, u64, u64)>),
}

/// A tally made into rows, with the members and records without a value.
struct Tallied {
    shape: Shape,
    period: Option<Period>,
    rows: Vec<BreakdownRow>,
    missing: (u64, u64),
}

impl Service {
    /// Breaks the members of `checked` down by `dimension` (see the module's documentation).
    pub fn breakdown(
        &self,
        checked: &CheckedSegment,
        dimension: &Dimension,
        options: &BreakdownOptions,
        prefer: Prefer,
        token: &CancelToken,
    ) -> Result<Breakdown> {
        let started = Instant::now();
        let entity = &checked.query.entity;
        let dim = resolve(self.schema(), &entity.name, dimension)?;
        let in_memory = match evaluate(self, &[checked], prefer, token)? {
            Ok(found) => or_sql(engine_values(&found.data, &entity.name, &dim))?
                .map(|values| tally_records(&values, &found.sets[0], &dim, options)),
            Err(why) => Err(why),
        };
        let (tallied, method, notice) = match in_memory {
            Ok(tallied) => (tallied, Method::Memory, None),
            Err(notice) => {
                let (tally, missing) = self.tally_in_sql(checked, &dim, options, token)?;
                (tallied(tally, missing, &dim, options), Method::Sql, notice)
            }
        };
        let mut breakdown = finish(tallied, &dim);
        breakdown.method = method;
        breakdown.notice = notice;
        breakdown.ms = millis(started);
        Ok(breakdown)
    }

    /// Grouped statements in the source's own dialect: per distinct value, the base records
    /// and the members having it. Dates and times are grouped by UTC day (every period is
    /// made of whole days), each day with its first and last second, so a warehouse sends one
    /// row per day, not per instant. Numbers are grouped by histogram bar
    /// ([`Service::tally_bins_in_sql`]), so a warehouse sends one row per bar, not per value.
    fn tally_in_sql(
        &self,
        checked: &CheckedSegment,
        dim: &Resolved,
        options: &BreakdownOptions,
        token: &CancelToken,
    ) -> Result<(Tally, (u64, u64))> {
        let dialect = self.backend().sql_dialect().dialect();
        let keys = segment_sql::build_output(
            &checked.query,
            segment_sql::Output::Keys {
                limit: dialect.largest_limit(),
            },
            dialect,
        )?;
        let entity = &checked.query.entity;
        let q = |n: &str| dialect.quote_identifier(n);
        let values = Grouped {
            keys,
            records: format!(
                "SELECT t0.{} AS key, {} AS v FROM {} AS t0",
                q(&entity.key),
                sql_expression(dim, dialect)?,
                q(&entity.name)
            ),
        };
        if let Kind::Number { integer } = dim.kind {
            let target = options.bins.unwrap_or(12) as usize;
            if let Some(tally) = self.tally_bins_in_sql(&values, dim, integer, target, token)? {
                return Ok(tally);
            }
        }
        let by_day = matches!(dim.kind, Kind::Time { .. });
        let statement = if by_day {
            // Floor division by a day for any sign, in integer arithmetic on every engine.
            values.statement(
                "min(b.v), max(b.v)",
                "(b.v - ((b.v % 86400) + 86400) % 86400) / 86400",
                &[],
                None,
            )
        } else {
            // Plain values: PostgreSQL has no min() of a boolean.
            values.statement("b.v, b.v", "b.v", &[], None)
        };
        let rows = self.backend().select_rows(&statement, token)?;
        let (mut missing, mut labels, mut numbers, mut times) =
            ((0, 0), Vec::new(), Vec::new(), Vec::new());
        let mut label_index: HashMap<String, usize> = HashMap::new();
        for row in &rows {
            let (first, last, count, base) = group_row(row, dim.kind);
            match first {
                // Distinct stored values can read as one (1 and '1' in a text column).
                Cell::Label(s) => match label_index.get(&s) {
                    Some(&i) => {
                        let entry: &mut (String, u64, u64) = &mut labels[i];
                        entry.1 += count;
                        entry.2 += base;
                    }
                    None => {
                        label_index.insert(s.clone(), labels.len());
                        labels.push((s, count, base));
                    }
                },
                Cell::Number(v) => numbers.push((v, count, base)),
                Cell::Time(first) => {
                    // The day's first second places nothing; both bound the range.
                    times.push((first, 0, 0));
                    if let Cell::Time(last) = last {
                        times.push((last, count, base));
                    }
                }
                Cell::Missing => {
                    missing.0 += count;
                    missing.1 += base;
                }
            }
        }
        let tally = match dim.kind {
            Kind::Text | Kind::Boolean => Tally::Labels(labels),
            Kind::Number { .. } => Tally::Numbers(numbers),
            Kind::Time { .. } => Tally::Times(times),
        };
        Ok((tally, missing))
    }

    /// A number dimension by histogram bar, where the data is: a first statement reads the
    /// base's lowest and highest values (the bars' edges are [`Bins::new`]'s of them, as the
    /// engine's are), a second groups the records by bar, computed as the engine computes it
    /// (`floor((v - start) / width)` in double precision, start and width bound as doubles),
    /// each bar with its lowest and highest value. Every group is then placed by those two
    /// values in Rust: a group whose lowest and highest values fall in one bar is that bar
    /// (placing is monotonic, so every value between them does too); one that does not (a
    /// server rounding differently at an edge) is read again value by value. `None` when the
    /// values are not all finite numbers (a text value in a SQLite column, a NaN or an
    /// infinity in a warehouse's): the caller groups per value, as before.
    fn tally_bins_in_sql(
        &self,
        values: &Grouped,
        dim: &Resolved,
        integer: bool,
        target: usize,
        token: &CancelToken,
    ) -> Result<Option<(Tally, (u64, u64))>> {
        let range = segment_sql::Statement {
            sql: format!("SELECT min(b.v), max(b.v) FROM ({}) AS b", values.records),
            params: Vec::new(),
        };
        let rows = self.backend().select_rows(&range, token)?;
        let finite = |i: usize| match rows
            .first()
            .and_then(|r| r.get(i))
            .map(|v| cell(v, dim.kind))
        {
            Some(Cell::Number(v)) if v.is_finite() => Some(v),
            _ => None,
        };
        let (Some(min), Some(max)) = (finite(0), finite(1)) else {
            return Ok(None);
        };
        let bins = Bins::new(min, max, integer, target);
        if !(bins.start.is_finite() && bins.width.is_finite() && bins.width > 0.0) {
            return Ok(None);
        }
        let dialect = self.backend().sql_dialect().dialect();
        let first = values.keys.params.len() + 1;
        let (start, width) = (
            segment_sql::SqlValue::Real(bins.start),
            segment_sql::SqlValue::Real(bins.width),
        );
        let bar = dialect
            .floor_integer(
                segment_sql::Fragment::sql(format!(
                    "(c.v - {}) / {}",
                    dialect.placeholder(first, &start),
                    dialect.placeholder(first + 1, &width)
                )),
                // At least 0 but for rounding: a quotient just below 0 truncates to bar 0,
                // where the engine's placing clamps it too (SQLite writes `x` once).
                true,
            )
            .plain_sql()
            .ok_or_else(|| {
                crate::Error::EngineUnavailable(format!(
                    "the {} dialect binds a value in a histogram bar",
                    dialect.name()
                ))
            })?;
        let by_bar = Grouped {
            keys: values.keys.clone(),
            records: format!(
                "SELECT c.key AS key, c.v AS v, {bar} AS g FROM ({}) AS c",
                values.records
            ),
        };
        let params = [start, width];
        let rows = self.backend().select_rows(
            &by_bar.statement("min(b.v), max(b.v)", "b.g", &params, None),
            token,
        )?;
        let groups: Vec<_> = rows
            .iter()
            .map(|row| {
                (
                    row.get(4).and_then(|g| g.as_i64()),
                    group_row(row, dim.kind),
                )
            })
            .collect();
        let placed = place_groups(groups.iter().map(|(_, g)| g.clone()), integer, target);
        let mut observed = placed.observed;
        if !placed.unplaced.is_empty() {
            // The groups a server placed otherwise, value by value.
            let bars: Vec<String> = placed
                .unplaced
                .iter()
                .filter_map(|&i| groups[i].0)
                .map(|g| g.to_string())
                .collect();
            if bars.len() != placed.unplaced.len() {
                return Ok(None);
            }
            let filter = format!("b.g IN ({})", bars.join(", "));
            let statement = by_bar.statement("b.v, b.v", "b.v", &params, Some(&filter));
            for row in &self.backend().select_rows(&statement, token)? {
                match group_row(row, dim.kind) {
                    (Cell::Number(v), _, count, base) => observed.push((v, count, base)),
                    _ => return Ok(None),
                }
            }
        }
        Ok(Some((Tally::Numbers(observed), placed.missing)))
    }
}

/// The base's records with the dimension's value (`key`, `v`, and more), and the segment's
/// keys, for grouped statements.
struct Grouped {
    keys: segment_sql::Statement,
    /// `SELECT … AS key, … AS v … FROM …` over the base table.
    records: String,
}

impl Grouped {
    /// `values` (two: the group's lowest and highest value), the base records and the
    /// members, per `group`, then the group itself (`records` has it as `b.…`); `params` are
    /// bound after the keys' and appear in `records` after them.
    fn statement(
        &self,
        values: &str,
        group: &str,
        params: &[segment_sql::SqlValue],
        filter: Option<&str>,
    ) -> segment_sql::Statement {
        let filter = filter.map(|f| format!(" WHERE {f}")).unwrap_or_default();
        let sql = format!(
            "WITH s(k) AS ({}) SELECT {values}, count(*), count(s.k), {group} FROM ({}) AS b LEFT JOIN s ON s.k = b.key{filter} GROUP BY {group}",
            self.keys.sql, self.records
        );
        let mut all = self.keys.params.clone();
        all.extend_from_slice(params);
        segment_sql::Statement { sql, params: all }
    }
}

/// A grouped row read: the group's lowest and highest values, its members and base records.
fn group_row(row: &[segment_sql::SqlCell], kind: Kind) -> (Cell, Cell, u64, u64) {
    let number = |i: usize| {
        row.get(i)
            .and_then(segment_sql::SqlCell::as_i64)
            .and_then(|n| u64::try_from(n).ok())
            .unwrap_or(0)
    };
    let value = |i: usize| row.get(i).map_or(Cell::Missing, |v| cell(v, kind));
    (value(0), value(1), number(3), number(2))
}

/// Groups of number values placed in the histogram's bars.
struct Placed {
    /// What [`histogram`] reads: per placed group, its lowest value (placing nothing) and its
    /// highest with the group's members and base records.
    observed: Vec<(f64, u64, u64)>,
    /// The groups (by position) whose lowest and highest values fall in different bars.
    unplaced: Vec<usize>,
    missing: (u64, u64),
}

/// Places each group (lowest value, highest value, members, base records) in the bar of the
/// histogram [`histogram`] draws over all of them: the one bar of both its values, else it is
/// left for reading value by value. A group without a value is the "no value" row.
fn place_groups(
    groups: impl Iterator<Item = (Cell, Cell, u64, u64)>,
    integer: bool,
    target: usize,
) -> Placed {
    let mut spans = Vec::new();
    let mut placed = Placed {
        observed: Vec::new(),
        unplaced: Vec::new(),
        missing: (0, 0),
    };
    for (i, group) in groups.enumerate() {
        match group {
            (Cell::Number(low), Cell::Number(high), count, base) => {
                spans.push((i, low, high, count, base))
            }
            (Cell::Missing, Cell::Missing, count, base) => {
                placed.missing.0 += count;
                placed.missing.1 += base;
            }
            _ => placed.unplaced.push(i),
        }
    }
    let range = spans.iter().fold(None, |acc: Option<(f64, f64)>, s| {
        Some(acc.map_or((s.1, s.2), |(lo, hi)| (lo.min(s.1), hi.max(s.2))))
    });
    let Some((min, max)) = range else {
        return placed;
    };
    let bins = Bins::new(min, max, integer, target);
    for (i, low, high, count, base) in spans {
        if bins.index(low) == bins.index(high) {
            placed.observed.push((low, 0, 0));
            placed.observed.push((high, count, base));
        } else {
            placed.unplaced.push(i);
        }
    }
    placed
}

/// The engine's tally: every record's value, members read from the bitset.
fn tally_records(
    values: &RecordValues,
    members: &Bitset,
    dim: &Resolved,
    options: &BreakdownOptions,
) -> Tallied {
    let member = |r: usize| u64::from(members.contains(r));
    match values {
        RecordValues::Categories { codes, labels } => {
            let mut base = vec![0u64; labels.len()];
            let mut count = vec![0u64; labels.len()];
            let mut missing = (0, 0);
            for &code in codes {
                match code {
                    NO_VALUE => missing.1 += 1,
                    code => base[code as usize] += 1,
                }
            }
            for row in members.iter() {
                match codes[row] {
                    NO_VALUE => missing.0 += 1,
                    code => count[code as usize] += 1,
                }
            }
            let labels = labels
                .iter()
                .enumerate()
                .filter(|(i, _)| base[*i] > 0)
                .map(|(i, l)| (l.clone(), count[i], base[i]))
                .collect();
            tallied(Tally::Labels(labels), missing, dim, options)
        }
        RecordValues::Numbers(v) => {
            let observed = || {
                v.iter()
                    .enumerate()
                    .filter(|(_, x)| !x.is_nan())
                    .map(|(r, x)| (*x, member(r), 1))
            };
            let integer = matches!(dim.kind, Kind::Number { integer: true });
            let target = options.bins.unwrap_or(12) as usize;
            Tallied {
                shape: Shape::Histogram,
                period: None,
                rows: histogram(observed, integer, target),
                missing: missing_of(v.iter().map(|x| x.is_nan()), members),
            }
        }
        RecordValues::Times(v) => {
            let observed = || {
                v.iter()
                    .enumerate()
                    .filter_map(|(r, t)| t.map(|t| (t, member(r), 1)))
            };
            let (period, rows) = periods(observed, options.period);
            Tallied {
                shape: Shape::Dates,
                period,
                rows,
                missing: missing_of(v.iter().map(Option::is_none), members),
            }
        }
    }
}

/// The SQL's tally made into rows.
fn tallied(
    tally: Tally,
    missing: (u64, u64),
    dim: &Resolved,
    options: &BreakdownOptions,
) -> Tallied {
    match tally {
        Tally::Labels(labels) => {
            let count = labels.iter().map(|v| v.1).sum::<u64>() + missing.0;
            let total = labels.iter().map(|v| v.2).sum::<u64>() + missing.1;
            Tallied {
                shape: Shape::Values,
                period: None,
                rows: top_values(labels, options, count, total),
                missing,
            }
        }
        Tally::Numbers(numbers) => Tallied {
            shape: Shape::Histogram,
            period: None,
            rows: histogram(
                || numbers.iter().copied(),
                matches!(dim.kind, Kind::Number { integer: true }),
                options.bins.unwrap_or(12) as usize,
            ),
            missing,
        },
        Tally::Times(times) => {
            let (period, rows) = periods(|| times.iter().copied(), options.period);
            Tallied {
                shape: Shape::Dates,
                period,
                rows,
                missing,
            }
        }
    }
}

fn missing_of(missing: impl Iterator<Item = bool>, members: &Bitset) -> (u64, u64) {
    let (mut count, mut base) = (0, 0);
    for (r, m) in missing.enumerate() {
        if m {
            base += 1;
            count += u64::from(members.contains(r));
        }
    }
    (count, base)
}

/// The breakdown from its rows: "No value" last, shares and lifts.
fn finish(tallied: Tallied, dim: &Resolved) -> Breakdown {
    let Tallied {
        shape,
        period,
        mut rows,
        missing,
    } = tallied;
    let count = rows.iter().map(|r| r.count).sum::<u64>() + missing.0;
    let total = rows.iter().map(|r| r.base).sum::<u64>() + missing.1;
    if missing.1 > 0 {
        rows.push(row(
            "No value".into(),
            RowKind::Missing,
            missing.0,
            missing.1,
        ));
    }
    for r in &mut rows {
        r.share = ratio(r.count, count);
        r.base_share = ratio(r.base, total);
        r.lift = (count > 0 && r.base > 0).then(|| r.share / r.base_share);
    }
    Breakdown {
        dimension: dim.label.clone(),
        shape,
        period,
        count,
        total,
        rows,
        method: Method::Memory,
        notice: None,
        ms: 0.0,
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

fn row(label: String, kind: RowKind, count: u64, base: u64) -> BreakdownRow {
    BreakdownRow {
        label,
        kind,
        low: None,
        high: None,
        count,
        base,
        share: 0.0,
        base_share: 0.0,
        lift: None,
    }
}

/// The top values by count (or by lift among values with enough members), then "Other".
fn top_values(
    mut values: Vec<(String, u64, u64)>,
    options: &BreakdownOptions,
    count: u64,
    total: u64,
) -> Vec<BreakdownRow> {
    let by_count = |a: &(String, u64, u64), b: &(String, u64, u64)| {
        b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0))
    };
    values.sort_by(by_count);
    if options.by_lift {
        let support = (count / 100).max(5);
        // Lift up to a factor common to every value: members per base record.
        let lift = |v: &(String, u64, u64)| v.1 as f64 * total as f64 / v.2.max(1) as f64;
        values.sort_by(|a, b| {
            (b.1 >= support)
                .cmp(&(a.1 >= support))
                .then(lift(b).total_cmp(&lift(a)))
                .then(by_count(a, b))
        });
    }
    let top = options.top.unwrap_or(10).max(1) as usize;
    let mut rows: Vec<BreakdownRow> = values
        .iter()
        .take(top)
        .map(|(l, c, b)| row(l.clone(), RowKind::Value, *c, *b))
        .collect();
    let rest = &values[top.min(values.len())..];
    if !rest.is_empty() {
        let (c, b) = rest.iter().fold((0, 0), |(c, b), v| (c + v.1, b + v.2));
        let label = format!("Other ({} values)", rest.len());
        rows.push(row(label, RowKind::Other, c, b));
    }
    rows
}

/// Equal-width bars over the base's range (every bar, empty ones too).
fn histogram<I: Iterator<Item = (f64, u64, u64)>>(
    observed: impl Fn() -> I,
    integer: bool,
    target: usize,
) -> Vec<BreakdownRow> {
    let Some((min, max)) = observed().fold(None, |acc: Option<(f64, f64)>, (v, _, _)| {
        Some(acc.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))))
    }) else {
        return Vec::new();
    };
    let bins = Bins::new(min, max, integer, target);
    let mut counts = vec![(0u64, 0u64); bins.n];
    for (v, c, b) in observed() {
        let slot = &mut counts[bins.index(v)];
        slot.0 += c;
        slot.1 += b;
    }
    counts
        .into_iter()
        .enumerate()
        .map(|(i, (c, b))| {
            let (low, high) = bins.bounds(i);
            BreakdownRow {
                low: Some(low),
                high: Some(high),
                ..row(bins.label(i), RowKind::Value, c, b)
            }
        })
        .collect()
}

/// One bar per period that has records, in time order.
fn periods<I: Iterator<Item = (i64, u64, u64)>>(
    observed: impl Fn() -> I,
    period: Option<Period>,
) -> (Option<Period>, Vec<BreakdownRow>) {
    let Some((min, max)) = observed().fold(None, |acc: Option<(i64, i64)>, (t, _, _)| {
        Some(acc.map_or((t, t), |(lo, hi)| (lo.min(t), hi.max(t))))
    }) else {
        return (period, Vec::new());
    };
    let mut period = period.unwrap_or_else(|| Period::for_range(max.saturating_sub(min)));
    if period.key(max) - period.key(min) > 100_000 {
        period = Period::Year;
    }
    let first = period.key(min);
    let span = (period.key(max) - first + 1) as usize;
    let mut counts = vec![(0u64, 0u64); span];
    for (t, c, b) in observed() {
        let slot = &mut counts[(period.key(t) - first) as usize];
        slot.0 += c;
        slot.1 += b;
    }
    let step = if period == Period::Week { 7 } else { 1 };
    let rows = counts
        .into_iter()
        .enumerate()
        .filter(|(_, (_, b))| *b > 0)
        .map(|(i, (c, b))| {
            let key = first + i as i64;
            BreakdownRow {
                low: Some(period.start(key) as f64),
                high: Some(period.start(key + step) as f64),
                ..row(period.label(key), RowKind::Value, c, b)
            }
        })
        .collect();
    (Some(period), rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(low: f64, high: f64, count: u64, base: u64) -> (Cell, Cell, u64, u64) {
        (Cell::Number(low), Cell::Number(high), count, base)
    }

    #[test]
    fn groups_are_placed_by_their_lowest_and_highest_values() {
        // Bars of 0.1 over 0..1.2; 0.3 / 0.1 is 2.9999999999999996 in doubles: the bar of 0.2.
        let groups = vec![
            group(0.0, 0.05, 2, 3),
            group(0.3, 0.3, 1, 1),
            // A server that placed 0.29 and 0.31 together (exact decimal arithmetic would put
            // 0.3 with 0.31): read again value by value.
            group(0.29, 0.31, 4, 6),
            group(1.2, 1.2, 0, 1),
            (Cell::Missing, Cell::Missing, 5, 7),
        ];
        let placed = place_groups(groups.into_iter(), false, 12);
        assert_eq!(placed.unplaced, vec![2]);
        assert_eq!(placed.missing, (5, 7));
        let rows = histogram(|| placed.observed.iter().copied(), false, 12);
        let per_value = histogram(
            || [(0.0, 2, 3), (0.3, 1, 1), (1.2, 0, 1)].into_iter(),
            false,
            12,
        );
        assert_eq!(rows, per_value);
        assert_eq!(
            rows[2].count, 1,
            "0.3 is in the bar of 0.2 as the engine has it"
        );
    }
}
