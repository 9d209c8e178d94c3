//! Spark's physical plan of a statement (the text of `segment-builder sql`'s "sql"), to see
//! how a generated count runs (joins, broadcasts). Statements before the last (each ending in
//! `;` at the end of a line, e.g. `CREATE TABLE … USING parquet LOCATION …`) are run first:
//!   cargo run -p segment-spark --example explain -- sc://127.0.0.1:15002 DATABASE FILE.sql

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, database, file] = args.as_slice() else {
        return Err("usage: explain sc://host:port DATABASE FILE.sql".into());
    };
    let client = segment_spark::SparkClient::connect(&segment_spark::ConnectUrl::parse(url)?)?;
    let text = std::fs::read_to_string(file)?;
    let mut statements: Vec<&str> = text.split(";\n").filter(|s| !s.trim().is_empty()).collect();
    let sql = statements.pop().ok_or("no statement")?;
    let database = format!("`{}`", database.replace('`', "``"));
    client.query(&format!("CREATE DATABASE IF NOT EXISTS {database}"), &[])?;
    client.query(&format!("USE {database}"), &[])?;
    for statement in statements {
        client.query(statement, &[])?;
    }
    let rows = client.query(&format!("EXPLAIN FORMATTED {sql}"), &[])?;
    for row in rows.rows {
        for value in row {
            println!("{value:?}");
        }
    }
    Ok(())
}
