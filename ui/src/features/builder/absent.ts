// A text value absent from the data is almost always a typo: said gently at the row, with the
// closest values the data has. Only when the statistics list every distinct value of the column.
import type { ColumnStats } from "../../bindings/ColumnStats";
import type { JsonValue } from "../../bindings/serde_json/JsonValue";
import type { Operator } from "../../bindings/Operator";

const EXACT: Operator[] = ["is", "is_not", "is_one_of", "is_none_of"];

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

export type Absent = { value: string; suggestions: string[] };

/** The values of an exact text comparison that the column never holds, each with up to three
 * of the data's values near enough to be what was meant; known from the statistics when they list every value,
 * else from the condition's own count (`matched`). */
export function absentValues(stats: ColumnStats | undefined, operator: Operator, value: JsonValue, caseSensitive = true, matched?: number): Absent[] {
  if (!stats || stats.data_type !== "text" || !EXACT.includes(operator)) return [];
  const known = stats.top.map((t) => t.value).filter((v): v is string => typeof v === "string");
  // The statistics list only the most frequent values: then the condition's own count of 0
  // says that none of its values is in the data ("is" / "is one of" only).
  const complete = known.length > 0 && known.length >= stats.distinct;
  const noneMatch = matched === 0 && (operator === "is" || operator === "is_one_of");
  if (!complete && !noneMatch) return [];
  const fold = (s: string) => (caseSensitive ? s : s.toLowerCase());
  const have = new Set(known.map(fold));
  const typed = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string" && v.trim() !== "");
  return typed
    .filter((v) => (complete ? !have.has(fold(v)) : true))
    .map((v) => ({
      value: v,
      suggestions: known
        .map((k) => [k, distance(v.toLowerCase(), k.toLowerCase())] as const)
        .filter(([, d]) => d <= Math.max(2, Math.ceil(v.length / 2))) // near enough to be a typo
        .sort((a, b) => a[1] - b[1])
        .slice(0, 3)
        .map(([k]) => k),
    }));
}
