//! The Snowflake dialect: a snapshot of the whole corpus (exact SQL, displayed and executable; cases
//! it cannot express show their error).

mod common;

use segment_sql::Snowflake;

#[test]
fn corpus_snapshot() {
    let db = common::database();
    insta::assert_snapshot!("corpus", common::corpus_text(&db, &Snowflake));
}
