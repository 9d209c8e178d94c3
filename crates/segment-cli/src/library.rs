//! What the library commands (`segments`, `members`) share: opening the store, reading the
//! data a segment is evaluated on, and errors worded with what and where.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use segment_service::{CheckedSegment, Members, Service};
use segment_source::CancelToken;
use segment_store::{Error, SegmentRecord, Store};

use crate::Failure;

#[derive(clap::Args, Default)]
pub struct StoreArg {
    /// The segment library (a SQLite file, created if absent). Default: `$SEGMENT_BUILDER_LIBRARY`,
    /// else the desktop app's `library.sqlite` in its data directory.
    #[arg(long, value_name = "FILE.sqlite", global = true)]
    pub store: Option<PathBuf>,
}

impl StoreArg {
    pub fn path(&self) -> PathBuf {
        if let Some(p) = &self.store {
            return p.clone();
        }
        if let Some(p) = std::env::var_os("SEGMENT_BUILDER_LIBRARY").filter(|p| !p.is_empty()) {
            return PathBuf::from(p);
        }
        segment_service::default_app_data_dir().join("library.sqlite")
    }

    pub fn open(&self) -> Result<(Store, PathBuf), Failure> {
        let path = self.path();
        let store = Store::open(&path).map_err(|e| store_failure(&path, e))?;
        Ok((store, path))
    }
}

/// A store error as stderr lines: the library file, then what went wrong (each located line of
/// a malformed input on its own line).
pub fn store_failure(path: &Path, e: Error) -> Failure {
    match e {
        Error::Lines(problems) => {
            let mut lines = vec![format!(
                "{} problem(s) in the input; nothing was applied (use --on-error skip to apply the other lines)",
                problems.len()
            )];
            lines.extend(problems.iter().map(|p| p.to_string()));
            Failure(lines)
        }
        Error::NotAStore { .. } | Error::TooNew { .. } | Error::Open { .. } | Error::Io { .. } => {
            Failure::new(e.to_string())
        }
        other => Failure::new(format!("segment library {}: {other}", path.display())),
    }
}

pub fn now_arg(text: Option<&str>) -> Result<DateTime<Utc>, Failure> {
    match text {
        None => Ok(Utc::now()),
        Some(text) => segment_model::time::parse_moment(text)
            .map(|m| m.start())
            .ok_or_else(|| {
                Failure::new(format!(
                    "--now {text:?} is not an ISO-8601 date or date-time (e.g. 2026-11-01)"
                ))
            }),
    }
}

/// "Now" for a data source: the flag, else the data's own anchor (the demo data's end), else
/// the clock.
pub fn resolve_now(text: Option<&str>, service: &Service) -> Result<DateTime<Utc>, Failure> {
    match text {
        None => segment_service::resolve_now(None, service.backend().default_now())
            .map_err(|e| Failure::new(e.to_string())),
        Some(_) => now_arg(text),
    }
}

/// Opens a data file with the schema every command uses (its own, plus the relationships
/// confirmed beside it).
pub fn open_data(path: &Path) -> Result<Service, Failure> {
    crate::data::service(path)
}

/// The stored segment's definition checked against the data (the segments it refers to read
/// from `store`), or located problems.
pub fn query_of(
    record: &SegmentRecord,
    service: &Service,
    now: DateTime<Utc>,
    store: &mut Store,
) -> Result<CheckedSegment, Failure> {
    let Some(definition) = &record.definition else {
        return Err(Failure::new(format!(
            "segment {:?} has no definition to evaluate",
            record.id
        )));
    };
    CheckedSegment::check_in_library(
        definition.clone(),
        service.schema(),
        record.entity.as_deref(),
        now,
        store,
    )
    .map_err(|problems| {
        let mut lines = vec![format!(
            "segment {:?} (revision {}) does not fit the data in {}:",
            record.id,
            record.revision,
            service.backend().location()
        )];
        lines.extend(problems.iter().map(|p| p.to_string()));
        Failure(lines)
    })
}

/// Every record matching the segment, as member identifiers, and the entity's total.
pub fn matching_members(service: &Service, checked: &CheckedSegment) -> Result<Members, Failure> {
    Ok(service.members(checked, &CancelToken::new())?)
}

pub fn to_json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, Failure> {
    serde_json::to_value(value).map_err(|e| Failure::new(format!("cannot print the result: {e}")))
}

pub fn create_file(path: &Path) -> Result<std::io::BufWriter<std::fs::File>, Failure> {
    std::fs::File::create(path)
        .map(std::io::BufWriter::new)
        .map_err(|e| Failure::new(format!("cannot write {}: {e}", path.display())))
}
