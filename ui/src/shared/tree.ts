// Building blocks of the canonical tree and where each node lives (as a JSON Pointer).
import type { Column } from "../bindings/Column";
import type { Entity } from "../bindings/Entity";
import type { Group } from "../bindings/Group";
import type { Node } from "../bindings/Node";
import type { Operator } from "../bindings/Operator";
import type { Problem } from "../bindings/Problem";
import type { Relationship } from "../bindings/Relationship";
import type { Schema } from "../bindings/Schema";
import type { Segment } from "../bindings/Segment";
import type { SourceInfo } from "../bindings/SourceInfo";
import { get, join, split, update } from "./pointer";
import { defaultValue } from "./values";

export type NodeKind = Node["type"];
/** The node of one kind, e.g. `NodeOf<"condition">`. */
export type NodeOf<K extends NodeKind> = Extract<Node, { type: K }>;
export type ConditionNode = NodeOf<"condition">;
export type GroupNode = NodeOf<"group">;
export type SqlNode = NodeOf<"sql">;
export type RelationshipNode = NodeOf<"relationship">;
export type InSegmentNode = NodeOf<"in_segment">;

// Edits of the tree, each a function of the segment: the pointer says where, the function what.

/** The segment with the node at `pointer` (a condition, SQL, relationship or nested group)
 * replaced by `fn(node)`. */
export function updateNode(segment: Segment, pointer: string, fn: (node: Node) => Node): Segment {
  return update(segment, pointer, (old) => fn(old as Node));
}

/** `fn` on nodes of kind `kind`; a node of another kind is left as it is. */
export function ofKind<K extends NodeKind>(kind: K, fn: (node: NodeOf<K>) => NodeOf<K>): (node: Node) => Node {
  return (node) => (node.type === kind ? fn(node as NodeOf<K>) : node);
}

/** The segment with the group at `pointer` (the root "/root", a nested group or a relationship's
 * filter) replaced by `fn(group)`; a nested group stays a group node. */
export function updateGroup(segment: Segment, pointer: string, fn: (group: Group) => Group): Segment {
  return update(segment, pointer, (old) => {
    const group = old as Group & { type?: "group" };
    const next = fn(group);
    return group.type ? { type: group.type, ...next } : next;
  });
}

/** The segment with `node` appended to the children of the group at `pointer`. */
export function addChild(segment: Segment, pointer: string, node: Node): Segment {
  return updateGroup(segment, pointer, (g) => ({ ...g, children: [...(g.children ?? []), node] }));
}

/** The segment without the node at `pointer` ("…/children/i"). */
export function removeNode(segment: Segment, pointer: string): Segment {
  const [children, index] = split(pointer);
  return updateGroup(segment, split(children)[0], (g) => ({ ...g, children: g.children.filter((_, i) => i !== Number(index)) }));
}

export function emptySegment(entity: string | undefined): Segment {
  return { version: 1, entity, root: { combinator: "and", children: [] } };
}

export function operatorsFor(source: SourceInfo, column: Column | undefined) {
  if (!column) return [];
  const operators = source.types.find((t) => t.data_type === column.data_type)?.operators ?? [];
  if (column.data_type !== "text") return operators;
  return operators.map((o) => (TEXT_ORDER[o.operator] ? { ...o, label: TEXT_ORDER[o.operator] as string } : o));
}

/** "<" and ">" on text read as words: text is ordered character by character. */
const TEXT_ORDER: Partial<Record<Operator, string>> = {
  less_than: "comes before",
  less_than_or_equal: "is or comes before",
  greater_than: "comes after",
  greater_than_or_equal: "is or comes after",
};

/** The column a new condition on `entity` starts from: the first one that is not the key. */
function firstColumn(entity: Entity): Column | undefined {
  return entity.columns.find((c) => c.name !== entity.key) ?? entity.columns[0];
}

export function newCondition(source: SourceInfo, entity: Entity): ConditionNode {
  const column = firstColumn(entity);
  const op = operatorsFor(source, column).find((o) => !o.unary) ?? operatorsFor(source, column)[0];
  const operator = op?.operator ?? "is_not_null";
  return {
    type: "condition",
    attribute: column?.name ?? "",
    operator,
    value: column ? defaultValue(operator, column.data_type, undefined) : null,
  };
}

/** A condition on `column` keeping the old operator and value where they still apply. */
export function withAttribute(source: SourceInfo, node: ConditionNode, column: Column): ConditionNode {
  const ops = operatorsFor(source, column);
  const keep = ops.find((o) => o.operator === node.operator);
  const op = keep ?? ops.find((o) => !o.unary) ?? ops[0];
  const operator = op?.operator ?? "is_not_null";
  const next: ConditionNode = {
    type: "condition",
    attribute: column.name,
    operator,
    value: defaultValue(operator, column.data_type, keep ? node.value : undefined),
  };
  if (column.data_type === "text" && node.case_sensitive !== undefined) next.case_sensitive = node.case_sensitive;
  return next;
}

export function newGroup(): GroupNode {
  return { type: "group", combinator: "and", children: [] };
}

export function newSql(): SqlNode {
  return { type: "sql", sql: "" };
}

export function newInSegment(): InSegmentNode {
  return { type: "in_segment", segment: "" };
}

export function newRelationship(rel: Relationship): RelationshipNode {
  return {
    type: "relationship",
    relationship: rel.name,
    constraint: { type: "occurrences", operator: "at_least", value: 1 },
    window: { type: "any_time" },
    filter: { combinator: "and", children: [] },
  };
}

export function entityOf(schema: Schema, name: string | undefined): Entity | undefined {
  return schema.entities.find((e) => e.name === name);
}

export function relationshipsFrom(schema: Schema, entity: string): Relationship[] {
  return schema.relationships.filter((r) => r.from_entity === entity);
}

/** Every node's pointer, groups and relationship filters included, in document order. */
export function nodePointers(segment: Segment): string[] {
  const out: string[] = [];
  const group = (g: Group, at: string) => {
    out.push(at);
    g.children.forEach((child, i) => node(child, join(at, "children", i)));
  };
  const node = (n: Node, at: string) => {
    if (n.type === "group") group(n, at);
    else {
      out.push(at);
      if (n.type === "relationship") group(n.filter, join(at, "filter"));
    }
  };
  group(segment.root, "/root");
  return out;
}

/**
 * Which node each problem is about: the deepest node whose pointer is a prefix of the problem's
 * path. Problems about the whole segment ("", "/version", "/entity") go under "".
 */
export function problemsByNode(segment: Segment, problems: Problem[]): Map<string, Problem[]> {
  const pointers = nodePointers(segment);
  const out = new Map<string, Problem[]>();
  for (const p of problems) {
    let best = "";
    for (const at of pointers) {
      if ((p.path === at || p.path.startsWith(at + "/")) && at.length > best.length) best = at;
    }
    const list = out.get(best) ?? [];
    list.push(p);
    out.set(best, list);
  }
  return out;
}

/** The field of the node a problem is about ("value", "operator", "constraint"…), if any. */
export function problemField(nodePointer: string, problem: Problem): string | undefined {
  if (problem.path.length <= nodePointer.length) return undefined;
  return problem.path.slice(nodePointer.length + 1).split("/")[0];
}

/** The fields of a node that problems are about, to outline them. */
export function badFields(nodePointer: string, problems: Problem[] | undefined): Set<string> {
  const out = new Set<string>();
  for (const p of problems ?? []) {
    const f = problemField(nodePointer, p);
    if (f) out.add(f);
  }
  return out;
}

// Moving nodes around: reorder, into and out of groups, duplicate, wrap. Each returns the new
// segment and the node's new pointer (for focus), or null when the move is not possible.

export type Placed = { segment: Segment; at: string };

/** The group holding the node at `pointer` and the node's index in it:
 * "/root/children/2" → ["/root", 2]. */
export function parentOf(pointer: string): [string, number] {
  const [children, index] = split(pointer);
  return [split(children)[0], Number(index)];
}

/** Where a group's conditions are about one entity: the root's or a relationship filter's. A
 * node moves only within its scope (a related record's column means nothing elsewhere). */
export function scopeOf(groupPointer: string): string {
  const i = groupPointer.lastIndexOf("/filter");
  return i < 0 ? "/root" : groupPointer.slice(0, i + "/filter".length);
}

function childrenAt(segment: Segment, groupPointer: string): Node[] | undefined {
  const g = get(segment, groupPointer) as Group | undefined;
  return Array.isArray(g?.children) ? g.children : undefined;
}

/** The node at `from` moved into the group at `toGroup`, before the child now at `toIndex`
 * (indices as they are before the move; past the end appends). */
export function moveNode(segment: Segment, from: string, toGroup: string, toIndex: number): Placed | null {
  const node = get(segment, from) as Node | undefined;
  const [fromGroup, fromIndex] = parentOf(from);
  const target = childrenAt(segment, toGroup);
  if (!node || !target || scopeOf(fromGroup) !== scopeOf(toGroup)) return null;
  if (toGroup === from || toGroup.startsWith(from + "/")) return null; // into itself
  let group = toGroup;
  let index = Math.max(0, Math.min(toIndex, target.length));
  const siblings = fromGroup + "/children/";
  if (group === fromGroup) {
    if (index > fromIndex) index -= 1;
    if (index === fromIndex) return null; // where it already is
  } else if (group.startsWith(siblings)) {
    // The target lies under a later sibling: removing the node shifts that sibling's index.
    const [head, ...rest] = group.slice(siblings.length).split("/");
    if (Number(head) > fromIndex) group = siblings + (Number(head) - 1) + (rest.length ? "/" + rest.join("/") : "");
  }
  const without = removeNode(segment, from);
  const next = updateGroup(without, group, (g) => ({ ...g, children: [...g.children.slice(0, index), node, ...g.children.slice(index)] }));
  return { segment: next, at: join(group, "children", index) };
}

/** One step up (-1) or down (+1) among its siblings. */
export function moveBy(segment: Segment, at: string, step: -1 | 1): Placed | null {
  const [group, index] = parentOf(at);
  return moveNode(segment, at, group, step < 0 ? index - 1 : index + 2);
}

/** Into the group just above it (as its last child), when the node above is a group. */
export function moveIntoGroupAbove(segment: Segment, at: string): Placed | null {
  const [group, index] = parentOf(at);
  const above = childrenAt(segment, group)?.[index - 1];
  if (index === 0 || above?.type !== "group") return null;
  return moveNode(segment, at, join(group, "children", index - 1), above.children.length);
}

/** Out of its nested group, just after that group. Not out of the root or a relationship's filter. */
export function moveOutOfGroup(segment: Segment, at: string): Placed | null {
  const [group] = parentOf(at);
  if (group === scopeOf(group)) return null;
  const [outer, groupIndex] = parentOf(group);
  return moveNode(segment, at, outer, groupIndex + 1);
}

/** A copy of the node right after it. */
export function duplicateNode(segment: Segment, at: string): Placed | null {
  const node = get(segment, at) as Node | undefined;
  if (!node) return null;
  const [group, index] = parentOf(at);
  const copy = structuredClone(node);
  const next = updateGroup(segment, group, (g) => ({ ...g, children: [...g.children.slice(0, index + 1), copy, ...g.children.slice(index + 1)] }));
  return { segment: next, at: join(group, "children", index + 1) };
}

/** The node replaced by an AND group holding it. */
export function wrapInGroup(segment: Segment, at: string): Placed | null {
  const node = get(segment, at) as Node | undefined;
  if (!node) return null;
  return { segment: updateNode(segment, at, (n) => ({ ...newGroup(), children: [n] })), at: join(at, "children", 0) };
}

/** What the node is, in words ("condition", "group", "SQL condition", "related records"). */
export function kindWord(node: Node | undefined): string {
  switch (node?.type) {
    case "group":
      return "group";
    case "sql":
      return "SQL condition";
    case "relationship":
      return "related records condition";
    default:
      return "condition";
  }
}
