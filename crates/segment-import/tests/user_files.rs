//! A user's own WAL-mode SQLite file is never touched: opening it (with the sidecar store) and
//! refusing an import into it both leave its folder byte for byte as it was.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rusqlite::Connection;
use segment_import::{import, CancelToken, Error, ImportRequest, Store};

fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn wal_file(dir: &Path) -> PathBuf {
    let path = dir.join("theirs.sqlite");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         CREATE TABLE profiles (id INTEGER PRIMARY KEY, email TEXT);
         INSERT INTO profiles (email) VALUES ('a@x.test'), ('b@x.test'), ('c@x.test');",
    )
    .unwrap();
    drop(conn);
    path
}

#[test]
fn a_users_wal_file_is_opened_and_refused_without_files_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("user");
    std::fs::create_dir(&folder).unwrap();
    let theirs = wal_file(&folder);
    let before = snapshot(&folder);
    assert_eq!(before.len(), 1);

    let store = Store::new(dir.path().join("app").join("sources.json"));
    let opened = segment_import::open(&theirs, Some(&store)).unwrap();
    assert_eq!(opened.source.total("profiles").unwrap(), 3);
    drop(opened);
    assert_eq!(snapshot(&folder), before, "opening created nothing");

    let csv = dir.path().join("a.csv");
    std::fs::write(&csv, b"x\n1\n").unwrap();
    let refused = import(
        &ImportRequest::new(&csv, &theirs),
        &mut |_| {},
        &CancelToken::new(),
    );
    assert!(matches!(refused, Err(Error::NotOwned(_))), "{refused:?}");
    assert_eq!(snapshot(&folder), before, "refusing created nothing");
}
