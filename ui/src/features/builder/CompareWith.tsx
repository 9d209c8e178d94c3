// "…is the same as another attribute": a condition's value may name another attribute of the
// same record (`{"attribute": "work_state"}`, `segment_model::compare`), for the operators that
// compare two attributes of a type. The row offers "a value | another attribute", and for numbers
// the parts of today's date as well ("a number | this year | this month (1–12) | today's day of
// month | another attribute"): one choice of what the attribute is compared with.
import type { Column } from "../../bindings/Column";
import type { DataType } from "../../bindings/DataType";
import type { Operator } from "../../bindings/Operator";
import type { JsonValue } from "../../bindings/serde_json/JsonValue";
import { TODAY_PARTS } from "../../shared/values";
import { Toggle } from "./inputs";

/** The operators that compare two attributes of each type (as `compare::operators_for`). */
const COMPARING: Partial<Record<DataType, Operator[]>> = {
  text: ["is", "is_not"],
  number: ["equals", "not_equals", "less_than", "less_than_or_equal", "greater_than", "greater_than_or_equal"],
  datetime: ["on", "not_on", "before", "after", "on_or_before", "on_or_after"],
};

export type OtherAttribute = { attribute: string; date_only?: boolean };

/** Whether `operator` compares two attributes of type `type`. */
export function compares(operator: Operator, type: DataType): boolean {
  return COMPARING[type]?.includes(operator) ?? false;
}

/** The other attribute a value names, if it names one. */
export function otherAttribute(value: JsonValue | undefined): OtherAttribute | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const v = value as { [k: string]: JsonValue };
  if (typeof v.attribute !== "string") return undefined;
  return { attribute: v.attribute, date_only: v.date_only === true ? true : undefined };
}

/** The part of today's date a number is compared with (`{"today": "month"}`), if it is one. */
export function todayPart(value: JsonValue | undefined): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const today = (value as { [k: string]: JsonValue }).today;
  return typeof today === "string" ? today : undefined;
}

/** What "a value" is called for each type. */
const A_VALUE: Partial<Record<DataType, string>> = { number: "a number", datetime: "a date" };

function toJson(other: OtherAttribute): JsonValue {
  return other.date_only ? { attribute: other.attribute, date_only: true } : { attribute: other.attribute };
}

/** "a value | (for numbers: a part of today) | another attribute", and when another: which one
 * (same type), and for dates whether only the dates count. `onChange(null)` asks for a plain
 * value again. */
export function CompareWith(props: {
  column: Column;
  columns: Column[];
  value: JsonValue;
  onChange: (value: JsonValue | null) => void;
}) {
  const { column, value, onChange } = props;
  const other = otherAttribute(value);
  const today = column.data_type === "number" ? todayPart(value) : undefined;
  const candidates = props.columns.filter((c) => c.data_type === column.data_type && c.name !== column.name);
  const choose = (choice: string) => {
    if (choice === "attribute") onChange(toJson({ attribute: candidates[0]?.name ?? "" }));
    else if (choice.startsWith("today:")) onChange({ today: choice.slice("today:".length) });
    else onChange(null);
  };
  return (
    <>
      <select
        className="select compare-source"
        aria-label="Compare with"
        data-testid="compare-source"
        value={other ? "attribute" : today ? `today:${today}` : "value"}
        onChange={(e) => choose(e.target.value)}
      >
        <option value="value">{A_VALUE[column.data_type] ?? "a value"}</option>
        {column.data_type === "number" && (
          <>
            {today && !TODAY_PARTS.some((p) => p.part === today) && <option value={`today:${today}`}>{`today's ${today}`}</option>}
            {TODAY_PARTS.map((p) => (
              <option key={p.part} value={`today:${p.part}`}>
                {p.label}
              </option>
            ))}
          </>
        )}
        <option value="attribute">another attribute</option>
      </select>
      {other && (
        <select
          className={"select other-attribute" + (other.attribute ? "" : " invalid")}
          aria-label="Other attribute"
          data-testid="other-attribute"
          value={other.attribute}
          onChange={(e) => onChange(toJson({ ...other, attribute: e.target.value }))}
        >
          {!candidates.some((c) => c.name === other.attribute) && (
            <option value={other.attribute} disabled>
              {other.attribute ? `${other.attribute} (unknown)` : "Choose an attribute"}
            </option>
          )}
          {candidates.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name}
            </option>
          ))}
        </select>
      )}
      {other && column.data_type === "datetime" && (
        <Toggle
          pressed={other.date_only === true}
          onChange={(on) => onChange(toJson({ ...other, date_only: on || undefined }))}
          label="Dates only"
          title={other.date_only ? "Comparing the days only (the time of day does not count)" : "Comparing the exact times (press to compare the days only)"}
          testid="date-only-toggle"
        >
          dates only
        </Toggle>
      )}
    </>
  );
}
