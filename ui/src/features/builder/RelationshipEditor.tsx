import type { Constraint } from "../../bindings/Constraint";
import type { CountOperator } from "../../bindings/CountOperator";
import type { Entity } from "../../bindings/Entity";
import type { TimeWindow } from "../../bindings/TimeWindow";
import type { JsonValue } from "../../bindings/serde_json/JsonValue";
import { join } from "../../shared/pointer";
import { badFields, entityOf, newRelationship, ofKind, relationshipsFrom, type RelationshipNode } from "../../shared/tree";
import { RemoveButton } from "./ConditionRow";
import { useBuilder } from "./context";
import { useRowDrop } from "./dnd";
import { DragHandle, RowMenu } from "./RowTools";
import { GroupEditor } from "./GroupEditor";
import { NumberInput } from "./inputs";
import { Problems } from "./Problems";
import {
  aggregateColumns, COUNT_OPERATORS, DEFAULT_CONSTRAINT, isCountConstraint, type CountConstraint, defaultWindow, measureOf, WINDOWS, withCountOperator,
} from "./relationship";
import { DateInput, UnitSelect } from "./ValueEditor";
import { MeasureSelect, OrderedInputs } from "./OrderedInputs";
import { SequenceInputs } from "./SequenceInputs";
import { relatedFilterLabel } from "../../wording";

/** "Has <related records> where the <measure> is <comparison> <value> [times] [when]", then the
 * filter on the related records (a group editor of its own). */
export function RelationshipEditor({ node, at, entity, depth }: { node: RelationshipNode; at: string; entity: Entity; depth: number }) {
  const { source, updateNode, remove, problems, moveTo } = useBuilder();
  const drop = useRowDrop(at, moveTo);
  const rels = relationshipsFrom(source.schema, entity.name);
  const rel = rels.find((r) => r.name === node.relationship);
  const related = rel ? entityOf(source.schema, rel.to_entity) : undefined;
  const set = (patch: Partial<RelationshipNode>) => updateNode(at, ofKind("relationship", (old) => ({ ...old, ...patch })));
  const window: TimeWindow = node.window ?? { type: "any_time" };
  const mine = problems.get(at);
  const bad = badFields(at, mine);
  return (
    <div {...drop} className={"node relationship" + (mine ? " has-problem" : "") + drop.className} data-testid="relationship" data-path={at}>
      <div className="node-line">
      <DragHandle at={at} what="related-records condition" />
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
        {node.constraint?.type === "sequence" ? (
          <>
            <span className="word">where the</span>
            <MeasureSelect constraint={node.constraint} related={related} onChange={(constraint) => set({ constraint })} />
            <span className="word">is</span>
            <SequenceInputs constraint={node.constraint} related={related} onChange={(constraint) => set({ constraint })} />
          </>
        ) : node.constraint && !isCountConstraint(node.constraint) ? (
          <>
            <span className="word">where the</span>
            <MeasureSelect constraint={node.constraint} related={related} onChange={(constraint) => set({ constraint })} />
            <OrderedInputs constraint={node.constraint} related={related} onChange={(constraint) => set({ constraint })} />
          </>
        ) : (
          <ConstraintInputs constraint={node.constraint ?? DEFAULT_CONSTRAINT} related={related} invalid={bad.has("constraint")} onChange={(constraint) => set({ constraint })} />
        )}
        {rel?.time_column && <WindowPicker window={window} invalid={bad.has("window")} onChange={(w) => set({ window: w })} />}
      </div>
        <RowMenu at={at} what="related-records condition" />
        <RemoveButton onClick={() => remove(at)} what="related-records condition" />
      </div>
      <Problems at={at} problems={mine} />
      {related && (
        <div className="rel-filter">
          <div className="rel-filter-label">
            {relatedFilterLabel(rel?.name ?? "records", node.filter)}
          </div>
          <GroupEditor group={node.filter} at={join(at, "filter")} entity={related} depth={depth + 1} isFilter />
        </div>
      )}
    </div>
  );
}

type ConstraintProps = { constraint: CountConstraint; related: Entity | undefined; invalid: boolean; onChange: (c: Constraint) => void };

/** "where the <measure> [of <column>] is <comparison> <value> [times]". */
function ConstraintInputs({ constraint, related, invalid, onChange }: ConstraintProps) {
  const measure = measureOf(constraint);
  const columns = aggregateColumns(constraint, related);
  const setValue = (value: JsonValue) => onChange({ ...constraint, value });
  const pair = Array.isArray(constraint.value) ? constraint.value : null;
  return (
    <>
      <span className="word">where the</span>
      <MeasureSelect constraint={constraint} related={related} onChange={onChange} />
      {constraint.type === "aggregate" && (
        <select
          className="select"
          aria-label="Aggregated attribute"
          data-testid="constraint-attribute"
          value={constraint.attribute}
          onChange={(e) => onChange({ ...constraint, attribute: e.target.value })}
        >
          {!columns.some((c) => c.name === constraint.attribute) && <option value={constraint.attribute}>{constraint.attribute || "—"}</option>}
          {columns.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name}
            </option>
          ))}
        </select>
      )}
      <span className="word">is</span>
      <select className="select" aria-label="Comparison" data-testid="constraint-operator" value={constraint.operator} onChange={(e) => onChange(withCountOperator(constraint, e.target.value as CountOperator))}>
        {COUNT_OPERATORS.map((o) => (
          <option key={o.op} value={o.op}>
            {o.label}
          </option>
        ))}
      </select>
      <span className={"inline value-wrap" + (invalid ? " invalid" : "")}>
      {constraint.operator === "between" ? (
        <span className="inline">
          <NumberInput value={pair ? pair[0] : constraint.value} onChange={(v) => setValue([v, pair ? (pair[1] ?? null) : null])} label="At least" testid="constraint-value" integer={measure === "count"} />
          <span className="word">and</span>
          <NumberInput value={pair ? pair[1] : null} onChange={(v) => setValue([pair ? (pair[0] ?? null) : null, v])} label="At most" testid="constraint-value-high" integer={measure === "count"} />
        </span>
      ) : (
        <NumberInput value={constraint.value} onChange={setValue} label="Number" testid="constraint-value" integer={measure === "count"} />
      )}
      </span>
      {measure === "count" && <span className="word">times</span>}
    </>
  );
}

/** When the related records count: any time, in the last…, between… ago, before, after, between dates. */
function WindowPicker({ window, invalid, onChange }: { window: TimeWindow; invalid: boolean; onChange: (w: TimeWindow) => void }) {
  return (
    <>
      <select className="select" aria-label="When" data-testid="window-type" value={window.type} onChange={(e) => onChange(defaultWindow(e.target.value as TimeWindow["type"]))}>
        {WINDOWS.map((w) => (
          <option key={w.type} value={w.type}>
            {w.label}
          </option>
        ))}
      </select>
      <span className={"inline value-wrap" + (invalid ? " invalid" : "")}>
        <WindowInputs window={window} onChange={onChange} />
      </span>
    </>
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
