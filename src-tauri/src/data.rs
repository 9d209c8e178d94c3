//! Bring your own data in the app: thin adapters over `segment-import`. Import with a preview
//! first, progress events and cancel; relationships confirmed into the sidecar store (in the
//! app-data directory, shared with the CLI); schema statistics. Every blocking call runs on the
//! blocking pool.
//!
//! Events: `import-progress` with an [`ImportProgressEvent`] at most every 200 ms while an import
//! runs. Cancel with `cancel_import(import_id)`: the import then fails with kind `cancelled` and
//! the data source is as it was.

use std::path::{Path, PathBuf};

use segment_import::meaning::ColumnMeanings;
use segment_import::stats::EntityStats;
use segment_import::{ImportReport, ImportRequest, Link, Preview, Progress, Proposal, Store};
use segment_model::{ColumnMeaning, Schema};
use segment_service::snapshots::{Cleared, SnapshotList};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Manager, Runtime, State};
use ts_rs::TS;

use crate::commands::blocking;
use crate::grants::{self, Access};
use crate::ipc::{AppError, ErrorKind, SourceInfo};
use crate::state::AppState;

/// The event name of import progress.
pub const IMPORT_PROGRESS: &str = "import-progress";

/// One progress report of the import `import_id`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportProgressEvent {
    #[ts(type = "number")]
    pub import_id: u64,
    pub progress: Progress,
}

/// A relationship to add or remove, between columns of one data source.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RelateRequest {
    /// The data source (SQLite file).
    pub data: String,
    pub link: Link,
    /// The child table's time column for time windows (default: detected).
    #[ts(optional)]
    pub time_column: Option<String>,
    #[serde(default)]
    pub remove: bool,
}

/// A data source's schema with the sidecar applied, and the proposals not yet confirmed.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RelationshipsResponse {
    pub schema: Schema,
    pub confirmed: Vec<Link>,
    pub proposals: Vec<Proposal>,
}

pub(crate) fn import_error(e: segment_import::Error) -> AppError {
    use segment_import::Error as E;
    if let E::BadValues { path, bad } = &e {
        // The window offers the choices itself (import them as empty, or change the type).
        let message = format!("{}: {}", path.display(), bad.describe());
        return AppError::new(ErrorKind::BadValues, message);
    }
    let kind = match &e {
        E::Cancelled => ErrorKind::Cancelled,
        E::UnknownOverride { .. }
        | E::UnknownType(_)
        | E::UnknownColumn(_)
        | E::Invalid(_)
        | E::TableExists(_) => ErrorKind::InvalidRequest,
        _ => ErrorKind::Source,
    };
    AppError::new(kind, e.to_string())
}

/// The sidecar store in the app-data directory (`SEGMENT_BUILDER_STORE` overrides it, as in the
/// CLI).
pub(crate) fn store<R: Runtime>(app: &AppHandle<R>) -> Result<Store, AppError> {
    store_in(app.path().app_data_dir().ok())
        .ok_or_else(|| AppError::new(ErrorKind::Source, "no app data directory on this system"))
}

/// The sidecar store given the app-data directory (for the startup thread).
pub fn store_in(app_data_dir: Option<PathBuf>) -> Option<Store> {
    if let Some(path) = std::env::var_os("SEGMENT_BUILDER_STORE").filter(|p| !p.is_empty()) {
        return Some(Store::new(PathBuf::from(path)));
    }
    app_data_dir.map(|dir| Store::new(dir.join(segment_import::store::STORE_FILE)))
}

/// The first `rows` rows of a file and the types they suggest; writes nothing.
#[tauri::command(rename_all = "snake_case")]
pub async fn import_preview<R: Runtime>(
    app: AppHandle<R>,
    request: ImportRequest,
    rows: Option<u32>,
) -> Result<Preview, AppError> {
    blocking(move || {
        grants::confirm(&app, &request.file, Access::Read)?;
        segment_import::preview(&request, rows.unwrap_or(20) as usize).map_err(import_error)
    })
    .await
}

/// Imports a file as a table, emitting `import-progress` events; the headers become labels.
#[tauri::command(rename_all = "snake_case")]
pub async fn import_file<R: Runtime>(
    app: AppHandle<R>,
    request: ImportRequest,
    import_id: u64,
) -> Result<ImportReport, AppError> {
    let state = app.state::<AppState>().inner().clone();
    let token = state.begin_import(import_id);
    let store = store(&app)?;
    let result = blocking(move || {
        grants::confirm(&app, &request.file, Access::Read)?;
        grants::check(&app, &request.into, Access::Import)?;
        let mut on_progress = |progress: &Progress| {
            let _ = app.emit(
                IMPORT_PROGRESS,
                ImportProgressEvent {
                    import_id,
                    progress: progress.clone(),
                },
            );
        };
        segment_service::import::import_file(&request, &mut on_progress, &token, &store).map_err(
            |e| match e {
                segment_service::Error::Import(e) => import_error(e),
                e => e.into(),
            },
        )
    })
    .await;
    state.end_import(import_id);
    result
}

/// Cancels the import `import_id` (a no-op when it has finished).
#[tauri::command(rename_all = "snake_case")]
pub fn cancel_import(state: State<'_, AppState>, import_id: u64) {
    state.cancel_import(import_id);
}

/// The relationships of a data source (declared and confirmed) and the proposals.
#[tauri::command(rename_all = "snake_case")]
pub async fn relationships<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    data: String,
) -> Result<RelationshipsResponse, AppError> {
    let store = store(&app)?;
    let state = state.inner().clone();
    blocking(move || {
        let target = RelationsTarget::of(&app, &state, &data)?;
        let now = segment_service::relations::relations(
            &target.location,
            &target.options(&store),
            &store,
        )?;
        Ok(now.into())
    })
    .await
}

/// Adds (checked against the schema) or removes a relationship; the new state.
#[tauri::command(rename_all = "snake_case")]
pub async fn relate<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request: RelateRequest,
) -> Result<RelationshipsResponse, AppError> {
    use segment_service::relations;
    let store = store(&app)?;
    let state = state.inner().clone();
    blocking(move || {
        let target = RelationsTarget::of(&app, &state, &request.data)?;
        let (location, options) = (&target.location, target.options(&store));
        let now = if request.remove {
            match relations::remove(location, &options, &store, &request.link)? {
                Some(now) => now,
                None => relations::relations(location, &options, &store)?,
            }
        } else {
            relations::add(
                location,
                &options,
                &store,
                request.link,
                request.time_column,
            )?
            .relations
        };
        Ok(now.into())
    })
    .await
}

/// Where the relationships edited on the Data screen live: a local file (within the grants)
/// or the connected warehouse shown as `data`, with what reconnecting to it needs.
struct RelationsTarget {
    location: segment_service::Location,
    connection: Option<crate::connections::ConnectionRequest>,
}

impl RelationsTarget {
    fn of<R: Runtime>(app: &AppHandle<R>, state: &AppState, data: &str) -> Result<Self, AppError> {
        if is_warehouse(data) {
            let connection = state.warehouse_at(data).ok_or_else(|| {
                AppError::new(
                    ErrorKind::InvalidRequest,
                    format!("connect to {data} first (Data, Warehouses)"),
                )
            })?;
            return Ok(RelationsTarget {
                location: segment_service::Location::parse(&connection.url)?,
                connection: Some(connection),
            });
        }
        grants::check(app, Path::new(data), Access::Read)?;
        Ok(RelationsTarget {
            location: segment_service::Location::Sqlite(PathBuf::from(data)),
            connection: None,
        })
    }

    fn options<'a>(&'a self, store: &'a Store) -> segment_service::OpenOptions<'a> {
        segment_service::OpenOptions {
            schema: self.connection.as_ref().and_then(|c| c.schema.as_deref()),
            password: self.connection.as_ref().and_then(|c| c.password.as_deref()),
            store: Some(store),
        }
    }
}

impl From<segment_service::relations::Relations> for RelationshipsResponse {
    fn from(now: segment_service::relations::Relations) -> Self {
        RelationshipsResponse {
            schema: now.schema,
            confirmed: now.confirmed,
            proposals: now.proposals,
        }
    }
}

/// Every entity and column of a data source with its statistics (for the schema browser and
/// value suggestions).
#[tauri::command(rename_all = "snake_case")]
pub async fn schema_stats<R: Runtime>(
    app: AppHandle<R>,
    data: String,
) -> Result<Vec<EntityStats>, AppError> {
    let store = store(&app)?;
    blocking(move || {
        if is_warehouse(&data) {
            return warehouse_stats(&app, &data);
        }
        grants::check(&app, &PathBuf::from(&data), Access::Read)?;
        let opened =
            segment_import::open(&PathBuf::from(&data), Some(&store)).map_err(import_error)?;
        segment_import::stats::compute(&opened.source, &opened.schema, &opened.meta.labels)
            .map_err(import_error)
    })
    .await
}

fn is_warehouse(data: &str) -> bool {
    segment_service::Location::parse(data).is_ok_and(|l| l.path().is_none())
}

/// A connected warehouse's statistics, read where the data is (large tables from a sample).
fn warehouse_stats<R: Runtime>(
    app: &AppHandle<R>,
    data: &str,
) -> Result<Vec<EntityStats>, AppError> {
    let loaded = connected_warehouse(app, data, "statistics")?;
    let stats = loaded.service.stats(
        segment_service::warehouse_stats::SampleLimits::default(),
        &segment_source::CancelToken::new(),
    )?;
    let store = store(app)?;
    Ok(segment_service::relations::with_labels(
        loaded.service.backend(),
        &store,
        stats,
    )?)
}

/// The open data source when it is the warehouse shown as `data` (`what` it is needed for).
fn connected_warehouse<R: Runtime>(
    app: &AppHandle<R>,
    data: &str,
    what: &str,
) -> Result<std::sync::Arc<crate::state::Loaded>, AppError> {
    let loaded = app.state::<AppState>().inner().clone().loaded()?;
    if loaded.info.path != data {
        return Err(AppError::new(
            ErrorKind::InvalidRequest,
            format!("{what} are read from the connected warehouse only; connect to {data} first"),
        ));
    }
    Ok(loaded)
}

/// The data sources the app knows: the demo data, the app's own imported data sources (one
/// SQLite file each in `imported/` beside the demo data), and which one is open.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DataSources {
    pub current: Option<String>,
    pub demo: String,
    /// Where new imported data sources go.
    pub imports_dir: String,
    pub imported: Vec<String>,
}

pub(crate) fn imports_dir<R: Runtime>(app: &AppHandle<R>) -> Result<(PathBuf, PathBuf), AppError> {
    let demo = crate::state::data_path(app.path().app_data_dir().ok())?;
    let dir = demo
        .parent()
        .map(|p| p.join("imported"))
        .unwrap_or_else(|| PathBuf::from("imported"));
    Ok((demo, dir))
}

/// The demo data, the imported data sources and the open one.
#[tauri::command(rename_all = "snake_case")]
pub async fn data_sources<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<DataSources, AppError> {
    let (demo, dir) = imports_dir(&app)?;
    let current = state.current_path();
    blocking(move || {
        std::fs::create_dir_all(&dir).map_err(|e| {
            AppError::new(
                ErrorKind::Source,
                format!("cannot create {}: {e}", dir.display()),
            )
        })?;
        let mut imported: Vec<String> = std::fs::read_dir(&dir)
            .map_err(|e| {
                AppError::new(
                    ErrorKind::Source,
                    format!("cannot read {}: {e}", dir.display()),
                )
            })?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "sqlite"))
            .map(|p| p.display().to_string())
            .collect();
        imported.sort();
        Ok(DataSources {
            current,
            demo: demo.display().to_string(),
            imports_dir: dir.display().to_string(),
            imported,
        })
    })
    .await
}

/// Opens another data source read-only (the demo, an imported one or any SQLite file) with its
/// sidecar applied; the builder's schema, previews and caches follow. Also reloads the open one
/// after its relationships, time columns or labels changed.
#[tauri::command(rename_all = "snake_case")]
pub async fn open_data<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    data: String,
) -> Result<SourceInfo, AppError> {
    let store = store(&app)?;
    let state = state.inner().clone();
    blocking(move || {
        if is_warehouse(&data) {
            let connection = RelationsTarget::of(&app, &state, &data)?.connection;
            if let Some(connection) = connection {
                let loaded = crate::connections::reopen(&connection, &store)?;
                return Ok(state.install(loaded));
            }
        }
        grants::confirm(&app, Path::new(&data), Access::Read)?;
        state.switch(&PathBuf::from(data), Some(&store))
    })
    .await
}

/// A table's time column (for time windows), or back to the detected one with `column: null`.
#[tauri::command(rename_all = "snake_case")]
pub async fn set_time_column<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    data: String,
    table: String,
    column: Option<String>,
) -> Result<RelationshipsResponse, AppError> {
    let store = store(&app)?;
    let state = state.inner().clone();
    blocking(move || {
        let target = RelationsTarget::of(&app, &state, &data)?;
        let now = segment_service::relations::set_time_column(
            &target.location,
            &target.options(&store),
            &store,
            &table,
            column,
        )?;
        Ok(now.into())
    })
    .await
}

/// A column's label (what the UI shows beside its name); an empty label removes it.
#[tauri::command(rename_all = "snake_case")]
pub async fn set_label<R: Runtime>(
    app: AppHandle<R>,
    data: String,
    table: String,
    column: String,
    label: String,
) -> Result<(), AppError> {
    let store = store(&app)?;
    blocking(move || {
        if is_warehouse(&data) {
            let loaded = connected_warehouse(&app, &data, "labels")?;
            let backend = loaded.service.backend();
            segment_service::relations::set_warehouse_label(
                backend, &store, &table, &column, &label,
            )?;
            return Ok(());
        }
        grants::check(&app, Path::new(&data), Access::Read)?;
        let label = label.trim().to_string();
        store
            .update(&PathBuf::from(&data), |meta| {
                let labels = meta.labels.entry(table).or_default();
                if label.is_empty() {
                    labels.remove(&column);
                } else {
                    labels.insert(column, label);
                }
            })
            .map_err(import_error)?;
        Ok(())
    })
    .await
}

/// The declared meanings of a data source's columns, and the ones their names and values
/// suggest.
#[tauri::command(rename_all = "snake_case")]
pub async fn column_meanings<R: Runtime>(
    app: AppHandle<R>,
    data: String,
) -> Result<ColumnMeanings, AppError> {
    let store = store(&app)?;
    blocking(move || {
        let path = PathBuf::from(&data);
        grants::check(&app, &path, Access::Read)?;
        let opened = segment_import::open(&path, Some(&store)).map_err(import_error)?;
        segment_import::meaning::list(&opened).map_err(import_error)
    })
    .await
}

/// Declares what a column's values mean (checked against every value: refused, with the values
/// that do not fit, when they contradict it), or removes the declaration with `meaning: null`;
/// the new state. Reload the data (`open_data`) for the builder to follow.
#[tauri::command(rename_all = "snake_case")]
pub async fn declare_meaning<R: Runtime>(
    app: AppHandle<R>,
    data: String,
    table: String,
    column: String,
    meaning: Option<ColumnMeaning>,
) -> Result<ColumnMeanings, AppError> {
    let store = store(&app)?;
    blocking(move || {
        let path = PathBuf::from(&data);
        grants::check(&app, &path, Access::Read)?;
        match meaning {
            Some(meaning) => {
                segment_import::meaning::declare(&path, &store, &table, &column, meaning)
                    .map_err(import_error)?;
            }
            None => {
                segment_import::meaning::undeclare(&path, &store, &table, &column)
                    .map_err(import_error)?;
            }
        }
        let opened = segment_import::open(&path, Some(&store)).map_err(import_error)?;
        segment_import::meaning::list(&opened).map_err(import_error)
    })
    .await
}

/// The copies of local data the count engine keeps for fast starts (`segment_service::snapshots`):
/// each one's source file, size and last use, for the Data screen.
#[tauri::command]
pub async fn engine_snapshots(state: State<'_, AppState>) -> Result<SnapshotList, AppError> {
    let dir = state.engine_snapshot_dir();
    blocking(move || Ok(segment_service::snapshots::list(dir.as_deref())?)).await
}

/// Removes those copies: how many and how many bytes (the next start reads the file again).
#[tauri::command]
pub async fn clear_engine_snapshots(state: State<'_, AppState>) -> Result<Cleared, AppError> {
    let dir = state.engine_snapshot_dir();
    blocking(move || {
        Ok(dir
            .map(|d| segment_service::snapshots::clear(&d))
            .transpose()?
            .unwrap_or_default())
    })
    .await
}
