// Incomplete is not empty: a condition still waiting for its value (a text left blank, a list
// with no value yet) is left out of what is counted, rendered and exported, instead of being
// counted as "is empty". The request's node paths are mapped back to the builder's tree, so
// problems and per-node counts still land on the right rows.
import type { Group } from "../../bindings/Group";
import type { Node } from "../../bindings/Node";
import type { Segment } from "../../bindings/Segment";
import { valueKind } from "../../shared/values";
import { otherAttribute } from "./CompareWith";

/** Whether a node waits for its value or its segment (a raw SQL condition has its own "Write a
 * SQL condition"). */
export function isIncomplete(node: Node): boolean {
  // "Is in segment" before a segment is chosen.
  if (node.type === "in_segment") return node.segment.trim() === "";
  // A sequence with a step whose every condition waits: "any record" would count something else.
  if (node.type === "relationship") return node.constraint?.type === "sequence" && node.constraint.steps.some((s) => waits(s.filter));
  if (node.type !== "condition") return false;
  // Compared with another attribute: waits until that attribute is chosen.
  const other = otherAttribute(node.value);
  if (other) return other.attribute.trim() === "";
  const kind = valueKind(node.operator);
  if (kind === "text") return typeof node.value !== "string" || node.value.trim() === "";
  if (kind === "list") return !Array.isArray(node.value) || node.value.length === 0;
  return false;
}

/** Whether every condition of `g` waits (a group without conditions is "any record": it does not). */
function waits(g: Group): boolean {
  return g.children.length > 0 && g.children.every((c) => isIncomplete(c) || (c.type === "group" && waits(c)));
}

export type Countable = {
  /** The segment without its incomplete conditions: what is counted. */
  segment: Segment;
  /** The builder's pointers of the conditions left out. */
  incomplete: string[];
  /** A path of `segment` (a problem's, a node count's) as a path of the builder's tree. */
  toBuilder: (path: string) => string;
};

/** The segment as counted: incomplete conditions left out, with the mapping back. */
export function countable(segment: Segment): Countable {
  const incomplete: string[] = [];
  // request pointer → builder pointer, for every group and node kept
  const back = new Map<string, string>();
  const group = (g: Group, at: string, to: string): Group => {
    back.set(to, at);
    const children: Node[] = [];
    g.children.forEach((child, i) => {
      const from = `${at}/children/${i}`;
      if (isIncomplete(child)) return void incomplete.push(from);
      const target = `${to}/children/${children.length}`;
      const kept = node(child, from, target);
      // A group whose every condition waits for a value waits too (an empty group would match
      // every record, and so turn an OR around it into everything).
      if (kept.type === "group" && kept.children.length === 0 && child.type === "group" && child.children.length > 0) {
        for (const p of [...back.keys()]) if (p === target || p.startsWith(target + "/")) back.delete(p);
        return;
      }
      children.push(kept);
    });
    return { ...g, children };
  };
  const node = (n: Node, at: string, to: string): Node => {
    back.set(to, at);
    if (n.type === "group") return { type: "group", ...group(n, at, to) };
    if (n.type === "relationship") {
      const filter = group(n.filter, `${at}/filter`, `${to}/filter`);
      if (n.constraint?.type !== "sequence") return { ...n, filter };
      // A step's waiting conditions are left out; an exclusion whose every condition waits too.
      const steps = n.constraint.steps.map((s, i) => {
        const step = `/constraint/steps/${i}`;
        const kept = { ...s, filter: group(s.filter, `${at}${step}/filter`, `${to}${step}/filter`) };
        if (!s.excluding) return kept;
        const excluding = group(s.excluding, `${at}${step}/excluding`, `${to}${step}/excluding`);
        if (excluding.children.length > 0 || s.excluding.children.length === 0) return { ...kept, excluding };
        const { excluding: _, ...rest } = kept;
        return rest;
      });
      return { ...n, filter, constraint: { ...n.constraint, steps } };
    }
    return n;
  };
  const root = group(segment.root, "/root", "/root");
  if (incomplete.length === 0) return { segment, incomplete, toBuilder: (p) => p };
  const toBuilder = (path: string) => {
    // the longest kept pointer that prefixes the path, at a segment boundary
    let best = "";
    for (const p of back.keys()) if ((path === p || path.startsWith(p + "/")) && p.length > best.length) best = p;
    return best ? back.get(best)! + path.slice(best.length) : path;
  };
  return { segment: { ...segment, root }, incomplete, toBuilder };
}

/** "1 condition is incomplete and not counted" / "2 conditions are …". */
export function incompleteNote(n: number): string {
  return n === 1 ? "1 condition is incomplete and not counted" : `${n} conditions are incomplete and not counted`;
}
