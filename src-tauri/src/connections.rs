//! Warehouse connections in the app: open a PostgreSQL (or Spark Connect) address as the data
//! source, with the schema and a password typed for this session (the page keeps it in memory
//! and sends it with the request; it is never written), and "Test connection", which reports
//! what failed (unreachable, password, permission, no tables…) without switching.

use std::path::Path;

use segment_import::Store;
use segment_service::{EngineCache, Location, OpenOptions};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime, State};
use ts_rs::TS;

use crate::commands::blocking;
use crate::ipc::{AppError, SourceInfo};
use crate::state::{source_info, AppState, Loaded};

/// A warehouse to connect to.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ConnectionRequest {
    /// `postgresql://user@host:port/database` or `sc://host:port`.
    pub url: String,
    /// The PostgreSQL schema or Spark database (default: `public` / the server's).
    #[ts(optional)]
    pub schema: Option<String>,
    /// Typed in for this session only; never stored.
    #[ts(optional)]
    pub password: Option<String>,
}

/// What "Test connection" found.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConnectionTest {
    pub ok: bool,
    /// What failed (`unreachable`, `authentication`, `password_needed`, `permission`,
    /// `no_tables`, `tls`, `no_database`, `location`…), when it failed.
    pub failure: Option<String>,
    /// In plain words: what was found, or what failed and what to do.
    pub message: String,
    pub tables: u32,
}

/// Opens a warehouse location as the app's data source.
pub fn open_warehouse(
    location: &Location,
    schema: Option<&str>,
    password: Option<&str>,
    store: Option<&Store>,
    engine: EngineCache,
) -> Result<Loaded, AppError> {
    let options = OpenOptions {
        schema,
        password,
        store,
    };
    let service = segment_service::open_location(location, &options, engine)?;
    let info = source_info(
        Path::new(&service.backend().location()),
        service.schema(),
        service.backend().default_now(),
    );
    Ok(Loaded { service, info })
}

/// A warehouse address where a file was expected (`SEGMENT_BUILDER_DATA`, with
/// `SEGMENT_BUILDER_SCHEMA` for the schema and `PGPASSWORD`/`~/.pgpass` for the password).
pub fn open_if_warehouse(
    path: &Path,
    store: Option<&Store>,
    engine: EngineCache,
) -> Option<Result<Loaded, AppError>> {
    let location = Location::parse(&path.to_string_lossy()).ok()?;
    if location.path().is_some() {
        return None;
    }
    let schema = std::env::var("SEGMENT_BUILDER_SCHEMA").ok();
    Some(open_warehouse(
        &location,
        schema.as_deref(),
        None,
        store,
        engine,
    ))
}

/// Opens the warehouse of `request` again (after its relationships changed), with the
/// relationships and time columns confirmed for it.
pub fn reopen(request: &ConnectionRequest, store: &Store) -> Result<Loaded, AppError> {
    open_warehouse(
        &Location::parse(&request.url)?,
        request.schema.as_deref(),
        request.password.as_deref(),
        Some(store),
        EngineCache::new(),
    )
}

/// Connects to a warehouse and makes it the open data source (the old one stays open if this
/// fails).
#[tauri::command]
pub async fn connect_source<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request: ConnectionRequest,
) -> Result<SourceInfo, AppError> {
    let state = state.inner().clone();
    let store = crate::data::store(&app)?;
    blocking(move || {
        let loaded = reopen(&request, &store)?;
        state.remember_warehouse(request);
        Ok(state.install(loaded))
    })
    .await
}

/// Connects, reads the schema and reports, without switching to it.
#[tauri::command]
pub async fn test_connection(request: ConnectionRequest) -> Result<ConnectionTest, AppError> {
    blocking(move || Ok(test(&request))).await
}

pub fn test(request: &ConnectionRequest) -> ConnectionTest {
    let opened = Location::parse(&request.url).and_then(|location| {
        let options = OpenOptions {
            schema: request.schema.as_deref(),
            password: request.password.as_deref(),
            store: None,
        };
        segment_service::open_backend(&location, &options)
    });
    match opened {
        Ok(backend) => {
            let tables = backend.schema().entities.len() as u32;
            ConnectionTest {
                ok: true,
                failure: None,
                message: format!(
                    "Connected to {}: {tables} table(s), {} relationship(s)",
                    backend.location(),
                    backend.schema().relationships.len() / 2
                ),
                tables,
            }
        }
        Err(e) => ConnectionTest {
            ok: false,
            failure: Some(match &e {
                segment_service::Error::Warehouse { kind, .. } => kind.to_string(),
                segment_service::Error::SourceUnavailable { .. } => "unavailable".into(),
                _ => "location".into(),
            }),
            message: e.to_string(),
            tables: 0,
        },
    }
}

/// The saved connection profiles, by name (no secrets).
#[tauri::command]
pub async fn connection_profiles<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
) -> Result<Vec<segment_store::ConnectionProfile>, AppError> {
    crate::library::with_library(&app, |s| s.connections()).await
}

/// Saves a connection profile (an address with a password is refused); the profiles after it.
#[tauri::command]
pub async fn connection_save<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    profile: segment_store::ConnectionProfile,
) -> Result<Vec<segment_store::ConnectionProfile>, AppError> {
    crate::library::with_library(&app, move |s| {
        s.save_connection(&profile)?;
        s.connections()
    })
    .await
}

/// Forgets a connection profile; the profiles after it.
#[tauri::command]
pub async fn connection_delete<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    name: String,
) -> Result<Vec<segment_store::ConnectionProfile>, AppError> {
    crate::library::with_library(&app, move |s| {
        s.delete_connection(&name)?;
        s.connections()
    })
    .await
}
