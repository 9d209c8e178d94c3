//! The sidecar store under concurrent use by real processes.
//!
//! The test binary runs itself as the writer (`worker`, which does nothing unless the
//! environment names a store): it adds links for data sources of its own and for one shared data
//! source, one `Store` call each, as separate `relate` commands would. Several writers run at
//! once; every acknowledged update must be in the store at the end.

use std::path::Path;
use std::process::{Command, Stdio};

use segment_import::{Link, Store};

const STORE_ENV: &str = "SEGMENT_IMPORT_TEST_STORE";
const NAME_ENV: &str = "SEGMENT_IMPORT_TEST_WORKER";
const DATA_ENV: &str = "SEGMENT_IMPORT_TEST_DATA";
const WORKERS: usize = 4;
const UPDATES: usize = 25;

fn link(name: &str, i: usize) -> Link {
    Link {
        child: format!("{name}_events_{i}"),
        child_column: "profile_id".into(),
        parent: "profiles".into(),
        parent_column: "id".into(),
    }
}

fn own_source(data: &Path, name: &str, i: usize) -> std::path::PathBuf {
    data.join(format!("{name}-{i}.sqlite"))
}

/// The writer process. Not a test on its own: it returns at once without the environment.
#[test]
fn worker() {
    let (Ok(store), Ok(name), Ok(data)) = (
        std::env::var(STORE_ENV),
        std::env::var(NAME_ENV),
        std::env::var(DATA_ENV),
    ) else {
        return;
    };
    let store = Store::new(store);
    let data = Path::new(&data);
    for i in 0..UPDATES {
        store
            .add_link(
                &own_source(data, &name, i),
                link(&name, i),
                Some(format!("ts{i}")),
            )
            .unwrap();
        store
            .add_link(&data.join("shared.sqlite"), link(&name, i), None)
            .unwrap();
    }
}

#[test]
fn concurrent_processes_lose_no_update() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let store_path = dir.path().join("app").join("sources.json");
    let names: Vec<String> = (0..WORKERS).map(|w| format!("w{w}")).collect();
    let children: Vec<_> = names
        .iter()
        .map(|name| {
            Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "worker", "--test-threads=1"])
                .env(STORE_ENV, &store_path)
                .env(NAME_ENV, name)
                .env(DATA_ENV, &data)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "a worker failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    let store = Store::new(&store_path);
    for name in &names {
        for i in 0..UPDATES {
            let meta = store.get(&own_source(&data, name, i)).unwrap();
            assert_eq!(meta.relationships, vec![link(name, i)], "{name} {i}");
            assert_eq!(
                meta.time_columns.get(&link(name, i).child),
                Some(&format!("ts{i}"))
            );
        }
    }
    let shared = store.get(&data.join("shared.sqlite")).unwrap();
    assert_eq!(shared.relationships.len(), WORKERS * UPDATES);
    // No temporary file is left behind; only the store and its lock.
    let mut left: Vec<String> = std::fs::read_dir(store_path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, vec!["sources.json", "sources.json.lock"]);
}
