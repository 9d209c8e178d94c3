//! The in-memory engine's copy of a data source, loaded in the background and kept while the
//! data is unchanged: keyed by (where the data is, its modification time, a hash of the schema it
//! was loaded with, since a sidecar may add relationships). Another file, an import into it or a
//! new relationship starts a reload; a newer load wins over an older one still running.
//!
//! With a snapshot folder ([`EngineCache::with_snapshots`]), a load of a local file goes
//! through [`crate::snapshots`]: a valid snapshot of an earlier load is read instead of the
//! file, and a load from the file leaves one for the next start: written before the engine is
//! marked ready (the default: a command line that exits right after its count still leaves
//! it) or after ([`SnapshotWrite::AfterReady`]: the app counts first), in the same background
//! task either way.

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

/// The work of a load from the source, given the progress to count in and the memory budget.
pub type LoadRun = Box<dyn FnOnce(&LoadProgress, u64) -> Result<Dataset, String> + Send>;

/// A load to run: its stamp and the work itself (on a connection of its own, so SQL counts go
/// on meanwhile), which counts its rows and tables in the progress it is given.
pub struct EngineLoad {
    pub stamp: Stamp,
    /// Given the memory budget it must refuse data beyond (the estimate of a load from the
    /// source compared with it, `segment_source::engine::load_dataset_within`).
    pub run: LoadRun,
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
    /// Snapshots being written after their engine was marked ready.
    writes: usize,
}

/// When a load from the source writes its snapshot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SnapshotWrite {
    /// Before the engine is marked ready: a process that exits right after its first count
    /// (the CLI) still leaves the snapshot, its first count waiting for the write (~1 s at 1M
    /// profiles).
    #[default]
    BeforeReady,
    /// After: counts start at once and the snapshot is written meanwhile, in the same
    /// background task (the app, which stays open). [`EngineCache::wait_for_snapshot_writes`]
    /// waits for it.
    AfterReady,
}

/// Runs on the loading thread right before a snapshot is written.
type WriteHook = Arc<dyn Fn() + Send + Sync>;

/// How loads are run, for this cache and its clones.
#[derive(Default)]
struct Options {
    /// Where snapshots of loads are kept (`None`: none are).
    snapshots: Option<PathBuf>,
    write: SnapshotWrite,
    /// Instead of `segment_source::engine::memory_budget()`, read at each load.
    memory_budget: Option<u64>,
    before_write: Option<WriteHook>,
}

/// The load's note while its snapshot is written after the engine was marked ready.
const WRITING_AFTER: &str = "writing a snapshot for the next start (the engine is ready)";

#[derive(Default)]
struct Shared {
    slot: Mutex<Slot>,
    ready: Condvar,
    options: Mutex<Options>,
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

    fn options(&self) -> std::sync::MutexGuard<'_, Options> {
        self.0.options.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Keeps snapshots of the next loads in `dir` (`None`: none), for this cache and its clones.
    pub fn keep_snapshots_in(&self, dir: Option<PathBuf>) {
        self.options().snapshots = dir;
    }

    /// When the next loads from the source write their snapshot (default: before the engine
    /// is marked ready).
    pub fn write_snapshots(&self, when: SnapshotWrite) {
        self.options().write = when;
    }

    /// The memory budget of the next loads, instead of `segment_source::engine::memory_budget()`
    /// (`None`: that one): a snapshot's exact size and a load from the source's estimate are
    /// compared with it.
    pub fn set_memory_budget(&self, bytes: Option<u64>) {
        self.options().memory_budget = bytes;
    }

    /// Runs `hook` on the loading thread right before each snapshot is written (tests: to look
    /// between the engine's readiness and the write).
    #[doc(hidden)]
    pub fn before_snapshot_writes(&self, hook: impl Fn() + Send + Sync + 'static) {
        self.options().before_write = Some(Arc::new(hook));
    }

    /// Waits until no snapshot is being written after its engine was marked ready
    /// ([`SnapshotWrite::AfterReady`]). Blocking.
    pub fn wait_for_snapshot_writes(&self) {
        let mut slot = self.0.slot.lock().unwrap_or_else(|p| p.into_inner());
        while slot.writes > 0 {
            slot = self.0.ready.wait(slot).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Where this cache keeps its snapshots (`None`: nowhere), for listing or removing them
    /// (`crate::snapshots::list`, `crate::snapshots::clear`).
    pub fn snapshot_dir(&self) -> Option<PathBuf> {
        self.options().snapshots.clone()
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
            let (snapshots, when, budget, hook) = {
                let options = self.options();
                (
                    options.snapshots.clone(),
                    options.write,
                    options.memory_budget,
                    options.before_write.clone(),
                )
            };
            std::thread::spawn(move || {
                let started = Instant::now();
                let budget = budget.unwrap_or_else(segment_source::engine::memory_budget);
                let run = load.run;
                // A valid snapshot first; only without one is the source estimated and loaded.
                let loaded = match (&snapshots, &load.snapshot) {
                    (Some(dir), Some(source)) => {
                        crate::snapshots::load_through(dir, source, &progress, budget, |p| {
                            run(p, budget)
                        })
                    }
                    _ => {
                        let result = run(&progress, budget);
                        let report = LoadReport {
                            from: LoadedFrom::Source,
                            seconds: started.elapsed().as_secs_f64(),
                            notes: Vec::new(),
                        };
                        crate::snapshots::Loaded {
                            result,
                            report,
                            write: None,
                        }
                    }
                };
                let mut report = loaded.report;
                let data = match loaded.result {
                    Ok(data) => Arc::new(data),
                    Err(why) => {
                        cache.finish(&load.stamp, EngineStatus::Unsupported(why), report, false);
                        return;
                    }
                };
                let Some(write) = loaded.write else {
                    cache.finish(&load.stamp, EngineStatus::Ready(data), report, false);
                    return;
                };
                let before_write = || {
                    if let Some(hook) = &hook {
                        hook();
                    }
                };
                match when {
                    SnapshotWrite::BeforeReady => {
                        before_write();
                        report.notes.push(write.run(&data, &progress));
                        cache.finish(&load.stamp, EngineStatus::Ready(data), report, false);
                    }
                    SnapshotWrite::AfterReady => {
                        report.notes.push(WRITING_AFTER.into());
                        cache.finish(&load.stamp, EngineStatus::Ready(data.clone()), report, true);
                        before_write();
                        // A long-lived engine counts on the mapped snapshot from then on: the
                        // same data, off the heap (the loaded copy goes with its last count).
                        let (note, mapped) = write.run_and_map(&data, &progress);
                        drop(data);
                        cache.written(&load.stamp, note, mapped.map(Arc::new));
                    }
                }
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

    /// Marks `stamp`'s load done (`writing`: its snapshot is written next, after this).
    fn finish(&self, stamp: &Stamp, status: EngineStatus, report: LoadReport, writing: bool) {
        let mut slot = self.0.slot.lock().unwrap_or_else(|p| p.into_inner());
        slot.writes += usize::from(writing);
        // A newer load replaced this one while it ran: leave the slot to it.
        if slot.stamp.as_ref() == Some(stamp) {
            slot.status = Some(status);
            slot.report = Some(report);
        }
        self.0.ready.notify_all();
    }

    /// A snapshot written after `stamp`'s engine was marked ready: its note replaces
    /// [`WRITING_AFTER`] in the load's report.
    /// `mapped`: the snapshot read back, to count on instead of the loaded copy.
    fn written(&self, stamp: &Stamp, note: String, mapped: Option<Arc<Dataset>>) {
        let mut slot = self.0.slot.lock().unwrap_or_else(|p| p.into_inner());
        slot.writes = slot.writes.saturating_sub(1);
        if slot.stamp.as_ref() == Some(stamp) {
            if let (Some(mapped), Some(EngineStatus::Ready(_))) = (mapped, &slot.status) {
                slot.status = Some(EngineStatus::Ready(mapped));
            }
            if let Some(report) = &mut slot.report {
                match report.notes.iter_mut().find(|n| *n == WRITING_AFTER) {
                    Some(pending) => *pending = note,
                    None => report.notes.push(note),
                }
            }
        }
        self.0.ready.notify_all();
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
            run: Box::new(|_, _| Err("not loaded in this test".into())),
            snapshot: None,
        }
    }

    #[test]
    fn a_waiting_caller_hears_how_far_the_load_has_come() {
        let cache = EngineCache::new();
        let (go, wait) = std::sync::mpsc::channel::<()>();
        let load = EngineLoad {
            run: Box::new(move |progress, _| {
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
