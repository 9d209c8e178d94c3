// Which editor each operator's value needs, and the JSON shape it writes. One place decides the
// value shapes, so they stay in step with the model's validation (crates/segment-model).
import type { DataType } from "../bindings/DataType";
import type { Operator } from "../bindings/Operator";
import type { TimeUnit } from "../bindings/TimeUnit";
import type { JsonValue } from "../bindings/serde_json/JsonValue";

export type ValueKind =
  | "none" // unary operators: no value
  | "text" // one text
  | "number" // one number
  | "integer" // a length or a size
  | "list" // several values (text or number chips)
  | "range" // two numbers or two dates, inclusive
  | "date" // one absolute date
  | "relative" // an amount and a unit: in the last 30 days
  | "relative_range" // between 7 and 30 days ago
  | "period" // this / last / next week, month, year
  | "date_part"; // month / day of month / year / weekday is one of …

export function valueKind(op: Operator): ValueKind {
  switch (op) {
    case "is_null":
    case "is_not_null":
    case "is_blank":
    case "is_not_blank":
    case "is_true":
    case "is_false":
    case "is_empty":
    case "is_not_empty":
      return "none";
    case "is":
    case "is_not":
    case "contains":
    case "does_not_contain":
    case "starts_with":
    case "does_not_start_with":
    case "ends_with":
    case "does_not_end_with":
    case "like":
    case "matches_regex":
    case "any_item_starts_with":
    case "any_item_ends_with":
    case "any_item_contains":
    case "every_item_is":
      return "text";
    case "length_equals":
    case "length_less_than":
    case "length_greater_than":
    case "size_equals":
    case "size_less_than":
    case "size_greater_than":
      return "integer";
    case "equals":
    case "not_equals":
    case "less_than":
    case "less_than_or_equal":
    case "greater_than":
    case "greater_than_or_equal":
      return "number";
    case "is_one_of":
    case "is_none_of":
    case "contains_any_of":
    case "contains_all_of":
    case "contains_none_of":
      return "list";
    case "between":
    case "not_between":
      return "range";
    case "on":
    case "not_on":
    case "before":
    case "after":
    case "on_or_before":
    case "on_or_after":
      return "date";
    case "in_the_last":
    case "in_the_next":
    case "more_than_ago":
    case "less_than_ago":
    case "exactly_ago":
      return "relative";
    case "between_ago":
      return "relative_range";
    case "this_period":
    case "last_period":
    case "next_period":
      return "period";
    case "date_part_is":
      return "date_part";
  }
}

/** Operators whose text comparison can ignore case (the "Aa" toggle). */
export function takesCase(op: Operator, type: DataType): boolean {
  if (type !== "text") return false;
  return [
    "is",
    "is_not",
    "is_one_of",
    "is_none_of",
    "contains",
    "does_not_contain",
    "starts_with",
    "does_not_start_with",
    "ends_with",
    "does_not_end_with",
  ].includes(op);
}

export const TIME_UNITS: { unit: TimeUnit; label: string }[] = [
  { unit: "minute", label: "minutes" },
  { unit: "hour", label: "hours" },
  { unit: "day", label: "days" },
  { unit: "week", label: "weeks" },
  { unit: "month", label: "months" },
  { unit: "year", label: "years" },
];

export const PERIODS: { unit: TimeUnit; label: string }[] = [
  { unit: "week", label: "week" },
  { unit: "month", label: "month" },
  { unit: "year", label: "year" },
];

export const DATE_PARTS = [
  { part: "month", label: "month", min: 1, max: 12 },
  { part: "day_of_month", label: "day of month", min: 1, max: 31 },
  { part: "year", label: "year", min: 1900, max: 2200 },
  { part: "weekday", label: "weekday", min: 0, max: 6 },
  { part: "hour", label: "hour of day (UTC)", min: 0, max: 23 },
] as const;

/** What a number may be compared with instead of a fixed number: a part of today's date
 * (`{"today": "month"}`, resolved from "now" when counted). */
export const TODAY_PARTS = [
  { part: "year", label: "this year" },
  { part: "month", label: "this month (1–12)" },
  { part: "day_of_month", label: "today's day of month" },
] as const;

export const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
export const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** Today as YYYY-MM-DD (UTC), the default for date editors. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * The value a fresh editor starts from when the operator (or attribute type) changes. The old
 * value is kept when it has the right shape, so switching "is" to "is not" keeps "US".
 */
export function defaultValue(op: Operator, type: DataType, old: JsonValue | undefined): JsonValue {
  const kind = valueKind(op);
  const keep = old !== undefined && old !== null && fits(kind, type, old);
  if (keep) return old as JsonValue;
  switch (kind) {
    case "none":
      return null;
    case "text":
      return typeof old === "string" ? old : "";
    case "number":
      // `<` on text orders text by character.
      if (type === "text") return typeof old === "string" ? old : "";
      return typeof old === "number" ? old : 0;
    case "integer":
      return typeof old === "number" ? old : 0;
    case "list":
      if (typeof old === "string" && old !== "") return [old];
      if (typeof old === "number") return [old];
      return [];
    case "range":
      return type === "datetime" ? [today(), today()] : [0, 100];
    case "date":
      return today();
    case "relative":
      return { amount: 30, unit: "day" };
    case "relative_range":
      return { from: 30, to: 7, unit: "day" };
    case "period":
      return "month";
    case "date_part":
      return { part: "month", values: [new Date().getUTCMonth() + 1] };
  }
}

function fits(kind: ValueKind, type: DataType, v: JsonValue): boolean {
  const isObj = (x: JsonValue): x is { [k: string]: JsonValue } =>
    typeof x === "object" && x !== null && !Array.isArray(x);
  switch (kind) {
    case "none":
      return v === null;
    case "text":
      return typeof v === "string";
    case "number":
      if (type === "text") return typeof v === "string";
      // A part of today's date: {"today": "month"}.
      return typeof v === "number" || (isObj(v) && typeof v.today === "string");
    case "integer":
      return typeof v === "number";
    case "list":
      return Array.isArray(v);
    case "range":
      return (
        Array.isArray(v) &&
        v.length === 2 &&
        v.every((x) => (type === "datetime" ? typeof x === "string" : typeof x === "number"))
      );
    case "date":
      return typeof v === "string" && /^\d{4}-\d{2}-\d{2}/.test(v);
    case "relative":
      return isObj(v) && "amount" in v && "unit" in v;
    case "relative_range":
      return isObj(v) && "from" in v && "to" in v && "unit" in v;
    case "period":
      return typeof v === "string" && PERIODS.some((p) => p.unit === v);
    case "date_part":
      return isObj(v) && "part" in v && "values" in v;
  }
}
