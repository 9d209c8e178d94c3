//! The native open and save dialogs, shown from Rust so that what the user chose is granted
//! (see `grants.rs`) before the web view gets the path; files dropped on the window likewise.
//!
//! Scripted tests cannot click a native dialog: when `SEGMENT_BUILDER_TEST_PICKS` names a file,
//! each dialog takes the file's first line as its answer instead (and removes it): a path, several
//! paths joined by the OS path-list separator for a multiple pick, or an empty line for
//! "cancelled" (also the answer when the file has none left).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, DragDropEvent, Manager, Runtime};
use tauri_plugin_dialog::{DialogExt, FileDialogBuilder, MessageDialogButtons, MessageDialogKind};
use ts_rs::TS;

use crate::commands::blocking;
use crate::grants::{Access, Grants};
use crate::ipc::{AppError, ErrorKind};
use crate::state::AppState;

/// A choice of file types in a dialog ("Data files": csv, tsv…).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FileFilter {
    pub name: String,
    /// Without the dot.
    pub extensions: Vec<String>,
}

fn with_filters<R: Runtime>(
    mut dialog: FileDialogBuilder<R>,
    filters: &[FileFilter],
) -> FileDialogBuilder<R> {
    for f in filters {
        let extensions: Vec<&str> = f.extensions.iter().map(String::as_str).collect();
        dialog = dialog.add_filter(&f.name, &extensions);
    }
    dialog
}

/// The next scripted answer: `Some(paths)` (empty when cancelled) when answers are scripted.
fn scripted(grants: &Grants) -> Result<Option<Vec<PathBuf>>, AppError> {
    let Some(file) = grants.config().test_picks.clone() else {
        return Ok(None);
    };
    let _turn = grants.picks_lock();
    let io = |e: std::io::Error| {
        AppError::new(
            ErrorKind::Internal,
            format!("scripted picks {}: {e}", file.display()),
        )
    };
    let text = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(io(e)),
    };
    let (first, rest) = text.split_once('\n').unwrap_or((text.as_str(), ""));
    let first = first.trim_end_matches('\r');
    if !text.is_empty() {
        std::fs::write(&file, rest).map_err(io)?;
    }
    let paths = if first.is_empty() {
        Vec::new()
    } else {
        std::env::split_paths(first).collect()
    };
    Ok(Some(paths))
}

fn shown(path: PathBuf) -> String {
    path.display().to_string()
}

/// The native open dialog: the chosen files (none when cancelled), granted for reading.
#[tauri::command(rename_all = "snake_case")]
pub async fn pick_open<R: Runtime>(
    app: AppHandle<R>,
    title: String,
    filters: Vec<FileFilter>,
    multiple: bool,
) -> Result<Vec<String>, AppError> {
    let grants = app.state::<AppState>().grants.clone();
    blocking(move || {
        let picked = match scripted(&grants)? {
            Some(paths) => paths,
            None if !grants.config().native_dialogs => Vec::new(),
            None => {
                let dialog = with_filters(app.dialog().file().set_title(title), &filters);
                let chosen = if multiple {
                    dialog.blocking_pick_files().unwrap_or_default()
                } else {
                    dialog.blocking_pick_file().into_iter().collect()
                };
                chosen
                    .into_iter()
                    .filter_map(|p| p.into_path().ok())
                    .collect()
            }
        };
        for path in &picked {
            grants.grant(path, Access::Read);
        }
        Ok(picked.into_iter().map(shown).collect())
    })
    .await
}

/// The native save dialog: where to write (`None` when cancelled), granted for writing.
#[tauri::command(rename_all = "snake_case")]
pub async fn pick_save<R: Runtime>(
    app: AppHandle<R>,
    default_name: Option<String>,
    filters: Vec<FileFilter>,
) -> Result<Option<String>, AppError> {
    let grants = app.state::<AppState>().grants.clone();
    blocking(move || {
        let picked = match scripted(&grants)? {
            Some(paths) => paths.into_iter().next(),
            None if !grants.config().native_dialogs => None,
            None => {
                let mut dialog = with_filters(app.dialog().file(), &filters);
                // Only a name: the folder is the user's to choose.
                if let Some(name) = default_name
                    .as_deref()
                    .and_then(|n| Path::new(n).file_name())
                {
                    dialog = dialog.set_file_name(name.to_string_lossy());
                }
                dialog.blocking_save_file().and_then(|p| p.into_path().ok())
            }
        };
        if let Some(path) = &picked {
            grants.grant(path, Access::Write);
        }
        Ok(picked.map(shown))
    })
    .await
}

/// Asks the user whether the app may use a path they typed. Blocking.
pub(crate) fn ask_allow<R: Runtime>(app: &AppHandle<R>, path: &Path, access: Access) -> bool {
    let verb = match access {
        Access::Read => "read",
        Access::Write | Access::Import => "write",
    };
    app.dialog()
        .message(format!(
            "Segment Builder will {verb} {}. Allow?",
            path.display()
        ))
        .title("Allow this file?")
        .kind(MessageDialogKind::Warning)
        .buttons(MessageDialogButtons::OkCancelCustom(
            "Allow".into(),
            "Cancel".into(),
        ))
        .blocking_show()
}

/// Grants the files dropped on the window for reading. Runs in the event loop before the web
/// view's own drop event is delivered (that is queued to the page), so the UI never holds a
/// dropped path the commands would refuse.
pub fn on_drag_drop<R: Runtime>(app: &AppHandle<R>, event: &DragDropEvent) {
    if let DragDropEvent::Drop { paths, .. } = event {
        let grants = &app.state::<AppState>().grants;
        for path in paths {
            grants.grant(path, Access::Read);
        }
    }
}
