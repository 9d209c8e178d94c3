//! Hostile input into every parser: arbitrary strings, token soup from each format's own
//! vocabulary, mutated valid documents and very deep nesting. Parsers return errors; they never
//! panic, overflow the stack or hang.

mod common;
mod generate;

use proptest::prelude::*;
use segment_formats::{parse_as, render_as, Error, Format};

const PARSERS: [Format; 6] = [
    Format::Canonical,
    Format::Census,
    Format::PqlText,
    Format::PqlJson,
    Format::Odata,
    Format::Odp,
];

fn parse_everywhere(text: &str) {
    let schema = common::schema();
    for format in PARSERS {
        let _ = parse_as(format, text, &schema, None);
    }
}

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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        parse_everywhere(&text);
    }

    #[test]
    fn pql_token_soup_never_panics(tokens in prop::collection::vec(pql_token(), 0..60)) {
        parse_everywhere(&tokens.join(" "));
    }

    #[test]
    fn odata_token_soup_never_panics(tokens in prop::collection::vec(odata_token(), 0..60)) {
        parse_everywhere(&tokens.join(" "));
    }

    /// A valid rendering with bytes cut out or repeated still only errors.
    #[test]
    fn mutated_renderings_never_panic(
        segment in generate::segment(Format::Canonical),
        cut in 0usize..10_000,
        len in 0usize..20,
        format in prop::sample::select(vec![Format::PqlText, Format::PqlJson, Format::Odata, Format::Odp, Format::Census]),
    ) {
        let schema = common::schema();
        if let Ok(text) = render_as(format, &segment, &schema, None) {
            let bytes = text.as_bytes();
            let at = cut % (bytes.len() + 1);
            let end = (at + len).min(bytes.len());
            let mut mutated = bytes[..at].to_vec();
            mutated.extend_from_slice(&bytes[end..]);
            let dropped = String::from_utf8_lossy(&mutated).into_owned();
            let mut doubled = bytes[..end].to_vec();
            doubled.extend_from_slice(&bytes[at..]);
            let repeated = String::from_utf8_lossy(&doubled).into_owned();
            for text in [dropped, repeated] {
                let _ = parse_as(format, &text, &schema, None);
            }
        }
    }
}

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
