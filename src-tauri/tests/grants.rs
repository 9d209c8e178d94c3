//! Files from the web view (src-tauri/src/grants.rs, dialogs.rs): a command given a path nobody
//! chose is refused and reads or writes nothing; a file picked in a dialog (answered by the
//! scripted picks, as in the end-to-end tests), dropped on the window, in an allowed folder or
//! recorded in the sidecar store works; `..` and symbolic links do not leave an allowed folder.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{all_of, cond, invoke, queue_pick, scripted, Fixture};
use segment_builder_desktop::grants::{resolve, GrantsConfig};
use segment_builder_desktop::AppState;
use serde_json::{json, Value};
use tauri::test::MockRuntime;
use tauri::{Manager, WebviewWindow};

/// The library and the sidecar store of this test binary (process-wide variables, set once).
fn app_files() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        std::env::set_var("SEGMENT_BUILDER_LIBRARY", dir.path().join("library.sqlite"));
        std::env::set_var("SEGMENT_BUILDER_STORE", dir.path().join("sources.json"));
        dir
    })
    .path()
}

/// The app on a small demo file, and a folder of the user's that nothing allows yet.
struct App {
    fixture: Fixture,
    outside: tempfile::TempDir,
    window: WebviewWindow<MockRuntime>,
}

impl App {
    fn new() -> App {
        app_files();
        let fixture = Fixture::demo(40, 3, |_| {});
        let window = fixture.window();
        App {
            fixture,
            outside: tempfile::tempdir().unwrap(),
            window,
        }
    }

    fn invoke(&self, cmd: &str, body: Value) -> Result<Value, Value> {
        invoke(&self.window, cmd, body)
    }

    fn outside(&self, name: &str) -> PathBuf {
        self.outside.path().join(name)
    }

    fn pick(&self, answer: &Path) {
        self.fixture.queue_pick(&answer.display().to_string());
    }

    fn pick_open(&self) -> Value {
        self.invoke(
            "pick_open",
            json!({ "title": "Import", "filters": [{ "name": "Data", "extensions": ["csv"] }], "multiple": true }),
        )
        .unwrap()
    }
}

fn csv(path: PathBuf) -> PathBuf {
    std::fs::write(&path, "id,country\n1,US\n2,FR\n").unwrap();
    path
}

fn refused(result: Result<Value, Value>) -> Value {
    let e = result.unwrap_err();
    assert_eq!(e["kind"], "path_not_allowed", "{e}");
    assert_eq!(e["status"], 403, "{e}");
    e
}

#[test]
fn a_path_nobody_chose_is_refused_and_nothing_is_read_or_written() {
    let app = App::new();
    let draft = json!({ "id": "unchosen", "name": "Unchosen", "definition": all_of("profiles", [cond("country", "is", "US")]), "entity": "profiles" });
    app.invoke("library_save", json!({ "draft": draft }))
        .unwrap();

    let target = app.outside("unchosen.json");
    let e = refused(app.invoke(
        "library_export",
        json!({ "id": "unchosen", "path": target }),
    ));
    assert!(
        e["message"].as_str().unwrap().contains("Save"),
        "says what to do instead: {e}"
    );
    assert!(!target.exists(), "nothing written");

    let data = csv(app.outside("people.csv"));
    let e = refused(app.invoke(
        "import_preview",
        json!({ "request": { "file": data, "into": app.outside("x.sqlite") } }),
    ));
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("Choose the file with Open… or drop it on the window"),
        "{e}"
    );
    refused(app.invoke(
        "import_file",
        json!({ "request": { "file": data, "into": app.outside("x.sqlite") }, "import_id": 1 }),
    ));
    assert!(!app.outside("x.sqlite").exists(), "nothing written");

    // Another SQLite file: not opened, not described; the open data stays.
    let other = app.outside("other.sqlite");
    segment_source::generate_demo(
        &other,
        segment_source::DemoOptions {
            profiles: 5,
            seed: 1,
        },
    )
    .unwrap();
    refused(app.invoke("open_data", json!({ "data": other })));
    refused(app.invoke("schema_stats", json!({ "data": other })));
    refused(app.invoke("relationships", json!({ "data": other })));
    let source = app.invoke("get_source", json!({})).unwrap();
    assert_eq!(source["path"], app.fixture.path.display().to_string());

    // A segment file nobody chose is not imported.
    let file = app.outside("segment.json");
    std::fs::write(
        &file,
        r#"{"format":"segment-builder/segment","version":1,"id":"sneaked_in","name":"Sneaked in"}"#,
    )
    .unwrap();
    refused(app.invoke(
        "library_import",
        json!({ "path": file, "overwrite": false }),
    ));
    let e = app
        .invoke("library_get", json!({ "id": "sneaked_in" }))
        .unwrap_err();
    assert_eq!(e["kind"], "not_found", "{e}");
}

#[test]
fn a_picked_file_may_be_read_and_a_saved_one_written() {
    let app = App::new();
    let data = csv(app.outside("people.csv"));
    let into = app.outside("mine.sqlite");

    // A cancelled dialog grants nothing.
    app.fixture.queue_pick("");
    assert_eq!(app.pick_open(), json!([]));
    refused(app.invoke(
        "import_preview",
        json!({ "request": { "file": data, "into": into } }),
    ));

    app.pick(&data);
    assert_eq!(app.pick_open(), json!([data.display().to_string()]));
    let preview = app
        .invoke(
            "import_preview",
            json!({ "request": { "file": data, "into": into } }),
        )
        .unwrap();
    assert_eq!(preview["columns"][1]["name"], "country", "{preview}");
    // Chosen to read is not chosen to write.
    refused(app.invoke(
        "import_file",
        json!({ "request": { "file": data, "into": into }, "import_id": 2 }),
    ));
    assert!(!into.exists());

    app.pick(&into);
    let saved = app
        .invoke(
            "pick_save",
            json!({ "default_name": "mine.sqlite", "filters": [] }),
        )
        .unwrap();
    assert_eq!(saved, json!(into.display().to_string()));
    let report = app
        .invoke(
            "import_file",
            json!({ "request": { "file": data, "into": into }, "import_id": 3 }),
        )
        .unwrap();
    assert_eq!(report["rows"], 2, "{report}");
    // What was saved there may be opened.
    let info = app.invoke("open_data", json!({ "data": into })).unwrap();
    assert_eq!(info["path"], into.display().to_string());

    // Several files in one pick (the OS path-list separator between them).
    let (a, b) = (csv(app.outside("a.csv")), csv(app.outside("b.csv")));
    let both = std::env::join_paths([&a, &b]).unwrap();
    app.fixture.queue_pick(both.to_str().unwrap());
    assert_eq!(
        app.pick_open(),
        json!([a.display().to_string(), b.display().to_string()])
    );
    for file in [&a, &b] {
        app.invoke(
            "import_preview",
            json!({ "request": { "file": file, "into": into } }),
        )
        .unwrap();
    }

    // The export the user chose a place for.
    let draft = json!({ "id": "picked", "name": "Picked", "definition": all_of("profiles", [cond("country", "is", "FR")]), "entity": "profiles" });
    app.invoke("library_save", json!({ "draft": draft }))
        .unwrap();
    let target = app.outside("picked.json");
    app.pick(&target);
    app.invoke("pick_save", json!({ "default_name": "picked.json", "filters": [{ "name": "Segment definition", "extensions": ["json"] }] }))
        .unwrap();
    app.invoke("library_export", json!({ "id": "picked", "path": target }))
        .unwrap();
    assert!(std::fs::read_to_string(&target).unwrap().contains("\"FR\""));
}

#[test]
fn dropped_files_are_granted_before_the_page_hears_of_them() {
    let app = App::new();
    let data = csv(app.outside("dropped.csv"));
    let request = json!({ "request": { "file": data, "into": app.outside("x.sqlite") } });
    refused(app.invoke("import_preview", request.clone()));
    segment_builder_desktop::dialogs::on_drag_drop(
        app.window.app_handle(),
        &tauri::DragDropEvent::Drop {
            paths: vec![data.to_path_buf()],
            position: Default::default(),
        },
    );
    app.invoke("import_preview", request).unwrap();
}

#[test]
fn dot_dot_and_symbolic_links_do_not_leave_an_allowed_folder() {
    app_files();
    let allowed = tempfile::tempdir().unwrap();
    let secret_dir = tempfile::tempdir().unwrap();
    let secret = csv(secret_dir.path().join("secret.csv"));
    let inside = csv(allowed.path().join("inside.csv"));
    let state = AppState::with_grants(scripted(allowed.path(), vec![allowed.path().into()]));
    let w = common::window(state);
    let preview = |file: &Path| {
        invoke(
            &w,
            "import_preview",
            json!({ "request": { "file": file, "into": allowed.path().join("x.sqlite") } }),
        )
    };
    preview(&inside).unwrap();

    let secret_name = secret_dir.path().file_name().unwrap();
    let up = allowed
        .path()
        .join("..")
        .join(secret_name)
        .join("secret.csv");
    assert!(up.exists());
    refused(preview(&up));
    let through_missing = allowed
        .path()
        .join("missing")
        .join("..")
        .join("..")
        .join(secret_name)
        .join("secret.csv");
    refused(preview(&through_missing));
    assert_eq!(resolve(&through_missing), None);

    #[cfg(unix)]
    {
        let link = allowed.path().join("link.csv");
        std::os::unix::fs::symlink(&secret, &link).unwrap();
        refused(preview(&link));
        let dir_link = allowed.path().join("elsewhere");
        std::os::unix::fs::symlink(secret_dir.path(), &dir_link).unwrap();
        refused(preview(&dir_link.join("secret.csv")));
    }
    // A relative path means nothing to the app.
    refused(preview(Path::new("inside.csv")));
}

#[test]
fn a_data_source_the_sidecar_store_records_may_be_reopened() {
    let app = App::new();
    let other = app.outside("known.sqlite");
    segment_source::generate_demo(
        &other,
        segment_source::DemoOptions {
            profiles: 5,
            seed: 2,
        },
    )
    .unwrap();
    refused(app.invoke("open_data", json!({ "data": other })));
    // Used in an earlier session: it has a label in the store.
    segment_import::Store::new(app_files().join("sources.json"))
        .update(&other, |meta| {
            meta.labels
                .entry("profiles".into())
                .or_default()
                .insert("country".into(), "Country".into())
        })
        .unwrap();
    let info = app.invoke("open_data", json!({ "data": other })).unwrap();
    assert_eq!(info["path"], other.display().to_string());
}

#[test]
fn allowed_folders_come_from_the_environment() {
    let dirs = [PathBuf::from("/data/one"), PathBuf::from("/data/two")];
    std::env::set_var(
        "SEGMENT_BUILDER_ALLOW_DIRS",
        std::env::join_paths(&dirs).unwrap(),
    );
    std::env::set_var("SEGMENT_BUILDER_TEST_PICKS", "/data/picks.txt");
    let config = GrantsConfig::from_env();
    std::env::remove_var("SEGMENT_BUILDER_ALLOW_DIRS");
    std::env::remove_var("SEGMENT_BUILDER_TEST_PICKS");
    assert_eq!(config.allow_dirs, dirs);
    assert_eq!(config.test_picks, Some(PathBuf::from("/data/picks.txt")));
    assert!(!config.native_dialogs, "scripted answers show no dialog");
}

#[test]
fn scripted_picks_are_taken_in_order() {
    let app = App::new();
    let first = csv(app.outside("first.csv"));
    let second = csv(app.outside("second.csv")).to_path_buf();
    queue_pick(app.fixture.dir.path(), &first.display().to_string());
    queue_pick(app.fixture.dir.path(), &second.display().to_string());
    assert_eq!(app.pick_open(), json!([first.display().to_string()]));
    assert_eq!(app.pick_open(), json!([second.display().to_string()]));
    // None left: as if cancelled.
    assert_eq!(app.pick_open(), json!([]));
}

#[test]
fn the_apps_own_files_are_not_overwritten_by_an_export() {
    let app = App::new();
    let draft = json!({ "id": "over", "name": "Over", "definition": all_of("profiles", [cond("country", "is", "US")]), "entity": "profiles" });
    app.invoke("library_save", json!({ "draft": draft }))
        .unwrap();
    let data_dir = app.window.app_handle().path().app_data_dir().unwrap();
    for target in [
        data_dir.join("library.sqlite"),
        data_dir.join("imported").join("shop.sqlite"),
        app.fixture.path.clone(),
    ] {
        let before = std::fs::read(&target).ok();
        refused(app.invoke("library_export", json!({ "id": "over", "path": target })));
        assert_eq!(std::fs::read(&target).ok(), before, "{}", target.display());
    }
    // Importing into the app's folder of imported data sources is what it is for (checked, not
    // run here: the mock app's folder is the user's).
    let grants = &app.fixture.state.grants;
    let folders = segment_builder_desktop::grants::app_folders(
        app.window.app_handle(),
        segment_builder_desktop::grants::Access::Import,
    );
    assert!(grants.allows(
        &folders[0].join("new.sqlite"),
        segment_builder_desktop::grants::Access::Import,
        &folders
    ));
    assert!(!grants.allows(
        &folders[0].join("new.sqlite"),
        segment_builder_desktop::grants::Access::Write,
        &[]
    ));
}
