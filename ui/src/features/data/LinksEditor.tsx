// The relationships of the open data source: proposals with their share of matching keys
// (confirm), confirmed links (edit, remove), a form to add one (child column → parent column),
// and the time column of each table (for time windows).
import { useEffect, useState } from "react";
import type { Entity } from "../../bindings/Entity";
import type { Link } from "../../bindings/Link";
import type { RelationshipsResponse } from "../../bindings/RelationshipsResponse";
import type { SourceInfo } from "../../bindings/SourceInfo";
import { toAppError, type AppError } from "../../ipc";
import { percent } from "../../shared/data";
import { dataApi } from "./api";

const empty: Link = { child: "", child_column: "", parent: "", parent_column: "" };
const same = (a: Link, b: Link) => a.child === b.child && a.child_column === b.child_column && a.parent === b.parent && a.parent_column === b.parent_column;

/** The relationships and time columns of `data`; every change reloads the data source (`onChanged`). */
function useLinks(data: string, onChanged: () => void) {
  const [state, setState] = useState<RelationshipsResponse>();
  const [error, setError] = useState<AppError>();
  const [draft, setDraft] = useState<Link>(empty);
  const [editing, setEditing] = useState<Link>();

  useEffect(() => {
    setState(undefined);
    dataApi.relationships(data).then(setState).catch((e) => setError(toAppError(e)));
  }, [data]);

  async function apply(p: Promise<RelationshipsResponse>) {
    setError(undefined);
    try {
      setState(await p);
      onChanged();
      return true;
    } catch (e) {
      setError(toAppError(e));
      return false;
    }
  }

  async function save() {
    if (editing && !same(editing, draft)) {
      if (!(await apply(dataApi.relate(data, editing, true)))) return;
    }
    if (await apply(dataApi.relate(data, draft))) {
      setDraft(empty);
      setEditing(undefined);
    }
  }

  const edit = (l: Link | undefined) => (setDraft(l ?? empty), setEditing(l));
  return { state, error, draft, setDraft, editing, edit, apply, save };
}

export function LinksEditor({ source, onChanged }: { source: SourceInfo; onChanged: () => void }) {
  const data = source.path;
  const { state, error, draft, setDraft, editing, edit, apply, save } = useLinks(data, onChanged);
  const entities = state?.schema.entities ?? source.schema.entities;
  const declared = (state?.schema.relationships ?? []).filter(
    (r) => r.cardinality === "many_to_one" && !state?.confirmed.some((c) => c.child === r.from_entity && c.parent === r.to_entity),
  );

  return (
    <div className="card" data-testid="links-editor">
      <div className="card-title">Relationships</div>
      {!state && !error && <p className="muted">Looking for relationships…</p>}
      {state && (
        <ul className="links">
          {declared.map((r) => (
            <li key={r.id} className="link-row">
              <span>
                {r.from_entity}.{r.from_column} → {r.to_entity}.{r.to_column}
              </span>
              <span className="muted small">declared in the file</span>
            </li>
          ))}
          {state.confirmed.map((l) => (
            <li key={`${l.child}.${l.child_column}`} className="link-row" data-testid="link-confirmed">
              <span>
                {l.child}.{l.child_column} → {l.parent}.{l.parent_column}
              </span>
              <span className="muted small">confirmed</span>
              <button type="button" className="link small" onClick={() => edit(l)}>
                edit
              </button>
              <button type="button" className="link small danger" onClick={() => apply(dataApi.relate(data, l, true))}>
                remove
              </button>
            </li>
          ))}
          {state.proposals.map((p) => (
            <li key={`${p.child}.${p.child_column}.${p.parent}`} className="link-row proposal" data-testid="link-proposal">
              <span>
                {p.child}.{p.child_column} → {p.parent}.{p.parent_column}
              </span>
              <span className="muted small" title={`checked on ${p.sampled} distinct keys`}>
                {percent(p.matched_share)} of keys found
              </span>
              <button type="button" className="btn small primary" data-testid="link-confirm" onClick={() => apply(dataApi.relate(data, { child: p.child, child_column: p.child_column, parent: p.parent, parent_column: p.parent_column }, false, p.time_column ?? undefined))}>
                Confirm
              </button>
            </li>
          ))}
          {declared.length + state.confirmed.length + state.proposals.length === 0 && <li className="muted">No relationships yet: add one below.</li>}
        </ul>
      )}
      <LinkForm entities={entities} draft={draft} onDraft={setDraft} editing={!!editing} onSave={save} onCancel={() => edit(undefined)} />
      {state && <TimeColumns state={state} onChange={(table, column) => apply(dataApi.setTimeColumn(data, table, column))} />}
      {error && (
        <p className="error-text" role="alert" data-testid="links-error">
          {error.message}
        </p>
      )}
    </div>
  );
}

type FormProps = { entities: Entity[]; draft: Link; onDraft: (l: Link) => void; editing: boolean; onSave: () => void; onCancel: () => void };

/** child table . column → parent table . column */
function LinkForm({ entities, draft, onDraft, editing, onSave, onCancel }: FormProps) {
  const columns = (table: string) => entities.find((e) => e.name === table)?.columns ?? [];
  return (
    <div className="row link-form" data-testid="link-form">
      <select className="select" aria-label="Child table" value={draft.child} onChange={(e) => onDraft({ ...draft, child: e.target.value, child_column: "" })}>
        <option value="">table…</option>
        {entities.map((e) => (
          <option key={e.name} value={e.name}>
            {e.name}
          </option>
        ))}
      </select>
      <select className="select" aria-label="Child column" value={draft.child_column} onChange={(e) => onDraft({ ...draft, child_column: e.target.value })}>
        <option value="">column…</option>
        {columns(draft.child).map((c) => (
          <option key={c.name} value={c.name}>
            {c.name}
          </option>
        ))}
      </select>
      <span className="word">→</span>
      <select className="select" aria-label="Parent table" value={draft.parent} onChange={(e) => onDraft({ ...draft, parent: e.target.value, parent_column: "" })}>
        <option value="">table…</option>
        {entities.map((e) => (
          <option key={e.name} value={e.name}>
            {e.name}
          </option>
        ))}
      </select>
      <select className="select" aria-label="Parent column" value={draft.parent_column} onChange={(e) => onDraft({ ...draft, parent_column: e.target.value })}>
        <option value="">column…</option>
        {columns(draft.parent).map((c) => (
          <option key={c.name} value={c.name}>
            {c.name}
          </option>
        ))}
      </select>
      <button type="button" className="btn small" data-testid="link-add" disabled={!draft.child || !draft.child_column || !draft.parent || !draft.parent_column} onClick={onSave}>
        {editing ? "Save" : "Add"}
      </button>
      {editing && (
        <button type="button" className="link small" onClick={onCancel}>
          cancel
        </button>
      )}
    </div>
  );
}

function TimeColumns({ state, onChange }: { state: RelationshipsResponse; onChange: (table: string, column: string | null) => void }) {
  return (
    <div className="time-columns">
      <div className="card-title" style={{ marginTop: 12 }}>
        Time column per table
      </div>
      {state.schema.entities.map((e) => {
        const dates = e.columns.filter((c) => c.data_type === "datetime");
        if (!dates.length) return null;
        return (
          <label key={e.name} className="field">
            <span className="time-table">{e.name}</span>
            <select className="select" data-testid={`time-${e.name}`} value={state.schema.relationships.find((r) => r.to_entity === e.name && r.time_column)?.time_column ?? ""} onChange={(ev) => onChange(e.name, ev.target.value || null)}>
              <option value="">none</option>
              {dates.map((c) => (
                <option key={c.name} value={c.name}>
            {c.name}
          </option>
              ))}
            </select>
          </label>
        );
      })}
    </div>
  );
}
