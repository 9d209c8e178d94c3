//! Library commands that reach beyond the store: freezing a dynamic segment into a static one
//! (evaluated on the open data source), and exporting / importing segment files at a path.

use std::path::{Path, PathBuf};

use segment_store::commands::OnError;
use segment_store::files::{write_atomically, FileImport, SegmentFile};
use segment_store::{CountInput, MembersOutcome};
use tauri::{Runtime, State};

use crate::grants::{self, Access};
use crate::ipc::{AppError, ErrorKind};
use crate::library::with_library;
use crate::state::{rfc3339, AppState};

/// Evaluates the saved segment `id` on the open data (as of `now`, else the data's default) and
/// saves its matching record keys as the new ACTIVE STATIC segment `into`.
#[tauri::command]
pub async fn library_freeze<R: Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
    into: String,
    name: Option<String>,
    now: Option<String>,
) -> Result<MembersOutcome, AppError> {
    let record = with_library(&app, {
        let id = id.clone();
        move |s| s.get(&id)
    })
    .await?;
    let Some(definition) = record.definition.clone() else {
        return Err(AppError::new(
            ErrorKind::Invalid,
            format!("segment {:?} has no definition to evaluate", record.id),
        ));
    };
    let state = state.inner().clone();
    let library = crate::references::Library::of(&app);
    let (members, input) = tauri::async_runtime::spawn_blocking(move || {
        let loaded = state.loaded()?;
        let at = segment_service::resolve_now(now.as_deref(), loaded.default_now())
            .map_err(|e| AppError::new(ErrorKind::Invalid, e.to_string()))?;
        let references = library.gather(&definition);
        let checked = segment_service::CheckedSegment::check_in(
            definition,
            loaded.service.schema(),
            record.entity.as_deref(),
            at,
            references,
        )
        .map_err(|problems| {
            let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
            AppError::new(
                ErrorKind::Invalid,
                format!(
                    "the segment does not fit the open data: {}",
                    lines.join("; ")
                ),
            )
        })?;
        let members = loaded
            .service
            .members(&checked, &segment_source::CancelToken::new())
            .map_err(|e| AppError::new(ErrorKind::Source, e.to_string()))?;
        let input = CountInput {
            count: members.ids.len() as u64,
            total: Some(members.total),
            data_source: Some(loaded.info.path.clone()),
            as_of: rfc3339(at.timestamp()),
        };
        Ok::<_, AppError>((members.ids, input))
    })
    .await
    .map_err(|e| AppError::new(ErrorKind::Internal, format!("the task failed: {e}")))??;
    with_library(&app, move |s| {
        s.freeze(&id, &into, name.as_deref(), &members, &input)
    })
    .await
}

/// Writes the segment's file (format, version, fields, canonical definition) to `path`.
#[tauri::command]
pub async fn library_export<R: Runtime>(
    app: tauri::AppHandle<R>,
    id: String,
    path: String,
) -> Result<String, AppError> {
    if path.trim().is_empty() {
        return Err(AppError::new(
            ErrorKind::Invalid,
            "choose a file to export to",
        ));
    }
    let target = PathBuf::from(path.trim());
    confirmed(&app, &target, Access::Write).await?;
    with_library(&app, move |s| {
        let record = s.get(&id)?;
        write_atomically(&target, &SegmentFile::from_record(&record).to_text())?;
        Ok(target.display().to_string())
    })
    .await
}

/// Imports segment files (a file or a folder of them) from `path`; with `overwrite`, a segment
/// that exists with other content becomes a new revision instead of a conflict.
#[tauri::command]
pub async fn library_import<R: Runtime>(
    app: tauri::AppHandle<R>,
    path: String,
    overwrite: bool,
) -> Result<FileImport, AppError> {
    if path.trim().is_empty() {
        return Err(AppError::new(
            ErrorKind::Invalid,
            "choose a file or folder to import",
        ));
    }
    let source = PathBuf::from(path.trim());
    confirmed(&app, &source, Access::Read).await?;
    with_library(&app, move |s| {
        s.import_files(&[source], overwrite, OnError::Abort)
    })
    .await
}

/// [`grants::confirm`] on the blocking pool (it may ask the user).
async fn confirmed<R: Runtime>(
    app: &tauri::AppHandle<R>,
    path: &Path,
    access: Access,
) -> Result<(), AppError> {
    let (app, path) = (app.clone(), path.to_path_buf());
    crate::commands::blocking(move || grants::confirm(&app, &path, access)).await
}
