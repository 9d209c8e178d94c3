import type { Entity } from "../../bindings/Entity";
import type { Operator } from "../../bindings/Operator";
import { badFields, ofKind, operatorsFor, withAttribute, type ConditionNode } from "../../shared/tree";
import { defaultValue, takesCase } from "../../shared/values";
import { useBuilder } from "./context";
import { useRowDrop } from "./dnd";
import { DragHandle, RowMenu } from "./RowTools";
import { Toggle } from "./inputs";
import { Problems } from "./Problems";
import { ValueEditor } from "./ValueEditor";
import { useStats } from "./stats";
import { columnStats } from "../../shared/data";
import { absentValues } from "./absent";
import { isIncomplete } from "./incomplete";
import { CompareWith, compares, otherAttribute, todayPart } from "./CompareWith";

/** attribute · operator · value, on one line. */
export function ConditionRow({ node, at, entity }: { node: ConditionNode; at: string; entity: Entity }) {
  const { source, updateNode, remove, problems, moveTo, nodeCounts } = useBuilder();
  const drop = useRowDrop(at, moveTo);
  const column = entity.columns.find((c) => c.name === node.attribute);
  const { stats } = useStats();
  const operators = operatorsFor(source, column);
  const typeLabel = (t: string) => source.types.find((x) => x.data_type === t)?.label ?? t;
  const set = (patch: Partial<ConditionNode>) => updateNode(at, ofKind("condition", (old) => ({ ...old, ...patch })));
  const mine = problems.get(at);
  const bad = badFields(at, mine);
  const incomplete = isIncomplete(node);
  const other = otherAttribute(node.value);
  // The row's "Compare with" choice offers another attribute and, for numbers, today's parts.
  const comparing = !!column && compares(node.operator, column.data_type);
  const today = comparing && column?.data_type === "number" ? todayPart(node.value) : undefined;
  const hints = column && columnStats(stats, entity.name, column.name);
  return (
    <div {...drop} className={"node condition" + (mine ? " has-problem" : "") + (incomplete ? " incomplete" : "") + drop.className} data-testid="condition" data-path={at} data-incomplete={incomplete || undefined}>
      <div className="node-line">
      <DragHandle at={at} what="condition" />
      <div className="row">
        <select
          className={"select attribute" + (bad.has("attribute") ? " invalid" : "")}
          aria-label="Attribute"
          data-testid="attribute"
          value={column ? node.attribute : ""}
          onChange={(e) => {
            const c = entity.columns.find((x) => x.name === e.target.value);
            if (c) updateNode(at, ofKind("condition", (old) => withAttribute(source, old, c)));
          }}
        >
          {!column && (
            <option value="" disabled>
              {node.attribute ? `${node.attribute} (unknown)` : "Choose an attribute"}
            </option>
          )}
          {entity.columns.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name} · {typeLabel(c.data_type)}
            </option>
          ))}
        </select>
        <select
          className={"select operator" + (bad.has("operator") ? " invalid" : "")}
          aria-label="Operator"
          data-testid="operator"
          value={node.operator}
          onChange={(e) => {
            const operator = e.target.value as Operator;
            // Another attribute stays while the new operator compares two attributes too.
            const keep = column && otherAttribute(node.value) && compares(operator, column.data_type);
            set({ operator, value: column && !keep ? defaultValue(operator, column.data_type, node.value) : node.value });
          }}
        >
          {!operators.some((o) => o.operator === node.operator) && <option value={node.operator}>{node.operator}</option>}
          {operators.map((o) => (
            <option key={o.operator} value={o.operator}>
              {o.label}
            </option>
          ))}
        </select>
        {column && comparing && (
          <CompareWith
            column={column}
            columns={entity.columns}
            value={node.value}
            onChange={(value) => set({ value: value ?? defaultValue(node.operator, column.data_type, undefined) })}
          />
        )}
        {column && !other && !today && (
          <span className={"value-wrap" + (bad.has("value") ? " invalid" : "")}>
            <ValueEditor type={column.data_type} operator={node.operator} value={node.value} onChange={(value) => set({ value })} hints={hints} withToday={!comparing} />
          </span>
        )}
        {column && !other && takesCase(node.operator, column.data_type) && (
          <Toggle
            pressed={node.case_sensitive !== false}
            onChange={(on) => set({ case_sensitive: on ? undefined : false })}
            label="Match case"
            title={node.case_sensitive === false ? "Ignoring upper/lower case" : "Upper/lower case must match"}
            testid="case-toggle"
          >
            Aa
          </Toggle>
        )}
      </div>
        {incomplete && (
          <span className="pill warn" data-testid="incomplete" title="Not counted until it has a value. To match an empty value, choose “is blank”.">
            needs a value · not counted
          </span>
        )}
        <RowMenu at={at} what="condition" />
        <RemoveButton onClick={() => remove(at)} what="condition" />
      </div>
      {!incomplete && !other && <AbsentWarning node={node} hints={hints} matched={nodeCounts?.get(at)?.count} onPick={(from, to) => set({ value: replaceValue(node.value, from, to) })} />}
      <Problems at={at} problems={mine} />
    </div>
  );
}

function replaceValue(value: ConditionNode["value"], from: string, to: string): ConditionNode["value"] {
  return Array.isArray(value) ? value.map((v) => (v === from ? to : v)) : to;
}

/** "“Frnace” is not in the data. Did you mean France?" — a hint, the condition still counts. */
function AbsentWarning({ node, hints, matched, onPick }: { node: ConditionNode; hints: ReturnType<typeof columnStats>; matched?: number; onPick: (from: string, to: string) => void }) {
  const absent = absentValues(hints, node.operator, node.value, node.case_sensitive !== false, matched);
  if (absent.length === 0) return null;
  return (
    <div className="hint absent-value" data-testid="absent-value" role="status">
      {absent.map((a) => (
        <div key={a.value}>
          “{a.value}” is not in the data, so it matches no record.
          {a.suggestions.length > 0 && " Did you mean "}
          {a.suggestions.map((s, i) => (
            <span key={s}>
              {i > 0 && (i === a.suggestions.length - 1 ? " or " : ", ")}
              <button type="button" className="link small" data-testid="absent-suggestion" onClick={() => onPick(a.value, s)}>
                {s}
              </button>
            </span>
          ))}
          {a.suggestions.length > 0 && "?"}
        </div>
      ))}
    </div>
  );
}

export function RemoveButton({ onClick, what }: { onClick: () => void; what: string }) {
  return (
    <button type="button" className="icon-button remove" aria-label={`Remove ${what}`} title={`Remove ${what}`} data-testid="remove-node" onClick={onClick}>
      ×
    </button>
  );
}
