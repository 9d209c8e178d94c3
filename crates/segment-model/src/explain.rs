//! Tree surgery behind per-node counts: for every node, the segment made of that node alone
//! (inside the relationship conditions that enclose it) and the segment without it. Counting
//! both gives the count shown next to each condition and its "without this condition" delta.

use serde_json::{json, Value};

use crate::tree::Segment;

/// One node of a segment, located by its JSON Pointer (as validation problems are).
#[derive(Debug, Clone, PartialEq)]
pub struct NodeVariants {
    pub path: String,
    /// The node alone: its own matches, ignoring its siblings (and the NOT of its ancestors).
    pub alone: Segment,
    /// The segment with the node removed (and any group it leaves empty).
    pub without: Segment,
}

/// Every node of the tree, depth first, with its two variant segments.
pub fn node_variants(segment: &Segment) -> Vec<NodeVariants> {
    let Ok(document) = serde_json::to_value(segment) else {
        return Vec::new();
    };
    let mut paths = Vec::new();
    collect_paths(&document["root"], "/root", &mut paths);
    paths
        .into_iter()
        .filter_map(|path| {
            let alone = alone(&document, &path)?;
            let without = without(&document, &path)?;
            Some(NodeVariants {
                path,
                alone: serde_json::from_value(alone).ok()?,
                without: serde_json::from_value(without).ok()?,
            })
        })
        .collect()
}

fn collect_paths(group: &Value, path: &str, out: &mut Vec<String>) {
    let Some(children) = group.get("children").and_then(Value::as_array) else {
        return;
    };
    for (i, child) in children.iter().enumerate() {
        let child_path = format!("{path}/children/{i}");
        out.push(child_path.clone());
        match child.get("type").and_then(Value::as_str) {
            Some("group") => collect_paths(child, &child_path, out),
            Some("relationship") => {
                collect_paths(&child["filter"], &format!("{child_path}/filter"), out)
            }
            _ => {}
        }
    }
}

/// The paths of the relationship conditions enclosing `path`, outermost first.
fn relationship_ancestors(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut search = 0;
    while let Some(found) = path[search..].find("/filter/") {
        out.push(path[..search + found].to_string());
        search += found + "/filter".len();
    }
    out
}

fn alone(document: &Value, path: &str) -> Option<Value> {
    let mut node = document.pointer(path)?.clone();
    for rel_path in relationship_ancestors(path).iter().rev() {
        let mut rel = document.pointer(rel_path)?.clone();
        rel["filter"] = json!({"combinator": "and", "children": [node]});
        node = rel;
    }
    let mut out = document.clone();
    out["root"] = json!({"combinator": "and", "children": [node]});
    Some(out)
}

fn without(document: &Value, path: &str) -> Option<Value> {
    let mut out = document.clone();
    let mut path = path.to_string();
    loop {
        let (parent_children, index) = path.rsplit_once('/')?;
        let index: usize = index.parse().ok()?;
        let children = out.pointer_mut(parent_children)?.as_array_mut()?;
        if index >= children.len() {
            return None;
        }
        children.remove(index);
        if !children.is_empty() {
            break;
        }
        // The parent group is now empty: remove it too, unless it is the root or a
        // relationship's filter (an empty filter means "any related record").
        let group_path = parent_children.strip_suffix("/children")?;
        if group_path == "/root" || group_path.ends_with("/filter") {
            break;
        }
        path = group_path.to_string();
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_cover_every_node_and_keep_enclosing_relationships() {
        let segment: Segment = serde_json::from_value(json!({"version": 1, "entity": "profiles", "root": {
            "combinator": "or", "children": [
                {"type": "condition", "attribute": "country", "operator": "is", "value": "US"},
                {"type": "group", "combinator": "and", "negated": true, "children": [
                    {"type": "relationship", "relationship": "events",
                     "constraint": {"type": "occurrences", "operator": "at_least", "value": 3},
                     "filter": {"combinator": "and", "children": [
                        {"type": "condition", "attribute": "name", "operator": "is", "value": "purchase"}]}}]}]}}))
        .unwrap();
        let variants = node_variants(&segment);
        let paths: Vec<&str> = variants.iter().map(|v| v.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/root/children/0",
                "/root/children/1",
                "/root/children/1/children/0",
                "/root/children/1/children/0/filter/children/0"
            ]
        );
        // The innermost condition alone is still inside its relationship (with its constraint).
        let inner = serde_json::to_value(&variants[3].alone).unwrap();
        assert_eq!(inner["root"]["children"][0]["type"], "relationship");
        assert_eq!(inner["root"]["children"][0]["constraint"]["value"], 3);
        assert_eq!(
            inner["root"]["children"][0]["filter"]["children"][0]["value"],
            "purchase"
        );
        // Removing the only child of the NOT group removes the group as well.
        let without = serde_json::to_value(&variants[2].without).unwrap();
        assert_eq!(
            without["root"]["children"].as_array().map(Vec::len),
            Some(1)
        );
        // Removing a relationship's only filter condition leaves an empty filter.
        let without = serde_json::to_value(&variants[3].without).unwrap();
        assert_eq!(
            without["root"]["children"][1]["children"][0]["filter"]["children"],
            json!([])
        );
    }
}
