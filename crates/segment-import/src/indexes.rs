//! The indexes counts need on an imported table (see the SQLite count notes):
//! - a **related** table (one with a `…_id` foreign key column): one index per foreign key on
//!   (filter column, foreign key, time column, aggregated columns), e.g.
//!   `events(name, profile_id, ts, amount)`; the filter column is a low-cardinality text
//!   column (`name`, `type`, `status`… preferred), the time column its datetime, the aggregated
//!   columns its real numbers (at most two);
//! - a **base** table: one index per date and numeric column (not on text: single-column indexes
//!   on low-cardinality text slow combined filters down).

use crate::infer::ColumnType;
use crate::names::quote;

/// What the planner knows of a column.
#[derive(Debug, Clone)]
pub struct ColumnInfo {
    pub name: String,
    pub ty: ColumnType,
    pub is_key: bool,
    /// Distinct non-empty values, when few.
    pub few_distinct: Option<usize>,
}

/// An index to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexDef {
    pub name: String,
    pub table: String,
    pub columns: Vec<String>,
}

impl IndexDef {
    pub fn sql(&self) -> String {
        let cols: Vec<String> = self.columns.iter().map(|c| quote(c)).collect();
        format!(
            "CREATE INDEX IF NOT EXISTS {} ON {}({})",
            quote(&self.name),
            quote(&self.table),
            cols.join(", ")
        )
    }

    pub fn describe(&self) -> String {
        format!("{}({})", self.table, self.columns.join(", "))
    }
}

const FILTER_NAMES: &[&str] = &[
    "name",
    "event",
    "event_name",
    "event_type",
    "type",
    "status",
    "kind",
    "action",
    "category",
];
const TIME_NAMES: &[&str] = &[
    "ts",
    "timestamp",
    "occurred_at",
    "created_at",
    "placed_at",
    "time",
    "date",
];
/// At most this many single-column indexes on a base table.
const MAX_BASE_INDEXES: usize = 8;

/// Whether a column looks like a foreign key (`customer_id`, not the table's own key).
pub fn is_foreign_key_name(c: &ColumnInfo) -> bool {
    !c.is_key
        && matches!(c.ty, ColumnType::Integer | ColumnType::Text)
        && c.name.len() > 3
        && c.name.ends_with("_id")
}

pub fn plan(table: &str, columns: &[ColumnInfo]) -> Vec<IndexDef> {
    let fks: Vec<&ColumnInfo> = columns.iter().filter(|c| is_foreign_key_name(c)).collect();
    let mut out = Vec::new();
    if fks.is_empty() {
        for c in columns.iter().filter(|c| !c.is_key) {
            if matches!(
                c.ty,
                ColumnType::Integer | ColumnType::Real | ColumnType::Date | ColumnType::Datetime
            ) && out.len() < MAX_BASE_INDEXES
            {
                out.push(IndexDef {
                    name: index_name(table, &[&c.name]),
                    table: table.to_string(),
                    columns: vec![c.name.clone()],
                });
            }
        }
        return out;
    }
    let filter = {
        let texts: Vec<&ColumnInfo> = columns
            .iter()
            .filter(|c| c.ty == ColumnType::Text && !c.is_key && !is_foreign_key_name(c))
            .filter(|c| c.few_distinct.is_some_and(|n| n >= 2))
            .collect();
        FILTER_NAMES
            .iter()
            .find_map(|p| texts.iter().find(|c| c.name == *p))
            .or_else(|| texts.iter().min_by_key(|c| c.few_distinct))
            .copied()
    };
    let time = {
        let times: Vec<&ColumnInfo> = columns
            .iter()
            .filter(|c| matches!(c.ty, ColumnType::Datetime | ColumnType::Date))
            .collect();
        TIME_NAMES
            .iter()
            .find_map(|p| times.iter().find(|c| c.name == *p))
            .or_else(|| times.first())
            .copied()
    };
    let aggregated: Vec<&ColumnInfo> = columns
        .iter()
        .filter(|c| c.ty == ColumnType::Real)
        .take(2)
        .collect();
    for fk in fks {
        let mut cols: Vec<&str> = Vec::new();
        if let Some(f) = filter {
            cols.push(&f.name);
        }
        cols.push(&fk.name);
        if let Some(t) = time {
            cols.push(&t.name);
        }
        cols.extend(aggregated.iter().map(|c| c.name.as_str()));
        out.push(IndexDef {
            name: index_name(table, &cols),
            table: table.to_string(),
            columns: cols.iter().map(|c| c.to_string()).collect(),
        });
    }
    out
}

fn index_name(table: &str, columns: &[&str]) -> String {
    format!("{table}_{}", columns.join("_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &str, ty: ColumnType, few: Option<usize>) -> ColumnInfo {
        ColumnInfo {
            name: name.into(),
            ty,
            is_key: name == "id",
            few_distinct: few,
        }
    }

    #[test]
    fn events_get_the_related_index_and_profiles_base_indexes() {
        let events = [
            col("id", ColumnType::Integer, None),
            col("profile_id", ColumnType::Integer, None),
            col("name", ColumnType::Text, Some(8)),
            col("ts", ColumnType::Datetime, None),
            col("amount", ColumnType::Real, None),
            col("channel", ColumnType::Text, Some(3)),
        ];
        let plan_events = plan("events", &events);
        assert_eq!(plan_events.len(), 1);
        assert_eq!(
            plan_events[0].columns,
            ["name", "profile_id", "ts", "amount"]
        );
        let profiles = [
            col("id", ColumnType::Integer, None),
            col("email", ColumnType::Text, None),
            col("age", ColumnType::Integer, Some(80)),
            col("signed_up_at", ColumnType::Datetime, None),
            col("country", ColumnType::Text, Some(20)),
        ];
        let cols: Vec<Vec<String>> = plan("profiles", &profiles)
            .into_iter()
            .map(|i| i.columns)
            .collect();
        assert_eq!(
            cols,
            [vec!["age".to_string()], vec!["signed_up_at".to_string()]]
        );
    }
}
