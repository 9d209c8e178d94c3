import { useEffect, useRef, useState } from "react";
import type { EngineProgress } from "../../bindings/EngineProgress";
import { builderApi } from "./api";

/** Whether a count's notice says the engine was still loading the data (it counted with SQL). */
export function engineWasLoading(notice: string | null | undefined): boolean {
  return !!notice && notice.startsWith("the count engine is still loading");
}

function timeLeft(seconds: number): string {
  return seconds >= 120 ? `about ${Math.ceil(seconds / 60)} min left` : `about ${seconds} s left`;
}

/** "Loading the data into memory: 38% · about 25 s left", asked every second while the engine
 * loads (counts use SQL meanwhile); once the data is loaded, `onLoaded` (the builder counts
 * again, in memory). */
export function EngineLoading({
  onLoaded,
  poll = builderApi.engineProgress,
  everyMs = 1000,
}: {
  onLoaded?: () => void;
  poll?: () => Promise<EngineProgress | null>;
  everyMs?: number;
}) {
  const [progress, setProgress] = useState<EngineProgress | null>(null);
  const loaded = useRef(onLoaded);
  loaded.current = onLoaded;
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      let next: EngineProgress | null;
      try {
        next = await poll();
      } catch {
        return; // the data was closed or replaced: nothing more to say
      }
      if (stopped) return;
      if (next === null) {
        loaded.current?.();
        return;
      }
      setProgress(next);
      timer = setTimeout(tick, everyMs);
    };
    timer = setTimeout(tick, 0);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [poll, everyMs]);
  const percent = progress ? Math.floor(progress.percent) : 0;
  return (
    <div className="engine-loading" data-testid="engine-loading" title={progress?.text}>
      <div>
        Loading the data into memory{progress ? `: ${percent}%` : "…"}
        {progress?.seconds_left != null && ` · ${timeLeft(progress.seconds_left)}`}
      </div>
      <div className="bar engine-loading-bar" aria-hidden="true">
        <div className="bar-fill" style={{ width: `${percent}%` }} />
      </div>
      <div className="hint">Counts use SQL until then, so they take longer.</div>
    </div>
  );
}
