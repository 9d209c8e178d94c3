import { useCallback, useEffect, useState } from "react";
import { appError, toAppError, type AppError } from "../../ipc";
import type { Membership } from "../../bindings/Membership";
import type { MembershipChange } from "../../bindings/MembershipChange";
import type { Operation } from "../../bindings/Operation";
import type { Page } from "../../bindings/Page";
import type { SegmentRecord } from "../../bindings/SegmentRecord";
import { idProblem, newestFirst, num, pageLabel, parseMembers, shortDate } from "./library";
import { libraryApi } from "./api";

const SIZE = 20;

/** A static segment's members and membership-change log, with add / remove; for a dynamic
 * segment, "freeze" its current result into a new static segment. */
export function MembersView({
  record,
  asOf,
  onChanged,
  onClose,
}: {
  record: SegmentRecord;
  asOf: string | null;
  onChanged: (r: SegmentRecord) => void;
  onClose: () => void;
}) {
  const [members, setMembers] = useState<Page<Membership>>();
  const [changes, setChanges] = useState<Page<MembershipChange>>();
  const [mPage, setMPage] = useState(0);
  const [cPage, setCPage] = useState(0);
  const [text, setText] = useState("");
  const [error, setError] = useState<AppError>();
  const [note, setNote] = useState("");
  const [frozenId, setFrozenId] = useState(`${record.id}_frozen`);
  const [busy, setBusy] = useState(false);
  const [operation, setOperation] = useState<Operation | "">("");
  const isStatic = record.segmentType === "STATIC";

  const load = useCallback(() => {
    if (!isStatic) return;
    libraryApi.members(record.id, mPage, SIZE).then(setMembers).catch((e) => setError(toAppError(e)));
    newestChanges(record.id, operation || null, cPage).then(setChanges).catch((e) => setError(toAppError(e)));
  }, [record.id, isStatic, mPage, cPage, operation]);
  useEffect(load, [load, record.revision, record.individualCount]);

  const apply = async (what: "add" | "remove") => {
    const ids = parseMembers(text);
    if (ids.length === 0) return setError(appError("invalid", "Type or paste member identifiers first.", 400));
    try {
      const out = what === "add" ? await libraryApi.membersAdd(record.id, ids) : await libraryApi.membersRemove(record.id, ids);
      setNote(
        what === "add"
          ? `Added ${num(out.added)}${num(out.updated) ? `, ${num(out.updated)} already members` : ""}.`
          : `Removed ${num(out.removed)}${num(out.notMembers) ? `, ${num(out.notMembers)} were not members` : ""}.`,
      );
      setText("");
      setError(undefined);
      onChanged(await libraryApi.get(record.id));
    } catch (e) {
      setError(toAppError(e));
    }
  };

  const freeze = async () => {
    const problem = idProblem(frozenId);
    if (problem) return setError(appError("invalid_id", problem, 400));
    setBusy(true);
    try {
      await libraryApi.freeze(record.id, frozenId, `${record.name} (frozen)`, asOf);
      setError(undefined);
      onChanged(await libraryApi.get(frozenId));
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="overlay" role="dialog" aria-label="Members" data-testid="members-view">
      <div className="sheet wide">
        <div className="sheet-head">
          <h2>
            Members of <span className="mono">{record.id}</span>
          </h2>
          <button type="button" className="icon-button" aria-label="Close the members" onClick={onClose} data-testid="members-close">
            ×
          </button>
        </div>
        {error && <div className="error-box" role="alert">{error.message}</div>}
        {!isStatic ? (
          <div className="freeze">
            <p>
              This segment is <b>dynamic</b>: its members are whoever matches the conditions on the open data. Freeze its current result
              into a new <b>static</b> segment whose members stay fixed (evaluated as of {asOf ?? "the data's default now"}).
            </p>
            <div className="row">
              <label className="field">
                <span>New id</span>
                <input className="input" value={frozenId} onChange={(e) => setFrozenId(e.target.value)} data-testid="freeze-id" />
              </label>
              <button type="button" className="btn primary" disabled={busy} onClick={freeze} data-testid="freeze">
                {busy ? "Freezing…" : "Freeze into a static segment"}
              </button>
            </div>
            {idProblem(frozenId) && <div className="error-text">{idProblem(frozenId)}</div>}
          </div>
        ) : (
          <div className="history-grid">
            <div>
              <div className="card-title">
                Members ({num(record.individualCount).toLocaleString("en-US")} active)
              </div>
              <textarea className="input members-input" rows={3} placeholder="Member identifiers, one per line or separated by commas" value={text} onChange={(e) => setText(e.target.value)} data-testid="members-input" />
              <div className="row">
                <button type="button" className="btn primary small" onClick={() => apply("add")} disabled={record.status !== "ACTIVE"} data-testid="members-add">
                  Add
                </button>
                <button type="button" className="btn small" onClick={() => apply("remove")} disabled={record.status !== "ACTIVE"} data-testid="members-remove">
                  Remove
                </button>
                {note && <span className="hint">{note}</span>}
                {record.status !== "ACTIVE" && <span className="hint">Memberships change only on ACTIVE segments.</span>}
              </div>
              <table className="table" data-testid="members-table">
                <thead>
                  <tr>
                    <th>Member</th>
                    <th>Status</th>
                    <th>Added</th>
                    <th>Removed</th>
                  </tr>
                </thead>
                <tbody>
                  {members?.items.map((m) => (
                    <tr key={m.individualIdentifier}>
                      <td className="mono">{m.individualIdentifier}</td>
                      <td>
                        <span className={`pill ${m.status === "ACTIVE" ? "ok" : ""}`}>{m.status}</span>
                      </td>
                      <td>{shortDate(m.dateCreated)}</td>
                      <td>{shortDate(m.dateRemoved)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Pager page={mPage} total={num(members?.page.totalElements)} onPage={setMPage} />
            </div>
            <div>
              <div className="row">
                <div className="card-title grow">Membership changes, newest first</div>
                <select className="select" value={operation} onChange={(e) => (setOperation(e.target.value as Operation | ""), setCPage(0))} aria-label="Which changes" data-testid="changes-operation">
                  <option value="">Added and removed</option>
                  <option value="ADDED">Added</option>
                  <option value="REMOVED">Removed</option>
                </select>
              </div>
              <table className="table" data-testid="changes-table">
                <thead>
                  <tr>
                    <th>Change</th>
                    <th>Member</th>
                    <th>When</th>
                    <th>Members after</th>
                  </tr>
                </thead>
                <tbody>
                  {changes?.items.map((c, i) => (
                    <tr key={i}>
                      <td>
                        <span className={`pill ${c.operation === "ADDED" ? "ok" : "bad"}`}>{c.operation}</span>
                      </td>
                      <td className="mono">{c.individualIdentifier}</td>
                      <td>{shortDate(c.dateChanged)}</td>
                      <td className="num">{num(c.individualsCount).toLocaleString("en-US")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Pager page={cPage} total={num(changes?.page.totalElements)} onPage={setCPage} />
            </div>
          </div>
        )}
      </div>
    </div>
  );
}

/** Page `page` of the change log counted from the newest entry (the store pages oldest first). */
const newestChanges = (id: string, operation: Operation | null, page: number) =>
  newestFirst((p) => libraryApi.changes(id, operation, p, SIZE), page, SIZE);

function Pager({ page, total, onPage }: { page: number; total: number; onPage: (p: number) => void }) {
  if (total <= SIZE) return <div className="hint">{total === 0 ? "None yet." : pageLabel(0, SIZE, total)}</div>;
  return (
    <div className="row pager">
      <span className="hint">{pageLabel(page, SIZE, total)}</span>
      <button type="button" className="btn small" disabled={page === 0} onClick={() => onPage(page - 1)}>
        ‹
      </button>
      <button type="button" className="btn small" disabled={(page + 1) * SIZE >= total} onClick={() => onPage(page + 1)}>
        ›
      </button>
    </div>
  );
}
