//! `segment-builder segments …`: the segment library on the command line (list, show, save,
//! delete, history, diff, restore, count, export, import).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use segment_model::canonical;
use segment_service::{CheckedSegment, NodeCounts, Prefer};
use segment_source::CancelToken;
use segment_source::DataSource;
use segment_sql::Sqlite;
use segment_store::commands::{csv_line, OnError};
use segment_store::{
    parse_sort, Author, CountInput, ListQuery, Paging, Scope, SegmentDraft, SegmentRecord,
    SegmentType, SortField, Status,
};
use serde_json::{json, Map, Value};

use crate::library::{
    create_file, open_data, query_of, resolve_now, store_failure, to_json, StoreArg,
};
use crate::Failure;

#[derive(clap::Args)]
pub struct SegmentsArgs {
    #[command(flatten)]
    store: StoreArg,
    #[command(subcommand)]
    command: SegmentsCommand,
}

#[derive(Subcommand)]
enum SegmentsCommand {
    /// List segments: search by name, filter, sort, page (`{"items": […], "page": {…}}`).
    List {
        /// Case-insensitive part of the name or id.
        #[arg(long)]
        search: Option<String>,
        #[arg(long, value_parser = parse_status)]
        status: Option<Status>,
        #[arg(long = "type", value_parser = parse_type)]
        segment_type: Option<SegmentType>,
        #[arg(long, value_parser = parse_scope)]
        scope: Option<Scope>,
        /// The author's identifier or name.
        #[arg(long)]
        author: Option<String>,
        #[arg(long)]
        entity: Option<String>,
        #[arg(long, value_name = "ISO-8601")]
        modified_after: Option<String>,
        #[arg(long, value_name = "ISO-8601")]
        modified_before: Option<String>,
        #[arg(long, value_name = "ISO-8601")]
        created_after: Option<String>,
        #[arg(long, value_name = "ISO-8601")]
        created_before: Option<String>,
        /// `FIELD[:asc|:desc]`, repeatable (name, dateModified, recordCount, revision…).
        #[arg(long, value_name = "FIELD:DIR")]
        sort: Vec<String>,
        /// Page number, from 0.
        #[arg(long, default_value_t = 0)]
        page: u64,
        #[arg(long, default_value_t = 20)]
        size: u64,
    },
    /// Print a segment (or one of its past revisions).
    Show {
        id: String,
        #[arg(long)]
        revision: Option<i64>,
    },
    /// Create a segment (revision 0) or update it (revision + 1); unset options keep their value.
    Save {
        id: String,
        /// The definition: canonical JSON or Census molecules (Census needs --data).
        #[arg(long, value_name = "SEG.json")]
        file: Option<PathBuf>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long = "type", value_parser = parse_type)]
        segment_type: Option<SegmentType>,
        #[arg(long, value_parser = parse_status)]
        status: Option<Status>,
        #[arg(long, value_parser = parse_scope)]
        scope: Option<Scope>,
        #[arg(long)]
        author_id: Option<String>,
        #[arg(long)]
        author_name: Option<String>,
        /// The base entity (table).
        #[arg(long)]
        entity: Option<String>,
        /// The data the segment is built on: checked against its schema before saving, and
        /// recorded as the segment's data source.
        #[arg(long, value_name = "FILE.sqlite")]
        data: Option<PathBuf>,
        /// Fail unless the stored revision is this one (someone else saved meanwhile).
        #[arg(long, value_name = "N")]
        if_revision: Option<i64>,
    },
    /// Delete a segment (its history stays; `restore` brings it back). Prints the remaining ids.
    Delete { id: String },
    /// Every revision of a segment, oldest first, and its count history.
    History { id: String },
    /// What changed between two revisions (default: FROM to the current one).
    Diff {
        id: String,
        from: i64,
        to: Option<i64>,
    },
    /// Make an old revision current again, as a new revision.
    Restore {
        id: String,
        revision: i64,
        #[arg(long, value_name = "N")]
        if_revision: Option<i64>,
    },
    /// Count a segment on data and record the count in its history.
    Count {
        id: String,
        #[arg(long, value_name = "FILE.sqlite")]
        data: PathBuf,
        /// "Now" for relative dates (default: the demo data's anchor, or the clock).
        #[arg(long, value_name = "ISO-8601")]
        now: Option<String>,
    },
    /// Export segments as canonical JSON files (one per segment), or a segment's matching records.
    Export {
        /// The segments (default with --all: every one).
        ids: Vec<String>,
        #[arg(long)]
        all: bool,
        /// Where: a folder for definitions; a file for --records.
        #[arg(long, value_name = "PATH")]
        out: PathBuf,
        /// Also write `<id>.sql`, rendered against --data's schema.
        #[arg(long)]
        sql: bool,
        /// Export the records matching the segment (needs --data), not its definition.
        #[arg(long)]
        records: bool,
        #[arg(long, value_name = "FILE.sqlite")]
        data: Option<PathBuf>,
        /// Records format: csv or ndjson (default from --out's extension).
        #[arg(long)]
        format: Option<String>,
        #[arg(long, value_name = "ISO-8601")]
        now: Option<String>,
    },
    /// Import segment files or folders of them; differing segments are reported as conflicts.
    Import {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Save conflicting files as new revisions instead of reporting them.
        #[arg(long)]
        overwrite: bool,
        /// abort: a malformed file imports nothing; skip: import the others.
        #[arg(long, value_parser = parse_on_error, default_value = "abort")]
        on_error: OnError,
    },
}

pub fn parse_status(s: &str) -> Result<Status, String> {
    Status::parse(s).map_err(|e| e.to_string())
}
pub fn parse_type(s: &str) -> Result<SegmentType, String> {
    SegmentType::parse(s).map_err(|e| e.to_string())
}
pub fn parse_scope(s: &str) -> Result<Scope, String> {
    Scope::parse(s).map_err(|e| e.to_string())
}
pub fn parse_on_error(s: &str) -> Result<OnError, String> {
    match s {
        "abort" => Ok(OnError::Abort),
        "skip" => Ok(OnError::Skip),
        _ => Err(format!("{s:?} is not abort or skip")),
    }
}

pub fn run(args: SegmentsArgs) -> Result<(Value, ExitCode), Failure> {
    let (mut store, path) = args.store.open()?;
    let fail = |e| store_failure(&path, e);
    let ok = |v: Value| Ok((v, ExitCode::SUCCESS));
    match args.command {
        SegmentsCommand::List {
            search,
            status,
            segment_type,
            scope,
            author,
            entity,
            modified_after,
            modified_before,
            created_after,
            created_before,
            sort,
            page,
            size,
        } => {
            let query = ListQuery {
                search,
                status,
                segment_type,
                scope,
                author,
                entity,
                modified_after,
                modified_before,
                created_after,
                created_before,
                sort: sort_keys(&sort)?,
                page: Some(page),
                size: Some(size),
            };
            ok(to_json(&store.list(&query).map_err(fail)?)?)
        }
        SegmentsCommand::Show { id, revision } => match revision {
            Some(n) => ok(to_json(&store.revision(&id, n).map_err(fail)?)?),
            None => ok(to_json(&store.get(&id).map_err(fail)?)?),
        },
        SegmentsCommand::Save {
            id,
            file,
            name,
            description,
            segment_type,
            status,
            scope,
            author_id,
            author_name,
            entity,
            data,
            if_revision,
        } => {
            let definition = file
                .as_deref()
                .map(|file| read_definition(file, data.as_deref(), entity.as_deref(), &mut store))
                .transpose()?;
            let author = (author_id.is_some() || author_name.is_some()).then_some(Author {
                identifier: author_id,
                name: author_name,
            });
            let draft = SegmentDraft {
                id,
                name,
                description,
                segment_type,
                status,
                scope,
                author,
                entity,
                data_source: data.map(|d| d.display().to_string()),
                definition,
                expected_revision: if_revision,
            };
            ok(to_json(&store.save(&draft).map_err(fail)?)?)
        }
        SegmentsCommand::Delete { id } => {
            let ids = store.delete(&id).map_err(fail)?;
            ok(json!({ "segment_ids": ids }))
        }
        SegmentsCommand::History { id } => {
            let revisions = store.history(&id).map_err(fail)?;
            let counts = store
                .count_history(
                    &id,
                    Paging {
                        page: 0,
                        size: segment_store::MAX_PAGE_SIZE,
                    },
                )
                .map_err(fail)?;
            ok(
                json!({ "id": id.to_ascii_lowercase(), "revisions": to_json(&revisions)?, "counts": to_json(&counts.items)? }),
            )
        }
        SegmentsCommand::Diff { id, from, to } => {
            let to = match to {
                Some(to) => to,
                None => store
                    .history(&id)
                    .map_err(fail)?
                    .last()
                    .map(|r| r.revision)
                    .unwrap_or(0),
            };
            ok(to_json(&store.diff(&id, from, to).map_err(fail)?)?)
        }
        SegmentsCommand::Restore {
            id,
            revision,
            if_revision,
        } => ok(to_json(
            &store.restore(&id, revision, if_revision).map_err(fail)?,
        )?),
        SegmentsCommand::Count { id, data, now } => {
            let record = store.get(&id).map_err(fail)?;
            let input = count_on(&record, &data, now.as_deref(), &mut store)?;
            ok(to_json(&store.record_count(&id, &input).map_err(fail)?)?)
        }
        SegmentsCommand::Export {
            ids,
            all,
            out,
            sql,
            records,
            data,
            format,
            now,
        } => {
            if records {
                return export_matching_records(&mut store, &path, &ids, data, format, now, &out);
            }
            export_definitions(&mut store, &path, &ids, all, &out, sql, data, now)
        }
        SegmentsCommand::Import {
            paths,
            overwrite,
            on_error,
        } => {
            let report = store
                .import_files(&paths, overwrite, on_error)
                .map_err(fail)?;
            imported(report)
        }
    }
}

/// The count of a stored segment on `data` now, to record.
fn count_on(
    record: &SegmentRecord,
    data: &std::path::Path,
    now: Option<&str>,
    store: &mut segment_store::Store,
) -> Result<CountInput, Failure> {
    let service = open_data(data)?;
    let now = resolve_now(now, &service)?;
    let checked = query_of(record, &service, now, store)?;
    let counted = service.count(&checked, Prefer::Sql, NodeCounts::None, &CancelToken::new())?;
    Ok(CountInput {
        count: counted.count,
        total: Some(counted.total),
        data_source: Some(data.display().to_string()),
        as_of: Some(segment_store::stamp(now)),
    })
}

/// `--sort FIELD[:asc|desc]` options as sort keys.
fn sort_keys(specs: &[String]) -> Result<Vec<(SortField, segment_store::Direction)>, Failure> {
    specs
        .iter()
        .map(|spec| {
            let (field, dir) =
                parse_sort(spec).map_err(|e| Failure::new(format!("--sort {spec:?}: {e}")))?;
            let field = SortField::parse(&field)
                .map_err(|e| Failure::new(format!("--sort {spec:?}: {e}")))?;
            Ok((field, dir))
        })
        .collect()
}

/// `segments export`: definitions as files (one per segment, or the whole library), with their
/// SQL beside them when `sql` (rendered against `data`).
#[allow(clippy::too_many_arguments)]
fn export_definitions(
    store: &mut segment_store::Store,
    path: &std::path::Path,
    ids: &[String],
    all: bool,
    out: &std::path::Path,
    sql: bool,
    data: Option<PathBuf>,
    now: Option<String>,
) -> Result<(Value, ExitCode), Failure> {
    let fail = |e| store_failure(path, e);
    if ids.is_empty() && !all {
        return Err(Failure::new("give segment ids to export, or --all"));
    }
    let source = match (sql, &data) {
        (true, Some(d)) => Some(open_data(d)?),
        (true, None) => {
            return Err(Failure::new(
                "--sql renders against a schema: give --data FILE.sqlite",
            ))
        }
        _ => None,
    };
    // The export holds `store`; the segments a definition refers to are read through a second
    // connection to the same library.
    let library = match &source {
        Some(_) => Some(std::cell::RefCell::new(
            segment_store::Store::open(path).map_err(fail)?,
        )),
        None => None,
    };
    let render = |r: &SegmentRecord| -> Result<(String, String), String> {
        let (Some(service), Some(library)) = (&source, &library) else {
            return Err("no data".to_string());
        };
        let now = resolve_now(now.as_deref(), service).map_err(|f| f.0.join("; "))?;
        let mut library = library.borrow_mut();
        let checked = query_of(r, service, now, &mut library).map_err(|f| f.0.join("; "))?;
        let text = segment_sql::display(&checked.query, &Sqlite).map_err(|e| e.to_string())?;
        Ok(("sql".to_string(), format!("{text}\n")))
    };
    let render: Option<segment_store::files::Renderer<'_>> = if sql { Some(&render) } else { None };
    let exported = if all {
        store.export_library(out, render).map_err(fail)?
    } else {
        let mut list = Vec::new();
        for id in ids {
            list.push(store.export_file(id, out, render).map_err(fail)?);
        }
        list
    };
    Ok((
        json!({ "exported": to_json(&exported)? }),
        ExitCode::SUCCESS,
    ))
}

/// `segments import`'s report: conflicts and skipped files on stderr, failure if any conflict.
fn imported(report: segment_store::files::FileImport) -> Result<(Value, ExitCode), Failure> {
    for c in &report.conflicts {
        eprintln!(
            "conflict: {}: segment {:?} exists at revision {} with another {} (not imported; --overwrite saves the file as a new revision)",
            c.path,
            c.id,
            c.stored_revision,
            c.differs.join(", ")
        );
    }
    for p in &report.skipped {
        eprintln!("skipped: {p}");
    }
    let code = if report.conflicts.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    };
    Ok((to_json(&report)?, code))
}

/// `segments export --records`: the records one segment matches on `data`, as CSV or NDJSON.
fn export_matching_records(
    store: &mut segment_store::Store,
    path: &std::path::Path,
    ids: &[String],
    data: Option<PathBuf>,
    format: Option<String>,
    now: Option<String>,
    out: &std::path::Path,
) -> Result<(Value, ExitCode), Failure> {
    let [id] = ids else {
        return Err(Failure::new(
            "--records exports one segment: give exactly one id",
        ));
    };
    let Some(data) = data else {
        return Err(Failure::new("--records needs --data FILE.sqlite"));
    };
    let record = store.get(id).map_err(|e| store_failure(path, e))?;
    let service = open_data(&data)?;
    let now = resolve_now(now.as_deref(), &service)?;
    let format = match format {
        Some(f) => {
            segment_store::commands::Format::parse(&f).map_err(|e| Failure::new(e.to_string()))?
        }
        None => segment_store::commands::Format::from_path(out),
    };
    let checked = query_of(&record, &service, now, store)?;
    let (source, _) = crate::data::open(&data)?;
    let n = export_records(&checked, &source, service.schema(), format, out)?;
    Ok((
        json!({ "id": record.id, "revision": record.revision, "records": n, "path": out.display().to_string() }),
        ExitCode::SUCCESS,
    ))
}

/// Reads a segment file (canonical JSON, or Census molecules when `data` gives the schema),
/// checked against `data` when given; problems are located in the file.
fn read_definition(
    file: &std::path::Path,
    data: Option<&std::path::Path>,
    entity: Option<&str>,
    library: &mut segment_store::Store,
) -> Result<segment_model::Segment, Failure> {
    let in_file = |lines: Vec<String>| {
        Failure(
            lines
                .iter()
                .map(|p| format!("{}: {p}", file.display()))
                .collect(),
        )
    };
    let service = data.map(open_data).transpose()?;
    let text = crate::io::read_text(file, "segment file", crate::io::SEGMENT_FILE_LIMIT)?;
    let parsed = match &service {
        Some(service) => {
            segment_formats::parse_any(&text, service.schema(), entity).map(|(s, _)| s)
        }
        None => canonical::parse(&text),
    };
    let segment =
        parsed.map_err(|e| in_file(e.problems().iter().map(|p| p.to_string()).collect()))?;
    if let Some(service) = &service {
        let now = resolve_now(None, service)?;
        // The segments it refers to are read from the library it is saved into.
        let references = if segment_service::References::needed(&segment) {
            segment_service::References::gather(&segment, library)
        } else {
            segment_service::References::none()
        };
        segment_model::validate::check_with(
            &segment,
            service.schema(),
            entity,
            now,
            &references,
            None,
        )
        .map_err(|problems| in_file(problems.iter().map(|p| p.to_string()).collect()))?;
    }
    Ok(segment)
}

/// Writes the base records matching the segment, every column, in key order.
fn export_records(
    checked: &CheckedSegment,
    source: &DataSource,
    schema: &segment_model::Schema,
    format: segment_store::commands::Format,
    out: &std::path::Path,
) -> Result<u64, Failure> {
    let query = &checked.query;
    let keys = source.matching_keys(query, i64::MAX as u64, None)?;
    let entity = &query.entity;
    let quote = |name: &str| format!("\"{}\"", name.replace('"', "\"\""));
    let schema_entity = schema.entity(&entity.name).ok_or_else(|| {
        Failure::new(format!(
            "the entity {:?} is not in {}",
            entity.name,
            source.path().display()
        ))
    })?;
    let columns: Vec<String> = schema_entity
        .columns
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let select = format!(
        "SELECT {} FROM {} WHERE {} = ?1",
        columns
            .iter()
            .map(|c| quote(c))
            .collect::<Vec<_>>()
            .join(", "),
        quote(&entity.name),
        quote(&entity.key)
    );
    let write_err =
        |e: std::io::Error| Failure::new(format!("cannot write {}: {e}", out.display()));
    let query_err = |e: rusqlite::Error| {
        Failure::new(format!("cannot read the records of {}: {e}", entity.name))
    };
    let mut file = create_file(out)?;
    if format == segment_store::commands::Format::Csv {
        let header: Vec<&str> = columns.iter().map(String::as_str).collect();
        file.write_all(&csv_line(&header).map_err(write_err)?)
            .map_err(write_err)?;
    }
    let mut stmt = source
        .connection()
        .prepare_cached(&select)
        .map_err(query_err)?;
    let mut n = 0u64;
    for key in &keys {
        let mut rows = stmt.query([key]).map_err(query_err)?;
        while let Some(row) = rows.next().map_err(query_err)? {
            let mut values = Vec::with_capacity(columns.len());
            for i in 0..columns.len() {
                values.push(match row.get_ref(i).map_err(query_err)? {
                    rusqlite::types::ValueRef::Null => Value::Null,
                    rusqlite::types::ValueRef::Integer(i) => json!(i),
                    rusqlite::types::ValueRef::Real(f) => json!(f),
                    rusqlite::types::ValueRef::Text(t) => json!(String::from_utf8_lossy(t)),
                    rusqlite::types::ValueRef::Blob(_) => Value::Null,
                });
            }
            match format {
                segment_store::commands::Format::Csv => {
                    let cells: Vec<String> = values
                        .iter()
                        .map(|v| match v {
                            Value::Null => String::new(),
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .collect();
                    let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
                    file.write_all(&csv_line(&cells).map_err(write_err)?)
                        .map_err(write_err)?;
                }
                segment_store::commands::Format::Ndjson => {
                    let obj: Map<String, Value> = columns.iter().cloned().zip(values).collect();
                    writeln!(file, "{}", Value::Object(obj)).map_err(write_err)?;
                }
            }
            n += 1;
        }
    }
    file.flush().map_err(write_err)?;
    Ok(n)
}
