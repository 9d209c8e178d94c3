//! The TypeScript bindings in `ui/src/bindings/` are generated from the Rust types. This test
//! regenerates them into a temporary directory and fails when the committed files differ.
//! To update them: `UPDATE_BINDINGS=1 cargo test -p segment-builder-desktop --test bindings`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use segment_builder_desktop::ipc::{AppError, PreviewRequest, PreviewResponse, SourceInfo};
use ts_rs::TS;

fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/bindings")
}

fn generate(dir: &Path) {
    SourceInfo::export_all_to(dir).expect("export SourceInfo");
    PreviewRequest::export_all_to(dir).expect("export PreviewRequest");
    PreviewResponse::export_all_to(dir).expect("export PreviewResponse");
    AppError::export_all_to(dir).expect("export AppError");
    segment_builder_desktop::ipc::EngineProgress::export_all_to(dir)
        .expect("export EngineProgress");
    library(dir);
    // Warehouse connections (src-tauri/src/connections.rs).
    segment_builder_desktop::connections::ConnectionRequest::export_all_to(dir)
        .expect("export ConnectionRequest");
    segment_builder_desktop::connections::ConnectionTest::export_all_to(dir)
        .expect("export ConnectionTest");
    segment_store::ConnectionProfile::export_all_to(dir).expect("export ConnectionProfile");
    // Counting (src-tauri/src/counting.rs): samples and overlap.
    segment_builder_desktop::counting::SampleRequest::export_all_to(dir)
        .expect("export SampleRequest");
    segment_builder_desktop::counting::SampleResponse::export_all_to(dir)
        .expect("export SampleResponse");
    segment_builder_desktop::counting::OverlapRequest::export_all_to(dir)
        .expect("export OverlapRequest");
    segment_builder_desktop::counting::OverlapResponse::export_all_to(dir)
        .expect("export OverlapResponse");
    // Bring your own data (src-tauri/src/data.rs and the segment-import types it passes through).
    segment_builder_desktop::data::DataSources::export_all_to(dir).expect("export DataSources");
    segment_builder_desktop::data::ImportProgressEvent::export_all_to(dir)
        .expect("export ImportProgressEvent");
    segment_builder_desktop::data::RelateRequest::export_all_to(dir).expect("export RelateRequest");
    segment_builder_desktop::data::RelationshipsResponse::export_all_to(dir)
        .expect("export RelationshipsResponse");
    segment_import::ImportRequest::export_all_to(dir).expect("export ImportRequest");
    segment_import::Preview::export_all_to(dir).expect("export Preview");
    segment_import::ImportReport::export_all_to(dir).expect("export ImportReport");
    segment_import::stats::EntityStats::export_all_to(dir).expect("export EntityStats");
    segment_import::meaning::ColumnMeanings::export_all_to(dir).expect("export ColumnMeanings");
    // The segment in every format, "Import definition" (src-tauri/src/formats.rs).
    segment_builder_desktop::formats::RenderedFormat::export_all_to(dir)
        .expect("export RenderedFormat");
    segment_builder_desktop::formats::ImportedDefinition::export_all_to(dir)
        .expect("export ImportedDefinition");
    segment_builder_desktop::formats::DefinitionError::export_all_to(dir)
        .expect("export DefinitionError");
    // Size over time, why / why not, near misses (src-tauri/src/insight.rs).
    segment_builder_desktop::insight::TrendRequest::export_all_to(dir)
        .expect("export TrendRequest");
    segment_builder_desktop::insight::ExplainRecordRequest::export_all_to(dir)
        .expect("export ExplainRecordRequest");
    segment_builder_desktop::insight::NearMissRequest::export_all_to(dir)
        .expect("export NearMissRequest");
    segment_service::trend::Trend::export_all_to(dir).expect("export Trend");
    segment_service::explain_record::RecordExplanation::export_all_to(dir)
        .expect("export RecordExplanation");
    segment_service::near_miss::NearMisses::export_all_to(dir).expect("export NearMisses");
    // Breakdowns, splits, priority tiers (src-tauri/src/audience.rs).
    segment_builder_desktop::audience::BreakdownRequest::export_all_to(dir)
        .expect("export BreakdownRequest");
    segment_builder_desktop::audience::SplitCommand::export_all_to(dir)
        .expect("export SplitCommand");
    segment_builder_desktop::audience::TiersRequest::export_all_to(dir)
        .expect("export TiersRequest");
    segment_builder_desktop::audience::KeptSegment::export_all_to(dir).expect("export KeptSegment");
    segment_service::audience::Breakdown::export_all_to(dir).expect("export Breakdown");
    segment_service::audience::SplitResult::export_all_to(dir).expect("export SplitResult");
    segment_service::audience::Tiers::export_all_to(dir).expect("export Tiers");
    // The copies of local data kept for fast starts (src-tauri/src/data.rs).
    segment_service::snapshots::SnapshotList::export_all_to(dir).expect("export SnapshotList");
    segment_service::snapshots::Cleared::export_all_to(dir).expect("export Cleared");
    // The native dialogs (src-tauri/src/dialogs.rs).
    segment_builder_desktop::dialogs::FileFilter::export_all_to(dir).expect("export FileFilter");
}

/// Relative path → contents of every file under `dir`.
fn files(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn committed_typescript_bindings_match_the_rust_types() {
    let tmp = tempfile::tempdir().unwrap();
    generate(tmp.path());
    let fresh = files(tmp.path());
    assert!(
        fresh.contains_key("Segment.ts") && fresh.contains_key("PreviewResponse.ts"),
        "{:?}",
        fresh.keys()
    );

    // 64-bit integers cross IPC as JSON numbers: a `bigint` in the bindings would be a lie the
    // UI has to cast around (annotate the field `#[ts(type = "number")]`).
    let bigints: Vec<&String> = fresh
        .iter()
        .filter(|(_, text)| text.contains("bigint"))
        .map(|(rel, _)| rel)
        .collect();
    assert!(bigints.is_empty(), "bindings typed `bigint`: {bigints:?}");

    let committed_dir = committed_dir();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        let _ = std::fs::remove_dir_all(&committed_dir);
        for (rel, text) in &fresh {
            let path = committed_dir.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        return;
    }
    let committed = files(&committed_dir);
    let mut drift = Vec::new();
    for (rel, text) in &fresh {
        match committed.get(rel) {
            None => drift.push(format!("missing: ui/src/bindings/{rel}")),
            Some(old) if old != text => drift.push(format!("changed: ui/src/bindings/{rel}")),
            Some(_) => {}
        }
    }
    for rel in committed.keys().filter(|rel| !fresh.contains_key(*rel)) {
        drift.push(format!("no longer generated: ui/src/bindings/{rel}"));
    }
    assert!(
        drift.is_empty(),
        "the TypeScript bindings are out of date with the Rust types:\n  {}\nRegenerate them with \
         `UPDATE_BINDINGS=1 cargo test -p segment-builder-desktop --test bindings` and commit ui/src/bindings.",
        drift.join("\n  ")
    );
}

/// The segment library's types (records, drafts, history, diffs, members, files).
fn library(dir: &Path) {
    use segment_store::files::FileImport;
    use segment_store::*;
    SegmentRecord::export_all_to(dir).expect("export SegmentRecord");
    SegmentDraft::export_all_to(dir).expect("export SegmentDraft");
    Saved::export_all_to(dir).expect("export Saved");
    RevisionInfo::export_all_to(dir).expect("export RevisionInfo");
    Revision::export_all_to(dir).expect("export Revision");
    RevisionDiff::export_all_to(dir).expect("export RevisionDiff");
    ListQuery::export_all_to(dir).expect("export ListQuery");
    Page::<SegmentRecord>::export_all_to(dir).expect("export Page");
    Paging::export_all_to(dir).expect("export Paging");
    CountInput::export_all_to(dir).expect("export CountInput");
    Membership::export_all_to(dir).expect("export Membership");
    MembershipChange::export_all_to(dir).expect("export MembershipChange");
    MembershipFilter::export_all_to(dir).expect("export MembershipFilter");
    MembersOutcome::export_all_to(dir).expect("export MembersOutcome");
    AddOptions::export_all_to(dir).expect("export AddOptions");
    FileImport::export_all_to(dir).expect("export FileImport");
}
