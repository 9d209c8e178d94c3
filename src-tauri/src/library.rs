//! The segment library in the app: thin commands over `segment-store` (list, get, save, delete,
//! history, diff, restore, members). The library is `library.sqlite` in the app-data folder
//! (`SEGMENT_BUILDER_LIBRARY` overrides it), the same file the CLI uses by default, so the app
//! and the CLI can work on it at the same time. It is opened on first use; every call runs on the
//! blocking pool. Errors are the app's [`AppError`]s: a kind, an HTTP-like status, a message, and the
//! located lines of a rejected input.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use segment_store::{
    AddOptions, CountInput, CountRecord, ListQuery, MembersOutcome, Membership, MembershipChange,
    MembershipFilter, Operation, Page, Paging, Revision, RevisionDiff, RevisionInfo, Saved,
    SegmentDraft, SegmentRecord, Store,
};
use tauri::{Manager, Runtime};

use crate::ipc::{AppError, ErrorKind};

fn internal(message: impl Into<String>) -> AppError {
    AppError::new(ErrorKind::Internal, message)
}

/// Where the app keeps its library.
pub fn library_path(app_data_dir: Option<PathBuf>) -> Result<PathBuf, AppError> {
    if let Some(p) = std::env::var_os("SEGMENT_BUILDER_LIBRARY").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    app_data_dir
        .map(|d| d.join("library.sqlite"))
        .ok_or_else(|| internal("no app-data folder for the segment library"))
}

/// The open library (opened on first use, kept for the app's life), in the app's managed state.
pub type LibrarySlot = Arc<Mutex<Option<Store>>>;

/// Runs `f` on the app's library (opening it if needed), on the blocking pool.
pub async fn with_library<R: Runtime, T: Send + 'static>(
    app: &tauri::AppHandle<R>,
    f: impl FnOnce(&mut Store) -> Result<T, segment_store::Error> + Send + 'static,
) -> Result<T, AppError> {
    let slot = app.state::<crate::AppState>().library.clone();
    with_library_at(slot, path_of(app)?, f).await
}

/// Runs `f` on the library at `path` kept in `slot` (opening it if needed), on the blocking pool.
pub async fn with_library_at<T: Send + 'static>(
    slot: LibrarySlot,
    path: PathBuf,
    f: impl FnOnce(&mut Store) -> Result<T, segment_store::Error> + Send + 'static,
) -> Result<T, AppError> {
    tauri::async_runtime::spawn_blocking(move || {
        let mut guard = slot
            .lock()
            .map_err(|_| internal("the library lock is poisoned"))?;
        if guard.as_ref().is_none_or(|s| s.path() != path) {
            *guard = Some(Store::open(&path)?);
        }
        let store = guard
            .as_mut()
            .ok_or_else(|| internal("the library is not open"))?;
        Ok(f(store)?)
    })
    .await
    .map_err(|e| internal(format!("the task failed: {e}")))?
}

fn path_of<R: Runtime>(app: &tauri::AppHandle<R>) -> Result<PathBuf, AppError> {
    library_path(app.path().app_data_dir().ok())
}

/// Segments matching a search, filters, sort and page.
#[tauri::command]
pub async fn library_list<R: Runtime>(
    app: tauri::AppHandle<R>,
    query: ListQuery,
) -> Result<Page<SegmentRecord>, AppError> {
    with_library(&app, move |s| s.list(&query)).await
}

/// One segment at its current revision.
#[tauri::command]
pub async fn library_get<R: Runtime>(
    app: tauri::AppHandle<R>,
    id: String,
) -> Result<SegmentRecord, AppError> {
    with_library(&app, move |s| s.get(&id)).await
}

/// Creates (revision 0) or updates (revision + 1) a segment; `expectedRevision` guards
/// against overwriting a save made meanwhile (by the CLI, another window).
#[tauri::command]
pub async fn library_save<R: Runtime>(
    app: tauri::AppHandle<R>,
    draft: SegmentDraft,
) -> Result<Saved, AppError> {
    with_library(&app, move |s| s.save(&draft)).await
}

/// Deletes a segment (its history stays); returns the remaining ids.
#[tauri::command]
pub async fn library_delete<R: Runtime>(
    app: tauri::AppHandle<R>,
    id: String,
) -> Result<Vec<String>, AppError> {
    with_library(&app, move |s| s.delete(&id)).await
}

/// Every revision of a segment, oldest first.
#[tauri::command]
pub async fn library_history<R: Runtime>(
    app: tauri::AppHandle<R>,
    id: String,
) -> Result<Vec<RevisionInfo>, AppError> {
    with_library(&app, move |s| s.history(&id)).await
}

/// One past revision in full.
#[tauri::command]
pub async fn library_revision<R: Runtime>(
    app: tauri::AppHandle<R>,
    id: String,
    revision: i64,
) -> Result<Revision, AppError> {
    with_library(&app, move |s| s.revision(&id, revision)).await
}

/// What changed between two revisions.
#[tauri::command]
pub async fn library_diff<R: Runtime>(
    app: tauri::AppHandle<R>,
    id: String,
    from: i64,
    to: i64,
) -> Result<RevisionDiff, AppError> {
    with_library(&app, move |s| s.diff(&id, from, to)).await
}

/// Makes an old revision current again, as a new revision.
#[tauri::command]
pub async fn library_restore<R: Runtime>(
    app: tauri::AppHandle<R>,
    id: String,
    revision: i64,
    expected_revision: Option<i64>,
) -> Result<Saved, AppError> {
    with_library(&app, move |s| s.restore(&id, revision, expected_revision)).await
}

/// Records a count of the segment's current revision (e.g. the preview's count when it is
/// saved): it becomes the cached record count and joins the count history.
#[tauri::command]
pub async fn library_record_count<R: Runtime>(
    app: tauri::AppHandle<R>,
    id: String,
    count: CountInput,
) -> Result<CountRecord, AppError> {
    with_library(&app, move |s| s.record_count(&id, &count)).await
}

/// Every count of a segment, newest first.
#[tauri::command]
pub async fn library_counts<R: Runtime>(
    app: tauri::AppHandle<R>,
    id: String,
    paging: Paging,
) -> Result<Page<CountRecord>, AppError> {
    with_library(&app, move |s| s.count_history(&id, paging)).await
}

/// Adds members to an ACTIVE STATIC segment.
#[tauri::command]
pub async fn members_add<R: Runtime>(
    app: tauri::AppHandle<R>,
    id: String,
    members: Vec<String>,
    options: Option<AddOptions>,
) -> Result<MembersOutcome, AppError> {
    with_library(&app, move |s| {
        s.add_members(&id, &members, &options.unwrap_or_default())
    })
    .await
}

/// Removes members (INACTIVE with dateRemoved; nothing is deleted).
#[tauri::command]
pub async fn members_remove<R: Runtime>(
    app: tauri::AppHandle<R>,
    id: String,
    members: Vec<String>,
) -> Result<MembersOutcome, AppError> {
    with_library(&app, move |s| s.remove_members(&id, &members)).await
}

/// A page of a segment's memberships.
#[tauri::command]
pub async fn members_list<R: Runtime>(
    app: tauri::AppHandle<R>,
    id: String,
    filter: MembershipFilter,
) -> Result<Page<Membership>, AppError> {
    with_library(&app, move |s| s.memberships(&id, &filter)).await
}

/// A page of the membership-change log.
#[tauri::command]
pub async fn members_changes<R: Runtime>(
    app: tauri::AppHandle<R>,
    id: String,
    operation: Option<Operation>,
    paging: Paging,
) -> Result<Page<MembershipChange>, AppError> {
    with_library(&app, move |s| s.membership_changes(&id, operation, paging)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_reach_the_library_and_errors_carry_status() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("library.sqlite");
        let run = |f: Box<
            dyn FnOnce(&mut Store) -> Result<serde_json::Value, segment_store::Error> + Send,
        >| {
            tauri::async_runtime::block_on(with_library_at(LibrarySlot::default(), path.clone(), f))
        };
        let draft: SegmentDraft = serde_json::from_value(serde_json::json!({
            "id": "Friends", "name": "Friends", "segmentType": "STATIC"
        }))
        .unwrap();
        let saved = run(Box::new(move |s| {
            Ok(serde_json::to_value(s.save(&draft)?).unwrap())
        }))
        .unwrap();
        assert_eq!(saved["revision"], 0);
        let added = run(Box::new(|s| {
            Ok(
                serde_json::to_value(s.add_members("friends", &["ann"], &AddOptions::default())?)
                    .unwrap(),
            )
        }))
        .unwrap();
        assert_eq!(added["individualCount"], 1);
        let e = run(Box::new(|s| {
            Ok(serde_json::to_value(s.get("nope")?).unwrap())
        }))
        .unwrap_err();
        assert_eq!((e.status, e.kind), (404, ErrorKind::NotFound));
        let e = run(Box::new(|s| {
            Ok(serde_json::to_value(s.get("bad id")?).unwrap())
        }))
        .unwrap_err();
        assert_eq!(e.status, 400);
    }

    /// The commands through Tauri's IPC (mock runtime): argument names, JSON shapes, errors.
    #[test]
    fn commands_through_ipc() {
        use serde_json::{json, Value};
        use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
        use tauri::webview::InvokeRequest;

        let dir = tempfile::tempdir().unwrap();
        // Only this test sets it; the other tests pass their path explicitly.
        std::env::set_var("SEGMENT_BUILDER_LIBRARY", dir.path().join("library.sqlite"));
        let app = crate::builder(mock_builder(), crate::AppState::new())
            .build(mock_context(noop_assets()))
            .unwrap();
        let w = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        let invoke = |cmd: &str, body: Value| -> Result<Value, Value> {
            let request = InvokeRequest {
                cmd: cmd.into(),
                callback: tauri::ipc::CallbackFn(0),
                error: tauri::ipc::CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: tauri::ipc::InvokeBody::Json(body),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            };
            get_ipc_response(&w, request).map(|r| r.deserialize::<Value>().unwrap())
        };
        let definition = json!({"version": 1, "entity": "profiles", "root": {"combinator": "and", "children": [
            {"type": "condition", "attribute": "country", "operator": "is", "value": "US"}]}});
        let saved = invoke(
            "library_save",
            json!({"draft": {"id": "US_People", "name": "US people", "definition": definition}}),
        )
        .unwrap();
        assert_eq!(
            (saved["id"].as_str(), saved["revision"].as_i64()),
            (Some("us_people"), Some(0))
        );
        let saved = invoke(
            "library_save",
            json!({"draft": {"id": "us_people", "description": "d", "expectedRevision": 0}}),
        )
        .unwrap();
        assert_eq!(saved["revision"], 1);
        let conflict = invoke(
            "library_save",
            json!({"draft": {"id": "us_people", "description": "e", "expectedRevision": 0}}),
        )
        .unwrap_err();
        assert_eq!(
            (conflict["status"].as_u64(), conflict["kind"].as_str()),
            (Some(409), Some("revision_conflict"))
        );
        invoke("library_record_count", json!({"id": "us_people", "count": {"count": 42, "total": 100, "dataSource": null, "asOf": null}})).unwrap();
        let page = invoke(
            "library_list",
            json!({"query": {"search": "us", "sort": [["dateModified", "desc"]], "size": 10}}),
        )
        .unwrap();
        assert_eq!(page["page"]["totalElements"], 1);
        assert_eq!(page["items"][0]["recordCount"]["count"], 42);
        let history = invoke("library_history", json!({"id": "us_people"})).unwrap();
        assert_eq!(history.as_array().unwrap().len(), 2);
        let diff = invoke(
            "library_diff",
            json!({"id": "us_people", "from": 0, "to": 1}),
        )
        .unwrap();
        assert_eq!(diff["fields"][0]["field"], "description");
        let restored = invoke(
            "library_restore",
            json!({"id": "us_people", "revision": 0, "expectedRevision": 1}),
        )
        .unwrap();
        assert_eq!(restored["revision"], 2);
        invoke(
            "library_save",
            json!({"draft": {"id": "friends", "segmentType": "STATIC"}}),
        )
        .unwrap();
        let added = invoke(
            "members_add",
            json!({"id": "friends", "members": ["ann", "bob"]}),
        )
        .unwrap();
        assert_eq!(added["individualCount"], 2);
        invoke(
            "members_remove",
            json!({"id": "friends", "members": ["bob"]}),
        )
        .unwrap();
        let changes = invoke(
            "members_changes",
            json!({"id": "friends", "operation": null, "paging": {"page": 0, "size": 10}}),
        )
        .unwrap();
        assert_eq!(changes["items"][2]["operation"], "REMOVED");
        let members = invoke(
            "members_list",
            json!({"id": "friends", "filter": {"status": "ACTIVE"}}),
        )
        .unwrap();
        assert_eq!(members["items"][0]["individualIdentifier"], "ann");
        let e = invoke("members_add", json!({"id": "us_people", "members": ["x"]})).unwrap_err();
        assert_eq!(e["kind"], "not_active_static");
        let e = invoke("library_get", json!({"id": "x'; DROP TABLE segments; --"})).unwrap_err();
        assert_eq!(e["status"], 400);
        assert_eq!(
            invoke("library_delete", json!({"id": "friends"})).unwrap(),
            json!(["us_people"])
        );
    }

    #[test]
    fn the_types_export_to_typescript() {
        use ts_rs::TS;
        let dir = tempfile::tempdir().unwrap();
        SegmentRecord::export_all_to(dir.path()).unwrap();
        AppError::export_all_to(dir.path()).unwrap();
        let record = std::fs::read_to_string(dir.path().join("SegmentRecord.ts")).unwrap();
        assert!(record.contains("definition: Segment | null"), "{record}");
        assert!(dir.path().join("Segment.ts").exists());
    }
}
