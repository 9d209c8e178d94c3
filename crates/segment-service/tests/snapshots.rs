//! The engine's snapshots through the service, as the CLI and the app open data: the first
//! open loads from the file and leaves a snapshot in the snapshot folder (never beside the
//! file); the next open reads it and counts the same; a touched file, another schema, a
//! truncated or corrupt snapshot is not used (a note, never an error) and is replaced.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use segment_service::snapshots::{LoadReport, LoadedFrom};
use segment_service::{
    EngineCache, EngineStatus, Method, NodeCounts, Prefer, Service, SnapshotWrite,
};
use segment_source::{CancelToken, DemoOptions};

struct Files {
    _dir: tempfile::TempDir,
    data: PathBuf,
    snapshots: PathBuf,
}

fn files() -> Files {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data").join("demo.sqlite");
    std::fs::create_dir_all(data.parent().unwrap()).unwrap();
    segment_source::generate_demo(
        &data,
        DemoOptions {
            profiles: 400,
            seed: 5,
        },
    )
    .unwrap();
    let snapshots = dir.path().join("app-data").join("snapshots");
    Files {
        _dir: dir,
        data,
        snapshots,
    }
}

/// Opens `data` as a new start of a front end would (a fresh engine cache) and waits for the
/// engine; how its load went.
fn open(
    data: &Path,
    snapshots: &Path,
    store: Option<&segment_import::Store>,
) -> (Service, LoadReport) {
    let cache = EngineCache::with_snapshots(Some(snapshots.to_path_buf()));
    let service = segment_service::open_sqlite(data, store, cache).unwrap();
    assert!(matches!(service.wait_for_engine(), EngineStatus::Ready(_)));
    let report = service.engine_load_report().expect("a finished load");
    (service, report)
}

fn snapshot_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

/// Every demo corpus case counted in memory, with its per-node counts.
fn corpus_counts(service: &Service) -> Vec<(String, u64, u64, String)> {
    let now = "2026-11-01T00:00:00Z".parse().unwrap();
    let token = CancelToken::new();
    segment_testkit::corpus::corpus("demo")
        .into_iter()
        .map(|case| {
            let segment = segment_model::canonical::parse(&case.text).unwrap();
            let checked = service.check(segment, None, now).unwrap();
            let counted = service
                .count(&checked, Prefer::Engine, NodeCounts::Always, &token)
                .unwrap_or_else(|e| panic!("{}: {e}", case.file));
            let method = if counted.method == Method::Memory {
                "memory"
            } else {
                "sql"
            };
            (
                case.file,
                counted.count,
                counted.total,
                format!("{method} {:?}", counted.nodes),
            )
        })
        .collect()
}

fn noted(report: &LoadReport, words: &str) -> bool {
    report.notes.iter().any(|n| n.contains(words))
}

#[test]
fn the_second_open_reads_the_snapshot_and_counts_the_same() {
    let f = files();
    let (first, report) = open(&f.data, &f.snapshots, None);
    assert_eq!(report.from, LoadedFrom::Source, "{report:?}");
    assert!(noted(&report, "no snapshot of this data yet"), "{report:?}");
    assert!(noted(&report, "snapshot written"), "{report:?}");
    // One snapshot, in the snapshot folder; nothing beside the data.
    assert_eq!(snapshot_files(&f.snapshots).len(), 1);
    assert_eq!(
        snapshot_files(f.data.parent().unwrap()),
        std::slice::from_ref(&f.data),
        "only the data file beside it"
    );

    let (second, report) = open(&f.data, &f.snapshots, None);
    assert_eq!(report.from, LoadedFrom::Snapshot, "{report:?}");
    assert!(noted(&report, "read from the snapshot"), "{report:?}");
    let data = second.dataset().unwrap();
    assert!(
        data.memory_parts(second.schema()).iter().all(|p| p.mapped),
        "every column, index and join borrowed from the mapped file"
    );
    let (expected, got) = (corpus_counts(&first), corpus_counts(&second));
    assert!(expected.len() > 150);
    assert!(
        expected
            .iter()
            .filter(|c| c.3.starts_with("memory"))
            .count()
            > 150
    );
    assert_eq!(got, expected);
}

#[test]
fn a_touched_file_or_another_schema_is_loaded_from_the_source_again() {
    let f = files();
    let (_, report) = open(&f.data, &f.snapshots, None);
    assert_eq!(report.from, LoadedFrom::Source);

    // The file's modification time changes (same bytes): the snapshot is stale.
    let later = SystemTime::now() + Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(&f.data)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let (_, report) = open(&f.data, &f.snapshots, None);
    assert_eq!(report.from, LoadedFrom::Source, "{report:?}");
    assert!(
        noted(&report, "was not used (a snapshot of other data"),
        "{report:?}"
    );
    assert!(noted(&report, "snapshot written"), "{report:?}");
    // Replaced, not added to.
    assert_eq!(snapshot_files(&f.snapshots).len(), 1);
    let (_, report) = open(&f.data, &f.snapshots, None);
    assert_eq!(report.from, LoadedFrom::Snapshot, "{report:?}");

    // Another schema: a time column declared for the orders in the sidecar store.
    let store = segment_import::Store::new(f.snapshots.with_file_name("sources.json"));
    store
        .update(&f.data, |meta| {
            meta.time_columns.insert("orders".into(), "amount".into());
        })
        .unwrap();
    let schema_with = |store| segment_import::open(&f.data, store).unwrap().schema;
    if schema_with(Some(&store)) == schema_with(None) {
        // The sidecar's change did not reach the schema: use a relationship instead.
        store
            .add_link(
                &f.data,
                segment_import::Link {
                    child: "orders".into(),
                    child_column: "id".into(),
                    parent: "events".into(),
                    parent_column: "id".into(),
                },
                None,
            )
            .unwrap();
    }
    assert_ne!(schema_with(Some(&store)), schema_with(None));
    let (_, report) = open(&f.data, &f.snapshots, Some(&store));
    assert_eq!(report.from, LoadedFrom::Source, "{report:?}");
    assert!(
        noted(&report, "was not used (a snapshot of other data"),
        "{report:?}"
    );
    let (_, report) = open(&f.data, &f.snapshots, Some(&store));
    assert_eq!(report.from, LoadedFrom::Snapshot, "{report:?}");
}

#[test]
fn a_truncated_or_corrupt_snapshot_is_replaced_without_an_error() {
    let f = files();
    let (first, _) = open(&f.data, &f.snapshots, None);
    let expected = corpus_counts(&first);
    let [snapshot] = &snapshot_files(&f.snapshots)[..] else {
        panic!("one snapshot")
    };
    let bytes = std::fs::read(snapshot).unwrap();
    let middle = bytes.len() / 2;

    std::fs::write(snapshot, &bytes[..middle]).unwrap();
    let (service, report) = open(&f.data, &f.snapshots, None);
    assert_eq!(report.from, LoadedFrom::Source, "{report:?}");
    assert!(noted(&report, "truncated"), "{report:?}");
    assert_eq!(corpus_counts(&service), expected);
    assert_eq!(std::fs::read(snapshot).unwrap(), bytes, "rewritten whole");

    let mut corrupt = bytes.clone();
    corrupt[middle] ^= 0x10;
    std::fs::write(snapshot, &corrupt).unwrap();
    let (service, report) = open(&f.data, &f.snapshots, None);
    assert_eq!(report.from, LoadedFrom::Source, "{report:?}");
    assert!(noted(&report, "corrupt"), "{report:?}");
    assert_eq!(corpus_counts(&service), expected);

    std::fs::write(snapshot, b"not a snapshot").unwrap();
    let (_, report) = open(&f.data, &f.snapshots, None);
    assert_eq!(report.from, LoadedFrom::Source, "{report:?}");
    let (service, report) = open(&f.data, &f.snapshots, None);
    assert_eq!(report.from, LoadedFrom::Snapshot, "{report:?}");
    assert_eq!(corpus_counts(&service), expected);
}

/// Opens `data` with the engine's memory budget set to `budget` and waits for the engine: its
/// status and how its load went.
fn open_within(data: &Path, snapshots: &Path, budget: u64) -> (Service, EngineStatus, LoadReport) {
    let cache = EngineCache::with_snapshots(Some(snapshots.to_path_buf()));
    cache.set_memory_budget(Some(budget));
    let service = segment_service::open_sqlite(data, None, cache).unwrap();
    let status = service.wait_for_engine();
    let report = service.engine_load_report().expect("a finished load");
    (service, status, report)
}

#[test]
fn a_snapshot_is_read_within_a_budget_the_estimate_of_a_load_from_the_file_exceeds() {
    let f = files();
    let (first, report) = open(&f.data, &f.snapshots, None);
    assert_eq!(report.from, LoadedFrom::Source);
    let EngineStatus::Ready(data) = first.wait_for_engine() else {
        panic!("loaded")
    };
    // What the snapshot's header declares (written before any count), and the estimate a load
    // from the file is judged by.
    let exact = data.heap_bytes() as u64;
    let source = segment_source::DataSource::open_read_only(&f.data).unwrap();
    let estimate = segment_source::engine::estimate_bytes(&source).unwrap();
    assert!(estimate > exact, "estimate {estimate}, exact {exact}");
    let between = exact + (estimate - exact) / 2;

    // Without a snapshot, the estimate refuses the data, as before.
    let empty = f.snapshots.with_file_name("other-snapshots");
    let (_, status, report) = open_within(&f.data, &empty, between);
    let EngineStatus::Unsupported(why) = status else {
        panic!("refused: {report:?}")
    };
    assert!(
        why.contains("GiB needed") && why.contains("SEGMENT_ENGINE_MAX_BYTES"),
        "{why}"
    );
    assert!(noted(&report, "no snapshot of this data yet"), "{report:?}");
    assert!(
        snapshot_files(&empty).is_empty(),
        "a refused load writes nothing"
    );

    // With one, its exact size fits: read, and it counts as the load from the file did.
    let (second, status, report) = open_within(&f.data, &f.snapshots, between);
    assert!(matches!(status, EngineStatus::Ready(_)), "{report:?}");
    assert_eq!(report.from, LoadedFrom::Snapshot, "{report:?}");
    assert_eq!(corpus_counts(&second), corpus_counts(&first));

    // Below its exact size: not read, saying why, and the file's estimate refuses too.
    let (_, status, report) = open_within(&f.data, &f.snapshots, exact - 1);
    assert!(matches!(status, EngineStatus::Unsupported(_)), "{report:?}");
    assert!(
        noted(&report, "was not used (the snapshot needs about"),
        "{report:?}"
    );
    assert_eq!(
        snapshot_files(&f.snapshots).len(),
        1,
        "kept for a larger budget"
    );
}

/// A hook before the snapshot's write that waits for the test's word, and says whether the
/// load's report (set when the engine is marked ready) was there when the write began.
fn held_writes(cache: &EngineCache) -> (std::sync::mpsc::Sender<()>, Arc<Mutex<Vec<bool>>>) {
    let (go, wait) = std::sync::mpsc::channel::<()>();
    let wait = Mutex::new(wait);
    let ready_before = Arc::new(Mutex::new(Vec::new()));
    let (seen, watched) = (Arc::clone(&ready_before), cache.clone());
    cache.before_snapshot_writes(move || {
        seen.lock().unwrap().push(watched.last_load().is_some());
        let _ = wait.lock().unwrap().recv_timeout(Duration::from_secs(60));
    });
    (go, ready_before)
}

#[test]
fn the_app_s_engine_is_ready_before_its_snapshot_is_written() {
    let f = files();
    let cache = EngineCache::with_snapshots(Some(f.snapshots.clone()));
    cache.write_snapshots(SnapshotWrite::AfterReady);
    let (go, ready_before) = held_writes(&cache);
    let service = segment_service::open_sqlite(&f.data, None, cache.clone()).unwrap();
    // Ready and counting while the write is held back.
    assert!(matches!(service.wait_for_engine(), EngineStatus::Ready(_)));
    let counts = corpus_counts(&service);
    assert!(snapshot_files(&f.snapshots).is_empty());
    let report = service.engine_load_report().unwrap();
    assert_eq!(report.from, LoadedFrom::Source);
    assert!(noted(&report, "writing a snapshot"), "{report:?}");
    assert_eq!(*ready_before.lock().unwrap(), [true]);
    let mapped = |service: &Service| {
        let data = service.dataset().unwrap();
        let parts = data.memory_parts(service.schema());
        assert!(!parts.is_empty());
        parts.iter().all(|p| p.mapped)
    };
    assert!(!mapped(&service), "loaded from the file: on the heap");

    go.send(()).unwrap();
    cache.wait_for_snapshot_writes();
    assert_eq!(snapshot_files(&f.snapshots).len(), 1);
    let report = service.engine_load_report().unwrap();
    assert!(noted(&report, "snapshot written"), "{report:?}");
    assert!(!noted(&report, "writing a snapshot"), "{report:?}");
    // Once written, the app's engine counts on the mapped snapshot: the same counts.
    assert!(mapped(&service), "counting on the mapped snapshot");
    assert_eq!(corpus_counts(&service), counts);
    // The next start reads it.
    let (next, report) = open(&f.data, &f.snapshots, None);
    assert_eq!(report.from, LoadedFrom::Snapshot, "{report:?}");
    assert_eq!(corpus_counts(&next), counts);
}

#[test]
fn the_command_line_s_engine_is_ready_after_its_snapshot_is_written() {
    let f = files();
    let cache = EngineCache::with_snapshots(Some(f.snapshots.clone()));
    let (go, ready_before) = held_writes(&cache);
    go.send(()).unwrap();
    let service = segment_service::open_sqlite(&f.data, None, cache.clone()).unwrap();
    assert!(matches!(service.wait_for_engine(), EngineStatus::Ready(_)));
    // The default: written before the engine was marked ready, so there once it is.
    assert_eq!(*ready_before.lock().unwrap(), [false]);
    assert_eq!(snapshot_files(&f.snapshots).len(), 1);
    let report = service.engine_load_report().unwrap();
    assert!(noted(&report, "snapshot written"), "{report:?}");
}

#[test]
fn the_folder_keeps_the_four_most_recently_used() {
    let dir = tempfile::tempdir().unwrap();
    let snapshots = dir.path().join("snapshots");
    let mut data = Vec::new();
    for i in 0..5u64 {
        let path = dir.path().join(format!("d{i}.sqlite"));
        segment_source::generate_demo(
            &path,
            DemoOptions {
                profiles: 20,
                seed: i,
            },
        )
        .unwrap();
        let (_, report) = open(&path, &snapshots, None);
        assert_eq!(report.from, LoadedFrom::Source);
        data.push(path);
        // Modification times a clear step apart.
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(snapshot_files(&snapshots).len(), 4);
    // The first file's was the least recently used: gone; the second's is read.
    let (_, report) = open(&data[0], &snapshots, None);
    assert_eq!(report.from, LoadedFrom::Source);
    let (_, report) = open(&data[4], &snapshots, None);
    assert_eq!(report.from, LoadedFrom::Snapshot);
}

#[test]
fn the_snapshot_folder_is_in_the_app_data_folder_unless_named() {
    // The variable is read by `snapshot_dir` only; this test is alone in reading it.
    let app = Path::new("/data/app");
    match std::env::var_os(segment_service::snapshots::SNAPSHOTS_VAR) {
        None => assert_eq!(
            segment_service::snapshots::snapshot_dir(Some(app)),
            Some(app.join("snapshots"))
        ),
        Some(v) if v == "off" => {
            assert_eq!(segment_service::snapshots::snapshot_dir(Some(app)), None)
        }
        Some(v) => assert_eq!(
            segment_service::snapshots::snapshot_dir(Some(app)),
            Some(PathBuf::from(v))
        ),
    }
    assert!(segment_service::snapshots::default_app_data_dir()
        .ends_with(segment_service::snapshots::APP_DIR));
}
