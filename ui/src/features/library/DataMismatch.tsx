import { useState } from "react";
import { toAppError, type AppError } from "../../ipc";
import { sourceName, type DataFit } from "./dataFit";

type Props = {
  fit: DataFit;
  /** The open data source's path. */
  current: string;
  /** Switches to the segment's data source, then opens it; absent when switching is not possible. */
  onSwitch?: (path: string) => Promise<void>;
  onOpenAnyway: () => void;
  onCancel: () => void;
};

/** Opening a segment built on other data: offer to switch to it, and say what the open data
 * lacks (tables, columns) instead of showing an empty builder with an error. */
export function DataMismatch({ fit, current, onSwitch, onOpenAnyway, onCancel }: Props) {
  const [error, setError] = useState<AppError>();
  const [busy, setBusy] = useState(false);
  const { record, savedOn, missing } = fit;
  const switchTo = async () => {
    if (!savedOn || !onSwitch) return;
    setBusy(true);
    try {
      await onSwitch(savedOn);
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="overlay top" role="dialog" aria-label="Segment built on other data" data-testid="data-mismatch">
      <div className="sheet narrow">
        <h2>“{record.name}” was built on other data</h2>
        {savedOn ? (
          <p data-testid="mismatch-saved-on">
            It was saved on <b title={savedOn}>{sourceName(savedOn)}</b>; the open data is <b title={current}>{sourceName(current)}</b>.
          </p>
        ) : (
          <p>It does not fit the open data, <b title={current}>{sourceName(current)}</b>.</p>
        )}
        {missing.length > 0 ? (
          <div data-testid="mismatch-missing">
            {sourceName(current)} does not have:
            <ul>
              {missing.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          </div>
        ) : (
          <p className="hint">Everything it uses is in the open data too, so it can also be counted here.</p>
        )}
        {error && (
          <div className="error-box" role="alert" data-testid="mismatch-error">
            {error.message}
          </div>
        )}
        <div className="row end">
          <button type="button" className="btn" onClick={onCancel} data-testid="mismatch-cancel">
            Cancel
          </button>
          <button type="button" className={"btn" + (savedOn && onSwitch ? "" : " primary")} onClick={onOpenAnyway} data-testid="mismatch-open-here">
            {missing.length ? "Open anyway" : `Open on ${sourceName(current)}`}
          </button>
          {savedOn && onSwitch && (
            <button type="button" className="btn primary" onClick={switchTo} disabled={busy} data-testid="mismatch-switch" autoFocus>
              {busy ? "Switching…" : `Switch to ${sourceName(savedOn)}`}
            </button>
          )}
        </div>
      </div>
    </div>
  );
}
