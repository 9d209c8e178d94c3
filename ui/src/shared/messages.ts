// Problems come from validation with a JSON Pointer and a message already in the builder's words;
// these helpers say which part of the row is wrong.
import type { Problem } from "../bindings/Problem";

const FIELD_LABELS: Record<string, string> = {
  attribute: "Attribute",
  operator: "Operator",
  value: "Value",
  case_sensitive: "Match case",
  sql: "SQL",
  relationship: "Related records",
  constraint: "How many",
  window: "When",
  filter: "Conditions on related records",
  combinator: "AND / OR",
  entity: "Records",
};

export function fieldLabel(field: string | undefined): string | undefined {
  return field ? FIELD_LABELS[field] : undefined;
}

/** A problem's message as shown: the Rust side already says it in the builder's words. */
export function humanize(message: string): string {
  const m = message.trim();
  return m.charAt(0).toUpperCase() + m.slice(1);
}

export function describe(problem: Problem, field: string | undefined): string {
  const label = fieldLabel(field);
  const text = humanize(problem.message);
  return label && !text.toLowerCase().startsWith(label.toLowerCase()) ? `${label}: ${text}` : text;
}
