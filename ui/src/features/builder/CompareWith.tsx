// "…is the same as another attribute": a condition's value may name another attribute of the
// same record (`{"attribute": "work_state"}`, `segment_model::compare`), for the operators that
// compare two attributes of a type. The row offers "a value | another attribute".
import type { Column } from "../../bindings/Column";
import type { DataType } from "../../bindings/DataType";
import type { Operator } from "../../bindings/Operator";
import type { JsonValue } from "../../bindings/serde_json/JsonValue";
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

function toJson(other: OtherAttribute): JsonValue {
  return other.date_only ? { attribute: other.attribute, date_only: true } : { attribute: other.attribute };
}

/** "a value | another attribute", and when another: which one (same type), and for dates
 * whether only the dates count. `onValue(null)` asks for a plain value again. */
export function CompareWith(props: {
  column: Column;
  columns: Column[];
  value: JsonValue;
  onChange: (value: JsonValue | null) => void;
}) {
  const { column, value, onChange } = props;
  const other = otherAttribute(value);
  const candidates = props.columns.filter((c) => c.data_type === column.data_type && c.name !== column.name);
  return (
    <>
      <select
        className="select compare-source"
        aria-label="Compare with"
        data-testid="compare-source"
        value={other ? "attribute" : "value"}
        onChange={(e) =>
          onChange(e.target.value === "attribute" ? toJson({ attribute: candidates[0]?.name ?? "" }) : null)
        }
      >
        <option value="value">a value</option>
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
          title={other.date_only ? "Comparing the days only" : "Comparing the exact times"}
          testid="date-only-toggle"
        >
          day
        </Toggle>
      )}
    </>
  );
}
