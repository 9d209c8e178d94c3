//! Statistics read on PostgreSQL: a small table's are exactly the SQLite file's (rows, NULLs,
//! distinct values, min/max, top values); a table over the sampling threshold is read through
//! `TABLESAMPLE SYSTEM` and says how many rows its figures come from. Needs `SEGMENT_PG_URL`
//! (scripts/with-postgres.sh); skipped without.

mod stats_check;

use std::collections::BTreeMap;

use segment_service::warehouse_stats::SampleLimits;
use segment_service::{open_location, EngineCache, Location, OpenOptions, Service};
use segment_source::{CancelToken, DemoOptions};

struct Demo {
    file: Vec<segment_import::stats::EntityStats>,
    pg: Service,
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
    let schema = format!("stats_{}", std::process::id());
    let settings = segment_postgres::Settings {
        url: url.to_string(),
        schema: Some(schema.clone()),
        ..Default::default()
    };
    segment_postgres::load::copy_sqlite(&path, &settings, true).unwrap();
    let opened = segment_import::open(&path, None).unwrap();
    let file =
        segment_import::stats::compute(&opened.source, &opened.schema, &BTreeMap::new()).unwrap();
    let options = OpenOptions {
        schema: Some(&schema),
        ..Default::default()
    };
    let pg = open_location(&Location::parse(url).unwrap(), &options, EngineCache::new()).unwrap();
    Demo {
        file,
        pg,
        _dir: dir,
    }
}

fn server() -> Option<String> {
    let url = std::env::var("SEGMENT_PG_URL").ok();
    if url.is_none() {
        eprintln!("SEGMENT_PG_URL is not set (scripts/with-postgres.sh sets it): skipped");
    }
    url
}

#[test]
fn statistics_on_postgresql_are_the_files_and_large_tables_are_sampled() {
    let Some(url) = server() else { return };
    let demo = demo(&url);
    let token = CancelToken::new();

    let exact = demo.pg.stats(SampleLimits::default(), &token).unwrap();
    stats_check::same_as_file(&exact, &demo.file);

    // Sampled: every table over 1,000 rows, read to about 2,000 rows.
    let limits = SampleLimits {
        exact_rows: 1_000,
        sample_rows: 2_000,
    };
    let sampled = demo.pg.stats(limits, &token).unwrap();
    let events = stats_check::entity(&sampled, "events");
    let events_exact = stats_check::entity(&exact, "events");
    stats_check::a_fair_sample(events, events_exact);
    // The row count is the server's estimate (ANALYZE ran after the copy).
    let off = events.rows.abs_diff(events_exact.rows) as f64 / events_exact.rows as f64;
    assert!(
        off < 0.1,
        "estimate {} of {}",
        events.rows,
        events_exact.rows
    );
}
