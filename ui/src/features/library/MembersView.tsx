import type { Operation } from "../../bindings/Operation";
import type { SegmentRecord } from "../../bindings/SegmentRecord";
import { idProblem, num, pageLabel, shortDate } from "./library";
import { MEMBERS_PAGE as SIZE, useMembers, type MembersState } from "./useMembers";

type Props = {
  record: SegmentRecord;
  asOf: string | null;
  onChanged: (r: SegmentRecord) => void;
  onClose: () => void;
};

/** A static segment's members and membership-change log, with add / remove; for a dynamic
 * segment, "freeze" its current result into a new static segment. */
export function MembersView({ record, asOf, onChanged, onClose }: Props) {
  const m = useMembers(record, asOf, onChanged);
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
        {m.error && <div className="error-box" role="alert">{m.error.message}</div>}
        {!m.isStatic ? (
          <FreezeForm m={m} asOf={asOf} />
        ) : (
          <div className="history-grid">
            <MembersPanel m={m} record={record} />
            <ChangesPanel m={m} />
          </div>
        )}
      </div>
    </div>
  );
}

function FreezeForm({ m, asOf }: { m: MembersState; asOf: string | null }) {
  return (
    <div className="freeze">
      <p>
        This segment is <b>dynamic</b>: its members are whoever matches the conditions on the open data. Freeze its current result
        into a new <b>static</b> segment whose members stay fixed (evaluated as of {asOf ?? "the data's default now"}).
      </p>
      <div className="row">
        <label className="field">
          <span>New id</span>
          <input className="input" value={m.frozenId} onChange={(e) => m.setFrozenId(e.target.value)} data-testid="freeze-id" />
        </label>
        <button type="button" className="btn primary" disabled={m.busy} onClick={m.freeze} data-testid="freeze">
          {m.busy ? "Freezing…" : "Freeze into a static segment"}
        </button>
      </div>
      {idProblem(m.frozenId) && <div className="error-text">{idProblem(m.frozenId)}</div>}
    </div>
  );
}

function MembersPanel({ m, record }: { m: MembersState; record: SegmentRecord }) {
  return (
    <div>
      <div className="card-title">
        Members ({num(record.individualCount).toLocaleString("en-US")} active)
      </div>
      <textarea className="input members-input" rows={3} placeholder="Member identifiers, one per line or separated by commas" value={m.text} onChange={(e) => m.setText(e.target.value)} data-testid="members-input" />
      <div className="row">
        <button type="button" className="btn primary small" onClick={() => m.apply("add")} disabled={record.status !== "ACTIVE"} data-testid="members-add">
          Add
        </button>
        <button type="button" className="btn small" onClick={() => m.apply("remove")} disabled={record.status !== "ACTIVE"} data-testid="members-remove">
          Remove
        </button>
        {m.note && <span className="hint">{m.note}</span>}
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
          {m.members?.items.map((x) => (
            <tr key={x.individualIdentifier}>
              <td className="mono">{x.individualIdentifier}</td>
              <td>
                <span className={`pill ${x.status === "ACTIVE" ? "ok" : ""}`}>{x.status}</span>
              </td>
              <td>{shortDate(x.dateCreated)}</td>
              <td>{shortDate(x.dateRemoved)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager page={m.mPage} total={num(m.members?.page.totalElements)} onPage={m.setMPage} />
    </div>
  );
}

function ChangesPanel({ m }: { m: MembersState }) {
  return (
    <div>
      <div className="row">
        <div className="card-title grow">Membership changes, newest first</div>
        <select className="select" value={m.operation} onChange={(e) => m.filterChanges(e.target.value as Operation | "")} aria-label="Which changes" data-testid="changes-operation">
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
          {m.changes?.items.map((c, i) => (
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
      <Pager page={m.cPage} total={num(m.changes?.page.totalElements)} onPage={m.setCPage} />
    </div>
  );
}

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
