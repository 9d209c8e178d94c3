import { useEffect, useMemo, useRef, useState } from "react";
import type { PreviewRequest } from "../../bindings/PreviewRequest";
import type { PreviewResponse } from "../../bindings/PreviewResponse";
import type { Segment } from "../../bindings/Segment";
import { toAppError } from "../../ipc";
import { builderApi } from "./api";
import { countable } from "./incomplete";
import { editTimings } from "../../shared/timing";
import { debounceFor, PreviewSequencer, type PreviewState } from "./preview";

/** Counts `request` without its incomplete conditions; paths in the answer are the builder's. */
export async function previewCountable(request: PreviewRequest, send = builderApi.preview): Promise<PreviewResponse> {
  const c = countable(request.segment);
  try {
    const r = await send({ ...request, segment: c.segment });
    return {
      ...r,
      problems: r.problems.map((p) => ({ ...p, path: c.toBuilder(p.path) })),
      nodes: r.nodes && r.nodes.map((n) => ({ ...n, path: c.toBuilder(n.path) })),
    };
  } catch (e) {
    const error = toAppError(e);
    throw error.path ? { ...error, path: c.toBuilder(error.path) } : error;
  }
}

/** The live count of `segment` as of `now` (RFC 3339): every change schedules a preview, and
 * only the newest response is shown. Incomplete conditions are left out (and listed). */
export function usePreview(segment: Segment | undefined, now: string | null): PreviewState {
  const [preview, setPreview] = useState<PreviewState>({ requested: 0, pending: false });
  const sequencer = useRef<PreviewSequencer | null>(null);
  useEffect(() => {
    const s: PreviewSequencer = new PreviewSequencer(
      async (r) => {
        editTimings.sent(r.request_id);
        const response = await previewCountable(r);
        editTimings.answered(r.request_id, response.engine);
        return response;
      },
      setPreview,
      // Short while the loaded engine counts, the longer pause for SQL (and before the first count).
      () => debounceFor(s.state.response?.engine),
    );
    sequencer.current = s;
    return () => s.dispose();
  }, []);
  // The edit is when the new tree is rendered: re-rendering the builder counts as part of it.
  useMemo(() => segment && editTimings.edited(), [segment, now]);
  useEffect(() => {
    if (segment) sequencer.current?.schedule({ segment, entity: segment.entity ?? null, now });
  }, [segment, now]);
  const incomplete = useMemo(() => (segment ? countable(segment).incomplete : []), [segment]);
  return useMemo(
    () => ({
      ...preview,
      incomplete,
      cancel: () => sequencer.current?.cancel(builderApi.cancelPreview),
      recount: () => segment && sequencer.current?.schedule({ segment, entity: segment.entity ?? null, now }),
    }),
    [preview, incomplete, segment, now],
  );
}
