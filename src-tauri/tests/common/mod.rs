//! What the app's tests share: the app over Tauri's mock runtime (no window system), a demo data
//! set loaded into an [`AppState`], SQL counts on it, and canonical segment JSON (from
//! `segment-testkit`, as in the CLI's tests).
#![allow(dead_code, unused_imports)] // each test binary uses a part of it

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use segment_builder_desktop::grants::{Grants, GrantsConfig};
use segment_builder_desktop::AppState;
use serde_json::Value;
use tauri::test::{
    get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY,
};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;

pub use segment_testkit::segments::*;
pub use segment_testkit::values::*;

/// A demo data file in a temporary directory, loaded into an app state.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    pub state: AppState,
}

impl Fixture {
    /// Generates `profiles` demo profiles with `seed`; `setup` runs on the directory before the
    /// state loads the file (e.g. to point an environment variable there).
    pub fn demo(profiles: u64, seed: u64, setup: impl FnOnce(&Path)) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        setup(dir.path());
        let path = dir.path().join("demo.sqlite");
        segment_source::generate_demo(&path, segment_source::DemoOptions { profiles, seed })
            .unwrap();
        let state = AppState::with_grants(scripted(dir.path(), Vec::new()));
        state.load(&path, true);
        Fixture { dir, path, state }
    }

    /// Queues the answer of the next open or save dialog (see [`queue_pick`]).
    pub fn queue_pick(&self, answer: &str) {
        queue_pick(self.dir.path(), answer)
    }

    /// A count on the demo file, with SQLite itself.
    pub fn count_sql(&self, sql: &str) -> u64 {
        self.read_only()
            .query_row(sql, [], |r| r.get::<_, i64>(0))
            .unwrap() as u64
    }

    /// The first column of every row, with SQLite itself.
    pub fn keys_sql(&self, sql: &str) -> Vec<i64> {
        let conn = self.read_only();
        let mut stmt = conn.prepare(sql).unwrap();
        stmt.query_map([], |r| r.get::<_, i64>(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    fn read_only(&self) -> rusqlite::Connection {
        rusqlite::Connection::open_with_flags(
            &self.path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap()
    }

    /// A new app window over this fixture's state.
    pub fn window(&self) -> WebviewWindow<MockRuntime> {
        window(self.state.clone())
    }

    /// Invokes `cmd` in a new window over this fixture's state.
    pub fn invoke(&self, cmd: &str, body: Value) -> Result<Value, Value> {
        invoke(&self.window(), cmd, body)
    }
}

/// Grants as in the app's scripted tests: dialogs answer from `dir/picks.txt` (see
/// [`queue_pick`]), no native dialog is shown, and `allow_dirs` are allowed.
pub fn scripted(dir: &Path, allow_dirs: Vec<PathBuf>) -> Grants {
    Grants::new(GrantsConfig {
        allow_dirs,
        test_picks: Some(dir.join("picks.txt")),
        native_dialogs: false,
    })
}

/// Appends one answer line to the scripted picks of `dir` (a path; "" for a cancelled dialog).
pub fn queue_pick(dir: &Path, answer: &str) {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("picks.txt"))
        .unwrap();
    writeln!(file, "{answer}").unwrap();
}

/// One fixture per test binary and cell, made on first use (generating the data is the slow part).
pub fn cached(
    cell: &'static OnceLock<Fixture>,
    make: impl FnOnce() -> Fixture,
) -> &'static Fixture {
    cell.get_or_init(make)
}

/// The app (its commands and managed state) in a window of the mock runtime.
pub fn window(state: AppState) -> WebviewWindow<MockRuntime> {
    let app = segment_builder_desktop::builder(mock_builder(), state)
        .build(mock_context(noop_assets()))
        .expect("build the app");
    tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap()
}

/// Invokes `cmd` with `body` through IPC; Ok(response) or Err(the serialized error).
pub fn invoke(w: &WebviewWindow<MockRuntime>, cmd: &str, body: Value) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: tauri::ipc::CallbackFn(0),
        error: tauri::ipc::CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: tauri::ipc::InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(w, request).map(|r| r.deserialize::<Value>().unwrap())
}
