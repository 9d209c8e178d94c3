//! How far a load into the engine has come: rows and tables done of those known, and the time
//! left at the pace so far. Shared by the loading threads (atomics) and whoever reports it (the
//! CLI on standard error, the app beside its counts).

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::time::{Duration, Instant};

/// Counters a load updates as it goes; read at any time with [`LoadProgress::now`].
#[derive(Debug)]
pub struct LoadProgress {
    started: Instant,
    rows_total: AtomicU64,
    rows_done: AtomicU64,
    tables_total: AtomicU64,
    tables_done: AtomicU64,
    phase: AtomicU8,
}

/// What a load is reading or writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoadPhase {
    /// The data source itself (decoding, then building the indexes and joins).
    #[default]
    Source,
    /// A snapshot of an earlier load (see `segment_engine::snapshot`).
    Snapshot,
    /// Writing the snapshot of this load for the next start.
    WritingSnapshot,
}

impl LoadPhase {
    fn from_u8(v: u8) -> LoadPhase {
        match v {
            1 => LoadPhase::Snapshot,
            2 => LoadPhase::WritingSnapshot,
            _ => LoadPhase::Source,
        }
    }

    fn as_u8(self) -> u8 {
        match self {
            LoadPhase::Source => 0,
            LoadPhase::Snapshot => 1,
            LoadPhase::WritingSnapshot => 2,
        }
    }
}

impl Default for LoadProgress {
    fn default() -> Self {
        LoadProgress {
            started: Instant::now(),
            rows_total: AtomicU64::new(0),
            rows_done: AtomicU64::new(0),
            tables_total: AtomicU64::new(0),
            tables_done: AtomicU64::new(0),
            phase: AtomicU8::new(0),
        }
    }
}

/// One reading of a [`LoadProgress`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    pub rows_done: u64,
    pub rows_total: u64,
    pub tables_done: u64,
    pub tables_total: u64,
    pub elapsed: Duration,
    pub phase: LoadPhase,
}

impl LoadProgress {
    pub fn new() -> Self {
        Self::default()
    }

    /// The tables and rows the load will read (the loader says so before it starts).
    pub fn planned(&self, tables: u64, rows: u64) {
        self.tables_total.store(tables, Ordering::Relaxed);
        self.rows_total.store(rows, Ordering::Relaxed);
    }

    /// `rows` more rows read (by any loading thread).
    pub fn rows_read(&self, rows: u64) {
        self.rows_done.fetch_add(rows, Ordering::Relaxed);
    }

    /// One more table read whole.
    pub fn table_read(&self) {
        self.tables_done.fetch_add(1, Ordering::Relaxed);
    }

    /// The load turns to `phase`; reading a snapshot, or the source after a snapshot that could
    /// not be read, starts the counts afresh (each plans its own tables and rows).
    pub fn enter(&self, phase: LoadPhase) {
        if phase != LoadPhase::WritingSnapshot {
            self.planned(0, 0);
            self.rows_done.store(0, Ordering::Relaxed);
            self.tables_done.store(0, Ordering::Relaxed);
        }
        self.phase.store(phase.as_u8(), Ordering::Relaxed);
    }

    pub fn now(&self) -> Progress {
        Progress {
            rows_done: self.rows_done.load(Ordering::Relaxed),
            rows_total: self.rows_total.load(Ordering::Relaxed),
            tables_done: self.tables_done.load(Ordering::Relaxed),
            tables_total: self.tables_total.load(Ordering::Relaxed),
            elapsed: self.started.elapsed(),
            phase: LoadPhase::from_u8(self.phase.load(Ordering::Relaxed)),
        }
    }
}

impl Progress {
    /// The share of rows read, 0 to 1 (0 before the plan is known).
    pub fn fraction(&self) -> f64 {
        if self.rows_total == 0 {
            0.0
        } else {
            (self.rows_done as f64 / self.rows_total as f64).min(1.0)
        }
    }

    /// Seconds left at the pace so far; unknown until a few rows are read. Once every row is
    /// read the engine still builds its indexes, which this does not foresee.
    pub fn seconds_left(&self) -> Option<u64> {
        let fraction = self.fraction();
        if fraction < 0.01 || self.elapsed < Duration::from_millis(500) {
            return None;
        }
        let total = self.elapsed.as_secs_f64() / fraction;
        Some((total - self.elapsed.as_secs_f64()).max(0.0).ceil() as u64)
    }
}

/// "3.2M of 10.6M rows (1 of 3 tables), about 25 s left", or "indexing" once all rows are read;
/// "… from the snapshot" when an earlier load's snapshot is read.
impl std::fmt::Display for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.phase == LoadPhase::WritingSnapshot {
            return write!(
                f,
                "{} rows loaded, writing a snapshot for the next start",
                rows(self.rows_total)
            );
        }
        if self.tables_total > 0 && self.tables_done == self.tables_total {
            if self.phase == LoadPhase::Snapshot {
                return write!(f, "{} rows read from the snapshot", rows(self.rows_total));
            }
            return write!(
                f,
                "{} rows read, building the indexes",
                rows(self.rows_total)
            );
        }
        let tables = if self.tables_total == 1 {
            "table"
        } else {
            "tables"
        };
        write!(
            f,
            "{} of {} rows ({} of {} {tables})",
            rows(self.rows_done),
            rows(self.rows_total),
            self.tables_done,
            self.tables_total
        )?;
        if self.phase == LoadPhase::Snapshot {
            write!(f, " from the snapshot")?;
        }
        match self.seconds_left() {
            Some(s) if s >= 120 => write!(f, ", about {} min left", s.div_ceil(60)),
            Some(s) => write!(f, ", about {s} s left"),
            None => Ok(()),
        }
    }
}

/// A row count as people say it: 950, 12.3k, 3.2M.
fn rows(n: u64) -> String {
    match n {
        0..=999 => n.to_string(),
        1_000..=999_999 => format!("{:.1}k", n as f64 / 1e3),
        _ => format!("{:.1}M", n as f64 / 1e6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(done: u64, total: u64, tables: (u64, u64), secs: u64) -> Progress {
        Progress {
            rows_done: done,
            rows_total: total,
            tables_done: tables.0,
            tables_total: tables.1,
            elapsed: Duration::from_secs(secs),
            phase: LoadPhase::Source,
        }
    }

    #[test]
    fn it_says_rows_tables_and_time_left() {
        assert_eq!(
            at(3_200_000, 10_600_000, (1, 3), 10).to_string(),
            "3.2M of 10.6M rows (1 of 3 tables), about 24 s left"
        );
        assert_eq!(
            at(100_000, 10_000_000, (0, 3), 60).to_string(),
            "100.0k of 10.0M rows (0 of 3 tables), about 99 min left"
        );
        assert_eq!(
            at(0, 950, (0, 1), 0).to_string(),
            "0 of 950 rows (0 of 1 table)"
        );
        assert_eq!(
            at(950, 950, (1, 1), 2).to_string(),
            "950 rows read, building the indexes"
        );
        let snapshot = |p: Progress| Progress {
            phase: LoadPhase::Snapshot,
            ..p
        };
        assert_eq!(
            snapshot(at(3_200_000, 10_600_000, (1, 3), 1)).to_string(),
            "3.2M of 10.6M rows (1 of 3 tables) from the snapshot, about 3 s left"
        );
        assert_eq!(
            snapshot(at(950, 950, (1, 1), 2)).to_string(),
            "950 rows read from the snapshot"
        );
        let writing = Progress {
            phase: LoadPhase::WritingSnapshot,
            ..at(950, 950, (1, 1), 2)
        };
        assert_eq!(
            writing.to_string(),
            "950 rows loaded, writing a snapshot for the next start"
        );
    }

    #[test]
    fn the_counters_add_up_across_threads() {
        let progress = LoadProgress::new();
        progress.planned(2, 2_000);
        std::thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| {
                    progress.rows_read(1_000);
                    progress.table_read();
                });
            }
        });
        let now = progress.now();
        assert_eq!((now.rows_done, now.tables_done), (2_000, 2));
        assert_eq!(now.fraction(), 1.0);
    }
}
