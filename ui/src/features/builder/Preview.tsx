import { useEffect, useLayoutEffect, useState } from "react";
import type { PreviewState } from "./preview";
import { afterPaint, editTimings } from "../../shared/timing";
import { TimingPanel } from "./TimingPanel";
import { describe } from "../../shared/messages";
import { incompleteNote } from "./incomplete";
import { EngineLoading, engineWasLoading } from "./EngineLoading";

const fmt = new Intl.NumberFormat("en-US");

export function share(count: number, total: number): string {
  if (total === 0) return "0%";
  const p = (100 * count) / total;
  return (p > 0 && p < 0.1 ? "<0.1" : p.toFixed(p < 10 ? 1 : 0)) + "%";
}

/** Where a count runs, for "Counting on …": a warehouse's database and kind, a file's name. */
export function sourceLabel(path: string): string {
  const m = /^(postgres(?:ql)?|sc):\/\/(?:[^@/]*@)?([^/?;]*)(?:\/([^?;]*))?/i.exec(path.trim());
  if (!m) return path.split(/[\\/]/).pop() || path;
  const decode = (t: string) => {
    try {
      return decodeURIComponent(t);
    } catch {
      return t;
    }
  };
  const host = decode(m[2]);
  if (m[1].toLowerCase() === "sc") return `Spark at ${host}`;
  return `PostgreSQL ${m[3] ? decode(m[3]) : "database"}${host.startsWith("/") ? "" : ` at ${host}`}`;
}

/** How long before a running count shows where it runs, its time and Cancel (an in-memory
 * count answers well before). */
export const SHOW_RUNNING_AFTER_MS = 300;

/** "Counting on PostgreSQL shop … 1.2 s" with Cancel, while a count has been running a while. */
function CountingOn({ since, source, onCancel }: { since: number; source: string; onCancel?: () => void }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 100);
    return () => clearInterval(timer);
  }, [since]);
  const elapsed = Math.max(0, now - since);
  if (elapsed < SHOW_RUNNING_AFTER_MS) return <>Counting…</>;
  return (
    <span className="counting-on" data-testid="counting-on">
      Counting on {sourceLabel(source)} … <span data-testid="counting-seconds">{(elapsed / 1000).toFixed(1)}</span> s{" "}
      {onCancel && (
        <button type="button" className="link small" data-testid="count-cancel" onClick={onCancel}>
          Cancel
        </button>
      )}
    </span>
  );
}

/** The live count: matching records, all records, and the share. */
export function CountPanel({ state, entity, source }: { state: PreviewState; entity: string; source?: string }) {
  const r = state.response;
  const status = state.pending ? "pending" : state.error ? "error" : r ? (r.count === null ? "invalid" : "ready") : "idle";
  const shownId = r?.request_id;
  // The count of this answer is in the DOM now; the next frame has it on screen.
  useLayoutEffect(() => {
    if (shownId !== undefined) afterPaint(() => editTimings.painted(shownId));
  }, [shownId]);
  return (
    <>
      <section
        className={"card count-card " + status}
        aria-label="Matching records"
        aria-live="polite"
        data-testid="count-panel"
        data-state={status}
        data-request-id={r?.request_id ?? 0}
        data-now={r?.now ?? ""}
      >
        <div className="count-label">Matching {entity}</div>
        <div className="count-row">
          <span className="count" data-testid="count">
            {r && r.count !== null && !state.error ? fmt.format(r.count) : "—"}
          </span>
          {r && r.count !== null && r.total !== null && !state.error && (
            <span className="share" data-testid="share">
              {share(r.count, r.total)}
            </span>
          )}
        </div>
        <div className="count-sub">
          {r && r.total !== null ? (
            <>
              of <span data-testid="total">{fmt.format(r.total)}</span> {entity}
            </>
          ) : (
            " "
          )}
        </div>
        {r && r.count !== null && r.total !== null && r.total > 0 && (
          <div className="bar" aria-hidden="true">
            <div className="bar-fill" style={{ width: `${Math.min(100, (100 * r.count) / r.total)}%` }} />
          </div>
        )}
        <div className="count-meta" data-testid="preview-status">
          {state.pending
            ? state.sentAt !== undefined && source
              ? <CountingOn since={state.sentAt} source={source} onCancel={state.cancel} />
              : "Counting…"
            : state.error
              ? state.error.path
                ? "Fix the problem marked below to see a count"
                : describe({ path: "", message: state.error.message }, undefined)
              : r && r.count === null
                ? `Fix the ${r.problems.length === 1 ? "problem" : `${r.problems.length} problems`} below to see a count`
                : r
                  ? `Exact count in ${r.elapsed_ms} ms · as of ${r.now.replace("T", " ").replace(/(\.\d+)?(Z|\+00:00)$/, " UTC")}`
                  : ""}
        </div>
        {!!state.incomplete?.length && (
          <div className="count-incomplete hint" data-testid="count-incomplete" title="A condition counts once it has a value. To match an empty value, choose “is blank” (text) or “is empty” (list).">
            {incompleteNote(state.incomplete.length)}
          </div>
        )}
        {r && r.engine && !state.pending && !state.error && (
          <div className={"count-engine " + r.engine} data-testid="count-engine" data-engine={r.engine} title={r.notice ?? "Counted by the in-memory engine"}>
            {r.engine === "memory" ? "in memory" : "SQL"}
            {r.notice && !engineWasLoading(r.notice) && <span className="count-notice"> · {r.notice}</span>}
          </div>
        )}
        {r && engineWasLoading(r.notice) && !state.pending && <EngineLoading onLoaded={state.recount} />}
      </section>
      <TimingPanel />
    </>
  );
}

/** The segment's SQL, in the dialect of the source it is counted on ("SQL (PostgreSQL)"). */
export function SqlPane({ sql, dialect }: { sql: string | null | undefined; dialect?: string }) {
  return (
    <section className="card sql-card" aria-label="Generated SQL">
      <div className="card-title" data-testid="sql-pane-title">
        SQL{dialect && ` (${dialect})`}
      </div>
      <pre className="sql" data-testid="sql-pane" tabIndex={0}>
        {sql ?? "-- the SQL appears here once the segment is valid"}
      </pre>
    </section>
  );
}

/** The segment's definition as JSON (what a segment file holds), folded by default. */
export function DefinitionPane({ segment }: { segment: unknown }) {
  return (
    <details className="card json-card">
      <summary className="card-title">Definition (JSON)</summary>
      <pre className="sql" data-testid="segment-json" tabIndex={0}>
        {JSON.stringify(segment, null, 2)}
      </pre>
    </details>
  );
}
