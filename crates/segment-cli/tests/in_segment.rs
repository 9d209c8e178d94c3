//! "Is in segment" from the command line: `count`, `sql`, `validate` and `render` read the
//! referenced segment from the library given with `--store`; `segments delete` refuses a
//! segment another one uses.

use std::path::Path;

use segment_testkit::{all_of, cond, stdout_text, Cli, Workdir};
use serde_json::json;

fn cli() -> Cli {
    Cli::new(env!("CARGO_BIN_EXE_segment-builder"))
}

fn data() -> &'static Path {
    &segment_testkit::demo(&cli(), 2000, Some(5)).path
}

#[test]
fn count_sql_validate_and_render_resolve_references_from_the_store() {
    let dir = Workdir::new();
    let store = dir.path("library.sqlite");
    let store = store.to_str().unwrap();
    let d = data().to_str().unwrap();
    let us = dir.file(
        "us.json",
        all_of("profiles", [cond("country", "is", "US")]).to_string(),
    );
    cli().ok(&[
        "segments", "--store", store, "save", "us", "--file", &us, "--name", "US",
    ]);

    let count = |segment: &str| {
        cli().ok(&[
            "count",
            "--data",
            d,
            "--segment",
            segment,
            "--store",
            store,
            "--now",
            "2026-11-01",
        ])["count"]
            .as_u64()
            .unwrap()
    };
    let direct = count(&us);
    let in_us = dir.file(
        "in_us.json",
        all_of("profiles", [json!({"type": "in_segment", "segment": "us"})]).to_string(),
    );
    let not_in_us = dir.file(
        "not_in_us.json",
        all_of(
            "profiles",
            [json!({"type": "in_segment", "segment": "us", "negated": true})],
        )
        .to_string(),
    );
    let total = count(&dir.file("all.json", all_of("profiles", []).to_string()));
    assert!(direct > 0 && direct < total, "{direct} of {total}");
    assert_eq!(count(&in_us), direct);
    assert_eq!(count(&not_in_us), total - direct);

    // The SQL inlines the definition, its value bound.
    let sql = cli().ok(&["sql", "--data", d, "--segment", &in_us, "--store", store]);
    assert!(
        sql["sql"]
            .as_str()
            .unwrap()
            .contains("t0.\"country\" = 'US'"),
        "{sql}"
    );
    assert_eq!(sql["statement"]["params"], json!(["US"]));
    let rendered = cli().ok(&[
        "validate",
        "--data",
        d,
        "--segment",
        &in_us,
        "--store",
        store,
    ]);
    assert_eq!(rendered, json!({"valid": true}));
    let english = cli().run(&["render", "--to", "english", "--segment", &in_us]);
    assert_eq!(stdout_text(&english), "Profiles who are in segment “us”.\n");
    let sql_text = cli().run(&[
        "render",
        "--to",
        "sql-postgres",
        "--data",
        d,
        "--segment",
        &in_us,
        "--store",
        store,
    ]);
    assert!(stdout_text(&sql_text).contains("t0.\"country\" = 'US'"));

    // Without the referenced segment in the library: a located problem, exit 1.
    let empty = dir.path("empty.sqlite");
    let (invalid, _, ok) = cli().outcome(&[
        "validate",
        "--data",
        d,
        "--segment",
        &in_us,
        "--store",
        empty.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert_eq!(
        invalid["problems"],
        json!([{"path": "/root/children/0/segment", "message": "There is no segment “us” in the library."}])
    );

    // The library keeps a used segment.
    cli().ok(&[
        "segments", "--store", store, "save", "us_users", "--file", &in_us, "--name", "US users",
    ]);
    // Saved with `--data`, the definition is checked with the segments it refers to read from
    // the library it goes into; a reference to a segment the library lacks is refused.
    cli().ok(&[
        "segments", "--store", store, "save", "us_again", "--file", &in_us, "--data", d,
    ]);
    let nowhere = dir.file(
        "in_nowhere.json",
        all_of(
            "profiles",
            [json!({"type": "in_segment", "segment": "nowhere"})],
        )
        .to_string(),
    );
    let missing = cli().fails(&[
        "segments", "--store", store, "save", "lost", "--file", &nowhere, "--data", d,
    ]);
    assert!(
        missing.contains("There is no segment “nowhere” in the library."),
        "{missing}"
    );
    cli().ok(&["segments", "--store", store, "delete", "us_again"]);
    let refused = cli().fails(&["segments", "--store", store, "delete", "us"]);
    assert!(
        refused.contains("is used by US users (us_users)"),
        "{refused}"
    );
}
