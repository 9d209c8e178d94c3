//! The seeds' own conversion examples (`tests/corpus/seeds/conversions.json`), converted without
//! a data file: exactly the output the seed shows where it shows one, and into every other tree
//! format (or a refusal naming the construct); examples the tree cannot hold are refused by name.

use std::path::PathBuf;

use segment_formats::{parse_without_data, render_as, Error, Format};
use serde_json::Value;

fn format(name: &str) -> Format {
    Format::from_name(name).unwrap_or_else(|| panic!("unknown format {name}"))
}

fn examples() -> Vec<Value> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/seeds/conversions.json");
    let text = std::fs::read_to_string(path).unwrap();
    match serde_json::from_str(&text).unwrap() {
        Value::Array(items) => items,
        other => panic!("not a list: {other}"),
    }
}

#[test]
fn every_seed_example_converts_without_data() {
    let all = examples();
    assert!(all.len() >= 20, "{} examples", all.len());
    for example in all {
        let what = format!("seed {}: {}", example["seed"], example["what"]);
        let from = format(example["from"].as_str().unwrap());
        let text = example["text"].as_str().unwrap();
        let read = parse_without_data(from, text, None);
        if let Some(refused) = example["refused"].as_str() {
            let e = read.expect_err(&what);
            assert!(e.to_string().contains(refused), "{what}: {e}");
            continue;
        }
        let (tree, schema) = read.unwrap_or_else(|e| panic!("{what}: {e}"));
        if let Some(to) = example["to"].as_str() {
            let out = render_as(format(to), &tree, &schema, None)
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            match example["compare"].as_str() {
                Some("json") => assert_eq!(
                    serde_json::from_str::<Value>(&out).unwrap(),
                    example["expected"],
                    "{what}: {out}"
                ),
                _ => assert_eq!(out, example["expected"].as_str().unwrap(), "{what}"),
            }
        }
        for to in Format::ALL {
            match render_as(to, &tree, &schema, None) {
                Ok(out) => assert!(!out.trim().is_empty(), "{what} to {to}"),
                Err(Error::Unsupported { .. }) => {}
                // The Census writer is the model's: "Census molecules cannot express …".
                Err(Error::Model(segment_model::Error::Format(p)))
                    if p.message.contains("cannot express") => {}
                Err(e) => panic!("{what} to {to}: {e}"),
            }
        }
    }
}
