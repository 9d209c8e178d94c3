// The timing panel: how long the newest edits took to become a count on screen, step by step.
// Hidden by default; Ctrl+Shift+D (⌘⇧D on a Mac) opens and closes it.
import { useEffect, useState, useSyncExternalStore } from "react";
import { editTimings, median, type EditTiming } from "../../shared/timing";
import { shortcutFor } from "../../shared/shortcuts";
import "./timing.css";

/** How many of the kept measurements are listed (the medians use all of them). */
const SHOWN = 8;

const ms = (v: number) => `${Math.round(v)} ms`;

function useTimings(): EditTiming[] {
  return useSyncExternalStore(
    (l) => editTimings.subscribe(l),
    () => editTimings.list(),
  );
}

export function TimingPanel() {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (shortcutFor(e, true) !== "timing") return;
      e.preventDefault();
      setOpen((o) => !o);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  return open ? <TimingTable onClose={() => setOpen(false)} /> : null;
}

function TimingTable({ onClose }: { onClose: () => void }) {
  const timings = useTimings();
  const shown = timings.slice(-SHOWN).reverse();
  const mid = (pick: (t: EditTiming) => number) => ms(median(timings.map(pick)));
  return (
    <section className="timing-panel" role="region" aria-label="Timing: last edits" data-testid="timing-panel">
      <div className="timing-head">
        <h2>Timing: last edits</h2>
        <button type="button" className="btn small" onClick={onClose} data-testid="timing-close">
          Close
        </button>
      </div>
      {timings.length === 0 ? (
        <p className="muted">Change a condition to see how long its count takes to appear.</p>
      ) : (
        <table className="timing-table" data-testid="timing-table">
          <thead>
            <tr>
              <th title="From your last change until the app asks for the count (the pause after typing, and redrawing the conditions)">Pause</th>
              <th title="From asking until the answer arrives">Counting</th>
              <th title="From the answer until the count is on screen">Showing</th>
              <th>Total</th>
              <th>Counted</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((t) => (
              <tr key={t.requestId} data-testid="timing-row">
                <td>{ms(t.editToDebounceMs)}</td>
                <td>{ms(t.debounceToResponseMs)}</td>
                <td>{ms(t.responseToPaintMs)}</td>
                <td className="timing-total">{ms(t.totalMs)}</td>
                <td>{t.engine === "memory" ? "in memory" : t.engine === "sql" ? "SQL" : "—"}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr data-testid="timing-median">
              <td>{mid((t) => t.editToDebounceMs)}</td>
              <td>{mid((t) => t.debounceToResponseMs)}</td>
              <td>{mid((t) => t.responseToPaintMs)}</td>
              <td className="timing-total">{mid((t) => t.totalMs)}</td>
              <td>middle of {timings.length}</td>
            </tr>
          </tfoot>
        </table>
      )}
    </section>
  );
}
