//! The import benchmark: the demo data (N profiles, about 10 events each) exported to CSV, then
//! imported by `segment-import` and by the sqlite3 shell's `.import` (when `sqlite3` is on the
//! PATH) from the same files. Prints a Markdown table for docs/PERFORMANCE.md.
//!
//! `cargo bench -p segment-import --bench import -- [PROFILES] [WORKDIR]`
//! (default 1,000,000 profiles, about 10M events; WORKDIR default: a temporary directory; the
//! CSV files are kept there and reused when present).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use rusqlite::types::Value;
use rusqlite::Connection;
use segment_import::{import, CancelToken, ImportRequest};
use segment_source::DemoOptions;

fn export(conn: &Connection, table: &str, path: &Path) -> u64 {
    let mut stmt = conn
        .prepare(&format!("SELECT * FROM {table} ORDER BY rowid"))
        .expect("select");
    let names: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
    let mut out = csv::Writer::from_path(path).expect("csv file");
    out.write_record(&names).expect("write");
    let mut rows = stmt.query([]).expect("query");
    let mut n = 0;
    let mut fields: Vec<String> = vec![String::new(); names.len()];
    while let Some(row) = rows.next().expect("row") {
        for (i, f) in fields.iter_mut().enumerate() {
            *f = match row.get::<_, Value>(i).expect("value") {
                Value::Null => String::new(),
                Value::Integer(v) => v.to_string(),
                Value::Real(v) => v.to_string(),
                Value::Text(s) => s,
                Value::Blob(_) => String::new(),
            };
        }
        out.write_record(&fields).expect("write");
        n += 1;
    }
    out.flush().expect("flush");
    n
}

fn sqlite3_import(csv: &Path, db: &Path, table: &str) -> Option<f64> {
    let _ = std::fs::remove_file(db);
    let started = Instant::now();
    let status = Command::new("sqlite3")
        .arg(db)
        .arg(format!(".import --csv {} {table}", csv.display()))
        .status()
        .ok()?;
    status.success().then(|| started.elapsed().as_secs_f64())
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let profiles: u64 = args
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir: PathBuf = args
        .get(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&dir).expect("workdir");
    let profiles_csv = dir.join(format!("profiles-{profiles}.csv"));
    let events_csv = dir.join(format!("events-{profiles}.csv"));
    let demo = dir.join(format!("demo-{profiles}.sqlite"));
    if !profiles_csv.exists() || !events_csv.exists() || !demo.exists() {
        let started = Instant::now();
        segment_source::generate_demo(&demo, DemoOptions { profiles, seed: 42 }).expect("demo");
        eprintln!(
            "demo data generated in {:.1}s",
            started.elapsed().as_secs_f64()
        );
        let conn = Connection::open(&demo).expect("open demo");
        export(&conn, "profiles", &profiles_csv);
        export(&conn, "events", &events_csv);
        drop(conn);
    }
    let mb = |p: &Path| {
        std::fs::metadata(p)
            .map(|m| m.len() as f64 / 1_048_576.0)
            .unwrap_or(0.0)
    };
    let ours = dir.join("imported.sqlite");
    let theirs = dir.join("sqlite3.sqlite");
    println!("| file | rows | MB | segment-import: scan | load | scan + load | + indexes | + ANALYZE | total | sqlite3 `.import` |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let _ = std::fs::remove_file(&ours);
    for (csv, table) in [(&profiles_csv, "profiles"), (&events_csv, "events")] {
        let mut req = ImportRequest::new(csv, &ours);
        req.table = Some(table.to_string());
        let report = import(&req, &mut |_| {}, &CancelToken::new()).expect("import");
        let t = &report.timings;
        let shell =
            sqlite3_import(csv, &theirs, table).map_or("n/a".to_string(), |s| format!("{s:.1} s"));
        println!(
            "| {table} | {} | {:.0} | {:.1} s | {:.1} s | {:.1} s | {:.1} s | {:.1} s | {:.1} s | {shell} |",
            report.rows,
            mb(csv),
            t.scan,
            t.load,
            t.scan + t.load,
            t.index,
            t.analyze,
            t.total,
        );
        eprintln!("{table}: indexes {:?}", report.indexes);
    }
    let conn = Connection::open(&ours).expect("open");
    let nulls: i64 = conn
        .query_row(
            "SELECT count(*) FROM profiles WHERE country IS NULL OR age IS NULL",
            [],
            |r| r.get(0),
        )
        .expect("nulls");
    let blanks: i64 = conn
        .query_row(
            "SELECT count(*) FROM profiles WHERE country = '' OR typeof(age) = 'text'",
            [],
            |r| r.get(0),
        )
        .expect("blanks");
    eprintln!("profiles with a NULL country or age: {nulls}; stored as '' or text: {blanks}");
    let _ = std::fs::remove_file(&theirs);
    drop(conn);
    count_both(&demo, &ours, &dir);
}

/// Count latency on the demo file and on the same data imported from CSV (relationships
/// confirmed from the proposals): the counts must be equal, the times comparable.
fn count_both(demo: &Path, imported: &Path, dir: &Path) {
    use serde_json::json;
    let store = segment_import::Store::new(dir.join("bench-store.json"));
    let _ = std::fs::remove_file(store.path());
    let opened = segment_import::open(imported, Some(&store)).expect("open imported");
    for p in segment_import::relate::propose(&opened.source, &opened.schema).expect("propose") {
        store.add_link(imported, p.link(), None).expect("confirm");
    }
    let mine = segment_import::open(imported, Some(&store)).expect("open imported");
    let theirs = segment_import::open(demo, None).expect("open demo");
    let cond = |a: &str, o: &str, v: serde_json::Value| json!({"type": "condition", "attribute": a, "operator": o, "value": v});
    let purchases = |constraint: serde_json::Value,
                     window: Option<serde_json::Value>,
                     extra: Vec<serde_json::Value>| {
        let mut children = vec![cond("name", "is", json!("purchase"))];
        children.extend(extra);
        let mut node = json!({"type": "relationship", "relationship": "events", "constraint": constraint,
            "filter": {"combinator": "and", "children": children}});
        if let Some(w) = window {
            node["window"] = w;
        }
        node
    };
    let segments = vec![
        ("country = 'US'", cond("country", "is", json!("US"))),
        (
            "signed up in the last 90 days",
            cond(
                "signed_up_at",
                "in_the_last",
                json!({"amount": 90, "unit": "day"}),
            ),
        ),
        (
            "age between 25 and 45",
            cond("age", "between", json!([25, 45])),
        ),
        (
            "purchase ≥ 3 times in the last 30 days",
            purchases(
                json!({"type": "occurrences", "operator": "at_least", "value": 3}),
                Some(json!({"type": "in_the_last", "amount": 30, "unit": "day"})),
                vec![],
            ),
        ),
        (
            "sum(amount) of purchases over 100 > 500",
            purchases(
                json!({"type": "aggregate", "function": "sum", "attribute": "amount", "operator": "more_than", "value": 500}),
                None,
                vec![cond("amount", "greater_than", json!(100))],
            ),
        ),
        (
            "JSON array tags contains 'vip'",
            cond("tags", "contains_any_of", json!(["vip"])),
        ),
    ];
    let now = chrono::DateTime::from_timestamp(segment_source::demo::ANCHOR, 0).expect("now");
    println!();
    println!("| segment (median of 5, ms) | demo file | imported from CSV | count |");
    println!("| --- | ---: | ---: | ---: |");
    for (name, node) in segments {
        let doc = json!({"version": 1, "entity": "profiles", "root": {"combinator": "and", "children": [node]}});
        let time = |opened: &segment_import::Opened| {
            let segment: segment_model::Segment =
                serde_json::from_value(doc.clone()).expect("segment");
            let query =
                segment_model::validate::check(&segment, &opened.schema, None, now).expect("valid");
            let count = opened.source.count(&query).expect("count").count;
            let mut times: Vec<f64> = (0..5)
                .map(|_| {
                    let t = Instant::now();
                    opened.source.count(&query).expect("count");
                    t.elapsed().as_secs_f64() * 1000.0
                })
                .collect();
            times.sort_by(f64::total_cmp);
            (count, times[2])
        };
        let (a, ta) = time(&theirs);
        let (b, tb) = time(&mine);
        assert_eq!(a, b, "{name}: the imported data counts differently");
        println!("| {name} | {ta:.1} | {tb:.1} | {a} |");
    }
}
