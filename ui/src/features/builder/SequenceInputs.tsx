// The inputs of a related-records condition whose constraint is a sequence: "where the sequence
// is: an event whose name is view, then within 7 days an event whose name is purchase". Each
// step is any record or one condition on the related entity; exclusions written in a
// definition are kept as they are.
import type { Constraint } from "../../bindings/Constraint";
import type { Entity } from "../../bindings/Entity";
import type { Group } from "../../bindings/Group";
import type { Node } from "../../bindings/Node";
import type { SequenceStep } from "../../bindings/SequenceStep";
import type { Span } from "../../bindings/Span";
import type { TimeUnit } from "../../bindings/TimeUnit";
import { operatorsFor } from "../../shared/tree";
import { defaultValue, TIME_UNITS } from "../../shared/values";
import { useBuilder } from "./context";
import { NumberInput } from "./inputs";
import { ValueEditor } from "./ValueEditor";

type Sequence = Extract<Constraint, { type: "sequence" }>;

export const SEQUENCE_CHOICE = "sequence";
const MAX_STEPS = 5;
const MIN_STEPS = 2;
// "Within" is a fixed length: months and years vary.
const SPAN_UNITS = TIME_UNITS.filter((u) => u.unit !== "month" && u.unit !== "year");
const ANY: Group = { combinator: "and", negated: false, children: [] };

/** A new sequence: any record, then any record within 7 days. */
export function defaultSequence(): Sequence {
  return { type: "sequence", steps: [{ filter: ANY }, { filter: ANY, within: { amount: 7, unit: "day" } }] };
}

export function SequenceInputs({ constraint, related, onChange }: { constraint: Sequence; related: Entity | undefined; onChange: (c: Constraint) => void }) {
  const steps = constraint.steps;
  const setStep = (i: number, step: SequenceStep) => onChange({ ...constraint, steps: steps.map((s, k) => (k === i ? step : s)) });
  return (
    <span className="inline sequence" data-testid="sequence">
      {steps.map((step, i) => (
        <span className="inline" key={i} data-testid={`sequence-step-${i}`}>
          {i > 0 && <span className="word">then</span>}
          {i > 0 && <SpanInput span={step.within} label={`Within, step ${i + 1}`} testid={`sequence-within-${i}`} onChange={(within) => setStep(i, { ...step, within })} />}
          <StepCondition step={step} index={i} related={related} onChange={(s) => setStep(i, s)} />
          {steps.length > MIN_STEPS && (
            <button type="button" className="button subtle" aria-label={`Remove step ${i + 1}`} onClick={() => onChange({ ...constraint, steps: dropFirstGap(steps.filter((_, k) => k !== i)) })}>
              ×
            </button>
          )}
        </span>
      ))}
      {steps.length < MAX_STEPS && (
        <button type="button" className="button subtle" data-testid="sequence-add" onClick={() => onChange({ ...constraint, steps: [...steps, { filter: ANY }] })}>
          + step
        </button>
      )}
      <span className="word">all</span>
      <SpanInput span={constraint.within} label="Whole sequence within" testid="sequence-within-all" onChange={(within) => onChange({ ...constraint, within })} />
    </span>
  );
}

/** The first step has no gap nor exclusion. */
function dropFirstGap(steps: SequenceStep[]): SequenceStep[] {
  return steps.map((s, i) => (i === 0 ? { filter: s.filter } : s));
}

/** "within [7] [days]", or "any time later" when empty. */
function SpanInput({ span, label, testid, onChange }: { span: Span | undefined; label: string; testid: string; onChange: (s: Span | undefined) => void }) {
  return (
    <>
      <span className="word">within</span>
      <NumberInput
        value={span ? span.amount : null}
        label={label}
        testid={testid}
        integer
        min={0}
        onChange={(v) => onChange(typeof v === "number" ? { amount: v, unit: span?.unit ?? "day" } : undefined)}
      />
      <select className="select" aria-label={`${label} unit`} data-testid={`${testid}-unit`} value={span?.unit ?? "day"} disabled={!span} onChange={(e) => span && onChange({ ...span, unit: e.target.value as TimeUnit })}>
        {SPAN_UNITS.map((u) => (
          <option key={u.unit} value={u.unit}>
            {u.label}
          </option>
        ))}
      </select>
    </>
  );
}

/** One condition on the step's record, or any record. */
function StepCondition({ step, index, related, onChange }: { step: SequenceStep; index: number; related: Entity | undefined; onChange: (s: SequenceStep) => void }) {
  const { source } = useBuilder();
  const only: Node | undefined = step.filter.children.length === 1 ? step.filter.children[0] : undefined;
  const condition = only && only.type === "condition" ? only : undefined;
  if (step.filter.children.length > 1 || (only && !condition)) {
    return <span className="word">(conditions written in the definition)</span>;
  }
  const column = condition ? related?.columns.find((c) => c.name === condition.attribute) : undefined;
  const ops = operatorsFor(source, column);
  const set = (next: Extract<Node, { type: "condition" }> | undefined) => onChange({ ...step, filter: { ...step.filter, children: next ? [next] : [] } });
  return (
    <>
      <select
        className="select attribute"
        aria-label={`Attribute, step ${index + 1}`}
        data-testid={`sequence-attribute-${index}`}
        value={condition?.attribute ?? ""}
        onChange={(e) => {
          const c = related?.columns.find((x) => x.name === e.target.value);
          if (!c) return set(undefined);
          const next = operatorsFor(source, c);
          const operator = (next.find((o) => !o.unary) ?? next[0])?.operator ?? "is_not_null";
          set({ type: "condition", attribute: c.name, operator, value: defaultValue(operator, c.data_type, undefined) });
        }}
      >
        <option value="">any record</option>
        {related?.columns.map((c) => (
          <option key={c.name} value={c.name}>
            {c.name}
          </option>
        ))}
      </select>
      {condition && column && (
        <>
          <select
            className="select operator"
            aria-label={`Operator, step ${index + 1}`}
            data-testid={`sequence-operator-${index}`}
            value={condition.operator}
            onChange={(e) => {
              const operator = e.target.value as typeof condition.operator;
              set({ ...condition, operator, value: defaultValue(operator, column.data_type, condition.value) });
            }}
          >
            {ops.map((o) => (
              <option key={o.operator} value={o.operator}>
                {o.label}
              </option>
            ))}
          </select>
          <ValueEditor type={column.data_type} operator={condition.operator} value={condition.value} onChange={(value) => set({ ...condition, value })} />
        </>
      )}
    </>
  );
}
