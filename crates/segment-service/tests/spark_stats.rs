//! Statistics read on Spark: a small table's are exactly the SQLite file's (rows, NULLs,
//! distinct values, min/max, top values); a table over the sampling threshold is read through
//! `TABLESAMPLE (p PERCENT)` and says how many rows its figures come from. And a member list
//! read batch by batch (Arrow batches as they arrive) is the engine's. Needs
//! `SEGMENT_SPARK_URL` (scripts/with-spark.sh); skipped without.

use std::collections::BTreeMap;

use segment_import::stats::EntityStats;
use segment_service::warehouse_stats::SampleLimits;
use segment_service::{open_location, EngineCache, Location, OpenOptions, Service};
use segment_source::{CancelToken, DemoOptions};
use segment_spark::{ConnectUrl, SparkClient};

struct Demo {
    file: Vec<EntityStats>,
    spark: Service,
    engine: Service,
    _dir: tempfile::TempDir,
}

fn demo(url: &str) -> Demo {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.sqlite");
    segment_source::generate_demo(
        &path,
        DemoOptions {
            profiles: 3000,
            seed: 5,
        },
    )
    .unwrap();
    let database = format!("stats_{}", std::process::id());
    let client = SparkClient::connect(&ConnectUrl::parse(url).unwrap()).unwrap();
    segment_spark::load::copy_sqlite(&path, &client, &database, dir.path()).unwrap();
    let opened = segment_import::open(&path, None).unwrap();
    let file =
        segment_import::stats::compute(&opened.source, &opened.schema, &BTreeMap::new()).unwrap();
    let engine = segment_service::open_sqlite(&path, None, EngineCache::new()).unwrap();
    let options = OpenOptions {
        schema: Some(&database),
        ..Default::default()
    };
    let spark =
        open_location(&Location::parse(url).unwrap(), &options, EngineCache::new()).unwrap();
    Demo {
        file,
        spark,
        engine,
        _dir: dir,
    }
}

fn server() -> Option<String> {
    let url = std::env::var("SEGMENT_SPARK_URL").ok();
    if url.is_none() {
        eprintln!("SEGMENT_SPARK_URL is not set (scripts/with-spark.sh sets it): skipped");
    }
    url
}

fn entity<'a>(stats: &'a [EntityStats], name: &str) -> &'a EntityStats {
    stats.iter().find(|e| e.name == name).unwrap()
}

#[test]
fn statistics_on_spark_are_the_files_and_large_tables_are_sampled() {
    let Some(url) = server() else { return };
    let demo = demo(&url);
    let token = CancelToken::new();

    // Members in Arrow batches as they arrive: the engine's, in the same order.
    let text = r#"{"version": 1, "entity": "profiles", "root": {"combinator": "and", "children": [
        {"type": "condition", "attribute": "country", "operator": "is", "value": "US"}]}}"#;
    let now = chrono::Utc::now();
    let check = |service: &Service| {
        service
            .check(segment_model::canonical::parse(text).unwrap(), None, now)
            .unwrap()
    };
    let on_engine = demo.engine.members(&check(&demo.engine), &token).unwrap();
    let on_spark = demo.spark.members(&check(&demo.spark), &token).unwrap();
    assert!(on_engine.ids.len() > 100);
    assert_eq!(on_spark, on_engine);

    let exact = demo.spark.stats(SampleLimits::default(), &token).unwrap();
    assert_eq!(exact.len(), demo.file.len());
    for on_file in &demo.file {
        let on_spark = entity(&exact, &on_file.name);
        assert_eq!(on_spark.rows, on_file.rows, "{}", on_file.name);
        assert_eq!(on_spark.sampled_rows, None);
        for file_column in &on_file.columns {
            let Some(c) = on_spark.columns.iter().find(|c| c.name == file_column.name) else {
                continue;
            };
            let at = format!("{}.{}", on_file.name, c.name);
            assert_eq!(c.nulls, file_column.nulls, "{at}");
            assert_eq!(c.distinct, file_column.distinct, "{at}");
            assert_eq!(c.min, file_column.min, "{at}");
            assert_eq!(c.max, file_column.max, "{at}");
            assert_eq!(c.top.len(), file_column.top.len(), "{at}");
            // Ties may order differently (collations): each value's count is the same.
            for t in &c.top {
                if let Some(f) = file_column.top.iter().find(|f| f.value == t.value) {
                    assert_eq!(t.count, f.count, "{at} {}", t.value);
                }
            }
            if let (Some(t), Some(f)) = (c.top.first(), file_column.top.first()) {
                assert_eq!(t.count, f.count, "{at}: the most frequent value's count");
            }
        }
    }

    // Sampled: every table over 1,000 rows, read to about 2,000 rows.
    let limits = SampleLimits {
        exact_rows: 1_000,
        sample_rows: 2_000,
    };
    let sampled = demo.spark.stats(limits, &token).unwrap();
    let events = entity(&sampled, "events");
    let events_exact = entity(&exact, "events");
    let read = events.sampled_rows.expect("events are sampled");
    assert!(read > 0 && read < events_exact.rows / 2, "read {read} rows");
    // The row count is the server's estimate (ANALYZE ran after the copy).
    let off = events.rows.abs_diff(events_exact.rows) as f64 / events_exact.rows as f64;
    assert!(
        off < 0.1,
        "estimate {} of {}",
        events.rows,
        events_exact.rows
    );
    for c in &events.columns {
        let e = events_exact
            .columns
            .iter()
            .find(|x| x.name == c.name)
            .unwrap();
        assert!(
            c.distinct <= e.distinct,
            "{}: a sample has no more values",
            c.name
        );
        assert!((0.0..=1.0).contains(&c.null_share), "{}", c.name);
    }
    let name =
        |s: &EntityStats| s.columns.iter().find(|c| c.name == "name").unwrap().top[0].clone();
    assert_eq!(name(events).value, name(events_exact).value);
    let scaled = name(events).count as f64 / name(events_exact).count as f64;
    assert!(
        (0.7..1.3).contains(&scaled),
        "scaled top count off by {scaled}"
    );
}
