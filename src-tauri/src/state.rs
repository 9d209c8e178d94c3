//! The app's state: the open data source (opened in the background at startup) and the
//! cancellation token of the newest preview.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};

use segment_import::Store;
use segment_model::{Operator, Schema};
use segment_service::{EngineCache, Service};
use segment_source::{CancelToken, DemoOptions};

use crate::grants::Grants;
use crate::ipc::{AppError, ErrorKind, OperatorInfo, SourceInfo, TypeInfo};

/// The data source once it is open: the count service over it and what the UI is told.
pub struct Loaded {
    pub service: Service,
    pub info: SourceInfo,
}

impl Loaded {
    /// Default "now" of this data (Unix seconds), e.g. the demo data's anchor.
    pub fn default_now(&self) -> Option<i64> {
        self.service.backend().default_now()
    }
}

#[derive(Default)]
struct Slot {
    loaded: Option<Result<Arc<Loaded>, AppError>>,
}

/// Shared by every command; cheap to clone.
#[derive(Clone, Default)]
pub struct AppState {
    slot: Arc<(Mutex<Slot>, Condvar)>,
    /// The newest preview request and its cancellation token.
    newest: Arc<Mutex<(u64, CancelToken)>>,
    /// The running breakdown's cancellation token: a newer breakdown or the count's Cancel
    /// stops it (on a warehouse, its statement on the server).
    breakdown: Arc<Mutex<CancelToken>>,
    /// The count engine's copy of the data (loaded in the background), kept across reopening
    /// unchanged data.
    engine: EngineCache,
    /// The segment library, opened on first use.
    pub library: crate::library::LibrarySlot,
    /// The running imports' cancellation tokens, by import id.
    imports: Arc<Mutex<HashMap<u64, segment_import::CancelToken>>>,
    /// The files the web view may have the app read or write.
    pub grants: Grants,
    /// The warehouse connected last (its password for this session only, in memory), so that
    /// its relationships can be edited and the connection reopened with them.
    warehouse: Arc<Mutex<Option<crate::connections::ConnectionRequest>>>,
}

impl AppState {
    /// A state allowing the app's own folders only, without dialogs (see [`Grants`]).
    pub fn new() -> Self {
        AppState::default()
    }

    /// A state with these grants (the app's: [`crate::grants::GrantsConfig::from_env`]).
    pub fn with_grants(grants: Grants) -> Self {
        AppState {
            grants,
            ..AppState::default()
        }
    }

    /// Keeps snapshots of the engine's loads in `dir` (`segment_service::snapshot_dir` of the
    /// app's data folder), so the next start reads them instead of the data file.
    pub fn keep_engine_snapshots_in(&self, dir: Option<PathBuf>) {
        self.engine.keep_snapshots_in(dir);
    }

    /// Marks the engine ready as soon as its data is loaded, and writes the snapshot for the
    /// next start afterwards in the same background task (the app stays open; the CLI, which
    /// exits after its command, writes it first).
    pub fn write_engine_snapshots_after_ready(&self) {
        self.engine
            .write_snapshots(segment_service::SnapshotWrite::AfterReady);
    }

    /// Where the engine's snapshots are kept (`None`: nowhere).
    pub fn engine_snapshot_dir(&self) -> Option<PathBuf> {
        self.engine.snapshot_dir()
    }

    /// Opens `path` read-only, first generating the demo data there if `demo` and it is absent.
    /// Blocking; call it off the main thread. Its result is what every command then waits for.
    pub fn load(&self, path: &Path, demo: bool) {
        self.load_with(path, demo, None)
    }

    /// [`AppState::load`] with the sidecar store's relationships, time columns and labels applied.
    pub fn load_with(&self, path: &Path, demo: bool, store: Option<&Store>) {
        let result = open(path, demo, store, self.engine.clone()).map(Arc::new);
        let (lock, ready) = &*self.slot;
        lock.lock().unwrap_or_else(|p| p.into_inner()).loaded = Some(result);
        ready.notify_all();
    }

    /// Switches to another data source (opened read-only, with the sidecar applied): the newest
    /// preview is cancelled and everything derived from the old one (its connection, schema,
    /// engine caches) goes with its `Loaded`. On failure the current data source stays open.
    pub fn switch(&self, path: &Path, store: Option<&Store>) -> Result<SourceInfo, AppError> {
        let loaded = open(path, false, store, self.engine.clone())?;
        Ok(self.install(loaded))
    }

    /// Makes `loaded` the open data source (see [`AppState::switch`]).
    pub fn install(&self, loaded: Loaded) -> SourceInfo {
        let loaded = Arc::new(loaded);
        let info = loaded.info.clone();
        self.newest
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .1
            .cancel();
        let (lock, ready) = &*self.slot;
        lock.lock().unwrap_or_else(|p| p.into_inner()).loaded = Some(Ok(loaded));
        ready.notify_all();
        info
    }

    /// Remembers the warehouse just connected (see `warehouse`).
    pub fn remember_warehouse(&self, request: crate::connections::ConnectionRequest) {
        *self.warehouse.lock().unwrap_or_else(|p| p.into_inner()) = Some(request);
    }

    /// The connection of the warehouse shown as `location` (its address without secrets), if
    /// it is the one connected.
    pub fn warehouse_at(&self, location: &str) -> Option<crate::connections::ConnectionRequest> {
        let remembered = self.warehouse.lock().unwrap_or_else(|p| p.into_inner());
        remembered.clone().filter(|request| {
            segment_service::Location::parse(&request.url).is_ok_and(|l| l.display() == location)
        })
    }

    /// The path of the open data source, if it is open.
    pub fn current_path(&self) -> Option<String> {
        let (lock, _) = &*self.slot;
        match &lock.lock().unwrap_or_else(|p| p.into_inner()).loaded {
            Some(Ok(loaded)) => Some(loaded.info.path.clone()),
            _ => None,
        }
    }

    /// Records that the data source cannot be opened at all.
    pub fn fail(&self, error: AppError) {
        let (lock, ready) = &*self.slot;
        lock.lock().unwrap_or_else(|p| p.into_inner()).loaded = Some(Err(error));
        ready.notify_all();
    }

    /// The open data source, waiting for it if it is still being prepared. Blocking.
    pub fn loaded(&self) -> Result<Arc<Loaded>, AppError> {
        let (lock, ready) = &*self.slot;
        let mut slot = lock.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(result) = &slot.loaded {
                return result.clone();
            }
            slot = ready.wait(slot).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Registers import `id`: its cancellation token.
    pub fn begin_import(&self, id: u64) -> segment_import::CancelToken {
        let token = segment_import::CancelToken::new();
        self.imports
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, token.clone());
        token
    }

    /// Forgets import `id` (finished).
    pub fn end_import(&self, id: u64) {
        self.imports
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
    }

    /// Cancels import `id` (a no-op when it has finished).
    pub fn cancel_import(&self, id: u64) {
        if let Some(token) = self
            .imports
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
        {
            token.cancel();
        }
    }

    /// The id of the newest preview request seen (0 before the first).
    pub fn newest_request(&self) -> u64 {
        self.newest.lock().unwrap_or_else(|p| p.into_inner()).0
    }

    /// Cancels the newest preview's count and the running breakdown (no-ops when they have
    /// finished).
    pub fn cancel_newest(&self) {
        self.newest
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .1
            .cancel();
        self.breakdown
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .cancel();
    }

    /// A token for a new breakdown, cancelling the one before (the view shows only the
    /// newest answer: an older one still running on a warehouse is stopped there).
    pub fn begin_breakdown(&self) -> CancelToken {
        let token = CancelToken::new();
        let old = std::mem::replace(
            &mut *self.breakdown.lock().unwrap_or_else(|p| p.into_inner()),
            token.clone(),
        );
        old.cancel();
        token
    }

    /// Registers request `id` as the newest, cancelling the count of any older one. A request
    /// older than the newest seen gets a token that is already cancelled.
    pub fn begin(&self, id: u64) -> CancelToken {
        let mut newest = self.newest.lock().unwrap_or_else(|p| p.into_inner());
        let token = CancelToken::new();
        if id >= newest.0 {
            if id > newest.0 {
                newest.1.cancel();
            }
            *newest = (id, token.clone());
        } else {
            token.cancel();
        }
        token
    }
}

/// Where the app keeps its demo data: `SEGMENT_BUILDER_DATA` if set (a SQLite file; the demo is
/// generated there if absent), else `demo.sqlite` in the platform's app-data directory.
pub fn data_path(app_data_dir: Option<PathBuf>) -> Result<PathBuf, AppError> {
    if let Some(p) = std::env::var_os("SEGMENT_BUILDER_DATA").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let dir = app_data_dir
        .ok_or_else(|| AppError::new(ErrorKind::Source, "no app data directory on this system"))?;
    Ok(dir.join("demo.sqlite"))
}

fn open(
    path: &Path,
    demo: bool,
    store: Option<&Store>,
    engine: EngineCache,
) -> Result<Loaded, AppError> {
    if let Some(warehouse) = crate::connections::open_if_warehouse(path, store, engine.clone()) {
        return warehouse;
    }
    let generated_here = demo && !path.exists();
    if generated_here {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| {
                AppError::new(
                    ErrorKind::Source,
                    format!("cannot create {}: {e}", dir.display()),
                )
            })?;
        }
        segment_source::generate_demo(path, DemoOptions::default())?;
    }
    let service = segment_service::open_sqlite(path, store, engine).map_err(|e| {
        AppError::new(
            ErrorKind::Source,
            format!("cannot open {}: {e}", path.display()),
        )
    })?;
    let info = source_info(path, service.schema(), service.backend().default_now());
    Ok(Loaded { service, info })
}

pub fn source_info(path: &Path, schema: &Schema, default_now: Option<i64>) -> SourceInfo {
    use segment_model::DataType as T;
    let types = [T::Text, T::Number, T::Boolean, T::Datetime, T::Array]
        .into_iter()
        .map(|t| TypeInfo {
            data_type: t,
            label: t.label().to_string(),
            operators: Operator::for_type(t)
                .into_iter()
                .map(|op| OperatorInfo {
                    operator: op,
                    label: op.label().to_string(),
                    unary: op.is_unary(),
                })
                .collect(),
        })
        .collect();
    SourceInfo {
        path: path.display().to_string(),
        demo: default_now.is_some(),
        default_entity: segment_model::validate::default_entity(schema).map(|e| e.name.clone()),
        default_now: default_now.and_then(rfc3339),
        schema: schema.clone(),
        types,
    }
}

pub fn rfc3339(unix: i64) -> Option<String> {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}
