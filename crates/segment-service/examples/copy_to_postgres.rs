//! Copies a SQLite data file (e.g. the app's demo data) into a PostgreSQL schema, replacing
//! what the schema held, so the app and the CLI can count the same data on a server: for the
//! end-to-end test against PostgreSQL and for trying the app on one.
//!
//!   cargo run -p segment-service --example copy_to_postgres -- FILE.sqlite postgresql://… SCHEMA

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [file, url, schema] = args.as_slice() else {
        eprintln!("usage: copy_to_postgres FILE.sqlite postgresql://user@host:port/db SCHEMA");
        return ExitCode::from(2);
    };
    let settings = segment_postgres::Settings {
        url: url.clone(),
        schema: Some(schema.clone()),
        ..Default::default()
    };
    match segment_postgres::load::copy_sqlite(&PathBuf::from(file), &settings, true) {
        Ok(rows) => {
            println!("{rows}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("copy_to_postgres: {e}");
            ExitCode::FAILURE
        }
    }
}
