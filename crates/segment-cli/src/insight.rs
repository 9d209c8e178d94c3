//! `segment-builder trend`, `explain-record` and `near-misses`: the segment's size over time,
//! why one record is or is not in it, and how the count moves with each condition. Adapters over
//! `segment-service` (`trend`, `explain_record`, `near_miss`), as the app's insight views are.
//! Words for people by default; `--json` prints the service's result.

use std::fmt::Write as _;

use chrono::{DateTime, Duration, Utc};
use segment_model::Schema;
use segment_service::explain_record::{NodeVerdict, RecordExplanation};
use segment_service::near_miss::NearMisses;
use segment_service::trend::{Trend, TrendStep};
use segment_service::{CheckedSegment, Service};
use segment_source::CancelToken;
use serde_json::Value;

use crate::{data, parse, read_segment, Failure, NowArg, SegmentInput};

#[derive(clap::Args)]
pub struct TrendArgs {
    #[command(flatten)]
    input: SegmentInput,
    /// The last instant (ISO-8601); defaults to the data's own "now" (the demo data's end) or
    /// the clock.
    #[command(flatten)]
    now: NowArg,
    /// How far back from the last instant, in days.
    #[arg(long, value_name = "DAYS", default_value_t = 90)]
    days: u32,
    /// The first instant instead of `--days` (ISO-8601).
    #[arg(long, value_name = "ISO-8601")]
    from: Option<String>,
    /// One point per day or per week.
    #[arg(long, value_name = "day|week", default_value = "day")]
    step: String,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    input: SegmentInput,
    #[command(flatten)]
    now: NowArg,
    /// The record's key (e.g. a profile id).
    #[arg(long, value_name = "KEY")]
    key: String,
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct NearMissArgs {
    #[command(flatten)]
    input: SegmentInput,
    #[command(flatten)]
    now: NowArg,
    #[arg(long)]
    json: bool,
}

/// The data, the segment as read, and "now" (typed, else the data's own, else the clock).
fn open(
    input: &SegmentInput,
    now: &NowArg,
) -> Result<(Service, segment_model::Segment, DateTime<Utc>), Failure> {
    let service = data::service(&input.data)?;
    let text = read_segment(&input.segment)?;
    let (segment, _) =
        parse(&text, service.schema(), input.entity.as_deref()).map_err(|p| located(input, p))?;
    let now = segment_service::resolve_now(now.now.as_deref(), service.backend().default_now())?;
    Ok((service, segment, now))
}

fn located(input: &SegmentInput, problems: Vec<segment_model::Problem>) -> Failure {
    Failure(
        problems
            .iter()
            .map(|p| crate::located(&input.segment, p))
            .collect(),
    )
}

fn check(
    service: &Service,
    input: &SegmentInput,
    segment: segment_model::Segment,
    now: DateTime<Utc>,
) -> Result<CheckedSegment, Failure> {
    let references = crate::references::gather(&segment, &input.library)?;
    let entity = input.entity.as_deref();
    CheckedSegment::check_in(segment, service.schema(), entity, now, references)
        .map_err(|p| located(input, p))
}

fn printed<T: serde::Serialize>(json: bool, value: &T, words: String) -> Result<String, Failure> {
    if json {
        serde_json::to_string_pretty(value)
            .map_err(|e| Failure::new(format!("cannot print the result: {e}")))
    } else {
        Ok(words)
    }
}

pub fn trend(args: TrendArgs) -> Result<String, Failure> {
    let (service, segment, to) = open(&args.input, &args.now)?;
    let step = TrendStep::parse(&args.step)
        .ok_or_else(|| Failure::new(format!("--step {:?}: use day or week", args.step)))?;
    let from = match &args.from {
        Some(text) => segment_service::resolve_now(Some(text), None)?,
        None => to - Duration::days(i64::from(args.days)),
    };
    // Problems are reported once, located in the file, as of the last instant.
    let last = check(&service, &args.input, segment.clone(), to)?;
    let instants = segment_service::trend::instants(from, to, step)?;
    let trend = segment_service::trend::trend_in(
        &service,
        &segment,
        args.input.entity.as_deref(),
        &last.references,
        &instants,
        &CancelToken::new(),
    )?;
    printed(args.json, &trend, trend_words(&trend))
}

fn trend_words(trend: &Trend) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<22} {:>10} {:>9} {:>9}",
        "as of", "count", "entered", "left"
    );
    for p in &trend.points {
        let change = |v: Option<u64>| v.map_or("".to_string(), |v| v.to_string());
        let _ = writeln!(
            out,
            "{:<22} {:>10} {:>9} {:>9}",
            p.at,
            p.count,
            change(p.entered),
            change(p.left)
        );
    }
    let _ = write!(out, "{}", trend.note);
    if let Some(notice) = &trend.notice {
        let _ = write!(out, "\nnotice: {notice}");
    }
    out
}

pub fn explain_record(args: ExplainArgs) -> Result<String, Failure> {
    let (service, segment, now) = open(&args.input, &args.now)?;
    let checked = check(&service, &args.input, segment, now)?;
    let key = segment_service::explain_record::parse_key(&args.key, service.schema(), &checked)?;
    let explained = segment_service::explain_record::explain_record(
        &service,
        &checked,
        &key,
        &CancelToken::new(),
    )?;
    let words = explanation_words(&explained, &checked, service.schema());
    printed(args.json, &explained, words)
}

fn explanation_words(e: &RecordExplanation, checked: &CheckedSegment, schema: &Schema) -> String {
    let entity = &checked.query.entity;
    let key = crate_key(&e.key);
    if !e.found {
        return format!("No record of {} has {} {key}.", entity.name, entity.key);
    }
    let mut out = format!(
        "{} {key} is {}in the segment.\n",
        entity.key,
        if e.member { "" } else { "not " }
    );
    for node in &e.nodes {
        let what = phrase(checked, schema, &node.path);
        let _ = writeln!(out, "{}", node_line(node, &what));
    }
    if let Some(notice) = &e.notice {
        let _ = write!(out, "notice: {notice}");
    }
    out.trim_end().to_string()
}

fn crate_key(key: &Value) -> String {
    match key {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn node_line(node: &NodeVerdict, what: &str) -> String {
    let depth = node.path.matches("/children/").count();
    let mark = if node.met { "met    " } else { "not met" };
    let mut line = format!("{}{mark}  {what}", "  ".repeat(depth));
    if let Some(value) = &node.value {
        let _ = write!(line, "  (its value: {value})");
    }
    if let Some(r) = &node.related {
        let plural = if r.records == 1 { "" } else { "s" };
        let _ = write!(line, "  ({} related record{plural}", r.records);
        if let Some(a) = r.aggregate {
            let _ = write!(line, ", aggregate {a}");
        }
        if let Some(last) = &r.last_time {
            let _ = write!(line, ", latest {last}");
        }
        line.push(')');
    }
    line
}

/// A node in the words the English rendering uses for it (the segment's own sentence).
fn phrase(checked: &CheckedSegment, schema: &Schema, path: &str) -> String {
    if path == "/root" {
        return "the whole segment".to_string();
    }
    let entity = Some(checked.query.entity.name.as_str());
    segment_formats::english::node_phrase(&checked.segment, schema, entity, path)
        .unwrap_or_else(|_| path.to_string())
}

pub fn near_misses(args: NearMissArgs) -> Result<String, Failure> {
    let (service, segment, now) = open(&args.input, &args.now)?;
    let checked = check(&service, &args.input, segment, now)?;
    let found = segment_service::near_miss::near_misses(&service, &checked, &CancelToken::new())?;
    let words = near_miss_words(&found, &checked, service.schema());
    printed(args.json, &found, words)
}

fn near_miss_words(n: &NearMisses, checked: &CheckedSegment, schema: &Schema) -> String {
    let mut out = format!("{} of {} records match.\n", n.count, n.total);
    for node in &n.nodes {
        let what = phrase(checked, schema, &node.path);
        let _ = writeln!(out, "{what}: +{} without it", node.more_if_dropped);
        for curve in &node.curves {
            let points: Vec<String> = curve
                .points
                .iter()
                .map(|p| format!("{} → {}", p.value, p.count))
                .collect();
            let _ = writeln!(out, "    {}", points.join(", "));
        }
    }
    out.trim_end().to_string()
}
