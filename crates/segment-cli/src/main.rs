//! `segment-builder`: the Segment Builder core on the command line, for scripts and CI.
//!
//! Every command prints JSON on stdout. Errors go to stderr as `error: …` lines naming the file
//! and the place in it (line/column for malformed JSON, a JSON Pointer for a node), and the exit
//! status is non-zero: 1 for a failed command or an invalid segment, 2 for a malformed command
//! line.

mod audience;
mod count;
mod data;
mod declare;
mod formats;
mod insight;
mod io;
mod library;
mod members;
mod references;
mod segments;
mod snapshots;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use segment_model::canonical::DocumentFormat;
use segment_model::{Problem, Schema, Segment};
use segment_service::CheckedSegment;
use segment_source::{DemoOptions, DEFAULT_DEMO_PROFILES};
use segment_sql::SqlValue;
use serde_json::{json, Value};

#[derive(Parser)]
#[command(
    name = "segment-builder",
    version,
    about = "Build, check and count customer segments on local data"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// The PostgreSQL schema or Spark database of a `--data` address (default: public / the
    /// server's default).
    #[arg(long, global = true, value_name = "NAME")]
    schema: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Write the built-in demo data (profiles, events, orders) to a new SQLite file.
    Demo {
        /// The SQLite file to write (replaced if it exists).
        #[arg(long, value_name = "FILE.sqlite")]
        out: PathBuf,
        /// How many profiles (about 10 events each).
        #[arg(long, value_name = "N", default_value_t = DEFAULT_DEMO_PROFILES)]
        profiles: u64,
        /// The seed: the same seed and size give the same data.
        #[arg(long, value_name = "S", default_value_t = segment_source::demo::DEFAULT_DEMO_SEED)]
        seed: u64,
    },
    /// Print the schema of a SQLite file: entities, typed columns and relationships.
    Schema {
        #[arg(long, value_name = "FILE.sqlite")]
        data: PathBuf,
        /// Also every column's null share, distinct count, min/max or most frequent values
        /// (on a warehouse, a large table's estimated from a sample, and said so).
        #[arg(long)]
        stats: bool,
    },
    /// Import a CSV or NDJSON file as a table of a local data source (typed, indexed).
    Import(data::ImportArgs),
    /// Relate two tables (kept beside the data, never in it), or list relationships and proposals.
    Relate(data::RelateArgs),
    /// Declare what a column's values mean (epoch seconds/millis, ISO text, JSON arrays), or
    /// list the declared and proposed meanings.
    Declare(declare::DeclareArgs),
    /// The segment library: list, show, save, delete, history, diff, restore, export, import.
    Segments(segments::SegmentsArgs),
    /// Memberships of static segments: add, remove, import, export, freeze, evaluate, diff.
    Members(members::MembersArgs),
    /// Check a segment file against a data file's schema: `{"valid": true}` or its problems.
    Validate {
        #[command(flatten)]
        input: SegmentInput,
    },
    /// Count the records matching a segment: `{"count": N, "total": M}`.
    Count {
        #[command(flatten)]
        input: SegmentInput,
        #[command(flatten)]
        now: NowArg,
        /// Count with the in-memory engine (default) or with the generated SQL.
        #[arg(long, value_enum, default_value = "engine")]
        engine: count::Engine,
        /// Also print per-node counts (alone and without each node) and timings.
        #[arg(long)]
        explain: bool,
    },
    /// Sample matching records: the first N by key (or N at random), with the nodes each met.
    Sample {
        #[command(flatten)]
        input: SegmentInput,
        #[command(flatten)]
        now: NowArg,
        /// How many records.
        #[arg(long, short = 'n', default_value_t = 10)]
        n: usize,
        /// Pick at random with this seed instead of the first by key.
        #[arg(long, value_name = "SEED")]
        random: Option<u64>,
    },
    /// Exact overlap of 2–3 segments: every Venn region's count, and Jaccard indexes.
    Overlap {
        /// The data: a SQLite file (opened read-only), a `postgresql://` or an `sc://`
        /// address (with `--schema`).
        #[arg(long, value_name = "FILE.sqlite|URL")]
        data: PathBuf,
        /// A segment file (canonical or Census); give it 2 or 3 times.
        #[arg(long, value_name = "SEG.json", required = true)]
        segment: Vec<PathBuf>,
        #[arg(long, value_name = "NAME")]
        entity: Option<String>,
        #[command(flatten)]
        now: NowArg,
    },
    /// Write a segment in another format (SQL dialects, PQL, OData, ODP, Census, English…).
    Render(formats::RenderArgs),
    /// Translate a segment from one format to another.
    Convert(formats::ConvertArgs),
    /// The segment's size as of each day or week of a range, with records entered and left.
    Trend(insight::TrendArgs),
    /// Why one record (by its key) is or is not in the segment: every node met or not, with
    /// the values that decided it.
    ExplainRecord(insight::ExplainArgs),
    /// How many more records match without each condition, and the count as each threshold or
    /// time window moves.
    NearMisses(insight::NearMissArgs),
    /// The segment's members by an attribute or a related aggregate: top values, histograms or
    /// dates, each with its share of everyone and its lift.
    Breakdown(audience::BreakdownArgs),
    /// Split the members into named groups by percentages (holdouts), stably by a salted hash
    /// of each key; counts, balance, and exports of each group.
    Split(audience::SplitArgs),
    /// Priority tiers: each record in the first tier it matches; counts, what each tier lost to
    /// those above it, and exports of each tier.
    Tiers(audience::TiersArgs),
    /// The copies of local data files kept for fast starts (snapshots of the count engine's
    /// columns): list them with their sizes, or remove them with `--clear`. Plain text unless
    /// `--json`; `SEGMENT_BUILDER_SNAPSHOTS` names their folder (`off`: none kept).
    Snapshots(snapshots::SnapshotsArgs),
    /// Print the SQL that counts a segment (readable, and executable with its parameters).
    Sql {
        #[command(flatten)]
        input: SegmentInput,
        #[command(flatten)]
        now: NowArg,
        /// The SQL dialect (sqlite, postgres, spark, duckdb, bigquery, snowflake, ansi); by
        /// default the data source's own (PostgreSQL's for a postgresql:// address).
        #[arg(long, value_name = "NAME")]
        dialect: Option<String>,
    },
}

#[derive(clap::Args)]
struct SegmentInput {
    /// The data: a SQLite file (opened read-only), a `postgresql://` or an `sc://` address
    /// (with `--schema`).
    #[arg(long, value_name = "FILE.sqlite|URL")]
    data: PathBuf,
    /// The segment definition: canonical JSON or Census molecules (detected from the content).
    #[arg(long, value_name = "SEG.json")]
    segment: PathBuf,
    /// The base entity (table), when the segment file does not say or to override it.
    #[arg(long, value_name = "NAME")]
    entity: Option<String>,
    /// The segment library "is in segment" conditions refer to (see `segments --store`).
    #[command(flatten)]
    library: library::StoreArg,
}

#[derive(clap::Args)]
struct NowArg {
    /// "Now" for relative dates, ISO-8601 (`2026-11-01`, `2026-11-01T12:00:00Z`, offsets
    /// allowed); defaults to the current time.
    #[arg(long, value_name = "ISO-8601")]
    now: Option<String>,
}

/// A failure: the lines printed on stderr.
struct Failure(Vec<String>);

impl Failure {
    fn new(message: impl Into<String>) -> Self {
        Failure(vec![message.into()])
    }
}

impl From<segment_source::Error> for Failure {
    fn from(e: segment_source::Error) -> Self {
        Failure::new(e.to_string())
    }
}

impl From<segment_service::Error> for Failure {
    fn from(e: segment_service::Error) -> Self {
        match e {
            segment_service::Error::Invalid(problems) => {
                Failure(problems.iter().map(|p| p.to_string()).collect())
            }
            e => Failure::new(e.to_string()),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    data::set_warehouse_schema(cli.schema.clone());
    // render and convert print the document itself, not JSON.
    let command = match cli.command {
        Command::Render(args) => return formats::exit(formats::render(args)),
        Command::Convert(args) => return formats::exit(formats::convert(args)),
        Command::Trend(args) => return formats::exit(insight::trend(args)),
        Command::ExplainRecord(args) => return formats::exit(insight::explain_record(args)),
        Command::NearMisses(args) => return formats::exit(insight::near_misses(args)),
        Command::Breakdown(args) => return formats::exit(audience::breakdown(args)),
        Command::Split(args) => return formats::exit(audience::split(args)),
        Command::Tiers(args) => return formats::exit(audience::tiers(args)),
        Command::Snapshots(args) => return formats::exit(snapshots::run(args)),
        command => command,
    };
    match run(command) {
        Ok((output, code)) => {
            let text = serde_json::to_string_pretty(&output).unwrap_or_else(|_| output.to_string());
            match io::emit(&format!("{text}\n")) {
                ExitCode::SUCCESS => code,
                failed => failed,
            }
        }
        Err(Failure(lines)) => {
            for line in lines {
                eprintln!("error: {line}");
            }
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> Result<(Value, ExitCode), Failure> {
    match command {
        Command::Demo {
            out,
            profiles,
            seed,
        } => {
            let summary = segment_source::generate_demo(&out, DemoOptions { profiles, seed })?;
            let anchor = DateTime::from_timestamp(summary.anchor, 0).map(rfc3339);
            Ok((
                json!({
                    "path": out.display().to_string(),
                    "profiles": summary.profiles,
                    "events": summary.events,
                    "orders": summary.orders,
                    "bytes": summary.bytes,
                    "anchor": anchor,
                    "seconds": (summary.elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
                }),
                ExitCode::SUCCESS,
            ))
        }
        Command::Schema { data, stats } => data::schema(&data, stats),
        Command::Import(args) => data::import(args),
        Command::Relate(args) => data::relate(args),
        Command::Declare(args) => declare::declare(args),
        Command::Segments(args) => segments::run(args),
        Command::Members(args) => members::run(args),
        Command::Render(_)
        | Command::Convert(_)
        | Command::Trend(_)
        | Command::ExplainRecord(_)
        | Command::NearMisses(_)
        | Command::Breakdown(_)
        | Command::Split(_)
        | Command::Tiers(_)
        | Command::Snapshots(_) => unreachable!("handled in main"),
        Command::Validate { input } => {
            let service = data::service(&input.data)?;
            let schema = service.schema();
            let text = read_segment(&input.segment)?;
            let (segment, _) = match parse(&text, schema, input.entity.as_deref()) {
                Ok(parsed) => parsed,
                Err(problems) => return Ok(invalid(&problems)),
            };
            let references = references::gather(&segment, &input.library)?;
            let entity = input.entity.as_deref();
            let checked = CheckedSegment::check_in(segment, schema, entity, Utc::now(), references);
            match checked {
                Ok(_) => Ok((json!({ "valid": true }), ExitCode::SUCCESS)),
                Err(problems) => Ok(invalid(&problems)),
            }
        }
        Command::Count {
            input,
            now,
            engine,
            explain,
        } => count::run(&input, parse_now(&now)?, engine, explain),
        Command::Sample {
            input,
            now,
            n,
            random,
        } => count::sample(&input, parse_now(&now)?, n, random),
        Command::Overlap {
            data,
            segment,
            entity,
            now,
        } => count::overlap(&data, &segment, entity.as_deref(), parse_now(&now)?),
        Command::Sql {
            input,
            now,
            dialect,
        } => {
            let now = parse_now(&now)?;
            // The SQL the data source runs (its own dialect), unless another is asked for.
            let chosen = match dialect.as_deref() {
                Some(name) => {
                    segment_service::registry::SqlDialect::named(name).map_err(Failure::new)?
                }
                None => segment_service::Location::parse(&input.data.to_string_lossy())
                    .map_err(Failure::from)?
                    .sql_dialect(),
            };
            let query = load_query(&input, now)?.query;
            let (dialect, name) = (chosen.dialect(), dialect_name(chosen));
            let readable = segment_sql::display(&query, dialect).map_err(compile_failure)?;
            let statement = segment_sql::build(&query, dialect).map_err(compile_failure)?;
            let params: Vec<Value> = statement.params.iter().map(param_json).collect();
            Ok((
                json!({
                    "dialect": name,
                    "sql": readable,
                    "statement": { "sql": statement.sql, "params": params },
                    "now": DateTime::from_timestamp(query.now, 0).map(rfc3339),
                }),
                ExitCode::SUCCESS,
            ))
        }
    }
}

/// The dialect as `sql` prints it: `sqlite`, `postgresql`, `spark`, `duckdb`…
fn dialect_name(dialect: segment_service::registry::SqlDialect) -> &'static str {
    match dialect {
        segment_service::registry::SqlDialect::Postgres => "postgresql",
        other => other.entry().name.trim_start_matches("sql-"),
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Value, Failure> {
    serde_json::to_value(value).map_err(|e| Failure::new(format!("cannot print the result: {e}")))
}

fn compile_failure(e: segment_sql::Error) -> Failure {
    Failure::new(format!("cannot compile the segment to SQL: {e}"))
}

fn param_json(value: &SqlValue) -> Value {
    match value {
        SqlValue::Null => Value::Null,
        SqlValue::Integer(i) => json!(i),
        SqlValue::Real(f) => json!(f),
        SqlValue::Text(s) => json!(s),
    }
}

fn parse_now(arg: &NowArg) -> Result<DateTime<Utc>, Failure> {
    match &arg.now {
        None => Ok(Utc::now()),
        Some(text) => segment_model::time::parse_moment(text).map(|m| m.start()).ok_or_else(|| {
            Failure::new(format!(
                "--now {text:?} is not an ISO-8601 date or date-time (e.g. 2026-11-01 or 2026-11-01T12:00:00Z)"
            ))
        }),
    }
}

fn read_segment(path: &Path) -> Result<String, Failure> {
    io::read_text(path, "segment file", io::SEGMENT_FILE_LIMIT)
}

/// Parses either format; problems are located (line/column, or a JSON Pointer).
fn parse(
    text: &str,
    schema: &Schema,
    entity: Option<&str>,
) -> Result<(Segment, DocumentFormat), Vec<Problem>> {
    segment_formats::parse_any(text, schema, entity).map_err(|e| match e {
        segment_model::Error::Json {
            line,
            column,
            message,
        } => {
            vec![Problem::new(
                format!("line {line}, column {column}"),
                format!("not valid JSON: {message}"),
            )]
        }
        other => other.problems(),
    })
}

/// Opens the data, reads and checks the segment: the checked segment, or every problem, each
/// prefixed with the segment file's name.
fn load_query(input: &SegmentInput, now: DateTime<Utc>) -> Result<CheckedSegment, Failure> {
    let service = data::service(&input.data)?;
    let text = read_segment(&input.segment)?;
    let entity = input.entity.as_deref();
    let located_problems = |problems: Vec<Problem>| {
        Failure(
            problems
                .iter()
                .map(|p| located(&input.segment, p))
                .collect(),
        )
    };
    let (segment, _) = parse(&text, service.schema(), entity).map_err(located_problems)?;
    let references = references::gather(&segment, &input.library)?;
    CheckedSegment::check_in(segment, service.schema(), entity, now, references)
        .map_err(located_problems)
}

fn located(file: &Path, problem: &Problem) -> String {
    if problem.path.is_empty() {
        format!("{}: {}", file.display(), problem.message)
    } else {
        format!("{}: {}: {}", file.display(), problem.path, problem.message)
    }
}

/// `validate`'s answer for an invalid segment: every problem at its JSON Pointer.
fn invalid(problems: &[Problem]) -> (Value, ExitCode) {
    let listed: Vec<Value> = problems
        .iter()
        .map(|p| json!({ "path": p.path, "message": p.message }))
        .collect();
    (
        json!({ "valid": false, "problems": listed }),
        ExitCode::FAILURE,
    )
}
