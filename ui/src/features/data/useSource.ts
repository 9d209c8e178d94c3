// The open data source: loaded once on start (get_source), then switched or reloaded by
// `openData` (open_data). `onLoaded` hears every load, with whether it was the same file again.
import { useCallback, useEffect, useRef, useState } from "react";
import type { SourceInfo } from "../../bindings/SourceInfo";
import { appError, insideApp, toAppError, type AppError } from "../../ipc";
import { builderApi } from "../builder/api";
import type { ConnectionRequest } from "../../bindings/ConnectionRequest";
import { dataApi } from "./api";
import { connectionsApi } from "./connectionsApi";

export function useSource(onLoaded: (source: SourceInfo, samePath: boolean) => void) {
  const [source, setSource] = useState<SourceInfo>();
  const [loadError, setLoadError] = useState<AppError>();
  const path = useRef<string | undefined>(undefined);
  const loaded = useRef(onLoaded);
  useEffect(() => {
    loaded.current = onLoaded;
  });

  const accept = useCallback((s: SourceInfo, at: string) => {
    const same = at === path.current;
    path.current = at;
    setSource(s);
    loaded.current(s, same);
  }, []);

  useEffect(() => {
    if (!insideApp()) {
      setLoadError(appError("internal", "Open this page in the Segment Builder app: it needs the app's data source."));
      return;
    }
    builderApi
      .getSource()
      .then((s) => accept(s, s.path))
      .catch((e) => setLoadError(toAppError(e)));
  }, [accept]);

  /** Switches to (or reloads) a data source: schema, segment, preview and statistics follow. */
  const openData = useCallback(async (at: string) => accept(await dataApi.open(at), at), [accept]);

  /** Connects to a warehouse (PostgreSQL, Spark) and counts there from now on. */
  const connectData = useCallback(
    async (request: ConnectionRequest) => {
      const s = await connectionsApi.connect(request);
      accept(s, s.path);
    },
    [accept],
  );

  return { source, loadError, openData, connectData };
}
