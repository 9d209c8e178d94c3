//! "Is in segment" in the app: the segments a tree refers to, read from the app's library
//! (opened if needed, as the library commands do) before the service checks the tree.

use std::path::PathBuf;

use segment_model::Segment;
use segment_service::References;
use segment_store::Store;
use tauri::{Manager, Runtime};

use crate::library::{library_path, LibrarySlot};

/// Where the app's library is, and its open copy.
#[derive(Clone)]
pub struct Library {
    slot: LibrarySlot,
    path: Option<PathBuf>,
}

impl Library {
    /// The app's library (`SEGMENT_BUILDER_LIBRARY`, else `library.sqlite` in app data).
    pub fn of<R: Runtime>(app: &tauri::AppHandle<R>) -> Library {
        Library {
            slot: app.state::<crate::AppState>().library.clone(),
            path: library_path(app.path().app_data_dir().ok()).ok(),
        }
    }

    /// The segments `segment` refers to; none when it refers to none or the library cannot be
    /// opened (validation then says the segment is not in an open library).
    pub fn gather(&self, segment: &Segment) -> References {
        if !References::needed(segment) {
            return References::none();
        }
        let Some(path) = &self.path else {
            return References::none();
        };
        let Ok(mut guard) = self.slot.lock() else {
            return References::none();
        };
        if guard.as_ref().is_none_or(|s| s.path() != path) {
            match Store::open(path) {
                Ok(store) => *guard = Some(store),
                Err(_) => return References::none(),
            }
        }
        match guard.as_mut() {
            Some(store) => References::gather(segment, store),
            None => References::none(),
        }
    }
}
