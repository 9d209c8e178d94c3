import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { Segment } from "./bindings/Segment";
import type { SourceInfo } from "./bindings/SourceInfo";
import { BuilderContext, type Builder } from "./features/builder/context";
import { GroupEditor } from "./features/builder/GroupEditor";
import { CountPanel, DefinitionPane, SqlPane } from "./features/builder/Preview";
import { Explore } from "./features/explore/Explore";
import { FormatsPane } from "./features/formats/FormatsPane";
import { nodeCountMap } from "./shared/counts";
import { Problems } from "./features/builder/Problems";
import { SegmentBar } from "./features/library/SegmentBar";
import { DataView } from "./features/data/DataView";
import { StatsContext } from "./features/builder/stats";
import type { EntityStats } from "./bindings/EntityStats";
import { builderApi } from "./features/builder/api";
import { dataApi } from "./features/data/api";
import { insideApp, onFilesDropped, toAppError, type AppError } from "./ipc";
import { PreviewSequencer, type PreviewState } from "./features/builder/preview";
import { emptySegment, entityOf, problemsByNode, removeNode, updateGroup as updateGroupIn, updateNode as updateNodeIn } from "./shared/tree";
import type { Group } from "./bindings/Group";
import type { Node } from "./bindings/Node";

/** "2024-05-01T12:00" (a datetime-local value, read as UTC) → RFC 3339. */
function asOfToRfc3339(v: string): string | undefined {
  return v ? `${v.length === 16 ? v + ":00" : v}Z` : undefined;
}

export function App() {
  const [source, setSource] = useState<SourceInfo>();
  const [loadError, setLoadError] = useState<AppError>();
  const [segment, setSegment] = useState<Segment>();
  const [asOf, setAsOf] = useState("");
  const [preview, setPreview] = useState<PreviewState>({ requested: 0, pending: false });
  const sequencer = useRef<PreviewSequencer | null>(null);
  const [view, setView] = useState<"builder" | "data">("builder");
  const [stats, setStats] = useState<EntityStats[]>();
  const [dropped, setDropped] = useState<string[]>([]);

  // Column statistics of the open data source (schema browser, value suggestions).
  useEffect(() => {
    setStats(undefined);
    if (source) dataApi.stats(source.path).then(setStats).catch(() => setStats([]));
  }, [source]);

  // Files dropped anywhere on the window go to the import flow on the Data screen.
  useEffect(() => {
    if (!insideApp()) return;
    let unlisten: (() => void) | undefined;
    onFilesDropped((paths) => {
      setDropped(paths);
      setView("data");
    }).then((u) => (unlisten = u));
    return () => unlisten?.();
  }, []);

  /** Switches to (or reloads) a data source: schema, segment, preview and statistics follow. */
  const openData = useCallback(async (path: string) => {
    const s = await dataApi.open(path);
    setSource(s);
    if (s.default_now) setAsOf(s.default_now.slice(0, 16));
    setSegment((old) => {
      const keep = old?.entity && s.schema.entities.some((e) => e.name === old.entity);
      return keep && path === source?.path ? old : emptySegment(s.default_entity ?? s.schema.entities[0]?.name);
    });
  }, [source?.path]);

  useEffect(() => {
    if (!insideApp()) {
      setLoadError({ kind: "internal", message: "Open this page in the Segment Builder app: it needs the app's data source.", path: null });
      return;
    }
    builderApi
      .getSource()
      .then((s) => {
        setSource(s);
        if (s.default_now) setAsOf(s.default_now.slice(0, 16));
        setSegment(emptySegment(s.default_entity ?? s.schema.entities[0]?.name));
      })
      .catch((e) => setLoadError(toAppError(e)));
  }, []);

  useEffect(() => {
    const s = new PreviewSequencer(builderApi.preview, setPreview);
    sequencer.current = s;
    return () => s.dispose();
  }, []);

  useEffect(() => {
    if (segment) sequencer.current?.schedule({ segment, entity: segment.entity ?? null, now: asOfToRfc3339(asOf) ?? null });
  }, [segment, asOf]);

  const problems = useMemo(
    () => (segment ? problemsByNode(segment, preview.response?.problems ?? []) : new Map()),
    [segment, preview.response],
  );

  const updateNode = useCallback((pointer: string, fn: (node: Node) => Node) => {
    setSegment((s) => (s ? updateNodeIn(s, pointer, fn) : s));
  }, []);
  const updateGroup = useCallback((pointer: string, fn: (group: Group) => Group) => {
    setSegment((s) => (s ? updateGroupIn(s, pointer, fn) : s));
  }, []);
  const remove = useCallback((pointer: string) => {
    setSegment((s) => (s ? removeNode(s, pointer) : s));
  }, []);

  if (loadError) {
    return (
      <div className="app-error" role="alert" data-testid="load-error">
        <h1>Segment Builder</h1>
        <p>{loadError.message}</p>
      </div>
    );
  }
  if (!source || !segment) {
    return (
      <div className="loading" data-testid="loading">
        Opening the data… (on first start the demo data is generated, which takes a few seconds)
      </div>
    );
  }

  const entity = entityOf(source.schema, segment.entity);
  // Per-node counts of the newest preview; hidden while a newer one is pending (paths may have moved).
  const nodeCounts = nodeCountMap(preview.pending ? undefined : preview.response?.nodes);
  const builder: Builder = { source, problems, updateNode, updateGroup, remove, nodeCounts };
  const fileName = source.path.split(/[\\/]/).pop();

  return (
    <BuilderContext.Provider value={builder}>
      <div className="app">
        <header className="topbar">
          <div className="brand">
            <img src="/icon.png" alt="" width={22} height={22} />
            <span>Segment Builder</span>
          </div>
          <label className="field">
            <span>Records</span>
            <select
              className="select"
              data-testid="entity-picker"
              value={segment.entity ?? ""}
              onChange={(e) => setSegment(emptySegment(e.target.value))}
            >
              {source.schema.entities.map((e) => (
                <option key={e.name} value={e.name}>
                  {e.name}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>As of (UTC)</span>
            <input
              type="datetime-local"
              className="input"
              data-testid="as-of"
              value={asOf}
              onChange={(e) => setAsOf(e.target.value)}
              title="Relative dates (“in the last 30 days”) are computed from this instant."
            />
            {source.default_now && asOf !== source.default_now.slice(0, 16) && (
              <button type="button" className="link small" data-testid="as-of-reset" onClick={() => setAsOf(source.default_now!.slice(0, 16))}>
                reset
              </button>
            )}
          </label>
          <div className="source" title={source.path} data-testid="source-path">
            Data: {fileName}
          </div>
          <div className="segmented tabs" role="tablist">
            <button type="button" role="tab" className={view === "builder" ? "on" : ""} aria-selected={view === "builder"} data-testid="tab-builder" onClick={() => setView("builder")}>
              Builder
            </button>
            <button type="button" role="tab" className={view === "data" ? "on" : ""} aria-selected={view === "data"} data-testid="tab-data" onClick={() => setView("data")}>
              Data
            </button>
          </div>
        </header>
        {view === "data" ? (
          <DataView source={source} stats={stats} onOpen={openData} dropped={dropped} onDroppedTaken={() => setDropped([])} />
        ) : (
        <StatsContext.Provider value={{ stats, entity: segment.entity ?? undefined }}>
        <main className="layout">
          <section className="builder" aria-label="Segment conditions" data-testid="builder">
            <SegmentBar source={source} segment={segment} setSegment={setSegment} preview={preview} asOf={asOfToRfc3339(asOf) ?? null} />
            <div className="builder-title">
              <h1>
                {segment.entity} <span className="muted">who match</span>
              </h1>
              <button type="button" className="link" data-testid="clear" onClick={() => setSegment(emptySegment(segment.entity))}>
                Clear all
              </button>
            </div>
            <Problems at="" problems={problems.get("")} />
            {entity ? (
              <GroupEditor group={segment.root} at="/root" entity={entity} depth={0} isRoot />
            ) : (
              <div className="empty">Choose which records to select.</div>
            )}
          </section>
          <aside className="side">
            <CountPanel state={preview} entity={segment.entity ?? "records"} />
            <Explore segment={segment} now={asOfToRfc3339(asOf) ?? null} valid={preview.response?.count != null} />
            <SqlPane sql={preview.response?.sql} />
            <DefinitionPane segment={segment} />
            <FormatsPane segment={segment} now={asOfToRfc3339(asOf) ?? null} onImport={setSegment} />
          </aside>
        </main>
        </StatsContext.Provider>
        )}
      </div>
    </BuilderContext.Provider>
  );
}
