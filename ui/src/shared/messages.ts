// Problems come from validation with a JSON Pointer and a message. These helpers say them in the
// builder's words: which part of the row is wrong, without pointers or Rust/serde jargon.
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

/** A problem's message, cleaned of serde's wording where it leaked through. */
export function humanize(message: string): string {
  let m = message.trim();
  m = m.replace(/^unknown variant `([^`]*)`, expected .*$/s, "“$1” is not one of the choices");
  m = m.replace(/^missing field `([^`]*)`.*$/s, (_, f) => `${fieldLabel(f) ?? f} is missing`);
  m = m.replace(/^invalid type: ([^,]*), expected (.*)$/s, "expected $2, not $1");
  m = m.replace(/`/g, "");
  return m.charAt(0).toUpperCase() + m.slice(1);
}

export function describe(problem: Problem, field: string | undefined): string {
  const label = fieldLabel(field);
  const text = humanize(problem.message);
  return label && !text.toLowerCase().startsWith(label.toLowerCase()) ? `${label}: ${text}` : text;
}
