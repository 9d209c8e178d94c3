//! Which files the web view may have the app read or write. A path coming from the web view is
//! used only when it is
//! - one the user chose in this session: in a native open dialog or dropped on the window (read),
//!   in a native save dialog (write, and read back);
//! - for reading, in the app's own folders (its data folder, the demo and imported data
//!   sources, the open data); for importing, in its folder of imported data sources;
//! - under a folder of `SEGMENT_BUILDER_ALLOW_DIRS` (the OS path-list separator between them; the
//!   environment is out of the web view's reach: for scripted tests and power users);
//! - for reading, a data source the sidecar store already records (chosen in an earlier session).
//!
//! Paths are compared canonical (symbolic links and `..` resolved; a file to create through its
//! parent), so a path cannot leave an allowed folder. A path typed by the user is confirmed in a
//! native dialog ([`confirm`]); calls the UI makes on its own are only checked ([`check`]).
//!
//! `SEGMENT_BUILDER_TEST_PICKS` (scripted tests only) names a file of answers for the open and
//! save dialogs, one per line (see `dialogs.rs`); while it is set, no dialog is shown and a
//! confirmation answers from the rules above alone.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tauri::{AppHandle, Manager, Runtime};

use crate::ipc::{AppError, ErrorKind};
use crate::state::AppState;

/// What the app is to do with a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    /// Write any file (a segment exported there): never in the app's own folders, where it
    /// could overwrite the library or a data source.
    Write,
    /// Create or extend a data source by import (`segment-import` refuses a file it did not
    /// make): also in the app's folder of imported data sources.
    Import,
}

/// How the grants are set up: read once from the environment when the app starts
/// ([`GrantsConfig::from_env`]), or made by a test.
#[derive(Debug, Clone, Default)]
pub struct GrantsConfig {
    /// Folders whose files may always be read and written.
    pub allow_dirs: Vec<PathBuf>,
    /// The scripted answers of the open/save dialogs (`SEGMENT_BUILDER_TEST_PICKS`).
    pub test_picks: Option<PathBuf>,
    /// Whether native dialogs may be shown (off in tests and while `test_picks` is set).
    pub native_dialogs: bool,
}

impl GrantsConfig {
    /// `SEGMENT_BUILDER_ALLOW_DIRS` and `SEGMENT_BUILDER_TEST_PICKS`; native dialogs unless the
    /// answers are scripted.
    pub fn from_env() -> Self {
        let allow_dirs = std::env::var_os("SEGMENT_BUILDER_ALLOW_DIRS")
            .map(|v| {
                std::env::split_paths(&v)
                    .filter(|p| p.is_absolute())
                    .collect()
            })
            .unwrap_or_default();
        let test_picks = std::env::var_os("SEGMENT_BUILDER_TEST_PICKS")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from);
        GrantsConfig {
            allow_dirs,
            native_dialogs: test_picks.is_none(),
            test_picks,
        }
    }
}

#[derive(Default)]
struct Chosen {
    read: Vec<PathBuf>,
    write: Vec<PathBuf>,
}

/// The paths the user granted in this session and the configured folders. Cheap to clone.
/// The default allows the app's own folders only and shows no dialog.
#[derive(Clone, Default)]
pub struct Grants {
    config: Arc<GrantsConfig>,
    chosen: Arc<Mutex<Chosen>>,
    /// Serialises taking answers from the scripted picks file.
    picks: Arc<Mutex<()>>,
}

impl Grants {
    pub fn new(config: GrantsConfig) -> Self {
        Grants {
            config: Arc::new(config),
            ..Grants::default()
        }
    }

    pub fn config(&self) -> &GrantsConfig {
        &self.config
    }

    /// Records that the user chose `path` (in a dialog, by dropping it, or by confirming it).
    /// A path that cannot be resolved is not recorded (it could not be used anyway).
    pub fn grant(&self, path: &Path, access: Access) {
        let Some(path) = resolve(path) else { return };
        let mut chosen = self.chosen.lock().unwrap_or_else(|p| p.into_inner());
        let list = match access {
            Access::Read => &mut chosen.read,
            Access::Write | Access::Import => &mut chosen.write,
        };
        if !list.contains(&path) {
            list.push(path);
        }
    }

    /// Whether `path` may be used for `access` given the app's own folders (no question asked).
    pub fn allows(&self, path: &Path, access: Access, app_folders: &[PathBuf]) -> bool {
        let Some(path) = resolve(path) else {
            return false;
        };
        let chosen = self.chosen.lock().unwrap_or_else(|p| p.into_inner());
        let granted = match access {
            // A file chosen in a save dialog may be read back.
            Access::Read => chosen.read.iter().chain(&chosen.write).cloned().collect(),
            Access::Write | Access::Import => chosen.write.clone(),
        };
        drop(chosen);
        let configured = app_folders.iter().chain(&self.config.allow_dirs);
        configured
            .filter_map(|p| resolve(p))
            .any(|root| path.starts_with(root))
            || granted.iter().any(|root| path.starts_with(root))
    }

    /// The lock held while taking a scripted answer.
    pub(crate) fn picks_lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.picks.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// `path` absolute and canonical: symbolic links and `..` resolved through the longest part that
/// exists, the rest (a file or folders to create) plain names only. `None` for a relative path
/// or a `..` that cannot be resolved.
pub fn resolve(path: &Path) -> Option<PathBuf> {
    if !path.is_absolute() {
        return None;
    }
    let mut existing = path.to_path_buf();
    let mut missing: Vec<OsString> = Vec::new();
    loop {
        if let Ok(canonical) = std::fs::canonicalize(&existing) {
            let mut resolved = canonical;
            for name in missing.iter().rev() {
                resolved.push(name);
            }
            return Some(resolved);
        }
        // `file_name` is `None` for a path ending in `..`: never guessed lexically.
        missing.push(existing.file_name()?.to_os_string());
        existing = existing.parent()?.to_path_buf();
    }
}

/// The app's own folders for `access`: to read, its data folder, the demo data and the imported
/// data sources beside it (also when `SEGMENT_BUILDER_DATA` puts them elsewhere) and the open
/// data source; to import into, the imported data sources' folder; to write, none.
pub fn app_folders<R: Runtime>(app: &AppHandle<R>, access: Access) -> Vec<PathBuf> {
    let imports = crate::data::imports_dir(app).ok();
    match access {
        Access::Write => Vec::new(),
        Access::Import => imports.map(|(_, dir)| dir).into_iter().collect(),
        Access::Read => {
            let mut folders: Vec<PathBuf> = app.path().app_data_dir().ok().into_iter().collect();
            if let Some((demo, dir)) = imports {
                folders.extend([demo, dir]);
            }
            if let Some(open) = app.state::<AppState>().current_path() {
                folders.push(PathBuf::from(open));
            }
            folders
        }
    }
}

/// Whether the sidecar store records `path` (a data source used in an earlier session).
fn recorded_in_store<R: Runtime>(app: &AppHandle<R>, path: &Path) -> bool {
    let Some(store) = crate::data::store_in(app.path().app_data_dir().ok()) else {
        return false;
    };
    path.is_file()
        && store
            .get(path)
            .is_ok_and(|meta| meta != segment_import::SourceMeta::default())
}

fn allowed<R: Runtime>(app: &AppHandle<R>, path: &Path, access: Access) -> bool {
    let grants = &app.state::<AppState>().grants;
    grants.allows(path, access, &app_folders(app, access))
        || (access == Access::Read && recorded_in_store(app, path))
}

/// The refusal of `path`, in words that say what to do instead.
pub fn refused(path: &Path, access: Access) -> AppError {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let message = match access {
        Access::Read => format!(
            "Segment Builder may not read “{name}”. Choose the file with Open… or drop it on the window."
        ),
        Access::Write | Access::Import => format!(
            "Segment Builder may not write “{name}”. Choose where to save it with Save…."
        ),
    };
    AppError::new(ErrorKind::PathNotAllowed, message)
}

/// Refuses `path` unless it is allowed for `access` (for paths the UI passes on its own: the
/// open data source, the imported ones).
pub fn check<R: Runtime>(app: &AppHandle<R>, path: &Path, access: Access) -> Result<(), AppError> {
    if allowed(app, path, access) {
        Ok(())
    } else {
        Err(refused(path, access))
    }
}

/// [`check`], but a path the rules do not allow (one the user typed) is put to the user in a
/// native dialog; allowed, it is granted for the session. Blocking: call it off the main thread.
pub fn confirm<R: Runtime>(
    app: &AppHandle<R>,
    path: &Path,
    access: Access,
) -> Result<(), AppError> {
    if allowed(app, path, access) {
        return Ok(());
    }
    let grants = app.state::<AppState>().grants.clone();
    if !grants.config().native_dialogs || !path.is_absolute() {
        return Err(refused(path, access));
    }
    if crate::dialogs::ask_allow(app, path, access) {
        grants.grant(path, access);
        Ok(())
    } else {
        Err(refused(path, access))
    }
}
