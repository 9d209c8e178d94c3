// A revision diff in a marketer's words: "Orders: at least 3 → 2", "country: is "US" → "CA"",
// "Added condition: age more than 30". The Rust diff locates each change by a JSON Pointer into
// the older or newer tree; the node it belongs to is looked up in that tree and named.
import type { FieldChange } from "../../bindings/FieldChange";
import type { Segment } from "../../bindings/Segment";
import type { TreeChange } from "../../bindings/TreeChange";
import { nodeLabel } from "../../shared/counts";
import { get, tokens } from "../../shared/pointer";

type AnyNode = Record<string, unknown>;

const words = (op: unknown) => String(op ?? "").replace(/_/g, " ");
const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A value as shown in the diff: text quoted (so spaces and empty text show), lists joined. */
export function showValue(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "empty";
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return v.map(showValue).join(", ");
  if (typeof v === "object") return windowWords(v as AnyNode) ?? JSON.stringify(v);
  return String(v);
}

const unit = (n: unknown, u: unknown) => `${u}${Number(n) === 1 ? "" : "s"}`;

/** "in the last 30 days", "any time"… for a time window; undefined for other objects. */
function windowWords(w: AnyNode): string | undefined {
  switch (w.type) {
    case "any_time":
      return "any time";
    case "in_the_last":
      return `in the last ${w.amount} ${unit(w.amount, w.unit)}`;
    case "between_ago":
      return `between ${w.from} and ${w.to} ${unit(2, w.unit)} ago`;
    case "before":
      return `before ${w.date}`;
    case "after":
      return `after ${w.date}`;
    case "between":
      return `between ${w.from} and ${w.to}`;
    default:
      return undefined;
  }
}

function isNode(v: unknown): v is AnyNode {
  if (!v || typeof v !== "object" || Array.isArray(v)) return false;
  const type = (v as AnyNode).type;
  return Array.isArray((v as AnyNode).children) || ["condition", "relationship", "sql", "segment_ref"].includes(String(type));
}

/** The pointer of the node a change's path is inside, and the rest of the path. */
function owner(tree: Segment | null | undefined, path: string): { at: string; field: string[] } {
  const ts = tokens(path);
  for (let n = ts.length; n > 0; n--) {
    const at = "/" + ts.slice(0, n).join("/");
    if (isNode(get(tree, at))) return { at, field: ts.slice(n) };
  }
  return { at: "/root", field: ts.slice(-1) };
}

/** How a node is named in the diff: "Orders", "country", "Orders › amount", "The top group". */
function nodeName(tree: Segment | null | undefined, at: string): string {
  const node = get(tree, at) as AnyNode | undefined;
  // A condition on related records is named after its relationship.
  const parent = /^(.*)\/filter(\/children\/\d+)*$/.exec(at.replace(/\/children\/\d+$/, ""));
  const prefix = parent && parent[1] ? `${nodeName(tree, parent[1])} › ` : "";
  if (!node) return at;
  if (node.type === "relationship") return prefix + capitalize(words(node.relationship));
  if (node.type === "condition") return prefix + String(node.attribute);
  if (node.type === "sql") return prefix + "SQL condition";
  if (at === "/root") return "The top group";
  return prefix + (at.endsWith("/filter") ? "its conditions" : "Group");
}

/** The changed part of a node in words, with before → after. */
function fieldChange(node: AnyNode | undefined, field: string[], before: unknown, after: unknown): string {
  const arrow = `${showValue(before)} → ${showValue(after)}`;
  const [head, sub] = field;
  if (head === "constraint" && sub === "value") {
    const c = node?.constraint as AnyNode | undefined;
    return `${c?.type === "aggregate" ? `${words(c.function)} of ${c.attribute} ` : ""}${words(c?.operator)} ${arrow}`.trim();
  }
  if (head === "constraint" && sub === "operator") return `${words(before)} → ${words(after)}`;
  if (head === "constraint") return `how many: ${arrow}`;
  if (head === "value") return `${words(node?.operator)} ${arrow}`.trim();
  if (head === "operator") return `${words(before)} → ${words(after)}`;
  if (head === "attribute") return `attribute ${showValue(before)} → ${showValue(after)}`;
  if (head === "combinator") return `match ${before === "or" ? "any" : "all"} → ${after === "or" ? "any" : "all"}`;
  if (head === "negated") return after ? "now excluded (NOT)" : "no longer excluded (NOT removed)";
  if (head === "window") return `when: ${arrow}`;
  if (head === "case_sensitive") return after === false ? "ignores case now" : "matches case now";
  if (head === "sql") return `SQL ${arrow}`;
  return `${field.join(" ")}: ${arrow}`.trim();
}

/** One change between two revisions' trees (`older`, `newer`) in words. Without the trees, the
 * wording falls back to the change's own values. */
export function describeChange(c: TreeChange, older?: Segment | null, newer?: Segment | null): string {
  const tree = c.change === "removed" ? older : newer;
  const path = c.path || "/root";
  if (c.node) {
    const label = tree ? nodeLabel(tree, path) : "";
    const what = c.node === "sql" ? "SQL condition" : c.node === "relationship" ? "related-records condition" : c.node;
    const verb = c.change === "added" ? "Added" : c.change === "removed" ? "Removed" : "Moved";
    return `${verb} ${what}${label && label !== path ? `: ${label}` : ""}`;
  }
  const { at, field } = owner(tree, path);
  const node = get(tree, at) as AnyNode | undefined;
  const name = tree ? nodeName(tree, at) : "";
  const text = fieldChange(node, field, c.before, c.after);
  return name ? `${name}: ${text}` : capitalize(text.trim());
}

const FIELD_NAMES: Record<string, string> = {
  name: "Name",
  description: "Description",
  status: "Status",
  segmentType: "Type",
  scope: "Scope",
  entity: "Records",
  dataSource: "Data",
};

/** A changed field of the segment: "Name: "US buyers" → "US and CA buyers"". */
export function describeField(f: FieldChange): string {
  const label = FIELD_NAMES[f.field] ?? capitalize(f.field.replace(/([A-Z])/g, " $1").toLowerCase());
  const show = (v: unknown) => (typeof v === "string" && f.field !== "name" && f.field !== "description" ? v.toLowerCase() : showValue(v));
  return `${label}: ${show(f.before)} → ${show(f.after)}`;
}
