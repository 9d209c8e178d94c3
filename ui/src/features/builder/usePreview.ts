import { useEffect, useRef, useState } from "react";
import type { Segment } from "../../bindings/Segment";
import { builderApi } from "./api";
import { PreviewSequencer, type PreviewState } from "./preview";

/** The live count of `segment` as of `now` (RFC 3339): every change schedules a preview, and
 * only the newest response is shown. */
export function usePreview(segment: Segment | undefined, now: string | null): PreviewState {
  const [preview, setPreview] = useState<PreviewState>({ requested: 0, pending: false });
  const sequencer = useRef<PreviewSequencer | null>(null);
  useEffect(() => {
    const s = new PreviewSequencer(builderApi.preview, setPreview);
    sequencer.current = s;
    return () => s.dispose();
  }, []);
  useEffect(() => {
    if (segment) sequencer.current?.schedule({ segment, entity: segment.entity ?? null, now });
  }, [segment, now]);
  return preview;
}
