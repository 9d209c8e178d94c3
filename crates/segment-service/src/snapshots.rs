//! Snapshots of the engine's loads (`segment_engine::snapshot`) kept in the app's data folder,
//! so the next start of the CLI or the app reads the columns back instead of decoding the
//! SQLite file again.
//!
//! - **Where**: `snapshots/` in the app's data folder ([`snapshot_dir`]: the one place both
//!   front ends ask), never beside the user's file. `SEGMENT_BUILDER_SNAPSHOTS` names another
//!   folder, or `off` for none.
//! - **Key**: one file per source, named by a hash of its canonical path; inside, the tag
//!   checked on reading holds the canonical path, the file's size and modification time (ns)
//!   and a SHA-256 of the schema it was loaded with (relationships from the sidecar included).
//!   Anything else (a touched or rewritten file, another schema, another engine version) is
//!   not used, and the load's snapshot replaces it.
//! - **Never an error to the user**: a snapshot that is absent, stale, truncated or corrupt is
//!   a note in the load's [`LoadReport`]; the data is loaded from the source as before.
//! - **Written atomically** (a temporary file in the folder, renamed into place) after a load
//!   from the source, unless the disk would keep less than [`DISK_RESERVE`] free; not synced:
//!   a file torn by a crash fails its checksum and is replaced. At most [`KEEP`] snapshots are
//!   kept, the least recently used removed first (reading one marks it used).
//! - **Memory-mapped when read**: the engine's arrays borrow from the mapped file (see
//!   `segment_engine::buf`), so a start costs the checksum and the structures' checks, not a
//!   copy of every column onto the heap.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use segment_engine::buf::{SharedBytes, StableBytes};
use segment_engine::snapshot::{self, ReadStep};
use segment_engine::Dataset;
use segment_model::Schema;
use segment_source::load_progress::{LoadPhase, LoadProgress};
use serde::Serialize;
use sha2::{Digest, Sha256};
use ts_rs::TS;

/// Names the snapshots' folder (`off`: keep none).
pub const SNAPSHOTS_VAR: &str = "SEGMENT_BUILDER_SNAPSHOTS";
/// The desktop app's identifier: its data folder's name.
pub const APP_DIR: &str = "dev.segmentbuilder.desktop";
/// Snapshots kept (the least recently used go first).
pub const KEEP: usize = 4;
/// Free bytes a snapshot must leave on its disk.
pub const DISK_RESERVE: u64 = 512 << 20;
const EXTENSION: &str = "snapshot";

/// The desktop app's data folder as a command line finds it: `$XDG_DATA_HOME` or
/// `~/.local/share`, then `dev.segmentbuilder.desktop/` (the app's own on Linux; the app asks
/// its platform and passes that to [`snapshot_dir`]).
pub fn default_app_data_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local").join("share")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join(APP_DIR)
}

/// Where the engine's snapshots are kept, given the app's data folder: `$SEGMENT_BUILDER_SNAPSHOTS`
/// when set (`off`: nowhere), else `snapshots/` in the data folder; `None` without either.
pub fn snapshot_dir(app_data_dir: Option<&Path>) -> Option<PathBuf> {
    match std::env::var_os(SNAPSHOTS_VAR).filter(|v| !v.is_empty()) {
        Some(v) if v == "off" => None,
        Some(v) => Some(PathBuf::from(v)),
        None => app_data_dir.map(|dir| dir.join("snapshots")),
    }
}

/// A local data file the engine loads, and the schema it loads it with.
#[derive(Clone)]
pub struct SnapshotSource {
    pub file: PathBuf,
    pub schema: Arc<Schema>,
}

/// Where a load's data came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadedFrom {
    /// The data source itself.
    Source,
    /// A snapshot of an earlier load.
    Snapshot,
}

/// How the engine's last load went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoadReport {
    pub from: LoadedFrom,
    pub seconds: f64,
    /// What happened with the snapshot: read, absent, not used and why, written, not written.
    pub notes: Vec<String>,
}

/// What [`load_through`] did: the data (or why not), how the load went, and the snapshot
/// still to write when the data came from the source.
pub(crate) struct Loaded {
    pub result: Result<Dataset, String>,
    pub report: LoadReport,
    pub write: Option<PendingWrite>,
}

/// A load through the snapshot in `dir`: a valid one is read; otherwise `run` loads from the
/// source (the estimate of a load from the source, and its refusal, come only then), and
/// [`Loaded::write`] is its snapshot to write for the next start: before or after the engine
/// is marked ready, the caller's choice (`crate::engine_cache::SnapshotWrite`). Never fails
/// because of a snapshot.
///
/// `budget` is the engine's memory budget ([`segment_source::engine::memory_budget`]: half the
/// available memory, or `SEGMENT_ENGINE_MAX_BYTES`, the user's hard cap). A snapshot is checked
/// against it with the exact heap bytes its header declares, where a load from the source is
/// checked with an estimate about 1.5× the real size: a load from SQLite peaks far above the
/// engine's final size (SQLite's page cache, builders: 1.5–1.85 GB at 1M profiles for 0.7 GB),
/// a read of a snapshot at its final size (the mapped file's pages, 0.69 GB at 1M), so the exact
/// size against the same half of the available memory keeps the same margin for the rest of the
/// machine while admitting data the estimate would refuse.
pub(crate) fn load_through(
    dir: &Path,
    source: &SnapshotSource,
    progress: &LoadProgress,
    budget: u64,
    run: impl FnOnce(&LoadProgress) -> Result<Dataset, String>,
) -> Loaded {
    let started = Instant::now();
    let mut notes = Vec::new();
    let key = match Key::of(source) {
        Ok(key) => Some(key),
        Err(e) => {
            notes.push(format!(
                "no snapshot: cannot read {}: {e}",
                source.file.display()
            ));
            None
        }
    };
    if let Some(key) = &key {
        let path = dir.join(&key.file_name);
        progress.enter(LoadPhase::Snapshot);
        match read(&path, key, &source.schema, budget, progress) {
            Ok(data) => {
                notes.push(format!("read from the snapshot {}", path.display()));
                return Loaded {
                    result: Ok(data),
                    report: LoadReport {
                        from: LoadedFrom::Snapshot,
                        seconds: started.elapsed().as_secs_f64(),
                        notes,
                    },
                    write: None,
                };
            }
            Err(None) => notes.push("no snapshot of this data yet".into()),
            Err(Some(why)) => notes.push(format!(
                "the snapshot {} was not used ({why}); loading from the source",
                path.display()
            )),
        }
        progress.enter(LoadPhase::Source);
    }
    let result = run(progress);
    let write = match (&result, key) {
        (Ok(_), Some(key)) => Some(PendingWrite {
            dir: dir.to_path_buf(),
            key,
            source: source.clone(),
        }),
        _ => None,
    };
    Loaded {
        result,
        report: LoadReport {
            from: LoadedFrom::Source,
            seconds: started.elapsed().as_secs_f64(),
            notes,
        },
        write,
    }
}

/// The snapshot of a load from the source, still to write.
pub(crate) struct PendingWrite {
    dir: PathBuf,
    key: Key,
    source: SnapshotSource,
}

impl PendingWrite {
    /// Writes `data`'s snapshot, unless the file changed since it was loaded (its snapshot
    /// would be of neither version), and prunes the folder; what happened, as a note.
    pub(crate) fn run(self, data: &Dataset, progress: &LoadProgress) -> String {
        self.write(data, progress).0
    }

    /// [`run`](Self::run), then the snapshot just written read back, mapped: the same data
    /// with its columns in the kernel's page cache instead of on the heap, for a long-lived
    /// engine (the app's) to count on from then on.
    pub(crate) fn run_and_map(
        self,
        data: &Dataset,
        progress: &LoadProgress,
    ) -> (String, Option<Dataset>) {
        let (note, written) = self.write(data, progress);
        if !written {
            return (note, None);
        }
        let path = self.dir.join(&self.key.file_name);
        let mapped = read(
            &path,
            &self.key,
            &self.source.schema,
            u64::MAX,
            &LoadProgress::new(),
        );
        (note, mapped.ok())
    }

    /// The note, and whether the snapshot was written.
    fn write(&self, data: &Dataset, progress: &LoadProgress) -> (String, bool) {
        match Key::of(&self.source) {
            Ok(now) if now.tag == self.key.tag => {
                progress.enter(LoadPhase::WritingSnapshot);
                let written = write(&self.dir, &self.key, data);
                prune(&self.dir, KEEP);
                match written {
                    Ok((path, bytes)) => (
                        format!(
                            "snapshot written to {} ({:.1} MiB)",
                            path.display(),
                            bytes as f64 / f64::from(1u32 << 20)
                        ),
                        true,
                    ),
                    Err(why) => (format!("no snapshot written: {why}"), false),
                }
            }
            _ => (
                "no snapshot written: the file changed while it was loaded".into(),
                false,
            ),
        }
    }
}

/// What a snapshot must match.
struct Key {
    /// Checked byte for byte inside the snapshot.
    tag: Vec<u8>,
    /// One per canonical path: a newer load of the same file replaces it.
    file_name: String,
}

impl Key {
    fn of(source: &SnapshotSource) -> std::io::Result<Key> {
        let canonical = std::fs::canonicalize(&source.file)?;
        let meta = std::fs::metadata(&canonical)?;
        let modified = meta
            .modified()?
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let schema = serde_json::to_string(source.schema.as_ref()).unwrap_or_default();
        let path = canonical.to_string_lossy();
        let tag = format!(
            "segment-builder engine snapshot\npath={path}\nsize={}\nmodified_ns={modified}\nschema_sha256={}\n",
            meta.len(),
            hex(&Sha256::digest(schema.as_bytes()))
        );
        let name = hex(&Sha256::digest(path.as_bytes()));
        Ok(Key {
            tag: tag.into_bytes(),
            file_name: format!("{}.{EXTENSION}", &name[..32]),
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The snapshot at `path` if it is one of this key; `Err(None)` when there is none, else why
/// it was refused.
fn read(
    path: &Path,
    key: &Key,
    schema: &Schema,
    budget: u64,
    progress: &LoadProgress,
) -> Result<Dataset, Option<String>> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(None),
        Err(e) => return Err(Some(e.to_string())),
    };
    let mapped = map(&file).map_err(|e| Some(format!("cannot map the snapshot: {e}")))?;
    let data = snapshot::read(mapped, &key.tag, schema, budget, &mut |step| match step {
        ReadStep::Planned { tables, records } => progress.planned(tables, records),
        ReadStep::TableRead { records } => {
            progress.rows_read(records);
            progress.table_read();
        }
    })
    .map_err(|e| Some(e.to_string()))?;
    // Recently used: kept before the others when the folder is pruned.
    let _ = file.set_modified(SystemTime::now());
    Ok(data)
}

/// A snapshot file mapped into memory: the engine's columns borrow from its pages, which the
/// kernel reads in (and may drop again) as the file's cache, instead of copies on the heap.
struct Mapped(memmap2::Mmap);

// SAFETY: snapshot files are only ever made whole under a temporary name and renamed into
// place, or removed; never written in place, so a mapped file's bytes do not change (a file
// replaced or removed stays mapped as it was).
unsafe impl StableBytes for Mapped {
    fn bytes(&self) -> &[u8] {
        &self.0
    }
}

fn map(file: &File) -> std::io::Result<SharedBytes> {
    // SAFETY: see `Mapped`. The pages are mapped up front (`populate`): the checksum reads
    // them all next, and one call maps them faster than a fault per page.
    let map = unsafe { memmap2::MmapOptions::new().populate().map(file)? };
    Ok(Arc::new(Mapped(map)))
}

/// Writes `data`'s snapshot into `dir` (a temporary file renamed into place); its path and size.
fn write(dir: &Path, key: &Key, data: &Dataset) -> Result<(PathBuf, u64), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let needed = data.heap_bytes() as u64;
    if let Some(free) = free_bytes(dir) {
        if free < needed + DISK_RESERVE {
            return Err(format!(
                "{} has {:.1} GiB free, about {:.1} GiB needed and {} MiB kept free",
                dir.display(),
                free as f64 / f64::from(1u32 << 30),
                needed as f64 / f64::from(1u32 << 30),
                DISK_RESERVE >> 20
            ));
        }
    }
    let path = dir.join(&key.file_name);
    let temporary = dir.join(format!(".{}.{}.tmp", key.file_name, std::process::id()));
    let written = File::create(&temporary)
        .map_err(|e| e.to_string())
        .and_then(|file| {
            snapshot::write(data, &key.tag, BufWriter::with_capacity(1 << 20, file))
                .map_err(|e| e.to_string())
        })
        .and_then(|bytes| {
            std::fs::rename(&temporary, &path)
                .map(|()| bytes)
                .map_err(|e| e.to_string())
        });
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
        .map(|bytes| (path, bytes))
        .map_err(|e| format!("writing {}: {e}", temporary.display()))
}

/// Free bytes on the disk holding `dir`, where the platform says.
fn free_bytes(dir: &Path) -> Option<u64> {
    #[cfg(unix)]
    {
        rustix::fs::statvfs(dir)
            .ok()
            .map(|s| s.f_bavail.saturating_mul(s.f_frsize))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}

/// Keeps the `keep` most recently used snapshots in `dir`, and no temporary file older than an
/// hour (a write that was cut short).
fn prune(dir: &Path, keep: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut snapshots = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let modified = entry
            .metadata()
            .and_then(|m| m.modified())
            .unwrap_or(SystemTime::UNIX_EPOCH);
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_snapshot(&name) {
            snapshots.push((modified, path));
        } else if is_temporary(&name) {
            let old = modified
                .elapsed()
                .is_ok_and(|age| age > Duration::from_secs(3600));
            if old {
                let _ = std::fs::remove_file(path);
            }
        }
    }
    snapshots.sort_by_key(|(modified, _)| std::cmp::Reverse(*modified));
    for (_, path) in snapshots.into_iter().skip(keep) {
        let _ = std::fs::remove_file(path);
    }
}

/// Why the snapshots could not be listed or removed.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotsError {
    #[error("cannot read the snapshots' folder {}: {source}", dir.display())]
    ReadDir {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot remove the snapshot {}: {source}", path.display())]
    Remove {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// One snapshot kept: a copy of a data file's columns, outside that file.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SnapshotEntry {
    /// The data file it is a copy of (from its header); `None` when the header is unreadable.
    pub source: Option<String>,
    /// The snapshot file itself.
    pub file: String,
    /// Its size on disk.
    #[ts(type = "number")]
    pub bytes: u64,
    /// When it was last written or read, Unix seconds.
    #[ts(type = "number")]
    pub last_used: i64,
}

/// The snapshots kept in a folder, most recently used first.
#[derive(Debug, Clone, PartialEq, Default, Serialize, TS)]
#[ts(export)]
pub struct SnapshotList {
    /// The folder; `None` when snapshots are off.
    pub dir: Option<String>,
    pub snapshots: Vec<SnapshotEntry>,
    /// All of them together.
    #[ts(type = "number")]
    pub bytes: u64,
}

/// What [`clear`] removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, TS)]
#[ts(export)]
pub struct Cleared {
    /// Snapshots removed (unfinished writes not counted).
    pub snapshots: usize,
    /// Bytes freed, unfinished writes included.
    #[ts(type = "number")]
    pub bytes: u64,
}

fn is_snapshot(name: &str) -> bool {
    name.ends_with(&format!(".{EXTENSION}"))
}

fn is_temporary(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".tmp")
}

/// The snapshots in `dir` ([`snapshot_dir`]: `None` when they are off), most recently used
/// first: what both front ends show. A folder not made yet has none.
pub fn list(dir: Option<&Path>) -> Result<SnapshotList, SnapshotsError> {
    let Some(dir) = dir else {
        return Ok(SnapshotList::default());
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(SnapshotList {
                dir: Some(dir.display().to_string()),
                ..SnapshotList::default()
            })
        }
        Err(source) => {
            return Err(SnapshotsError::ReadDir {
                dir: dir.to_path_buf(),
                source,
            })
        }
    };
    let mut snapshots = Vec::new();
    for entry in entries.flatten() {
        if !is_snapshot(&entry.file_name().to_string_lossy()) {
            continue;
        }
        let Ok(meta) = entry.metadata() else { continue };
        let path = entry.path();
        let last_used = meta
            .modified()
            .ok()
            .and_then(|m| m.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_secs() as i64);
        snapshots.push(SnapshotEntry {
            source: source_of(&path),
            file: path.display().to_string(),
            bytes: meta.len(),
            last_used,
        });
    }
    snapshots.sort_by(|a, b| b.last_used.cmp(&a.last_used).then(a.file.cmp(&b.file)));
    Ok(SnapshotList {
        dir: Some(dir.display().to_string()),
        bytes: snapshots.iter().map(|s| s.bytes).sum(),
        snapshots,
    })
}

/// The data file a snapshot is a copy of: the `path=` line of the tag in its header.
fn source_of(snapshot: &Path) -> Option<String> {
    let file = File::open(snapshot).ok()?;
    let tag = snapshot::read_tag(BufReader::with_capacity(8 << 10, file)).ok()?;
    String::from_utf8_lossy(&tag)
        .lines()
        .find_map(|line| line.strip_prefix("path=").map(str::to_string))
}

/// Removes every snapshot in `dir`, and any unfinished write; how many and how many bytes.
pub fn clear(dir: &Path) -> Result<Cleared, SnapshotsError> {
    let mut cleared = Cleared::default();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(cleared),
        Err(source) => {
            return Err(SnapshotsError::ReadDir {
                dir: dir.to_path_buf(),
                source,
            })
        }
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let (snapshot, temporary) = (is_snapshot(&name), is_temporary(&name));
        if !snapshot && !temporary {
            continue;
        }
        let bytes = entry.metadata().map_or(0, |m| m.len());
        let path = entry.path();
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            // Gone meanwhile (a write renamed into place, another clear).
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => return Err(SnapshotsError::Remove { path, source }),
        }
        cleared.bytes += bytes;
        cleared.snapshots += usize::from(snapshot);
    }
    Ok(cleared)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pruning_keeps_the_most_recently_used() {
        let dir = tempfile::tempdir().unwrap();
        let now = SystemTime::now();
        for i in 0..6u64 {
            let path = dir.path().join(format!("{i}.{EXTENSION}"));
            let file = File::create(&path).unwrap();
            file.set_modified(now - Duration::from_secs(100 * (6 - i)))
                .unwrap();
        }
        let old_tmp = dir.path().join(".x.snapshot.1.tmp");
        File::create(&old_tmp)
            .unwrap()
            .set_modified(now - Duration::from_secs(7200))
            .unwrap();
        let fresh_tmp = dir.path().join(".y.snapshot.1.tmp");
        File::create(&fresh_tmp).unwrap();
        prune(dir.path(), 4);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                ".y.snapshot.1.tmp",
                "2.snapshot",
                "3.snapshot",
                "4.snapshot",
                "5.snapshot"
            ]
        );
        let listed = list(Some(dir.path())).unwrap();
        let files: Vec<&str> = listed.snapshots.iter().map(|s| s.file.as_str()).collect();
        let expected: Vec<String> = [5, 4, 3, 2]
            .map(|i| {
                dir.path()
                    .join(format!("{i}.{EXTENSION}"))
                    .display()
                    .to_string()
            })
            .into();
        assert_eq!(files, expected, "most recently used first");
        assert_eq!(listed.snapshots[0].source, None, "not a snapshot inside");
        assert_eq!(
            clear(dir.path()).unwrap(),
            Cleared {
                snapshots: 4,
                bytes: 0
            }
        );
        assert!(list(Some(dir.path())).unwrap().snapshots.is_empty());
        assert_eq!(
            clear(&dir.path().join("absent")).unwrap(),
            Cleared::default()
        );
        assert_eq!(list(None).unwrap(), SnapshotList::default());
    }
}
