//! The desktop shell: thin Tauri command adapters over the segment crates. Only this crate knows
//! Tauri; the logic lives in `crates/`.

pub mod audience;
pub mod commands;
pub mod connections;
pub mod counting;
pub mod data;
pub mod dialogs;
pub mod formats;
pub mod grants;
pub mod insight;
pub mod ipc;
pub mod library;
pub mod library_io;
pub mod references;
pub mod state;

use tauri::Manager;

pub use state::AppState;

/// The app's builder with its commands and state, without a window or a context: shared by
/// `run` and the tests (which use tauri's mock runtime).
pub fn builder<R: tauri::Runtime>(
    builder: tauri::Builder<R>,
    state: AppState,
) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        // Dropped files are granted before the page hears of them (see dialogs.rs).
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::DragDrop(drop) = event {
                dialogs::on_drag_drop(window.app_handle(), drop);
            }
        })
        .on_webview_event(|webview, event| {
            if let tauri::WebviewEvent::DragDrop(drop) = event {
                dialogs::on_drag_drop(webview.app_handle(), drop);
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::get_source,
            connections::connect_source,
            connections::test_connection,
            connections::connection_profiles,
            connections::connection_save,
            connections::connection_delete,
            commands::preview,
            commands::cancel_preview,
            commands::engine_progress,
            counting::samples,
            counting::overlap,
            insight::insight_trend,
            insight::insight_explain_record,
            insight::insight_near_misses,
            audience::audience_breakdown,
            audience::audience_split,
            audience::audience_split_keep,
            audience::audience_tiers,
            audience::audience_tiers_keep,
            data::import_preview,
            data::import_file,
            data::cancel_import,
            data::relationships,
            data::relate,
            data::schema_stats,
            data::data_sources,
            data::open_data,
            data::set_time_column,
            data::set_label,
            data::column_meanings,
            data::declare_meaning,
            data::engine_snapshots,
            data::clear_engine_snapshots,
            library::library_list,
            library::library_get,
            library::library_save,
            library::library_delete,
            library::library_history,
            library::library_revision,
            library::library_diff,
            library::library_restore,
            library::library_record_count,
            library::library_counts,
            library::members_add,
            library::members_remove,
            library::members_list,
            library::members_changes,
            library_io::library_freeze,
            library_io::library_export,
            library_io::library_import,
            formats::render_formats,
            formats::import_definition,
            dialogs::pick_open,
            dialogs::pick_save
        ])
}

pub fn run() {
    let state = AppState::with_grants(grants::Grants::new(grants::GrantsConfig::from_env()));
    builder(tauri::Builder::default(), state.clone())
        .setup(move |app| {
            // Open (and on first start, generate) the demo data in the background; the
            // commands wait for it, the window shows "Opening the data…" meanwhile.
            let dir = app.path().app_data_dir().ok();
            state.keep_engine_snapshots_in(segment_service::snapshot_dir(dir.as_deref()));
            state.write_engine_snapshots_after_ready();
            let state = state.clone();
            let store = data::store_in(dir.clone());
            std::thread::spawn(move || match state::data_path(dir) {
                Ok(path) => state.load_with(&path, true, store.as_ref()),
                Err(e) => state.fail(e),
            });
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("error while running the Segment Builder app");
}
