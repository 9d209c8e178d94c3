//! Opening a user's own SQLite file never creates anything beside it, even in WAL mode and in a
//! folder nobody can write.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use rusqlite::Connection;
use segment_source::{DataSource, Error};

/// Every file of a folder with its bytes.
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

fn wal_file(dir: &Path, rows: i64) -> PathBuf {
    let path = dir.join("mine.sqlite");
    let conn = Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    conn.execute_batch(
        "CREATE TABLE profiles (id INTEGER PRIMARY KEY, email TEXT);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100)
         INSERT INTO profiles (email) SELECT 'p' || i || '@x.test' FROM n;",
    )
    .unwrap();
    conn.execute("DELETE FROM profiles WHERE id > ?1", [rows])
        .unwrap();
    drop(conn);
    path
}

/// Makes a folder read-only for as long as it lives: mode 0555 and, since root ignores
/// permissions, the immutable attribute when `chattr` can set it. Undone on drop (also on a
/// failed assertion), so the temporary folder can be removed.
struct ReadOnlyDir {
    dir: PathBuf,
    immutable: bool,
    /// Whether files can still be created in it (root without `chattr`).
    writable: bool,
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
        let probe = dir.join("probe");
        let writable = std::fs::write(&probe, b"x").is_ok();
        let _ = std::fs::remove_file(&probe);
        if writable {
            eprintln!(
                "note: running as root without `chattr +i` support: the folder stays writable, \
                 so only \"nothing is created\" is checked, not the failure to create"
            );
        }
        ReadOnlyDir {
            dir: dir.to_path_buf(),
            immutable,
            writable,
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
fn a_wal_file_in_a_read_only_folder_opens_counts_and_is_left_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("theirs");
    std::fs::create_dir(&folder).unwrap();
    let path = wal_file(&folder, 60);
    let before = snapshot(&folder);
    assert_eq!(before.keys().collect::<Vec<_>>(), vec!["mine.sqlite"]);
    {
        let _read_only = ReadOnlyDir::new(&folder);
        let source = DataSource::open_read_only(&path).unwrap();
        assert_eq!(source.total("profiles").unwrap(), 60);
        assert_eq!(
            source
                .count_sql(
                    "SELECT count(*) FROM profiles WHERE email LIKE 'p1%'",
                    &[],
                    None
                )
                .unwrap(),
            11
        );
        assert_eq!(
            snapshot(&folder),
            before,
            "nothing created beside the file while it is open"
        );
        drop(source);
        assert_eq!(
            snapshot(&folder),
            before,
            "the folder is byte for byte as it was"
        );
    }
}

#[test]
fn a_wal_file_being_written_is_read_with_its_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = wal_file(dir.path(), 100);
    // A writer keeps the file open with commits still in the log (no checkpoint).
    let writer = Connection::open(&path).unwrap();
    writer
        .execute_batch("PRAGMA wal_autocheckpoint = 0; DELETE FROM profiles WHERE id > 40;")
        .unwrap();
    let source = DataSource::open_read_only(&path).unwrap();
    assert_eq!(
        source.total("profiles").unwrap(),
        40,
        "the log's commits are seen"
    );
    drop(source);
    drop(writer);
}

#[test]
fn awkward_file_names_open() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("a ?#%b");
    std::fs::create_dir(&folder).unwrap();
    let path = wal_file(&folder, 7);
    let renamed = folder.join("x?y#z%20.sqlite");
    std::fs::rename(&path, &renamed).unwrap();
    let source = DataSource::open_read_only(&renamed).unwrap();
    assert_eq!(source.total("profiles").unwrap(), 7);
    let relative = DataSource::open_read_only(
        renamed
            .strip_prefix(std::env::current_dir().unwrap())
            .unwrap_or(&renamed),
    )
    .unwrap();
    assert_eq!(relative.total("profiles").unwrap(), 7);
}

#[test]
fn a_left_over_log_in_a_read_only_folder_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = wal_file(dir.path(), 100);
    // Commits still in the log, copied without the `-shm` as a backup or a download would.
    let writer = Connection::open(&path).unwrap();
    writer
        .execute_batch("PRAGMA wal_autocheckpoint = 0; DELETE FROM profiles WHERE id > 30;")
        .unwrap();
    let folder = dir.path().join("copy");
    std::fs::create_dir(&folder).unwrap();
    let copied = folder.join("mine.sqlite");
    std::fs::copy(&path, &copied).unwrap();
    std::fs::copy(
        dir.path().join("mine.sqlite-wal"),
        folder.join("mine.sqlite-wal"),
    )
    .unwrap();
    drop(writer);
    let before = snapshot(&folder);
    let read_only = ReadOnlyDir::new(&folder);
    let opened = DataSource::open_read_only(&copied);
    if read_only.writable {
        eprintln!("note: the folder stays writable (root without chattr): the log is read");
        assert_eq!(opened.unwrap().total("profiles").unwrap(), 30);
        return;
    }
    let err = opened.unwrap_err();
    assert!(matches!(err, Error::PendingLog { .. }), "{err:?}");
    assert!(err.to_string().contains("write-ahead log"), "{err}");
    assert_eq!(snapshot(&folder), before);
}
