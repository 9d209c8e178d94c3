//! Copies a local SQLite data file into a database of a Spark Connect server on this machine
//! (Parquet tables with native types, their files kept in DIR, which the tables read), to try
//! the app or the benchmark on Spark:
//!   cargo run -p segment-spark --example copy_sqlite -- demo.sqlite sc://127.0.0.1:15002 demo DIR

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, url, database, dir] = args.as_slice() else {
        return Err("usage: copy_sqlite FILE.sqlite sc://host:port DATABASE DIR".into());
    };
    let client = segment_spark::SparkClient::connect(&segment_spark::ConnectUrl::parse(url)?)?;
    std::fs::create_dir_all(dir)?;
    let started = std::time::Instant::now();
    let rows = segment_spark::load::copy_sqlite(
        &PathBuf::from(path),
        &client,
        database,
        &PathBuf::from(dir),
    )?;
    eprintln!(
        "{rows} rows copied in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
