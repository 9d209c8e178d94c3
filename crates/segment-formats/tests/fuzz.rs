//! Hostile input into every parser: arbitrary strings, token soup from each format's own
//! vocabulary, mutated valid documents (bytes cut, repeated, flipped; JSON values and keys
//! replaced), huge runs of text spliced in, and very deep nesting. Parsers return errors; they
//! never panic, overflow the stack or hang, and their errors stay short (user text is clipped).
//!
//! One harness per parser (`mod pql_text`, `mod odata`, …), each property run
//! `SEGMENT_FUZZ_CASES` times (default 512: about 2,500 inputs per parser in CI). A long run:
//! `SEGMENT_FUZZ_CASES=100000 cargo test --release -p segment-formats --test fuzz` (figures in
//! docs/FUZZING.md).

mod common;
mod generate;

use proptest::prelude::*;
use segment_formats::{parse_as, render_as, Error, Format};

fn pql_token() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "(",
        ")",
        "[",
        "]",
        ",",
        ".",
        "=",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "and",
        "or",
        "not",
        "in",
        "notIn",
        "like",
        "occurs",
        "exists",
        "select",
        "from",
        "where",
        "E",
        "events",
        "country",
        "age",
        "tags",
        "signed_up_at",
        "ts",
        "name",
        "amount",
        "count",
        "sum",
        "contains",
        "isNull",
        "getMonth",
        "date",
        "now",
        "before",
        "after",
        "between",
        "on",
        "this",
        "last",
        "days",
        "weeks",
        "month",
        "true",
        "false",
        "\"US\"",
        "\"",
        "3",
        "-1",
        "2.5",
        "1e400",
        "99999999999999999999",
        "$1",
    ])
    .prop_map(str::to_string)
}

fn odata_token() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "(",
        ")",
        ",",
        "/",
        ":",
        "=",
        "eq",
        "ne",
        "gt",
        "ge",
        "lt",
        "le",
        "in",
        "and",
        "or",
        "not",
        "add",
        "sub",
        "null",
        "true",
        "false",
        "country",
        "age",
        "tags",
        "events",
        "e",
        "e/name",
        "e/ts",
        "v",
        "any",
        "all",
        "$count",
        "$filter",
        "contains",
        "tolower",
        "date",
        "month",
        "length",
        "now()",
        "duration'P30D'",
        "duration'PX'",
        "'US'",
        "'",
        "''",
        "3",
        "-1",
        "2024-05-01",
        "2024-05-01T10:00:00Z",
        "2024-13-45",
        "1e400",
    ])
    .prop_map(str::to_string)
}

/// Longest error a parser may return, in characters: a clipped echo (80), a position, a message
/// and a hint each bounded (600), whatever the input's size.
const MAX_ERROR: usize = 1_600;

fn cases() -> u32 {
    std::env::var("SEGMENT_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: cases(),
        // Only some random trees are expressible in ODP: long runs filter out many more.
        max_local_rejects: cases().saturating_mul(64).max(65_536),
        // Failures are shrunk and reported, not written next to the sources.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Parses `text`: success, or an error of bounded length. A panic fails the test by itself.
fn check(format: Format, text: &str) -> Result<(), TestCaseError> {
    if let Err(e) = parse_as(format, text, &common::schema(), None) {
        let shown = e.to_string();
        let n = shown.chars().count();
        prop_assert!(
            n <= MAX_ERROR,
            "{}: an error of {} characters for {} bytes of input: {}…",
            format,
            n,
            text.len(),
            shown.chars().take(400).collect::<String>()
        );
        if let Error::Syntax { at, .. } | Error::Unrepresentable { at, .. } = &e {
            prop_assert!(
                at.to_string().chars().count() <= MAX_ERROR,
                "{format}: {at}"
            );
        }
    }
    Ok(())
}

fn json_token() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\"",
        "null",
        "true",
        "false",
        "0",
        "-1",
        "2.5",
        "1e400",
        "\"version\"",
        "1",
        "\"entity\"",
        "\"profiles\"",
        "\"root\"",
        "\"combinator\"",
        "\"and\"",
        "\"or\"",
        "\"children\"",
        "\"type\"",
        "\"condition\"",
        "\"relationship\"",
        "\"attribute\"",
        "\"country\"",
        "\"age\"",
        "\"events\"",
        "\"operator\"",
        "\"is\"",
        "\"greater_than\"",
        "\"value\"",
        "\"US\"",
        "\"filter\"",
        "\"constraint\"",
        "\"window\"",
        "\"nodeType\"",
        "\"fnApply\"",
        "\"fnName\"",
        "\"params\"",
        "\"fieldLookup\"",
        "\"fieldName\"",
        "\"object\"",
        "\"parameterReference\"",
        "\"position\"",
        "\"literal\"",
        "\"literalType\"",
        "\"String\"",
        "\"Integer\"",
        "\"not\"",
        "\"exists\"",
        "\"root_condition\"",
        "\"customer_condition\"",
        "\"sequence_condition\"",
        "\"and_condition\"",
        "\"not_condition\"",
        "\"conditions\"",
        "\"comparison\"",
        "\"comparator\"",
        "\"EQUALS\"",
        "\"path_reference\"",
        "\"customer.country\"",
        "\"max_age_seconds\"",
        "\"min_count\"",
        "\"molecule\"",
        "\"operation\"",
        "\"AND\"",
        "\"atomic\"",
        "\"column\"",
        "\"equal\"",
    ])
    .prop_map(str::to_string)
}

/// Tokens of the format's own language, joined: inputs that get past the lexer.
fn soup(format: Format) -> BoxedStrategy<String> {
    match format {
        Format::PqlText => prop::collection::vec(pql_token(), 0..60)
            .prop_map(|t| t.join(" "))
            .boxed(),
        Format::Odata => prop::collection::vec(odata_token(), 0..60)
            .prop_map(|t| t.join(" "))
            .boxed(),
        _ => prop::collection::vec(json_token(), 0..80)
            .prop_map(|t| t.concat())
            .boxed(),
    }
}

/// A valid document of the format (a random tree it can express, rendered).
fn document(format: Format) -> BoxedStrategy<String> {
    generate::segment(format)
        .prop_filter_map("the format cannot express it", move |s| {
            render_as(format, &s, &common::schema(), None).ok()
        })
        .boxed()
}

/// A huge run of one kind of text: identifier, digits, quoted text, brackets, spaces.
fn huge_run() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["q", "7", "\"", "(", "[", "{", " ", "é", "-", "'"]),
        1_000usize..20_000,
    )
        .prop_map(|(unit, n)| unit.repeat(n))
}

/// Cuts `len` bytes at `at`, or repeats them, or flips one bit there (lossy back to text).
fn mutate(text: &str, kind: u8, at: usize, len: usize, bit: u8) -> String {
    let bytes = text.as_bytes();
    let at = at % (bytes.len() + 1);
    let end = (at + len).min(bytes.len());
    let mut out = bytes[..at].to_vec();
    match kind % 3 {
        0 => out.extend_from_slice(&bytes[end..]),
        1 => {
            out.extend_from_slice(&bytes[at..end]);
            out.extend_from_slice(&bytes[at..]);
        }
        _ => {
            out.extend_from_slice(&bytes[at..]);
            if let Some(b) = out.get_mut(at) {
                *b ^= 1 << (bit % 8);
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Replaces the `pick`-th string, key or number of a JSON document with `with`.
fn replace_in_json(text: &str, pick: usize, with: &str, key: bool) -> Option<String> {
    fn walk(v: &mut serde_json::Value, n: &mut usize, with: &str, key: bool) -> bool {
        use serde_json::Value;
        match v {
            Value::Object(map) => {
                let keys: Vec<String> = map.keys().cloned().collect();
                for k in keys {
                    if key {
                        if *n == 0 {
                            if let Some(inner) = map.remove(&k) {
                                map.insert(with.to_string(), inner);
                            }
                            return true;
                        }
                        *n -= 1;
                    }
                    if let Some(inner) = map.get_mut(&k) {
                        if walk(inner, n, with, key) {
                            return true;
                        }
                    }
                }
                false
            }
            Value::Array(items) => items.iter_mut().any(|i| walk(i, n, with, key)),
            Value::String(_) | Value::Number(_) if !key => {
                if *n == 0 {
                    *v = Value::String(with.to_string());
                    return true;
                }
                *n -= 1;
                false
            }
            _ => false,
        }
    }
    let mut value: serde_json::Value = serde_json::from_str(text).ok()?;
    let mut n = pick;
    walk(&mut value, &mut n, with, key).then(|| value.to_string())
}

/// The harness of one parser: four properties over its inputs.
macro_rules! harness {
    ($name:ident, $format:expr) => {
        mod $name {
            use super::*;

            proptest! {
                #![proptest_config(config())]

                #[test]
                fn arbitrary_text(text in "\\PC{0,300}") {
                    check($format, &text)?;
                }

                #[test]
                fn token_soup(text in soup($format)) {
                    check($format, &text)?;
                }

                /// A valid document with bytes cut out, repeated or flipped.
                #[test]
                fn mutated_documents(
                    text in document($format),
                    kind in any::<u8>(),
                    at in any::<usize>(),
                    len in 0usize..24,
                    bit in any::<u8>(),
                ) {
                    check($format, &mutate(&text, kind, at, len, bit))?;
                }

                /// A huge run spliced into a valid document (or, for JSON, put in place of one
                /// of its values or keys): the error repeats at most a clipped part of it.
                #[test]
                fn huge_runs(
                    text in document($format),
                    run in huge_run(),
                    at in any::<usize>(),
                    pick in 0usize..40,
                    key in any::<bool>(),
                ) {
                    let mut at = at % (text.len() + 1);
                    while !text.is_char_boundary(at) {
                        at -= 1;
                    }
                    check($format, &format!("{}{run}{}", &text[..at], &text[at..]))?;
                    if let Some(json) = replace_in_json(&text, pick, &run, key) {
                        check($format, &json)?;
                    }
                }
            }
        }
    };
}

harness!(canonical, Format::Canonical);
harness!(census, Format::Census);
harness!(pql_text, Format::PqlText);
harness!(pql_json, Format::PqlJson);
harness!(odata, Format::Odata);
harness!(odp, Format::Odp);

fn assert_refused(format: Format, text: &str) {
    let schema = common::schema();
    let started = std::time::Instant::now();
    let result = parse_as(format, text, &schema, None);
    assert!(result.is_err(), "{format}: deep input was accepted");
    // Not a timing test: a generous bound that only a hang or quadratic blow-up would exceed.
    assert!(
        started.elapsed().as_secs() < 20,
        "{format}: took {:?}",
        started.elapsed()
    );
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let depth = 100_000;
    let parens = format!("{}country = \"US\"{}", "(".repeat(depth), ")".repeat(depth));
    assert_refused(Format::PqlText, &parens);
    assert_refused(
        Format::PqlText,
        &format!("{}country = \"US\"", "not ".repeat(depth)),
    );
    assert_refused(
        Format::PqlText,
        &format!("country in {}", "[".repeat(depth)),
    );
    assert_refused(
        Format::PqlText,
        &format!(
            "{}{}",
            "exists E from events where ".repeat(depth),
            "E.name = \"x\""
        ),
    );
    assert_refused(
        Format::Odata,
        &format!("{}country eq 'US'{}", "(".repeat(depth), ")".repeat(depth)),
    );
    assert_refused(
        Format::Odata,
        &format!("{}country eq 'US'", "not ".repeat(depth)),
    );
    assert_refused(
        Format::Odata,
        &format!(
            "{}e/name eq 'x'{}",
            "events/any(e: ".repeat(depth),
            ")".repeat(depth)
        ),
    );
    assert_refused(
        Format::Odata,
        &format!("{}1{}", "tolower(".repeat(depth), ")".repeat(depth)),
    );
    let not = r#"{"nodeType":"fnApply","fnName":"not","params":["#;
    assert_refused(
        Format::PqlJson,
        &format!("{}{}", not.repeat(depth), "]}".repeat(depth)),
    );
    let not = r#"{"not_condition":{"condition":"#;
    assert_refused(
        Format::Odp,
        &format!(
            r#"{{"root_condition":{}{}}}"#,
            not.repeat(depth),
            "}}".repeat(depth)
        ),
    );
    assert_refused(
        Format::Census,
        &format!("{}{}", "[".repeat(depth), "]".repeat(depth)),
    );
    assert_refused(
        Format::Canonical,
        &format!("{}{}", "[".repeat(depth), "]".repeat(depth)),
    );
}

#[test]
fn nesting_within_the_limits_still_reads() {
    let schema = common::schema();
    let text = format!("{}country = \"US\"{}", "(".repeat(60), ")".repeat(60));
    assert!(parse_as(Format::PqlText, &text, &schema, None).is_ok());
    let text = format!("{}country eq 'US'{}", "(".repeat(60), ")".repeat(60));
    assert!(parse_as(Format::Odata, &text, &schema, None).is_ok());
    match parse_as(
        Format::PqlText,
        &format!("{}country = \"US\"{}", "(".repeat(200), ")".repeat(200)),
        &schema,
        None,
    ) {
        Err(Error::Syntax { message, .. }) => assert!(message.contains("levels deep"), "{message}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn long_flat_input_reads_in_linear_time() {
    let schema = common::schema();
    let many = vec!["country = \"US\""; 20_000].join(" or ");
    let started = std::time::Instant::now();
    assert!(parse_as(Format::PqlText, &many, &schema, None).is_ok());
    let many = vec!["country eq 'US'"; 20_000].join(" or ");
    assert!(parse_as(Format::Odata, &many, &schema, None).is_ok());
    assert!(
        started.elapsed().as_secs() < 20,
        "took {:?}",
        started.elapsed()
    );
}

/// Groups nested `depth` deep, alternating AND/OR, every `negate_every`-th negated.
fn deep_tree(depth: usize, negate_every: usize) -> segment_model::Segment {
    use segment_model::tree::{Combinator, Condition, Group, Node};
    let leaf = Node::Condition(Condition::new(
        "age",
        segment_model::Operator::GreaterThan,
        serde_json::json!(30),
    ));
    let mut node = leaf.clone();
    for level in 0..depth {
        let combinator = if level % 2 == 0 {
            Combinator::And
        } else {
            Combinator::Or
        };
        let negated = negate_every > 0 && level % negate_every == 0;
        node = Node::Group(Group {
            combinator,
            negated,
            children: vec![leaf.clone(), node],
        });
    }
    let root = match node {
        Node::Group(g) => g,
        other => Group::and(vec![other]),
    };
    segment_model::Segment::new(Some("profiles".into()), root)
}

#[test]
fn the_deepest_valid_trees_render_everywhere_and_deep_ones_read_back() {
    let schema = common::schema();
    // At the model's depth limit: every renderer writes it (or says what it cannot), no overflow.
    let deepest = deep_tree(segment_formats::MAX_DEPTH - 1, 2);
    for format in Format::ALL {
        match render_as(format, &deepest, &schema, None) {
            Ok(text) if format.parses() => {
                // Reads back, or is refused as too deep; never overflows.
                if let Err(e) = parse_as(format, &text, &schema, None) {
                    assert!(
                        e.to_string().contains("levels deep")
                            || e.to_string().contains("recursion limit"),
                        "{format}: {e}"
                    );
                }
            }
            Ok(_) => {}
            Err(e) => assert!(
                matches!(e, Error::Unsupported { .. } | Error::Model(_)),
                "{format}: {e}"
            ),
        }
    }
    // 40 levels of plain groups read back from every text format.
    let deep = deep_tree(40, 0);
    for format in [Format::PqlText, Format::Odata] {
        let text = render_as(format, &deep, &schema, None).unwrap();
        let back =
            parse_as(format, &text, &schema, None).unwrap_or_else(|e| panic!("{format}: {e}"));
        assert_eq!(
            back,
            segment_formats::normalize(&deep, &schema, None),
            "{format}"
        );
    }
}
