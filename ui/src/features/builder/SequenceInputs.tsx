// The inputs of a related-records condition whose constraint is a sequence: "where the sequence
// is: an event whose name is view, then within 7 days an event whose name is purchase and no
// event whose name is login in between". Each step is any record or conditions joined by "and";
// from the second step on, "and no … in between" excludes records between it and the previous
// one. Richer filters written in a definition (OR, NOT, nested groups) are kept as they are.
import type { Constraint } from "../../bindings/Constraint";
import type { Entity } from "../../bindings/Entity";
import type { Group } from "../../bindings/Group";
import type { SequenceStep } from "../../bindings/SequenceStep";
import type { Span } from "../../bindings/Span";
import type { TimeUnit } from "../../bindings/TimeUnit";
import { columnStats } from "../../shared/data";
import { operatorsFor, type ConditionNode } from "../../shared/tree";
import { defaultValue, TIME_UNITS } from "../../shared/values";
import { useBuilder } from "./context";
import { isIncomplete } from "./incomplete";
import { NumberInput } from "./inputs";
import { useStats } from "./stats";
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
        <span className="inline sequence-step" key={i} data-testid={`sequence-step-${i}`}>
          {i > 0 && <span className="word">then</span>}
          {i > 0 && <SpanInput span={step.within} label={`Within, step ${i + 1}`} testid={`sequence-within-${i}`} onChange={(within) => setStep(i, { ...step, within })} />}
          <StepFilter step={step} index={i} related={related} onChange={(s) => setStep(i, s)} />
          {i > 0 && <Exclusion step={step} index={i} related={related} onChange={(s) => setStep(i, s)} />}
          {steps.length > MIN_STEPS && (
            <button type="button" className="button subtle" aria-label={`Remove step ${i + 1}`} onClick={() => onChange({ ...constraint, steps: dropFirstGap(steps.filter((_, k) => k !== i)) })}>
              × step
            </button>
          )}
        </span>
      ))}
      <span className="inline sequence-step">
        {steps.length < MAX_STEPS && (
          <button type="button" className="button subtle" data-testid="sequence-add" onClick={() => onChange({ ...constraint, steps: [...steps, { filter: ANY }] })}>
            + step
          </button>
        )}
        <span className="word">all</span>
        <SpanInput span={constraint.within} label="Whole sequence within" testid="sequence-within-all" onChange={(within) => onChange({ ...constraint, within })} />
      </span>
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

/** The group's conditions when the builder can edit them: plain conditions joined by "and". */
function plainConditions(g: Group): ConditionNode[] | undefined {
  if (g.negated || (g.combinator !== "and" && g.children.length > 1)) return undefined;
  return g.children.every((c) => c.type === "condition") ? (g.children as ConditionNode[]) : undefined;
}

/** A new condition on the related entity: its first attribute that is not a key, waiting for its
 * value (marked and not counted until it has one). */
function newCondition(related: Entity | undefined, source: ReturnType<typeof useBuilder>["source"]): ConditionNode | undefined {
  const column = related?.columns.find((c) => c.name !== related.key && !c.name.endsWith("_id")) ?? related?.columns[0];
  if (!column) return undefined;
  const ops = operatorsFor(source, column);
  const operator = (ops.find((o) => !o.unary) ?? ops[0])?.operator ?? "is_not_null";
  return { type: "condition", attribute: column.name, operator, value: defaultValue(operator, column.data_type, undefined) };
}

/** The step's record: "any record", or conditions joined by "and". */
function StepFilter({ step, index, related, onChange }: { step: SequenceStep; index: number; related: Entity | undefined; onChange: (s: SequenceStep) => void }) {
  const { source } = useBuilder();
  const conditions = plainConditions(step.filter);
  if (!conditions) return <span className="word">(conditions written in the definition)</span>;
  const set = (next: ConditionNode[]) => onChange({ ...step, filter: { ...step.filter, children: next } });
  const extra = newCondition(related, source);
  return (
    <>
      {conditions.length === 0 && <ConditionInputs condition={undefined} related={related} label={`step ${index + 1}`} testid={`${index}`} onChange={(c) => c && set([c])} />}
      {conditions.map((c, k) => (
        <span className="inline" key={k} data-testid={`sequence-condition-${index}-${k}`}>
          {k > 0 && <span className="word">and</span>}
          <ConditionInputs
            condition={c}
            related={related}
            label={k === 0 ? `step ${index + 1}` : `step ${index + 1}, condition ${k + 1}`}
            testid={k === 0 ? `${index}` : `${index}-${k}`}
            anyRecord={k === 0}
            onChange={(next) => set(next ? conditions.map((x, j) => (j === k ? next : x)) : conditions.filter((_, j) => j !== k))}
          />
          {k > 0 && (
            <button type="button" className="button subtle" aria-label={`Remove condition ${k + 1} of step ${index + 1}`} onClick={() => set(conditions.filter((_, j) => j !== k))}>
              ×
            </button>
          )}
        </span>
      ))}
      {conditions.length > 0 && extra && (
        <button type="button" className="button subtle" data-testid={`sequence-and-${index}`} aria-label={`Add a condition to step ${index + 1}`} onClick={() => set([...conditions, extra])}>
          + and
        </button>
      )}
    </>
  );
}

/** "and no [conditions] in between": no record passing them between the previous step and this one. */
function Exclusion({ step, index, related, onChange }: { step: SequenceStep; index: number; related: Entity | undefined; onChange: (s: SequenceStep) => void }) {
  const { source } = useBuilder();
  const fresh = newCondition(related, source);
  const { excluding, ...rest } = step;
  if (!excluding) {
    if (!fresh) return null;
    const add = () => onChange({ ...step, excluding: { combinator: "and", negated: false, children: [fresh] } });
    return (
      <button type="button" className="button subtle" data-testid={`sequence-exclude-${index}`} aria-label={`Exclude records between step ${index} and step ${index + 1}`} onClick={add}>
        + and no … in between
      </button>
    );
  }
  const conditions = plainConditions(excluding);
  const set = (next: ConditionNode[]) => onChange(next.length ? { ...step, excluding: { ...excluding, children: next } } : rest);
  return (
    <span className="inline sequence-excluding" data-testid={`sequence-excluding-${index}`}>
      <span className="word">and no</span>
      {conditions ? (
        conditions.map((c, k) => (
          <span className="inline" key={k} data-testid={`sequence-excluding-${index}-${k}`}>
            {k > 0 && <span className="word">and</span>}
            <ConditionInputs
              condition={c}
              related={related}
              label={`excluded between step ${index} and ${index + 1}${k > 0 ? `, condition ${k + 1}` : ""}`}
              testid={`excluding-${index}-${k}`}
              onChange={(next) => next && set(conditions.map((x, j) => (j === k ? next : x)))}
            />
          </span>
        ))
      ) : (
        <span className="word">(records as written in the definition)</span>
      )}
      {conditions && fresh && (
        <button type="button" className="button subtle" aria-label={`Add a condition to the records excluded before step ${index + 1}`} onClick={() => set([...conditions, fresh])}>
          + and
        </button>
      )}
      <span className="word">in between</span>
      <button type="button" className="button subtle" data-testid={`sequence-exclude-remove-${index}`} aria-label={`Allow any records between step ${index} and step ${index + 1}`} onClick={() => onChange(rest)}>
        ×
      </button>
    </span>
  );
}

type ConditionProps = {
  condition: ConditionNode | undefined;
  related: Entity | undefined;
  label: string;
  testid: string;
  /** The attribute list offers "any record" (a step's first condition). */
  anyRecord?: boolean;
  onChange: (c: ConditionNode | undefined) => void;
};

/** attribute · operator · value of one condition on the related record. */
function ConditionInputs({ condition, related, label, testid, anyRecord, onChange }: ConditionProps) {
  const { source } = useBuilder();
  const { stats } = useStats();
  const column = condition ? related?.columns.find((c) => c.name === condition.attribute) : undefined;
  const ops = operatorsFor(source, column);
  const waiting = condition !== undefined && isIncomplete(condition);
  return (
    <>
      <select
        className="select attribute"
        aria-label={`Attribute, ${label}`}
        data-testid={`sequence-attribute-${testid}`}
        value={condition?.attribute ?? ""}
        onChange={(e) => {
          const c = related?.columns.find((x) => x.name === e.target.value);
          if (!c) return onChange(undefined);
          const next = operatorsFor(source, c);
          const keep = condition && next.find((o) => o.operator === condition.operator);
          const operator = (keep ?? next.find((o) => !o.unary) ?? next[0])?.operator ?? "is_not_null";
          onChange({ type: "condition", attribute: c.name, operator, value: defaultValue(operator, c.data_type, undefined) });
        }}
      >
        {(anyRecord || !condition) && <option value="">any record</option>}
        {condition && !column && <option value={condition.attribute}>{condition.attribute}</option>}
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
            aria-label={`Operator, ${label}`}
            data-testid={`sequence-operator-${testid}`}
            value={condition.operator}
            onChange={(e) => {
              const operator = e.target.value as ConditionNode["operator"];
              onChange({ ...condition, operator, value: defaultValue(operator, column.data_type, condition.value) });
            }}
          >
            {ops.map((o) => (
              <option key={o.operator} value={o.operator}>
                {o.label}
              </option>
            ))}
          </select>
          <span className={"inline value-wrap" + (waiting ? " waiting" : "")}>
            <ValueEditor type={column.data_type} operator={condition.operator} value={condition.value} hints={related && columnStats(stats, related.name, column.name)} onChange={(value) => onChange({ ...condition, value })} />
          </span>
          {waiting && (
            <span className="pill warn" data-testid="incomplete" title="Not counted until it has a value. To match an empty value, choose “is blank”.">
              needs a value · not counted
            </span>
          )}
        </>
      )}
    </>
  );
}
