//! A user's own WAL-mode SQLite file in a read-only folder is never touched: opening it (with the
//! sidecar store) works and refusing an import into it says so, both leaving the folder byte for
//! byte as it was.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

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

/// Makes a folder read-only while it lives: mode 0555 and, since tests run as root, which
/// ignores permissions, the immutable attribute when `chattr` can set it (otherwise only
/// "nothing is created" is checked, not "nothing can be"). Undone on drop.
struct ReadOnlyDir {
    dir: PathBuf,
    immutable: bool,
}

impl ReadOnlyDir {
    fn new(dir: &Path) -> Self {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        let immutable = Command::new("chattr")
            .arg("+i")
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        if !immutable && std::fs::write(dir.join("probe"), b"x").is_ok() {
            let _ = std::fs::remove_file(dir.join("probe"));
            eprintln!("note: root without `chattr +i`: the folder stays writable");
        }
        ReadOnlyDir {
            dir: dir.to_path_buf(),
            immutable,
        }
    }
}

impl Drop for ReadOnlyDir {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        if self.immutable {
            let _ = Command::new("chattr").arg("-i").arg(&self.dir).status();
        }
        let _ = std::fs::set_permissions(&self.dir, std::fs::Permissions::from_mode(0o755));
    }
}

#[test]
fn a_users_wal_file_is_opened_and_refused_without_files_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("user");
    std::fs::create_dir(&folder).unwrap();
    let theirs = wal_file(&folder);
    let before = snapshot(&folder);
    assert_eq!(before.len(), 1);
    let _read_only = ReadOnlyDir::new(&folder);

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
