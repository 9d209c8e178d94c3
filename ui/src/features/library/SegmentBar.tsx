import { useState } from "react";
import { createPortal } from "react-dom";
import type { Segment } from "../../bindings/Segment";
import type { SegmentRecord } from "../../bindings/SegmentRecord";
import type { SourceInfo } from "../../bindings/SourceInfo";
import type { PreviewState } from "../builder/preview";
import { dataFit, type DataFit } from "./dataFit";
import { DataMismatch } from "./DataMismatch";
import { HistoryView } from "./HistoryView";
import { LibraryView } from "./LibraryView";
import { plural } from "../../wording";
import { num, shortDate } from "./library";
import { MembersView } from "./MembersView";
import { SegmentDialog } from "./SegmentDialogs";
import { useSegmentRecord, type SegmentRecordState } from "./useSegmentRecord";

type Props = {
  source: SourceInfo;
  segment: Segment;
  setSegment: (s: Segment) => void;
  preview: PreviewState;
  /** "Evaluate as of", RFC 3339, when set. */
  asOf: string | null;
  /** Switches the app to another data source (a segment saved on it is being opened). */
  openData?: (path: string) => Promise<void>;
};

/** The segment being edited as a library entry: what it is (id, revision, dates, author, cached
 * count), and Save / Save as / Rename / Duplicate / Delete, History, Members, Export, the library. */
export function SegmentBar({ source, segment, setSegment, preview, asOf, openData }: Props) {
  const s = useSegmentRecord({ source, segment, setSegment, preview });
  const { record, dialog, panel, error, note } = s;
  const [mismatch, setMismatch] = useState<DataFit | null>(null);
  /** From the library: a segment of other data asks first (switch, or what is missing). */
  const openFromLibrary = (r: SegmentRecord) => {
    const fit = dataFit(r, source.path, source.schema);
    if (!fit) return s.open(r);
    s.setPanel(null);
    setMismatch(fit);
  };
  const switchAndOpen = async (path: string) => {
    if (!openData || !mismatch) return;
    await openData(path);
    s.open(mismatch.record);
    setMismatch(null);
  };
  return (
    <div className="segment-bar" data-testid="segment-bar">
      <SegmentTitle record={record} dirty={s.dirty} />
      {record && <SegmentMeta record={record} />}
      <SegmentActions state={s} />
      {note && !error && <div className="hint" data-testid="seg-note">{note}</div>}
      {error && !dialog && <div className="error-box" role="alert" data-testid="seg-error">{error.message}</div>}
      {/* Dialogs and sheets cover the whole window: rendered at the body, outside the sticky bar. */}
      {createPortal(
        <>
          {dialog && <SegmentDialog dialog={dialog} record={record} error={error} onChange={s.setDialog} onConfirm={s.confirm} onCancel={s.cancel} />}
          {panel === "library" && <LibraryView onOpen={(r) => s.guarded(() => openFromLibrary(r))} onClose={() => s.setPanel(null)} currentId={record?.id} sourcePath={source.path} />}
          {mismatch && (
            <DataMismatch
              fit={mismatch}
              current={source.path}
              onSwitch={openData && switchAndOpen}
              onOpenAnyway={() => (s.open(mismatch.record), setMismatch(null))}
              onCancel={() => setMismatch(null)}
            />
          )}
          {panel === "history" && record && <HistoryView record={record} onRestored={s.open} onClose={() => s.setPanel(null)} />}
          {panel === "members" && record && <MembersView record={record} source={source} asOf={asOf} onChanged={(r) => (r.id === record.id ? s.setRecord(r) : s.open(r))} onClose={() => s.setPanel(null)} />}
        </>,
        document.body,
      )}
    </div>
  );
}

function SegmentTitle({ record, dirty }: { record?: SegmentRecord; dirty: boolean }) {
  return (
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
  );
}

function SegmentMeta({ record }: { record: SegmentRecord }) {
  const count = record.recordCount;
  return (
    <div className="seg-meta" data-testid="seg-meta">
      <span>
        revision <b data-testid="seg-revision">{num(record.revision)}</b>
      </span>
      <span data-testid="seg-count">
        {record.segmentType === "STATIC"
          ? plural(num(record.individualCount), "member")
          : count
            ? `${plural(num(count.count), "record")} (counted ${shortDate(count.computedAt)}, revision ${num(count.revision)})`
            : "not counted yet"}
      </span>
      <span>modified {shortDate(record.dateModified)}</span>
      {record.author && <span>by {record.author.name ?? record.author.identifier}</span>}
      <span>
        {record.segmentType === "STATIC" ? "static" : "dynamic"} · {record.status.toLowerCase()} · {record.scope.toLowerCase()}
      </span>
    </div>
  );
}

function SegmentActions({ state: s }: { state: SegmentRecordState }) {
  const record = s.record;
  return (
    <div className="row seg-row">
      <button type="button" className="btn small" onClick={() => s.setPanel("library")} data-testid="open-library">
        Library…
      </button>
      <span className="sep" />
      <button type="button" className="btn small primary" onClick={s.saveCurrent} disabled={!!record && !s.dirty} data-testid="seg-save">
        Save
      </button>
      <button type="button" className="btn small" onClick={s.saveAs} data-testid="seg-save-as">
        Save as…
      </button>
      {record && (
        <>
          <button type="button" className="btn small" onClick={() => s.setDialog({ kind: "rename", name: record.name })} data-testid="seg-rename">
            Rename
          </button>
          <button type="button" className="btn small" onClick={s.duplicate} data-testid="seg-duplicate">
            Duplicate
          </button>
          <button type="button" className="btn small" onClick={() => s.setPanel("history")} data-testid="seg-history">
            History
          </button>
          <button type="button" className="btn small" onClick={() => s.setPanel("members")} data-testid="seg-members">
            {record.segmentType === "STATIC" ? "Members" : "Freeze…"}
          </button>
          <button type="button" className="btn small" onClick={s.exportFile} data-testid="seg-export">
            Export…
          </button>
          <button type="button" className="btn small danger" onClick={() => s.setDialog({ kind: "delete" })} data-testid="seg-delete">
            Delete
          </button>
        </>
      )}
      <span className="grow" />
      <button type="button" className="link small" onClick={() => s.guarded(s.newSegment)} data-testid="seg-new">
        New segment
      </button>
    </div>
  );
}
