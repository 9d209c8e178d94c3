//! Benchmark of the library's bulk paths on a real file: freezing N members (default 1 million)
//! into a static segment, counting them, evaluation snapshots and their diff, bulk command
//! export and import, bulk removal.
//!
//! `cargo bench -p segment-store --bench freeze` (N from `FREEZE_MEMBERS`). Prints one line per
//! step with its time. The store lives in a temporary folder on the same disk as the target
//! directory (`synchronous=FULL`: commits wait for the disk).

use std::time::Instant;

use segment_store::commands::{Format, OnError};
use segment_store::{CountInput, SegmentDraft, Store};

fn step<T>(name: &str, n: usize, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let value = f();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{name:<44} {n:>9} items {secs:>8.3} s {:>12.0} items/s",
        n as f64 / secs.max(1e-9)
    );
    value
}

fn main() {
    let n: usize = std::env::var("FREEZE_MEMBERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target");
    std::fs::create_dir_all(&base).expect("target dir");
    let dir = tempfile::tempdir_in(&base).expect("temp dir");
    let path = dir.path().join("library.sqlite");
    let mut store = Store::open(&path).expect("store");
    let definition: segment_model::Segment = serde_json::from_str(
        r#"{"version":1,"entity":"profiles","root":{"combinator":"and","children":[{"type":"condition","attribute":"plan","operator":"is","value":"paid"}]}}"#,
    )
    .expect("definition");
    store
        .save(&SegmentDraft {
            id: "paid".into(),
            definition: Some(definition),
            ..Default::default()
        })
        .expect("save");
    let members: Vec<String> = (0..n).map(|i| (i * 3 + 1).to_string()).collect();
    println!(
        "segment-store bulk benchmark, {n} members, store {}",
        path.display()
    );

    let out = step("freeze (new static segment, change log)", n, || {
        store
            .freeze(
                "paid",
                "paid_frozen",
                None,
                &members,
                &CountInput::default(),
            )
            .expect("freeze")
    });
    assert_eq!(out.individual_count as usize, n);
    let count = step("individualCount", n, || {
        store.individual_count("paid_frozen").expect("count")
    });
    assert_eq!(count as usize, n);
    let first = step("evaluation snapshot", n, || {
        store
            .record_evaluation("paid", &members, &CountInput::default())
            .expect("eval")
    });
    // The next evaluation: a tenth left, as many new ones entered.
    let next: Vec<String> = members[n / 10..]
        .iter()
        .cloned()
        .chain((0..n / 10).map(|i| format!("new{i}")))
        .collect();
    let second = step("evaluation snapshot (10% changed)", n, || {
        store
            .record_evaluation("paid", &next, &CountInput::default())
            .expect("eval")
    });
    let diff = step("evaluation diff (who entered, who left)", n, || {
        store
            .evaluation_diff(first.evaluation, second.evaluation, 100)
            .expect("diff")
    });
    assert_eq!(diff.left_count as usize, n / 10);
    let mut text = Vec::new();
    step("export NDJSON commands", n, || {
        store
            .export_commands("paid_frozen", Format::Ndjson, &mut text)
            .expect("export")
    });
    let text = String::from_utf8(text).expect("utf-8");
    let mut csv = Vec::new();
    step("export CSV commands", n, || {
        store
            .export_commands("paid_frozen", Format::Csv, &mut csv)
            .expect("export")
    });
    store
        .save(&SegmentDraft {
            id: "copy".into(),
            segment_type: Some(segment_store::SegmentType::Static),
            ..Default::default()
        })
        .expect("save");
    let copy = text.replace("\"segment_id\":\"paid_frozen\"", "\"segment_id\":\"copy\"");
    let report = step("import NDJSON commands (new members)", n, || {
        store
            .import_commands(&copy, Format::Ndjson, "bench", OnError::Abort)
            .expect("import")
    });
    assert_eq!(report.applied as usize, n);
    let removed: Vec<&String> = members.iter().step_by(10).collect();
    step("remove members (deactivate, log)", removed.len(), || {
        store
            .remove_members("paid_frozen", &removed)
            .expect("remove")
    });
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(path.with_extension("sqlite-wal"))
            .map(|m| m.len())
            .unwrap_or(0);
    println!("library file with WAL: {:.1} MB", bytes as f64 / 1e6);
}
