//! The schema of one Spark database: tables from `SHOW TABLES`, columns and types from
//! `DESCRIBE TABLE`, mapped onto the model's storage shapes.
//!
//! Spark keeps no primary or foreign keys in its catalog, so keys and relationships follow the
//! usual names: a table's key is its `id` column (else its first column), and a column `x_id`
//! relates to the table `x`, `xs`, `xes` or `x…ies` keyed by `id`; the relationships are named
//! and identified exactly as SQLite foreign keys are
//! (`segment_source::relationships_from_foreign_keys`).
//!
//! Native types are *shaped* into the compiler's storage shapes in the FROM clause (a table with
//! such columns is read through a sub-select): `boolean` → 0/1, `date`/`timestamp`/
//! `timestamp_ntz` → Unix seconds (UTC), arrays → JSON array text. Columns of other types (maps,
//! structs, binary…) are left out, and `Introspected::skipped` says which and why.

use segment_model::{Column, DataType, Entity, Schema, Storage};
use segment_source::ForeignKey;

use crate::client::SparkClient;
use crate::error::Result;

pub(crate) struct Introspected {
    pub schema: Schema,
    /// Per table that needs it, the sub-select presenting it in the compiler's shapes.
    pub shaped: Vec<(String, String)>,
    /// Columns left out: (table, column, why).
    pub skipped: Vec<(String, String, String)>,
}

pub(crate) fn quote(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

pub(crate) fn introspect(client: &SparkClient) -> Result<Introspected> {
    let mut out = Introspected {
        schema: Schema {
            entities: Vec::new(),
            relationships: Vec::new(),
        },
        shaped: Vec::new(),
        skipped: Vec::new(),
    };
    for table in tables(client)? {
        let mut columns = describe(client, &table)?;
        mark_json_arrays(client, &table, &mut columns)?;
        table_entity(&table, &columns, &mut out);
    }
    let foreign = inferred_foreign_keys(&out.schema.entities);
    out.schema.relationships =
        segment_source::relationships_from_foreign_keys(&out.schema.entities, &foreign);
    Ok(out)
}

/// The current database's tables and views (not this session's temporary views), by name.
fn tables(client: &SparkClient) -> Result<Vec<String>> {
    let rows = client.query("SHOW TABLES", &[])?;
    let column = |name: &str| rows.columns.iter().position(|c| c == name);
    let (name, temporary) = (column("tableName").unwrap_or(1), column("isTemporary"));
    let mut out: Vec<String> = rows
        .rows
        .iter()
        .filter(|r| temporary.is_none_or(|t| r.get(t) != Some(&serde_json::Value::Bool(true))))
        .filter_map(|r| r.get(name).and_then(|v| v.as_str()).map(str::to_string))
        .collect();
    out.sort();
    Ok(out)
}

/// (name, Spark type) of each column, partition details left out.
fn describe(client: &SparkClient, table: &str) -> Result<Vec<(String, String)>> {
    let rows = client.query(&format!("DESCRIBE TABLE {}", quote(table)), &[])?;
    let mut out = Vec::new();
    for row in &rows.rows {
        let text = |i: usize| {
            row.get(i)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        let name = text(0);
        if name.is_empty() || name.starts_with('#') {
            break;
        }
        out.push((name, text(1).to_ascii_lowercase()));
    }
    Ok(out)
}

/// Text columns whose sampled values (of the first 1,000 rows) are all JSON arrays are typed
/// `json-array` (their values stay the stored text).
fn mark_json_arrays(
    client: &SparkClient,
    table: &str,
    columns: &mut [(String, String)],
) -> Result<()> {
    let texts: Vec<usize> = (0..columns.len())
        .filter(|&i| columns[i].1 == "string")
        .collect();
    if texts.is_empty() {
        return Ok(());
    }
    let mut tests = Vec::new();
    for &i in &texts {
        let c = quote(&columns[i].0);
        tests.push(format!("count({c})"));
        tests.push(format!(
            "count(CASE WHEN startswith(ltrim({c}), '[') THEN json_array_length({c}) END)"
        ));
    }
    let sql = format!(
        "SELECT {} FROM (SELECT * FROM {} LIMIT 1000)",
        tests.join(", "),
        quote(table)
    );
    let rows = client.query(&sql, &[])?;
    let Some(row) = rows.rows.first() else {
        return Ok(());
    };
    for (n, &i) in texts.iter().enumerate() {
        let number = |k: usize| row.get(k).and_then(serde_json::Value::as_u64).unwrap_or(0);
        let (all, arrays) = (number(2 * n), number(2 * n + 1));
        if all > 0 && all == arrays {
            columns[i].1 = JSON_TEXT.to_string();
        }
    }
    Ok(())
}

/// The type name given to text columns holding JSON arrays.
const JSON_TEXT: &str = "string (json arrays)";

fn table_entity(table: &str, columns: &[(String, String)], out: &mut Introspected) {
    let mut kept = Vec::new();
    let mut select = Vec::new();
    let mut needs_shape = false;
    for (name, spark_type) in columns {
        let Some((data_type, storage, expr)) = classify(name, spark_type) else {
            out.skipped.push((
                table.to_string(),
                name.clone(),
                format!("its type {spark_type} cannot be compared in a segment"),
            ));
            continue;
        };
        needs_shape |= expr.is_some();
        select.push(match expr {
            Some(e) => format!("{e} AS {}", quote(name)),
            None => quote(name),
        });
        kept.push(Column {
            name: name.clone(),
            data_type,
            storage,
            declared_type: spark_type.clone(),
            nullable: true,
        });
    }
    let Some(key) = kept
        .iter()
        .find(|c| c.name == "id")
        .or_else(|| kept.first())
        .map(|c| c.name.clone())
    else {
        return;
    };
    if needs_shape {
        out.shaped.push((
            table.to_string(),
            format!("(SELECT {} FROM {})", select.join(", "), quote(table)),
        ));
    }
    out.schema.entities.push(Entity {
        name: table.to_string(),
        key,
        columns: kept,
    });
}

type Classified = Option<(DataType, Storage, Option<String>)>;

fn classify(name: &str, spark_type: &str) -> Classified {
    use DataType as D;
    use Storage as S;
    let c = quote(name);
    let base = spark_type.split('(').next().unwrap_or(spark_type);
    Some(match base {
        "tinyint" | "smallint" | "int" | "integer" | "bigint" | "long" | "short" | "byte" => {
            (D::Number, S::Integer, None)
        }
        "float" | "double" | "real" => (D::Number, S::Real, None),
        "decimal" | "numeric" | "dec" => {
            if spark_type.ends_with(",0)") {
                (D::Number, S::Integer, None)
            } else {
                (D::Number, S::Real, Some(format!("CAST({c} AS DOUBLE)")))
            }
        }
        "string" | "varchar" | "char" => (D::Text, S::Text, None),
        _ if spark_type == JSON_TEXT => (D::Array, S::JsonArray, None),
        "boolean" => (D::Boolean, S::Boolean, Some(format!("CAST({c} AS INT)"))),
        "date" | "timestamp" | "timestamp_ntz" | "timestamp_ltz" => (
            D::Datetime,
            S::UnixSeconds,
            Some(format!("unix_seconds(CAST({c} AS TIMESTAMP))")),
        ),
        _ if spark_type.starts_with("array<") => {
            (D::Array, S::JsonArray, Some(format!("to_json({c})")))
        }
        _ => return None,
    })
}

/// `x_id` → the table `x`, `xs`, `xes` or `x…ies` keyed by `id`.
fn inferred_foreign_keys(entities: &[Entity]) -> Vec<ForeignKey> {
    let mut out = Vec::new();
    for child in entities {
        for column in &child.columns {
            let Some(stem) = column.name.strip_suffix("_id") else {
                continue;
            };
            if stem.is_empty() || column.name == child.key {
                continue;
            }
            let mut names = vec![stem.to_string(), format!("{stem}s"), format!("{stem}es")];
            if let Some(y) = stem.strip_suffix('y') {
                names.push(format!("{y}ies"));
            }
            let parent = entities
                .iter()
                .find(|e| e.key == "id" && names.contains(&e.name) && e.name != child.name);
            if let Some(parent) = parent {
                out.push(ForeignKey {
                    child: child.name.clone(),
                    child_column: column.name.clone(),
                    parent: parent.name.clone(),
                    parent_column: None,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_types_are_shaped() {
        let (d, s, e) = classify("ts", "timestamp").unwrap();
        assert_eq!((d, s), (DataType::Datetime, Storage::UnixSeconds));
        assert_eq!(e.unwrap(), "unix_seconds(CAST(`ts` AS TIMESTAMP))");
        assert_eq!(classify("n", "decimal(10,0)").unwrap().1, Storage::Integer);
        assert_eq!(
            classify("t", "array<string>").unwrap().1,
            Storage::JsonArray
        );
        assert!(classify("m", "map<string,int>").is_none());
    }

    #[test]
    fn relationships_follow_names() {
        let entity = |name: &str, cols: &[&str]| Entity {
            name: name.into(),
            key: cols[0].into(),
            columns: cols
                .iter()
                .map(|c| Column {
                    name: (*c).into(),
                    data_type: DataType::Number,
                    storage: Storage::Integer,
                    declared_type: "bigint".into(),
                    nullable: true,
                })
                .collect(),
        };
        let entities = vec![
            entity("profiles", &["id", "company_id"]),
            entity("companies", &["id"]),
            entity("events", &["id", "profile_id"]),
        ];
        let fks = inferred_foreign_keys(&entities);
        let pairs: Vec<(&str, &str)> = fks
            .iter()
            .map(|f| (f.child.as_str(), f.parent.as_str()))
            .collect();
        assert_eq!(pairs, [("profiles", "companies"), ("events", "profiles")]);
    }
}
