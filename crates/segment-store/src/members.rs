//! Static segments' memberships (ACTIVE/INACTIVE; removal deactivates, never deletes), the
//! membership-change log (ADDED/REMOVED with the member count after each change), expiration,
//! freezing a dynamic segment's result into a static segment, and evaluations: snapshots of a
//! dynamic segment's members, compared to tell who entered and who left.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::counts::{self, CountInput};
use crate::error::{Error, Result};
use crate::model::*;
use crate::segments::{current, live, write_revision, Current, Fields};
use crate::{parse_instant, stamp, Store};

/// Longest member identifier accepted.
pub const MAX_MEMBER_LEN: usize = 1024;

/// Members ACTIVE and not expired at `now`.
pub(crate) fn active_count(tx: &Transaction<'_>, id: &str, now: DateTime<Utc>) -> Result<u64> {
    let n: i64 = tx.query_row(
        "SELECT count(*) FROM memberships WHERE segment_id = ?1 AND status = 'ACTIVE' \
         AND (expires_at IS NULL OR expires_at > ?2)",
        params![id, stamp(now)],
        |r| r.get(0),
    )?;
    Ok(n.max(0) as u64)
}

pub(crate) fn check_member(member: &str) -> Result<()> {
    if member.is_empty() || member.len() > MAX_MEMBER_LEN || member.contains('\0') {
        return Err(Error::invalid(
            "member",
            format!(
                "{} is not an identifier (1 to {MAX_MEMBER_LEN} bytes, no NUL)",
                crate::error::quoted(member)
            ),
        ));
    }
    Ok(())
}

pub(crate) fn require_active_static(tx: &Transaction<'_>, id: &str) -> Result<Current> {
    let c = live(tx, id)?;
    if c.fields.segment_type != SegmentType::Static || c.fields.status != Status::Active {
        return Err(Error::NotActiveStatic {
            id: id.to_string(),
            segment_type: c.fields.segment_type.to_string(),
            status: c.fields.status.to_string(),
        });
    }
    Ok(c)
}

/// Options of an addition: when the memberships expire and their data bag.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AddOptions {
    /// ISO-8601 instant; absent: never.
    #[ts(optional)]
    pub expires_at: Option<String>,
    /// JSON text kept with each membership.
    #[ts(optional)]
    pub data_bag: Option<String>,
}

/// What a membership operation did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MembersOutcome {
    pub id: String,
    #[ts(type = "number")]
    pub added: u64,
    /// Already members (their expiration and data bag were updated).
    #[ts(type = "number")]
    pub updated: u64,
    #[ts(type = "number")]
    pub removed: u64,
    /// Asked to be removed but not members.
    #[ts(type = "number")]
    pub not_members: u64,
    /// Members after the operation.
    #[ts(type = "number")]
    pub individual_count: u64,
}

/// Applies membership changes to one segment inside a transaction, keeping the log and the
/// running member count right.
pub(crate) struct Writer<'t> {
    tx: &'t Transaction<'t>,
    id: String,
    now: String,
    pub(crate) count: u64,
    /// The last sequence number of the segment's change log.
    seq: i64,
    pub(crate) outcome: MembersOutcome,
}

impl<'t> Writer<'t> {
    /// Starts on an ACTIVE STATIC segment, first deactivating its expired memberships.
    pub(crate) fn new(tx: &'t Transaction<'t>, id: &str, now: DateTime<Utc>) -> Result<Writer<'t>> {
        require_active_static(tx, id)?;
        let seq: i64 = tx.query_row(
            "SELECT coalesce(max(seq), 0) FROM membership_changes WHERE segment_id = ?1",
            params![id],
            |r| r.get(0),
        )?;
        let mut w = Writer {
            tx,
            id: id.to_string(),
            now: stamp(now),
            count: 0,
            seq,
            outcome: MembersOutcome::default(),
        };
        w.count = active_count(tx, id, now)?;
        w.sweep_expired()?;
        w.outcome.id = id.to_string();
        Ok(w)
    }

    /// Expired memberships become INACTIVE, removed at their expiry, each logged.
    fn sweep_expired(&mut self) -> Result<()> {
        let mut stmt = self.tx.prepare(
            "SELECT member, date_created, expires_at FROM memberships WHERE segment_id = ?1 AND status = 'ACTIVE' \
             AND expires_at IS NOT NULL AND expires_at <= ?2 ORDER BY expires_at, member",
        )?;
        let expired = stmt
            .query_map(params![self.id, self.now], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        // `count` already excludes them; the log counts down from the members before expiry.
        let mut running = self.count + expired.len() as u64;
        for (member, first, at) in expired {
            self.tx.execute(
                "UPDATE memberships SET status = 'INACTIVE', date_removed = ?3 WHERE segment_id = ?1 AND member = ?2",
                params![self.id, member, at],
            )?;
            running -= 1;
            self.log(&member, Operation::Removed, &at, &first, running)?;
        }
        Ok(())
    }

    fn log(
        &mut self,
        member: &str,
        op: Operation,
        at: &str,
        first: &str,
        count: u64,
    ) -> Result<()> {
        self.seq += 1;
        self.tx
            .prepare_cached(
                "INSERT INTO membership_changes (segment_id, seq, member, operation, date_changed, date_first, individuals_count) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![self.id, self.seq, member, op.as_str(), at, (first != at).then_some(first), count as i64])?;
        Ok(())
    }

    /// Adds a member, or updates its expiration and data bag if it is one already.
    pub(crate) fn upsert(
        &mut self,
        member: &str,
        expires_at: Option<&str>,
        data_bag: Option<&str>,
    ) -> Result<()> {
        check_member(member)?;
        let existing: Option<String> = self
            .tx
            .prepare_cached("SELECT status FROM memberships WHERE segment_id = ?1 AND member = ?2")?
            .query_row(params![self.id, member], |r| r.get(0))
            .optional()?;
        match existing.as_deref() {
            Some("ACTIVE") => {
                self.tx
                    .prepare_cached("UPDATE memberships SET expires_at = ?3, data_bag = ?4 WHERE segment_id = ?1 AND member = ?2")?
                    .execute(params![self.id, member, expires_at, data_bag])?;
                self.outcome.updated += 1;
            }
            Some(_) => {
                // A former member joins again: a new membership period from now.
                self.tx
                    .prepare_cached(
                        "UPDATE memberships SET status = 'ACTIVE', date_created = ?3, date_removed = NULL, \
                         expires_at = ?4, data_bag = ?5 WHERE segment_id = ?1 AND member = ?2",
                    )?
                    .execute(params![self.id, member, self.now, expires_at, data_bag])?;
                self.added(member)?;
            }
            None => {
                self.insert_new(member, expires_at, data_bag)?;
            }
        }
        Ok(())
    }

    /// Inserts a member known not to have a membership row (fast path of freeze); duplicates in
    /// the input are ignored.
    pub(crate) fn insert_new(
        &mut self,
        member: &str,
        expires_at: Option<&str>,
        data_bag: Option<&str>,
    ) -> Result<()> {
        check_member(member)?;
        let inserted = self
            .tx
            .prepare_cached(
                "INSERT OR IGNORE INTO memberships (segment_id, member, status, date_created, expires_at, data_bag) \
                 VALUES (?1, ?2, 'ACTIVE', ?3, ?4, ?5)",
            )?
            .execute(params![self.id, member, self.now, expires_at, data_bag])?;
        if inserted == 1 {
            self.added(member)?;
        } else {
            self.outcome.updated += 1;
        }
        Ok(())
    }

    fn added(&mut self, member: &str) -> Result<()> {
        self.count += 1;
        self.outcome.added += 1;
        let now = self.now.clone();
        self.log(member, Operation::Added, &now, &now, self.count)
    }

    /// Deactivates a membership (status INACTIVE, dateRemoved now).
    pub(crate) fn remove(&mut self, member: &str) -> Result<()> {
        check_member(member)?;
        let first: Option<String> = self
            .tx
            .prepare_cached("SELECT date_created FROM memberships WHERE segment_id = ?1 AND member = ?2 AND status = 'ACTIVE'")?
            .query_row(params![self.id, member], |r| r.get(0))
            .optional()?;
        match first {
            Some(first) => {
                self.tx
                    .prepare_cached(
                        "UPDATE memberships SET status = 'INACTIVE', date_removed = ?3 WHERE segment_id = ?1 AND member = ?2",
                    )?
                    .execute(params![self.id, member, self.now])?;
                self.count -= 1;
                self.outcome.removed += 1;
                let now = self.now.clone();
                self.log(member, Operation::Removed, &now, &first, self.count)?;
            }
            None => self.outcome.not_members += 1,
        }
        Ok(())
    }

    pub(crate) fn finish(mut self) -> MembersOutcome {
        self.outcome.individual_count = self.count;
        self.outcome
    }
}

/// A membership list request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct MembershipFilter {
    #[ts(optional)]
    pub status: Option<Status>,
    /// `individualIdentifier`, `dateCreated`, `dateRemoved` or `status`, with a direction.
    #[ts(optional)]
    pub sort: Option<(String, Direction)>,
    #[ts(optional, type = "number")]
    pub page: Option<u64>,
    #[ts(optional, type = "number")]
    pub size: Option<u64>,
}

/// A stored snapshot of a segment's members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EvaluationInfo {
    #[ts(type = "number")]
    pub evaluation: i64,
    pub segment_id: String,
    #[ts(type = "number")]
    pub revision: i64,
    pub computed_at: String,
    pub as_of: Option<String>,
    pub data_source: Option<String>,
    #[ts(type = "number")]
    pub member_count: u64,
}

/// Who entered and who left between two evaluations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EvaluationDiff {
    pub from: EvaluationInfo,
    pub to: EvaluationInfo,
    #[ts(type = "number")]
    pub entered_count: u64,
    #[ts(type = "number")]
    pub left_count: u64,
    /// At most `limit` of each, in identifier order.
    pub entered: Vec<String>,
    pub left: Vec<String>,
}

fn evaluation(tx: &Transaction<'_>, evaluation: i64) -> Result<EvaluationInfo> {
    tx.query_row(
        "SELECT id, segment_id, revision, computed_at, as_of, data_source, member_count FROM evaluations WHERE id = ?1",
        params![evaluation],
        |r| {
            Ok(EvaluationInfo {
                evaluation: r.get(0)?,
                segment_id: r.get(1)?,
                revision: r.get(2)?,
                computed_at: r.get(3)?,
                as_of: r.get(4)?,
                data_source: r.get(5)?,
                member_count: r.get::<_, i64>(6)?.max(0) as u64,
            })
        },
    )
    .optional()?
    .ok_or(Error::EvaluationNotFound(evaluation))
}

impl Store {
    /// Adds members to an ACTIVE STATIC segment (or refreshes their expiration and data bag).
    pub fn add_members<S: AsRef<str>>(
        &mut self,
        id: &str,
        members: &[S],
        options: &AddOptions,
    ) -> Result<MembersOutcome> {
        let id = normalize_id(id)?;
        let expires_at = options
            .expires_at
            .as_deref()
            .map(|t| parse_instant("expiresAt", t))
            .transpose()?;
        if let Some(bag) = &options.data_bag {
            serde_json::from_str::<serde_json::Value>(bag)
                .map_err(|e| Error::invalid("dataBag", format!("not JSON: {e}")))?;
        }
        self.write(|tx, now| {
            let mut w = Writer::new(tx, &id, now)?;
            for m in members {
                w.upsert(
                    m.as_ref(),
                    expires_at.as_deref(),
                    options.data_bag.as_deref(),
                )?;
            }
            Ok(w.finish())
        })
    }

    /// Removes members: their memberships become INACTIVE with `dateRemoved`; nothing is deleted.
    pub fn remove_members<S: AsRef<str>>(
        &mut self,
        id: &str,
        members: &[S],
    ) -> Result<MembersOutcome> {
        let id = normalize_id(id)?;
        self.write(|tx, now| {
            let mut w = Writer::new(tx, &id, now)?;
            for m in members {
                w.remove(m.as_ref())?;
            }
            Ok(w.finish())
        })
    }

    /// Members now: ACTIVE and not expired (`individualCount`).
    pub fn individual_count(&mut self, id: &str) -> Result<u64> {
        let id = normalize_id(id)?;
        self.read(|tx, now| {
            live(tx, &id)?;
            active_count(tx, &id, now)
        })
    }

    /// Memberships of a segment, paged. Expired memberships read as INACTIVE, removed at expiry.
    pub fn memberships(&mut self, id: &str, filter: &MembershipFilter) -> Result<Page<Membership>> {
        let id = normalize_id(id)?;
        let paging = Paging {
            page: filter.page.unwrap_or(0),
            size: filter.size.unwrap_or(20),
        };
        let (limit, offset) = paging.checked()?;
        let order = match &filter.sort {
            None => "member ASC".to_string(),
            Some((field, dir)) => {
                let column = match field.as_str() {
                    "individualIdentifier" | "member" => "member",
                    "dateCreated" => "date_created",
                    "dateRemoved" => "removed",
                    "status" => "state",
                    "expiresAt" => "expires_at",
                    other => {
                        return Err(Error::invalid(
                            "sort",
                            format!("unknown field {}; sort by individualIdentifier, dateCreated, dateRemoved, status or expiresAt", crate::error::quoted(other)),
                        ))
                    }
                };
                format!(
                    "{column} {}, member ASC",
                    if *dir == Direction::Desc {
                        "DESC"
                    } else {
                        "ASC"
                    }
                )
            }
        };
        self.read(|tx, now| {
            live(tx, &id)?;
            let now = stamp(now);
            let inner = "SELECT member, date_created, expires_at, data_bag, \
                 CASE WHEN status = 'ACTIVE' AND expires_at IS NOT NULL AND expires_at <= ?2 THEN 'INACTIVE' ELSE status END AS state, \
                 CASE WHEN status = 'ACTIVE' AND expires_at IS NOT NULL AND expires_at <= ?2 THEN expires_at ELSE date_removed END AS removed \
                 FROM memberships WHERE segment_id = ?1";
            let outer = format!("SELECT * FROM ({inner}) WHERE (?3 IS NULL OR state = ?3)");
            let status = filter.status.map(Status::as_str);
            let total: i64 = tx.query_row(&format!("SELECT count(*) FROM ({outer})"), params![id, now, status], |r| r.get(0))?;
            let mut stmt = tx.prepare(&format!("{outer} ORDER BY {order} LIMIT ?4 OFFSET ?5"))?;
            let rows = stmt.query_map(params![id, now, status, limit, offset], |r| {
                Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get::<_, String>(4)?, r.get(5)?))
            })?;
            let mut items = Vec::new();
            for row in rows {
                let (member, date_created, expires_at, data_bag, state, date_removed) = row?;
                items.push(Membership {
                    individual_segment_identifier: id.clone(),
                    individual_identifier: member,
                    status: Status::parse(&state).map_err(|e| Error::Corrupt(e.to_string()))?,
                    date_created,
                    date_removed,
                    expires_at,
                    data_bag,
                });
            }
            Ok(Page { items, page: PageInfo::new(paging.size, total as u64, paging.page) })
        })
    }

    /// The membership-change log, oldest first, optionally one operation only.
    pub fn membership_changes(
        &mut self,
        id: &str,
        operation: Option<Operation>,
        paging: Paging,
    ) -> Result<Page<MembershipChange>> {
        let id = normalize_id(id)?;
        let (limit, offset) = paging.checked()?;
        let op = operation.map(Operation::as_str);
        self.read(|tx, _| {
            live(tx, &id)?;
            let filter = "FROM membership_changes WHERE segment_id = ?1 AND (?2 IS NULL OR operation = ?2)";
            let total: i64 = tx.query_row(&format!("SELECT count(*) {filter}"), params![id, op], |r| r.get(0))?;
            let mut stmt = tx.prepare(&format!(
                "SELECT member, operation, date_changed, coalesce(date_first, date_changed), individuals_count {filter} \
                 ORDER BY seq LIMIT ?3 OFFSET ?4"
            ))?;
            let rows = stmt.query_map(params![id, op, limit, offset], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?, r.get(3)?, r.get::<_, i64>(4)?))
            })?;
            let mut items = Vec::new();
            for row in rows {
                let (member, operation, date_changed, date_first, n) = row?;
                items.push(MembershipChange {
                    individual_segment_identifier: id.clone(),
                    individual_identifier: member,
                    operation: Operation::parse(&operation).map_err(|e| Error::Corrupt(e.to_string()))?,
                    date_changed,
                    date_first,
                    individuals_count: n.max(0) as u64,
                });
            }
            Ok(Page { items, page: PageInfo::new(paging.size, total as u64, paging.page) })
        })
    }

    /// Turns a result of the segment `source_id` (its `members`, as evaluated by the caller) into
    /// a new ACTIVE STATIC segment `new_id`, in one transaction. The new segment keeps the source's
    /// definition for reference; its members are fixed from now on.
    pub fn freeze<I, S>(
        &mut self,
        source_id: &str,
        new_id: &str,
        name: Option<&str>,
        members: I,
        input: &CountInput,
    ) -> Result<MembersOutcome>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let source_id = normalize_id(source_id)?;
        let new_id = check_new_id(new_id)?;
        self.write(|tx, now| {
            let source = live(tx, &source_id)?;
            if current(tx, &new_id)?.is_some() {
                return Err(Error::AlreadyExists { id: new_id.clone() });
            }
            let when = stamp(now);
            let fields = Fields {
                name: name
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("{} (frozen {})", source.fields.name, &when[..10])),
                description: format!(
                    "Members of segment {source_id} at revision {} frozen at {when}{}.",
                    source.revision,
                    input
                        .as_of
                        .as_deref()
                        .map(|a| format!(" (as of {a})"))
                        .unwrap_or_default()
                ),
                segment_type: SegmentType::Static,
                status: Status::Active,
                ..source.fields.clone()
            };
            write_revision(tx, &new_id, None, &fields, "create", None, now)?;
            let mut w = Writer::new(tx, &new_id, now)?;
            // In key order, B-tree inserts append instead of splitting pages all over the file.
            let mut sorted: Vec<S> = members.into_iter().collect();
            sorted.sort_unstable_by(|a, b| a.as_ref().cmp(b.as_ref()));
            sorted.dedup_by(|a, b| a.as_ref() == b.as_ref());
            for m in &sorted {
                w.insert_new(m.as_ref(), None, None)?;
            }
            let outcome = w.finish();
            counts::insert(
                tx,
                &source_id,
                source.revision,
                &CountInput {
                    count: outcome.individual_count,
                    ..input.clone()
                },
                &when,
            )?;
            Ok(outcome)
        })
    }

    /// Stores a snapshot of the segment's members as evaluated by the caller now (and records
    /// its count): the base of "who entered, who left".
    pub fn record_evaluation<I, S>(
        &mut self,
        id: &str,
        members: I,
        input: &CountInput,
    ) -> Result<EvaluationInfo>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let id = normalize_id(id)?;
        self.write(|tx, now| {
            let c = live(tx, &id)?;
            let when = stamp(now);
            let as_of = input.as_of.as_deref().map(|t| parse_instant("asOf", t)).transpose()?;
            tx.execute(
                "INSERT INTO evaluations (segment_id, revision, computed_at, as_of, data_source, member_count) VALUES (?1, ?2, ?3, ?4, ?5, 0)",
                params![id, c.revision, when, as_of, input.data_source],
            )?;
            let evaluation = tx.last_insert_rowid();
            let mut n = 0u64;
            {
                let mut stmt = tx.prepare("INSERT OR IGNORE INTO evaluation_members (evaluation_id, member) VALUES (?1, ?2)")?;
                let mut sorted: Vec<S> = members.into_iter().collect();
                sorted.sort_unstable_by(|a, b| a.as_ref().cmp(b.as_ref()));
                for m in &sorted {
                    check_member(m.as_ref())?;
                    n += stmt.execute(params![evaluation, m.as_ref()])? as u64;
                }
            }
            tx.execute("UPDATE evaluations SET member_count = ?2 WHERE id = ?1", params![evaluation, n as i64])?;
            counts::insert(tx, &id, c.revision, &CountInput { count: n, ..input.clone() }, &when)?;
            self::evaluation(tx, evaluation)
        })
    }

    /// The evaluations stored for a segment, oldest first.
    pub fn evaluations(&mut self, id: &str) -> Result<Vec<EvaluationInfo>> {
        let id = normalize_id(id)?;
        self.read(|tx, _| {
            current(tx, &id)?.ok_or_else(|| Error::NotFound { id: id.clone() })?;
            let mut stmt =
                tx.prepare("SELECT id FROM evaluations WHERE segment_id = ?1 ORDER BY id")?;
            let ids = stmt
                .query_map(params![id], |r| r.get::<_, i64>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            ids.into_iter().map(|e| evaluation(tx, e)).collect()
        })
    }

    /// Who entered (in `to`, not in `from`) and who left (in `from`, not in `to`).
    pub fn evaluation_diff(&mut self, from: i64, to: i64, limit: u64) -> Result<EvaluationDiff> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(|tx, _| {
            let (a, b) = (evaluation(tx, from)?, evaluation(tx, to)?);
            let side = |x: i64, y: i64| -> Result<(u64, Vec<String>)> {
                let sql = "FROM evaluation_members m WHERE m.evaluation_id = ?1 AND NOT EXISTS \
                    (SELECT 1 FROM evaluation_members o WHERE o.evaluation_id = ?2 AND o.member = m.member)";
                let n: i64 = tx.query_row(&format!("SELECT count(*) {sql}"), params![x, y], |r| r.get(0))?;
                let mut stmt = tx.prepare(&format!("SELECT m.member {sql} ORDER BY m.member LIMIT ?3"))?;
                let list = stmt.query_map(params![x, y, limit], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
                Ok((n.max(0) as u64, list))
            };
            let (entered_count, entered) = side(to, from)?;
            let (left_count, left) = side(from, to)?;
            Ok(EvaluationDiff { from: a, to: b, entered_count, left_count, entered, left })
        })
    }
}
