//! The sidecar store: what the app knows about a data source beside the file itself —
//! relationships the user confirmed or added, the time column chosen per table, column labels —
//! kept in the app's own storage (one JSON file), keyed by the data source's absolute path.
//! The user's SQLite file is never written to.
//!
//! Writes are atomic (a temporary file renamed over the store), so a crash never leaves a
//! half-written store.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

/// The file name of the store in the app's data directory.
pub const STORE_FILE: &str = "sources.json";
const VERSION: u32 = 1;

/// `child.child_column` references `parent.parent_column`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Link {
    pub child: String,
    pub child_column: String,
    pub parent: String,
    pub parent_column: String,
}

/// What the store keeps for one data source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SourceMeta {
    #[serde(default)]
    pub relationships: Vec<Link>,
    /// The time column used for time windows, per table.
    #[serde(default)]
    pub time_columns: BTreeMap<String, String>,
    /// Column labels, per table then column (e.g. the header as written in an imported file).
    #[serde(default)]
    pub labels: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct StoreFile {
    version: u32,
    #[serde(default)]
    sources: BTreeMap<String, SourceMeta>,
}

/// The sidecar store at one path.
#[derive(Debug, Clone)]
pub struct Store {
    path: PathBuf,
}

impl Store {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Store { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The key of a data source: its absolute, canonical path.
    pub fn key(data: &Path) -> String {
        let absolute = std::fs::canonicalize(data).unwrap_or_else(|_| {
            std::env::current_dir()
                .map(|d| d.join(data))
                .unwrap_or_else(|_| data.to_path_buf())
        });
        absolute.to_string_lossy().into_owned()
    }

    fn load(&self) -> Result<StoreFile> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(StoreFile {
                    version: VERSION,
                    ..StoreFile::default()
                })
            }
            Err(e) => return Err(self.error(e.to_string())),
        };
        let file: StoreFile = serde_json::from_str(&text)
            .map_err(|e| self.error(format!("not a valid store: {e}")))?;
        if file.version > VERSION {
            return Err(self.error(format!("written by a newer version ({})", file.version)));
        }
        Ok(file)
    }

    fn error(&self, message: String) -> Error {
        Error::Store {
            path: self.path.clone(),
            message,
        }
    }

    /// What the store has for a data source (empty when nothing).
    pub fn get(&self, data: &Path) -> Result<SourceMeta> {
        Ok(self
            .load()?
            .sources
            .remove(&Store::key(data))
            .unwrap_or_default())
    }

    /// Changes what the store has for a data source, atomically.
    pub fn update<T>(&self, data: &Path, change: impl FnOnce(&mut SourceMeta) -> T) -> Result<T> {
        let mut file = self.load()?;
        file.version = VERSION;
        let meta = file.sources.entry(Store::key(data)).or_default();
        let out = change(meta);
        meta.relationships.sort();
        meta.relationships.dedup();
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| self.error(e.to_string()))?;
        }
        let text = serde_json::to_string_pretty(&file).map_err(|e| self.error(e.to_string()))?;
        let mut tmp = self.path.as_os_str().to_os_string();
        tmp.push(format!(".{}.tmp", std::process::id()));
        let tmp = PathBuf::from(tmp);
        std::fs::write(&tmp, text).map_err(|e| self.error(e.to_string()))?;
        std::fs::rename(&tmp, &self.path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            self.error(e.to_string())
        })?;
        Ok(out)
    }

    /// Adds (or keeps) a confirmed relationship; `time_column` sets the child's time column.
    pub fn add_link(&self, data: &Path, link: Link, time_column: Option<String>) -> Result<()> {
        self.update(data, |meta| {
            if let Some(t) = time_column {
                meta.time_columns.insert(link.child.clone(), t);
            }
            meta.relationships.push(link);
        })
    }

    /// Removes a relationship; whether it was there.
    pub fn remove_link(&self, data: &Path, link: &Link) -> Result<bool> {
        self.update(data, |meta| {
            let before = meta.relationships.len();
            meta.relationships.retain(|l| l != link);
            meta.relationships.len() != before
        })
    }
}
