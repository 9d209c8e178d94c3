//! Every revision of a segment, the diff between any two, and restoring one as a new revision.

use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::{json, Value};

use crate::diff::{diff_trees, CountChange, FieldChange, RevisionDiff};
use crate::error::{Error, Result};
use crate::model::*;
use crate::segments::{current, write_revision, Fields};
use crate::Store;

fn revision_fields(
    tx: &Transaction<'_>,
    id: &str,
    revision: i64,
) -> Result<(Fields, String, Option<i64>, String)> {
    let sql = format!(
        "SELECT {}, action, restored_from, date_saved FROM revisions WHERE segment_id = ?1 AND revision = ?2",
        Fields::COLUMNS
    );
    let row = tx
        .query_row(&sql, params![id, revision], |r| {
            Ok((
                Fields::from_row(r, 0)?,
                r.get::<_, String>(10)?,
                r.get::<_, Option<i64>>(11)?,
                r.get::<_, String>(12)?,
            ))
        })
        .optional()?;
    match row {
        Some((fields, action, from, saved)) => Ok((fields?, action, from, saved)),
        None => Err(Error::RevisionNotFound {
            id: id.to_string(),
            revision,
        }),
    }
}

fn known(tx: &Transaction<'_>, id: &str) -> Result<crate::segments::Current> {
    current(tx, id)?.ok_or_else(|| Error::NotFound { id: id.to_string() })
}

/// The newest count computed at `revision`.
fn count_at(tx: &Transaction<'_>, id: &str, revision: i64) -> Result<Option<u64>> {
    let n: Option<i64> = tx
        .query_row(
            "SELECT count FROM counts WHERE segment_id = ?1 AND revision = ?2 ORDER BY id DESC LIMIT 1",
            params![id, revision],
            |r| r.get(0),
        )
        .optional()?;
    Ok(n.map(|n| n.max(0) as u64))
}

fn field_values(f: &Fields) -> Vec<(&'static str, Value)> {
    vec![
        ("name", json!(f.name)),
        ("description", json!(f.description)),
        ("segmentType", json!(f.segment_type.as_str())),
        ("status", json!(f.status.as_str())),
        ("scope", json!(f.scope.as_str())),
        (
            "author",
            json!({"identifier": f.author_id, "name": f.author_name}),
        ),
        ("entity", json!(f.entity)),
        ("dataSource", json!(f.data_source)),
    ]
}

fn definition_value(f: &Fields) -> Result<Value> {
    match &f.definition {
        None => Ok(Value::Null),
        Some(text) => serde_json::from_str(text)
            .map_err(|e| Error::Corrupt(format!("a stored definition is not JSON: {e}"))),
    }
}

impl Store {
    /// Every revision of a segment, oldest first (deleted segments too: nothing is lost).
    pub fn history(&mut self, id: &str) -> Result<Vec<RevisionInfo>> {
        let id = normalize_id(id)?;
        self.read(|tx, _| {
            known(tx, &id)?;
            let sql = format!(
                "SELECT {}, revision, action, restored_from, date_saved, \
                 (SELECT c.count FROM counts c WHERE c.segment_id = r.segment_id AND c.revision = r.revision \
                  ORDER BY c.id DESC LIMIT 1) \
                 FROM revisions r WHERE segment_id = ?1 ORDER BY revision",
                Fields::COLUMNS
            );
            let mut stmt = tx.prepare(&sql)?;
            let rows = stmt.query_map(params![id], |r| {
                let fields = Fields::from_row(r, 0)?;
                Ok((fields, r.get::<_, i64>(10)?, r.get(11)?, r.get(12)?, r.get(13)?, r.get::<_, Option<i64>>(14)?))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (fields, revision, action, restored_from, date_saved, count) = row?;
                let fields = fields?;
                out.push(RevisionInfo {
                    revision,
                    action,
                    restored_from,
                    date_saved,
                    name: fields.name,
                    status: fields.status,
                    segment_type: fields.segment_type,
                    count: count.map(|n| n.max(0) as u64),
                });
            }
            Ok(out)
        })
    }

    /// One past revision in full.
    pub fn revision(&mut self, id: &str, revision: i64) -> Result<Revision> {
        let id = normalize_id(id)?;
        self.read(|tx, _| {
            known(tx, &id)?;
            let (fields, action, restored_from, date_saved) = revision_fields(tx, &id, revision)?;
            Ok(Revision {
                id: id.clone(),
                revision,
                action,
                restored_from,
                date_saved,
                definition: fields.parsed_definition()?,
                author: fields.author(),
                name: fields.name,
                description: fields.description,
                segment_type: fields.segment_type,
                status: fields.status,
                scope: fields.scope,
                entity: fields.entity,
                data_source: fields.data_source,
            })
        })
    }

    /// What changed from revision `from` to revision `to` (either order): fields, conditions
    /// (added, removed, changed, at JSON Pointers) and the count.
    pub fn diff(&mut self, id: &str, from: i64, to: i64) -> Result<RevisionDiff> {
        let id = normalize_id(id)?;
        self.read(|tx, _| {
            known(tx, &id)?;
            let (a, ..) = revision_fields(tx, &id, from)?;
            let (b, ..) = revision_fields(tx, &id, to)?;
            let fields = field_values(&a)
                .into_iter()
                .zip(field_values(&b))
                .filter(|((_, x), (_, y))| x != y)
                .map(|((field, before), (_, after))| FieldChange {
                    field: field.to_string(),
                    before,
                    after,
                })
                .collect();
            let conditions = diff_trees(&definition_value(&a)?, &definition_value(&b)?);
            let (ca, cb) = (count_at(tx, &id, from)?, count_at(tx, &id, to)?);
            let delta = match (ca, cb) {
                (Some(x), Some(y)) => Some(y as i64 - x as i64),
                _ => None,
            };
            Ok(RevisionDiff {
                id: id.clone(),
                from,
                to,
                fields,
                conditions,
                count: CountChange {
                    from: ca,
                    to: cb,
                    delta,
                },
            })
        })
    }

    /// Makes an old revision current again, as a new revision (history is never rewritten).
    /// Also brings back a deleted segment.
    pub fn restore(
        &mut self,
        id: &str,
        revision: i64,
        expected_revision: Option<i64>,
    ) -> Result<Saved> {
        let id = normalize_id(id)?;
        self.write(|tx, now| {
            let cur = known(tx, &id)?;
            if let Some(expected) = expected_revision {
                if expected != cur.revision {
                    return Err(Error::RevisionConflict {
                        id: id.clone(),
                        expected,
                        actual: cur.revision,
                    });
                }
            }
            let (fields, action, ..) = revision_fields(tx, &id, revision)?;
            if action == "delete" {
                return Err(Error::invalid(
                    "revision",
                    format!("revision {revision} records a deletion; restore the one before it"),
                ));
            }
            let new = write_revision(tx, &id, Some(&cur), &fields, "restore", Some(revision), now)?;
            Ok(Saved {
                id: id.clone(),
                revision: new,
                created: false,
                changed: true,
            })
        })
    }
}
