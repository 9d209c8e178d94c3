import { useEffect, useRef, useState } from "react";
import { appError, toAppError, type AppError } from "../../ipc";
import type { Scope } from "../../bindings/Scope";
import type { Segment } from "../../bindings/Segment";
import type { SegmentRecord } from "../../bindings/SegmentRecord";
import type { SegmentType } from "../../bindings/SegmentType";
import type { SourceInfo } from "../../bindings/SourceInfo";
import { big, copyId, differs, idProblem, num, shortDate, suggestId } from "./library";
import { libraryApi, pickSegmentFile } from "./api";
import type { PreviewState } from "../builder/preview";
import { emptySegment } from "../../shared/tree";
import { HistoryView } from "./HistoryView";
import { LibraryView } from "./LibraryView";
import { MembersView } from "./MembersView";

type Dialog = { kind: "save" | "saveAs" | "duplicate"; id: string; name: string; type: SegmentType; scope: Scope; idTouched: boolean } | { kind: "rename"; name: string } | { kind: "delete" } | { kind: "export"; path: string } | { kind: "discard"; then: () => void };
type Panel = "library" | "history" | "members" | null;

/** The segment being edited as a library entry: what it is (id, revision, dates, author, cached
 * count), and Save / Save as / Rename / Duplicate / Delete, History, Members, Export, the library. */
export function SegmentBar({
  source,
  segment,
  setSegment,
  preview,
  asOf,
}: {
  source: SourceInfo;
  segment: Segment;
  setSegment: (s: Segment) => void;
  preview: PreviewState;
  /** "Evaluate as of", RFC 3339, when set. */
  asOf: string | null;
}) {
  const [record, setRecord] = useState<SegmentRecord>();
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [panel, setPanel] = useState<Panel>(null);
  const [error, setError] = useState<AppError>();
  const [note, setNote] = useState("");

  const dirty = record ? differs(segment, record.definition) : true;
  /** The newest preview request when a segment was opened: older responses are not its counts. */
  const openedAt = useRef(0);

  // The builder shows exactly the saved revision and it has no count yet (just restored, or
  // saved before its count came back): record the live count as its cached count.
  useEffect(() => {
    const r = preview.response;
    if (!record || dirty || preview.pending || !r || r.count == null || r.request_id <= openedAt.current) return;
    if (record.segmentType === "STATIC" || (record.recordCount && num(record.recordCount.revision) === num(record.revision))) return;
    let live = true;
    libraryApi
      .recordCount(record.id, { count: big(r.count), total: r.total == null ? null : big(r.total), dataSource: source.path, asOf: r.now })
      .then(() => libraryApi.get(record.id))
      .then((fresh) => live && setRecord(fresh))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [record, dirty, preview, source.path]);
  const fail = (e: unknown) => setError(toAppError(e));

  /** Opens a saved segment into the builder. */
  const open = (r: SegmentRecord) => {
    openedAt.current = preview.requested;
    setRecord(r);
    setSegment(r.definition ?? emptySegment(r.entity ?? source.default_entity ?? undefined));
    setPanel(null);
    setError(undefined);
    setNote("");
  };

  /** Records the live count with the save, when it is the count of what was saved. */
  const recordCount = async (id: string) => {
    const r = preview.response;
    if (!r || preview.pending || r.count == null) return;
    await libraryApi.recordCount(id, { count: big(r.count), total: r.total == null ? null : big(r.total), dataSource: source.path, asOf: r.now }).catch(() => undefined);
  };

  const saveCurrent = async () => {
    if (!record) return setDialog({ kind: "save", id: "", name: "", type: "DYNAMIC", scope: "USER", idTouched: false });
    try {
      const saved = await libraryApi.save({ id: record.id, definition: segment, entity: segment.entity, dataSource: source.path, expectedRevision: record.revision });
      await recordCount(saved.id);
      setRecord(await libraryApi.get(saved.id));
      setNote(saved.changed ? `Saved revision ${num(saved.revision)}.` : "No changes to save.");
      setError(undefined);
    } catch (e) {
      fail(e);
    }
  };

  const confirm = async () => {
    if (!dialog) return;
    try {
      if (dialog.kind === "save" || dialog.kind === "saveAs" || dialog.kind === "duplicate") {
        const problem = idProblem(dialog.id);
        if (problem) return setError(appError("invalid_id", problem, 400));
        if (!dialog.name.trim()) return setError(appError("invalid", "Give the segment a name.", 400));
        const exists = await libraryApi.get(dialog.id).then(
          () => true,
          () => false,
        );
        if (exists) return setError(appError("exists", `A segment “${dialog.id}” already exists: choose another id, or open it from the library.`, 409));
        const definition = dialog.kind === "duplicate" ? (record?.definition ?? segment) : segment;
        const base = dialog.kind === "duplicate" && record ? { description: record.description, status: record.status } : {};
        const saved = await libraryApi.save({
          ...base,
          id: dialog.id,
          name: dialog.name.trim(),
          segmentType: dialog.type,
          scope: dialog.scope,
          definition,
          entity: definition.entity,
          dataSource: source.path,
        });
        if (dialog.kind !== "duplicate") await recordCount(saved.id);
        open(await libraryApi.get(saved.id));
        setNote(dialog.kind === "duplicate" ? `Duplicated into ${saved.id}.` : `Saved ${saved.id}, revision ${num(saved.revision)}.`);
      } else if (dialog.kind === "rename" && record) {
        if (!dialog.name.trim()) return setError(appError("invalid", "Give the segment a name.", 400));
        const saved = await libraryApi.save({ id: record.id, name: dialog.name.trim(), expectedRevision: record.revision });
        setRecord(await libraryApi.get(saved.id));
        setNote(`Renamed (revision ${num(saved.revision)}).`);
      } else if (dialog.kind === "delete" && record) {
        await libraryApi.remove(record.id);
        setNote(`Deleted ${record.id}; its history is kept, and saving it again brings it back.`);
        setRecord(undefined);
      } else if (dialog.kind === "discard") {
        dialog.then();
      } else if (dialog.kind === "export" && record) {
        if (!dialog.path.trim()) return setError(appError("invalid", "Type the path of the file to write.", 400));
        setNote(`Exported to ${await libraryApi.exportFile(record.id, dialog.path)}.`);
      }
      setDialog(null);
      setError(undefined);
    } catch (e) {
      fail(e);
    }
  };

  const exportFile = async () => {
    if (!record) return;
    const picked = await pickSegmentFile("save", `${record.id}.json`);
    if (picked === undefined) return setDialog({ kind: "export", path: "" });
    if (picked === null) return;
    try {
      setNote(`Exported to ${await libraryApi.exportFile(record.id, picked)}.`);
    } catch (e) {
      fail(e);
    }
  };

  /** Unsaved edits are never dropped silently: replacing the builder's tree asks first. */
  const unsaved = dirty && (!!record || segment.root.children.length > 0);
  const guarded = (then: () => void) => (unsaved ? setDialog({ kind: "discard", then }) : then());

  const newSegment = () => {
    setRecord(undefined);
    setSegment(emptySegment(segment.entity ?? undefined));
    setNote("");
  };

  const count = record?.recordCount;
  return (
    <div className="segment-bar" data-testid="segment-bar">
      <div className="seg-title">
        {record ? (
          <>
            <span className="seg-name" data-testid="seg-name">{record.name}</span>
            <span className="mono muted" data-testid="seg-id">{record.id}</span>
            {dirty && <span className="pill warn" data-testid="seg-dirty">unsaved changes</span>}
          </>
        ) : (
          <span className="muted">New segment (not saved)</span>
        )}
      </div>
      {record && (
        <div className="seg-meta" data-testid="seg-meta">
          <span>
            revision <b data-testid="seg-revision">{num(record.revision)}</b>
          </span>
          <span>modified {shortDate(record.dateModified)}</span>
          {record.author && <span>by {record.author.name ?? record.author.identifier}</span>}
          <span>
            {record.segmentType === "STATIC" ? "static" : "dynamic"} · {record.status.toLowerCase()} · {record.scope.toLowerCase()}
          </span>
          <span data-testid="seg-count">
            {record.segmentType === "STATIC"
              ? `${num(record.individualCount).toLocaleString("en-US")} members`
              : count
                ? `${num(count.count).toLocaleString("en-US")} records (counted ${shortDate(count.computedAt)}, revision ${num(count.revision)})`
                : "not counted yet"}
          </span>
        </div>
      )}
      <div className="row seg-row">
        <button type="button" className="btn small" onClick={() => setPanel("library")} data-testid="open-library">
          Library…
        </button>
        <span className="sep" />
        <button type="button" className="btn small primary" onClick={saveCurrent} disabled={!!record && !dirty} data-testid="seg-save">
          Save
        </button>
        <button type="button" className="btn small" onClick={() => setDialog({ kind: "saveAs", id: record ? copyId(record.id, []) : "", name: record ? `${record.name} (copy)` : "", type: record?.segmentType ?? "DYNAMIC", scope: record?.scope ?? "USER", idTouched: !!record })} data-testid="seg-save-as">
          Save as…
        </button>
        {record && (
          <>
            <button type="button" className="btn small" onClick={() => setDialog({ kind: "rename", name: record.name })} data-testid="seg-rename">
              Rename
            </button>
            <button type="button" className="btn small" onClick={() => setDialog({ kind: "duplicate", id: copyId(record.id, []), name: `${record.name} (copy)`, type: record.segmentType, scope: record.scope, idTouched: true })} data-testid="seg-duplicate">
              Duplicate
            </button>
            <button type="button" className="btn small" onClick={() => setPanel("history")} data-testid="seg-history">
              History
            </button>
            <button type="button" className="btn small" onClick={() => setPanel("members")} data-testid="seg-members">
              {record.segmentType === "STATIC" ? "Members" : "Freeze…"}
            </button>
            <button type="button" className="btn small" onClick={exportFile} data-testid="seg-export">
              Export…
            </button>
            <button type="button" className="btn small danger" onClick={() => setDialog({ kind: "delete" })} data-testid="seg-delete">
              Delete
            </button>
          </>
        )}
        <span className="grow" />
        <button type="button" className="link small" onClick={() => guarded(newSegment)} data-testid="seg-new">
          New segment
        </button>
      </div>
      {note && !error && <div className="hint" data-testid="seg-note">{note}</div>}
      {error && !dialog && <div className="error-box" role="alert" data-testid="seg-error">{error.message}</div>}

      {dialog && (
        <div className="overlay top" role="dialog" aria-label="Segment" data-testid="seg-dialog">
          <form className="sheet narrow" onSubmit={(e) => (e.preventDefault(), confirm())}>
            <h2>
              {dialog.kind === "save" ? "Save segment" : dialog.kind === "saveAs" ? "Save as a new segment" : dialog.kind === "duplicate" ? "Duplicate segment" : dialog.kind === "rename" ? "Rename segment" : dialog.kind === "delete" ? "Delete segment?" : dialog.kind === "discard" ? "Discard unsaved changes?" : "Export definition"}
            </h2>
            {(dialog.kind === "save" || dialog.kind === "saveAs" || dialog.kind === "duplicate") && (
              <>
                <label className="stack">
                  <span>Name</span>
                  <input className="input" autoFocus value={dialog.name} data-testid="seg-name-input" onChange={(e) => setDialog({ ...dialog, name: e.target.value, id: dialog.idTouched ? dialog.id : suggestId(e.target.value) })} />
                </label>
                <label className="stack">
                  <span>Id</span>
                  <input className="input mono" value={dialog.id} data-testid="seg-id-input" onChange={(e) => setDialog({ ...dialog, id: e.target.value, idTouched: true })} aria-invalid={!!(dialog.id && idProblem(dialog.id))} />
                  <span className={dialog.id && idProblem(dialog.id) ? "error-text" : "hint"} data-testid="seg-id-hint">
                    {(dialog.id && idProblem(dialog.id)) || "Lowercase letters, digits and _, starting with a letter. It cannot change later."}
                  </span>
                </label>
                <div className="row">
                  <label className="field">
                    <span>Type</span>
                    <select className="select" value={dialog.type} onChange={(e) => setDialog({ ...dialog, type: e.target.value as SegmentType })} data-testid="seg-type-input">
                      <option value="DYNAMIC">Dynamic (matches the conditions)</option>
                      <option value="STATIC">Static (a fixed member list)</option>
                    </select>
                  </label>
                  <label className="field">
                    <span>Scope</span>
                    <select className="select" value={dialog.scope} onChange={(e) => setDialog({ ...dialog, scope: e.target.value as Scope })}>
                      <option value="USER">User</option>
                      <option value="PROJECT">Project</option>
                    </select>
                  </label>
                </div>
              </>
            )}
            {dialog.kind === "rename" && (
              <label className="stack">
                <span>Name</span>
                <input className="input" autoFocus value={dialog.name} data-testid="seg-name-input" onChange={(e) => setDialog({ ...dialog, name: e.target.value })} />
                <span className="hint">The id ({record?.id}) stays: files and other segments refer to it.</span>
              </label>
            )}
            {dialog.kind === "delete" && record && (
              <p>
                Delete <b>{record.name}</b> (<span className="mono">{record.id}</span>)? It disappears from the library; its history is kept, and saving
                a segment with this id again brings it back.
              </p>
            )}
            {dialog.kind === "discard" && <p>The builder has changes that are not saved. Save them first (Cancel, then Save), or discard them.</p>}
            {dialog.kind === "export" && (
              <label className="stack">
                <span>File to write</span>
                <input className="input" autoFocus placeholder={`/path/to/${record?.id}.json`} value={dialog.path} data-testid="seg-export-path" onChange={(e) => setDialog({ ...dialog, path: e.target.value })} />
                <span className="hint">The native file dialog is not available here: type a path.</span>
              </label>
            )}
            {error && !("id" in dialog && error.message === idProblem(dialog.id)) && (
              <div className="error-box" role="alert" data-testid="seg-dialog-error">
                {error.message}
              </div>
            )}
            <div className="row end">
              <button type="button" className="btn" onClick={() => (setDialog(null), setError(undefined))} data-testid="seg-dialog-cancel">
                Cancel
              </button>
              <button type="submit" className={`btn ${dialog.kind === "delete" || dialog.kind === "discard" ? "danger-fill" : "primary"}`} data-testid="seg-dialog-confirm">
                {dialog.kind === "delete" ? "Delete" : dialog.kind === "discard" ? "Discard changes" : dialog.kind === "rename" ? "Rename" : dialog.kind === "export" ? "Export" : dialog.kind === "duplicate" ? "Duplicate" : "Save"}
              </button>
            </div>
          </form>
        </div>
      )}

      {panel === "library" && <LibraryView onOpen={(r) => guarded(() => open(r))} onClose={() => setPanel(null)} currentId={record?.id} />}
      {panel === "history" && record && <HistoryView record={record} onRestored={open} onClose={() => setPanel(null)} />}
      {panel === "members" && record && <MembersView record={record} asOf={asOf} onChanged={(r) => (r.id === record.id ? setRecord(r) : open(r))} onClose={() => setPanel(null)} />}
    </div>
  );
}
