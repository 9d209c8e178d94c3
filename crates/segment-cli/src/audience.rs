//! `segment-builder breakdown`, `split` and `tiers`: who the members are, holdouts with a stable
//! assignment, and priority tiers. Adapters over `segment-service::audience`, as the app's
//! audience views are. Words for people by default; `--json` prints the service's result.
//! Groups and tiers are exported as membership files (`--out-dir`, bulk UPDATE commands a
//! static segment imports) or frozen into static segments of the library (`--freeze`).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use segment_service::audience::{
    Breakdown, BreakdownOptions, Dimension, Period, SplitGroup, SplitRequest, SplitResult, Tiers,
};
use segment_service::{CheckedSegment, Prefer, Service};
use segment_source::CancelToken;
use segment_store::{CountInput, Store};

use crate::library::{create_file, query_of, store_failure, StoreArg};
use crate::{count::Engine, data, parse, read_segment, Failure, NowArg};

/// A segment from a file or from the library.
#[derive(clap::Args)]
pub struct AudienceInput {
    /// The data: a SQLite file (opened read-only), a `postgresql://` or an `sc://` address
    /// (with `--schema`), where breakdowns and splits are computed.
    #[arg(long, value_name = "FILE.sqlite|URL")]
    data: PathBuf,
    /// A segment file (canonical JSON or Census molecules).
    #[arg(
        long,
        value_name = "SEG.json",
        conflicts_with = "id",
        required_unless_present = "id"
    )]
    segment: Option<PathBuf>,
    /// A segment of the library, by id.
    #[arg(long, value_name = "ID")]
    id: Option<String>,
    /// The base entity (table), when the segment does not say or to override it.
    #[arg(long, value_name = "NAME")]
    entity: Option<String>,
    #[command(flatten)]
    now: NowArg,
    #[command(flatten)]
    store: StoreArg,
    /// Compute with the in-memory engine (default) or with the generated SQL.
    #[arg(long, value_enum, default_value = "engine")]
    engine: Engine,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct BreakdownArgs {
    #[command(flatten)]
    input: AudienceInput,
    /// An attribute (`country`) or a related aggregate (`orders.count`, `orders.sum(total)`,
    /// `orders.max(placed_at)`).
    #[arg(long, value_name = "DIMENSION")]
    by: String,
    /// Values listed by name before "Other".
    #[arg(long, value_name = "N", default_value_t = 10)]
    top: u32,
    /// Rank values by lift against everyone (the most distinguishing first).
    #[arg(long)]
    by_lift: bool,
    /// Dates by week, month or year (default: what suits the range).
    #[arg(long, value_name = "week|month|year")]
    period: Option<String>,
    /// About how many histogram bars.
    #[arg(long, value_name = "N", default_value_t = 12)]
    bins: u32,
}

#[derive(clap::Args)]
pub struct SplitArgs {
    #[command(flatten)]
    input: AudienceInput,
    /// A group as NAME=PERCENT (two decimals at most); give it 2 or more times, summing to 100.
    #[arg(long = "group", value_name = "NAME=PERCENT", required = true)]
    groups: Vec<String>,
    /// The salt kept with the split: the same salt gives every member the same group.
    #[arg(long, value_name = "TEXT")]
    salt: String,
    /// An attribute whose balance between the groups is reported (repeatable).
    #[arg(long, value_name = "DIMENSION")]
    balance: Vec<String>,
    /// Write each group's members to DIR/<group>.ndjson (or .csv with --format csv).
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    #[arg(long, value_name = "ndjson|csv", default_value = "ndjson")]
    format: String,
    /// Freeze each group into a static segment PREFIX_<group> of the library (needs --id).
    #[arg(long, value_name = "PREFIX")]
    freeze: Option<String>,
}

#[derive(clap::Args)]
pub struct TiersArgs {
    /// The data: a SQLite file (opened read-only), a `postgresql://` or an `sc://` address
    /// (with `--schema`), where each tier's records are found.
    #[arg(long, value_name = "FILE.sqlite|URL")]
    data: PathBuf,
    /// A tier, highest priority first: a library segment id or a segment file (repeatable).
    #[arg(long = "tier", value_name = "ID|SEG.json", required = true)]
    tiers: Vec<String>,
    #[arg(long, value_name = "NAME")]
    entity: Option<String>,
    #[command(flatten)]
    now: NowArg,
    #[command(flatten)]
    store: StoreArg,
    #[arg(long, value_enum, default_value = "engine")]
    engine: Engine,
    #[arg(long)]
    json: bool,
    /// Write each tier's members to DIR/<tier>.ndjson (or .csv with --format csv).
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    #[arg(long, value_name = "ndjson|csv", default_value = "ndjson")]
    format: String,
    /// Freeze each library tier into a static segment PREFIX_<tier id>.
    #[arg(long, value_name = "PREFIX")]
    freeze: Option<String>,
}

fn prefer(engine: Engine) -> Prefer {
    match engine {
        Engine::Engine => Prefer::Engine,
        Engine::Sql => Prefer::Sql,
    }
}

/// "Now": the flag, else the data's own (the demo data's end), else the clock.
fn now_of(now: &NowArg, service: &Service) -> Result<DateTime<Utc>, Failure> {
    Ok(segment_service::resolve_now(
        now.now.as_deref(),
        service.backend().default_now(),
    )?)
}

/// A segment file read and checked, its problems located in the file.
fn from_file(
    service: &Service,
    file: &Path,
    entity: Option<&str>,
    now: DateTime<Utc>,
    store: &StoreArg,
) -> Result<CheckedSegment, Failure> {
    let located = |p: Vec<segment_model::Problem>| {
        Failure(p.iter().map(|p| crate::located(file, p)).collect())
    };
    let text = read_segment(file)?;
    let (segment, _) = parse(&text, service.schema(), entity).map_err(located)?;
    let references = crate::references::gather(&segment, store)?;
    CheckedSegment::check_in(segment, service.schema(), entity, now, references).map_err(located)
}

/// A library segment checked against the data.
fn from_library(
    service: &Service,
    store: &mut Store,
    path: &Path,
    id: &str,
    now: DateTime<Utc>,
) -> Result<CheckedSegment, Failure> {
    let record = store.get(id).map_err(|e| store_failure(path, e))?;
    query_of(&record, service, now, store)
}

fn checked(input: &AudienceInput) -> Result<(Service, CheckedSegment), Failure> {
    let service = data::service(&input.data)?;
    let now = now_of(&input.now, &service)?;
    let checked = match (&input.segment, &input.id) {
        (Some(file), _) => from_file(&service, file, input.entity.as_deref(), now, &input.store)?,
        (None, Some(id)) => {
            let (mut store, path) = input.store.open()?;
            from_library(&service, &mut store, &path, id, now)?
        }
        (None, None) => return Err(Failure::new("give --segment FILE or --id ID")),
    };
    Ok((service, checked))
}

fn printed<T: serde::Serialize>(json: bool, value: &T, words: String) -> Result<String, Failure> {
    if json {
        serde_json::to_string_pretty(value)
            .map_err(|e| Failure::new(format!("cannot print the result: {e}")))
    } else {
        Ok(words)
    }
}

fn notice(notice: &Option<String>) {
    if let Some(why) = notice {
        eprintln!("notice: {why}");
    }
}

pub fn breakdown(args: BreakdownArgs) -> Result<String, Failure> {
    let (service, checked) = checked(&args.input)?;
    let period = match args.period.as_deref() {
        None => None,
        Some("week") => Some(Period::Week),
        Some("month") => Some(Period::Month),
        Some("year") => Some(Period::Year),
        Some(other) => {
            return Err(Failure::new(format!(
                "--period {other:?}: use week, month or year"
            )))
        }
    };
    let options = BreakdownOptions {
        top: Some(args.top),
        period,
        bins: Some(args.bins),
        by_lift: args.by_lift,
    };
    let dimension = Dimension::parse(&args.by)?;
    let result = service.breakdown(
        &checked,
        &dimension,
        &options,
        prefer(args.input.engine),
        &CancelToken::new(),
    )?;
    notice(&result.notice);
    printed(args.input.json, &result, breakdown_words(&result))
}

fn percent(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

fn breakdown_words(b: &Breakdown) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} of {} records by {}", b.count, b.total, b.dimension);
    let width = b
        .rows
        .iter()
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 40);
    let _ = writeln!(
        out,
        "{:<width$} {:>10} {:>8} {:>10} {:>8} {:>6}",
        "value", "members", "share", "everyone", "share", "lift"
    );
    for r in &b.rows {
        let lift = r.lift.map_or("".into(), |l| format!("{l:.2}"));
        let _ = writeln!(
            out,
            "{:<width$} {:>10} {:>8} {:>10} {:>8} {:>6}",
            r.label,
            r.count,
            percent(r.share),
            r.base,
            percent(r.base_share),
            lift
        );
    }
    out
}

fn parse_groups(groups: &[String]) -> Result<Vec<SplitGroup>, Failure> {
    groups
        .iter()
        .map(|g| {
            let (name, percent) = g.rsplit_once('=').ok_or_else(|| {
                Failure::new(format!(
                    "--group {g:?}: write NAME=PERCENT, like holdout=10"
                ))
            })?;
            let percent = percent
                .trim()
                .trim_end_matches('%')
                .parse::<f64>()
                .map_err(|_| {
                    Failure::new(format!("--group {g:?}: {percent:?} is not a percentage"))
                })?;
            Ok(SplitGroup {
                name: name.trim().to_string(),
                percent,
            })
        })
        .collect()
}

pub fn split(args: SplitArgs) -> Result<String, Failure> {
    let (service, checked) = checked(&args.input)?;
    let request = SplitRequest {
        groups: parse_groups(&args.groups)?,
        salt: args.salt.clone(),
        balance: args
            .balance
            .iter()
            .map(|b| Dimension::parse(b))
            .collect::<Result<_, _>>()?,
    };
    let token = CancelToken::new();
    let prefer = prefer(args.input.engine);
    let result = service.split(&checked, &request, prefer, &token)?;
    notice(&result.notice);
    let mut words = split_words(&result);
    if args.out_dir.is_some() || args.freeze.is_some() {
        let lists = service.split_members(&checked, &request, prefer, &token)?;
        let names: Vec<String> = result.groups.iter().map(|g| g.name.clone()).collect();
        let source = args.input.id.as_deref();
        words.push_str(&export(
            &names,
            &lists,
            args.out_dir.as_deref(),
            &args.format,
            args.freeze
                .as_deref()
                .map(|p| (p, source, &args.input.store)),
            &service,
            &checked,
        )?);
    }
    printed(args.input.json, &result, words)
}

fn split_words(s: &SplitResult) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} members split with salt {:?}", s.count, s.salt);
    for g in &s.groups {
        let _ = writeln!(
            out,
            "{:<20} {:>7}% {:>10}   buckets {}-{}",
            g.name,
            g.percent,
            g.count,
            g.first_bucket,
            g.end_bucket - 1
        );
    }
    if !s.balance.is_empty() {
        let _ = writeln!(
            out,
            "balance (largest standardised difference between groups):"
        );
        for b in &s.balance {
            let d = b.difference.map_or("-".into(), |d| format!("{d:.3}"));
            let verdict = if b.balanced { "balanced" } else { "imbalanced" };
            let _ = writeln!(out, "  {:<30} {:>7}  {verdict}", b.attribute, d);
        }
    }
    out
}

/// A file or segment name from a group's name: lowercase letters, digits and `_`.
fn slug(name: &str) -> String {
    let mut s: String = name
        .trim()
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
        s.insert(0, 'g');
    }
    s
}

/// Writes each list as a membership file and/or freezes it into a static segment.
fn export(
    names: &[String],
    lists: &[Vec<String>],
    out_dir: Option<&Path>,
    format: &str,
    freeze: Option<(&str, Option<&str>, &StoreArg)>,
    service: &Service,
    checked: &CheckedSegment,
) -> Result<String, Failure> {
    let mut out = String::new();
    if let Some(dir) = out_dir {
        let csv = match format {
            "csv" => true,
            "ndjson" => false,
            other => {
                return Err(Failure::new(format!(
                    "--format {other:?}: use ndjson or csv"
                )))
            }
        };
        std::fs::create_dir_all(dir)
            .map_err(|e| Failure::new(format!("cannot create {}: {e}", dir.display())))?;
        for (name, members) in names.iter().zip(lists) {
            let id = slug(name);
            let path = dir.join(format!("{id}.{}", if csv { "csv" } else { "ndjson" }));
            write_members(&path, &id, members, csv)?;
            let _ = writeln!(out, "wrote {} ({} members)", path.display(), members.len());
        }
    }
    if let Some((prefix, source, store)) = freeze {
        let source = source
            .ok_or_else(|| Failure::new("--freeze needs the segment from the library (--id)"))?;
        let (mut store, path) = store.open()?;
        for (name, members) in names.iter().zip(lists) {
            let id = format!("{}_{}", slug(prefix), slug(name));
            freeze_into(
                &mut store, &path, source, &id, name, members, service, checked,
            )?;
            let _ = writeln!(out, "froze {id} ({} members)", members.len());
        }
    }
    Ok(out)
}

/// Bulk UPDATE commands, one member a line, that `members import` applies to segment `id`.
fn write_members(path: &Path, id: &str, members: &[String], csv: bool) -> Result<(), Failure> {
    let mut file = create_file(path)?;
    let fail = |e: std::io::Error| Failure::new(format!("cannot write {}: {e}", path.display()));
    if csv {
        writeln!(file, "operation,segment_id,user_account_id").map_err(fail)?;
    }
    for m in members {
        if csv {
            let line = segment_store::commands::csv_line(&["UPDATE", id, m]).map_err(fail)?;
            file.write_all(&line).map_err(fail)?;
        } else {
            let line =
                serde_json::json!({"operation": "UPDATE", "segment_id": id, "user_account_id": m});
            writeln!(file, "{line}").map_err(fail)?;
        }
    }
    file.flush().map_err(fail)
}

#[allow(clippy::too_many_arguments)]
fn freeze_into(
    store: &mut Store,
    path: &Path,
    source: &str,
    id: &str,
    name: &str,
    members: &[String],
    service: &Service,
    checked: &CheckedSegment,
) -> Result<(), Failure> {
    let input = CountInput {
        count: members.len() as u64,
        total: service.backend().total(&checked.query.entity.name).ok(),
        data_source: Some(service.backend().location()),
        as_of: Some(segment_store::stamp(checked.now)),
    };
    let label = format!("{source}: {name}");
    store
        .freeze(source, id, Some(&label), members, &input)
        .map_err(|e| store_failure(path, e))?;
    Ok(())
}

pub fn tiers(args: TiersArgs) -> Result<String, Failure> {
    let service = data::service(&args.data)?;
    let now = now_of(&args.now, &service)?;
    let mut library: Option<(Store, PathBuf)> = None;
    let mut tiers = Vec::new();
    let mut ids = Vec::new();
    for tier in &args.tiers {
        let file = Path::new(tier);
        let checked = if file.exists() {
            ids.push(None);
            from_file(&service, file, args.entity.as_deref(), now, &args.store)?
        } else {
            if library.is_none() {
                library = Some(args.store.open()?);
            }
            let (store, path) = library.as_mut().ok_or_else(|| Failure::new("no library"))?;
            ids.push(Some(tier.clone()));
            from_library(&service, store, path, tier, now)?
        };
        tiers.push((tier.clone(), checked));
    }
    let token = CancelToken::new();
    let prefer = prefer(args.engine);
    let result = service.tiers(&tiers, prefer, &token)?;
    notice(&result.notice);
    let mut words = tiers_words(&result);
    if args.out_dir.is_some() || args.freeze.is_some() {
        let lists = service.tier_members(&tiers, prefer, &token)?;
        let names: Vec<String> = ids
            .iter()
            .zip(&args.tiers)
            .map(|(id, tier)| {
                id.clone().unwrap_or_else(|| {
                    Path::new(tier)
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_else(|| tier.clone())
                })
            })
            .collect();
        words.push_str(&export(
            &names,
            &lists,
            args.out_dir.as_deref(),
            &args.format,
            None,
            &service,
            &tiers[0].1,
        )?);
        if let Some(prefix) = &args.freeze {
            let (mut store, path) = match library.take() {
                Some(opened) => opened,
                None => args.store.open()?,
            };
            for ((id, members), (_, checked)) in ids.iter().zip(&lists).zip(&tiers) {
                let source = id.as_deref().ok_or_else(|| {
                    Failure::new("--freeze needs every tier from the library (ids, not files)")
                })?;
                let new_id = format!("{}_{}", slug(prefix), slug(source));
                freeze_into(
                    &mut store, &path, source, &new_id, "tier", members, &service, checked,
                )?;
                let _ = writeln!(words, "froze {new_id} ({} members)", members.len());
            }
        }
    }
    printed(args.json, &result, words)
}

fn tiers_words(t: &Tiers) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} of {} records are in a tier", t.union, t.total);
    let _ = writeln!(
        out,
        "{:<4} {:<30} {:>10} {:>10} {:>10}",
        "#", "tier", "matches", "keeps", "lost"
    );
    for (i, tier) in t.tiers.iter().enumerate() {
        let _ = writeln!(
            out,
            "{:<4} {:<30} {:>10} {:>10} {:>10}",
            i + 1,
            tier.name,
            tier.matched,
            tier.count,
            tier.lost
        );
        for (j, lost) in tier.lost_to.iter().enumerate().filter(|(_, l)| **l > 0) {
            let _ = writeln!(out, "{:<4}   {lost} to {}", "", t.tiers[j].name);
        }
    }
    out
}
