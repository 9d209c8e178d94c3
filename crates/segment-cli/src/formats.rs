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
use segment_sql::{Ansi, BigQuery, Dialect, DuckDb, Postgres, Snowflake, Sqlite};

use crate::{check, located, parse, parse_now, read_segment, Failure, NowArg};

/// Every format name, in the order of the help text.
pub const NAMES: [&str; 13] = [
    "canonical",
    "census",
    "pql-text",
    "pql-json",
    "odata",
    "odp",
    "sql-sqlite",
    "sql-postgres",
    "sql-duckdb",
    "sql-bigquery",
    "sql-snowflake",
    "sql-ansi",
    "english",
];

/// A format named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Tree(Format),
    Sql(SqlDialect),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlDialect {
    Sqlite,
    Postgres,
    DuckDb,
    BigQuery,
    Snowflake,
    Ansi,
}

impl SqlDialect {
    fn dialect(self) -> &'static dyn Dialect {
        match self {
            SqlDialect::Sqlite => &Sqlite,
            SqlDialect::Postgres => &Postgres,
            SqlDialect::DuckDb => &DuckDb,
            SqlDialect::BigQuery => &BigQuery,
            SqlDialect::Snowflake => &Snowflake,
            SqlDialect::Ansi => &Ansi,
        }
    }
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::Tree(Format::Canonical) => "canonical",
            Target::Tree(Format::Census) => "census",
            Target::Tree(Format::PqlText) => "pql-text",
            Target::Tree(Format::PqlJson) => "pql-json",
            Target::Tree(Format::Odata) => "odata",
            Target::Tree(Format::Odp) => "odp",
            Target::Tree(Format::English) => "english",
            Target::Sql(SqlDialect::Sqlite) => "sql-sqlite",
            Target::Sql(SqlDialect::Postgres) => "sql-postgres",
            Target::Sql(SqlDialect::DuckDb) => "sql-duckdb",
            Target::Sql(SqlDialect::BigQuery) => "sql-bigquery",
            Target::Sql(SqlDialect::Snowflake) => "sql-snowflake",
            Target::Sql(SqlDialect::Ansi) => "sql-ansi",
        }
    }
}

fn parse_target(name: &str) -> Result<Target, String> {
    let target = match name.trim().to_ascii_lowercase().replace('_', "-").as_str() {
        "sql-sqlite" => Target::Sql(SqlDialect::Sqlite),
        "sql-postgres" | "sql-postgresql" => Target::Sql(SqlDialect::Postgres),
        "sql-duckdb" => Target::Sql(SqlDialect::DuckDb),
        "sql-bigquery" => Target::Sql(SqlDialect::BigQuery),
        "sql-snowflake" => Target::Sql(SqlDialect::Snowflake),
        "sql-ansi" => Target::Sql(SqlDialect::Ansi),
        other => match Format::from_name(other) {
            Some(format) => Target::Tree(format),
            None => {
                return Err(format!(
                    "unknown format {name:?}: one of {}",
                    NAMES.join(", ")
                ))
            }
        },
    };
    Ok(target)
}

fn parse_input_format(name: &str) -> Result<Format, String> {
    match parse_target(name)? {
        Target::Tree(format) if format.parses() => Ok(format),
        other => Err(format!(
            "{} is output-only: read one of {}",
            other.name(),
            Format::ALL
                .iter()
                .filter(|f| f.parses())
                .map(|f| Target::Tree(*f).name())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

#[derive(clap::Args)]
pub struct RenderArgs {
    /// The output format: canonical, census, pql-text, pql-json, odata, odp, sql-sqlite,
    /// sql-postgres, sql-duckdb, sql-bigquery, sql-snowflake, sql-ansi, english.
    #[arg(long, value_name = "FORMAT", value_parser = parse_target)]
    to: Target,
    /// The data file whose schema types the segment's attributes (needed for SQL and Census).
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
}

#[derive(clap::Args)]
pub struct ConvertArgs {
    /// The input format: canonical, census, pql-text, pql-json, odata, odp.
    #[arg(long, value_name = "FORMAT", value_parser = parse_input_format)]
    from: Format,
    /// The output format (any of those of `render`).
    #[arg(long, value_name = "FORMAT", value_parser = parse_target)]
    to: Target,
    /// The data file whose schema types the segment's attributes (needed for SQL, Census, and
    /// the formats that do not name the base entity).
    #[arg(long, value_name = "FILE.sqlite")]
    data: Option<PathBuf>,
    /// The base entity (table), when the input does not say or to override it.
    #[arg(long, value_name = "NAME")]
    entity: Option<String>,
    #[command(flatten)]
    now: NowArg,
    /// The input file (`-` for standard input).
    #[arg(value_name = "INPUT")]
    input: PathBuf,
}

/// Prints the document (or the errors) and gives the exit status.
pub fn exit(result: Result<String, Failure>) -> ExitCode {
    match result {
        Ok(text) => {
            if text.ends_with('\n') {
                print!("{text}");
            } else {
                println!("{text}");
            }
            ExitCode::SUCCESS
        }
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
        Some(path) => Ok(crate::data::open(path)?.1),
        None => Ok(Schema::default()),
    }
}

pub fn render(args: RenderArgs) -> Result<String, Failure> {
    let schema = schema_of(args.data.as_deref())?;
    let text = read_segment(&args.segment)?;
    let entity = args.entity.as_deref();
    let (segment, _) = parse(&text, &schema, entity).map_err(|problems| {
        Failure(problems.iter().map(|p| located(&args.segment, p)).collect())
    })?;
    write(
        &segment,
        args.to,
        &schema,
        entity,
        args.data.is_some(),
        &args.now,
        &args.segment,
    )
}

pub fn convert(args: ConvertArgs) -> Result<String, Failure> {
    let schema = schema_of(args.data.as_deref())?;
    let text = if args.input.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| Failure::new(format!("cannot read standard input: {e}")))?;
        text
    } else {
        read_segment(&args.input)?
    };
    let entity = args.entity.as_deref();
    let segment = segment_formats::parse_as(args.from, &text, &schema, entity)
        .map_err(|e| Failure::new(format!("{}: {e}", args.input.display())))?;
    write(
        &segment,
        args.to,
        &schema,
        entity,
        args.data.is_some(),
        &args.now,
        &args.input,
    )
}

fn write(
    segment: &Segment,
    to: Target,
    schema: &Schema,
    entity: Option<&str>,
    has_data: bool,
    now: &NowArg,
    file: &Path,
) -> Result<String, Failure> {
    match to {
        Target::Tree(format) => segment_formats::render_as(format, segment, schema, entity)
            .map_err(|e| {
                let hint = if has_data {
                    ""
                } else {
                    " (give --data FILE.sqlite: its schema names the attributes)"
                };
                Failure::new(format!(
                    "{}: cannot write {}: {e}{hint}",
                    file.display(),
                    to.name()
                ))
            }),
        Target::Sql(dialect) => {
            if !has_data {
                return Err(Failure::new(format!(
                    "{} needs --data FILE.sqlite: SQL is compiled against the data's schema",
                    to.name()
                )));
            }
            let now = parse_now(now)?;
            let query = check(segment, schema, entity, now)
                .map_err(|problems| Failure(problems.iter().map(|p| located(file, p)).collect()))?;
            segment_sql::display(&query, dialect.dialect()).map_err(|e| {
                // The IR has no node paths: find the node the dialect cannot write.
                let at = segment_sql::locate_unsupported(
                    segment,
                    schema,
                    entity,
                    now,
                    dialect.dialect(),
                )
                .map(|path| format!(" (at {path})"))
                .unwrap_or_default();
                Failure::new(format!(
                    "{}: cannot write {}: {e}{at}",
                    file.display(),
                    to.name()
                ))
            })
        }
    }
}
