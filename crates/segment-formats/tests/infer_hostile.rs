//! Reading without data stays bounded on hostile input: many names, deep nesting, token soup
//! end in a tree or a located error, never a panic or a stack overflow.

use segment_formats::{parse_without_data, Format};

fn read(format: Format, text: &str) {
    // Either outcome is fine; what matters is that it returns.
    let _ = parse_without_data(format, text, None);
}

#[test]
fn many_distinct_names() {
    let odata: Vec<String> = (0..300).map(|i| format!("a{i} eq {i}")).collect();
    read(Format::Odata, &odata.join(" and "));
    let pql: Vec<String> = (0..300).map(|i| format!("a{i} = \"{i}\"")).collect();
    read(Format::PqlText, &pql.join(" or "));
}

#[test]
fn deep_nesting_on_a_small_stack() {
    let deep = format!("{}a eq 1{}", "(".repeat(100_000), ")".repeat(100_000));
    let nots = format!("{}a = 1", "not ".repeat(100_000));
    std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || {
            assert!(parse_without_data(Format::Odata, &deep, None).is_err());
            let _ = parse_without_data(Format::PqlText, &nots, None);
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn token_soup() {
    let soup = "eq ( ) / any ( : ) '' 2024-13-45 $count in ( null , ) and or not ".repeat(200);
    for format in [Format::Odata, Format::PqlText, Format::PqlJson, Format::Odp] {
        read(format, &soup);
    }
}
