// Per-node counts, samples and overlap: the logic behind the count badges, the samples panel and
// the Venn picture (the components only draw what these return).
import type { Group } from "../bindings/Group";
import type { Node } from "../bindings/Node";
import type { NodeCountInfo } from "../bindings/NodeCountInfo";
import type { OverlapResponse } from "../bindings/OverlapResponse";
import type { Segment } from "../bindings/Segment";
import { get } from "./pointer";

const fmt = new Intl.NumberFormat("en-US");
export const formatCount = (n: number) => fmt.format(n);

/** Node counts by the node's JSON Pointer. */
export function nodeCountMap(nodes: NodeCountInfo[] | null | undefined): Map<string, NodeCountInfo> {
  return new Map((nodes ?? []).map((n) => [n.path, n]));
}

/** What a pointer of the tree can point at: a node, the root group or a relationship's filter, or
 * a reference to another segment (only in definitions read from elsewhere). */
type Labelled = Node | (Group & { type?: undefined });

/** A short human label of the node at `path` ("country is US", "any of 3 conditions"…). */
export function nodeLabel(segment: Segment, path: string): string {
  const node = get(segment, path) as Labelled | undefined;
  if (!node || typeof node !== "object") return path;
  switch (node.type) {
    case "condition": {
      const v = node.value;
      const value = v === undefined || v === null ? "" : Array.isArray(v) ? ` ${v.join(", ")}` : ` ${typeof v === "object" ? JSON.stringify(v) : String(v)}`;
      return `${node.attribute} ${String(node.operator).replace(/_/g, " ")}${value}`;
    }
    case "relationship":
      return `related ${node.relationship}`;
    case "sql":
      return `SQL: ${node.sql}`;
    case "in_segment":
      return `${node.negated ? "not " : ""}in segment ${node.segment}`;
    default:
      if (Array.isArray(node.children)) {
        const n = node.children.length;
        return `${node.negated ? "NOT " : ""}${node.combinator === "or" ? "any" : "all"} of ${n} condition${n === 1 ? "" : "s"}`;
      }
      return path;
  }
}

/** Parses a pasted segment (canonical JSON). */
export function parseSegment(text: string): { segment: Segment } | { error: string } {
  const t = text.trim();
  if (!t) return { error: "Paste a segment's JSON here." };
  try {
    const v = JSON.parse(t);
    if (!v || typeof v !== "object" || Array.isArray(v) || !v.root) return { error: "Not a segment: expected an object with a “root” group." };
    return { segment: v as Segment };
  } catch (e) {
    return { error: `Not JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
}

export type VennCircle = { cx: number; cy: number; r: number };
export type VennLabel = { x: number; y: number; count: number; segments: number[] };

/** Fixed, symmetric circles (areas are not to scale; the numbers are exact) and a label
 * position for every region, in a 300×220 box. */
export function vennLayout(overlap: OverlapResponse): { circles: VennCircle[]; labels: VennLabel[] } {
  const n = overlap.counts.length;
  const r = 70;
  const circles: VennCircle[] =
    n === 2
      ? [
          { cx: 110, cy: 110, r },
          { cx: 190, cy: 110, r },
        ]
      : [
          { cx: 115, cy: 85, r },
          { cx: 185, cy: 85, r },
          { cx: 150, cy: 145, r },
        ];
  const key = (s: number[]) => [...s].sort().join(",");
  const positions: Record<string, [number, number]> =
    n === 2
      ? { "0": [80, 110], "1": [220, 110], "0,1": [150, 110] }
      : { "0": [90, 65], "1": [210, 65], "2": [150, 190], "0,1": [150, 62], "0,2": [112, 135], "1,2": [188, 135], "0,1,2": [150, 108] };
  const counts = new Map(overlap.regions.map((g) => [key(g.segments), Number(g.count)]));
  const labels = Object.entries(positions).map(([k, [x, y]]) => ({
    x,
    y,
    count: counts.get(k) ?? 0,
    segments: k.split(",").map(Number),
  }));
  return { circles, labels };
}

/** "A ∩ B" style names of the pairs with their intersection and Jaccard. */
export function pairs(overlap: OverlapResponse, names: string[]): { name: string; both: number; jaccard: number }[] {
  const out = [];
  const n = overlap.counts.length;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const both = overlap.regions.filter((g) => g.segments.includes(i) && g.segments.includes(j)).reduce((s, g) => s + Number(g.count), 0);
      out.push({ name: `${names[i]} ∩ ${names[j]}`, both, jaccard: overlap.jaccard[i][j] });
    }
  return out;
}
