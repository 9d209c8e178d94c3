//! Sums and averages compared with a threshold count the same on every backend: the engine,
//! SQLite, PostgreSQL (`SEGMENT_PG_URL`, set by `scripts/with-postgres.sh`), DuckDB
//! (`SEGMENT_SQL_DUCKDB=1`, Python's `duckdb`) and Spark (`SEGMENT_SPARK_URL`, set by
//! `scripts/with-spark.sh`, fewer comparisons), and as the exact decimal arithmetic a marketer
//! means (`segment_model::decimal`: every value read to millionths, summed exactly).
//!
//! Random data built so that sums (and averages) land exactly on each threshold, one
//! millionth or one cent above or below it: amounts with 0–3 decimals, negative ones, large
//! ones, NULLs, and values with more than 6 decimals (rounded half up). The expected counts are
//! computed from the decimal text the values were written from, not from doubles.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use segment_service::{
    open_location, CheckedSegment, EngineCache, Location, Method, NodeCounts, OpenOptions, Prefer,
    Service,
};
use segment_source::CancelToken;
use segment_sql::{Dialect, DuckDb, SqlValue};
use serde_json::{json, Value};

/// Units of a millionth in one.
const UNIT: i128 = 1_000_000;

/// Thresholds, as decimal text.
const THRESHOLDS: &[&str] = &[
    "100",
    "0",
    "99.99",
    "0.3",
    "-50.5",
    "7.125",
    "1234567.89",
    "250000000",
];

/// Small deterministic generator (xorshift*), so a failing seed is reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Decimal text in millionths, exact (`"99.99"` is 99,990,000).
fn millionths(text: &str) -> i128 {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let mut fraction = fraction.to_string();
    let extra: String = fraction.chars().skip(6).collect();
    fraction.truncate(6);
    while fraction.len() < 6 {
        fraction.push('0');
    }
    let mut units = whole.parse::<i128>().unwrap() * UNIT + fraction.parse::<i128>().unwrap();
    // More than 6 decimals: rounded half up (toward +infinity), as the meaning says.
    let first_extra = extra.chars().next().map_or(0, |c| c.to_digit(10).unwrap());
    if negative {
        units = -units;
        if first_extra > 5 || (first_extra == 5 && extra.trim_end_matches('0').len() > 1) {
            units -= 1;
        }
    } else if first_extra >= 5 {
        units += 1;
    }
    units
}

/// Millionths as decimal text.
fn text(units: i128) -> String {
    let sign = if units < 0 { "-" } else { "" };
    let (whole, fraction) = (units.abs() / UNIT, units.abs() % UNIT);
    let fraction = format!("{fraction:06}");
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    }
}

/// An amount with 0–3 decimals (sometimes large, sometimes negative), as millionths.
fn amount(rng: &mut Rng) -> i128 {
    let decimals = rng.below(4) as u32;
    let size = if rng.chance(10) { 100_000_000 } else { 500 };
    let cents = (rng.below(size * 10u64.pow(decimals)) + 1) as i128;
    let units = cents * 10i128.pow(6 - decimals);
    if rng.chance(20) {
        -units
    } else {
        units
    }
}

/// Orders of one profile: `(total as decimal text, its millionths)`, `None` for NULL.
type Orders = Vec<Option<(String, i128)>>;

/// A profile's orders whose sum (or, for `average`, whose sum over their count) lands on a
/// threshold, just above or just below it; or, now and then, a value with more decimals.
fn orders(rng: &mut Rng) -> Orders {
    let n = 1 + rng.below(5) as usize;
    let threshold = millionths(THRESHOLDS[rng.below(THRESHOLDS.len() as u64) as usize]);
    let average = rng.chance(40);
    let target = if average {
        threshold * n as i128
    } else {
        threshold
    };
    let delta = [0, 0, 0, 1, -1, 10_000, -10_000, 1_000][rng.below(8) as usize];
    let mut values: Vec<i128> = (1..n).map(|_| amount(rng)).collect();
    values.push(target + delta - values.iter().sum::<i128>());
    let mut out: Orders = values.into_iter().map(|v| Some((text(v), v))).collect();
    if rng.chance(10) {
        // 7–9 decimals, never an exact half (its double could fall on either side).
        let digits = 1 + rng.below(3) as usize;
        let tail =
            format!("{:0digits$}", 1 + rng.below(10u64.pow(digits as u32) - 1)).replace('5', "6");
        let written = format!("{}.123456{tail}", rng.below(90));
        let units = millionths(&written);
        out.push(Some((written, units)));
    }
    if rng.chance(10) {
        out.push(None);
    }
    out
}

/// A SQLite file of `profiles` and their `orders` (`total` REAL).
fn write_data(path: &Path, seed: u64, profiles: usize) -> Vec<Orders> {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let data: Vec<Orders> = (0..profiles).map(|_| orders(&mut rng)).collect();
    let mut conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        "CREATE TABLE profiles (id INTEGER PRIMARY KEY, name TEXT);
         CREATE TABLE orders (id INTEGER PRIMARY KEY,
           profile_id INTEGER REFERENCES profiles(id), total REAL);",
    )
    .unwrap();
    let tx = conn.transaction().unwrap();
    let mut id = 0;
    for (p, orders) in data.iter().enumerate() {
        tx.execute("INSERT INTO profiles VALUES (?1, 'p')", [p as i64 + 1])
            .unwrap();
        for order in orders {
            id += 1;
            let total: Option<f64> = order.as_ref().map(|(t, _)| t.parse().unwrap());
            tx.execute(
                "INSERT INTO orders VALUES (?1, ?2, ?3)",
                rusqlite::params![id, p as i64 + 1, total],
            )
            .unwrap();
        }
    }
    tx.commit().unwrap();
    data
}

/// One segment: `function` of the orders' totals `operator` `value`.
struct Case {
    function: &'static str,
    operator: &'static str,
    value: Value,
}

impl Case {
    fn json(&self) -> String {
        json!({"version": 1, "entity": "profiles", "root": {"combinator": "and", "children": [{
            "type": "relationship", "relationship": "orders",
            "filter": {"combinator": "and", "children": []},
            "constraint": {"type": "aggregate", "function": self.function,
                "attribute": "total", "operator": self.operator, "value": self.value}
        }]}})
        .to_string()
    }

    /// The count plain double arithmetic gives, adding in stored order (as PostgreSQL and
    /// Spark did): the data must make it differ somewhere, or the test proves nothing.
    fn naive(&self, data: &[Orders]) -> u64 {
        let number = |v: &Value| v.as_f64().unwrap();
        data.iter()
            .filter(|orders| {
                let values: Vec<f64> = orders
                    .iter()
                    .flatten()
                    .map(|o| o.0.parse::<f64>().unwrap())
                    .collect();
                if values.is_empty() {
                    return false;
                }
                let mut x: f64 = values.iter().sum();
                if self.function == "avg" {
                    x /= values.len() as f64;
                }
                let holds = |op: &str, t: f64| match op {
                    "more_than" => x > t,
                    "at_least" => x >= t,
                    "exactly" => x == t,
                    "less_than" => x < t,
                    "at_most" => x <= t,
                    "not_equals" => x != t,
                    other => panic!("{other}"),
                };
                match &self.value {
                    Value::Array(range) => {
                        holds("at_least", number(&range[0])) && holds("at_most", number(&range[1]))
                    }
                    v => holds(self.operator, number(v)),
                }
            })
            .count() as u64
    }

    /// The count the exact decimal arithmetic gives.
    fn expected(&self, data: &[Orders]) -> u64 {
        let number = |v: &Value| millionths(&v.to_string());
        data.iter()
            .filter(|orders| {
                let values: Vec<i128> = orders.iter().flatten().map(|o| o.1).collect();
                if values.is_empty() {
                    return false;
                }
                let sum: i128 = values.iter().sum();
                let n = if self.function == "avg" {
                    values.len() as i128
                } else {
                    1
                };
                let holds = |op: &str, t: i128| match op {
                    "more_than" => sum > t * n,
                    "at_least" => sum >= t * n,
                    "exactly" => sum == t * n,
                    "less_than" => sum < t * n,
                    "at_most" => sum <= t * n,
                    "not_equals" => sum != t * n,
                    other => panic!("{other}"),
                };
                match &self.value {
                    Value::Array(range) => {
                        holds("at_least", number(&range[0])) && holds("at_most", number(&range[1]))
                    }
                    v => holds(self.operator, number(v)),
                }
            })
            .count() as u64
    }
}

fn cases(operators: &[&'static str]) -> Vec<Case> {
    let mut cases = Vec::new();
    for function in ["sum", "avg"] {
        for threshold in THRESHOLDS {
            let value: Value = serde_json::from_str(threshold).unwrap();
            for &operator in operators {
                let value = if operator == "between" {
                    let low = text(millionths(threshold) - 10_000);
                    json!([serde_json::from_str::<Value>(&low).unwrap(), value])
                } else {
                    value.clone()
                };
                cases.push(Case {
                    function,
                    operator,
                    value,
                });
            }
        }
    }
    cases
}

const OPERATORS: &[&str] = &[
    "more_than",
    "at_least",
    "exactly",
    "less_than",
    "at_most",
    "not_equals",
    "between",
];

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 10, 15, 12, 0, 0).unwrap()
}

fn check(service: &Service, case: &Case) -> CheckedSegment {
    let segment = segment_model::canonical::parse(&case.json()).unwrap();
    service.check(segment, None, now()).unwrap()
}

fn count(service: &Service, case: &Case, prefer: Prefer) -> (u64, Method) {
    let counted = service
        .count(
            &check(service, case),
            prefer,
            NodeCounts::None,
            &CancelToken::new(),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", case.json()));
    (counted.count, counted.method)
}

fn dataset(dir: &Path, seed: u64) -> (PathBuf, Vec<Orders>) {
    let path = dir.join(format!("sums-{seed}.sqlite"));
    let data = write_data(&path, seed, 400);
    (path, data)
}

#[test]
fn engine_sqlite_and_exact_decimals_agree() {
    let dir = tempfile::tempdir().unwrap();
    let seeds: u64 = std::env::var("SEGMENT_DECIMAL_SEEDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(6);
    let (mut landed, mut naive_differs) = (0, 0);
    for seed in 0..seeds {
        let (path, data) = dataset(dir.path(), seed);
        let service = segment_service::open_sqlite(&path, None, EngineCache::new()).unwrap();
        for case in cases(OPERATORS) {
            let expected = case.expected(&data);
            let (engine, method) = count(&service, &case, Prefer::Engine);
            assert_eq!(method, Method::Memory, "{}", case.json());
            let (sql, _) = count(&service, &case, Prefer::Sql);
            assert_eq!(
                (engine, sql),
                (expected, expected),
                "seed {seed}: (engine, SQLite) against exact decimals for {}",
                case.json()
            );
            if case.operator == "exactly" {
                landed += expected;
            }
            naive_differs += u64::from(case.naive(&data) != expected);
        }
    }
    assert!(
        landed > 50,
        "only {landed} sums landed exactly on a threshold"
    );
    assert!(
        naive_differs > 10,
        "double arithmetic differs in only {naive_differs} cases: the data does not test much"
    );
    eprintln!(
        "{landed} sums landed on a threshold; double arithmetic differs in {naive_differs} cases"
    );
}

#[test]
fn postgresql_counts_as_the_engine() {
    let Ok(url) = std::env::var("SEGMENT_PG_URL") else {
        eprintln!("SEGMENT_PG_URL is not set (scripts/with-postgres.sh sets it): skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for seed in 0..2 {
        let (path, data) = dataset(dir.path(), 100 + seed);
        let schema = format!("sums_{seed}_{}", std::process::id());
        let settings = segment_postgres::Settings {
            url: url.clone(),
            schema: Some(schema.clone()),
            ..Default::default()
        };
        segment_postgres::load::copy_sqlite(&path, &settings, true).unwrap();
        let options = OpenOptions {
            schema: Some(&schema),
            ..Default::default()
        };
        let pg = open_location(
            &Location::parse(&url).unwrap(),
            &options,
            EngineCache::new(),
        )
        .unwrap();
        for case in cases(OPERATORS) {
            let (on_pg, _) = count(&pg, &case, Prefer::Sql);
            assert_eq!(on_pg, case.expected(&data), "PostgreSQL: {}", case.json());
        }
    }
}

#[test]
fn spark_counts_as_the_engine() {
    let Ok(url) = std::env::var("SEGMENT_SPARK_URL") else {
        eprintln!("SEGMENT_SPARK_URL is not set (scripts/with-spark.sh sets it): skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (path, data) = dataset(dir.path(), 200);
    let database = format!("sums_{}", std::process::id());
    let client =
        segment_spark::SparkClient::connect(&segment_spark::ConnectUrl::parse(&url).unwrap())
            .unwrap();
    segment_spark::load::copy_sqlite(&path, &client, &database, dir.path()).unwrap();
    let options = OpenOptions {
        schema: Some(&database),
        ..Default::default()
    };
    let spark = open_location(
        &Location::parse(&url).unwrap(),
        &options,
        EngineCache::new(),
    )
    .unwrap();
    for case in cases(&["more_than", "exactly", "at_most"]) {
        let (on_spark, _) = count(&spark, &case, Prefer::Sql);
        assert_eq!(on_spark, case.expected(&data), "Spark: {}", case.json());
    }
}

/// Reads `{"setup": [sql…], "queries": [[sql, params]…]}` and prints one count per query.
const DUCKDB_DRIVER: &str = r#"
import json, sys
import duckdb
job = json.load(sys.stdin)
con = duckdb.connect()
for sql in job["setup"]:
    con.execute(sql)
for sql, params in job["queries"]:
    print(con.execute(sql, params).fetchone()[0])
"#;

fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("SEGMENT_SQL_DUCKDB_PYTHON") {
        return PathBuf::from(p);
    }
    let venv =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/duckdb-venv/bin/python");
    if venv.exists() {
        venv
    } else {
        PathBuf::from("python3")
    }
}

#[test]
fn duckdb_counts_as_the_engine() {
    if !std::env::var("SEGMENT_SQL_DUCKDB").is_ok_and(|v| v == "1") {
        eprintln!("SEGMENT_SQL_DUCKDB is not 1: DuckDB skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (path, data) = dataset(dir.path(), 300);
    let service = segment_service::open_sqlite(&path, None, EngineCache::new()).unwrap();
    let mut setup = vec![
        "CREATE TABLE profiles (id BIGINT PRIMARY KEY, name VARCHAR)".to_string(),
        "CREATE TABLE orders (id BIGINT PRIMARY KEY, profile_id BIGINT, total DOUBLE)".to_string(),
    ];
    let mut id = 0;
    for (p, orders) in data.iter().enumerate() {
        setup.push(format!("INSERT INTO profiles VALUES ({}, 'p')", p + 1));
        for order in orders {
            id += 1;
            let total = order.as_ref().map_or("NULL".to_string(), |(t, _)| {
                // The double the SQLite file holds, written exactly as a DOUBLE literal.
                let value = SqlValue::Real(t.parse().unwrap());
                format!("CAST({} AS DOUBLE)", DuckDb.literal(&value).unwrap())
            });
            setup.push(format!(
                "INSERT INTO orders VALUES ({id}, {}, {total})",
                p + 1
            ));
        }
    }
    let cases = cases(OPERATORS);
    let queries: Vec<Value> = cases
        .iter()
        .map(|case| {
            let segment = segment_model::canonical::parse(&case.json()).unwrap();
            let query =
                segment_model::validate::check(&segment, service.schema(), None, now()).unwrap();
            let built = segment_sql::build(&query, &DuckDb).unwrap();
            let params: Vec<Value> = built
                .params
                .iter()
                .map(|p| match p {
                    SqlValue::Null => Value::Null,
                    SqlValue::Integer(i) => json!(i),
                    SqlValue::Real(f) => json!(f),
                    SqlValue::Text(s) => json!(s),
                })
                .collect();
            json!([built.sql, params])
        })
        .collect();
    let job = json!({"setup": setup, "queries": queries});
    let mut child = Command::new(python())
        .args(["-c", DUCKDB_DRIVER])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(job.to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "DuckDB failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let counts: Vec<u64> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect();
    assert_eq!(counts.len(), cases.len());
    for (case, got) in cases.iter().zip(counts) {
        assert_eq!(got, case.expected(&data), "DuckDB: {}", case.json());
    }
}
