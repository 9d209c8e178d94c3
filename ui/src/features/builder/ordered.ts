// Pure logic of the constraints that order related records in time: the first / last time, the
// first / most recent record's attribute, and distinct days, weeks, months or years. They sit in
// the related-records sentence's measure choice ("Has orders where the first one was …").
import type { Constraint } from "../../bindings/Constraint";
import type { Entity } from "../../bindings/Entity";
import type { Operator } from "../../bindings/Operator";
import type { SourceInfo } from "../../bindings/SourceInfo";
import type { TimeUnit } from "../../bindings/TimeUnit";
import { operatorsFor } from "../../shared/tree";
import { defaultValue } from "../../shared/values";

// A sequence orders records too, but is its own editor's (not one of these choices).
export type OrderedConstraint = Exclude<Constraint, { type: "occurrences" | "aggregate" | "sequence" }>;

export type OrderedChoice =
  | "first_time"
  | "last_time"
  | "first_record"
  | "last_record"
  | "distinct_day"
  | "distinct_week"
  | "distinct_month"
  | "distinct_year";

/** The choices as the sentence reads them after "where the". */
export const ORDERED_CHOICES: { choice: OrderedChoice; label: string }[] = [
  { choice: "first_time", label: "first one" },
  { choice: "last_time", label: "last one" },
  { choice: "first_record", label: "first one's" },
  { choice: "last_record", label: "most recent one's" },
  { choice: "distinct_day", label: "number of distinct days" },
  { choice: "distinct_week", label: "number of distinct weeks" },
  { choice: "distinct_month", label: "number of distinct months" },
  { choice: "distinct_year", label: "number of distinct years" },
];

export const isOrderedChoice = (value: string): value is OrderedChoice => ORDERED_CHOICES.some((c) => c.choice === value);

export const isOrdered = (c: Constraint): c is OrderedConstraint => c.type !== "occurrences" && c.type !== "aggregate" && c.type !== "sequence";

export function choiceOf(c: OrderedConstraint): OrderedChoice {
  return c.type === "distinct_periods" ? (`distinct_${c.unit}` as OrderedChoice) : c.type;
}

/** Operators a first or last time can be tested with: the date/time ones but the NULL tests. */
export function timeOperators(source: SourceInfo) {
  return (source.types.find((t) => t.data_type === "datetime")?.operators ?? []).filter((o) => !NULL_TESTS.includes(o.operator));
}

const NULL_TESTS: Operator[] = ["is_null", "is_not_null", "is_blank", "is_not_blank"];

/** The attribute a first / most recent record's condition starts from: not a key. */
function firstAttribute(related: Entity | undefined) {
  return related?.columns.find((c) => c.name !== related.key && !c.name.endsWith("_id")) ?? related?.columns[0];
}

/** The constraint for `choice` with sensible defaults ("in the last 30 days" for a first time,
 * "more than 90 days ago" for a last one: new and lapsed customers). `old` keeps what carries
 * over (a distinct count keeps its comparison when only the period changes). */
export function orderedDefault(choice: OrderedChoice, related: Entity | undefined, source: SourceInfo, old?: Constraint): OrderedConstraint {
  switch (choice) {
    case "first_time":
      return { type: "first_time", operator: "in_the_last", value: { amount: 30, unit: "day" } };
    case "last_time":
      return { type: "last_time", operator: "more_than_ago", value: { amount: 90, unit: "day" } };
    case "first_record":
    case "last_record": {
      const kept = old && (old.type === "first_record" || old.type === "last_record") ? old.condition : undefined;
      if (kept) return { type: choice, condition: kept };
      const column = firstAttribute(related);
      const ops = operatorsFor(source, column);
      const operator = (ops.find((o) => !o.unary) ?? ops[0])?.operator ?? "is_not_null";
      return {
        type: choice,
        condition: { attribute: column?.name ?? "", operator, value: column ? defaultValue(operator, column.data_type, undefined) : null },
      };
    }
    default: {
      const unit = choice.slice("distinct_".length) as TimeUnit;
      const counted = old && (old.type === "distinct_periods" || old.type === "occurrences") ? old : undefined;
      return { type: "distinct_periods", unit, operator: counted?.operator ?? "at_least", value: counted?.value ?? 2 };
    }
  }
}
