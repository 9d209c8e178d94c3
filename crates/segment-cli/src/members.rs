//! `segment-builder members …`: memberships of static segments (add, remove, list, changes),
//! bulk membership commands (import, export), freezing a dynamic segment into a static one, and
//! evaluations with who entered and who left.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use segment_service::Members;
use segment_store::commands::{Format, OnError};
use segment_store::{
    parse_sort, AddOptions, CountInput, MembershipFilter, Operation, Paging, Status,
};
use serde_json::{json, Value};

use crate::library::{
    create_file, matching_members, open_data, query_of, resolve_now, store_failure, to_json,
    StoreArg,
};
use crate::segments::{parse_on_error, parse_status};
use crate::Failure;

#[derive(clap::Args)]
pub struct MembersArgs {
    #[command(flatten)]
    store: StoreArg,
    #[command(subcommand)]
    command: MembersCommand,
}

#[derive(Subcommand)]
enum MembersCommand {
    /// Add members to an ACTIVE STATIC segment.
    Add {
        id: String,
        members: Vec<String>,
        /// Also the identifiers in this file, one per line.
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
        /// When the memberships expire (ISO-8601); default never.
        #[arg(long, value_name = "ISO-8601")]
        expires: Option<String>,
        /// JSON kept with each membership.
        #[arg(long, value_name = "JSON")]
        data_bag: Option<String>,
    },
    /// Remove members: memberships become INACTIVE with dateRemoved; nothing is deleted.
    Remove {
        id: String,
        members: Vec<String>,
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
    },
    /// List a segment's memberships (paged).
    List {
        id: String,
        #[arg(long, value_parser = parse_status)]
        status: Option<Status>,
        /// `individualIdentifier`, `dateCreated`, `dateRemoved`, `status`, `expiresAt` with `:asc`/`:desc`.
        #[arg(long, value_name = "FIELD:DIR")]
        sort: Option<String>,
        #[arg(long, default_value_t = 0)]
        page: u64,
        #[arg(long, default_value_t = 20)]
        size: u64,
    },
    /// The membership-change log (ADDED/REMOVED, dateChanged, dateFirst, individualsCount).
    Changes {
        id: String,
        /// ADDED or REMOVED only.
        #[arg(long)]
        operation: Option<String>,
        #[arg(long, default_value_t = 0)]
        page: u64,
        #[arg(long, default_value_t = 20)]
        size: u64,
    },
    /// Apply a file of UPDATE/DELETE membership commands (NDJSON or CSV).
    Import {
        file: PathBuf,
        /// ndjson or csv (default from the extension).
        #[arg(long)]
        format: Option<String>,
        /// abort: any bad line applies nothing; skip: apply every good line.
        #[arg(long, value_parser = parse_on_error, default_value = "abort")]
        on_error: OnError,
    },
    /// Write a segment's members as UPDATE commands (re-importable), or its memberships.
    Export {
        id: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// ndjson or csv (default from the extension).
        #[arg(long)]
        format: Option<String>,
        /// Every membership record (ACTIVE and INACTIVE, with dates) instead of commands.
        #[arg(long)]
        memberships: bool,
    },
    /// Turn the current result of a dynamic segment into a new static segment.
    Freeze {
        id: String,
        /// The new static segment's id.
        #[arg(long, value_name = "NEW_ID")]
        into: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, value_name = "FILE.sqlite")]
        data: PathBuf,
        #[arg(long, value_name = "ISO-8601")]
        now: Option<String>,
    },
    /// Evaluate a segment on data and keep its members as a snapshot (for `members diff`).
    Evaluate {
        id: String,
        #[arg(long, value_name = "FILE.sqlite")]
        data: PathBuf,
        #[arg(long, value_name = "ISO-8601")]
        now: Option<String>,
    },
    /// The evaluations of a segment.
    Evaluations { id: String },
    /// Who entered and who left between two evaluations.
    Diff {
        from: i64,
        to: i64,
        /// At most this many identifiers of each side.
        #[arg(long, default_value_t = 100)]
        limit: u64,
    },
}

fn identifiers(members: Vec<String>, file: Option<PathBuf>) -> Result<Vec<String>, Failure> {
    let mut all = members;
    if let Some(file) = file {
        let text = crate::io::read_text(&file, "member file", crate::io::COMMAND_FILE_LIMIT)?;
        all.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string),
        );
    }
    if all.is_empty() {
        return Err(Failure::new("no members given: list them or use --file"));
    }
    Ok(all)
}

fn format_of(format: Option<&str>, path: &std::path::Path) -> Result<Format, Failure> {
    match format {
        Some(f) => Format::parse(f).map_err(|e| Failure::new(format!("--format: {e}"))),
        None => Ok(Format::from_path(path)),
    }
}

/// The members a stored segment has on `data` now, and the count to record with them.
fn evaluate(
    record: &segment_store::SegmentRecord,
    data: &std::path::Path,
    now: Option<&str>,
    store: &mut segment_store::Store,
) -> Result<(Vec<String>, CountInput), Failure> {
    let service = open_data(data)?;
    let now = resolve_now(now, &service)?;
    let checked = query_of(record, &service, now, store)?;
    let Members { ids, total } = matching_members(&service, &checked)?;
    let input = CountInput {
        count: ids.len() as u64,
        total: Some(total),
        data_source: Some(data.display().to_string()),
        as_of: Some(segment_store::stamp(now)),
    };
    Ok((ids, input))
}

pub fn run(args: MembersArgs) -> Result<(Value, ExitCode), Failure> {
    let (mut store, path) = args.store.open()?;
    let fail = |e| store_failure(&path, e);
    let ok = |v: Value| Ok((v, ExitCode::SUCCESS));
    match args.command {
        MembersCommand::Add {
            id,
            members,
            file,
            expires,
            data_bag,
        } => {
            let members = identifiers(members, file)?;
            let options = AddOptions {
                expires_at: expires,
                data_bag,
            };
            ok(to_json(
                &store.add_members(&id, &members, &options).map_err(fail)?,
            )?)
        }
        MembersCommand::Remove { id, members, file } => {
            let members = identifiers(members, file)?;
            ok(to_json(
                &store.remove_members(&id, &members).map_err(fail)?,
            )?)
        }
        MembersCommand::List {
            id,
            status,
            sort,
            page,
            size,
        } => {
            let sort = sort
                .as_deref()
                .map(parse_sort)
                .transpose()
                .map_err(|e| Failure::new(format!("--sort: {e}")))?;
            let filter = MembershipFilter {
                status,
                sort,
                page: Some(page),
                size: Some(size),
            };
            ok(to_json(&store.memberships(&id, &filter).map_err(fail)?)?)
        }
        MembersCommand::Changes {
            id,
            operation,
            page,
            size,
        } => {
            let operation = operation
                .as_deref()
                .map(Operation::parse)
                .transpose()
                .map_err(|e| Failure::new(format!("--operation: {e}")))?;
            ok(to_json(
                &store
                    .membership_changes(&id, operation, Paging { page, size })
                    .map_err(fail)?,
            )?)
        }
        MembersCommand::Import {
            file,
            format,
            on_error,
        } => {
            let format = format_of(format.as_deref(), &file)?;
            let text = crate::io::read_text(&file, "command file", crate::io::COMMAND_FILE_LIMIT)?;
            let report = store
                .import_commands(&text, format, &file.display().to_string(), on_error)
                .map_err(fail)?;
            for p in &report.skipped {
                eprintln!("skipped: {p}");
            }
            ok(to_json(&report)?)
        }
        MembersCommand::Export {
            id,
            out,
            format,
            memberships,
        } => {
            let format = format_of(format.as_deref(), &out)?;
            let mut file = create_file(&out)?;
            let n = if memberships {
                store
                    .export_memberships(&id, format, &mut file)
                    .map_err(fail)?
            } else {
                store
                    .export_commands(&id, format, &mut file)
                    .map_err(fail)?
            };
            file.flush()
                .map_err(|e| Failure::new(format!("cannot write {}: {e}", out.display())))?;
            ok(
                json!({ "id": id.to_ascii_lowercase(), "lines": n, "path": out.display().to_string() }),
            )
        }
        MembersCommand::Freeze {
            id,
            into,
            name,
            data,
            now,
        } => {
            let started = std::time::Instant::now();
            let record = store.get(&id).map_err(fail)?;
            let (members, input) = evaluate(&record, &data, now.as_deref(), &mut store)?;
            let evaluated = started.elapsed();
            let outcome = store
                .freeze(&id, &into, name.as_deref(), &members, &input)
                .map_err(fail)?;
            ok(json!({
                "from": record.id,
                "fromRevision": record.revision,
                "id": outcome.id,
                "individualCount": outcome.individual_count,
                "evaluateSeconds": evaluated.as_secs_f64(),
                "totalSeconds": started.elapsed().as_secs_f64(),
            }))
        }
        MembersCommand::Evaluate { id, data, now } => {
            let record = store.get(&id).map_err(fail)?;
            let (members, input) = evaluate(&record, &data, now.as_deref(), &mut store)?;
            ok(to_json(
                &store
                    .record_evaluation(&id, &members, &input)
                    .map_err(fail)?,
            )?)
        }
        MembersCommand::Evaluations { id } => ok(to_json(&store.evaluations(&id).map_err(fail)?)?),
        MembersCommand::Diff { from, to, limit } => ok(to_json(
            &store.evaluation_diff(from, to, limit).map_err(fail)?,
        )?),
    }
}
