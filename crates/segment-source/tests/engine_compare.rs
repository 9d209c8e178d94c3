//! Two attributes of one record compared: the count engine agrees with the SQL run on SQLite
//! on random trees of comparisons (text with NUL and case variants, integers beyond 2^53
//! against reals, times stored as Unix seconds, ISO dates and ISO date-times, NULL on either
//! side, same-day and same-second ties), negated and inside a relationship's filter.

use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use segment_model::{validate, Segment};
use segment_source::DataSource;
use serde_json::{json, Value};

const TEXTS: &[&str] = &["ann", "Ann", "", "a\0b", "a", "Zoë", "bob"];
const INTEGERS: &[i64] = &[0, 1, 3, -2, 9_007_199_254_740_993, i64::MAX];
const REALS: &[f64] = &[0.0, 1.0, 2.5, -2.0, 9_007_199_254_740_992.0, 3.0];
/// Around 2024-06-15: the same second, the same day, the day before and after.
const SECONDS: &[i64] = &[
    1_718_409_600, // 2024-06-15T00:00:00Z
    1_718_409_599,
    1_718_452_800, // 12:00
    1_718_495_999, // 23:59:59
    1_718_496_000, // next day
    -1,
];
const DATES: &[&str] = &["2024-06-15", "2024-06-14", "2024-06-16", "1969-12-31"];
const INSTANTS: &[&str] = &[
    "2024-06-15T00:00:00Z",
    "2024-06-15T12:00:00Z",
    "2024-06-14T23:59:59Z",
    "2024-06-16T00:00:00Z",
    "1969-12-31T23:59:59Z",
];

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-06-15T12:00:00Z")
        .unwrap()
        .to_utc()
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn maybe<T>(rng: &mut ChaCha8Rng, value: impl FnOnce(&mut ChaCha8Rng) -> T) -> Option<T> {
    if rng.random_bool(0.2) {
        None
    } else {
        Some(value(rng))
    }
}

fn create_dataset() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("segment-engine-compare-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("data.sqlite");
    let _ = std::fs::remove_file(&path);
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE people (id INTEGER PRIMARY KEY, home TEXT, work TEXT, n INTEGER, m INTEGER,
            r REAL, joined DATETIME, left_at DATETIME, birthday DATE, other_day DATE, seen TIMESTAMP);
         CREATE TABLE acts (id INTEGER PRIMARY KEY, person_id INTEGER REFERENCES people(id),
            kind TEXT, at DATETIME, due DATETIME, x INTEGER, y REAL);",
    )
    .unwrap();
    let tx = conn.transaction().unwrap();
    for id in 1..=300i64 {
        let text = |rng: &mut ChaCha8Rng| maybe(rng, |r| pick(r, TEXTS).to_string());
        let int = |rng: &mut ChaCha8Rng| maybe(rng, |r| *pick(r, INTEGERS));
        let second = |rng: &mut ChaCha8Rng| maybe(rng, |r| *pick(r, SECONDS));
        let date = |rng: &mut ChaCha8Rng| maybe(rng, |r| pick(r, DATES).to_string());
        tx.execute(
            "INSERT INTO people VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            rusqlite::params![
                id,
                text(&mut rng),
                text(&mut rng),
                int(&mut rng),
                int(&mut rng),
                maybe(&mut rng, |r| *pick(r, REALS)),
                second(&mut rng),
                second(&mut rng),
                date(&mut rng),
                date(&mut rng),
                maybe(&mut rng, |r| pick(r, INSTANTS).to_string()),
            ],
        )
        .unwrap();
    }
    for id in 1..=600i64 {
        tx.execute(
            "INSERT INTO acts VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            rusqlite::params![
                id,
                rng.random_range(1..=300i64),
                maybe(&mut rng, |r| pick(r, TEXTS).to_string()),
                maybe(&mut rng, |r| *pick(r, SECONDS)),
                maybe(&mut rng, |r| *pick(r, SECONDS)),
                maybe(&mut rng, |r| *pick(r, INTEGERS)),
                maybe(&mut rng, |r| *pick(r, REALS)),
            ],
        )
        .unwrap();
    }
    tx.commit().unwrap();
    path
}

struct Loaded {
    source: DataSource,
    data: segment_engine::Dataset,
}

fn loaded() -> &'static std::sync::Mutex<Loaded> {
    static DATA: OnceLock<std::sync::Mutex<Loaded>> = OnceLock::new();
    DATA.get_or_init(|| {
        let source = DataSource::open_read_only(create_dataset()).unwrap();
        let data = segment_source::engine::load_dataset(&source).unwrap();
        std::sync::Mutex::new(Loaded { source, data })
    })
}

/// A comparison of two attributes of `entity`, with an operator of their type.
fn comparison(rng: &mut ChaCha8Rng, entity: &str) -> Value {
    let pairs: &[(&str, &str, &str)] = if entity == "people" {
        &[
            ("home", "work", "text"),
            ("home", "home", "text"),
            ("n", "m", "number"),
            ("n", "r", "number"),
            ("r", "n", "number"),
            ("joined", "left_at", "datetime"),
            ("joined", "birthday", "datetime"),
            ("birthday", "other_day", "datetime"),
            ("seen", "joined", "datetime"),
            ("seen", "birthday", "datetime"),
        ]
    } else {
        &[
            ("at", "due", "datetime"),
            ("x", "y", "number"),
            ("kind", "kind", "text"),
        ]
    };
    let (left, right, ty) = *pick(rng, pairs);
    let operators: &[&str] = match ty {
        "text" => &["is", "is_not"],
        "number" => &[
            "equals",
            "not_equals",
            "less_than",
            "less_than_or_equal",
            "greater_than",
            "greater_than_or_equal",
        ],
        _ => &[
            "on",
            "not_on",
            "before",
            "after",
            "on_or_before",
            "on_or_after",
        ],
    };
    let mut value = json!({"attribute": right});
    if ty == "datetime" && rng.random_bool(0.5) {
        value["date_only"] = json!(true);
    }
    json!({"type": "condition", "attribute": left, "operator": pick(rng, operators), "value": value})
}

fn node(rng: &mut ChaCha8Rng, entity: &str, depth: usize) -> Value {
    match rng.random_range(0..10) {
        0..=2 if depth < 3 => {
            let children: Vec<Value> = (0..rng.random_range(1..4))
                .map(|_| node(rng, entity, depth + 1))
                .collect();
            json!({"type": "group", "combinator": pick(rng, &["and", "or"]),
                "negated": rng.random_bool(0.4), "children": children})
        }
        3 if entity == "people" && depth < 3 => {
            let children: Vec<Value> = (0..rng.random_range(1..3))
                .map(|_| node(rng, "acts", depth + 1))
                .collect();
            json!({"type": "relationship", "relationship": "acts",
                "filter": {"combinator": "and", "negated": rng.random_bool(0.3), "children": children}})
        }
        4 if entity == "people" => {
            json!({"type": "condition", "attribute": "n", "operator": "greater_than", "value": 0})
        }
        _ => comparison(rng, entity),
    }
}

fn random_segment(seed: u64) -> Segment {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let children: Vec<Value> = (0..rng.random_range(1..4))
        .map(|_| node(&mut rng, "people", 0))
        .collect();
    let root = json!({"combinator": pick(&mut rng, &["and", "or"]),
        "negated": rng.random_bool(0.3), "children": children});
    serde_json::from_value(json!({"version": 1, "entity": "people", "root": root})).unwrap()
}

fn check_seed(seed: u64) -> Result<(), String> {
    let loaded = loaded().lock().unwrap();
    let segment = random_segment(seed);
    let query = validate::check(&segment, loaded.source.schema(), None, now())
        .map_err(|p| format!("invalid tree for seed {seed}: {p:?}"))?;
    let sql = loaded
        .source
        .count(&query)
        .map_err(|e| format!("SQL: {e}"))?;
    let engine = segment_engine::count(&loaded.data, &query).map_err(|e| format!("engine: {e}"))?;
    if (engine.count, engine.total) == (sql.count, sql.total) {
        return Ok(());
    }
    Err(format!(
        "engine {engine:?} != SQL {sql:?} for seed {seed}\n{}\nSQL:\n{}",
        segment_model::canonical::to_string_pretty(&segment),
        DataSource::display_sql(&query).unwrap_or_default()
    ))
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("SEGMENT_EQUIVALENCE_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(300),
        ..ProptestConfig::default()
    })]

    #[test]
    fn engine_equals_sql_on_attribute_comparisons(seed in any::<u64>()) {
        check_seed(seed).map_err(TestCaseError::fail)?;
    }
}

/// Each comparison alone selects some records and leaves some out, so the property tests
/// something on this data.
#[test]
fn comparisons_split_the_data() {
    let loaded = loaded().lock().unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut splitting = 0;
    for _ in 0..60 {
        let condition = comparison(&mut rng, "people");
        let segment: Segment = serde_json::from_value(json!({"version": 1, "entity": "people",
            "root": {"combinator": "and", "children": [condition]}}))
        .unwrap();
        let query = validate::check(&segment, loaded.source.schema(), None, now()).unwrap();
        let count = segment_engine::count(&loaded.data, &query).unwrap();
        if count.count > 0 && count.count < count.total {
            splitting += 1;
        }
    }
    assert!(
        splitting > 50,
        "only {splitting} of 60 comparisons split the data"
    );
}
