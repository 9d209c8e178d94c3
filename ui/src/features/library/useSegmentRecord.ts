// The segment being edited as a library entry: the opened record, whether the builder differs
// from it, and Save / Save as / Rename / Duplicate / Delete / Export with their dialogs, the
// revision conflict (a save carries `expectedRevision`) and the guard against dropping unsaved edits.
import { useEffect, useRef, useState } from "react";
import type { Scope } from "../../bindings/Scope";
import type { Segment } from "../../bindings/Segment";
import type { SegmentRecord } from "../../bindings/SegmentRecord";
import type { SegmentType } from "../../bindings/SegmentType";
import type { SourceInfo } from "../../bindings/SourceInfo";
import { appError, toAppError, type AppError } from "../../ipc";
import { emptySegment } from "../../shared/tree";
import { countable, incompleteNote } from "../builder/incomplete";
import type { PreviewState } from "../builder/preview";
import { libraryApi, pickSegmentFile } from "./api";
import { copyId, differs, idProblem, num } from "./library";

/** What Save (first time), Save as and Duplicate ask for. */
export type SaveDraft = { kind: "save" | "saveAs" | "duplicate"; id: string; name: string; type: SegmentType; scope: Scope; idTouched: boolean };
export type Dialog = SaveDraft | { kind: "rename"; name: string } | { kind: "delete" } | { kind: "export"; path: string } | { kind: "discard"; then: () => void };
export type Panel = "library" | "history" | "members" | null;

const noName = () => appError("invalid", "Give the segment a name.");

/** Saving keeps conditions still waiting for a value, and says so. */
function savedNote(note: string, definition: Segment): string {
  const n = countable(definition).incomplete.length;
  return n ? `${note} ${incompleteNote(n)}.` : note;
}

export function useSegmentRecord({ source, segment, setSegment, preview }: { source: SourceInfo; segment: Segment; setSegment: (s: Segment) => void; preview: PreviewState }) {
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
      .recordCount(record.id, { count: r.count, total: r.total == null ? null : r.total, dataSource: source.path, asOf: r.now })
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
    await libraryApi.recordCount(id, { count: r.count, total: r.total == null ? null : r.total, dataSource: source.path, asOf: r.now }).catch(() => undefined);
  };

  const saveCurrent = async () => {
    if (!record) return setDialog({ kind: "save", id: "", name: "", type: "DYNAMIC", scope: "USER", idTouched: false });
    try {
      const saved = await libraryApi.save({ id: record.id, definition: segment, entity: segment.entity, dataSource: source.path, expectedRevision: record.revision });
      await recordCount(saved.id);
      setRecord(await libraryApi.get(saved.id));
      setNote(saved.changed ? savedNote(`Saved revision ${num(saved.revision)}.`, segment) : "No changes to save.");
      setError(undefined);
    } catch (e) {
      fail(e);
    }
  };

  /** Save (first time), Save as, Duplicate: a new id; an id that exists is refused. */
  const saveNew = async (d: SaveDraft): Promise<AppError | void> => {
    const problem = idProblem(d.id);
    if (problem) return appError("invalid_id", problem);
    if (!d.name.trim()) return noName();
    const exists = await libraryApi.get(d.id).then(() => true, () => false);
    if (exists) return appError("already_exists", `A segment “${d.id}” already exists: choose another id, or open it from the library.`);
    const definition = d.kind === "duplicate" ? (record?.definition ?? segment) : segment;
    const base = d.kind === "duplicate" && record ? { description: record.description, status: record.status } : {};
    const saved = await libraryApi.save({ ...base, id: d.id, name: d.name.trim(), segmentType: d.type, scope: d.scope, definition, entity: definition.entity, dataSource: source.path });
    if (d.kind !== "duplicate") await recordCount(saved.id);
    open(await libraryApi.get(saved.id));
    setNote(savedNote(d.kind === "duplicate" ? `Duplicated into ${saved.id}.` : `Saved ${saved.id}, revision ${num(saved.revision)}.`, definition));
  };

  /** The dialog's action; the dialog stays open on an error. */
  const run = async (d: Dialog, r: SegmentRecord | undefined): Promise<AppError | void> => {
    if (d.kind === "save" || d.kind === "saveAs" || d.kind === "duplicate") return saveNew(d);
    if (d.kind === "discard") return d.then();
    if (!r) return;
    if (d.kind === "rename") {
      if (!d.name.trim()) return noName();
      const saved = await libraryApi.save({ id: r.id, name: d.name.trim(), expectedRevision: r.revision });
      setRecord(await libraryApi.get(saved.id));
      setNote(`Renamed (revision ${num(saved.revision)}).`);
    } else if (d.kind === "delete") {
      await libraryApi.remove(r.id);
      setNote(`Deleted ${r.id}; its history is kept, and saving it again brings it back.`);
      setRecord(undefined);
    } else if (d.kind === "export") {
      if (!d.path.trim()) return appError("invalid", "Type the path of the file to write.");
      setNote(`Exported to ${await libraryApi.exportFile(r.id, d.path)}.`);
    }
  };

  const confirm = async () => {
    if (!dialog) return;
    try {
      const refused = await run(dialog, record);
      if (refused) return setError(refused);
      setDialog(null);
      setError(undefined);
    } catch (e) {
      fail(e);
    }
  };

  const cancel = () => (setDialog(null), setError(undefined));

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

  const saveAs = () =>
    setDialog({ kind: "saveAs", id: record ? copyId(record.id, []) : "", name: record ? `${record.name} (copy)` : "", type: record?.segmentType ?? "DYNAMIC", scope: record?.scope ?? "USER", idTouched: !!record });
  const duplicate = () => record && setDialog({ kind: "duplicate", id: copyId(record.id, []), name: `${record.name} (copy)`, type: record.segmentType, scope: record.scope, idTouched: true });

  return {
    record, setRecord, dirty, dialog, setDialog, panel, setPanel, error, note,
    open, saveCurrent, saveAs, duplicate, confirm, cancel, exportFile, guarded, newSegment,
  };
}

export type SegmentRecordState = ReturnType<typeof useSegmentRecord>;
