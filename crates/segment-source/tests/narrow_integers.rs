//! Integer and time columns held narrow (a base and 32-bit offsets, when their values span
//! less than 2^32) or wide count as SQL does: columns whose values span exactly 2^32 - 1
//! (narrow) beside ones spanning 2^32 (wide), positive, negative, across zero and at both ends
//! of i64, with NULLs, in a table just over one parallel chunk with the extremes at the chunk's
//! edges; tested at and around every edge, in conditions, related filters, aggregates and
//! windows, loaded from SQLite and read back from a snapshot.

use chrono::DateTime;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use segment_engine::column::ColumnData;
use segment_model::{validate, Segment};
use segment_source::DataSource;
use serde_json::{json, Value};

const SPAN: i64 = u32::MAX as i64;

/// An integer column of people: its least value, its span (`SPAN`: narrow, `SPAN + 1`: wide).
struct IntColumn {
    name: &'static str,
    min: i64,
    span: i64,
}

const INT_COLUMNS: &[IntColumn] = &[
    IntColumn {
        name: "narrow_pos",
        min: 1_000,
        span: SPAN,
    },
    IntColumn {
        name: "wide_pos",
        min: 1_000,
        span: SPAN + 1,
    },
    IntColumn {
        name: "narrow_neg",
        min: -SPAN - 7,
        span: SPAN,
    },
    IntColumn {
        name: "wide_neg",
        min: -SPAN - 8,
        span: SPAN + 1,
    },
    IntColumn {
        name: "narrow_zero",
        min: -(1 << 31),
        span: SPAN,
    },
    IntColumn {
        name: "narrow_top",
        min: i64::MAX - SPAN,
        span: SPAN,
    },
    IntColumn {
        name: "wide_top",
        min: i64::MAX - SPAN - 1,
        span: SPAN + 1,
    },
    IntColumn {
        name: "narrow_bottom",
        min: i64::MIN,
        span: SPAN,
    },
    IntColumn {
        name: "wide_bottom",
        min: i64::MIN,
        span: SPAN + 1,
    },
];

/// Time columns: the first instant (1900-01-01) and the span in seconds.
const FIRST_INSTANT: i64 = -2_208_988_800;
const TIME_COLUMNS: &[(&str, i64)] = &[("t_narrow", SPAN), ("t_wide", SPAN + 1)];

fn chunk() -> usize {
    segment_engine::bitset::PARALLEL_CHUNK_ROWS
}

fn iso(t: i64) -> String {
    DateTime::from_timestamp(t, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// The value of a column with `min` and `span` at `row`: the extremes at the first rows, at
/// the chunk's edges and at the last row; NULL at every seventh; else random in the range.
fn value(rng: &mut ChaCha8Rng, min: i64, span: i64, row: usize, rows: usize) -> Option<i64> {
    let c = chunk();
    let max = min + span;
    match row {
        0 => Some(min),
        1 => Some(max),
        r if r == c - 1 => Some(max),
        r if r == c => Some(min),
        r if r == rows - 1 => Some(max),
        r if r % 7 == 3 => None,
        // Near the ends, to land on and beside the literals tested.
        r if r % 5 == 0 => Some(min + rng.random_range(0..3)),
        r if r % 5 == 1 => Some(max - rng.random_range(0..3)),
        _ => Some(min + rng.random_range(0..=span)),
    }
}

/// People (just over one chunk) and their acts (two chunks and a bit; one act's person is a
/// dangling key beyond 2^32, so the join's two sides differ in width).
fn create() -> (tempfile::TempDir, std::path::PathBuf, usize) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("narrow.sqlite");
    let mut conn = rusqlite::Connection::open(&path).unwrap();
    let ints: Vec<String> = INT_COLUMNS
        .iter()
        .map(|c| format!("{} INTEGER", c.name))
        .collect();
    let times: Vec<String> = TIME_COLUMNS
        .iter()
        .map(|(name, _)| format!("{name} DATETIME"))
        .collect();
    conn.execute_batch(&format!(
        "PRAGMA foreign_keys = OFF;
         CREATE TABLE people (id INTEGER PRIMARY KEY, {}, {});
         CREATE TABLE acts (id INTEGER PRIMARY KEY, person_id INTEGER REFERENCES people(id),
            kind TEXT, at DATETIME, n INTEGER, m INTEGER);",
        ints.join(", "),
        times.join(", ")
    ))
    .unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(32);
    let people = chunk() + 37;
    let tx = conn.transaction().unwrap();
    {
        let columns = INT_COLUMNS.len() + TIME_COLUMNS.len() + 1;
        let marks: Vec<String> = (1..=columns).map(|i| format!("?{i}")).collect();
        let mut insert = tx
            .prepare(&format!("INSERT INTO people VALUES ({})", marks.join(", ")))
            .unwrap();
        for row in 0..people {
            let mut values: Vec<rusqlite::types::Value> = vec![(row as i64 + 1).into()];
            for c in INT_COLUMNS {
                values.push(value(&mut rng, c.min, c.span, row, people).into());
            }
            for (_, span) in TIME_COLUMNS {
                values.push(
                    value(&mut rng, FIRST_INSTANT, *span, row, people)
                        .map(iso)
                        .into(),
                );
            }
            insert.execute(rusqlite::params_from_iter(values)).unwrap();
        }
        let acts = 2 * chunk() + 5;
        let mut insert = tx
            .prepare("INSERT INTO acts VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
            .unwrap();
        for row in 0..acts {
            let person = match row {
                7 => Some(1i64 << 40),
                r if r % 19 == 4 => None,
                _ => Some(rng.random_range(1..=people as i64)),
            };
            let kind = ["view", "buy", "share"][row % 3];
            // Times of two years around 2024; n spans 2^32 - 1 across zero; m 2^32.
            let at = value(&mut rng, 1_700_000_000, 2 * 31_536_000, row, acts).map(iso);
            let n = value(&mut rng, -3_000_000_000, SPAN, row, acts);
            let m = value(&mut rng, -3_000_000_000, SPAN + 1, row, acts);
            insert
                .execute(rusqlite::params![row as i64 + 1, person, kind, at, n, m])
                .unwrap();
        }
    }
    tx.commit().unwrap();
    (dir, path, people)
}

fn segment(entity: &str, children: Vec<Value>) -> Segment {
    serde_json::from_value(json!({"version": 1, "entity": entity,
        "root": {"combinator": "and", "negated": false, "children": children}}))
    .unwrap()
}

fn condition(attribute: &str, operator: &str, value: Value) -> Value {
    json!({"type": "condition", "attribute": attribute, "operator": operator, "value": value})
}

/// Literals at and around the ends of a range (and a middle, and zero), within i64.
fn edges(min: i64, max: i64) -> Vec<i64> {
    let mut out = vec![min, max, min / 2 + max / 2, 0];
    for d in [1, 2] {
        out.extend(min.checked_sub(d));
        out.extend(min.checked_add(d));
        out.extend(max.checked_sub(d));
        out.extend(max.checked_add(d));
    }
    out
}

/// Every segment tested: each column's comparisons at its edges, related filters, aggregates
/// and windows.
fn segments() -> Vec<Segment> {
    let mut out = Vec::new();
    let number_ops = [
        "equals",
        "not_equals",
        "less_than",
        "less_than_or_equal",
        "greater_than",
        "greater_than_or_equal",
    ];
    for c in INT_COLUMNS {
        let max = c.min + c.span;
        for v in edges(c.min, max) {
            for op in number_ops {
                out.push(segment("people", vec![condition(c.name, op, json!(v))]));
            }
        }
        for op in ["between", "not_between"] {
            out.push(segment(
                "people",
                vec![condition(c.name, op, json!([c.min + 1, max - 1]))],
            ));
        }
        for op in ["is_null", "is_not_null"] {
            out.push(segment("people", vec![condition(c.name, op, Value::Null)]));
        }
    }
    let time_ops = [
        "on",
        "before",
        "after",
        "on_or_before",
        "on_or_after",
        "not_on",
    ];
    for (name, span) in TIME_COLUMNS {
        for t in edges(FIRST_INSTANT, FIRST_INSTANT + span) {
            for op in time_ops {
                out.push(segment("people", vec![condition(name, op, json!(iso(t)))]));
            }
        }
        out.push(segment(
            "people",
            vec![condition(
                name,
                "between",
                json!([iso(FIRST_INSTANT + 1), iso(FIRST_INSTANT + span - 1)]),
            )],
        ));
    }
    for attribute in ["n", "m"] {
        let span = if attribute == "n" { SPAN } else { SPAN + 1 };
        let (min, max) = (-3_000_000_000i64, -3_000_000_000 + span);
        for v in edges(min, max) {
            // People with an act at or beyond the edge, in a window or not.
            for op in ["greater_than_or_equal", "less_than", "equals"] {
                out.push(segment(
                    "people",
                    vec![json!({"type": "relationship", "relationship": "acts",
                        "filter": {"combinator": "and", "negated": false,
                            "children": [condition(attribute, op, json!(v))]},
                        "window": {"type": "after", "date": "2024-06-01"}})],
                ));
            }
            for function in ["min", "max", "sum"] {
                out.push(segment(
                    "people",
                    vec![json!({"type": "relationship", "relationship": "acts",
                        "filter": {"combinator": "and", "negated": false, "children": []},
                        "constraint": {"type": "aggregate", "function": function,
                            "attribute": attribute, "operator": "at_least", "value": v}})],
                ));
            }
            // Acts whose person's column is past an edge.
            out.push(segment(
                "acts",
                vec![
                    condition(attribute, "less_than_or_equal", json!(v)),
                    json!({"type": "relationship", "relationship": "person",
                        "filter": {"combinator": "and", "negated": false,
                            "children": [condition("narrow_neg", "greater_than", json!(v))]}}),
                ],
            ));
        }
        out.push(segment(
            "people",
            vec![json!({"type": "relationship", "relationship": "acts",
                "filter": {"combinator": "and", "negated": false, "children": []},
                "constraint": {"type": "aggregate", "function": "count_distinct",
                    "attribute": attribute, "operator": "at_least", "value": 2}})],
        ));
    }
    out
}

fn narrow(data: &segment_engine::Dataset, table: &str, column: &str) -> bool {
    match data.table(table).unwrap().column(column).unwrap() {
        ColumnData::Integer { values, .. } | ColumnData::Time { values, .. } => values.is_narrow(),
        other => panic!("{table}.{column} is not an integer or time column: {other:?}"),
    }
}

#[test]
fn narrow_and_wide_integers_and_times_count_as_sql_does() {
    let (_dir, path, people) = create();
    let source = DataSource::open_read_only(&path).unwrap();
    let loaded = segment_source::engine::load_dataset(&source).unwrap();
    let mut bytes = Vec::new();
    segment_engine::snapshot::write(&loaded, b"narrow", &mut bytes).unwrap();
    let read_back = segment_engine::snapshot::read(
        std::sync::Arc::new(bytes),
        b"narrow",
        source.schema(),
        u64::MAX,
        &mut |_| {},
    )
    .unwrap();
    assert!(read_back.table("people").unwrap().len == people && people > chunk());

    let now = DateTime::parse_from_rfc3339("2024-06-15T12:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let cases: Vec<(Segment, segment_model::ir::Query, (u64, u64))> = segments()
        .into_iter()
        .map(|segment| {
            let query = validate::check(&segment, source.schema(), None, now).unwrap_or_else(|p| {
                panic!(
                    "{p:?}\n{}",
                    segment_model::canonical::to_string_pretty(&segment)
                )
            });
            let sql = source.count(&query).unwrap();
            (segment, query, (sql.count, sql.total))
        })
        .collect();
    // Most tests split the records (neither none nor all match).
    let splitting = cases
        .iter()
        .filter(|(_, _, (count, total))| *count > 0 && count < total)
        .count();
    assert!(
        splitting * 2 > cases.len(),
        "{splitting} of {}",
        cases.len()
    );

    for data in [&loaded, &read_back] {
        // The representations are the ones the spans call for.
        for c in INT_COLUMNS {
            assert_eq!(narrow(data, "people", c.name), c.span == SPAN, "{}", c.name);
        }
        for (name, span) in TIME_COLUMNS {
            assert_eq!(narrow(data, "people", name), *span == SPAN, "{name}");
        }
        assert!(narrow(data, "people", "id"));
        assert!(!narrow(data, "acts", "person_id"));
        assert!(narrow(data, "acts", "n") && !narrow(data, "acts", "m"));
        assert!(narrow(data, "acts", "at"));

        for (segment, query, sql) in &cases {
            let engine = segment_engine::count(data, query).unwrap();
            assert_eq!(
                (engine.count, engine.total),
                *sql,
                "{}",
                segment_model::canonical::to_string_pretty(segment)
            );
        }
    }
}
