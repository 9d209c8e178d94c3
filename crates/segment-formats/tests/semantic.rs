//! Translations keep the meaning, checked by counting rather than against themselves: on
//! random data, a random tree `t`, `normalize(t)` and, for every format that writes and reads,
//! `parse(render(t))` select the same number of profiles (the count engine, or SQLite for what
//! the engine cannot judge). Trees are drawn from everything the model has (every operator,
//! empty and negated groups, several relationships, a relationship inside another), not from
//! what a format can say; how many each renderer accepted is printed, and must stay above the
//! floor `tests/coverage.json` records for it. Every refusal must be located (a JSON Pointer to
//! a node of the tree) and documented: its construct is one the format's documentation lists
//! as not expressible (the same file, `cannot_express`).
//!
//! `SEGMENT_SEMANTIC_CASES` sets the number of random trees (default 400).

mod common;
mod generate;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use segment_formats::{normalize, parse_as, render_as, Error, Format};
use segment_model::{validate, Segment};
use segment_source::DataSource;
use serde_json::Value;

/// The formats that write and read, in the order reported.
const ROUND_TRIP: [Format; 6] = [
    Format::Canonical,
    Format::Census,
    Format::PqlText,
    Format::PqlJson,
    Format::Odata,
    Format::Odp,
];

/// A small deterministic generator of data (the data need not be random, only varied).
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// A value, or NULL one time in six.
    fn maybe<T>(&mut self, value: impl FnOnce(&mut Mix) -> T) -> Option<T> {
        if self.below(6) == 0 {
            None
        } else {
            Some(value(self))
        }
    }

    /// An instant near the tests' "now": mostly within weeks, some years away.
    fn instant(&mut self) -> i64 {
        let now = common::now().timestamp();
        match self.below(3) {
            0 => now - self.below(86_400 * 40) as i64,
            1 => now - self.below(86_400 * 800) as i64 + 86_400 * 60,
            _ => self.below(1_900_000_000) as i64,
        }
    }
}

const TAGS: &[&str] = &[
    r#"["vip","new"]"#,
    r#"["vip"]"#,
    "[]",
    r#"["US",7]"#,
    r#"["paid","Purchase"]"#,
    r#"[1,2,3]"#,
];

const DDL: &str = r#"
CREATE TABLE profiles (id INTEGER PRIMARY KEY, email TEXT, country TEXT, age INTEGER,
    is_subscribed BOOLEAN, signed_up_at INTEGER, birth_date TEXT, tags TEXT,
    "workAddress.country" TEXT, "workAddress.stateProvince" TEXT, "homeAddress.stateProvince" TEXT,
    "demographics.age.value" TEXT, "observations.total_revenue_percentile" REAL);
CREATE TABLE events (id INTEGER PRIMARY KEY, user_id INTEGER, name TEXT, event_name TEXT,
    ts INTEGER, amount REAL, active_event BOOLEAN);
CREATE TABLE payments (id INTEGER PRIMARY KEY, user_id INTEGER, status TEXT, total REAL,
    placed_at INTEGER);
"#;

/// Writes the data: 120 profiles, 600 events and 300 payments over the common test schema, with
/// NULLs, case variants, the generator's text values and dates around "now".
fn create_data(path: &Path) {
    let mut rng = Mix(0x5eed_1234_abcd_0042);
    let mut conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(DDL).unwrap();
    let tx = conn.transaction().unwrap();
    let text = |rng: &mut Mix| rng.maybe(rng_text);
    for id in 1..=120i64 {
        let tags = rng.maybe(|r| r.pick(TAGS).to_string());
        let birth = rng.maybe(|r| {
            format!(
                "{:04}-{:02}-{:02}",
                1970 + r.below(60),
                1 + r.below(12),
                1 + r.below(28)
            )
        });
        tx.execute(
            "INSERT INTO profiles VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            rusqlite::params![
                id,
                text(&mut rng),
                text(&mut rng),
                rng.maybe(|r| r.below(100) as i64 - 5),
                rng.maybe(|r| r.below(2) as i64),
                rng.maybe(Mix::instant),
                birth,
                tags,
                text(&mut rng),
                text(&mut rng),
                text(&mut rng),
                rng.maybe(|r| format!("{}", r.below(60))),
                rng.maybe(|r| r.below(1000) as f64 / 10.0),
            ],
        )
        .unwrap();
    }
    for id in 1..=600i64 {
        tx.execute(
            "INSERT INTO events VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            rusqlite::params![
                id,
                rng.maybe(|r| 1 + r.below(125) as i64),
                text(&mut rng),
                text(&mut rng),
                rng.maybe(Mix::instant),
                rng.maybe(|r| (r.below(4000) as f64 - 1000.0) / 4.0),
                rng.maybe(|r| r.below(2) as i64),
            ],
        )
        .unwrap();
    }
    for id in 1..=300i64 {
        tx.execute(
            "INSERT INTO payments VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![
                id,
                rng.maybe(|r| 1 + r.below(125) as i64),
                text(&mut rng),
                rng.maybe(|r| r.below(2000) as f64 / 2.0),
                rng.maybe(Mix::instant),
            ],
        )
        .unwrap();
    }
    tx.commit().unwrap();
}

fn rng_text(rng: &mut Mix) -> String {
    if rng.below(4) == 0 {
        format!("x{}", rng.below(50))
    } else {
        rng.pick(generate::TEXT_VALUES).to_string()
    }
}

struct Data {
    _dir: tempfile::TempDir,
    source: DataSource,
    engine: segment_engine::Dataset,
}

fn data() -> Data {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("semantic.sqlite");
    create_data(&path);
    let source = DataSource::open_read_only(&path).unwrap();
    let engine = segment_source::engine::load_dataset_with(&source, &common::schema()).unwrap();
    Data {
        _dir: dir,
        source,
        engine,
    }
}

impl Data {
    /// The number of profiles `segment` selects; `None` when the model does not validate it.
    fn count(&self, segment: &Segment) -> Result<Option<u64>, String> {
        let Ok(query) = validate::check(segment, &common::schema(), None, common::now()) else {
            return Ok(None);
        };
        match segment_engine::count(&self.engine, &query) {
            Ok(counts) => Ok(Some(counts.count)),
            // What the engine cannot judge is counted in SQL, as the service does.
            Err(_) => self
                .source
                .count(&query)
                .map(|c| Some(c.count))
                .map_err(|e| format!("SQL: {e}")),
        }
    }
}

/// What `tests/coverage.json` says of one format.
struct Coverage {
    min_accepted_percent: f64,
    cannot_express: Vec<String>,
}

fn coverage() -> BTreeMap<String, Coverage> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/coverage.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    file["formats"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, entry)| {
            let cannot_express = entry["cannot_express"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_string())
                .collect();
            let min = entry["min_accepted_percent"].as_f64().unwrap();
            (
                name.clone(),
                Coverage {
                    min_accepted_percent: min,
                    cannot_express,
                },
            )
        })
        .collect()
}

#[derive(Default)]
struct Tally {
    accepted: u64,
    compared: u64,
    refused: BTreeMap<String, u64>,
}

/// One tree through one format; `Err` describes a broken promise.
fn check_format(
    data: &Data,
    format: Format,
    tree: &Segment,
    count: Option<u64>,
    coverage: &Coverage,
    tally: &mut Tally,
) -> Result<(), String> {
    let schema = common::schema();
    let shown = || segment_model::canonical::to_string_pretty(tree);
    match render_as(format, tree, &schema, None) {
        Ok(text) => {
            tally.accepted += 1;
            let back = parse_as(format, &text, &schema, None)
                .map_err(|e| format!("{format}: does not read back: {e}\n{text}\n{}", shown()))?;
            let Some(expected) = count else {
                return Ok(());
            };
            let got = data
                .count(&back)?
                .ok_or_else(|| format!("{format}: read back invalid\n{text}\n{}", shown()))?;
            tally.compared += 1;
            if got != expected {
                return Err(format!(
                    "{format}: the tree selects {expected}, read back {got}\n{text}\n{}\nread back:\n{}",
                    shown(),
                    segment_model::canonical::to_string_pretty(&back)
                ));
            }
            Ok(())
        }
        Err(refusal) => refused(format, tree, count, refusal, coverage, tally),
    }
}

/// What the renderer said when it refused `tree`, as (construct, path).
fn refusal_of(error: &Error) -> Option<(String, String)> {
    match error {
        Error::Unsupported {
            construct, path, ..
        } => Some((construct.clone(), path.clone())),
        // The Census writer is the model's: "Census molecules cannot express …" at a pointer.
        Error::Model(segment_model::Error::Format(problem)) => problem
            .message
            .split_once("cannot express ")
            .map(|(_, construct)| (construct.to_string(), problem.path.clone())),
        _ => None,
    }
}

/// A refusal must be located at a node of `tree` and documented (or, for a tree the model does
/// not validate, be that tree's problem, at its node).
fn refused(
    format: Format,
    tree: &Segment,
    count: Option<u64>,
    error: Error,
    coverage: &Coverage,
    tally: &mut Tally,
) -> Result<(), String> {
    let shown = || segment_model::canonical::to_string_pretty(tree);
    match (refusal_of(&error), error) {
        (Some((construct, path)), _) => {
            if !common::points_into(tree, &path) {
                return Err(format!(
                    "{format}: a refusal of {construct} not at a node\nat {path} of\n{}",
                    shown()
                ));
            }
            let lower = construct.to_lowercase();
            let documented = coverage
                .cannot_express
                .iter()
                .find(|c| lower.starts_with(&c.to_lowercase()))
                .ok_or_else(|| {
                    format!(
                        "{format}: refuses “{construct}”, which its documentation does not list as not expressible\nat {path} of\n{}",
                        shown()
                    )
                })?;
            *tally.refused.entry(documented.clone()).or_default() += 1;
            Ok(())
        }
        (None, Error::Invalid { path, .. })
            if count.is_none() && common::points_into(tree, &path) =>
        {
            *tally.refused.entry("(invalid tree)".into()).or_default() += 1;
            Ok(())
        }
        (None, e) => Err(format!("{format}: {e}\n{}", shown())),
    }
}

#[test]
fn every_translation_selects_the_same_profiles() {
    let cases: u64 = std::env::var("SEGMENT_SEMANTIC_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(400);
    let data = data();
    let coverage = coverage();
    let schema = common::schema();
    let strategy = generate::any_segment();
    let mut runner = TestRunner::deterministic();
    let mut tallies: Vec<(Format, Tally)> =
        ROUND_TRIP.iter().map(|f| (*f, Tally::default())).collect();
    let (mut valid, mut normalized, mut english) = (0u64, 0u64, 0u64);
    let mut failures = Vec::new();
    let mut selected = 0u64;
    for _ in 0..cases {
        let tree = strategy.new_tree(&mut runner).unwrap().current();
        let count = match data.count(&tree) {
            Ok(count) => count,
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        if let Some(n) = count {
            valid += 1;
            selected += u64::from(n > 0);
            match data.count(&normalize(&tree, &schema, None)) {
                Ok(Some(m)) if m == n => normalized += 1,
                other => failures.push(format!(
                    "normalize: the tree selects {n}, its normal form {other:?}\n{}",
                    segment_model::canonical::to_string_pretty(&tree)
                )),
            }
        }
        match render_as(Format::English, &tree, &schema, None) {
            Ok(_) => english += 1,
            Err(e) if count.is_some() => failures.push(format!("English: {e}")),
            Err(_) => {}
        }
        for (format, tally) in &mut tallies {
            let entry = coverage
                .get(format.name())
                .unwrap_or_else(|| panic!("tests/coverage.json has no {}", format.name()));
            if let Err(e) = check_format(&data, *format, &tree, count, entry, tally) {
                failures.push(e);
            }
        }
    }
    println!("{cases} random trees, {valid} valid ({selected} selecting someone); normal form counted equal on {normalized}; English rendered {english}");
    for (format, tally) in &tallies {
        println!(
            "{:<14} accepted {:>4} of {cases} ({:>5.1}%), counts compared {:>4}; refused: {:?}",
            format.name(),
            tally.accepted,
            100.0 * tally.accepted as f64 / cases as f64,
            tally.compared,
            tally.refused
        );
    }
    let kinds: std::collections::BTreeSet<&str> =
        failures.iter().filter_map(|f| f.lines().next()).collect();
    assert!(
        failures.is_empty(),
        "{} failures of {} kinds:\n{}\n\nthe first ones:\n{}",
        failures.len(),
        kinds.len(),
        kinds.into_iter().collect::<Vec<_>>().join("\n"),
        failures[..failures.len().min(3)].join("\n\n")
    );
    assert!(valid * 2 > cases, "only {valid} of {cases} trees are valid");
    assert!(
        selected * 3 > valid,
        "the data selects too rarely: {selected} of {valid}"
    );
    for (format, tally) in &tallies {
        let floor = coverage[format.name()].min_accepted_percent;
        let accepted = 100.0 * tally.accepted as f64 / cases as f64;
        assert!(
            accepted >= floor,
            "{format} accepted {accepted:.1}% of the trees, below its floor of {floor}%: a renderer refuses what it used to write"
        );
    }
}
