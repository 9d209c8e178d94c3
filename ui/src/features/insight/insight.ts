// The logic behind the insight views (the components only draw what these return): chart
// geometry of the size over time and of near-miss curves, node labels and depths, wording.
import type { Group } from "../../bindings/Group";
import type { Node } from "../../bindings/Node";
import type { Segment } from "../../bindings/Segment";
import type { TrendPoint } from "../../bindings/TrendPoint";
import { nodeLabel } from "../../shared/counts";
import { get } from "../../shared/pointer";

const fmt = new Intl.NumberFormat("en-US");
export const formatCount = (n: number) => fmt.format(n);

/** A polyline through `values` in a box of `width` × `height` (y grows downwards), from 0 or the
 * smallest value to the largest, with a little room at the top. */
export function linePoints(values: number[], width: number, height: number, pad = 4): { x: number; y: number }[] {
  if (values.length === 0) return [];
  const max = Math.max(...values);
  const min = Math.min(0, ...values);
  const span = max - min || 1;
  const step = values.length > 1 ? (width - 2 * pad) / (values.length - 1) : 0;
  return values.map((v, i) => ({
    x: round(pad + i * step),
    y: round(height - pad - ((v - min) / span) * (height - 2 * pad)),
  }));
}

const round = (n: number) => Math.round(n * 10) / 10;

/** "Oct 5" for an ISO instant (UTC). */
export function shortDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
}

/** The change over the trend in words: "grew by 120 (+12%)", "shrank by 4 (−2%)", "did not change". */
export function changeWords(points: TrendPoint[]): string {
  if (points.length < 2) return "";
  const first = points[0].count;
  const last = points[points.length - 1].count;
  const diff = last - first;
  if (diff === 0) return "did not change";
  const share = first > 0 ? ` (${diff > 0 ? "+" : "−"}${Math.round((Math.abs(diff) / first) * 100)}%)` : "";
  return `${diff > 0 ? "grew" : "shrank"} by ${formatCount(Math.abs(diff))}${share}`;
}

/** Everyone who entered and left over the range (after the first step). */
export function churn(points: TrendPoint[]): { entered: number; left: number } {
  return points.reduce((acc, p) => ({ entered: acc.entered + (p.entered ?? 0), left: acc.left + (p.left ?? 0) }), { entered: 0, left: 0 });
}

/** How deep a node is in the tree (0 for the root's children). */
export function depthOf(path: string): number {
  return Math.max(0, path.split("/children/").length - 2);
}

type Labelled = Node | (Group & { type?: undefined });

/** A node's label, with a relationship's measure and window spelled out. */
export function describeNode(segment: Segment, path: string): string {
  if (path === "/root") return "The whole segment";
  const node = get(segment, path) as Labelled | undefined;
  if (node && typeof node === "object" && node.type === "relationship") {
    return `${node.relationship}: ${constraintWords(node.constraint)}${windowWords(node.window)}`;
  }
  return nodeLabel(segment, path);
}

const words = (s: unknown) => String(s ?? "").replace(/_/g, " ");

function constraintWords(c: unknown): string {
  if (!c || typeof c !== "object") return "any";
  const o = c as Record<string, unknown>;
  const value = Array.isArray(o.value) ? o.value.join(" and ") : o.value;
  switch (o.type) {
    case "occurrences":
      return `${words(o.operator)} ${value} time${value === 1 ? "" : "s"}`;
    case "aggregate":
      return `${words(o.function)} of ${o.attribute} ${words(o.operator)} ${value}`;
    default:
      return words(o.type);
  }
}

function windowWords(w: unknown): string {
  if (!w || typeof w !== "object") return "";
  const o = w as Record<string, unknown>;
  switch (o.type) {
    case "in_the_last":
      return `, in the last ${o.amount} ${o.unit}${o.amount === 1 ? "" : "s"}`;
    case "between_ago":
      return `, between ${o.from} and ${o.to} ${o.unit}s ago`;
    case "before":
      return `, before ${o.date}`;
    case "after":
      return `, after ${o.date}`;
    case "between":
      return `, between ${o.from} and ${o.to}`;
    default:
      return "";
  }
}

/** A value of the record as read: text as it is, null as "(empty)". */
export function showValue(v: unknown): string {
  if (v === null || v === undefined) return "(empty)";
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

/** What a curve moves, in words. */
export function curveTitle(kind: string, unit: string | null): string {
  switch (kind) {
    case "value":
      return "If the number were";
    case "occurrences":
      return "If the number of times were";
    case "aggregate":
      return "If the threshold were";
    case "window":
      return `If the window were (${unit ?? "day"}s)`;
    default:
      return kind;
  }
}
