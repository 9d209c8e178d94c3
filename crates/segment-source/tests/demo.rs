//! The demo generator: deterministic for a seed, shaped as documented, and opened as expected.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::Path;

use rusqlite::types::ValueRef;
use rusqlite::Connection;
use segment_model::{DataType, Storage};
use segment_source::demo::{ANCHOR, SPAN_SECONDS};
use segment_source::{DataSource, DemoOptions};

/// A hash of every row of every table, in key order, values with their SQLite types.
fn content_hash(path: &Path) -> u64 {
    let conn = Connection::open(path).unwrap();
    let mut h = DefaultHasher::new();
    for table in ["profiles", "events", "orders"] {
        table.hash(&mut h);
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY id"))
            .unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..n {
                match row.get_ref(i).unwrap() {
                    ValueRef::Null => 0u8.hash(&mut h),
                    ValueRef::Integer(v) => (1u8, v).hash(&mut h),
                    ValueRef::Real(v) => (2u8, v.to_bits()).hash(&mut h),
                    ValueRef::Text(v) => (3u8, v).hash(&mut h),
                    ValueRef::Blob(v) => (4u8, v).hash(&mut h),
                }
            }
        }
    }
    h.finish()
}

#[test]
fn same_seed_same_rows_other_seed_other_rows() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.sqlite");
    let b = dir.path().join("b.sqlite");
    let c = dir.path().join("c.sqlite");
    let sa = segment_source::generate_demo(
        &a,
        DemoOptions {
            profiles: 1500,
            seed: 7,
        },
    )
    .unwrap();
    let sb = segment_source::generate_demo(
        &b,
        DemoOptions {
            profiles: 1500,
            seed: 7,
        },
    )
    .unwrap();
    segment_source::generate_demo(
        &c,
        DemoOptions {
            profiles: 1500,
            seed: 8,
        },
    )
    .unwrap();
    assert_eq!(
        (sa.profiles, sa.events, sa.orders),
        (sb.profiles, sb.events, sb.orders)
    );
    assert_eq!(content_hash(&a), content_hash(&b));
    assert_ne!(content_hash(&a), content_hash(&c));
    // Regenerating over an existing file replaces it.
    segment_source::generate_demo(
        &c,
        DemoOptions {
            profiles: 1500,
            seed: 7,
        },
    )
    .unwrap();
    assert_eq!(content_hash(&a), content_hash(&c));
}

fn scalar<T: rusqlite::types::FromSql>(conn: &Connection, sql: &str) -> T {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn demo_data_has_the_documented_shape() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.sqlite");
    let summary = segment_source::generate_demo(
        &path,
        DemoOptions {
            profiles: 4000,
            seed: 42,
        },
    )
    .unwrap();
    assert_eq!(summary.profiles, 4000);
    let per_profile = summary.events as f64 / 4000.0;
    assert!(
        (8.0..12.0).contains(&per_profile),
        "{per_profile} events per profile"
    );
    assert!(summary.bytes > 0);

    let conn = Connection::open(&path).unwrap();
    let purchases: f64 = scalar(&conn, "SELECT avg(name = 'purchase') FROM events");
    assert!(
        (0.06..0.10).contains(&purchases),
        "purchase share {purchases}"
    );
    let orders: i64 = scalar(&conn, "SELECT count(*) FROM orders");
    assert_eq!(orders as u64, summary.orders);
    assert_eq!(
        scalar::<i64>(&conn, "SELECT count(*) FROM events WHERE name = 'purchase'"),
        orders
    );
    assert_eq!(
        scalar::<i64>(
            &conn,
            "SELECT count(*) FROM events WHERE (amount IS NULL) = (name = 'purchase')"
        ),
        0
    );
    // Within the two years before the anchor.
    let (lo, hi): (i64, i64) = conn
        .query_row("SELECT min(ts), max(ts) FROM events", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert!(lo >= ANCHOR - SPAN_SECONDS && hi <= ANCHOR, "{lo}..{hi}");
    let (lo, hi): (i64, i64) = conn
        .query_row(
            "SELECT min(signed_up_at), max(signed_up_at) FROM profiles",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(lo >= ANCHOR - SPAN_SECONDS && hi <= ANCHOR, "{lo}..{hi}");
    // Skew: some profiles have no events, some many.
    let quiet: i64 = scalar(
        &conn,
        "SELECT count(*) FROM profiles WHERE id NOT IN (SELECT profile_id FROM events)",
    );
    assert!(quiet > 100, "{quiet} profiles without events");
    let busiest: i64 = scalar(
        &conn,
        "SELECT max(n) FROM (SELECT count(*) AS n FROM events GROUP BY profile_id)",
    );
    assert!(busiest > 50, "busiest profile has {busiest} events");
    // Documented NULLs, blanks and value sets.
    for (what, sql) in [
        (
            "NULL country",
            "SELECT count(*) FROM profiles WHERE country IS NULL",
        ),
        (
            "blank city",
            "SELECT count(*) FROM profiles WHERE city = ''",
        ),
        (
            "NULL age",
            "SELECT count(*) FROM profiles WHERE age IS NULL",
        ),
        (
            "NULL is_subscribed",
            "SELECT count(*) FROM profiles WHERE is_subscribed IS NULL",
        ),
        (
            "NULL birth_date",
            "SELECT count(*) FROM profiles WHERE birth_date IS NULL",
        ),
        (
            "NULL last_seen_at",
            "SELECT count(*) FROM profiles WHERE last_seen_at IS NULL",
        ),
        (
            "NULL tags",
            "SELECT count(*) FROM profiles WHERE tags IS NULL",
        ),
        (
            "empty tags",
            "SELECT count(*) FROM profiles WHERE tags = '[]'",
        ),
        (
            "vip tags",
            "SELECT count(*) FROM profiles WHERE tags LIKE '%\"vip\"%'",
        ),
        (
            "capitalised emails",
            "SELECT count(*) FROM profiles WHERE email GLOB '[A-Z]*'",
        ),
        (
            "churn survey answers",
            "SELECT count(*) FROM events WHERE name = 'churn_survey_answered'",
        ),
    ] {
        assert!(scalar::<i64>(&conn, sql) > 0, "no {what}");
    }
    assert_eq!(
        scalar::<String>(
            &conn,
            "SELECT group_concat(plan) FROM (SELECT DISTINCT plan FROM profiles ORDER BY plan)"
        ),
        "enterprise,free,pro,starter"
    );
    assert_eq!(
        scalar::<i64>(
            &conn,
            "SELECT count(*) FROM profiles WHERE is_subscribed NOT IN (0, 1)"
        ),
        0
    );
    assert_eq!(
        scalar::<i64>(&conn, "SELECT count(*) FROM profiles WHERE country = 'US'") * 100
            / 4000
            / 10,
        3,
        "about 37% US"
    );
    assert_eq!(scalar::<i64>(&conn, "SELECT count(*) FROM profiles WHERE birth_date NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'"), 0);
    assert_eq!(
        scalar::<i64>(
            &conn,
            "SELECT count(*) FROM profiles WHERE last_seen_at NOT GLOB '????-??-??T??:??:??Z'"
        ),
        0
    );
    assert_eq!(
        scalar::<i64>(
            &conn,
            "SELECT count(*) FROM profiles WHERE tags IS NOT NULL AND json_type(tags) <> 'array'"
        ),
        0
    );
    let indexes: String = scalar(
        &conn,
        "SELECT group_concat(sql, ';') FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL",
    );
    assert!(
        indexes.contains("events(name, profile_id, ts, amount)"),
        "{indexes}"
    );
    assert!(
        indexes.contains("orders(status, profile_id, placed_at, total)"),
        "{indexes}"
    );
    assert!(
        scalar::<i64>(&conn, "SELECT count(*) FROM sqlite_stat1") > 0,
        "ANALYZE ran"
    );
    drop(conn);

    let source = DataSource::open_read_only(&path).unwrap();
    assert_eq!(source.suggested_now(), Some(ANCHOR));
    let s = source.schema();
    let p = s.entity("profiles").unwrap();
    let types: Vec<(&str, DataType, Storage)> = p
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.data_type, c.storage))
        .collect();
    use DataType as D;
    use Storage as S;
    assert_eq!(
        types,
        [
            ("id", D::Number, S::Integer),
            ("email", D::Text, S::Text),
            ("first_name", D::Text, S::Text),
            ("last_name", D::Text, S::Text),
            ("country", D::Text, S::Text),
            ("city", D::Text, S::Text),
            ("plan", D::Text, S::Text),
            ("age", D::Number, S::Integer),
            ("lifetime_value", D::Number, S::Real),
            ("is_subscribed", D::Boolean, S::Boolean),
            ("signed_up_at", D::Datetime, S::UnixSeconds),
            ("birth_date", D::Datetime, S::IsoDate),
            ("last_seen_at", D::Datetime, S::IsoDateTime),
            ("tags", D::Array, S::JsonArray),
        ]
    );
    let events = s.relationship("profiles", "events").unwrap();
    assert_eq!(events.time_column.as_deref(), Some("ts"));
    assert_eq!(
        s.relationship("profiles", "orders")
            .unwrap()
            .time_column
            .as_deref(),
        Some("placed_at")
    );
    assert_eq!(
        s.relationship("events", "profile").unwrap().to_entity,
        "profiles"
    );
    assert_eq!(source.total("events").unwrap(), summary.events);
}
