//! Crash safety and concurrent use, with real processes.
//!
//! The test binary runs itself as the writer (`worker`, which does nothing unless the
//! environment names a store): it saves revisions and adds members in a loop, printing each
//! acknowledged write. The crash test kills it with SIGKILL at random moments many times and
//! checks that every acknowledged revision is intact, the file passes `PRAGMA integrity_check`,
//! and no half-written save is visible. The concurrency test runs two writers at once on one
//! file and checks that nothing was lost.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use segment_store::*;

const STORE_ENV: &str = "SEGMENT_STORE_TEST_WORKER_STORE";
const NAME_ENV: &str = "SEGMENT_STORE_TEST_WORKER_NAME";
const LIMIT_ENV: &str = "SEGMENT_STORE_TEST_WORKER_LIMIT";
const BATCH: u64 = 500;

fn description(name: &str, i: u64) -> String {
    // Sizes vary so that saves span one page or several.
    format!("{name} save {i} {}", "x".repeat((i % 40) as usize * 250))
}

/// The writer process. Not a test on its own: it returns at once without the environment.
#[test]
fn worker() {
    let Ok(path) = std::env::var(STORE_ENV) else {
        return;
    };
    let name = std::env::var(NAME_ENV).unwrap();
    let limit: u64 = std::env::var(LIMIT_ENV)
        .ok()
        .and_then(|l| l.parse().ok())
        .unwrap_or(u64::MAX);
    // libtest has printed "test worker ... " without a line break: start on a line of our own.
    println!();
    let mut store = Store::open(&path).unwrap();
    let bulk = "bulk";
    for i in 1..=limit {
        let id = if i % 2 == 0 {
            "shared".to_string()
        } else {
            format!("{name}_{}", i % 3)
        };
        let d = SegmentDraft {
            description: Some(description(&name, i)),
            ..common::draft(&id, &format!("C{i}"))
        };
        let saved = store.save(&d).unwrap();
        println!(
            "saved {} {} {}",
            saved.id,
            saved.revision,
            description(&name, i).len()
        );
        if i % 4 == 0 {
            let members: Vec<String> = (0..BATCH).map(|k| format!("{name}-{i}-{k}")).collect();
            let out = store
                .add_members(bulk, &members, &AddOptions::default())
                .unwrap();
            println!("members {name}-{i} {}", out.added);
        }
    }
}

fn spawn_worker(path: &std::path::Path, name: &str, limit: Option<u64>) -> std::process::Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "worker", "--nocapture", "--test-threads=1"])
        .env(STORE_ENV, path)
        .env(NAME_ENV, name)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(limit) = limit {
        cmd.env(LIMIT_ENV, limit.to_string());
    }
    cmd.spawn().unwrap()
}

#[derive(Default)]
struct Acks {
    /// (segment, revision) → description length acknowledged.
    saves: BTreeMap<(String, i64), usize>,
    /// member batches acknowledged (name-i), with how many were added.
    batches: BTreeMap<String, u64>,
}

fn read_acks(stdout: impl std::io::Read, acks: &mut Acks, name: &str) {
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        let parts: Vec<&str> = line.split(' ').collect();
        match parts.as_slice() {
            ["saved", id, rev, len] => {
                let previous = acks
                    .saves
                    .insert((id.to_string(), rev.parse().unwrap()), len.parse().unwrap());
                assert!(
                    previous.is_none(),
                    "{name}: revision {id} {rev} acknowledged twice"
                );
            }
            ["members", batch, added] => {
                acks.batches
                    .insert(batch.to_string(), added.parse().unwrap());
            }
            _ => {}
        }
    }
}

/// Everything acknowledged is there and whole, and the file is consistent.
fn verify(path: &std::path::Path, acks: &Acks) {
    let mut store = Store::open(path).unwrap();
    store.check_integrity().unwrap();
    for ((id, revision), len) in &acks.saves {
        let r = store
            .revision(id, *revision)
            .unwrap_or_else(|e| panic!("acknowledged {id} r{revision} lost: {e}"));
        assert_eq!(
            r.description.len(),
            *len,
            "{id} r{revision} is not what was saved"
        );
        assert!(r.definition.is_some());
    }
    let conn = store.connection();
    // Each segment's row is its newest revision, and revisions are numbered without gaps.
    let mut stmt = conn
        .prepare(
            "SELECT s.id, s.revision, s.description, (SELECT max(revision) FROM revisions r WHERE r.segment_id = s.id), \
             (SELECT count(*) FROM revisions r WHERE r.segment_id = s.id), \
             (SELECT description FROM revisions r WHERE r.segment_id = s.id AND r.revision = s.revision) FROM segments s",
        )
        .unwrap();
    let rows: Vec<(String, i64, String, i64, i64, String)> = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (id, revision, description, max, count, newest) in rows {
        assert_eq!(revision, max, "{id}: the row is not its newest revision");
        assert_eq!(count, max + 1, "{id}: revisions have gaps");
        assert_eq!(
            description, newest,
            "{id}: the row differs from its revision"
        );
    }
    // Member batches are all or nothing, the log agrees with the memberships.
    let members: i64 = conn
        .query_row(
            "SELECT count(*) FROM memberships WHERE segment_id = 'bulk'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let logged: i64 = conn
        .query_row(
            "SELECT count(*) FROM membership_changes WHERE segment_id = 'bulk'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let last: Option<i64> = conn
        .query_row("SELECT individuals_count FROM membership_changes WHERE segment_id = 'bulk' ORDER BY seq DESC LIMIT 1", [], |r| r.get(0))
        .unwrap_or(None);
    assert_eq!(members % BATCH as i64, 0, "a member batch is half-written");
    assert_eq!(members, logged);
    assert_eq!(last.unwrap_or(0), members);
    let acked: u64 = acks.batches.values().sum();
    assert!(
        members as u64 >= acked,
        "acknowledged members lost: {members} < {acked}"
    );
    drop(stmt);
    assert_eq!(store.individual_count("bulk").unwrap(), members as u64);
}

fn new_store(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let path = dir.path().join("library.sqlite");
    let mut store = Store::open(&path).unwrap();
    store.save(&common::static_draft("bulk")).unwrap();
    path
}

#[test]
fn killed_writers_lose_no_acknowledged_revision() {
    if std::env::var(STORE_ENV).is_ok() {
        return;
    }
    let rounds: u32 = std::env::var("SEGMENT_STORE_CRASH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(40);
    let dir = tempfile::tempdir().unwrap();
    let path = new_store(&dir);
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut acks = Acks::default();
    let started = Instant::now();
    for round in 0..rounds {
        let mut child = spawn_worker(&path, &format!("w{round}"), None);
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut a = Acks::default();
            read_acks(stdout, &mut a, "worker");
            a
        });
        std::thread::sleep(Duration::from_millis(rng.random_range(30..400)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let got = reader.join().unwrap();
        acks.saves.extend(got.saves);
        acks.batches.extend(got.batches);
        verify(&path, &acks);
    }
    assert!(
        acks.saves.len() > rounds as usize,
        "the workers saved too little to test anything: {}",
        acks.saves.len()
    );
    eprintln!(
        "{rounds} kills, {} acknowledged saves, {} member batches, {:?}",
        acks.saves.len(),
        acks.batches.len(),
        started.elapsed()
    );
}

#[test]
fn two_processes_on_one_store_lose_nothing() {
    if std::env::var(STORE_ENV).is_ok() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = new_store(&dir);
    let limit = 120;
    let children: Vec<_> = ["app", "cli"]
        .iter()
        .map(|n| (n.to_string(), spawn_worker(&path, n, Some(limit))))
        .collect();
    let mut acks = Acks::default();
    for (name, mut child) in children {
        read_acks(child.stdout.take().unwrap(), &mut acks, &name);
        assert!(child.wait().unwrap().success(), "{name} failed");
    }
    assert_eq!(
        acks.saves.len() as u64,
        2 * limit,
        "every save is acknowledged once"
    );
    assert_eq!(acks.batches.len() as u64, 2 * limit / 4);
    verify(&path, &acks);
    let mut store = Store::open(&path).unwrap();
    // Both wrote to "shared": every one of their saves is a revision of it.
    assert_eq!(store.history("shared").unwrap().len() as u64, limit);
    assert_eq!(
        store.individual_count("bulk").unwrap(),
        2 * limit / 4 * BATCH
    );
}
