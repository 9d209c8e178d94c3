//! The Ansi dialect: a snapshot of the whole corpus (exact SQL, displayed and executable; cases
//! it cannot express show their error).

mod common;

use segment_sql::Ansi;

#[test]
fn corpus_snapshot() {
    let db = common::database();
    insta::assert_snapshot!("corpus", common::corpus_text(&db, &Ansi));
}

#[test]
fn unsupported_constructs_are_named() {
    let db = common::database();
    let text = common::corpus_text(&db, &Ansi);
    for construct in [
        "regular expressions",
        "JSON array membership",
        "JSON array sizes",
        "the weekday of a date",
        "date parts of Unix-time columns",
    ] {
        assert!(
            text.contains(&format!("-- error: ANSI SQL cannot express {construct}")),
            "{construct}:\n{text}"
        );
    }
}
