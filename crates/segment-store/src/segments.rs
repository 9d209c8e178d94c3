//! Saving, reading, listing and deleting segments. Every save is one transaction that updates
//! the segment's row and appends its revision: both are there, or neither.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::model::*;
use crate::{counts, members, parse_instant, stamp, Store};

/// The editable fields of a segment, as stored in `segments` and in each revision.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fields {
    pub name: String,
    pub description: String,
    pub segment_type: SegmentType,
    pub status: Status,
    pub scope: Scope,
    pub author_id: Option<String>,
    pub author_name: Option<String>,
    pub entity: Option<String>,
    pub data_source: Option<String>,
    /// Canonical JSON text of the definition.
    pub definition: Option<String>,
}

impl Fields {
    pub(crate) const COLUMNS: &'static str =
        "name, description, segment_type, status, scope, author_id, author_name, entity, data_source, definition";

    /// Reads the ten columns of [`Fields::COLUMNS`] starting at `at`.
    pub(crate) fn from_row(row: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Result<Fields>> {
        let segment_type: String = row.get(at + 2)?;
        let status: String = row.get(at + 3)?;
        let scope: String = row.get(at + 4)?;
        let parsed = (|| {
            Ok(Fields {
                name: row.get(at)?,
                description: row.get(at + 1)?,
                segment_type: SegmentType::parse(&segment_type)?,
                status: Status::parse(&status)?,
                scope: Scope::parse(&scope)?,
                author_id: row.get(at + 5)?,
                author_name: row.get(at + 6)?,
                entity: row.get(at + 7)?,
                data_source: row.get(at + 8)?,
                definition: row.get(at + 9)?,
            })
        })();
        Ok(parsed.map_err(|e: Error| Error::Corrupt(e.to_string())))
    }

    pub(crate) fn author(&self) -> Option<Author> {
        if self.author_id.is_none() && self.author_name.is_none() {
            None
        } else {
            Some(Author {
                identifier: self.author_id.clone(),
                name: self.author_name.clone(),
            })
        }
    }

    pub(crate) fn parsed_definition(&self) -> Result<Option<segment_model::Segment>> {
        match &self.definition {
            None => Ok(None),
            Some(text) => segment_model::canonical::parse(text)
                .map(Some)
                .map_err(|e| Error::Corrupt(format!("a stored definition does not parse: {e}"))),
        }
    }

    fn check(&self) -> Result<()> {
        check_text("name", &self.name, MAX_NAME_LEN, false)?;
        check_text("description", &self.description, MAX_DESCRIPTION_LEN, true)?;
        for (field, value) in [
            ("author", &self.author_id),
            ("author", &self.author_name),
            ("entity", &self.entity),
        ] {
            if let Some(v) = value {
                check_text(field, v, MAX_NAME_LEN, false)?;
            }
        }
        if let Some(v) = &self.data_source {
            check_text("dataSource", v, 4096, false)?;
        }
        if self.segment_type == SegmentType::Dynamic && self.definition.is_none() {
            return Err(Error::invalid(
                "definition",
                "a DYNAMIC segment needs a definition (its condition tree)",
            ));
        }
        Ok(())
    }
}

/// Text is stored verbatim; only emptiness, length and NUL characters are refused.
fn check_text(field: &str, value: &str, max: usize, may_be_empty: bool) -> Result<()> {
    if !may_be_empty && value.trim().is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(Error::invalid(
            field,
            format!("longer than {max} characters"),
        ));
    }
    if value.contains('\0') {
        return Err(Error::invalid(field, "contains a NUL character"));
    }
    Ok(())
}

/// The stored row of a segment: its fields, revision, dates, and whether it is deleted.
pub(crate) struct Current {
    pub fields: Fields,
    pub revision: i64,
    pub date_created: String,
    pub date_modified: String,
    pub deleted: bool,
}

pub(crate) fn current(tx: &Transaction<'_>, id: &str) -> Result<Option<Current>> {
    let sql = format!(
        "SELECT {}, revision, date_created, date_modified, date_deleted FROM segments WHERE id = ?1",
        Fields::COLUMNS
    );
    let row = tx
        .query_row(&sql, params![id], |r| {
            Ok((
                Fields::from_row(r, 0)?,
                r.get::<_, i64>(10)?,
                r.get::<_, String>(11)?,
                r.get::<_, String>(12)?,
                r.get::<_, Option<String>>(13)?,
            ))
        })
        .optional()?;
    match row {
        None => Ok(None),
        Some((fields, revision, date_created, date_modified, deleted)) => Ok(Some(Current {
            fields: fields?,
            revision,
            date_created,
            date_modified,
            deleted: deleted.is_some(),
        })),
    }
}

/// The segment, or 404 when it does not exist or is deleted.
pub(crate) fn live(tx: &Transaction<'_>, id: &str) -> Result<Current> {
    match current(tx, id)? {
        Some(c) if !c.deleted => Ok(c),
        _ => Err(Error::NotFound { id: id.to_string() }),
    }
}

pub(crate) fn append_revision(
    tx: &Transaction<'_>,
    id: &str,
    revision: i64,
    action: &str,
    restored_from: Option<i64>,
    now: &str,
    f: &Fields,
) -> Result<()> {
    tx.execute(
        &format!(
            "INSERT INTO revisions (segment_id, revision, action, restored_from, date_saved, {}) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            Fields::COLUMNS
        ),
        params![
            id,
            revision,
            action,
            restored_from,
            now,
            f.name,
            f.description,
            f.segment_type.as_str(),
            f.status.as_str(),
            f.scope.as_str(),
            f.author_id,
            f.author_name,
            f.entity,
            f.data_source,
            f.definition
        ],
    )?;
    Ok(())
}

/// Writes `fields` as the segment's new revision (creating the row at revision 0).
pub(crate) fn write_revision(
    tx: &Transaction<'_>,
    id: &str,
    previous: Option<&Current>,
    fields: &Fields,
    action: &str,
    restored_from: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64> {
    fields.check()?;
    let now = stamp(now);
    let revision = match previous {
        None => {
            tx.execute(
                &format!(
                    "INSERT INTO segments (id, {}, revision, date_created, date_modified) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 0, ?12, ?12)",
                    Fields::COLUMNS
                ),
                params![
                    id,
                    fields.name,
                    fields.description,
                    fields.segment_type.as_str(),
                    fields.status.as_str(),
                    fields.scope.as_str(),
                    fields.author_id,
                    fields.author_name,
                    fields.entity,
                    fields.data_source,
                    fields.definition,
                    now
                ],
            )?;
            0
        }
        Some(prev) => {
            let revision = prev.revision + 1;
            tx.execute(
                "UPDATE segments SET name = ?2, description = ?3, segment_type = ?4, status = ?5, scope = ?6, \
                 author_id = ?7, author_name = ?8, entity = ?9, data_source = ?10, definition = ?11, \
                 revision = ?12, date_modified = ?13, date_deleted = NULL WHERE id = ?1",
                params![
                    id,
                    fields.name,
                    fields.description,
                    fields.segment_type.as_str(),
                    fields.status.as_str(),
                    fields.scope.as_str(),
                    fields.author_id,
                    fields.author_name,
                    fields.entity,
                    fields.data_source,
                    fields.definition,
                    revision,
                    now
                ],
            )?;
            revision
        }
    };
    append_revision(tx, id, revision, action, restored_from, &now, fields)?;
    Ok(revision)
}

fn merge(
    base: Option<&Fields>,
    id: &str,
    draft: &SegmentDraft,
    definition: Option<String>,
) -> Fields {
    let definition = definition.or_else(|| base.and_then(|b| b.definition.clone()));
    let default_type = if definition.is_some() {
        SegmentType::Dynamic
    } else {
        SegmentType::Static
    };
    Fields {
        name: draft
            .name
            .clone()
            .or_else(|| base.map(|b| b.name.clone()))
            .unwrap_or_else(|| id.to_string()),
        description: draft
            .description
            .clone()
            .or_else(|| base.map(|b| b.description.clone()))
            .unwrap_or_default(),
        segment_type: draft
            .segment_type
            .or(base.map(|b| b.segment_type))
            .unwrap_or(default_type),
        status: draft
            .status
            .or(base.map(|b| b.status))
            .unwrap_or(Status::Active),
        scope: draft.scope.or(base.map(|b| b.scope)).unwrap_or(Scope::User),
        author_id: match &draft.author {
            Some(a) => a.identifier.clone(),
            None => base.and_then(|b| b.author_id.clone()),
        },
        author_name: match &draft.author {
            Some(a) => a.name.clone(),
            None => base.and_then(|b| b.author_name.clone()),
        },
        entity: draft
            .entity
            .clone()
            .or_else(|| draft.definition.as_ref().and_then(|d| d.entity.clone()))
            .or_else(|| base.and_then(|b| b.entity.clone())),
        data_source: draft
            .data_source
            .clone()
            .or_else(|| base.and_then(|b| b.data_source.clone())),
        definition,
    }
}

pub(crate) fn record(
    tx: &Transaction<'_>,
    id: &str,
    c: Current,
    now: DateTime<Utc>,
) -> Result<SegmentRecord> {
    let individual_count = match c.fields.segment_type {
        SegmentType::Static => Some(members::active_count(tx, id, now)?),
        SegmentType::Dynamic => None,
    };
    Ok(SegmentRecord {
        id: id.to_string(),
        definition: c.fields.parsed_definition()?,
        author: c.fields.author(),
        name: c.fields.name,
        description: c.fields.description,
        segment_type: c.fields.segment_type,
        status: c.fields.status,
        scope: c.fields.scope,
        entity: c.fields.entity,
        data_source: c.fields.data_source,
        revision: c.revision,
        date_created: c.date_created,
        date_modified: c.date_modified,
        record_count: counts::latest(tx, id)?,
        individual_count,
    })
}

/// Fields a list can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SortField {
    Id,
    Name,
    Description,
    SegmentType,
    Status,
    Scope,
    Author,
    Entity,
    DataSource,
    Revision,
    DateCreated,
    DateModified,
    RecordCount,
}

impl SortField {
    pub const ALL: [SortField; 13] = [
        SortField::Id,
        SortField::Name,
        SortField::Description,
        SortField::SegmentType,
        SortField::Status,
        SortField::Scope,
        SortField::Author,
        SortField::Entity,
        SortField::DataSource,
        SortField::Revision,
        SortField::DateCreated,
        SortField::DateModified,
        SortField::RecordCount,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SortField::Id => "id",
            SortField::Name => "name",
            SortField::Description => "description",
            SortField::SegmentType => "segmentType",
            SortField::Status => "status",
            SortField::Scope => "scope",
            SortField::Author => "author",
            SortField::Entity => "entity",
            SortField::DataSource => "dataSource",
            SortField::Revision => "revision",
            SortField::DateCreated => "dateCreated",
            SortField::DateModified => "dateModified",
            SortField::RecordCount => "recordCount",
        }
    }

    /// Accepts the camelCase name or its snake_case / lowercase spellings.
    pub fn parse(text: &str) -> Result<SortField> {
        let folded: String = text
            .chars()
            .filter(|c| *c != '_')
            .collect::<String>()
            .to_ascii_lowercase();
        SortField::ALL
            .into_iter()
            .find(|f| f.name().to_ascii_lowercase() == folded)
            .ok_or_else(|| {
                let names: Vec<&str> = SortField::ALL.iter().map(|f| f.name()).collect();
                Error::invalid(
                    "sort",
                    format!(
                        "unknown field {}; sort by one of {}",
                        crate::error::quoted(text),
                        names.join(", ")
                    ),
                )
            })
    }

    /// The SQL expression sorted on: fixed text chosen from this enum, never user input.
    fn expression(self) -> &'static str {
        match self {
            SortField::Id => "s.id",
            SortField::Name => "s.name COLLATE NOCASE",
            SortField::Description => "s.description COLLATE NOCASE",
            SortField::SegmentType => "s.segment_type",
            SortField::Status => "s.status",
            SortField::Scope => "s.scope",
            SortField::Author => "coalesce(s.author_name, s.author_id) COLLATE NOCASE",
            SortField::Entity => "s.entity",
            SortField::DataSource => "s.data_source",
            SortField::Revision => "s.revision",
            SortField::DateCreated => "s.date_created",
            SortField::DateModified => "s.date_modified",
            SortField::RecordCount => {
                "(SELECT c.count FROM counts c WHERE c.segment_id = s.id ORDER BY c.id DESC LIMIT 1)"
            }
        }
    }
}

/// A list request: search, filters, sort and page. Dates are ISO-8601.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct ListQuery {
    /// Case-insensitive substring of the name or the id.
    #[ts(optional)]
    pub search: Option<String>,
    #[ts(optional)]
    pub status: Option<Status>,
    #[ts(optional)]
    pub segment_type: Option<SegmentType>,
    #[ts(optional)]
    pub scope: Option<Scope>,
    /// The author's identifier or name, exactly.
    #[ts(optional)]
    pub author: Option<String>,
    #[ts(optional)]
    pub entity: Option<String>,
    #[ts(optional)]
    pub modified_after: Option<String>,
    #[ts(optional)]
    pub modified_before: Option<String>,
    #[ts(optional)]
    pub created_after: Option<String>,
    #[ts(optional)]
    pub created_before: Option<String>,
    /// Sort keys, first first; ties are broken by id.
    pub sort: Vec<(SortField, Direction)>,
    #[ts(optional, type = "number")]
    pub page: Option<u64>,
    #[ts(optional, type = "number")]
    pub size: Option<u64>,
}

fn like_pattern(search: &str) -> String {
    let mut out = String::from("%");
    for c in search.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

impl Store {
    /// Creates the segment (revision 0) or updates it (revision + 1). Fields absent from the
    /// draft keep their stored value. A save that changes nothing keeps the revision.
    pub fn save(&mut self, draft: &SegmentDraft) -> Result<Saved> {
        let id = normalize_id(&draft.id)?;
        let definition = draft
            .definition
            .as_ref()
            .map(segment_model::canonical::to_string_pretty);
        self.write(|tx, now| {
            let previous = current(tx, &id)?;
            let actual = previous.as_ref().filter(|p| !p.deleted).map(|p| p.revision);
            if let Some(expected) = draft.expected_revision {
                if actual != Some(expected) {
                    return match actual {
                        Some(actual) => Err(Error::RevisionConflict {
                            id: id.clone(),
                            expected,
                            actual,
                        }),
                        None => Err(Error::NotFound { id: id.clone() }),
                    };
                }
            }
            // A deleted segment saved again comes back as a new revision of its history.
            let base = previous.as_ref().filter(|p| !p.deleted).map(|p| &p.fields);
            let fields = merge(base, &id, draft, definition.clone());
            if let Some(prev) = &previous {
                if !prev.deleted && prev.fields == fields {
                    return Ok(Saved {
                        id: id.clone(),
                        revision: prev.revision,
                        created: false,
                        changed: false,
                    });
                }
            }
            if previous.is_none() {
                check_new_id(&id)?;
            }
            let action = match &previous {
                None => "create",
                Some(p) if p.deleted => "undelete",
                Some(_) => "update",
            };
            let revision = write_revision(tx, &id, previous.as_ref(), &fields, action, None, now)?;
            Ok(Saved {
                id: id.clone(),
                revision,
                created: previous.is_none(),
                changed: true,
            })
        })
    }

    /// The segment at its current revision, or [`Error::NotFound`].
    pub fn get(&mut self, id: &str) -> Result<SegmentRecord> {
        let id = normalize_id(id)?;
        self.read(|tx, now| {
            let c = live(tx, &id)?;
            record(tx, &id, c, now)
        })
    }

    /// Whether a live segment has this id.
    pub fn exists(&mut self, id: &str) -> Result<bool> {
        let id = normalize_id(id)?;
        self.read(|tx, _| Ok(current(tx, &id)?.is_some_and(|c| !c.deleted)))
    }

    /// Deletes a segment: it disappears from lists and reads (404), but its history, counts and
    /// memberships stay in the file, and `restore` or a new save brings it back. Returns the ids
    /// that remain, as the seed API does.
    pub fn delete(&mut self, id: &str) -> Result<Vec<String>> {
        let id = normalize_id(id)?;
        self.write(|tx, now| {
            let c = live(tx, &id)?;
            crate::references::refuse_if_used(tx, &id)?;
            let revision = c.revision + 1;
            let at = stamp(now);
            tx.execute(
                "UPDATE segments SET revision = ?2, date_modified = ?3, date_deleted = ?3 WHERE id = ?1",
                params![id, revision, at],
            )?;
            append_revision(tx, &id, revision, "delete", None, &at, &c.fields)?;
            let mut stmt = tx.prepare("SELECT id FROM segments WHERE date_deleted IS NULL ORDER BY id")?;
            let ids = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
            Ok(ids)
        })
    }

    /// The ids of deleted segments (recoverable with `restore`).
    pub fn deleted_ids(&mut self) -> Result<Vec<String>> {
        self.read(|tx, _| {
            let mut stmt =
                tx.prepare("SELECT id FROM segments WHERE date_deleted IS NOT NULL ORDER BY id")?;
            let ids = stmt
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?;
            Ok(ids)
        })
    }

    /// Segments matching the query's search and filters, sorted, one page of them, with totals.
    pub fn list(&mut self, query: &ListQuery) -> Result<Page<SegmentRecord>> {
        let paging = Paging {
            page: query.page.unwrap_or(0),
            size: query.size.unwrap_or(20),
        };
        let (limit, offset) = paging.checked()?;
        let instant = |field: &str, v: &Option<String>| {
            v.as_deref().map(|t| parse_instant(field, t)).transpose()
        };
        let modified_after = instant("modifiedAfter", &query.modified_after)?;
        let modified_before = instant("modifiedBefore", &query.modified_before)?;
        let created_after = instant("createdAfter", &query.created_after)?;
        let created_before = instant("createdBefore", &query.created_before)?;
        let search = query
            .search
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(like_pattern);
        let mut order: Vec<String> = query
            .sort
            .iter()
            .map(|(f, d)| {
                format!(
                    "{} {}",
                    f.expression(),
                    if *d == Direction::Desc { "DESC" } else { "ASC" }
                )
            })
            .collect();
        order.push("s.id ASC".to_string());
        let filter = "FROM segments s WHERE s.date_deleted IS NULL \
            AND (?1 IS NULL OR s.name LIKE ?1 ESCAPE '\\' OR s.id LIKE ?1 ESCAPE '\\') \
            AND (?2 IS NULL OR s.status = ?2) AND (?3 IS NULL OR s.segment_type = ?3) \
            AND (?4 IS NULL OR s.scope = ?4) \
            AND (?5 IS NULL OR s.author_id = ?5 OR s.author_name = ?5) AND (?6 IS NULL OR s.entity = ?6) \
            AND (?7 IS NULL OR s.date_modified > ?7) AND (?8 IS NULL OR s.date_modified < ?8) \
            AND (?9 IS NULL OR s.date_created > ?9) AND (?10 IS NULL OR s.date_created < ?10)";
        let status = query.status.map(Status::as_str);
        let segment_type = query.segment_type.map(SegmentType::as_str);
        let scope = query.scope.map(Scope::as_str);
        self.read(|tx, now| {
            let bound = params![
                search,
                status,
                segment_type,
                scope,
                query.author,
                query.entity,
                modified_after,
                modified_before,
                created_after,
                created_before,
            ];
            let total: i64 =
                tx.query_row(&format!("SELECT count(*) {filter}"), bound, |r| r.get(0))?;
            let sql = format!(
                "SELECT s.id {filter} ORDER BY {} LIMIT {limit} OFFSET {offset}",
                order.join(", ")
            );
            let mut stmt = tx.prepare(&sql)?;
            let ids = stmt
                .query_map(bound, |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?;
            let mut items = Vec::with_capacity(ids.len());
            for id in ids {
                let c = live(tx, &id)?;
                items.push(record(tx, &id, c, now)?);
            }
            Ok(Page {
                items,
                page: PageInfo::new(paging.size, total as u64, paging.page),
            })
        })
    }
}
