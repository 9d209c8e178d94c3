// The inputs of a related-records condition whose constraint orders its records in time:
// "where the first one was in the last 30 days", "where the most recent one's category is
// shoes", "where the number of distinct days is at least 5".
import type { Constraint } from "../../bindings/Constraint";
import type { CountOperator } from "../../bindings/CountOperator";
import type { Entity } from "../../bindings/Entity";
import type { Operator } from "../../bindings/Operator";
import type { JsonValue } from "../../bindings/serde_json/JsonValue";
import { operatorsFor } from "../../shared/tree";
import { defaultValue } from "../../shared/values";
import { useBuilder } from "./context";
import { NumberInput } from "./inputs";
import { choiceOf, isOrdered, isOrderedChoice, ORDERED_CHOICES, orderedDefault, timeOperators, type OrderedConstraint } from "./ordered";
import { COUNT_OPERATORS, DEFAULT_CONSTRAINT, MEASURES, measureOf, withCountOperator, withMeasure, type Measure } from "./relationship";
import { defaultSequence, SEQUENCE_CHOICE } from "./SequenceInputs";
import { ValueEditor } from "./ValueEditor";

type Props = { constraint: OrderedConstraint; related: Entity | undefined; onChange: (c: Constraint) => void };

/** What follows the measure choice for an ordering constraint. */
export function OrderedInputs({ constraint, related, onChange }: Props) {
  const { source } = useBuilder();
  switch (constraint.type) {
    case "first_time":
    case "last_time": {
      const ops = timeOperators(source);
      return (
        <>
          <span className="word">was</span>
          <OperatorSelect
            value={constraint.operator}
            options={ops}
            testid="ordered-operator"
            onChange={(operator) => onChange({ ...constraint, operator, value: defaultValue(operator, "datetime", constraint.value) })}
          />
          <ValueEditor type="datetime" operator={constraint.operator} value={constraint.value} onChange={(value) => onChange({ ...constraint, value })} />
        </>
      );
    }
    case "first_record":
    case "last_record": {
      const condition = constraint.condition;
      const column = related?.columns.find((c) => c.name === condition.attribute);
      const ops = operatorsFor(source, column);
      return (
        <>
          <select
            className="select attribute"
            aria-label="Attribute of that record"
            data-testid="ordered-attribute"
            value={column ? condition.attribute : ""}
            onChange={(e) => {
              const c = related?.columns.find((x) => x.name === e.target.value);
              if (!c) return;
              const next = operatorsFor(source, c);
              const keep = next.find((o) => o.operator === condition.operator);
              const operator = (keep ?? next.find((o) => !o.unary) ?? next[0])?.operator ?? "is_not_null";
              onChange({ ...constraint, condition: { attribute: c.name, operator, value: defaultValue(operator, c.data_type, keep ? condition.value : undefined) } });
            }}
          >
            {!column && <option value="">{condition.attribute || "Choose an attribute"}</option>}
            {related?.columns.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
          <OperatorSelect
            value={condition.operator}
            options={ops}
            testid="ordered-operator"
            onChange={(operator) =>
              onChange({ ...constraint, condition: { ...condition, operator, value: column ? defaultValue(operator, column.data_type, condition.value) : condition.value } })
            }
          />
          {column && (
            <ValueEditor type={column.data_type} operator={condition.operator} value={condition.value} onChange={(value) => onChange({ ...constraint, condition: { ...condition, value } })} />
          )}
        </>
      );
    }
    case "distinct_periods": {
      const pair = Array.isArray(constraint.value) ? constraint.value : null;
      const setValue = (value: JsonValue) => onChange({ ...constraint, value });
      return (
        <>
          <span className="word">is</span>
          <select
            className="select"
            aria-label="Comparison"
            data-testid="constraint-operator"
            value={constraint.operator}
            onChange={(e) => {
              const counted = withCountOperator({ type: "occurrences", operator: constraint.operator, value: constraint.value }, e.target.value as CountOperator);
              onChange({ ...constraint, operator: counted.operator, value: counted.value });
            }}
          >
            {COUNT_OPERATORS.map((o) => (
              <option key={o.op} value={o.op}>
                {o.label}
              </option>
            ))}
          </select>
          {constraint.operator === "between" ? (
            <span className="inline">
              <NumberInput value={pair ? pair[0] : constraint.value} onChange={(v) => setValue([v, pair ? (pair[1] ?? null) : null])} label="At least" testid="constraint-value" integer />
              <span className="word">and</span>
              <NumberInput value={pair ? pair[1] : null} onChange={(v) => setValue([pair ? (pair[0] ?? null) : null, v])} label="At most" testid="constraint-value-high" integer />
            </span>
          ) : (
            <NumberInput value={constraint.value} onChange={setValue} label="Number" testid="constraint-value" integer />
          )}
        </>
      );
    }
  }
}

function OperatorSelect(props: { value: Operator; options: { operator: Operator; label: string }[]; testid: string; onChange: (op: Operator) => void }) {
  return (
    <select className="select operator" aria-label="Operator" data-testid={props.testid} value={props.value} onChange={(e) => props.onChange(e.target.value as Operator)}>
      {!props.options.some((o) => o.operator === props.value) && <option value={props.value}>{props.value}</option>}
      {props.options.map((o) => (
        <option key={o.operator} value={o.operator}>
          {o.label}
        </option>
      ))}
    </select>
  );
}

/** "where the <measure>": counts and aggregates, then the choices in time order. */
export function MeasureSelect({ constraint, related, onChange }: { constraint: Constraint; related: Entity | undefined; onChange: (c: Constraint) => void }) {
  const { source } = useBuilder();
  const value = constraint.type === "sequence" ? SEQUENCE_CHOICE : isOrdered(constraint) ? choiceOf(constraint) : measureOf(constraint);
  const change = (next: string) => {
    if (next === SEQUENCE_CHOICE) return onChange(defaultSequence());
    if (isOrderedChoice(next)) return onChange(orderedDefault(next, related, source, constraint));
    // Back to a count: a distinct count keeps its comparison, a first or last starts afresh.
    const base =
      constraint.type === "distinct_periods"
        ? { type: "occurrences" as const, operator: constraint.operator, value: constraint.value }
        : constraint.type === "sequence" || isOrdered(constraint)
          ? DEFAULT_CONSTRAINT
          : constraint;
    onChange(withMeasure(base, next as Measure, related));
  };
  return (
    <select className="select" aria-label="Measure" data-testid="constraint-measure" value={value} onChange={(e) => change(e.target.value)}>
      {MEASURES.map((m) => (
        <option key={m.measure} value={m.measure}>
          {m.label}
        </option>
      ))}
      <optgroup label="In time order">
        {ORDERED_CHOICES.map((c) => (
          <option key={c.choice} value={c.choice}>
            {c.label}
          </option>
        ))}
        <option value={SEQUENCE_CHOICE}>sequence of steps</option>
      </optgroup>
    </select>
  );
}
