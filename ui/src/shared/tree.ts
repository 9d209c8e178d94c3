// Building blocks of the canonical tree and where each node lives (as a JSON Pointer).
import type { Column } from "../bindings/Column";
import type { Entity } from "../bindings/Entity";
import type { Group } from "../bindings/Group";
import type { Node } from "../bindings/Node";
import type { Problem } from "../bindings/Problem";
import type { Relationship } from "../bindings/Relationship";
import type { Schema } from "../bindings/Schema";
import type { Segment } from "../bindings/Segment";
import type { SourceInfo } from "../bindings/SourceInfo";
import { join, split, update } from "./pointer";
import { defaultValue } from "./values";

export type NodeKind = Node["type"];
/** The node of one kind, e.g. `NodeOf<"condition">`. */
export type NodeOf<K extends NodeKind> = Extract<Node, { type: K }>;
export type ConditionNode = NodeOf<"condition">;
export type GroupNode = NodeOf<"group">;
export type SqlNode = NodeOf<"sql">;
export type RelationshipNode = NodeOf<"relationship">;

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
  return source.types.find((t) => t.data_type === column.data_type)?.operators ?? [];
}

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
