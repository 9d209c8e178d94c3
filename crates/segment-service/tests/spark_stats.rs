//! Statistics read on Spark: a small table's are exactly the SQLite file's (rows, NULLs,
//! distinct values, min/max, top values); a table over the sampling threshold is read through
//! `TABLESAMPLE (p PERCENT)` and says how many rows its figures come from. And a member list
//! read batch by batch (Arrow batches as they arrive) is the engine's. Needs
//! `SEGMENT_SPARK_URL` (scripts/with-spark.sh); skipped without.

mod stats_check;

use std::collections::BTreeMap;

use segment_service::warehouse_stats::SampleLimits;
use segment_service::{open_location, EngineCache, Location, OpenOptions, Service};
use segment_source::{CancelToken, DemoOptions};
use segment_spark::{ConnectUrl, SparkClient};

struct Demo {
    file: Vec<segment_import::stats::EntityStats>,
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
    stats_check::same_as_file(&exact, &demo.file);

    // Sampled: every table over 1,000 rows, read to about 2,000 rows.
    let limits = SampleLimits {
        exact_rows: 1_000,
        sample_rows: 2_000,
    };
    let sampled = demo.spark.stats(limits, &token).unwrap();
    let events = stats_check::entity(&sampled, "events");
    let events_exact = stats_check::entity(&exact, "events");
    stats_check::a_fair_sample(events, events_exact);
    // Spark counts a table from its metadata: the row count stays exact.
    assert_eq!(events.rows, events_exact.rows);
}
