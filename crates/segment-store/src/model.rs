//! The library's records as callers see them (camelCase JSON, as the seed APIs spell them).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};

/// Longest id accepted.
pub const MAX_ID_LEN: usize = 128;
/// Longest name accepted (characters).
pub const MAX_NAME_LEN: usize = 500;
/// Longest description accepted (characters).
pub const MAX_DESCRIPTION_LEN: usize = 20_000;

/// Checks an id against `[a-z][a-z0-9_]*` (case-insensitive) and returns its stored spelling,
/// lowercased: `Is_Active` and `is_active` are the same segment.
pub fn normalize_id(id: &str) -> Result<String> {
    let mut chars = id.chars();
    let ok = id.len() <= MAX_ID_LEN
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(id.to_ascii_lowercase())
    } else {
        Err(Error::InvalidId { id: id.to_string() })
    }
}

/// Whether `id` is a device name Windows reserves in every folder (`con`, `prn`, `aux`, `nul`,
/// `com1`–`com9`, `lpt1`–`lpt9`, any case): a segment with that id could not be exported
/// there as `<id>.json`.
pub fn is_reserved_id(id: &str) -> bool {
    let id = id.to_ascii_lowercase();
    match id.as_bytes() {
        b"con" | b"prn" | b"aux" | b"nul" => true,
        [b'c', b'o', b'm', d] | [b'l', b'p', b't', d] => (b'1'..=b'9').contains(d),
        _ => false,
    }
}

/// [`normalize_id`] for an id about to be created: reserved device names are refused too.
/// Lookups keep using [`normalize_id`], so a segment stored under such an id before this rule
/// stays reachable.
pub fn check_new_id(id: &str) -> Result<String> {
    let id = normalize_id(id)?;
    if is_reserved_id(&id) {
        return Err(Error::ReservedId { id });
    }
    Ok(id)
}

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the stored or typed spelling (case-insensitive).
            pub fn parse(text: &str) -> Result<Self> {
                $(if text.eq_ignore_ascii_case($text) { return Ok($name::$variant); })+
                Err(Error::invalid(
                    stringify!($name),
                    format!("{} is not one of {}", crate::error::quoted(text), [$($text),+].join(", ")),
                ))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(
    /// DYNAMIC: members are the records matching the definition. STATIC: a fixed set.
    SegmentType { Static = "STATIC", Dynamic = "DYNAMIC" }
);
text_enum!(
    /// Whether a segment accepts memberships (and is in use).
    Status { Active = "ACTIVE", Inactive = "INACTIVE" }
);
text_enum!(
    /// Whether a segment belongs to its author or is shared with the project.
    Scope { User = "USER", Project = "PROJECT" }
);
text_enum!(
    /// A membership-change log entry's operation.
    Operation { Added = "ADDED", Removed = "REMOVED" }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Author {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub identifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub name: Option<String>,
}

/// One count of a segment: when, on what data, at which revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CountRecord {
    #[ts(type = "number")]
    pub revision: i64,
    #[ts(type = "number")]
    pub count: u64,
    /// All records of the base entity, when known.
    #[ts(type = "number | null")]
    pub total: Option<u64>,
    pub computed_at: String,
    /// The data the count was computed on (a file path or a name).
    pub data_source: Option<String>,
    /// "Now" for relative dates in the definition.
    pub as_of: Option<String>,
}

/// A saved segment at its current revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SegmentRecord {
    pub id: String,
    pub name: String,
    pub description: String,
    pub segment_type: SegmentType,
    pub status: Status,
    pub scope: Scope,
    pub author: Option<Author>,
    /// The base entity whose records the segment selects.
    pub entity: Option<String>,
    /// The data source the segment is built on.
    pub data_source: Option<String>,
    /// The canonical condition tree (absent for a static segment without one).
    pub definition: Option<segment_model::Segment>,
    #[ts(type = "number")]
    pub revision: i64,
    pub date_created: String,
    pub date_modified: String,
    /// The newest count computed, with when and on what (the cached record count).
    pub record_count: Option<CountRecord>,
    /// STATIC segments: the members now (ACTIVE, not expired).
    #[ts(type = "number | null")]
    pub individual_count: Option<u64>,
}

/// A save: the id, and the fields to set. On update, absent fields keep their value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SegmentDraft {
    pub id: String,
    #[serde(default)]
    #[ts(optional)]
    pub name: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub description: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub segment_type: Option<SegmentType>,
    #[serde(default)]
    #[ts(optional)]
    pub status: Option<Status>,
    #[serde(default)]
    #[ts(optional)]
    pub scope: Option<Scope>,
    #[serde(default)]
    #[ts(optional)]
    pub author: Option<Author>,
    #[serde(default)]
    #[ts(optional)]
    pub entity: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub data_source: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub definition: Option<segment_model::Segment>,
    /// Optimistic concurrency: fail with a conflict unless the stored revision is this one.
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub expected_revision: Option<i64>,
}

/// What a save did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Saved {
    pub id: String,
    #[ts(type = "number")]
    pub revision: i64,
    pub created: bool,
    /// False when the save changed nothing (the revision stays).
    pub changed: bool,
}

/// One revision in a segment's history (without its definition).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RevisionInfo {
    #[ts(type = "number")]
    pub revision: i64,
    /// `create`, `update`, `restore`, `delete`, `undelete`.
    pub action: String,
    #[ts(type = "number | null")]
    pub restored_from: Option<i64>,
    pub date_saved: String,
    pub name: String,
    pub status: Status,
    pub segment_type: SegmentType,
    /// The newest count computed at this revision.
    #[ts(type = "number | null")]
    pub count: Option<u64>,
}

/// A past revision in full.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Revision {
    pub id: String,
    #[ts(type = "number")]
    pub revision: i64,
    pub action: String,
    #[ts(type = "number | null")]
    pub restored_from: Option<i64>,
    pub date_saved: String,
    pub name: String,
    pub description: String,
    pub segment_type: SegmentType,
    pub status: Status,
    pub scope: Scope,
    pub author: Option<Author>,
    pub entity: Option<String>,
    pub data_source: Option<String>,
    pub definition: Option<segment_model::Segment>,
}

/// Paging of a collection, as the seed APIs report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    #[ts(type = "number")]
    pub size: u64,
    #[ts(type = "number")]
    pub total_elements: u64,
    #[ts(type = "number")]
    pub total_pages: u64,
    #[ts(type = "number")]
    pub number: u64,
}

impl PageInfo {
    pub fn new(size: u64, total_elements: u64, number: u64) -> Self {
        let total_pages = if size == 0 {
            0
        } else {
            total_elements.div_ceil(size)
        };
        PageInfo {
            size,
            total_elements,
            total_pages,
            number,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: PageInfo,
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    #[default]
    Asc,
    Desc,
}

/// Paging of a collection request: page number (from 0) and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Paging {
    #[ts(type = "number")]
    pub page: u64,
    #[ts(type = "number")]
    pub size: u64,
}

impl Default for Paging {
    fn default() -> Self {
        Paging { page: 0, size: 20 }
    }
}

/// Largest page size.
pub const MAX_PAGE_SIZE: u64 = 10_000;

impl Paging {
    pub(crate) fn checked(self) -> Result<(i64, i64)> {
        if self.size == 0 || self.size > MAX_PAGE_SIZE {
            return Err(Error::invalid(
                "page size",
                format!("{} is not between 1 and {MAX_PAGE_SIZE}", self.size),
            ));
        }
        let offset = self
            .page
            .checked_mul(self.size)
            .and_then(|o| i64::try_from(o).ok());
        let offset =
            offset.ok_or_else(|| Error::invalid("page", format!("{} is too large", self.page)))?;
        Ok((self.size as i64, offset))
    }
}

/// Parses a sort spec: `field`, `field:desc` or `field,desc` (the seeds' two spellings).
pub fn parse_sort(spec: &str) -> Result<(String, Direction)> {
    let (field, dir) = match spec.split_once([':', ',']) {
        Some((f, d)) => (f.trim(), d.trim()),
        None => (spec.trim(), "asc"),
    };
    let dir = if dir.eq_ignore_ascii_case("asc") {
        Direction::Asc
    } else if dir.eq_ignore_ascii_case("desc") {
        Direction::Desc
    } else {
        return Err(Error::invalid(
            "sort",
            format!("direction {} is not asc or desc", crate::error::quoted(dir)),
        ));
    };
    Ok((field.to_string(), dir))
}

/// A membership of a static segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    pub individual_segment_identifier: String,
    pub individual_identifier: String,
    pub status: Status,
    pub date_created: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_removed: Option<String>,
    /// When the membership expires (absent: never).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_bag: Option<String>,
}

/// An entry of the membership-change log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MembershipChange {
    pub individual_segment_identifier: String,
    pub individual_identifier: String,
    pub operation: Operation,
    pub date_changed: String,
    pub date_first: String,
    /// Members of the segment right after this change.
    #[ts(type = "number")]
    pub individuals_count: u64,
}
