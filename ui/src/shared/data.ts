// Pure helpers of the "bring your own data" screens: progress wording, bars of a distribution,
// value suggestions from column statistics, names of new data sources. Tested without a window.
import type { ColumnStats } from "../bindings/ColumnStats";
import type { EntityStats } from "../bindings/EntityStats";

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** "1 m 05 s", "12 s", "< 1 s". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !isFinite(ms)) return "…";
  if (ms < 1000) return "< 1 s";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return `${m} m ${String(s % 60).padStart(2, "0")} s`;
}

export { formatCount } from "./counts";

/** The share of `part` in `whole` as a percentage rounded for display. */
export function percent(share: number): string {
  const p = share * 100;
  if (p === 0) return "0%";
  if (p < 0.1) return "< 0.1%";
  if (p > 99.9 && p < 100) return "> 99.9%";
  return `${p < 10 ? p.toFixed(1) : Math.round(p)}%`;
}

export type Bar = { label: string; count: number; width: number };

/** Bars of the top values, widths relative to the largest (0..1). */
export function bars(top: { value: unknown; count: number }[], limit = 8): Bar[] {
  const shown = top.slice(0, limit);
  const max = Math.max(1, ...shown.map((t) => t.count));
  return shown.map((t) => ({ label: showValue(t.value), count: t.count, width: t.count / max }));
}

export function showValue(v: unknown): string {
  if (v === null || v === undefined) return "(empty)";
  if (typeof v === "string") return v === "" ? "(blank)" : v;
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** The statistics of one column. */
export function columnStats(stats: EntityStats[] | undefined, entity: string | undefined, column: string | undefined): ColumnStats | undefined {
  return stats?.find((e) => e.name === entity)?.columns.find((c) => c.name === column);
}

/** Text suggestions: the top values (most frequent first) matching `typed` (case-insensitive). */
export function suggestions(stats: ColumnStats | undefined, typed = "", limit = 50): string[] {
  if (!stats) return [];
  const needle = typed.trim().toLowerCase();
  const out: string[] = [];
  for (const t of stats.top) {
    const v = t.value;
    if (v === null || typeof v === "object") continue;
    const text = String(v);
    if (!needle || text.toLowerCase().includes(needle)) out.push(text);
    if (out.length >= limit) break;
  }
  return out;
}

/** "from 3 to 120" for numbers and dates, or undefined when the column has no range. */
export function rangeHint(stats: ColumnStats | undefined): string | undefined {
  if (!stats || stats.min == null || stats.max == null) return undefined;
  return `from ${showValue(stats.min)} to ${showValue(stats.max)}`;
}

/** A data source file name from a name the user typed: `Shop data` → `shop_data.sqlite`. */
export function sourceFileName(name: string): string {
  const base = name
    .trim()
    .toLowerCase()
    .replace(/\.sqlite$/, "")
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return `${base || "imported"}.sqlite`;
}

/** The last part of a path, either separator. */
export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** Which dropped files can be imported (CSV, TSV, NDJSON, JSON lines, TXT). */
export function importable(paths: string[]): string[] {
  return paths.filter((p) => /\.(csv|tsv|txt|ndjson|jsonl|json)$/i.test(p));
}

export function isSqlite(path: string): boolean {
  return /\.(sqlite3?|db)$/i.test(path);
}
