//! `declare`: what a column's values mean where the file's types cannot say it (epoch seconds or
//! milliseconds in an `INTEGER` column, ISO date-times or JSON arrays in `TEXT`), kept in the
//! sidecar store beside the data, never in it. Without a column: the declared meanings and the
//! ones the names and values suggest.

use std::path::PathBuf;
use std::process::ExitCode;

use segment_model::ColumnMeaning;
use serde_json::{json, Value};

use crate::data::{column_ref, store};
use crate::Failure;

#[derive(clap::Args)]
pub struct DeclareArgs {
    /// The SQLite data file (opened read-only; the meaning is kept in the sidecar store).
    #[arg(long, value_name = "FILE.sqlite")]
    data: PathBuf,
    /// The column, e.g. `events.ts`.
    #[arg(value_name = "TABLE.COLUMN")]
    column: Option<String>,
    /// What its values mean: seconds or milliseconds since 1970, ISO-8601 text, a JSON array.
    #[arg(
        value_name = "MEANING",
        value_parser = ["epoch-seconds", "epoch-millis", "iso-datetime", "json-array"],
        requires = "column"
    )]
    meaning: Option<String>,
    /// Remove the column's declared meaning: it reads as the file types it again.
    #[arg(long, requires = "column", conflicts_with = "meaning")]
    remove: bool,
}

/// Declares, removes, or lists column meanings.
pub fn declare(args: DeclareArgs) -> Result<(Value, ExitCode), Failure> {
    let store = store();
    let Some(column) = &args.column else {
        let opened = segment_import::open(&args.data, Some(&store))?;
        let listed = segment_import::meaning::list(&opened)?;
        return Ok((crate::to_json(&listed)?, ExitCode::SUCCESS));
    };
    let (table, column) = column_ref(column)?;
    let name = format!("{table}.{column}");
    if args.remove {
        let meaning = segment_import::meaning::undeclare(&args.data, &store, &table, &column)?;
        return Ok((
            json!({ "removed": { "column": name, "meaning": meaning.name() } }),
            ExitCode::SUCCESS,
        ));
    }
    let meaning = args
        .meaning
        .as_deref()
        .and_then(ColumnMeaning::parse)
        .ok_or_else(|| {
            Failure::new("give a meaning: epoch-seconds, epoch-millis, iso-datetime or json-array")
        })?;
    let typed = segment_import::meaning::declare(&args.data, &store, &table, &column, meaning)?;
    Ok((
        json!({
            "declared": { "column": name, "meaning": meaning.name(), "label": meaning.label() },
            "column": crate::to_json(&typed)?,
        }),
        ExitCode::SUCCESS,
    ))
}
