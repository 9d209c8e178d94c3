//! Progress of a long import, reported to a callback, and its cancellation.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What the import is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Phase {
    /// First pass: reading the whole file to infer types and find bad values.
    Scanning,
    /// Second pass: inserting the rows.
    Loading,
    /// Building the indexes counts need.
    Indexing,
    /// `ANALYZE`, then committing.
    Analyzing,
}

/// A progress report: sent at most every `INTERVAL` (200 ms) and at each phase change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Progress {
    pub phase: Phase,
    /// Records read in this phase.
    #[ts(type = "number")]
    pub rows: u64,
    /// Bytes of the file read in this phase.
    #[ts(type = "number")]
    pub bytes: u64,
    #[ts(type = "number")]
    pub total_bytes: u64,
    #[ts(type = "number")]
    pub elapsed_ms: u64,
    /// Rows per second in this phase.
    pub rows_per_second: f64,
    /// Estimated time left for the reading phases (scanning and loading; indexes not counted).
    #[ts(optional, type = "number")]
    pub eta_ms: Option<u64>,
}

/// How often progress is reported.
pub const INTERVAL: Duration = Duration::from_millis(200);

/// Cancels an import from another thread: the import stops at the next batch (or inside an
/// index build) with [`crate::Error::Cancelled`] and leaves the data source as it was.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> Self {
        CancelToken::default()
    }
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

pub(crate) struct Tracker<'a> {
    callback: &'a mut dyn FnMut(&Progress),
    started: Instant,
    phase_started: Instant,
    last: Instant,
    phase: Phase,
    total_bytes: u64,
}

impl<'a> Tracker<'a> {
    pub fn new(callback: &'a mut dyn FnMut(&Progress), total_bytes: u64) -> Self {
        let now = Instant::now();
        Tracker {
            callback,
            started: now,
            phase_started: now,
            last: now,
            phase: Phase::Scanning,
            total_bytes,
        }
    }

    pub fn phase(&mut self, phase: Phase) {
        self.phase = phase;
        self.phase_started = Instant::now();
        self.emit(0, 0);
    }

    /// Reports when the interval has passed.
    pub fn tick(&mut self, rows: u64, bytes: u64) {
        if self.last.elapsed() >= INTERVAL {
            self.emit(rows, bytes);
        }
    }

    pub fn finish_phase(&mut self, rows: u64, bytes: u64) {
        self.emit(rows, bytes);
    }

    fn emit(&mut self, rows: u64, bytes: u64) {
        self.last = Instant::now();
        let phase_secs = self.phase_started.elapsed().as_secs_f64();
        let rows_per_second = if phase_secs > 0.0 {
            rows as f64 / phase_secs
        } else {
            0.0
        };
        // Loading takes about twice as long as scanning per byte.
        let total = self.total_bytes.max(1) as f64;
        let fraction = match self.phase {
            Phase::Scanning => bytes as f64 / total / 3.0,
            Phase::Loading => (1.0 + 2.0 * bytes as f64 / total) / 3.0,
            Phase::Indexing | Phase::Analyzing => 1.0,
        };
        let elapsed = self.started.elapsed();
        let eta_ms = (fraction > 0.01 && fraction < 1.0)
            .then(|| (elapsed.as_secs_f64() * (1.0 - fraction) / fraction * 1000.0) as u64);
        let progress = Progress {
            phase: self.phase,
            rows,
            bytes,
            total_bytes: self.total_bytes,
            elapsed_ms: elapsed.as_millis() as u64,
            rows_per_second,
            eta_ms,
        };
        (self.callback)(&progress);
    }
}
