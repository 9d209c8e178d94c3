//! Structural diff of two condition trees (their canonical JSON): which nodes were added,
//! removed or changed, each at a JSON Pointer as the validator reports problems. Children lists
//! are aligned by their longest common subsequence, so inserting a condition at the top reports
//! one addition, not a change of every sibling. Pure: no I/O.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

/// One difference between two trees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TreeChange {
    pub change: ChangeKind,
    /// Where: in the newer tree for added and changed, in the older one for removed.
    pub path: String,
    /// For a change whose node moved: its place in the older tree.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub old_path: Option<String>,
    /// The kind of node added or removed (`condition`, `group`, `relationship`, `sql`), if a node.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub node: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "unknown")]
    pub before: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "unknown")]
    pub after: Option<Value>,
}

/// A changed field of the segment other than its definition (name, status…).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FieldChange {
    pub field: String,
    #[ts(type = "unknown")]
    pub before: Value,
    #[ts(type = "unknown")]
    pub after: Value,
}

/// The newest counts known at two revisions, and the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CountChange {
    #[ts(type = "number | null")]
    pub from: Option<u64>,
    #[ts(type = "number | null")]
    pub to: Option<u64>,
    #[ts(type = "number | null")]
    pub delta: Option<i64>,
}

/// The difference between two revisions of a segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RevisionDiff {
    pub id: String,
    #[ts(type = "number")]
    pub from: i64,
    #[ts(type = "number")]
    pub to: i64,
    pub fields: Vec<FieldChange>,
    pub conditions: Vec<TreeChange>,
    pub count: CountChange,
}

/// The changes turning `before` into `after` (canonical JSON values of two trees).
pub fn diff_trees(before: &Value, after: &Value) -> Vec<TreeChange> {
    let mut out = Vec::new();
    walk(before, after, "", "", &mut out);
    out
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn node_kind(v: &Value) -> Option<String> {
    let obj = v.as_object()?;
    match obj.get("type").and_then(Value::as_str) {
        Some(t) => Some(t.to_string()),
        None if obj.contains_key("combinator") => Some("group".to_string()),
        None => None,
    }
}

fn changed(pa: &str, pb: &str, a: &Value, b: &Value) -> TreeChange {
    TreeChange {
        change: ChangeKind::Changed,
        path: pb.to_string(),
        old_path: (pa != pb).then(|| pa.to_string()),
        node: None,
        before: Some(a.clone()),
        after: Some(b.clone()),
    }
}

fn removed(pa: &str, a: &Value) -> TreeChange {
    TreeChange {
        change: ChangeKind::Removed,
        path: pa.to_string(),
        old_path: None,
        node: node_kind(a),
        before: Some(a.clone()),
        after: None,
    }
}

fn added(pb: &str, b: &Value) -> TreeChange {
    TreeChange {
        change: ChangeKind::Added,
        path: pb.to_string(),
        old_path: None,
        node: node_kind(b),
        before: None,
        after: Some(b.clone()),
    }
}

fn walk(a: &Value, b: &Value, pa: &str, pb: &str, out: &mut Vec<TreeChange>) {
    if a == b {
        return;
    }
    match (a, b) {
        (Value::Object(ma), Value::Object(mb)) => {
            // A node that changed kind (a condition became a group…) is one change.
            if ma.get("type") != mb.get("type") {
                out.push(changed(pa, pb, a, b));
                return;
            }
            for (k, va) in ma {
                let (ka, kb) = (format!("{pa}/{}", escape(k)), format!("{pb}/{}", escape(k)));
                match mb.get(k) {
                    Some(vb) => walk(va, vb, &ka, &kb, out),
                    None => out.push(removed(&ka, va)),
                }
            }
            for (k, vb) in mb {
                if !ma.contains_key(k) {
                    out.push(added(&format!("{pb}/{}", escape(k)), vb));
                }
            }
        }
        (Value::Array(xa), Value::Array(xb)) => align(xa, xb, pa, pb, out),
        _ => out.push(changed(pa, pb, a, b)),
    }
}

enum Step {
    Keep,
    Remove(usize),
    Insert(usize),
}

/// The edit script of two lists by their longest common subsequence.
fn script(xa: &[Value], xb: &[Value]) -> Vec<Step> {
    let (n, m) = (xa.len(), xb.len());
    // Lists far too long for a quadratic table are compared position by position.
    if n.saturating_mul(m) > 4_000_000 {
        let mut steps = Vec::new();
        for i in 0..n.max(m) {
            match (i < n, i < m) {
                (true, true) if xa[i] == xb[i] => steps.push(Step::Keep),
                (true, true) => {
                    steps.push(Step::Remove(i));
                    steps.push(Step::Insert(i));
                }
                (true, false) => steps.push(Step::Remove(i)),
                (false, true) => steps.push(Step::Insert(i)),
                (false, false) => {}
            }
        }
        return steps;
    }
    let mut lcs = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[at(i, j)] = if xa[i] == xb[j] {
                lcs[at(i + 1, j + 1)] + 1
            } else {
                lcs[at(i + 1, j)].max(lcs[at(i, j + 1)])
            };
        }
    }
    let (mut i, mut j, mut steps) = (0, 0, Vec::new());
    while i < n || j < m {
        if i < n && j < m && xa[i] == xb[j] {
            steps.push(Step::Keep);
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[at(i, j + 1)] >= lcs[at(i + 1, j)]) {
            steps.push(Step::Insert(j));
            j += 1;
        } else {
            steps.push(Step::Remove(i));
            i += 1;
        }
    }
    steps
}

fn align(xa: &[Value], xb: &[Value], pa: &str, pb: &str, out: &mut Vec<TreeChange>) {
    let steps = script(xa, xb);
    let mut k = 0;
    while k < steps.len() {
        if matches!(steps[k], Step::Keep) {
            k += 1;
            continue;
        }
        // A run of removals and insertions between two kept items: pair them in order as
        // changes of one node (same kind), the rest are plain removals and additions.
        let (mut gone, mut new) = (Vec::new(), Vec::new());
        while k < steps.len() {
            match steps[k] {
                Step::Keep => break,
                Step::Remove(i) => gone.push(i),
                Step::Insert(j) => new.push(j),
            }
            k += 1;
        }
        let mut unpaired_new = Vec::new();
        let mut gone_iter = gone.into_iter().peekable();
        for j in new {
            match gone_iter.peek() {
                Some(&i) if node_kind(&xa[i]) == node_kind(&xb[j]) => {
                    gone_iter.next();
                    walk(
                        &xa[i],
                        &xb[j],
                        &format!("{pa}/{i}"),
                        &format!("{pb}/{j}"),
                        out,
                    );
                }
                _ => unpaired_new.push(j),
            }
        }
        for i in gone_iter {
            out.push(removed(&format!("{pa}/{i}"), &xa[i]));
        }
        for j in unpaired_new {
            out.push(added(&format!("{pb}/{j}"), &xb[j]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tree(children: Value) -> Value {
        json!({"version": 1, "root": {"combinator": "and", "children": children}})
    }

    fn cond(attr: &str, value: &str) -> Value {
        json!({"type": "condition", "attribute": attr, "operator": "is", "value": value})
    }

    #[test]
    fn identical_trees_have_no_changes() {
        let t = tree(json!([cond("country", "US")]));
        assert!(diff_trees(&t, &t).is_empty());
    }

    #[test]
    fn insertion_at_the_top_is_one_addition() {
        let a = tree(json!([cond("country", "US"), cond("plan", "paid")]));
        let b = tree(json!([
            cond("email", "x"),
            cond("country", "US"),
            cond("plan", "paid")
        ]));
        let changes = diff_trees(&a, &b);
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0].change, ChangeKind::Added);
        assert_eq!(changes[0].path, "/root/children/0");
        assert_eq!(changes[0].node.as_deref(), Some("condition"));
    }

    #[test]
    fn a_changed_value_is_reported_at_the_leaf() {
        let a = tree(json!([cond("country", "US"), cond("plan", "paid")]));
        let b = tree(json!([cond("country", "CA"), cond("plan", "paid")]));
        let changes = diff_trees(&a, &b);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].change, ChangeKind::Changed);
        assert_eq!(changes[0].path, "/root/children/0/value");
        assert_eq!(changes[0].before, Some(json!("US")));
        assert_eq!(changes[0].after, Some(json!("CA")));
    }

    #[test]
    fn removal_is_located_in_the_older_tree() {
        let a = tree(json!([
            cond("country", "US"),
            cond("plan", "paid"),
            cond("x", "y")
        ]));
        let b = tree(json!([cond("country", "US"), cond("x", "y")]));
        let changes = diff_trees(&a, &b);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].change, ChangeKind::Removed);
        assert_eq!(changes[0].path, "/root/children/1");
    }

    #[test]
    fn combinator_and_negation_changes() {
        let a = json!({"version": 1, "root": {"combinator": "and", "children": []}});
        let b =
            json!({"version": 1, "root": {"combinator": "or", "negated": true, "children": []}});
        let mut paths: Vec<String> = diff_trees(&a, &b).into_iter().map(|c| c.path).collect();
        paths.sort();
        assert_eq!(paths, ["/root/combinator", "/root/negated"]);
    }

    #[test]
    fn a_condition_replaced_by_a_group_is_a_removal_and_an_addition() {
        let a = tree(json!([cond("country", "US")]));
        let b = tree(
            json!([{"type": "group", "combinator": "or", "children": [cond("country", "US")]}]),
        );
        let kinds: Vec<ChangeKind> = diff_trees(&a, &b).into_iter().map(|c| c.change).collect();
        assert_eq!(kinds, [ChangeKind::Removed, ChangeKind::Added]);
    }
}
