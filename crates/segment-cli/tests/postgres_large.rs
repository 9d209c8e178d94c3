//! The 100,000-profile demo on PostgreSQL: `members freeze` reads the members through a
//! cursor in batches of 10,000 and stores exactly the members the engine finds in the same
//! data as a SQLite file; `schema --stats` reads the large events table from a sample and says
//! so. Needs `SEGMENT_PG_URL` (scripts/with-postgres.sh); skipped without.

use segment_testkit::{cond, or, related, segment, Cli, Workdir};

fn bin() -> Cli {
    Cli::new(env!("CARGO_BIN_EXE_segment-builder"))
}

#[test]
fn the_100k_demo_on_postgresql_freezes_the_engines_members_and_samples_its_statistics() {
    let Ok(url) = std::env::var("SEGMENT_PG_URL") else {
        eprintln!("SEGMENT_PG_URL is not set (scripts/with-postgres.sh sets it): skipped");
        return;
    };
    let file = segment_testkit::demo(&bin(), 100_000, None)
        .path_str()
        .to_string();
    let schema = format!("cli_freeze_100k_{}", std::process::id());
    let settings = segment_postgres::Settings {
        url: url.clone(),
        schema: Some(schema.clone()),
        ..Default::default()
    };
    segment_postgres::load::copy_sqlite(std::path::Path::new(&file), &settings, true).unwrap();

    let dir = Workdir::new();
    let store = dir.path("library.sqlite").to_str().unwrap().to_string();
    let definition = dir.json(
        "buyers.json",
        &segment(
            "profiles",
            or([
                cond("country", "is", "US"),
                related("events", 1, [cond("name", "is", "purchase")]),
            ]),
        ),
    );
    let lib = |args: &[&str]| {
        let mut all = vec![args[0], "--store", &store];
        all.extend_from_slice(&args[1..]);
        bin().ok(&all)
    };
    lib(&[
        "segments",
        "save",
        "buyers",
        "--file",
        &definition,
        "--data",
        &file,
    ]);
    let now = "2026-11-01";
    let on_postgres = lib(&[
        "members",
        "freeze",
        "buyers",
        "--into",
        "buyers_pg",
        "--data",
        &url,
        "--schema",
        &schema,
        "--now",
        now,
    ]);
    let on_file = lib(&[
        "members",
        "freeze",
        "buyers",
        "--into",
        "buyers_file",
        "--data",
        &file,
        "--now",
        now,
    ]);
    let count = on_file["individualCount"].as_u64().unwrap();
    assert!(count > 30_000, "several batches of 10,000: {count}");
    assert_eq!(on_postgres["individualCount"], on_file["individualCount"]);

    let mut library = segment_store::Store::open(&store).unwrap();
    let from_postgres = library.active_member_ids("buyers_pg").unwrap();
    let from_file = library.active_member_ids("buyers_file").unwrap();
    assert_eq!(from_postgres.len() as u64, count);
    assert_eq!(from_postgres, from_file);

    // Statistics: profiles (100,000 rows) exactly, events (about a million) from a sample.
    let stats = bin().ok(&["schema", "--data", &url, "--schema", &schema, "--stats"]);
    let entity = |name: &str| {
        stats["entities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(entity("profiles")["rows"], 100_000);
    assert!(entity("profiles").get("note").is_none());
    let events = entity("events");
    let read = events["sampled_rows"].as_u64().expect("events are sampled");
    assert!((30_000..300_000).contains(&read), "read {read} rows");
    assert_eq!(
        events["note"],
        format!("estimated from a sample of {read} rows").as_str()
    );
    eprintln!(
        "events: {} rows estimated, {read} read",
        events["rows"].as_u64().unwrap()
    );
}
