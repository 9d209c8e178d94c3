//! The parsers' stack bound, as documented (ARCHITECTURE.md, "Bounded parsers": the deepest
//! input accepted stays within 1 MiB of stack in an unoptimized build). For every parser and
//! every way its syntax nests, the deepest input it accepts is found (on a roomy thread), then
//! read on a thread with exactly 1 MiB of stack; so is input one level deeper, and far deeper,
//! which must be a clean "nested too deep" error. A stack overflow aborts the test binary.

mod common;

use segment_formats::{parse_as, Format, SYNTAX_DEPTH};

/// The documented stack of the parsers.
const DOCUMENTED_STACK: usize = 1 << 20;

/// One way a format's syntax nests: the text `depth` levels deep.
struct Nesting {
    format: Format,
    what: &'static str,
    text: fn(usize) -> String,
}

fn nestings() -> Vec<Nesting> {
    fn wrap(depth: usize, open: &str, inner: &str, close: &str) -> String {
        format!("{}{inner}{}", open.repeat(depth), close.repeat(depth))
    }
    vec![
        Nesting {
            format: Format::PqlText,
            what: "parentheses",
            text: |d| wrap(d, "(", "country = \"US\"", ")"),
        },
        Nesting {
            format: Format::PqlText,
            what: "not",
            text: |d| format!("{}country = \"US\"", "not ".repeat(d)),
        },
        Nesting {
            format: Format::PqlText,
            what: "negated groups",
            text: |d| wrap(d, "not (country = \"FR\" or ", "country = \"US\"", ")"),
        },
        Nesting {
            format: Format::PqlJson,
            what: "not",
            text: |d| {
                let not = r#"{"nodeType":"fnApply","fnName":"not","params":["#;
                let leaf = r#"{"nodeType":"fnApply","fnName":"=","params":[{"nodeType":"fieldLookup","fieldName":"country","object":{"nodeType":"parameterReference","position":1}},{"nodeType":"literal","literalType":"String","value":"US"}]}"#;
                wrap(d, not, leaf, "]}")
            },
        },
        Nesting {
            format: Format::Odata,
            what: "parentheses",
            text: |d| wrap(d, "(", "country eq 'US'", ")"),
        },
        Nesting {
            format: Format::Odata,
            what: "not",
            text: |d| format!("{}country eq 'US'", "not ".repeat(d)),
        },
        Nesting {
            format: Format::Odata,
            what: "negated groups",
            text: |d| wrap(d, "not (country eq 'FR' or ", "country eq 'US'", ")"),
        },
        Nesting {
            format: Format::Odp,
            what: "not",
            text: |d| {
                let leaf = r#"{"customer_condition":{"customer_filter":{"comparison":{"lhs":{"path_reference":{"value":"customer.country"}},"comparator":"EQUAL","rhs":{"string_literal":{"value":"US"}}}}}}"#;
                format!(
                    r#"{{"root_condition":{}}}"#,
                    wrap(d, r#"{"not_condition":{"condition":"#, leaf, "}}")
                )
            },
        },
        Nesting {
            format: Format::Census,
            what: "molecule groups",
            text: |d| {
                let atom = r#"{"attribute":"country","operator":"is","value":"US"}"#;
                wrap(d, "[", atom, "]")
            },
        },
        Nesting {
            format: Format::Canonical,
            what: "groups",
            text: |d| {
                let leaf =
                    r#"{"type":"condition","attribute":"country","operator":"is","value":"US"}"#;
                let group = r#"{"type":"group","combinator":"or","children":["#;
                format!(
                    r#"{{"version":1,"entity":"profiles","root":{{"combinator":"and","children":[{}]}}}}"#,
                    wrap(d, group, leaf, "]}")
                )
            },
        },
    ]
}

/// `Ok` if the text reads, else the error's words.
fn parse(format: Format, text: &str) -> Result<(), String> {
    parse_as(format, text, &common::schema(), None)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Runs `parse` on a thread with `stack` bytes; a stack overflow aborts the process.
fn on_stack(stack: usize, format: Format, text: String) -> Result<(), String> {
    std::thread::Builder::new()
        .stack_size(stack)
        .spawn(move || parse(format, &text))
        .unwrap()
        .join()
        .unwrap()
}

/// The deepest nesting `nesting` reads, found on a roomy stack.
fn deepest_accepted(nesting: &Nesting) -> usize {
    let (format, text) = (nesting.format, nesting.text);
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            (1..=4 * SYNTAX_DEPTH)
                .take_while(|d| parse(format, &text(*d)).is_ok())
                .last()
                .unwrap_or(0)
        })
        .unwrap()
        .join()
        .unwrap()
}

fn too_deep(message: &str) -> bool {
    let message = message.to_lowercase();
    message.contains("levels deep") || message.contains("recursion limit")
}

#[test]
fn every_parser_reads_its_deepest_input_within_the_documented_stack() {
    for nesting in nestings() {
        let name = format!("{} {}", nesting.format, nesting.what);
        let deepest = deepest_accepted(&nesting);
        println!("{name}: reads {deepest} levels");
        // The limit is the documented one, not an accident of the input.
        assert!(
            (32..=SYNTAX_DEPTH).contains(&deepest),
            "{name}: reads {deepest} levels"
        );
        let text = (nesting.text)(deepest);
        on_stack(DOCUMENTED_STACK, nesting.format, text)
            .unwrap_or_else(|e| panic!("{name}: {deepest} levels on 1 MiB: {e}"));
        for beyond in [deepest + 1, deepest + 10, 100_000] {
            let text = (nesting.text)(beyond);
            match on_stack(DOCUMENTED_STACK, nesting.format, text) {
                Err(message) if too_deep(&message) => {}
                other => panic!("{name}: {beyond} levels: {other:?}"),
            }
        }
    }
}
