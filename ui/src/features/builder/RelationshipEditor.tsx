import type { AggregateFunction } from "../../bindings/AggregateFunction";
import type { Constraint } from "../../bindings/Constraint";
import type { CountOperator } from "../../bindings/CountOperator";
import type { Entity } from "../../bindings/Entity";
import type { TimeWindow } from "../../bindings/TimeWindow";
import type { JsonValue } from "../../bindings/serde_json/JsonValue";
import { join } from "../../shared/pointer";
import { badFields, entityOf, newRelationship, ofKind, relationshipsFrom, type RelationshipNode } from "../../shared/tree";
import { today } from "../../shared/values";
import { RemoveButton } from "./ConditionRow";
import { useBuilder } from "./context";
import { GroupEditor } from "./GroupEditor";
import { NumberInput } from "./inputs";
import { Problems } from "./Problems";
import { DateInput, UnitSelect } from "./ValueEditor";

const COUNT_OPERATORS: { op: CountOperator; label: string }[] = [
  { op: "at_least", label: "at least" },
  { op: "at_most", label: "at most" },
  { op: "exactly", label: "exactly" },
  { op: "more_than", label: "more than" },
  { op: "less_than", label: "less than" },
  { op: "not_equals", label: "not" },
  { op: "between", label: "between" },
];

type Measure = "count" | AggregateFunction;
const MEASURES: { measure: Measure; label: string }[] = [
  { measure: "count", label: "number of records" },
  { measure: "sum", label: "sum of" },
  { measure: "avg", label: "average of" },
  { measure: "min", label: "minimum of" },
  { measure: "max", label: "maximum of" },
  { measure: "count_distinct", label: "number of distinct" },
];

const WINDOWS: { type: TimeWindow["type"]; label: string }[] = [
  { type: "any_time", label: "any time" },
  { type: "in_the_last", label: "in the last" },
  { type: "between_ago", label: "between … ago" },
  { type: "before", label: "before" },
  { type: "after", label: "after" },
  { type: "between", label: "between dates" },
];

function defaultWindow(type: TimeWindow["type"]): TimeWindow {
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

export function RelationshipEditor({ node, at, entity, depth }: { node: RelationshipNode; at: string; entity: Entity; depth: number }) {
  const { source, updateNode, remove, problems } = useBuilder();
  const schema = source.schema;
  const rels = relationshipsFrom(schema, entity.name);
  const rel = rels.find((r) => r.name === node.relationship);
  const related = rel ? entityOf(schema, rel.to_entity) : undefined;
  const set = (patch: Partial<RelationshipNode>) => updateNode(at, ofKind("relationship", (old) => ({ ...old, ...patch })));
  const constraint: Constraint = node.constraint ?? { type: "occurrences", operator: "at_least", value: 1 };
  const measure: Measure = constraint.type === "occurrences" ? "count" : constraint.function;
  const window: TimeWindow = node.window ?? { type: "any_time" };
  const mine = problems.get(at);
  const bad = badFields(at, mine);

  const setMeasure = (m: Measure) => {
    if (m === "count") {
      set({ constraint: { type: "occurrences", operator: constraint.operator, value: constraint.value } });
    } else {
      // Measures, not identifiers: the key and foreign keys come last.
      const isId = (name: string) => name === related?.key || name.endsWith("_id");
      const numeric = (related?.columns.filter((c) => c.data_type === "number") ?? []).sort(
        (a, b) => Number(isId(a.name)) - Number(isId(b.name)),
      );
      const current = constraint.type === "aggregate" ? constraint.attribute : undefined;
      const attribute =
        current && (m === "count_distinct" || numeric.some((c) => c.name === current))
          ? current
          : (m === "count_distinct" ? related?.columns.find((c) => !isId(c.name))?.name : numeric[0]?.name) ?? "";
      set({ constraint: { type: "aggregate", function: m, attribute, operator: constraint.operator, value: constraint.value } });
    }
  };
  const setOperator = (op: CountOperator) => {
    let value: JsonValue = constraint.value;
    if (op === "between" && !Array.isArray(value)) value = [typeof value === "number" ? value : 1, typeof value === "number" ? value + 5 : 5];
    if (op !== "between" && Array.isArray(value)) value = value[0] ?? 1;
    set({ constraint: { ...constraint, operator: op, value } });
  };
  const setValue = (value: JsonValue) => set({ constraint: { ...constraint, value } });

  const aggregateColumns =
    constraint.type === "aggregate"
      ? (related?.columns ?? []).filter((c) => constraint.function === "count_distinct" || c.data_type === "number")
      : [];

  return (
    <div className={"node relationship" + (mine ? " has-problem" : "")} data-testid="relationship" data-path={at}>
      <div className="node-line">
      <div className="row">
        <span className="tag rel-tag">Has</span>
        <select
          className={"select" + (bad.has("relationship") ? " invalid" : "")}
          aria-label="Related records"
          data-testid="relationship-picker"
          value={rel ? rel.name : ""}
          onChange={(e) => {
            const r = rels.find((x) => x.name === e.target.value);
            if (r) updateNode(at, ofKind("relationship", (old) => ({ ...newRelationship(r), constraint: old.constraint, window: r.time_column ? old.window : { type: "any_time" } })));
          }}
        >
          {!rel && <option value="">{node.relationship || "Choose related records"}</option>}
          {rels.map((r) => (
            <option key={r.name} value={r.name}>
              {r.name}
              {r.to_entity !== r.name ? ` (${r.to_entity})` : ""}
            </option>
          ))}
        </select>
        <span className="word">where the</span>
        <select className="select" aria-label="Measure" data-testid="constraint-measure" value={measure} onChange={(e) => setMeasure(e.target.value as Measure)}>
          {MEASURES.map((m) => (
            <option key={m.measure} value={m.measure}>
              {m.label}
            </option>
          ))}
        </select>
        {constraint.type === "aggregate" && (
          <select
            className="select"
            aria-label="Aggregated attribute"
            data-testid="constraint-attribute"
            value={constraint.attribute}
            onChange={(e) => set({ constraint: { ...constraint, attribute: e.target.value } })}
          >
            {!aggregateColumns.some((c) => c.name === constraint.attribute) && <option value={constraint.attribute}>{constraint.attribute || "—"}</option>}
            {aggregateColumns.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
        )}
        <span className="word">is</span>
        <select className="select" aria-label="Comparison" data-testid="constraint-operator" value={constraint.operator} onChange={(e) => setOperator(e.target.value as CountOperator)}>
          {COUNT_OPERATORS.map((o) => (
            <option key={o.op} value={o.op}>
              {o.label}
            </option>
          ))}
        </select>
        <span className={"inline value-wrap" + (bad.has("constraint") ? " invalid" : "")}>
        {constraint.operator === "between" ? (
          <span className="inline">
            <NumberInput
              value={Array.isArray(constraint.value) ? constraint.value[0] : constraint.value}
              onChange={(v) => setValue([v, Array.isArray(constraint.value) ? (constraint.value[1] ?? null) : null])}
              label="At least"
              testid="constraint-value"
              integer={measure === "count"}
            />
            <span className="word">and</span>
            <NumberInput
              value={Array.isArray(constraint.value) ? constraint.value[1] : null}
              onChange={(v) => setValue([Array.isArray(constraint.value) ? (constraint.value[0] ?? null) : null, v])}
              label="At most"
              testid="constraint-value-high"
              integer={measure === "count"}
            />
          </span>
        ) : (
          <NumberInput value={constraint.value} onChange={setValue} label="Number" testid="constraint-value" integer={measure === "count"} />
        )}
        </span>
        {measure === "count" && <span className="word">times</span>}
        {rel?.time_column && (
          <>
            <select
              className="select"
              aria-label="When"
              data-testid="window-type"
              value={window.type}
              onChange={(e) => set({ window: defaultWindow(e.target.value as TimeWindow["type"]) })}
            >
              {WINDOWS.map((w) => (
                <option key={w.type} value={w.type}>
                  {w.label}
                </option>
              ))}
            </select>
            <span className={"inline value-wrap" + (bad.has("window") ? " invalid" : "")}>
              <WindowInputs window={window} onChange={(w) => set({ window: w })} />
            </span>
          </>
        )}
      </div>
        <RemoveButton onClick={() => remove(at)} what="related-records condition" />
      </div>
      <Problems at={at} problems={mine} />
      {related && (
        <div className="rel-filter">
          <div className="rel-filter-label">
            counting only {rel?.name} that match{node.filter.children.length === 0 ? " (any)" : ""}:
          </div>
          <GroupEditor group={node.filter} at={join(at, "filter")} entity={related} depth={depth + 1} isFilter />
        </div>
      )}
    </div>
  );
}

function WindowInputs({ window, onChange }: { window: TimeWindow; onChange: (w: TimeWindow) => void }) {
  switch (window.type) {
    case "any_time":
      return null;
    case "in_the_last":
      return (
        <span className="inline">
          <NumberInput value={window.amount} onChange={(v) => onChange({ ...window, amount: v as number })} label="Amount" testid="window-amount" integer />
          <UnitSelect value={window.unit} onChange={(unit) => onChange({ ...window, unit: unit as typeof window.unit })} testid="window-unit" />
        </span>
      );
    case "between_ago":
      return (
        <span className="inline">
          <NumberInput value={window.from} onChange={(v) => onChange({ ...window, from: v as number })} label="From (units ago)" testid="window-from" integer />
          <span className="word">and</span>
          <NumberInput value={window.to} onChange={(v) => onChange({ ...window, to: v as number })} label="To (units ago)" testid="window-to" integer />
          <UnitSelect value={window.unit} onChange={(unit) => onChange({ ...window, unit: unit as typeof window.unit })} testid="window-unit" />
          <span className="word">ago</span>
        </span>
      );
    case "before":
    case "after":
      return <DateInput value={window.date} onChange={(date) => onChange({ ...window, date })} label="Date" testid="window-date" />;
    case "between":
      return (
        <span className="inline">
          <DateInput value={window.from} onChange={(from) => onChange({ ...window, from })} label="From date" testid="window-from" />
          <span className="word">and</span>
          <DateInput value={window.to} onChange={(to) => onChange({ ...window, to })} label="To date" testid="window-to" />
        </span>
      );
  }
}
