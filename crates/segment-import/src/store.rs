//! The sidecar store: what the app knows about a data source beside the file itself —
//! relationships the user confirmed or added, the time column chosen per table, column labels,
//! declared column meanings (epoch seconds in an `INTEGER` column…) —
//! kept in the app's own storage (one JSON file), keyed by the data source's absolute path, or
//! for a warehouse by its address (without secrets) and the schema or database read
//! ([`SourceKey`]). The user's SQLite file is never written to.
//!
//! Every change is a read-modify-write under an exclusive OS lock on `<store>.lock` (so several
//! processes, e.g. concurrent CLI commands, never lose each other's updates), written to a
//! temporary file that is synced and renamed over the store (so a crash never leaves a
//! half-written store, and readers, which take no lock, always see a whole file).

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use segment_model::ColumnMeaning;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

/// The file name of the store in the app's data directory.
pub const STORE_FILE: &str = "sources.json";
const VERSION: u32 = 1;

/// Distinguishes the temporary files of threads of one process (the lock already serialises
/// them; this keeps a leftover from a crashed writer from being reused half-written).
static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

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
    /// What columns' values mean where the file's types cannot say it, per table then column
    /// (see `segment_source::meaning`).
    #[serde(default)]
    pub meanings: BTreeMap<String, BTreeMap<String, ColumnMeaning>>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct StoreFile {
    version: u32,
    #[serde(default)]
    sources: BTreeMap<String, SourceMeta>,
}

/// What a data source is known by in the store.
pub trait SourceKey {
    fn source_key(&self) -> String;
}

impl SourceKey for Path {
    fn source_key(&self) -> String {
        Store::key(self)
    }
}

impl SourceKey for PathBuf {
    fn source_key(&self) -> String {
        Store::key(self)
    }
}

/// A warehouse's tables: the address without password or token (`postgresql://ann@db/shop`,
/// `sc://host:15002`) and the schema or database read, so two schemas of one server keep their
/// own relationships. Never equal to a file's key (an absolute path has no scheme).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarehouseKey {
    pub address: String,
    pub schema: String,
}

impl SourceKey for WarehouseKey {
    fn source_key(&self) -> String {
        format!("{}#{}", self.address, self.schema)
    }
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
    pub fn get(&self, data: &(impl SourceKey + ?Sized)) -> Result<SourceMeta> {
        Ok(self
            .load()?
            .sources
            .remove(&data.source_key())
            .unwrap_or_default())
    }

    /// The lock file beside the store.
    fn lock_path(&self) -> PathBuf {
        let mut name = self.path.as_os_str().to_os_string();
        name.push(".lock");
        PathBuf::from(name)
    }

    /// Takes the exclusive lock of the store (blocks until the holder releases it; released
    /// when the returned file is dropped, also when the process dies).
    fn lock(&self) -> Result<File> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| self.error(e.to_string()))?;
        }
        let lock_path = self.lock_path();
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&lock_path)
            .map_err(|e| {
                self.error(format!("cannot open the lock {}: {e}", lock_path.display()))
            })?;
        file.lock()
            .map_err(|e| self.error(format!("cannot lock {}: {e}", lock_path.display())))?;
        Ok(file)
    }

    /// Changes what the store has for a data source: read, changed and written back under the
    /// store's exclusive lock, so concurrent updates from other processes are never lost.
    pub fn update<T>(
        &self,
        data: &(impl SourceKey + ?Sized),
        change: impl FnOnce(&mut SourceMeta) -> T,
    ) -> Result<T> {
        let key = data.source_key();
        let _lock = self.lock()?;
        let mut file = self.load()?;
        file.version = VERSION;
        let meta = file.sources.entry(key).or_default();
        let out = change(meta);
        meta.relationships.sort();
        meta.relationships.dedup();
        let text = serde_json::to_string_pretty(&file).map_err(|e| self.error(e.to_string()))?;
        let mut tmp = self.path.as_os_str().to_os_string();
        tmp.push(format!(
            ".{}-{}.tmp",
            std::process::id(),
            TMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let tmp = PathBuf::from(tmp);
        let written = File::create(&tmp).and_then(|mut f| {
            f.write_all(text.as_bytes())?;
            // Synced before the rename: a crash after it must not expose an empty store.
            f.sync_all()
        });
        let renamed = written.and_then(|()| std::fs::rename(&tmp, &self.path));
        if let Err(e) = renamed {
            let _ = std::fs::remove_file(&tmp);
            return Err(self.error(e.to_string()));
        }
        Ok(out)
    }

    /// Adds (or keeps) a confirmed relationship; `time_column` sets the child's time column.
    pub fn add_link(
        &self,
        data: &(impl SourceKey + ?Sized),
        link: Link,
        time_column: Option<String>,
    ) -> Result<()> {
        self.update(data, |meta| {
            if let Some(t) = time_column {
                meta.time_columns.insert(link.child.clone(), t);
            }
            meta.relationships.push(link);
        })
    }

    /// Declares what `table.column`'s values mean (replacing an earlier declaration).
    pub fn declare(
        &self,
        data: &(impl SourceKey + ?Sized),
        table: &str,
        column: &str,
        meaning: ColumnMeaning,
    ) -> Result<()> {
        self.update(data, |meta| {
            meta.meanings
                .entry(table.to_string())
                .or_default()
                .insert(column.to_string(), meaning);
        })
    }

    /// Removes the declared meaning of `table.column`; the meaning it had, if any.
    pub fn undeclare(
        &self,
        data: &(impl SourceKey + ?Sized),
        table: &str,
        column: &str,
    ) -> Result<Option<ColumnMeaning>> {
        self.update(data, |meta| {
            let columns = meta.meanings.get_mut(table)?;
            let removed = columns.remove(column);
            if columns.is_empty() {
                meta.meanings.remove(table);
            }
            removed
        })
    }

    /// Removes a relationship; whether it was there.
    pub fn remove_link(&self, data: &(impl SourceKey + ?Sized), link: &Link) -> Result<bool> {
        self.update(data, |meta| {
            let before = meta.relationships.len();
            meta.relationships.retain(|l| l != link);
            meta.relationships.len() != before
        })
    }
}
