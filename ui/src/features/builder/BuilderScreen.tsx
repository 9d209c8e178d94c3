// The builder screen: the segment bar and the tree of conditions on the left, the count, samples
// and overlap, SQL, the JSON definition and the formats on the right.
import { useMemo } from "react";
import type { EntityStats } from "../../bindings/EntityStats";
import type { SourceInfo } from "../../bindings/SourceInfo";
import { nodeCountMap } from "../../shared/counts";
import { emptySegment, entityOf, problemsByNode } from "../../shared/tree";
import { Explore } from "../explore/Explore";
import { FormatsPane } from "../formats/FormatsPane";
import { SegmentBar } from "../library/SegmentBar";
import { BuilderContext, type Builder } from "./context";
import { GroupEditor } from "./GroupEditor";
import type { PreviewState } from "./preview";
import { CountPanel, DefinitionPane, SqlPane } from "./Preview";
import { Problems } from "./Problems";
import { StatsContext } from "./stats";
import type { SegmentTree } from "./useSegmentTree";

type Props = {
  source: SourceInfo;
  tree: SegmentTree & { segment: NonNullable<SegmentTree["segment"]> };
  preview: PreviewState;
  /** "As of", RFC 3339, when set. */
  now: string | null;
  stats?: EntityStats[];
};

export function BuilderScreen({ source, tree, preview, now, stats }: Props) {
  const { segment, setSegment, updateNode, updateGroup, remove } = tree;
  const problems = useMemo(() => problemsByNode(segment, preview.response?.problems ?? []), [segment, preview.response]);
  const entity = entityOf(source.schema, segment.entity);
  // Per-node counts of the newest preview; hidden while a newer one is pending (paths may have moved).
  const nodeCounts = nodeCountMap(preview.pending ? undefined : preview.response?.nodes);
  const builder: Builder = { source, problems, updateNode, updateGroup, remove, nodeCounts };
  return (
    <BuilderContext.Provider value={builder}>
      <StatsContext.Provider value={{ stats, entity: segment.entity ?? undefined }}>
        <main className="layout">
          <section className="builder" aria-label="Segment conditions" data-testid="builder">
            <SegmentBar source={source} segment={segment} setSegment={setSegment} preview={preview} asOf={now} />
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
            <Explore segment={segment} now={now} valid={preview.response?.count != null} />
            <SqlPane sql={preview.response?.sql} />
            <DefinitionPane segment={segment} />
            <FormatsPane segment={segment} now={now} onImport={setSegment} />
          </aside>
        </main>
      </StatsContext.Provider>
    </BuilderContext.Provider>
  );
}
