import { useEffect, useState } from "react";
import type { Entity } from "../../bindings/Entity";
import type { Operation } from "../../bindings/Operation";
import type { SegmentRecord } from "../../bindings/SegmentRecord";
import type { SourceInfo } from "../../bindings/SourceInfo";
import { exploreApi } from "../explore/api";
import { displayColumns, displayName, typedKey } from "../explore/fields";
import { idProblem, num, pageLabel, shortDate } from "./library";
import { MEMBERS_PAGE as SIZE, useMembers, type MembersState } from "./useMembers";

type Props = {
  record: SegmentRecord;
  /** The open data: the key's type orders the members, a name column names them. */
  source?: SourceInfo;
  asOf: string | null;
  onChanged: (r: SegmentRecord) => void;
  onClose: () => void;
};

/** A static segment's members and membership-change log, with add / remove; for a dynamic
 * segment, "freeze" its current result into a new static segment. */
export function MembersView({ record, source, asOf, onChanged, onClose }: Props) {
  const entity = source?.schema.entities.find((e) => e.name === record.entity);
  const keyType = entity?.columns.find((c) => c.name === entity.key)?.data_type;
  const m = useMembers(record, asOf, onChanged, keyType);
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
            <MembersPanel m={m} record={record} entity={entity} asOf={asOf} />
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

/** The names of the members on the page (`undefined` until read; a member absent from the data
 * maps to null), read as sample records of "key is one of these ids". */
function useMemberNames(entity: Entity | undefined, ids: string[], asOf: string | null) {
  const [names, setNames] = useState<Map<string, string | null>>();
  const key = ids.join("\u0000");
  useEffect(() => {
    setNames(undefined);
    if (!entity || ids.length === 0 || displayColumns(entity.columns).length === 0) return;
    const keyType = entity.columns.find((c) => c.name === entity.key)?.data_type;
    const typed = ids.map((id) => typedKey(id, keyType)).filter((k): k is string | number => k !== null);
    if (typed.length === 0) return setNames(new Map(ids.map((id) => [id, null])));
    const segment = {
      version: 1,
      entity: entity.name,
      root: { combinator: "and", children: [{ type: "condition", attribute: entity.key, operator: "is_one_of", value: typed }] },
    } as unknown as Parameters<typeof exploreApi.samples>[0]["segment"];
    let live = true;
    exploreApi
      .samples({ segment, entity: entity.name, now: asOf, n: Math.min(100, typed.length), seed: null })
      .then((r) => live && setNames(new Map(ids.map((id) => [id, displayNameOf(r.samples.find((s) => String(s.key) === id)?.record)]))))
      .catch(() => live && setNames(undefined));
    return () => {
      live = false;
    };
  }, [entity, key, asOf]);
  return names;
}

const displayNameOf = (record: Record<string, unknown> | null | undefined) => (record ? displayName(record) : null);

function MembersPanel({ m, record, entity, asOf }: { m: MembersState; record: SegmentRecord; entity?: Entity; asOf: string | null }) {
  const ids = m.members?.items.map((x) => x.individualIdentifier) ?? [];
  const names = useMemberNames(entity, ids, asOf);
  const nameColumn = entity && displayColumns(entity.columns).length > 0;
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
            {nameColumn && <th>Name</th>}
            <th>Status</th>
            <th>Added</th>
            <th>Removed</th>
          </tr>
        </thead>
        <tbody>
          {m.members?.items.map((x) => (
            <tr key={x.individualIdentifier}>
              <td className="mono">{x.individualIdentifier}</td>
              {nameColumn && (
                <td data-testid="member-name">
                  {names === undefined ? "" : names.get(x.individualIdentifier) === null ? <span className="hint">not in the data</span> : names.get(x.individualIdentifier)}
                </td>
              )}
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
