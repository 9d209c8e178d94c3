//! `segment-builder snapshots`: the copies of local data kept for fast starts, listed (words
//! and `--json`) and removed, in the folder `SEGMENT_BUILDER_SNAPSHOTS` names.

use segment_testkit::{all_of, arg as s, cond, stdout_text, Cli, Workdir};

#[test]
fn a_count_leaves_a_copy_that_is_listed_and_removed() {
    let dir = Workdir::new();
    let folder = dir.path("kept");
    let cli = Cli::new(env!("CARGO_BIN_EXE_segment-builder"))
        .env("SEGMENT_BUILDER_SNAPSHOTS", &folder)
        .env("SEGMENT_BUILDER_STORE", dir.path("store/sources.json"));
    let data = dir.path("demo.sqlite");
    cli.ok(&["demo", "--out", s(&data), "--profiles", "200"]);
    let data = std::fs::canonicalize(&data).unwrap();

    let none = stdout_text(&cli.run(&["snapshots"]));
    assert!(none.starts_with("No copies of your data"), "{none}");

    let seg = dir.json("seg.json", &all_of("profiles", [cond("plan", "is", "pro")]));
    let counted = cli.ok(&["count", "--data", s(&data), "--segment", &seg]);
    assert!(counted["count"].as_u64().unwrap() > 0);

    let listed = cli.ok(&["snapshots", "--json"]);
    assert_eq!(listed["dir"], s(&folder));
    let kept = listed["snapshots"].as_array().unwrap();
    assert_eq!(kept.len(), 1, "{listed}");
    assert_eq!(kept[0]["source"], s(&data));
    let bytes = kept[0]["bytes"].as_u64().unwrap();
    assert!(bytes > 1000, "{listed}");
    assert_eq!(listed["bytes"], bytes);
    assert!(std::path::Path::new(kept[0]["file"].as_str().unwrap()).starts_with(&folder));
    assert!(kept[0]["last_used"].as_i64().unwrap() > 1_700_000_000);

    let words = stdout_text(&cli.run(&["snapshots"]));
    assert!(
        words.starts_with("1 copy of your data for fast starts, "),
        "{words}"
    );
    assert!(
        words.contains(&format!("  {}  ", data.display())),
        "{words}"
    );
    assert!(words.contains("last used 20"), "{words}");
    assert!(
        words.contains("segment-builder snapshots --clear"),
        "{words}"
    );

    let cleared = stdout_text(&cli.run(&["snapshots", "--clear"]));
    assert!(
        cleared.starts_with(&format!(
            "Removed 1 copy of your data from {}: ",
            folder.display()
        )),
        "{cleared}"
    );
    assert!(cleared.trim_end().ends_with("freed."), "{cleared}");
    assert_eq!(
        cli.ok(&["snapshots", "--json"])["snapshots"],
        serde_json::json!([])
    );
    assert!(std::fs::read_dir(&folder).unwrap().next().is_none());

    let again = cli.ok(&["snapshots", "--clear", "--json"]);
    assert_eq!(again["removed"], 0);
    assert_eq!(again["bytes"], 0);
    // The data file itself is untouched.
    assert!(data.exists());
}

#[test]
fn off_means_none_kept_and_says_so() {
    let cli = Cli::new(env!("CARGO_BIN_EXE_segment-builder"));
    let words = stdout_text(&cli.run(&["snapshots"]));
    assert!(words.contains("SEGMENT_BUILDER_SNAPSHOTS=off"), "{words}");
    let listed = cli.ok(&["snapshots", "--json"]);
    assert_eq!(listed["dir"], serde_json::Value::Null);
}
