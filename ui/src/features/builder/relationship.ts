// Pure logic of the related-records condition: its choices (measures, comparisons, time windows)
// and how the constraint changes when one of them does.
import type { AggregateFunction } from "../../bindings/AggregateFunction";
import type { Constraint } from "../../bindings/Constraint";
import type { CountOperator } from "../../bindings/CountOperator";
import type { Entity } from "../../bindings/Entity";
import type { TimeWindow } from "../../bindings/TimeWindow";
import type { JsonValue } from "../../bindings/serde_json/JsonValue";
import { today } from "../../shared/values";

export const COUNT_OPERATORS: { op: CountOperator; label: string }[] = [
  { op: "at_least", label: "at least" },
  { op: "at_most", label: "at most" },
  { op: "exactly", label: "exactly" },
  { op: "more_than", label: "more than" },
  { op: "less_than", label: "less than" },
  { op: "not_equals", label: "not" },
  { op: "between", label: "between" },
];

export type Measure = "count" | AggregateFunction;
export const MEASURES: { measure: Measure; label: string }[] = [
  { measure: "count", label: "number of records" },
  { measure: "sum", label: "sum of" },
  { measure: "avg", label: "average of" },
  { measure: "min", label: "minimum of" },
  { measure: "max", label: "maximum of" },
  { measure: "count_distinct", label: "number of distinct" },
];

export const WINDOWS: { type: TimeWindow["type"]; label: string }[] = [
  { type: "any_time", label: "any time" },
  { type: "in_the_last", label: "in the last" },
  { type: "between_ago", label: "between … ago" },
  { type: "before", label: "before" },
  { type: "after", label: "after" },
  { type: "between", label: "between dates" },
];

/** The constraints the count editor edits: a number of related records or an aggregate. */
export type CountConstraint = Extract<Constraint, { type: "occurrences" | "aggregate" }>;
export const isCountConstraint = (c: Constraint): c is CountConstraint => c.type === "occurrences" || c.type === "aggregate";

export const DEFAULT_CONSTRAINT: CountConstraint = { type: "occurrences", operator: "at_least", value: 1 };

export function defaultWindow(type: TimeWindow["type"]): TimeWindow {
  switch (type) {
    case "any_time":
      return { type };
    case "in_the_last":
      return { type, amount: 30, unit: "day" };
    case "between_ago":
      return { type, from: 60, to: 30, unit: "day" };
    case "before":
    case "after":
      return { type, date: today() };
    case "between":
      return { type, from: today(), to: today() };
  }
}

export const measureOf = (c: CountConstraint): Measure => (c.type === "occurrences" ? "count" : c.function);

/** The constraint measuring `m` instead, keeping the comparison; an aggregate keeps its column
 * when it still applies, else takes the first measure-like column of the related entity. */
export function withMeasure(constraint: CountConstraint, m: Measure, related: Entity | undefined): CountConstraint {
  if (m === "count") return { type: "occurrences", operator: constraint.operator, value: constraint.value };
  // Measures, not identifiers: the key and foreign keys come last.
  const isId = (name: string) => name === related?.key || name.endsWith("_id");
  const numeric = (related?.columns.filter((c) => c.data_type === "number") ?? []).sort((a, b) => Number(isId(a.name)) - Number(isId(b.name)));
  const current = constraint.type === "aggregate" ? constraint.attribute : undefined;
  const attribute =
    current && (m === "count_distinct" || numeric.some((c) => c.name === current))
      ? current
      : ((m === "count_distinct" ? related?.columns.find((c) => !isId(c.name))?.name : numeric[0]?.name) ?? "");
  return { type: "aggregate", function: m, attribute, operator: constraint.operator, value: constraint.value };
}

/** The constraint with comparison `op`: "between" takes a pair, the others one number. */
export function withCountOperator(constraint: CountConstraint, op: CountOperator): CountConstraint {
  let value: JsonValue = constraint.value;
  if (op === "between" && !Array.isArray(value)) value = [typeof value === "number" ? value : 1, typeof value === "number" ? value + 5 : 5];
  if (op !== "between" && Array.isArray(value)) value = value[0] ?? 1;
  return { ...constraint, operator: op, value };
}

/** The columns an aggregate can be over: numbers, or any column for a distinct count. */
export function aggregateColumns(constraint: CountConstraint, related: Entity | undefined) {
  if (constraint.type !== "aggregate") return [];
  return (related?.columns ?? []).filter((c) => constraint.function === "count_distinct" || c.data_type === "number");
}
