//! PQL as Adobe's own documents and segment builder write it (sources in
//! `tests/data/pql_adobe.json`): each example is read, and what it reads round-trips
//! (tree → PQL → tree gives the same tree) in PQL text and pql/json; what is not read is refused
//! naming the construct and where it is.

mod common;

use segment_formats::{parse_as, render_as, Error, Format, Position};
use serde_json::Value;

fn examples() -> Vec<Value> {
    let text = include_str!("data/pql_adobe.json");
    let doc: Value = serde_json::from_str(text).unwrap();
    doc["examples"].as_array().unwrap().clone()
}

/// Reads `text` as `format`, then renders and reads the tree back in PQL text and pql/json.
fn reads_and_round_trips(format: Format, text: &str) -> serde_json::Value {
    let schema = common::schema();
    let tree = parse_as(format, text, &schema, None)
        .unwrap_or_else(|e| panic!("{format:?} did not read {text}: {e}"));
    for back in [Format::PqlText, Format::PqlJson] {
        let rendered = render_as(back, &tree, &schema, None)
            .unwrap_or_else(|e| panic!("{back:?} did not render what {text} reads: {e}"));
        let again = parse_as(back, &rendered, &schema, None)
            .unwrap_or_else(|e| panic!("{back:?} did not read {rendered}: {e}"));
        assert_eq!(again, tree, "{back:?}: {text}\n→ {rendered}");
    }
    serde_json::to_value(&tree.root).unwrap()
}

fn format_of(name: &str) -> Format {
    match name {
        "pql_text" => Format::PqlText,
        "pql_json" => Format::PqlJson,
        other => panic!("unknown format {other}"),
    }
}

#[test]
fn every_example_reads_as_its_expected_tree_or_is_refused_by_name() {
    let mut read = 0;
    let mut refused = 0;
    for example in examples() {
        let format = format_of(example["format"].as_str().unwrap());
        let text = match &example["input"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if let Some(expected) = example.get("root") {
            let root = reads_and_round_trips(format, &text);
            assert_eq!(&root, expected, "{text}");
            read += 1;
        } else {
            let refusal = &example["refused"];
            let err = parse_as(format, &text, &common::schema(), None)
                .expect_err(&format!("{text} should be refused"));
            let message = err.to_string();
            assert!(
                message.contains(refusal["construct"].as_str().unwrap()),
                "{text}: {message}"
            );
            let at = match &err {
                Error::Unrepresentable { at, .. } | Error::Syntax { at, .. } => at.clone(),
                other => panic!("{text}: {other:?}"),
            };
            let expected_at = match (&refusal["line"], &refusal["pointer"]) {
                (Value::Number(line), _) => Position::Text {
                    line: line.as_u64().unwrap() as usize,
                    column: refusal["column"].as_u64().unwrap() as usize,
                },
                (_, Value::String(p)) => Position::json(p.clone()),
                _ => panic!("{text}: a refusal says where"),
            };
            assert_eq!(at, expected_at, "{text}: {message}");
            refused += 1;
        }
    }
    assert!(read >= 10 && refused >= 5, "read {read}, refused {refused}");
}

fn named(n: &str) -> Value {
    common::and(vec![common::cond("name", "is", serde_json::json!(n))])
}

fn sequence(extra: Value) -> segment_model::Segment {
    let mut rel = serde_json::json!({
        "type": "relationship", "relationship": "events",
        "constraint": {"type": "sequence", "steps": [
            {"filter": named("login")},
            {"filter": named("view"), "within": {"amount": 1, "unit": "hour"}},
            {"filter": named("purchase")}
        ], "within": {"amount": 1, "unit": "day"}},
        "filter": {"combinator": "and", "children": []}
    });
    if let (Value::Object(rel), Value::Object(extra)) = (&mut rel, extra) {
        rel.extend(extra);
    }
    common::segment(common::and(vec![rel]))
}

#[test]
fn a_sequence_renders_as_a_chain_with_gaps_and_the_whole_span() {
    let text = render_as(
        Format::PqlText,
        &sequence(serde_json::json!({})),
        &common::schema(),
        None,
    )
    .unwrap();
    assert_eq!(
        text,
        r#"chain(events, ts, [A: WHAT(name = "login"), B: WHAT(name = "view") WHEN(<= 1 hour after A), C: WHAT(name = "purchase") WHEN(<= 1 day after A)])"#
    );
}

#[test]
fn the_relationship_filter_and_window_are_conditions_on_every_step() {
    let schema = common::schema();
    let segment = sequence(serde_json::json!({
        "filter": common::and(vec![common::cond("amount", "greater_than", serde_json::json!(0))]),
        "window": {"type": "in_the_last", "amount": 30, "unit": "day"}
    }));
    let text = render_as(Format::PqlText, &segment, &schema, None).unwrap();
    assert_eq!(
        text,
        r#"chain(events, ts, [A: WHAT(amount > 0 and ts occurs <= 30 days before now and name = "login"), B: WHAT(amount > 0 and ts occurs <= 30 days before now and name = "view") WHEN(<= 1 hour after A), C: WHAT(amount > 0 and ts occurs <= 30 days before now and name = "purchase") WHEN(<= 1 day after A)])"#
    );
    // Read back, and again: the same tree (each step's record passes the shared conditions).
    let back = parse_as(Format::PqlText, &text, &schema, None).unwrap();
    let again = render_as(Format::PqlJson, &back, &schema, None).unwrap();
    assert_eq!(
        parse_as(Format::PqlJson, &again, &schema, None).unwrap(),
        back
    );
}

#[test]
fn what_a_chain_cannot_say_is_refused_at_its_node() {
    let schema = common::schema();
    let excluding = {
        let mut s = sequence(serde_json::json!({}));
        let json = serde_json::to_value(&s).unwrap().to_string().replacen(
            r#""within":{"amount":1,"unit":"hour"}"#,
            r#""within":{"amount":1,"unit":"hour"},"excluding":{"combinator":"and","children":[{"type":"condition","attribute":"name","operator":"is","value":"refund"}]}"#,
            1,
        );
        s = serde_json::from_str(&json).unwrap();
        s
    };
    let both = {
        let json = serde_json::to_value(sequence(serde_json::json!({})))
            .unwrap()
            .to_string()
            .replacen(
                r#"{"filter":{"combinator":"and","children":[{"type":"condition","attribute":"name","operator":"is","value":"purchase"}]}}"#,
                r#"{"filter":{"combinator":"and","children":[{"type":"condition","attribute":"name","operator":"is","value":"purchase"}]},"within":{"amount":2,"unit":"hour"}}"#,
                1,
            );
        serde_json::from_str(&json).unwrap()
    };
    for (segment, construct, path) in [
        (
            excluding,
            "a sequence step with “no … in between”",
            "/root/children/0/constraint/steps/1/excluding",
        ),
        (
            both,
            "a sequence whose last step has its own “within” and the whole sequence another",
            "/root/children/0/constraint/within",
        ),
    ] {
        for format in [Format::PqlText, Format::PqlJson] {
            match render_as(format, &segment, &schema, None) {
                Err(Error::Unsupported {
                    construct: c,
                    path: p,
                    ..
                }) => {
                    assert_eq!(c, construct);
                    assert_eq!(p, path);
                }
                other => panic!("{format:?}: {other:?}"),
            }
        }
    }
}

#[test]
fn segment_references_render_as_in_segment() {
    let schema = common::schema();
    let reference = |extra: Value| {
        let mut node = serde_json::json!({"type": "in_segment", "segment": "vip"});
        if let (Value::Object(n), Value::Object(e)) = (&mut node, extra) {
            n.extend(e);
        }
        common::segment(common::and(vec![node]))
    };
    let text = |s| render_as(Format::PqlText, &s, &schema, None);
    assert_eq!(
        text(reference(serde_json::json!({}))).unwrap(),
        r#"inSegment("vip")"#
    );
    assert_eq!(
        text(reference(serde_json::json!({"negated": true}))).unwrap(),
        r#"not (inSegment("vip"))"#
    );
    match text(reference(serde_json::json!({"revision": 3}))) {
        Err(Error::Unsupported { path, .. }) => assert_eq!(path, "/root/children/0/revision"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn deeply_nested_chains_are_a_clean_error_within_the_documented_stack() {
    let depth = 100_000;
    let open = "chain(events, ts, [A: WHAT(";
    let text = format!("{}name = \"x\"{}", open.repeat(depth), ")])".repeat(depth));
    let schema = common::schema();
    let result = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || parse_as(Format::PqlText, &text, &schema, None).map(|_| ()))
        .unwrap()
        .join()
        .unwrap();
    match result {
        Err(Error::Syntax { message, .. }) => assert!(message.contains("nested"), "{message}"),
        other => panic!("{other:?}"),
    }
    // Just within the syntax bound, the text is read (and refused by the tree: a chain's WHAT
    // names fields of its records, which have no relationship called events).
    for depth in [
        segment_formats::SYNTAX_DEPTH / 2 - 2,
        segment_formats::SYNTAX_DEPTH / 2 - 1,
    ] {
        let text = format!("{}name = \"x\"{}", open.repeat(depth), ")])".repeat(depth));
        let schema = common::schema();
        let result = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || parse_as(Format::PqlText, &text, &schema, None).map(|_| ()))
            .unwrap()
            .join()
            .unwrap();
        assert!(result.is_err(), "{depth}");
    }
}
