import type { Segment } from "./bindings/Segment";
import type { SourceInfo } from "./bindings/SourceInfo";
import { asOfToRfc3339, isoAsOf } from "./features/builder/preview";
import { useTheme, type ThemeChoice } from "./theme";

export type View = "builder" | "data";

type Props = {
  source: SourceInfo;
  segment: Segment;
  /** Another entity starts an empty segment on it. */
  onEntity: (entity: string) => void;
  /** The "as of" instant as typed: ISO ("2026-11-01 00:00"), read as UTC; empty for the clock. */
  asOf: string;
  setAsOf: (v: string) => void;
  view: View;
  setView: (v: View) => void;
};

/** The app's header: which records, as of when, which data source, Builder or Data. */
export function TopBar({ source, segment, onEntity, asOf, setAsOf, view, setView }: Props) {
  const fileName = source.path.split(/[\\/]/).pop();
  const defaultAsOf = isoAsOf(source.default_now);
  const invalid = asOfToRfc3339(asOf) === undefined;
  const inUse = !asOf.trim() ? "the clock (now)" : asOf === defaultAsOf && source.demo ? "the demo data's end" : "set by you";
  return (
    <header className="topbar">
      <div className="brand" title="Segment Builder">
        <img src="/icon.png" alt="" width={22} height={22} />
        <span className="brand-name">Segment Builder</span>
      </div>
      <label className="field">
        <span>Records</span>
        <select className="select" data-testid="entity-picker" value={segment.entity ?? ""} onChange={(e) => onEntity(e.target.value)}>
          {source.schema.entities.map((e) => (
            <option key={e.name} value={e.name}>
              {e.name}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span className="nowrap">As of (UTC)</span>
        <input
          type="text"
          inputMode="numeric"
          className={"input as-of" + (invalid ? " invalid" : "")}
          data-testid="as-of"
          data-in-use={inUse}
          value={asOf}
          placeholder="now (clock)"
          aria-invalid={invalid || undefined}
          size={16}
          onChange={(e) => setAsOf(e.target.value)}
          title={`Relative dates (“in the last 30 days”) are computed from this instant, written YYYY-MM-DD HH:MM in UTC. In use: ${inUse}.${invalid ? " Not a date yet: the last complete one is used." : ""}`}
        />
        {asOf !== defaultAsOf && (
          <button type="button" className="link small" data-testid="as-of-reset" onClick={() => setAsOf(defaultAsOf)} title={defaultAsOf ? `Back to ${defaultAsOf}, the demo data's end` : "Back to the clock"}>
            reset
          </button>
        )}
      </label>
      <div className="source" title={source.path} data-testid="source-path">
        Data: {fileName}
      </div>
      <div className="segmented tabs" role="tablist">
        {(["builder", "data"] as const).map((v) => (
          <button key={v} type="button" role="tab" className={view === v ? "on" : ""} aria-selected={view === v} data-testid={`tab-${v}`} onClick={() => setView(v)}>
            {v === "builder" ? "Builder" : "Data"}
          </button>
        ))}
      </div>
      <ThemePicker />
    </header>
  );
}

const THEMES: { value: ThemeChoice; label: string }[] = [
  { value: "system", label: "◐ System" },
  { value: "light", label: "☀ Light" },
  { value: "dark", label: "☾ Dark" },
];

/** System / Light / Dark, remembered on this computer. */
export function ThemePicker() {
  const { choice, setChoice, theme } = useTheme();
  return (
    <select
      className="select theme-picker"
      aria-label="Theme"
      title={choice === "system" ? `Theme: as the system (${theme} now)` : "Theme"}
      data-testid="theme-toggle"
      data-theme-in-use={theme}
      value={choice}
      onChange={(e) => setChoice(e.target.value as ThemeChoice)}
    >
      {THEMES.map((t) => (
        <option key={t.value} value={t.value}>
          {t.label}
        </option>
      ))}
    </select>
  );
}
