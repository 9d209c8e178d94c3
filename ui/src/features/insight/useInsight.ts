// One insight request at a time: its answer, error and whether it runs; the answer belongs to
// the segment and "as of" it was asked for, so it is dropped when either changes.
import { useEffect, useRef, useState } from "react";
import type { Segment } from "../../bindings/Segment";
import { toAppError, type AppError } from "../../ipc";

export function useInsight<T>(segment: Segment, now: string | null) {
  const [result, setResult] = useState<T>();
  const [error, setError] = useState<AppError>();
  const [busy, setBusy] = useState(false);
  const asked = useRef(0);
  // Keyed by content: an equal tree rebuilt by a re-render keeps the answer.
  const key = JSON.stringify([segment, now]);
  useEffect(() => {
    asked.current += 1;
    setResult(undefined);
    setError(undefined);
    setBusy(false);
  }, [key]);
  const run = async (ask: () => Promise<T>) => {
    const id = ++asked.current;
    setBusy(true);
    setError(undefined);
    try {
      const answer = await ask();
      if (id === asked.current) setResult(answer);
    } catch (e) {
      if (id === asked.current) setError(toAppError(e));
    } finally {
      if (id === asked.current) setBusy(false);
    }
  };
  return { result, error, busy, run };
}
