import { useEffect, useState } from "react";
import type { Entity } from "../../bindings/Entity";
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

/** "Is (not) in segment S": a segment of the library, counted live beside the row. */
export function InSegmentRow({ node, at, entity }: { node: InSegmentNode; at: string; entity: Entity }) {
  const { updateNode, remove, problems, moveTo } = useBuilder();
  const drop = useRowDrop(at, moveTo);
  const mine = problems.get(at);
  const { segments, error } = useLibrarySegments(entity.name);
  const set = (patch: Partial<InSegmentNode>) => updateNode(at, ofKind("in_segment", (old) => ({ ...old, ...patch })));
  const known = segments.some((r) => r.id === node.segment);
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
          {node.revision !== undefined && <span className="tag" title="Pinned to this revision of the segment">revision {node.revision}</span>}
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
