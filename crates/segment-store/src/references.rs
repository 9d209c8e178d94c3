//! Segments that refer to other segments ("is in segment S"): who uses a segment, a static
//! segment's active member ids, and deletion refused while other segments use it.

use chrono::{DateTime, Utc};
use rusqlite::{params, Transaction};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::model::normalize_id;
use crate::{stamp, Store};

/// A live segment whose definition refers to another one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Usage {
    pub id: String,
    pub name: String,
}

impl Store {
    /// The live segments (other than `id` itself) whose current definition refers to `id`,
    /// by id.
    pub fn used_by(&mut self, id: &str) -> Result<Vec<Usage>> {
        let id = normalize_id(id)?;
        self.read(|tx, _| users(tx, &id))
    }

    /// A segment's members now (ACTIVE, not expired), in member order.
    pub fn active_member_ids(&mut self, id: &str) -> Result<Vec<String>> {
        let id = normalize_id(id)?;
        self.read(|tx, now| {
            crate::segments::live(tx, &id)?;
            active_members(tx, &id, now)
        })
    }
}

fn active_members(tx: &Transaction<'_>, id: &str, now: DateTime<Utc>) -> Result<Vec<String>> {
    let mut stmt = tx.prepare(
        "SELECT member FROM memberships WHERE segment_id = ?1 AND status = 'ACTIVE' \
         AND (expires_at IS NULL OR expires_at > ?2) ORDER BY member",
    )?;
    let ids = stmt
        .query_map(params![id, stamp(now)], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(ids)
}

pub(crate) fn users(tx: &Transaction<'_>, id: &str) -> Result<Vec<Usage>> {
    let mut stmt = tx.prepare(
        "SELECT id, name, definition FROM segments WHERE date_deleted IS NULL AND id <> ?1 \
         AND definition LIKE '%in\\_segment%' ESCAPE '\\' ORDER BY id",
    )?;
    let rows = stmt.query_map(params![id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut found = Vec::new();
    for row in rows {
        let (user, name, definition) = row?;
        let tree: Value = serde_json::from_str(&definition)
            .map_err(|e| Error::Corrupt(format!("definition of {user}: {e}")))?;
        if refers_to(&tree, id) {
            found.push(Usage { id: user, name });
        }
    }
    Ok(found)
}

/// Whether a canonical tree (as JSON) has an `in_segment` node naming `id`.
fn refers_to(tree: &Value, id: &str) -> bool {
    match tree {
        Value::Object(map) => {
            let is_reference = map.get("type").and_then(Value::as_str) == Some("in_segment")
                && map.get("segment").and_then(Value::as_str) == Some(id);
            is_reference || map.values().any(|v| refers_to(v, id))
        }
        Value::Array(items) => items.iter().any(|v| refers_to(v, id)),
        _ => false,
    }
}

/// [`Error::InUse`] when live segments refer to `id`.
pub(crate) fn refuse_if_used(tx: &Transaction<'_>, id: &str) -> Result<()> {
    let users = users(tx, id)?;
    if users.is_empty() {
        return Ok(());
    }
    Err(Error::InUse {
        id: id.to_string(),
        users: users
            .into_iter()
            .map(|u| format!("{} ({})", u.name, u.id))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_references_at_any_depth_by_exact_id() {
        let tree = json!({"version": 1, "root": {"combinator": "and", "children": [
            {"type": "group", "combinator": "or", "children": [
                {"type": "in_segment", "segment": "vip", "negated": true}]}]}});
        assert!(refers_to(&tree, "vip"));
        assert!(!refers_to(&tree, "vi"));
        assert!(!refers_to(
            &json!({"type": "condition", "segment": "vip"}),
            "vip"
        ));
    }
}
