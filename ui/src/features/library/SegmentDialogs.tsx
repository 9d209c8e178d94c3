// The segment bar's dialogs: Save / Save as / Duplicate (name, id, type, scope), Rename, Delete,
// Discard unsaved changes, Export to a typed path. Each is a form in the same frame.
import type { ReactNode } from "react";
import type { Scope } from "../../bindings/Scope";
import type { SegmentRecord } from "../../bindings/SegmentRecord";
import type { SegmentType } from "../../bindings/SegmentType";
import type { AppError } from "../../ipc";
import { idProblem, suggestId } from "./library";
import type { Dialog, SaveDraft } from "./useSegmentRecord";

type FrameProps = {
  title: string;
  confirmLabel: string;
  danger?: boolean;
  error?: AppError;
  onCancel: () => void;
  onConfirm: () => void;
  children: ReactNode;
};

export function DialogFrame({ title, confirmLabel, danger, error, onCancel, onConfirm, children }: FrameProps) {
  return (
    <div className="overlay top" role="dialog" aria-label="Segment" data-testid="seg-dialog">
      <form className="sheet narrow" onSubmit={(e) => (e.preventDefault(), onConfirm())}>
        <h2>{title}</h2>
        {children}
        {error && (
          <div className="error-box" role="alert" data-testid="seg-dialog-error">
            {error.message}
          </div>
        )}
        <div className="row end">
          <button type="button" className="btn" onClick={onCancel} data-testid="seg-dialog-cancel">
            Cancel
          </button>
          <button type="submit" className={`btn ${danger ? "danger-fill" : "primary"}`} data-testid="seg-dialog-confirm">
            {confirmLabel}
          </button>
        </div>
      </form>
    </div>
  );
}

/** Name, id (suggested from the name until typed), type and scope of a new segment. */
export function SaveFields({ draft, onChange }: { draft: SaveDraft; onChange: (d: SaveDraft) => void }) {
  const problem = draft.id ? idProblem(draft.id) : null;
  return (
    <>
      <label className="stack">
        <span>Name</span>
        <input className="input" autoFocus value={draft.name} data-testid="seg-name-input" onChange={(e) => onChange({ ...draft, name: e.target.value, id: draft.idTouched ? draft.id : suggestId(e.target.value) })} />
      </label>
      <label className="stack">
        <span>Id</span>
        <input className="input mono" value={draft.id} data-testid="seg-id-input" onChange={(e) => onChange({ ...draft, id: e.target.value, idTouched: true })} aria-invalid={!!problem} />
        <span className={problem ? "error-text" : "hint"} data-testid="seg-id-hint">
          {problem || "Lowercase letters, digits and _, starting with a letter. It cannot change later."}
        </span>
      </label>
      <div className="row">
        <label className="field">
          <span>Type</span>
          <select className="select" value={draft.type} onChange={(e) => onChange({ ...draft, type: e.target.value as SegmentType })} data-testid="seg-type-input">
            <option value="DYNAMIC">Dynamic (matches the conditions)</option>
            <option value="STATIC">Static (a fixed member list)</option>
          </select>
        </label>
        <label className="field">
          <span>Scope</span>
          <select className="select" value={draft.scope} onChange={(e) => onChange({ ...draft, scope: e.target.value as Scope })}>
            <option value="USER">User</option>
            <option value="PROJECT">Project</option>
          </select>
        </label>
      </div>
    </>
  );
}

export function RenameFields({ name, id, onChange }: { name: string; id?: string; onChange: (name: string) => void }) {
  return (
    <label className="stack">
      <span>Name</span>
      <input className="input" autoFocus value={name} data-testid="seg-name-input" onChange={(e) => onChange(e.target.value)} />
      <span className="hint">The id ({id}) stays: files and other segments refer to it.</span>
    </label>
  );
}

export function DeleteText({ record }: { record: SegmentRecord }) {
  return (
    <p>
      Delete <b>{record.name}</b> (<span className="mono">{record.id}</span>)? It disappears from the library; its history is kept, and saving
      a segment with this id again brings it back.
    </p>
  );
}

export function ExportPathFields({ path, id, onChange }: { path: string; id?: string; onChange: (path: string) => void }) {
  return (
    <label className="stack">
      <span>File to write</span>
      <input className="input" autoFocus placeholder={`/path/to/${id}.json`} value={path} data-testid="seg-export-path" onChange={(e) => onChange(e.target.value)} />
      <span className="hint">The native file dialog is not available here: type a path.</span>
    </label>
  );
}

const TITLES: Record<Dialog["kind"], string> = {
  save: "Save segment",
  saveAs: "Save as a new segment",
  duplicate: "Duplicate segment",
  rename: "Rename segment",
  delete: "Delete segment?",
  discard: "Discard unsaved changes?",
  export: "Export definition",
};
const CONFIRMS: Record<Dialog["kind"], string> = {
  save: "Save",
  saveAs: "Save",
  duplicate: "Duplicate",
  rename: "Rename",
  delete: "Delete",
  discard: "Discard changes",
  export: "Export",
};

type Props = {
  dialog: Dialog;
  record?: SegmentRecord;
  error?: AppError;
  onChange: (d: Dialog) => void;
  onConfirm: () => void;
  onCancel: () => void;
};

/** The open dialog of the segment bar. An id problem is shown under the id, not twice. */
export function SegmentDialog({ dialog, record, error, onChange, onConfirm, onCancel }: Props) {
  const shown = error && !("id" in dialog && error.message === idProblem(dialog.id)) ? error : undefined;
  return (
    <DialogFrame
      title={TITLES[dialog.kind]}
      confirmLabel={CONFIRMS[dialog.kind]}
      danger={dialog.kind === "delete" || dialog.kind === "discard"}
      error={shown}
      onCancel={onCancel}
      onConfirm={onConfirm}
    >
      {(dialog.kind === "save" || dialog.kind === "saveAs" || dialog.kind === "duplicate") && <SaveFields draft={dialog} onChange={onChange} />}
      {dialog.kind === "rename" && <RenameFields name={dialog.name} id={record?.id} onChange={(name) => onChange({ ...dialog, name })} />}
      {dialog.kind === "delete" && record && <DeleteText record={record} />}
      {dialog.kind === "discard" && <p>The builder has changes that are not saved. Save them first (Cancel, then Save), or discard them.</p>}
      {dialog.kind === "export" && <ExportPathFields path={dialog.path} id={record?.id} onChange={(path) => onChange({ ...dialog, path })} />}
    </DialogFrame>
  );
}
