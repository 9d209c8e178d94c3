// Small controlled inputs shared by the editors.
import { useEffect, useState, type KeyboardEvent } from "react";
import type { JsonValue } from "../../bindings/serde_json/JsonValue";

/** A number input that lets the user type freely ("-", "1.") and reports numbers. Text that is
 * not a number is passed on as text, so validation can point at it. */
export function NumberInput(props: {
  value: JsonValue | undefined;
  onChange: (v: JsonValue) => void;
  label: string;
  testid: string;
  integer?: boolean;
  min?: number;
  className?: string;
}) {
  const shown = props.value === undefined || props.value === null ? "" : String(props.value);
  const [draft, setDraft] = useState(shown);
  useEffect(() => {
    if (Number(draft) !== Number(shown) || draft.trim() === "") setDraft(shown);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shown]);
  return (
    <input
      type="text"
      inputMode={props.integer ? "numeric" : "decimal"}
      className={"input number " + (props.className ?? "")}
      aria-label={props.label}
      data-testid={props.testid}
      value={draft}
      onChange={(e) => {
        const text = e.target.value;
        setDraft(text);
        const n = Number(text);
        props.onChange(text.trim() !== "" && Number.isFinite(n) ? n : text);
      }}
    />
  );
}

/** Several values as chips: Enter or comma adds the typed value, × or Backspace removes. */
export function ChipsInput(props: {
  values: JsonValue[];
  onChange: (values: JsonValue[]) => void;
  numeric: boolean;
  label: string;
  placeholder?: string;
  /** Id of a <datalist> of suggested values. */
  listId?: string;
  /** How a value reads in its chip (default: as is). */
  show?: (value: JsonValue) => string;
}) {
  const [draft, setDraft] = useState("");
  const show = props.show ?? String;
  const add = () => {
    const parts = draft
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
    if (parts.length === 0) return;
    const parsed = parts.map((s) => (props.numeric && Number.isFinite(Number(s)) ? Number(s) : s));
    props.onChange([...props.values, ...parsed.filter((v) => !props.values.includes(v))]);
    setDraft("");
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "Enter" || e.key === ",") {
      e.preventDefault();
      add();
    } else if (e.key === "Backspace" && draft === "" && props.values.length > 0) {
      props.onChange(props.values.slice(0, -1));
    }
  };
  return (
    <div className="chips" data-testid="chips">
      {props.values.map((v, i) => (
        <span className="chip" key={i} data-testid="chip">
          {show(v)}
          <button
            type="button"
            className="chip-remove"
            data-testid="chip-remove"
            aria-label={`Remove ${show(v)}`}
            onClick={() => props.onChange(props.values.filter((_, j) => j !== i))}
          >
            ×
          </button>
        </span>
      ))}
      <input
        className="chips-input"
        aria-label={props.label}
        data-testid="chips-input"
        list={props.listId}
        value={draft}
        placeholder={props.values.length === 0 ? (props.placeholder ?? "Type a value, press Enter") : "Add…"}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={onKey}
        onBlur={add}
      />
    </div>
  );
}

export function Toggle(props: {
  pressed: boolean;
  onChange: (pressed: boolean) => void;
  label: string;
  title: string;
  testid: string;
  children: React.ReactNode;
}) {
  return (
    <button
      type="button"
      className={"toggle" + (props.pressed ? " on" : "")}
      aria-pressed={props.pressed}
      aria-label={props.label}
      title={props.title}
      data-testid={props.testid}
      onClick={() => props.onChange(!props.pressed)}
    >
      {props.children}
    </button>
  );
}
