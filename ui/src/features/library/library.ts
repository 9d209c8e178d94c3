// Pure logic of the segment library screens: id rules, list sorting, dates, count deltas,
// and the count-over-time chart's geometry (the diff's wording is in diffWords.ts). No React, no IPC: unit-tested in library.test.ts.
import type { CountRecord } from "../../bindings/CountRecord";
import type { Page } from "../../bindings/Page";
import type { Direction } from "../../bindings/Direction";
import type { Segment } from "../../bindings/Segment";
import type { SortField } from "../../bindings/SortField";

/** A count that may be absent, as a number (absent: 0). */
export const num = (v: number | null | undefined): number => v ?? 0;

export const ID_PATTERN = /^[a-z][a-z0-9_]*$/;

/** Why `id` cannot be a segment id, in words a marketer understands; null when it can. */
export function idProblem(id: string): string | null {
  if (!id) return "Give the segment an id, e.g. us_buyers.";
  if (/\s/.test(id)) return "An id cannot contain spaces: use _ instead, e.g. us_buyers.";
  if (!/^[a-zA-Z]/.test(id)) return "An id starts with a letter (a–z).";
  if (!ID_PATTERN.test(id.toLowerCase()))
    return "An id uses only lowercase letters, digits and _ (pattern [a-z][a-z0-9_]*).";
  if (id !== id.toLowerCase()) return "Use lowercase letters: ids are stored lowercased.";
  if (id.length > 128) return "Keep the id to 128 characters or fewer.";
  if (/^(con|prn|aux|nul|com[1-9]|lpt[1-9])$/.test(id))
    return `“${id}” is a reserved file name on Windows (the segment's file could not be opened there): choose another id.`;
  return null;
}

/** An id suggested from a name: "US buyers (30d)" → "us_buyers_30d". */
export function suggestId(name: string): string {
  let id = name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (!/^[a-z]/.test(id)) id = "segment_" + id;
  return id.replace(/_+$/, "").slice(0, 60) || "segment";
}

/** A free id for a copy: `id_copy`, `id_copy2`… not in `taken`. */
export function copyId(id: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  let candidate = `${id}_copy`;
  for (let i = 2; used.has(candidate); i++) candidate = `${id}_copy${i}`;
  return candidate;
}

export type Sort = [SortField, Direction];

/** Clicking a column header: the same column flips its direction, another sorts ascending
 * (dates and counts start descending: the newest / largest first is what one looks for). */
export function nextSort(current: Sort, field: SortField): Sort {
  if (current[0] === field) return [field, current[1] === "asc" ? "desc" : "asc"];
  const descFirst: SortField[] = ["dateModified", "dateCreated", "recordCount", "revision"];
  return [field, descFirst.includes(field) ? "desc" : "asc"];
}

/** "Showing 21–40 of 57" for page `page` (from 0) of `size`. */
export function pageLabel(page: number, size: number, total: number): string {
  if (total === 0) return "No segments";
  const from = page * size + 1;
  const to = Math.min(total, (page + 1) * size);
  return `${from}–${to} of ${total}`;
}

/** An ISO instant as "2026-11-01 14:05" (UTC, as stored). */
export function shortDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]}` : iso;
}

/** Whether the tree in the builder differs from the saved definition. */
export function differs(a: Segment | null | undefined, b: Segment | null | undefined): boolean {
  return JSON.stringify(canonical(a ?? null)) !== JSON.stringify(canonical(b ?? null));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined && x !== null && !(k === "negated" && x === false)) out[k] = canonical(x);
    }
    return out;
  }
  return v;
}

/** "+12", "−3", "±0" or "" when either count is unknown. */
export function deltaLabel(delta: number | null | undefined): string {
  if (delta == null) return "";
  const d = Number(delta);
  return d > 0 ? `+${d.toLocaleString("en-US")}` : d < 0 ? `−${Math.abs(d).toLocaleString("en-US")}` : "±0";
}

export type ChartPoint = { x: number; y: number; count: number; at: string; revision: number };

/** The count history (any order) as points of a `width`×`height` chart, oldest on the left.
 * The y axis starts at 0 so a small change does not look like a collapse. */
export function chartPoints(counts: CountRecord[], width: number, height: number, pad = 4): ChartPoint[] {
  const sorted = [...counts].sort((a, b) => a.computedAt.localeCompare(b.computedAt));
  if (sorted.length === 0) return [];
  const max = Math.max(1, ...sorted.map((c) => num(c.count)));
  const times = sorted.map((c) => Date.parse(c.computedAt));
  const t0 = Math.min(...times);
  const span = Math.max(...times) - t0;
  return sorted.map((c, i) => {
    const fraction = span > 0 ? (times[i] - t0) / span : sorted.length === 1 ? 0.5 : i / (sorted.length - 1);
    return {
      x: pad + fraction * (width - 2 * pad),
      y: height - pad - (num(c.count) / max) * (height - 2 * pad),
      count: num(c.count),
      at: c.computedAt,
      revision: num(c.revision),
    };
  });
}

/** Member identifiers typed or pasted: one per line, or separated by commas or spaces. */
export function parseMembers(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean))];
}

/** Page `page` (from 0, of `size`) of a collection counted from its newest entry, given a fetch of
 * the collection's pages oldest first: at most two fetches besides the first. */
export async function newestFirst<T>(fetch: (page: number) => Promise<Page<T>>, page: number, size: number): Promise<Page<T>> {
  const first = await fetch(0);
  const total = num(first.page.totalElements);
  const end = total - page * size;
  if (end <= 0) return { items: [], page: first.page };
  const start = Math.max(0, end - size);
  const lo = Math.floor(start / size);
  const hi = Math.floor((end - 1) / size);
  const pages = await Promise.all([...new Set([lo, hi])].map((p) => (p === 0 ? first : fetch(p))));
  const items = pages.flatMap((p) => p.items).slice(start - lo * size, end - lo * size);
  return { items: items.reverse(), page: first.page };
}
