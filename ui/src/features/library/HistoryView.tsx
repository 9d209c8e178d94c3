import { useEffect, useState } from "react";
import type { CountRecord } from "../../bindings/CountRecord";
import { toAppError, type AppError } from "../../ipc";
import type { RevisionDiff } from "../../bindings/RevisionDiff";
import type { RevisionInfo } from "../../bindings/RevisionInfo";
import type { SegmentRecord } from "../../bindings/SegmentRecord";
import type { Segment } from "../../bindings/Segment";
import { describeChange, describeField } from "./diffWords";
import { deltaLabel, num, shortDate } from "./library";
import { libraryApi } from "./api";
import { CountChart } from "./CountChart";

/** A segment's revisions, the diff between any two, restoring an old one, and its count history. */
export function HistoryView({ record, onRestored, onClose }: { record: SegmentRecord; onRestored: (r: SegmentRecord) => void; onClose: () => void }) {
  const [revisions, setRevisions] = useState<RevisionInfo[]>([]);
  const [counts, setCounts] = useState<CountRecord[]>([]);
  const current = num(record.revision);
  const [from, setFrom] = useState(Math.max(0, current - 1));
  const [to, setTo] = useState(current);
  const [diff, setDiff] = useState<RevisionDiff>();
  // The two revisions' trees, to name the nodes a change is about.
  const [trees, setTrees] = useState<{ from?: Segment | null; to?: Segment | null }>({});
  const [error, setError] = useState<AppError>();

  useEffect(() => {
    libraryApi.history(record.id).then(setRevisions).catch((e) => setError(toAppError(e)));
    libraryApi.counts(record.id).then((p) => setCounts(p.items)).catch(() => setCounts([]));
  }, [record.id, record.revision]);

  useEffect(() => {
    if (from === to) return setDiff(undefined);
    libraryApi.diff(record.id, from, to).then(setDiff).catch((e) => setError(toAppError(e)));
    const tree = (n: number) => libraryApi.revision(record.id, n).then((r) => r.definition, () => null);
    Promise.all([tree(from), tree(to)]).then(([a, b]) => setTrees({ from: a, to: b }));
  }, [record.id, from, to, record.revision]);

  const restore = async (revision: number) => {
    try {
      await libraryApi.restore(record.id, revision, current);
      onRestored(await libraryApi.get(record.id));
    } catch (e) {
      setError(toAppError(e));
    }
  };

  return (
    <div className="overlay" role="dialog" aria-label="History" data-testid="history-view">
      <div className="sheet wide">
        <div className="sheet-head">
          <h2>
            History of <span className="mono">{record.id}</span>
          </h2>
          <button type="button" className="icon-button" aria-label="Close the history" onClick={onClose} data-testid="history-close">
            ×
          </button>
        </div>
        {error && <div className="error-box" role="alert">{error.message}</div>}
        <div className="history-grid">
          <div>
            <div className="card-title">Revisions</div>
            <table className="table" data-testid="history-table">
              <thead>
                <tr>
                  <th title="Compare from">From</th>
                  <th title="Compare to">To</th>
                  <th>Rev.</th>
                  <th>Action</th>
                  <th>Saved</th>
                  <th>Name</th>
                  <th>Count</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {[...revisions].reverse().map((r) => {
                  const n = num(r.revision);
                  return (
                    <tr key={n} data-testid={`history-row-${n}`} className={n === current ? "current" : ""}>
                      <td>
                        <input type="radio" name="from" checked={from === n} onChange={() => setFrom(n)} aria-label={`compare from revision ${n}`} data-testid={`diff-from-${n}`} />
                      </td>
                      <td>
                        <input type="radio" name="to" checked={to === n} onChange={() => setTo(n)} aria-label={`compare to revision ${n}`} data-testid={`diff-to-${n}`} />
                      </td>
                      <td className="num">{n}</td>
                      <td>
                        {r.action}
                        {r.restoredFrom != null ? ` of ${num(r.restoredFrom)}` : ""}
                      </td>
                      <td>{shortDate(r.dateSaved)}</td>
                      <td>{r.name}</td>
                      <td className="num">{r.count == null ? "—" : num(r.count).toLocaleString("en-US")}</td>
                      <td>
                        {n === current ? (
                          <span className="pill ok">current</span>
                        ) : (
                          <button type="button" className="btn small" onClick={() => restore(n)} data-testid={`history-restore-${n}`} title="Make this revision current again, as a new revision">
                            Restore
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <div>
            <div className="card-title">Count over time</div>
            <CountChart counts={counts} />
            <div className="card-title diff-title">
              Changes from revision {from} to {to}
            </div>
            {from === to ? (
              <div className="hint">Pick two different revisions to compare.</div>
            ) : diff ? (
              <div data-testid="diff">
                {diff.fields.length + diff.conditions.length === 0 && <div className="hint">No differences.</div>}
                <ul className="diff-list">
                  {diff.fields.map((f) => (
                    <li key={f.field} className="diff-changed">
                      {describeField(f)}
                    </li>
                  ))}
                  {diff.conditions.map((c, i) => (
                    <li key={i} className={`diff-${c.change}`} data-testid="diff-change">
                      {describeChange(c, trees.from, trees.to)}
                    </li>
                  ))}
                </ul>
                <div className="hint" data-testid="diff-count">
                  Count: {diff.count.from == null ? "not counted" : num(diff.count.from).toLocaleString("en-US")} →{" "}
                  {diff.count.to == null ? "not counted" : num(diff.count.to).toLocaleString("en-US")} {deltaLabel(diff.count.delta)}
                </div>
              </div>
            ) : null}
          </div>
        </div>
      </div>
    </div>
  );
}
