import { useEffect, useState } from "react";
import type { Entity } from "../../bindings/Entity";
import type { RevisionInfo } from "../../bindings/RevisionInfo";
import type { SegmentRecord } from "../../bindings/SegmentRecord";
import { ofKind, type InSegmentNode } from "../../shared/tree";
import { libraryApi } from "../library/api";
import { RemoveButton } from "./ConditionRow";
import { useBuilder } from "./context";
import { useRowDrop } from "./dnd";
import { DragHandle, RowMenu } from "./RowTools";
import { Problems } from "./Problems";

/** A segment's count as the library last saw it: members of a static one, else its cached count. */
export function savedCount(r: SegmentRecord): number | null {
  if (r.segmentType === "STATIC") return r.individualCount ?? null;
  return r.recordCount ? Number(r.recordCount.count) : null;
}

/** The picker's words for a library segment: its name, its id when different, its count. */
export function segmentLabel(r: SegmentRecord): string {
  const name = r.name && r.name !== r.id ? `${r.name} (${r.id})` : r.id;
  const kind = r.segmentType === "STATIC" ? "static" : "dynamic";
  const n = savedCount(r);
  return `${name} · ${kind}${n === null ? "" : ` · ${n.toLocaleString("en-US")}`}`;
}

/** The library's segments of `entity` (and those that do not say), for the picker. */
function useLibrarySegments(entity: string): { segments: SegmentRecord[]; error: string | null } {
  const [segments, setSegments] = useState<SegmentRecord[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    libraryApi
      .list({ sort: [["name", "asc"]], size: 200 })
      .then((page) => live && setSegments(page.items.filter((r) => !r.entity || r.entity === entity)))
      .catch((e: { message?: string }) => live && setError(e?.message ?? "The library could not be read."));
    return () => {
      live = false;
    };
  }, [entity]);
  return { segments, error };
}

/** The saved revisions of a dynamic segment, newest first, for pinning one. */
function useRevisions(id: string, wanted: boolean): RevisionInfo[] {
  const [revisions, setRevisions] = useState<RevisionInfo[]>([]);
  useEffect(() => {
    if (!id || !wanted) {
      setRevisions([]);
      return;
    }
    let live = true;
    libraryApi
      .history(id)
      .then((h) => live && setRevisions(h.filter((r) => r.action !== "delete").sort((a, b) => b.revision - a.revision)))
      .catch(() => live && setRevisions([]));
    return () => {
      live = false;
    };
  }, [id, wanted]);
  return revisions;
}

/** A revision as the picker says it: "revision 3 · saved 2026-11-01". */
export function revisionLabel(r: RevisionInfo): string {
  return `revision ${r.revision} · saved ${r.dateSaved.slice(0, 10)}`;
}

/** "As it is now" or one saved revision of a dynamic segment (a static one is its members). */
function RevisionPicker({ node, revisions, onPick }: { node: InSegmentNode; revisions: RevisionInfo[]; onPick: (revision: number | undefined) => void }) {
  const pinned = node.revision ?? undefined;
  return (
    <select
      className="select"
      aria-label="Revision"
      data-testid="in-segment-revision"
      title="Follow the segment as it is saved from now on, or keep one saved revision of its conditions"
      value={pinned === undefined ? "" : String(pinned)}
      onChange={(e) => onPick(e.target.value === "" ? undefined : Number(e.target.value))}
    >
      <option value="">as it is now (follows its edits)</option>
      {pinned !== undefined && !revisions.some((r) => r.revision === pinned) && <option value={String(pinned)}>revision {pinned}</option>}
      {revisions.map((r) => (
        <option key={r.revision} value={String(r.revision)}>
          {revisionLabel(r)}
        </option>
      ))}
    </select>
  );
}

/** "Is (not) in segment S": a segment of the library, counted live beside the row. */
export function InSegmentRow({ node, at, entity }: { node: InSegmentNode; at: string; entity: Entity }) {
  const { updateNode, remove, problems, moveTo } = useBuilder();
  const drop = useRowDrop(at, moveTo);
  const mine = problems.get(at);
  const { segments, error } = useLibrarySegments(entity.name);
  const set = (patch: Partial<InSegmentNode>) => updateNode(at, ofKind("in_segment", (old) => ({ ...old, ...patch })));
  const chosen = segments.find((r) => r.id === node.segment);
  const known = chosen !== undefined;
  const dynamic = chosen !== undefined && chosen.segmentType !== "STATIC";
  const revisions = useRevisions(node.segment, dynamic);
  return (
    <div {...drop} className={"node in-segment" + (mine ? " has-problem" : "") + drop.className} data-testid="in-segment" data-path={at}>
      <div className="node-line">
        <DragHandle at={at} what="segment condition" />
        <div className="row">
          <select
            className="select"
            aria-label="Membership"
            data-testid="in-segment-negated"
            value={node.negated ? "not" : "in"}
            onChange={(e) => set({ negated: e.target.value === "not" ? true : undefined })}
          >
            <option value="in">is in segment</option>
            <option value="not">is not in segment</option>
          </select>
          <select
            className={"select" + (mine ? " invalid" : "")}
            aria-label="Segment"
            data-testid="in-segment-segment"
            value={node.segment}
            onChange={(e) => set({ segment: e.target.value, revision: undefined })}
          >
            {!node.segment && <option value="">Choose a segment…</option>}
            {node.segment && !known && <option value={node.segment}>{node.segment}</option>}
            {segments.map((r) => (
              <option key={r.id} value={r.id}>
                {segmentLabel(r)}
              </option>
            ))}
          </select>
          {dynamic ? (
            <RevisionPicker node={node} revisions={revisions} onPick={(revision) => set({ revision })} />
          ) : (
            node.revision != null && <span className="tag" title="Pinned to this revision of the segment">revision {node.revision}</span>
          )}
        </div>
        <RowMenu at={at} what="segment condition" />
        <RemoveButton onClick={() => remove(at)} what="segment condition" />
      </div>
      {error && <div className="hint">{error}</div>}
      {!error && segments.length === 0 && <div className="hint">The library has no segments of {entity.name} yet: save one first.</div>}
      <Problems at={at} problems={mine} />
    </div>
  );
}
