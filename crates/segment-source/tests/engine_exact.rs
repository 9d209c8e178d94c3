//! Wrong answers the count engine once gave, each pinned against SQLite's own answer: integers
//! beyond 2^53 (values, join keys, sample keys), text with NUL, and case-sensitive LIKE.

use chrono::{DateTime, Utc};
use segment_engine::explain::{samples, Key, SampleOrder};
use segment_model::{validate, Segment};
use segment_source::DataSource;
use serde_json::{json, Value};

const BIG: i64 = 1 << 53;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-06-15T12:00:00Z")
        .unwrap()
        .to_utc()
}

fn create(name: &str, sql: &str) -> DataSource {
    let dir = std::env::temp_dir().join(format!("segment-engine-exact-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Tests run in parallel: each file its own name.
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = dir.join(format!("{name}-{n}.sqlite"));
    let _ = std::fs::remove_file(&path);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(sql).unwrap();
    drop(conn);
    DataSource::open_read_only(&path).unwrap()
}

fn segment(entity: &str, children: Value) -> Segment {
    serde_json::from_value(json!({"version": 1, "entity": entity,
        "root": {"combinator": "and", "negated": false, "children": children}}))
    .unwrap()
}

/// The engine's count and SQL's count of `segment`, which must agree, and the count.
fn counts(source: &DataSource, data: &segment_engine::Dataset, segment: &Segment) -> u64 {
    let query = validate::check(segment, source.schema(), None, now()).unwrap();
    let sql = source.count(&query).unwrap();
    let engine = segment_engine::count(data, &query).unwrap();
    assert_eq!(
        (engine.count, engine.total),
        (sql.count, sql.total),
        "engine != SQL for\n{}\n{}",
        segment_model::canonical::to_string_pretty(segment),
        DataSource::display_sql(&query).unwrap_or_default()
    );
    engine.count
}

fn big_ids() -> DataSource {
    let mut sql = String::from(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, score REAL);
         CREATE TABLE events (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), name TEXT);",
    );
    for i in 0..6 {
        sql.push_str(&format!("INSERT INTO users VALUES ({}, {i}.5);", BIG + i));
    }
    sql.push_str(&format!(
        "INSERT INTO events VALUES (1, {}, 'buy'), (2, {}, 'buy'), (3, {}, 'view');",
        BIG + 1,
        BIG + 3,
        BIG + 5
    ));
    create("big", &sql)
}

fn condition(attribute: &str, operator: &str, value: Value) -> Value {
    json!({"type": "condition", "attribute": attribute, "operator": operator, "value": value})
}

#[test]
fn integers_beyond_2_pow_53_are_exact() {
    let source = big_ids();
    let data = segment_source::engine::load_dataset(&source).unwrap();
    let buyers = segment(
        "users",
        json!([{"type": "relationship", "relationship": "events",
            "filter": {"combinator": "and", "negated": false,
                "children": [condition("name", "is", json!("buy"))]}}]),
    );
    assert_eq!(counts(&source, &data, &buyers), 2);
    // The literal is parsed exactly too: 2^53 + 1 is not 2^53.
    let one: Segment = serde_json::from_str(&format!(
        r#"{{"version": 1, "entity": "users", "root": {{"combinator": "and", "negated": false,
            "children": [{{"type": "condition", "attribute": "id", "operator": "equals",
            "value": {}}}]}}}}"#,
        BIG + 1
    ))
    .unwrap();
    assert_eq!(counts(&source, &data, &one), 1);
    for (operator, value, expected) in [
        ("equals", json!(BIG), 1),
        ("equals", json!(BIG as f64), 1),
        ("not_equals", json!(BIG + 2), 5),
        ("greater_than", json!(BIG + 2), 3),
        ("greater_than", json!(BIG as f64), 5),
        ("less_than_or_equal", json!(BIG + 1), 2),
        ("greater_than", json!(1.5), 6),
        ("less_than", json!(1e300), 6),
        ("greater_than", json!(-1e300), 6),
        ("between", json!([BIG + 1, BIG + 3]), 3),
        ("is_one_of", json!([BIG + 4, BIG + 7, 1.5]), 1),
    ] {
        let s = segment("users", json!([condition("id", operator, value.clone())]));
        assert_eq!(
            counts(&source, &data, &s),
            expected,
            "id {operator} {value}"
        );
    }
    // From the many side, through the join, and an aggregate of big integers.
    let of_buyers = segment(
        "events",
        json!([{"type": "relationship", "relationship": "user",
            "filter": {"combinator": "and", "negated": false,
                "children": [condition("id", "greater_than", json!(BIG + 2))]}}]),
    );
    assert_eq!(counts(&source, &data, &of_buyers), 2);
    let summed = segment(
        "users",
        json!([{"type": "relationship", "relationship": "events",
            "filter": {"combinator": "and", "negated": false, "children": []},
            "constraint": {"type": "aggregate", "function": "max", "attribute": "user_id",
                "operator": "between", "value": [BIG + 3, BIG + 3]}}]),
    );
    assert_eq!(counts(&source, &data, &summed), 1);
}

#[test]
fn sample_keys_are_exact_and_find_their_records() {
    let source = big_ids();
    let data = segment_source::engine::load_dataset(&source).unwrap();
    let all = segment("users", json!([]));
    let found = samples(
        &data,
        source.schema(),
        &all,
        None,
        now(),
        10,
        SampleOrder::First,
    )
    .unwrap();
    let keys: Vec<Key> = found.iter().map(|s| s.key.clone()).collect();
    assert_eq!(keys, (0..6).map(|i| Key::Int(BIG + i)).collect::<Vec<_>>());
    let records = segment_source::records_by_key(&source, "users", "id", keys.iter()).unwrap();
    for (i, record) in records.iter().enumerate() {
        assert_eq!(record["id"], json!(BIG + i as i64));
    }
    assert_eq!(
        serde_json::to_string(&found[1].key).unwrap(),
        (BIG + 1).to_string(),
        "an integer key serializes as the exact JSON number"
    );
}

#[test]
fn text_and_negative_join_keys() {
    let source = create(
        "keys",
        "PRAGMA foreign_keys = OFF;
         CREATE TABLE accounts (code TEXT PRIMARY KEY, n INTEGER);
         CREATE TABLE orders (id INTEGER PRIMARY KEY, account_code TEXT REFERENCES accounts(code));
         INSERT INTO accounts VALUES ('007', -3), ('7', -9007199254740993), ('A', 1), ('a', 2);
         INSERT INTO orders VALUES (1, '007'), (2, '007'), (3, 'a'), (4, NULL), (5, 'zzz'), (6, '7');",
    );
    let data = segment_source::engine::load_dataset(&source).unwrap();
    let rels: Vec<&str> = source
        .schema()
        .relationships
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    let (to_orders, to_account) = (
        rels.iter().find(|r| r.contains("order")).copied().unwrap(),
        rels.iter().find(|r| !r.contains("order")).copied().unwrap(),
    );
    let with_orders = segment(
        "accounts",
        json!([{"type": "relationship", "relationship": to_orders,
            "filter": {"combinator": "and", "negated": false, "children": []}}]),
    );
    assert_eq!(counts(&source, &data, &with_orders), 3);
    let of_a = segment(
        "orders",
        json!([{"type": "relationship", "relationship": to_account,
            "filter": {"combinator": "and", "negated": false,
                "children": [condition("n", "less_than", json!(-9007199254740992i64))]}}]),
    );
    assert_eq!(counts(&source, &data, &of_a), 1);
}

#[test]
fn text_with_nul_is_judged_as_sqlite_judges_it() {
    let source = create(
        "nul",
        "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT);
         INSERT INTO people VALUES (1, 'a' || char(0) || 'b'), (2, char(0)), (3, 'ab'), (4, 'a'),
            (5, 'A' || char(0) || 'B'), (6, 'xa' || char(0) || 'b'), (7, NULL);",
    );
    let data = segment_source::engine::load_dataset(&source).unwrap();
    let case = |operator: &str, value: Value, case_sensitive: Option<bool>| {
        let mut c = condition("name", operator, value);
        if let Some(cs) = case_sensitive {
            c["case_sensitive"] = json!(cs);
        }
        counts(&source, &data, &segment("people", json!([c])))
    };
    // length() counts up to the first NUL: 'a\0b' has length 1, '\0' length 0.
    assert_eq!(case("length_equals", json!(1), None), 3);
    assert_eq!(case("length_equals", json!(0), None), 1);
    // substr() stops at NUL too: 'a\0b' starts with 'a', never with 'a\0'.
    assert_eq!(case("starts_with", json!("a"), None), 3);
    assert_eq!(case("starts_with", json!("a\u{0}"), None), 0);
    assert_eq!(case("does_not_start_with", json!("a\u{0}"), None), 6);
    assert_eq!(case("ends_with", json!("a"), None), 3);
    assert_eq!(case("ends_with", json!("b"), Some(false)), 1);
    // LIKE ends text and pattern at NUL: 'a\0b' LIKE 'a' holds.
    assert_eq!(case("like", json!("a"), None), 3);
    assert_eq!(case("like", json!("a%b"), None), 1);
    // instr() and = see everything.
    assert_eq!(case("contains", json!("\u{0}b"), None), 2);
    assert_eq!(case("contains", json!("\u{0}b"), Some(false)), 3);
    assert_eq!(case("is", json!("a\u{0}b"), None), 1);
    assert_eq!(case("is", json!("a\u{0}b"), Some(false)), 2);
    assert_eq!(case("is_not_blank", Value::Null, None), 6);
}

#[test]
fn like_honours_case_sensitivity() {
    let source = create(
        "like",
        "CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT);
         INSERT INTO people VALUES (1, 'ann@gmail.com'), (2, 'Ann@GMAIL.com'), (3, 'a*b?c[d]'),
            (4, 'A*B?C[D]'), (5, 'Zoë@gmail.com'), (6, NULL), (7, 'x' || char(0) || 'GMAIL');",
    );
    let data = segment_source::engine::load_dataset(&source).unwrap();
    let like = |pattern: &str, case_sensitive: Option<bool>, negated: bool| {
        let mut c = condition("email", "like", json!(pattern));
        if let Some(cs) = case_sensitive {
            c["case_sensitive"] = json!(cs);
        }
        let root =
            json!([{"type": "group", "combinator": "and", "negated": negated, "children": [c]}]);
        counts(&source, &data, &segment("people", root))
    };
    assert_eq!(like("%@gmail.com", None, false), 3);
    assert_eq!(like("%@gmail.com", Some(false), false), 3);
    assert_eq!(like("%@gmail.com", Some(true), false), 2);
    // NOT is the exact complement: the NULL e-mail is in it.
    assert_eq!(like("%@gmail.com", Some(true), true), 5);
    assert_eq!(like("a*b?c[d]", Some(true), false), 1);
    assert_eq!(like("a_b_c_d_", Some(true), false), 1);
    assert_eq!(like("A%", Some(true), false), 2);
    assert_eq!(like("x%", Some(true), false), 1);
    assert_eq!(like("x\\", Some(true), false), 0);
}

#[test]
fn large_integers_inside_json_arrays_are_exact() {
    let source = create(
        "arrays",
        "CREATE TABLE people (id INTEGER PRIMARY KEY, tags JSON);
         INSERT INTO people VALUES (1, '[9007199254740993]'), (2, '[9007199254740992, \"x\"]'),
            (3, '[9007199254740992.0]'), (4, '[true, 1.0]'), (5, NULL);",
    );
    let data = segment_source::engine::load_dataset(&source).unwrap();
    let any = |values: Value| {
        let c = condition("tags", "contains_any_of", values);
        counts(&source, &data, &segment("people", json!([c])))
    };
    assert_eq!(any(json!([BIG])), 2);
    assert_eq!(any(json!([BIG + 1])), 1);
    assert_eq!(any(json!([BIG as f64])), 2);
    assert_eq!(any(json!([1])), 1);
}
