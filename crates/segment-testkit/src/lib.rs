//! Test helpers shared by the tests of the `segment-builder` CLI and of the desktop app (a
//! dev-dependency only):
//!
//! - [`Cli`]: runs a binary (callers pass `env!("CARGO_BIN_EXE_segment-builder")`) with its
//!   environment, and reads its output ([`json`], [`stderr`], [`stdout_text`]);
//! - [`demo`]: one demo data file per binary, profiles and seed, generated once per process;
//! - [`Workdir`]: a temporary directory to write input files into;
//! - [`segments`]: canonical segment JSON ([`cond`], [`and`], [`or`], [`related`], …);
//! - [`values`]: reading JSON results ([`find`], [`fields`], [`strs`]);
//! - [`corpus`]: corpora of canonical segment files kept as data (`tests/corpus/`).

pub mod corpus;
pub mod segments;
pub mod values;

pub use segments::*;
pub use values::*;

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

/// A binary to run, with environment variables set on every run.
#[derive(Clone, Debug)]
pub struct Cli {
    bin: PathBuf,
    envs: Vec<(OsString, OsString)>,
}

impl Cli {
    /// The binary keeps no engine snapshot unless a test names a folder for them (`env`).
    pub fn new(bin: impl Into<PathBuf>) -> Cli {
        Cli {
            bin: bin.into(),
            envs: vec![("SEGMENT_BUILDER_SNAPSHOTS".into(), "off".into())],
        }
    }

    /// The same binary with `key=value` in its environment (e.g. `SEGMENT_BUILDER_STORE` in a
    /// temporary directory).
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Cli {
        self.envs.push((key.into(), value.into()));
        self
    }

    pub fn command(&self) -> Command {
        let mut command = Command::new(&self.bin);
        command.envs(self.envs.iter().map(|(k, v)| (k, v)));
        command
    }

    /// Runs with `args`, whatever the outcome.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("the binary runs")
    }

    /// Runs with `args`, which must succeed; its stdout as JSON.
    pub fn ok(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        assert!(out.status.success(), "{args:?} failed: {}", stderr(&out));
        json(&out)
    }

    /// Runs with `args`, which must fail; its stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            !out.status.success(),
            "{args:?} should fail: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        stderr(&out)
    }

    /// Runs with `args`: (stdout as JSON or null, stderr, success).
    pub fn outcome(&self, args: &[&str]) -> (Value, String, bool) {
        let out = self.run(args);
        (
            serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
            stderr(&out),
            out.status.success(),
        )
    }
}

/// The stdout of `out` as JSON (panics with both streams when it is not).
pub fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            stderr(out)
        )
    })
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The stdout of a run that must have succeeded, as text.
pub fn stdout_text(out: &Output) -> String {
    assert!(out.status.success(), "failed: {}", stderr(out));
    String::from_utf8(out.stdout.clone()).expect("utf-8")
}

/// A demo data file and what `demo` printed about it.
#[derive(Debug)]
pub struct Demo {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
    pub summary: Value,
}

impl Demo {
    pub fn path_str(&self) -> &str {
        self.path.to_str().unwrap()
    }
}

/// The demo data file `cli demo --profiles <profiles> [--seed <seed>]` writes, generated once per
/// process for each binary, size and seed (generating it is the slow part).
pub fn demo(cli: &Cli, profiles: u64, seed: Option<u64>) -> &'static Demo {
    type Key = (PathBuf, u64, Option<u64>);
    static DEMOS: OnceLock<Mutex<HashMap<Key, &'static Demo>>> = OnceLock::new();
    let mut demos = DEMOS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    demos
        .entry((cli.bin.clone(), profiles, seed))
        .or_insert_with(|| {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("demo.sqlite");
            let profiles = profiles.to_string();
            let seed = seed.map(|s| s.to_string());
            let mut args = vec![
                "demo",
                "--out",
                path.to_str().unwrap(),
                "--profiles",
                &profiles,
            ];
            if let Some(seed) = &seed {
                args.extend(["--seed", seed]);
            }
            let out = cli.run(&args);
            assert!(out.status.success(), "{}", stderr(&out));
            let summary = json(&out);
            Box::leak(Box::new(Demo {
                _dir: dir,
                path,
                summary,
            }))
        })
}

/// A temporary directory for a test's input and output files.
#[derive(Debug)]
pub struct Workdir {
    pub dir: tempfile::TempDir,
}

impl Default for Workdir {
    fn default() -> Self {
        Workdir::new()
    }
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `text` to `name`; its path as a string (an argument).
    pub fn file(&self, name: &str, text: impl AsRef<[u8]>) -> String {
        write(self.dir.path(), name, text)
    }

    /// Writes `value` as JSON to `name`; its path as a string.
    pub fn json(&self, name: &str, value: &Value) -> String {
        self.file(name, value.to_string())
    }
}

/// Writes `text` to `dir/name`; its path as a string (an argument).
pub fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// A path as an argument.
pub fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}
