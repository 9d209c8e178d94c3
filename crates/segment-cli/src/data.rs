//! Bring your own data on the command line: `import`, `relate`, and `schema --stats` (`declare`
//! is in `declare.rs`), plus the
//! schema every command uses (the file's, with the relationships confirmed in the sidecar store).
//!
//! The sidecar store is `$SEGMENT_BUILDER_STORE` if set, else the desktop app's
//! `sources.json` in its data directory (`segment_service::default_app_data_dir`:
//! `$XDG_DATA_HOME` or `~/.local/share`, then `dev.segmentbuilder.desktop/`), so the CLI and the
//! app see the same relationships. The engine's snapshots go to `snapshots/` there
//! (`segment_service::snapshot_dir`), as the app's do.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use segment_import::{
    CancelToken, ColumnType, ImportRequest, Link, OnError, Phase, Progress, Store,
};
use segment_model::Schema;
use segment_source::DataSource;
use serde_json::{json, Value};

use crate::Failure;

impl From<segment_import::Error> for Failure {
    fn from(e: segment_import::Error) -> Self {
        match e {
            segment_import::Error::BadValues { path, bad } => {
                let mut lines = vec![format!(
                    "{}: {} {} the column type; nothing was imported (use --on-error null to import them as NULL, or --type COLUMN=text)",
                    path.display(),
                    bad.total,
                    if bad.total == 1 { "value does not fit" } else { "values do not fit" }
                )];
                for b in &bad.first {
                    lines.push(format!(
                        "{}: line {}, column {} ({}): {:?} is not {}",
                        path.display(),
                        b.line,
                        b.column,
                        b.column_name,
                        b.value,
                        b.expected.name()
                    ));
                }
                Failure(lines)
            }
            other => Failure::new(other.to_string()),
        }
    }
}

/// The sidecar store the CLI uses.
pub fn store() -> Store {
    if let Some(path) = std::env::var_os("SEGMENT_BUILDER_STORE").filter(|p| !p.is_empty()) {
        return Store::new(PathBuf::from(path));
    }
    Store::new(segment_service::default_app_data_dir().join(segment_import::store::STORE_FILE))
}

/// Opens a data file read-only with the sidecar's relationships applied.
pub fn open(data: &Path) -> Result<(DataSource, Schema), Failure> {
    local_only(data, "this command")?;
    let opened = segment_import::open(data, Some(&store()))?;
    Ok((opened.source, opened.schema))
}

/// `--schema NAME`: the PostgreSQL schema or Spark database of a `--data` address (the CLI is
/// one command per process; set once from the arguments).
static WAREHOUSE_SCHEMA: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();

pub fn set_warehouse_schema(schema: Option<String>) {
    let _ = WAREHOUSE_SCHEMA.set(schema);
}

/// `--data` as a location: a SQLite file, `postgresql://…` or `sc://…`.
pub fn location(data: &Path) -> Result<segment_service::Location, Failure> {
    Ok(segment_service::Location::parse(&data.to_string_lossy())?)
}

/// Refuses a warehouse address where a command works on local files only.
pub fn local_only(data: &Path, what: &str) -> Result<(), Failure> {
    let location = location(data)?;
    if location.path().is_none() {
        return Err(Failure::new(format!(
            "{what} works on local SQLite files; {} is a {} source",
            location.display(),
            location.kind()
        )));
    }
    Ok(())
}

/// The count service on `--data` (a file with the sidecar's relationships applied, or a
/// warehouse where every count is pushed down): the same pipeline as the app's.
pub fn service(data: &Path) -> Result<segment_service::Service, Failure> {
    let store = store();
    let options = segment_service::OpenOptions {
        schema: WAREHOUSE_SCHEMA.get().and_then(|s| s.as_deref()),
        password: None,
        store: Some(&store),
    };
    Ok(segment_service::open_location(
        &location(data)?,
        &options,
        segment_service::EngineCache::with_snapshots(segment_service::snapshot_dir(Some(
            &segment_service::default_app_data_dir(),
        ))),
    )?)
}

/// Waits for the count engine to load `service`'s data, saying how far it has come on standard
/// error: on a terminal one line kept up to date every second, elsewhere a line every 5 s once
/// the load has run for 2 s (a small file loads before anything is said).
pub fn wait_for_engine(service: &segment_service::Service) {
    let terminal = std::io::stderr().is_terminal();
    let every = Duration::from_secs(if terminal { 1 } else { 5 });
    let mut shown = false;
    service.wait_for_engine_reporting(every, &mut |progress| {
        if progress.elapsed < Duration::from_secs(2) {
            return;
        }
        if terminal {
            eprint!("\rloading the data into memory: {progress}\x1b[K");
            let _ = std::io::stderr().flush();
        } else {
            eprintln!("loading the data into memory: {progress}");
        }
        shown = true;
    });
    if shown && terminal {
        eprintln!();
    }
}

/// The schema of `--data`, wherever it is.
pub fn schema_of(data: &Path) -> Result<Schema, Failure> {
    Ok(service(data)?.schema().clone())
}

#[derive(clap::Args)]
pub struct ImportArgs {
    /// The data source to create, or to add the table to (a file created by import).
    #[arg(long, value_name = "FILE.sqlite")]
    into: PathBuf,
    /// The table name (default: the file's name).
    #[arg(long, value_name = "NAME")]
    table: Option<String>,
    /// Values that do not fit their column's type: abort with nothing written, or import them
    /// as NULL (both report them by line and column).
    #[arg(long, value_name = "abort|null", default_value = "abort", value_parser = ["abort", "null"])]
    on_error: String,
    /// Declare a column's type instead of inferring it: integer, real, boolean, date, datetime,
    /// json_array, text. Repeatable.
    #[arg(long = "type", value_name = "COLUMN=TYPE")]
    types: Vec<String>,
    /// The CSV delimiter (default: detected); `\t` for tabs.
    #[arg(long, value_name = "CHAR")]
    delimiter: Option<String>,
    /// The CSV quote character (default `"`).
    #[arg(long, value_name = "CHAR")]
    quote: Option<char>,
    /// The first CSV row is data, not a header (default: detected).
    #[arg(long, conflicts_with = "header")]
    no_header: bool,
    /// The first CSV row is a header (default: detected).
    #[arg(long)]
    header: bool,
    /// csv or ndjson (default: from the extension, else the content).
    #[arg(long, value_name = "csv|ndjson", value_parser = ["csv", "ndjson"])]
    format: Option<String>,
    /// Replace a table of the same name.
    #[arg(long)]
    replace: bool,
    /// Print the first N rows and the proposed types; import nothing.
    #[arg(long, value_name = "N", num_args = 0..=1, default_missing_value = "10")]
    preview: Option<usize>,
    /// Print a progress line on stderr (default: when stderr is a terminal).
    #[arg(long)]
    progress: bool,
    /// The CSV or NDJSON file.
    #[arg(value_name = "DATA.csv|DATA.ndjson")]
    file: PathBuf,
}

fn request(args: &ImportArgs) -> Result<ImportRequest, Failure> {
    let mut req = ImportRequest::new(&args.file, &args.into);
    req.table = args.table.clone();
    req.on_error = if args.on_error == "null" {
        OnError::Null
    } else {
        OnError::Abort
    };
    req.replace = args.replace;
    req.format = match args.format.as_deref() {
        Some("csv") => Some(segment_import::Format::Csv),
        Some("ndjson") => Some(segment_import::Format::Ndjson),
        _ => None,
    };
    req.csv.delimiter = match args.delimiter.as_deref() {
        None => None,
        Some("\\t" | "tab") => Some('\t'),
        Some(d) if d.chars().count() == 1 => d.chars().next(),
        Some(d) => {
            return Err(Failure::new(format!(
                "--delimiter {d:?} must be one character (or \\t)"
            )))
        }
    };
    req.csv.quote = args.quote;
    req.csv.has_header = if args.no_header {
        Some(false)
    } else if args.header {
        Some(true)
    } else {
        None
    };
    for t in &args.types {
        let Some((column, ty)) = t.split_once('=') else {
            return Err(Failure::new(format!(
                "--type {t:?} must be COLUMN=TYPE (e.g. zip=text)"
            )));
        };
        let ty = ColumnType::parse(ty)
            .ok_or_else(|| Failure::from(segment_import::Error::UnknownType(ty.to_string())))?;
        req.types.insert(column.trim().to_string(), ty);
    }
    Ok(req)
}

pub fn import(args: ImportArgs) -> Result<(Value, ExitCode), Failure> {
    let req = request(&args)?;
    if let Some(rows) = args.preview {
        let preview = segment_import::preview(&req, rows)?;
        return Ok((crate::to_json(&preview)?, ExitCode::SUCCESS));
    }
    let show = args.progress || std::io::stderr().is_terminal();
    let mut shown = false;
    let mut on_progress = |p: &Progress| {
        if show {
            eprint!("\r{}\x1b[K", progress_line(p));
            let _ = std::io::stderr().flush();
            shown = true;
        }
    };
    // The headers as written become the columns' labels.
    let result =
        segment_service::import::import_file(&req, &mut on_progress, &CancelToken::new(), &store());
    if shown {
        eprintln!();
    }
    let report = result.map_err(|e| match e {
        segment_service::Error::Import(e) => Failure::from(e),
        e => Failure::from(e),
    })?;
    let mut out = crate::to_json(&report)?;
    let hints: Vec<String> = report
        .proposals
        .iter()
        .map(|p| {
            format!(
                "segment-builder relate --data {} {}.{} {}.{}",
                report.data_source.display(),
                p.child,
                p.child_column,
                p.parent,
                p.parent_column
            )
        })
        .collect();
    out["confirm_with"] = json!(hints);
    Ok((out, ExitCode::SUCCESS))
}

fn progress_line(p: &Progress) -> String {
    let phase = match p.phase {
        Phase::Scanning => "scanning",
        Phase::Loading => "loading",
        Phase::Indexing => "indexing",
        Phase::Analyzing => "analyzing",
    };
    let mb = |b: u64| b as f64 / 1_048_576.0;
    let mut line = format!(
        "{phase}: {} rows, {:.1}/{:.1} MB, {:.0} rows/s, {}",
        p.rows,
        mb(p.bytes),
        mb(p.total_bytes),
        p.rows_per_second,
        duration(Duration::from_millis(p.elapsed_ms))
    );
    if let Some(eta) = p.eta_ms {
        line.push_str(&format!(
            ", about {} left",
            duration(Duration::from_millis(eta))
        ));
    }
    line
}

fn duration(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

#[derive(clap::Args)]
pub struct RelateArgs {
    /// The data: a SQLite file (opened read-only), or a `postgresql://` or `sc://` address with
    /// `--schema`. The relationship is kept in the sidecar store, never in the data.
    #[arg(long, value_name = "FILE.sqlite|ADDRESS")]
    data: PathBuf,
    /// The column holding the foreign key, e.g. `orders.customer_id`.
    #[arg(value_name = "CHILD.COLUMN", requires = "parent")]
    child: Option<String>,
    /// The column it references, e.g. `customers.id`.
    #[arg(value_name = "PARENT.COLUMN")]
    parent: Option<String>,
    /// The child table's time column for time windows (default: detected).
    #[arg(long, value_name = "COLUMN")]
    time: Option<String>,
    /// Remove the relationship instead of adding it.
    #[arg(long, requires = "child")]
    remove: bool,
    /// Confirm every proposed relationship whose keys match at least 90% (files only).
    #[arg(long, conflicts_with = "child")]
    accept_proposals: bool,
}

pub fn column_ref(text: &str) -> Result<(String, String), Failure> {
    text.split_once('.')
        .filter(|(t, c)| !t.is_empty() && !c.is_empty())
        .map(|(t, c)| (t.to_string(), c.to_string()))
        .ok_or_else(|| Failure::new(format!("{text:?} must be TABLE.COLUMN")))
}

/// Adds, removes or lists relationships (the confirmed ones and the proposals), on a file or a
/// warehouse's tables (`segment_service::relations`, as the app's Data screen).
pub fn relate(args: RelateArgs) -> Result<(Value, ExitCode), Failure> {
    use segment_service::relations;
    let store = store();
    let location = location(&args.data)?;
    let options = segment_service::OpenOptions {
        schema: WAREHOUSE_SCHEMA.get().and_then(|s| s.as_deref()),
        password: None,
        store: Some(&store),
    };
    if let (Some(child), Some(parent)) = (&args.child, &args.parent) {
        let (child, child_column) = column_ref(child)?;
        let (parent, parent_column) = column_ref(parent)?;
        let link = Link {
            child,
            child_column,
            parent,
            parent_column,
        };
        if args.remove {
            if relations::remove(&location, &options, &store, &link)?.is_none() {
                return Err(Failure::new(format!(
                    "{}.{} -> {}.{} is not a relationship added with relate",
                    link.child, link.child_column, link.parent, link.parent_column
                )));
            }
            return Ok((json!({ "removed": link_json(&link) }), ExitCode::SUCCESS));
        }
        let added = relations::add(&location, &options, &store, link.clone(), args.time.clone())?;
        return Ok((added_json(&link, &added)?, ExitCode::SUCCESS));
    }
    if args.accept_proposals {
        let (accepted, now) = relations::accept_proposals(&location, &options, &store, 0.9)?;
        return Ok((
            json!({
                "accepted": accepted.iter().map(link_json).collect::<Vec<_>>(),
                "relationships": crate::to_json(&now.schema.relationships)?,
            }),
            ExitCode::SUCCESS,
        ));
    }
    let now = relations::relations(&location, &options, &store)?;
    Ok((
        json!({
            "relationships": crate::to_json(&now.schema.relationships)?,
            "confirmed": now.confirmed.iter().map(link_json).collect::<Vec<_>>(),
            "proposals": crate::to_json(&now.proposals)?,
        }),
        ExitCode::SUCCESS,
    ))
}

/// What `relate CHILD PARENT` prints: the link, the relationships it made (both directions)
/// and how well its keys matched (a warning under 90%).
fn added_json(link: &Link, added: &segment_service::relations::Added) -> Result<Value, Failure> {
    let made: Vec<&segment_model::Relationship> = added
        .relations
        .schema
        .relationships
        .iter()
        .filter(|r| {
            (r.from_entity == link.parent
                && r.to_entity == link.child
                && r.to_column == link.child_column)
                || (r.from_entity == link.child
                    && r.from_column == link.child_column
                    && r.to_entity == link.parent)
        })
        .collect();
    let mut out = json!({
        "added": link_json(link),
        "relationships": crate::to_json(&made)?,
    });
    let (sampled, share) = added.matched;
    out["sampled_keys"] = json!(sampled);
    out["matched_share"] = json!(share);
    if share < 0.9 {
        out["warning"] = json!(format!(
            "only {:.0}% of the sampled {} values are found in {}.{}",
            share * 100.0,
            link.child_column,
            link.parent,
            link.parent_column
        ));
    }
    Ok(out)
}

/// `schema --stats` on a warehouse: read where the data is, large tables from a sample (each
/// such table says "estimated from a sample of N rows").
fn warehouse_stats(data: &Path) -> Result<Value, Failure> {
    let service = service(data)?;
    let entities = service.stats(
        segment_service::warehouse_stats::SampleLimits::default(),
        &segment_source::CancelToken::new(),
    )?;
    let entities = segment_service::relations::with_labels(service.backend(), &store(), entities)?;
    let mut shown = crate::to_json(&entities)?;
    if let Value::Array(items) = &mut shown {
        for (item, entity) in items.iter_mut().zip(&entities) {
            if let Some(n) = entity.sampled_rows {
                item["note"] = json!(format!("estimated from a sample of {n} rows"));
            }
        }
    }
    Ok(json!({
        "entities": shown,
        "relationships": crate::to_json(&service.schema().relationships)?,
        "meanings": [],
    }))
}

fn link_json(link: &Link) -> Value {
    json!({
        "child": format!("{}.{}", link.child, link.child_column),
        "parent": format!("{}.{}", link.parent, link.parent_column),
    })
}

/// `schema`: the schema (with the sidecar's relationships and declared meanings); with `stats`,
/// every column's statistics too. `meanings` lists the declared meanings and proposes others
/// (declared with `declare`).
pub fn schema(data: &Path, stats: bool) -> Result<(Value, ExitCode), Failure> {
    if location(data)?.path().is_none() && stats {
        return Ok((warehouse_stats(data)?, ExitCode::SUCCESS));
    }
    if location(data)?.path().is_none() && !stats {
        let mut out = crate::to_json(&schema_of(data)?)?;
        out["meanings"] = json!([]);
        return Ok((out, ExitCode::SUCCESS));
    }
    local_only(data, "schema --stats")?;
    let opened = segment_import::open(data, Some(&store()))?;
    let meanings = crate::to_json(&segment_import::meaning::list(&opened)?)?;
    let mut out = if stats {
        let entities =
            segment_import::stats::compute(&opened.source, &opened.schema, &opened.meta.labels)?;
        json!({
            "entities": crate::to_json(&entities)?,
            "relationships": crate::to_json(&opened.schema.relationships)?,
        })
    } else {
        crate::to_json(&opened.schema)?
    };
    out["meanings"] = meanings;
    Ok((out, ExitCode::SUCCESS))
}
