//! The schema of a data source: entities (tables), their typed columns, and relationships.
//! Built by `segment-source` from a SQLite file; consumed by validation, the builder's pickers
//! and every compiler.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The type a marketer sees; decides which operators apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DataType {
    Text,
    Number,
    Boolean,
    Datetime,
    Array,
}

impl DataType {
    pub fn label(self) -> &'static str {
        match self {
            DataType::Text => "text",
            DataType::Number => "number",
            DataType::Boolean => "true/false",
            DataType::Datetime => "date/time",
            DataType::Array => "list",
        }
    }
}

/// How values are physically stored, which decides the SQL shape of comparisons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Storage {
    Text,
    Integer,
    Real,
    /// 0 / 1 integers.
    Boolean,
    /// Integer seconds since 1970-01-01T00:00:00Z.
    UnixSeconds,
    /// Integer milliseconds since 1970-01-01T00:00:00Z; an instant is its whole second (the
    /// milliseconds are floored away, as fractional seconds in ISO text are).
    UnixMillis,
    /// ISO-8601 text `YYYY-MM-DD`; a date means its first instant, UTC.
    IsoDate,
    /// ISO-8601 text `YYYY-MM-DDTHH:MM:SS` (optionally with a trailing `Z`), UTC.
    IsoDateTime,
    /// ISO-8601 text `YYYY-MM-DD HH:MM:SS`, UTC.
    IsoDateTimeSpace,
    /// JSON array text, e.g. `["vip","beta"]`.
    JsonArray,
}

/// What a column's stored values mean, as the user declared it beside the data (the sidecar) or
/// as proposed from its name and values: the type a file's own declaration cannot say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
#[ts(export)]
pub enum ColumnMeaning {
    /// Integers: seconds since 1970-01-01 UTC.
    EpochSeconds,
    /// Integers: milliseconds since 1970-01-01 UTC.
    EpochMillis,
    /// ISO-8601 text: dates or date-times (one shape per column).
    IsoDatetime,
    /// JSON array text, a list.
    JsonArray,
}

impl ColumnMeaning {
    pub const ALL: [ColumnMeaning; 4] = [
        ColumnMeaning::EpochSeconds,
        ColumnMeaning::EpochMillis,
        ColumnMeaning::IsoDatetime,
        ColumnMeaning::JsonArray,
    ];

    /// The name used on the command line and in the sidecar (`epoch-seconds`…).
    pub fn name(self) -> &'static str {
        match self {
            ColumnMeaning::EpochSeconds => "epoch-seconds",
            ColumnMeaning::EpochMillis => "epoch-millis",
            ColumnMeaning::IsoDatetime => "iso-datetime",
            ColumnMeaning::JsonArray => "json-array",
        }
    }

    /// The meaning named `name` (see [`ColumnMeaning::name`]).
    pub fn parse(name: &str) -> Option<ColumnMeaning> {
        ColumnMeaning::ALL.into_iter().find(|m| m.name() == name)
    }

    /// In words a marketer understands.
    pub fn label(self) -> &'static str {
        match self {
            ColumnMeaning::EpochSeconds => "date & time (seconds since 1970)",
            ColumnMeaning::EpochMillis => "date & time (milliseconds since 1970)",
            ColumnMeaning::IsoDatetime => "date & time (ISO text)",
            ColumnMeaning::JsonArray => "list (JSON array)",
        }
    }

    /// The type the column gets.
    pub fn data_type(self) -> DataType {
        match self {
            ColumnMeaning::JsonArray => DataType::Array,
            _ => DataType::Datetime,
        }
    }
}

/// A meaning proposed for a column from its name and a sample of its values, not yet declared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MeaningProposal {
    pub table: String,
    pub column: String,
    pub meaning: ColumnMeaning,
    /// Why, in plain words (e.g. "named like a time, values between 2021 and 2024").
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Column {
    pub name: String,
    pub data_type: DataType,
    pub storage: Storage,
    /// The type as declared in the source (e.g. `TEXT`, `DATETIME`).
    pub declared_type: String,
    pub nullable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Entity {
    pub name: String,
    /// The column identifying a record (INTEGER PRIMARY KEY, or `rowid`).
    pub key: String,
    pub columns: Vec<Column>,
}

impl Entity {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// Whether one record of `from` has many records of `to` (a foreign key on `to`), or one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Cardinality {
    OneToMany,
    ManyToOne,
}

/// A way from records of `from_entity` to related records of `to_entity`:
/// `to_entity.to_column = from_entity.from_column`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Relationship {
    /// Stable numeric id (Census `relationship_id`): derived from the foreign key itself, so it
    /// does not change when other tables are added.
    #[ts(type = "number")]
    pub id: i64,
    /// Unique among the relationships leaving `from_entity` (e.g. `events`, `profile`).
    pub name: String,
    pub from_entity: String,
    pub from_column: String,
    pub to_entity: String,
    pub to_column: String,
    pub cardinality: Cardinality,
    /// The related entity's timestamp column used by time windows, where it has one.
    #[ts(optional)]
    pub time_column: Option<String>,
}

impl Relationship {
    /// The stable id of the relationship `from.from_column -> to.to_column`: FNV-1a over the
    /// four names, folded to a positive 31-bit integer.
    pub fn stable_id(
        from_entity: &str,
        from_column: &str,
        to_entity: &str,
        to_column: &str,
    ) -> i64 {
        let mut hash: u32 = 0x811c_9dc5;
        for part in [from_entity, from_column, to_entity, to_column] {
            for byte in part.bytes().chain(std::iter::once(0u8)) {
                hash ^= u32::from(byte);
                hash = hash.wrapping_mul(0x0100_0193);
            }
        }
        i64::from(hash & 0x7fff_ffff)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Schema {
    pub entities: Vec<Entity>,
    pub relationships: Vec<Relationship>,
}

impl Schema {
    pub fn entity(&self, name: &str) -> Option<&Entity> {
        self.entities.iter().find(|e| e.name == name)
    }

    /// The relationship named `name` leaving `from_entity`.
    pub fn relationship(&self, from_entity: &str, name: &str) -> Option<&Relationship> {
        self.relationships
            .iter()
            .find(|r| r.from_entity == from_entity && r.name == name)
    }

    pub fn relationship_by_id(&self, id: i64) -> Option<&Relationship> {
        self.relationships.iter().find(|r| r.id == id)
    }

    pub fn relationships_from<'a>(
        &'a self,
        from_entity: &'a str,
    ) -> impl Iterator<Item = &'a Relationship> + 'a {
        self.relationships
            .iter()
            .filter(move |r| r.from_entity == from_entity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_ids_differ_by_direction_and_are_positive() {
        let a = Relationship::stable_id("profiles", "id", "events", "profile_id");
        let b = Relationship::stable_id("events", "profile_id", "profiles", "id");
        assert_ne!(a, b);
        assert!(a > 0 && b > 0);
        assert_eq!(
            a,
            Relationship::stable_id("profiles", "id", "events", "profile_id")
        );
    }
}
