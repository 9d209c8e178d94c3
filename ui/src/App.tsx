import { useEffect, useRef, useState } from "react";
import type { SourceInfo } from "./bindings/SourceInfo";
import { BuilderScreen } from "./features/builder/BuilderScreen";
import { asOfAfterLoad, asOfToRfc3339 } from "./features/builder/preview";
import { usePreview } from "./features/builder/usePreview";
import { useSegmentTree } from "./features/builder/useSegmentTree";
import { DataView } from "./features/data/DataView";
import { useColumnStats } from "./features/data/useColumnStats";
import { useDroppedFiles } from "./features/data/useDroppedFiles";
import { useSource } from "./features/data/useSource";
import { shortcutFor } from "./shared/shortcuts";
import { emptySegment } from "./shared/tree";
import { TopBar, type View } from "./TopBar";

export function App() {
  const tree = useSegmentTree();
  const { segment, setSegment } = tree;
  const [asOf, setAsOf] = useState("");
  const [view, setView] = useState<View>("builder");
  const { source, loadError, openData, connectData } = useSource((s: SourceInfo, samePath: boolean) => {
    // "As of" belongs to the data: the demo data's end date, the clock (empty) for any other.
    setAsOf((typed) => asOfAfterLoad(typed, s.default_now, samePath));
    // The segment stays when its data source is reloaded and still has its entity.
    setSegment((old) => {
      const keep = old?.entity && s.schema.entities.some((e) => e.name === old.entity);
      return keep && samePath ? old : emptySegment(s.default_entity ?? s.schema.entities[0]?.name);
    });
  });
  // A half-typed "as of" is not sent: the last complete one stays in use meanwhile.
  const typedNow = asOfToRfc3339(asOf);
  const lastNow = useRef<string | null>(null);
  if (typedNow !== undefined) lastNow.current = typedNow;
  const now = typedNow === undefined ? lastNow.current : typedNow;
  const preview = usePreview(segment, now);
  const stats = useColumnStats(source);
  const { dropped, take } = useDroppedFiles(() => setView("data"));
  useEffect(() => {
    // Switching screens works everywhere; the builder's own shortcuts are in the builder.
    const onKey = (e: KeyboardEvent) => {
      const id = shortcutFor(e, true);
      if (id !== "showBuilder" && id !== "showData") return;
      e.preventDefault();
      setView(id === "showBuilder" ? "builder" : "data");
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
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
  return (
    <div className="app">
      <TopBar source={source} segment={segment} onEntity={(e) => setSegment(emptySegment(e))} asOf={asOf} setAsOf={setAsOf} view={view} setView={setView} />
      {view === "data" ? (
        <DataView source={source} stats={stats} onOpen={openData} onConnect={connectData} dropped={dropped} onDroppedTaken={take} />
      ) : (
        <BuilderScreen source={source} tree={{ ...tree, segment }} preview={preview} now={now} stats={stats} openData={openData} />
      )}
    </div>
  );
}
