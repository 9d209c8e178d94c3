// The value part of a condition row, fit for the attribute's type and the operator.
import type { DataType } from "../../bindings/DataType";
import type { Operator } from "../../bindings/Operator";
import type { JsonValue } from "../../bindings/serde_json/JsonValue";
import { DATE_PARTS, MONTHS, PERIODS, TIME_UNITS, TODAY_PARTS, WEEKDAYS, valueKind } from "../../shared/values";
import { useId } from "react";
import type { ColumnStats } from "../../bindings/ColumnStats";
import { rangeHint, suggestions } from "../../shared/data";
import { ChipsInput, NumberInput } from "./inputs";

type Props = {
  type: DataType;
  operator: Operator;
  value: JsonValue;
  onChange: (v: JsonValue) => void;
  /** Id of a <datalist> of values suggested from the data (text inputs). */
  listId?: string;
  /** Whether a number offers the parts of today's date here (false where the row's "Compare
   * with" choice offers them). */
  withToday?: boolean;
};

/** The value editor with hints from the data: suggested values for text, the range otherwise. */
export function ValueEditor(props: Props & { hints?: ColumnStats }) {
  const { hints, ...rest } = props;
  const kind = valueKind(props.operator);
  const id = useId();
  const values = props.type === "text" || props.type === "array" ? suggestions(hints) : [];
  const range = props.type === "number" || props.type === "datetime" ? rangeHint(hints) : undefined;
  return (
    <>
      <ValueInput {...rest} listId={values.length ? id : undefined} />
      {values.length > 0 && (kind === "text" || kind === "list") && (
        <datalist id={id} data-testid="value-suggestions">
          {values.map((v) => (
            <option key={v} value={v} />
          ))}
        </datalist>
      )}
      {props.type === "text" && kind === "number" && (
        <span className="hint" data-testid="text-order-hint" title="Text is compared character by character, in the order of their codes">
          in character order: 0–9, then A–Z, then a–z
        </span>
      )}
      {range && kind !== "none" && kind !== "relative" && kind !== "date_part" && (
        <span className="hint" data-testid="value-range" title="The smallest and largest values in the data">
          {range}
        </span>
      )}
    </>
  );
}

const obj = (v: JsonValue): { [k: string]: JsonValue } =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as { [k: string]: JsonValue }) : {};

function ValueInput({ type, operator, value, onChange, listId, withToday = true }: Props) {
  const kind = valueKind(operator);
  switch (kind) {
    case "none":
      return null;
    case "number":
      // Text ordered by character (code point): "name > Milk".
      if (type === "text") return <TextValue value={value} onChange={onChange} listId={listId} placeholder="Value" />;
      if (!withToday) return <NumberInput value={value} onChange={onChange} label="Value" testid="value" />;
      return <NumberOrToday value={value} onChange={onChange} />;
    case "text":
      return (
        <TextValue
          value={value}
          onChange={onChange}
          listId={listId}
          placeholder={operator === "like" ? "e.g. %@gmail.com" : operator === "matches_regex" ? "e.g. ^A.*" : "Value"}
        />
      );
    case "integer":
      return (
        <NumberInput
          value={value}
          onChange={onChange}
          label="Value"
          testid="value"
          integer={kind === "integer"}
        />
      );
    case "list":
      return (
        <ChipsInput
          values={Array.isArray(value) ? value : []}
          onChange={onChange}
          numeric={type === "number"}
          label="Values"
          listId={listId}
        />
      );
    case "range":
      return <RangeInput type={type} value={value} onChange={onChange} />;
    case "date":
      return <DateInput value={value} onChange={onChange} label="Date" testid="value" />;
    case "relative":
      return <RelativeInput value={value} onChange={onChange} ago={["more_than_ago", "less_than_ago", "exactly_ago"].includes(operator)} />;
    case "relative_range":
      return <RelativeRangeInput value={value} onChange={onChange} />;
    case "period":
      return (
        <select
          className="select"
          aria-label="Period"
          data-testid="value-period"
          value={typeof value === "string" ? value : "month"}
          onChange={(e) => onChange(e.target.value)}
        >
          {PERIODS.map((p) => (
            <option key={p.unit} value={p.unit}>
              {p.label}
            </option>
          ))}
        </select>
      );
    case "date_part":
      return <DatePartInput value={value} onChange={onChange} />;
  }
}

type Input = { value: JsonValue; onChange: (v: JsonValue) => void };

function TextValue({ value, onChange, listId, placeholder }: Input & { listId?: string; placeholder: string }) {
  return (
    <input
      className="input text"
      aria-label="Value"
      data-testid="value"
      list={listId}
      value={typeof value === "string" ? value : value === null ? "" : String(value)}
      placeholder={placeholder}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

/** A number, or a part of today's date: "birth month = this month". */
function NumberOrToday({ value, onChange }: Input) {
  const today = obj(value).today;
  const chosen = typeof today === "string" ? today : "number";
  return (
    <span className="inline">
      <select
        className="select"
        aria-label="Compare with"
        data-testid="value-today"
        value={chosen}
        onChange={(e) => onChange(e.target.value === "number" ? null : { today: e.target.value })}
      >
        <option value="number">a number</option>
        {TODAY_PARTS.map((p) => (
          <option key={p.part} value={p.part}>
            {p.label}
          </option>
        ))}
      </select>
      {chosen === "number" && <NumberInput value={value} onChange={onChange} label="Value" testid="value" />}
    </span>
  );
}

/** Between two numbers, or two dates. */
function RangeInput({ type, value, onChange }: Input & { type: DataType }) {
  const pair = Array.isArray(value) ? value : [null, null];
  const set = (i: 0 | 1, v: JsonValue) => onChange(i === 0 ? [v, pair[1] ?? null] : [pair[0] ?? null, v]);
  if (type === "datetime") {
    return (
      <span className="inline">
        <DateInput value={pair[0]} onChange={(v) => set(0, v)} label="From date" testid="value-low" />
        <span className="word">and</span>
        <DateInput value={pair[1]} onChange={(v) => set(1, v)} label="To date" testid="value-high" />
      </span>
    );
  }
  return (
    <span className="inline">
      <NumberInput value={pair[0]} onChange={(v) => set(0, v)} label="Lowest value" testid="value-low" />
      <span className="word">and</span>
      <NumberInput value={pair[1]} onChange={(v) => set(1, v)} label="Highest value" testid="value-high" />
    </span>
  );
}

/** An amount of time units ({amount, unit}), "ago" for the operators that look back. */
function RelativeInput({ value, onChange, ago }: Input & { ago: boolean }) {
  const v = obj(value);
  return (
    <span className="inline">
      <NumberInput value={v.amount} onChange={(amount) => onChange({ ...v, amount })} label="Amount" testid="value-amount" integer />
      <UnitSelect value={v.unit} onChange={(unit) => onChange({ ...v, unit })} />
      {ago && <span className="word">ago</span>}
    </span>
  );
}

/** Between two amounts of time units ago ({from, to, unit}). */
function RelativeRangeInput({ value, onChange }: Input) {
  const v = obj(value);
  return (
    <span className="inline">
      <NumberInput value={v.from} onChange={(from) => onChange({ ...v, from })} label="From (units ago)" testid="value-low" integer />
      <span className="word">and</span>
      <NumberInput value={v.to} onChange={(to) => onChange({ ...v, to })} label="To (units ago)" testid="value-high" integer />
      <UnitSelect value={v.unit} onChange={(unit) => onChange({ ...v, unit })} />
      <span className="word">ago</span>
    </span>
  );
}

/** A part of the date ({part, values}): months and weekdays as buttons, other parts as numbers. */
function DatePartInput({ value, onChange }: Input) {
  const v = obj(value);
  const part = DATE_PARTS.find((p) => p.part === v.part) ?? DATE_PARTS[0];
  const values = Array.isArray(v.values) ? v.values : [];
  const names = part.part === "month" ? MONTHS : part.part === "weekday" ? WEEKDAYS : null;
  return (
    <span className="inline">
      <select className="select" aria-label="Date part" data-testid="value-part" value={part.part} onChange={(e) => onChange({ part: e.target.value, values: [] })}>
        {DATE_PARTS.map((p) => (
          <option key={p.part} value={p.part}>
            {p.label}
          </option>
        ))}
      </select>
      <span className="word">is one of</span>
      {names ? (
        <span className="chip-picks" role="group" aria-label={part.label}>
          {names.map((name, i) => {
            const n = part.part === "month" ? i + 1 : i;
            const on = values.includes(n);
            const next = on ? values.filter((x) => x !== n) : [...values, n].sort((a, b) => Number(a) - Number(b));
            return (
              <button key={name} type="button" className={"pick" + (on ? " on" : "")} aria-pressed={on} onClick={() => onChange({ part: part.part, values: next })}>
                {part.part === "weekday" ? name.slice(0, 3) : name}
              </button>
            );
          })}
        </span>
      ) : (
        <ChipsInput
          values={values}
          onChange={(vs) => onChange({ part: part.part, values: vs })}
          numeric
          label={part.label}
          placeholder={`${part.min}–${part.max}, press Enter`}
          show={part.part === "hour" ? hourSpan : undefined}
        />
      )}
    </span>
  );
}

/** An hour of the day as the hour it spans: 9 → "9:00–9:59". */
function hourSpan(v: JsonValue): string {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 23 ? `${v}:00–${v}:59` : String(v);
}

export function DateInput(props: {
  value: JsonValue | undefined;
  onChange: (v: string) => void;
  label: string;
  testid: string;
}) {
  const v = typeof props.value === "string" ? props.value.slice(0, 10) : "";
  return (
    <input
      type="date"
      className="input date"
      aria-label={props.label}
      data-testid={props.testid}
      value={v}
      onChange={(e) => props.onChange(e.target.value)}
    />
  );
}

export function UnitSelect(props: { value: JsonValue | undefined; onChange: (unit: string) => void; testid?: string }) {
  return (
    <select
      className="select"
      aria-label="Unit"
      data-testid={props.testid ?? "value-unit"}
      value={typeof props.value === "string" ? props.value : "day"}
      onChange={(e) => props.onChange(e.target.value)}
    >
      {TIME_UNITS.map((u) => (
        <option key={u.unit} value={u.unit}>
          {u.label}
        </option>
      ))}
    </select>
  );
}
