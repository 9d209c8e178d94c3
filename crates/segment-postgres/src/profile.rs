//! What statistics of a schema need from the server (the statistics themselves are built by
//! the count service, alike for every warehouse): the planner's row estimate, a table's FROM
//! text sampled with `TABLESAMPLE SYSTEM`, and generated SELECTs answered as JSON values.

use segment_sql::SqlValue;
use serde_json::Value;

use crate::introspect::quote;
use crate::{value_of, PostgresSource, Result};

impl PostgresSource {
    /// The planner's estimate of `table`'s rows (`pg_class.reltuples`, kept by ANALYZE and
    /// autovacuum); `None` when the table was never analysed (or holds nothing).
    pub fn estimated_rows(&self, table: &str) -> Result<Option<u64>> {
        let rows = self.rows(
            "SELECT CAST(c.reltuples AS bigint) FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
            &[
                SqlValue::Text(self.schema_name.clone()),
                SqlValue::Text(table.to_string()),
            ],
            None,
        )?;
        Ok(rows
            .first()
            .and_then(|r| r.try_get::<_, i64>(0).ok())
            .and_then(|n| u64::try_from(n).ok())
            .filter(|n| *n > 0))
    }

    /// `table` as a FROM item with its columns shaped as counts read them, reading only about
    /// `percent` % of its pages when given (`TABLESAMPLE SYSTEM`: whole pages, so a billion-row
    /// table is read in seconds; `REPEATABLE` keeps the sample the same from run to run).
    pub fn sampled_from(&self, table: &str, percent: Option<f64>) -> String {
        let sample = percent
            .map(|p| {
                format!(
                    " TABLESAMPLE SYSTEM ({:.6}) REPEATABLE (7)",
                    p.clamp(0.000001, 100.0)
                )
            })
            .unwrap_or_default();
        let base = format!("{}.{}", quote(&self.schema_name), quote(table));
        match self.shaped.iter().find(|(t, _)| t == table) {
            // The shaping select ends with "FROM schema.table)": the sample goes inside it.
            Some((_, select)) => match select.strip_suffix(')') {
                Some(open) if open.ends_with(&base) => format!("{open}{sample})"),
                _ => select.clone(),
            },
            None => format!("{base}{sample}"),
        }
    }

    /// Every row of a generated read-only SELECT (no user value in it), as JSON values:
    /// integers exactly, floats, everything else as text.
    pub fn select_values(&self, sql: &str) -> Result<Vec<Vec<Value>>> {
        let rows = self.rows(sql, &[], None)?;
        Ok(rows
            .iter()
            .map(|r| (0..r.len()).map(|i| value_of(r, i)).collect())
            .collect())
    }
}
