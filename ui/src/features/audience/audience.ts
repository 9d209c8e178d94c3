// Pure helpers of the audience views: what a segment can be broken down by, bar lengths and
// the words of shares, lifts and balance.
import type { BreakdownRow } from "../../bindings/BreakdownRow";
import type { Dimension } from "../../bindings/Dimension";
import type { Schema } from "../../bindings/Schema";
import type { SplitGroup } from "../../bindings/SplitGroup";

export type DimensionOption = { key: string; label: string; dimension: Dimension };

const key = (d: Dimension) => JSON.stringify(d);

/** Every attribute of `entity` (lists and the key aside) and, per related records, how many,
 * the total of each number and the latest date. */
export function dimensionOptions(schema: Schema, entity: string): DimensionOption[] {
  const table = schema.entities.find((e) => e.name === entity);
  if (!table) return [];
  const options: DimensionOption[] = [];
  const add = (label: string, dimension: Dimension) => options.push({ key: key(dimension), label, dimension });
  for (const c of table.columns) {
    if (c.data_type === "array" || c.name === table.key) continue;
    add(c.name, { kind: "attribute", column: c.name });
  }
  for (const rel of schema.relationships.filter((r) => r.from_entity === entity)) {
    add(`number of ${rel.name}`, { kind: "related", relationship: rel.name, aggregate: "count" });
    const related = schema.entities.find((e) => e.name === rel.to_entity);
    for (const c of related?.columns ?? []) {
      if (c.name === related?.key || c.name === rel.to_column) continue;
      if (c.data_type === "number") add(`total ${c.name} of ${rel.name}`, { kind: "related", relationship: rel.name, aggregate: "sum", column: c.name });
      if (c.data_type === "datetime") add(`latest ${c.name} of ${rel.name}`, { kind: "related", relationship: rel.name, aggregate: "max", column: c.name });
    }
  }
  return options;
}

/** Statistics of a column, as far as choosing a default needs them. */
type ColumnFacts = { name: string; data_type: string; distinct: number };

/** What to break down by at first: a text or true/false attribute with few values (the
 * statistics say so) or, without statistics, one not named like a unique field; else the
 * first option. */
export function defaultDimension(options: DimensionOption[], columns?: ColumnFacts[]): string {
  const attribute = (o: DimensionOption) => (o.dimension.kind === "attribute" ? o.dimension.column : null);
  const fits = (o: DimensionOption) => {
    const name = attribute(o);
    if (!name) return false;
    const facts = columns?.find((c) => c.name === name);
    if (facts) return (facts.data_type === "text" || facts.data_type === "boolean") && facts.distinct > 1 && facts.distinct <= 50;
    return !/(email|name|phone|address|city|_id$|^id$)/i.test(name);
  };
  return (options.find(fits) ?? options[0])?.key ?? "";
}

/** "38.2%" (one decimal; "<0.1%" for a share that is not zero). */
export function percent(share: number): string {
  if (share > 0 && share < 0.001) return "<0.1%";
  return `${(share * 100).toFixed(1)}%`;
}

/** "×1.35", or "" when there is nothing to compare. */
export function liftText(lift: number | undefined): string {
  return lift === undefined ? "" : `×${lift.toFixed(2)}`;
}

/** A bar's length in percent of the longest one (each row's share in the segment, and with
 * `compare` also its share in everyone). */
export function barWidth(value: number, rows: BreakdownRow[], compare: boolean): number {
  const longest = Math.max(...rows.map((r) => (compare ? Math.max(r.share, r.base_share) : r.share)), 0);
  return longest > 0 ? Math.round((value / longest) * 1000) / 10 : 0;
}

/** Percentages of a split: the sum and what is wrong with them, if anything. */
export function checkGroups(groups: SplitGroup[]): string | null {
  if (groups.length < 2) return "A split needs at least 2 groups.";
  const names = groups.map((g) => g.name.trim());
  if (names.some((n) => !n)) return "Every group needs a name.";
  if (new Set(names).size !== names.length) return "Two groups have the same name.";
  if (groups.some((g) => !(g.percent > 0) || Math.abs(g.percent * 100 - Math.round(g.percent * 100)) > 1e-6))
    return "Each percentage is above 0, with at most two decimals.";
  const sum = Math.round(groups.reduce((s, g) => s + g.percent * 100, 0)) / 100;
  if (sum !== 100) return `The percentages add up to ${sum}%, not 100%.`;
  return null;
}

/** A balance value as people read it: a share, a number, or a date. */
export function balanceValue(value: number | null, measure: string): string {
  if (value === null) return "–";
  if (measure === "share") return percent(value);
  if (measure === "date") return new Date(value * 1000).toISOString().slice(0, 10);
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2);
}

/** A library id part from a name: lowercase letters, digits and `_`, starting with a letter. */
export function slug(name: string): string {
  const s = name.trim().toLowerCase().replace(/[^a-z0-9]/g, "_");
  return /^[a-z]/.test(s) ? s : `g${s}`;
}
