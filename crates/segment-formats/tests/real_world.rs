//! Real-world definitions from vendors' public documentation (`tests/corpus/real-world/`), read
//! without a data file: the schema is inferred from each example. For each example that reads:
//! rendered back in its own format it reads again as the same tree (under the same inferred
//! schema), and English and SQL render. Each one that does not is refused naming the construct.
//! The share read per format is printed and held above a floor (the target is 90%).

use std::path::PathBuf;

use segment_formats::{parse_as, parse_without_data, render_as, Error, Format};

struct Example {
    source: String,
    text: String,
}

fn examples(file: &str) -> Vec<Example> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus/real-world")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut out: Vec<Example> = Vec::new();
    for line in text.lines() {
        if let Some(source) = line.strip_prefix("## ") {
            out.push(Example {
                source: source.trim().to_string(),
                text: String::new(),
            });
        } else if let Some(example) = out.last_mut() {
            example.text.push_str(line);
            example.text.push('\n');
        }
    }
    for example in &mut out {
        example.text = example.text.trim().to_string();
    }
    out
}

/// What happened to one example.
enum Outcome {
    Read,
    Refused(String),
}

fn check(format: Format, example: &Example) -> Outcome {
    let (tree, schema) = match parse_without_data(format, &example.text, None) {
        Ok(read) => read,
        Err(e) => return Outcome::Refused(e.to_string()),
    };
    let entity = tree.entity.as_deref();
    let again = render_as(format, &tree, &schema, entity).unwrap_or_else(|e| {
        panic!(
            "{}: does not render back: {e}\n{}",
            example.source, example.text
        )
    });
    let back = parse_as(format, &again, &schema, entity).unwrap_or_else(|e| {
        panic!(
            "{}: its rendering does not read: {e}\n{again}",
            example.source
        )
    });
    assert_eq!(
        back, tree,
        "{}: rendering {again:?} reads differently",
        example.source
    );
    render_as(Format::English, &tree, &schema, entity)
        .unwrap_or_else(|e| panic!("{}: English: {e}", example.source));
    let now = chrono::DateTime::parse_from_rfc3339("2024-05-16T13:45:10Z")
        .unwrap()
        .to_utc();
    let query = segment_model::validate::check(&tree, &schema, entity, now)
        .unwrap_or_else(|p| panic!("{}: not valid under its schema: {p:?}", example.source));
    segment_sql::display(&query, &segment_sql::Sqlite)
        .unwrap_or_else(|e| panic!("{}: SQL: {e}", example.source));
    Outcome::Read
}

/// Reads every example of `file`; prints the share read and each refusal; returns (read, total).
fn run(format: Format, file: &str, require_named: bool) -> (usize, usize) {
    let all = examples(file);
    let mut read = 0;
    for example in &all {
        match check(format, example) {
            Outcome::Read => read += 1,
            Outcome::Refused(message) => {
                println!(
                    "refused [{}]: {}\n    {message}",
                    example.source, example.text
                );
                if require_named {
                    assert!(
                        !message.contains("unexpected character") && !message.contains("one of: )"),
                        "{}: refused without naming the construct: {message}",
                        example.source
                    );
                }
            }
        }
    }
    println!(
        "{}: {read} of {} read without data ({:.0}%)",
        format.label(),
        all.len(),
        100.0 * read as f64 / all.len().max(1) as f64
    );
    (read, all.len())
}

#[test]
fn the_corpus_has_enough_examples_with_sources() {
    for (file, at_least) in [
        ("pql-text.txt", 35),
        ("pql-json.txt", 15),
        ("odata.txt", 35),
    ] {
        let all = examples(file);
        assert!(all.len() >= at_least, "{file}: {} examples", all.len());
        assert!(
            all.iter()
                .all(|e| !e.source.is_empty() && !e.text.is_empty()),
            "{file}"
        );
    }
}

#[test]
fn odata_examples_read_without_data() {
    let (read, total) = run(Format::Odata, "odata.txt", true);
    assert!(read * 100 >= total * ODATA_FLOOR, "{read} of {total}");
}

#[test]
fn pql_text_examples_read_without_data() {
    let (read, total) = run(Format::PqlText, "pql-text.txt", true);
    assert!(read * 100 >= total * PQL_TEXT_FLOOR, "{read} of {total}");
}

#[test]
fn pql_json_examples_read_without_data() {
    let (read, total) = run(Format::PqlJson, "pql-json.txt", true);
    assert!(read * 100 >= total * PQL_JSON_FLOOR, "{read} of {total}");
}

/// Floors, in percent: the target.
const ODATA_FLOOR: usize = 90;
const PQL_TEXT_FLOOR: usize = 90;
const PQL_JSON_FLOOR: usize = 90;

#[test]
fn refusals_are_errors_of_the_format() {
    // An example that does not read is a located format error, never a panic or a model error.
    for (format, file) in [
        (Format::Odata, "odata.txt"),
        (Format::PqlText, "pql-text.txt"),
        (Format::PqlJson, "pql-json.txt"),
    ] {
        for example in examples(file) {
            if let Err(e) = parse_without_data(format, &example.text, None) {
                assert!(
                    matches!(e, Error::Syntax { .. } | Error::Unrepresentable { .. }),
                    "{}: {e:?}",
                    example.source
                );
            }
        }
    }
}
