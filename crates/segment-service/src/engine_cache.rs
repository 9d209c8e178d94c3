//! The in-memory engine's copy of a data source, loaded in the background and kept while the
//! data is unchanged: keyed by (where the data is, its modification time, a hash of the schema it
//! was loaded with, since a sidecar may add relationships). Another file, an import into it or a
//! new relationship starts a reload; a newer load wins over an older one still running.
//!
//! With a snapshot folder ([`EngineCache::with_snapshots`]), a load of a local file goes
//! through [`crate::snapshots`]: a valid snapshot of an earlier load is read instead of the
//! file, and a load from the file leaves one for the next start.

use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use segment_engine::Dataset;
use segment_source::load_progress::{LoadProgress, Progress};

use crate::snapshots::{LoadReport, LoadedFrom, SnapshotSource};

/// What identifies one load: the data's location, its modification time (if known), and the
/// schema's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub location: String,
    pub modified: Option<std::time::SystemTime>,
    pub schema_hash: u64,
}

impl Stamp {
    /// The same data and schema, as it was before `other` (an earlier modification time).
    fn is_older_than(&self, other: &Stamp) -> bool {
        self.location == other.location
            && self.schema_hash == other.schema_hash
            && self.modified < other.modified
    }
}

/// A load to run: its stamp and the work itself (on a connection of its own, so SQL counts go
/// on meanwhile), which counts its rows and tables in the progress it is given.
pub struct EngineLoad {
    pub stamp: Stamp,
    pub run: Box<dyn FnOnce(&LoadProgress) -> Result<Dataset, String> + Send>,
    /// The local file the load reads, when a snapshot of it may stand in for it.
    pub snapshot: Option<SnapshotSource>,
}

#[derive(Clone)]
pub enum EngineStatus {
    Loading,
    Ready(Arc<Dataset>),
    /// The engine cannot hold or judge this data; why.
    Unsupported(String),
}

#[derive(Default)]
struct Slot {
    stamp: Option<Stamp>,
    status: Option<EngineStatus>,
    /// The running load's progress (the last load's, once it is done).
    progress: Option<Arc<LoadProgress>>,
    /// How the last finished load went.
    report: Option<LoadReport>,
}

#[derive(Default)]
struct Shared {
    slot: Mutex<Slot>,
    ready: Condvar,
    /// Where snapshots of loads are kept (`None`: none are).
    snapshots: Mutex<Option<PathBuf>>,
}

/// The engine's dataset for the open data source. Cheap to clone; clones share the dataset.
#[derive(Clone, Default)]
pub struct EngineCache(Arc<Shared>);

impl EngineCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// A cache keeping snapshots of its loads in `dir` (see [`crate::snapshots::snapshot_dir`]).
    pub fn with_snapshots(dir: Option<PathBuf>) -> Self {
        let cache = Self::default();
        cache.keep_snapshots_in(dir);
        cache
    }

    /// Keeps snapshots of the next loads in `dir` (`None`: none), for this cache and its clones.
    pub fn keep_snapshots_in(&self, dir: Option<PathBuf>) {
        *self.0.snapshots.lock().unwrap_or_else(|p| p.into_inner()) = dir;
    }

    /// Where this cache keeps its snapshots (`None`: nowhere), for listing or removing them
    /// (`crate::snapshots::list`, `crate::snapshots::clear`).
    pub fn snapshot_dir(&self) -> Option<PathBuf> {
        self.0
            .snapshots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// How the last finished load went (from the source or a snapshot, how long, what happened
    /// with the snapshot); `None` before one has finished.
    pub fn last_load(&self) -> Option<LoadReport> {
        let slot = self.0.slot.lock().unwrap_or_else(|p| p.into_inner());
        slot.report.clone()
    }

    /// The status for `load`'s stamp, starting `load` on a background thread when that stamp
    /// is not the one loaded. Never blocks on a load.
    pub fn status(&self, load: EngineLoad) -> EngineStatus {
        let mut slot = self.0.slot.lock().unwrap_or_else(|p| p.into_inner());
        // A stamp read before the data changed can arrive after a newer one (two requests racing
        // a file change): it must not roll the cache back to the older data.
        let stale = slot
            .stamp
            .as_ref()
            .is_some_and(|current| load.stamp.is_older_than(current));
        if !stale && (slot.stamp.as_ref() != Some(&load.stamp) || slot.status.is_none()) {
            slot.stamp = Some(load.stamp.clone());
            slot.status = Some(EngineStatus::Loading);
            let progress = Arc::new(LoadProgress::new());
            slot.progress = Some(Arc::clone(&progress));
            let cache = self.clone();
            let snapshots = self
                .0
                .snapshots
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            std::thread::spawn(move || {
                let started = Instant::now();
                let (result, report) = match (&snapshots, &load.snapshot) {
                    (Some(dir), Some(source)) => {
                        crate::snapshots::load_through(dir, source, &progress, load.run)
                    }
                    _ => {
                        let result = (load.run)(&progress);
                        let report = LoadReport {
                            from: LoadedFrom::Source,
                            seconds: started.elapsed().as_secs_f64(),
                            notes: Vec::new(),
                        };
                        (result, report)
                    }
                };
                let status = match result {
                    Ok(data) => EngineStatus::Ready(Arc::new(data)),
                    Err(why) => EngineStatus::Unsupported(why),
                };
                cache.finish(&load.stamp, status, report);
            });
        }
        slot.status.clone().unwrap_or(EngineStatus::Loading)
    }

    /// Like [`status`](Self::status) but waits while the dataset is loading. Blocking.
    pub fn wait(&self, load: EngineLoad) -> EngineStatus {
        self.wait_reporting(load, Duration::MAX, &mut |_| {})
    }

    /// [`wait`](Self::wait), handing `report` the load's progress every `every` while it runs.
    pub fn wait_reporting(
        &self,
        load: EngineLoad,
        every: Duration,
        report: &mut dyn FnMut(Progress),
    ) -> EngineStatus {
        let status = self.status(load);
        if !matches!(status, EngineStatus::Loading) {
            return status;
        }
        let mut slot = self.0.slot.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            match &slot.status {
                Some(EngineStatus::Loading) | None => {
                    let (next, waited) = self
                        .0
                        .ready
                        .wait_timeout(slot, every)
                        .unwrap_or_else(|p| p.into_inner());
                    slot = next;
                    if waited.timed_out() {
                        if let Some(progress) = &slot.progress {
                            report(progress.now());
                        }
                    }
                }
                Some(status) => return status.clone(),
            }
        }
    }

    /// How far the running load has come; `None` when no load is running.
    pub fn progress(&self) -> Option<Progress> {
        let slot = self.0.slot.lock().unwrap_or_else(|p| p.into_inner());
        match (&slot.status, &slot.progress) {
            (Some(EngineStatus::Loading), Some(progress)) => Some(progress.now()),
            _ => None,
        }
    }

    fn finish(&self, stamp: &Stamp, status: EngineStatus, report: LoadReport) {
        let mut slot = self.0.slot.lock().unwrap_or_else(|p| p.into_inner());
        // A newer load replaced this one while it ran: leave the slot to it.
        if slot.stamp.as_ref() == Some(stamp) {
            slot.status = Some(status);
            slot.report = Some(report);
            self.0.ready.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    fn load(modified: SystemTime, hash: u64) -> EngineLoad {
        EngineLoad {
            stamp: Stamp {
                location: "data.sqlite".into(),
                modified: Some(modified),
                schema_hash: hash,
            },
            run: Box::new(|_| Err("not loaded in this test".into())),
            snapshot: None,
        }
    }

    #[test]
    fn a_waiting_caller_hears_how_far_the_load_has_come() {
        let cache = EngineCache::new();
        let (go, wait) = std::sync::mpsc::channel::<()>();
        let load = EngineLoad {
            run: Box::new(move |progress| {
                progress.planned(2, 1_000);
                progress.rows_read(400);
                progress.table_read();
                // Until the test has heard about it.
                let _ = wait.recv_timeout(Duration::from_secs(10));
                Err("stopped by the test".into())
            }),
            ..load(SystemTime::UNIX_EPOCH, 1)
        };
        let mut heard = Vec::new();
        let status = cache.wait_reporting(load, Duration::from_millis(20), &mut |p| {
            heard.push(p);
            let _ = go.send(());
        });
        assert!(matches!(status, EngineStatus::Unsupported(_)));
        let last = heard.last().expect("a report while loading");
        assert_eq!((last.rows_done, last.rows_total), (400, 1_000));
        assert_eq!((last.tables_done, last.tables_total), (1, 2));
        // Once done there is nothing to report.
        assert!(cache.progress().is_none());
    }

    #[test]
    fn a_stale_stamp_does_not_roll_the_cache_back() {
        let cache = EngineCache::new();
        let before = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let after = before + Duration::from_secs(60);
        assert!(matches!(
            cache.wait(load(after, 1)),
            EngineStatus::Unsupported(_)
        ));
        // A request that read the file's time before the change arrives late: no reload.
        assert!(matches!(
            cache.status(load(before, 1)),
            EngineStatus::Unsupported(_)
        ));
        // A newer time, or another schema, reloads.
        assert!(matches!(
            cache.status(load(after + Duration::from_secs(1), 1)),
            EngineStatus::Loading | EngineStatus::Unsupported(_)
        ));
        let lock = &cache.0.slot;
        let stamp = lock.lock().unwrap().stamp.clone().unwrap();
        assert_eq!(stamp.modified, Some(after + Duration::from_secs(1)));
        cache.status(load(before, 2));
        let stamp = lock.lock().unwrap().stamp.clone().unwrap();
        assert_eq!(stamp.schema_hash, 2);
    }
}
