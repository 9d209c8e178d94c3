//! `segment-builder render` and `segment-builder convert`: a segment in every format.
//!
//! Formats: `canonical, census, pql-text, pql-json, odata, odp, english` (through
//! `segment_formats`) and `sql-sqlite, sql-postgres, sql-duckdb, sql-bigquery, sql-snowflake,
//! sql-ansi` (the displayed SQL of `segment_sql`, with escaped literals, counting the matching
//! records). Input formats are those that parse; SQL and English are output-only. The result is
//! printed as the document itself (not wrapped in JSON), so it can be redirected to a file.
//! Errors name the file and the place: a line/column or JSON Pointer for input that does not
//! parse, the node path for a construct the output format cannot express.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use segment_formats::Format;
use segment_model::{Schema, Segment};
use segment_service::registry::{self, Entry, RenderFailure};

use crate::{located, parse, parse_now, read_segment, Failure, NowArg};

fn parse_target(name: &str) -> Result<&'static Entry, String> {
    registry::lookup(name)
        .ok_or_else(|| format!("unknown format {name:?}: one of {}", registry::names()))
}

/// The input format of `convert`: named, or detected from the content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputFormat(Option<Format>);

fn parse_input_format(name: &str) -> Result<InputFormat, String> {
    if name.trim().eq_ignore_ascii_case("auto") {
        return Ok(InputFormat(None));
    }
    registry::input_format(name).map(|f| InputFormat(Some(f)))
}

#[derive(clap::Args)]
pub struct RenderArgs {
    /// The output format: canonical, census, pql-text, pql-json, odata, odp, sql-sqlite,
    /// sql-postgres, sql-duckdb, sql-bigquery, sql-snowflake, sql-ansi, english.
    #[arg(long, value_name = "FORMAT", value_parser = parse_target)]
    to: &'static Entry,
    /// The data file whose schema checks and types the segment's attributes (needed for SQL;
    /// without it the segment's own conditions type them).
    #[arg(long, value_name = "FILE.sqlite")]
    data: Option<PathBuf>,
    /// The segment definition: canonical JSON or Census molecules (detected from the content).
    #[arg(long, value_name = "SEG.json")]
    segment: PathBuf,
    /// The base entity (table), when the segment file does not say or to override it.
    #[arg(long, value_name = "NAME")]
    entity: Option<String>,
    #[command(flatten)]
    now: NowArg,
    /// The segment library "is in segment" conditions refer to (SQL inlines them).
    #[command(flatten)]
    library: crate::library::StoreArg,
}

#[derive(clap::Args)]
pub struct ConvertArgs {
    /// The input format: canonical, census, pql-text, pql-json, odata, odp, or auto (the
    /// default: detected from the content, as the app's "Import definition" does).
    #[arg(long, value_name = "FORMAT", value_parser = parse_input_format, default_value = "auto")]
    from: InputFormat,
    /// The output format (any of those of `render`).
    #[arg(long, value_name = "FORMAT", value_parser = parse_target)]
    to: &'static Entry,
    /// The data file whose schema checks and types the segment's attributes (needed for SQL).
    /// Without it, attributes are taken as written and typed by the document's values, and the
    /// entity comes from the format (PQL: person, ODP: customer, OData: record) or --entity.
    #[arg(long, value_name = "FILE.sqlite")]
    data: Option<PathBuf>,
    /// The base entity (table), when the input does not say or to override it.
    #[arg(long, value_name = "NAME")]
    entity: Option<String>,
    #[command(flatten)]
    now: NowArg,
    /// Read OData as Microsoft Graph does: string comparisons (eq, ne, in, startswith, endswith,
    /// contains) ignore case. Standard OData compares strings case-sensitively.
    #[arg(long)]
    odata_ignore_case: bool,
    /// The input file (`-` for standard input).
    #[arg(value_name = "INPUT")]
    input: PathBuf,
}

/// Prints the document (or the errors) and gives the exit status.
pub fn exit(result: Result<String, Failure>) -> ExitCode {
    match result {
        Ok(text) if text.ends_with('\n') => crate::io::emit(&text),
        Ok(text) => crate::io::emit(&format!("{text}\n")),
        Err(Failure(lines)) => {
            for line in lines {
                eprintln!("error: {line}");
            }
            ExitCode::FAILURE
        }
    }
}

fn schema_of(data: Option<&Path>) -> Result<Schema, Failure> {
    match data {
        Some(path) => crate::data::schema_of(path),
        None => Ok(Schema::default()),
    }
}

pub fn render(args: RenderArgs) -> Result<String, Failure> {
    let text = read_segment(&args.segment)?;
    let entity = args.entity.as_deref();
    let (segment, schema) = match args.data.as_deref() {
        Some(data) => {
            let schema = schema_of(Some(data))?;
            let (segment, _) = parse(&text, &schema, entity).map_err(|problems| {
                Failure(problems.iter().map(|p| located(&args.segment, p)).collect())
            })?;
            (segment, schema)
        }
        // No data: the segment's own conditions type its attributes.
        None => {
            let read = segment_service::detect::read_without_data(&text, None, entity)
                .map_err(|e| definition_failure(&args.segment, &e))?;
            (read.segment, read.schema)
        }
    };
    // Only SQL resolves references (the other formats name the segment or refuse it).
    let references = match args.to.target {
        registry::Target::Sql(_) => crate::references::gather(&segment, &args.library)?,
        registry::Target::Tree(_) => segment_service::References::none(),
    };
    write(
        &segment,
        args.to,
        &schema,
        entity,
        args.data.is_some(),
        &args.now,
        &args.segment,
        &references,
    )
}

pub fn convert(args: ConvertArgs) -> Result<String, Failure> {
    let schema = schema_of(args.data.as_deref())?;
    let data_given = args.data.is_some();
    let text = if args.input.as_os_str() == "-" {
        crate::io::read_stdin("the definition", crate::io::SEGMENT_FILE_LIMIT)?
    } else {
        read_segment(&args.input)?
    };
    let entity = args.entity.as_deref();
    let (format, mut segment, schema) = if data_given {
        let (format, segment) = segment_service::detect::read(&text, args.from.0, &schema, entity)
            .map_err(|e| definition_failure(&args.input, &e))?;
        (format, segment, schema)
    } else {
        // No data: attributes as written, typed by the document; the entity from the format.
        let read = segment_service::detect::read_without_data(&text, args.from.0, entity)
            .map_err(|e| definition_failure(&args.input, &e))?;
        (read.format, read.segment, read.schema)
    };
    if args.odata_ignore_case && format == Format::Odata {
        segment_formats::odata::as_graph_reads_it(&mut segment);
    }
    let entity = entity.or(segment.entity.as_deref());
    write(
        &segment,
        args.to,
        &schema,
        entity,
        args.data.is_some(),
        &args.now,
        &args.input,
        &segment_service::References::none(),
    )
}

/// A definition that does not read, as one line: the file, the place, the message, the hint.
fn definition_failure(file: &Path, e: &segment_service::DefinitionError) -> Failure {
    let place = e.place().map(|p| format!(" at {p}")).unwrap_or_default();
    let hint = e
        .hint
        .as_ref()
        .map(|h| format!(" ({h})"))
        .unwrap_or_default();
    Failure::new(format!("{}{place}: {}{hint}", file.display(), e.message))
}

#[allow(clippy::too_many_arguments)]
fn write(
    segment: &Segment,
    to: &Entry,
    schema: &Schema,
    entity: Option<&str>,
    has_data: bool,
    now: &NowArg,
    file: &Path,
    references: &segment_service::References,
) -> Result<String, Failure> {
    let is_sql = matches!(to.target, registry::Target::Sql(_));
    if is_sql && !has_data {
        return Err(Failure::new(format!(
            "{} needs --data FILE.sqlite: SQL is compiled against the data's schema",
            to.name
        )));
    }
    // Only SQL depends on "now"; a bad --now must not fail the other formats.
    let now = if is_sql {
        parse_now(now)?
    } else {
        chrono::Utc::now()
    };
    registry::render_in(to.target, segment, schema, entity, now, references).map_err(|failure| {
        match failure {
            RenderFailure::Invalid(problems) => {
                Failure(problems.iter().map(|p| located(file, p)).collect())
            }
            RenderFailure::Format(e) => {
                let hint = if has_data {
                    ""
                } else {
                    " (give --data FILE.sqlite: its schema names the attributes)"
                };
                Failure::new(format!(
                    "{}: cannot write {}: {e}{hint}",
                    file.display(),
                    to.name
                ))
            }
            RenderFailure::Dialect { error, path } => {
                let at = path.map(|p| format!(" (at {p})")).unwrap_or_default();
                Failure::new(format!(
                    "{}: cannot write {}: {error}{at}",
                    file.display(),
                    to.name
                ))
            }
        }
    })
}
