// The builder screen: the segment bar and the tree of conditions on the left, the count, samples
// and overlap, SQL, the JSON definition and the formats on the right.
import { useMemo } from "react";
import type { EntityStats } from "../../bindings/EntityStats";
import type { SourceInfo } from "../../bindings/SourceInfo";
import { nodeCountMap } from "../../shared/counts";
import { problemsByNode } from "../../shared/tree";
import { Audience } from "../audience/Audience";
import { Explore } from "../explore/Explore";
import { Insight } from "../insight/Insight";
import { countable } from "./incomplete";
import { FormatsPane } from "../formats/FormatsPane";
import { SegmentBar } from "../library/SegmentBar";
import { SidePanel } from "../../SidePanel";
import { Conditions } from "./Conditions";
import { shownProblems, type PreviewState } from "./preview";
import { CountPanel, DefinitionPane, SqlPane } from "./Preview";
import { StatsContext } from "./stats";
import type { SegmentTree } from "./useSegmentTree";

type Props = {
  source: SourceInfo;
  tree: SegmentTree & { segment: NonNullable<SegmentTree["segment"]> };
  preview: PreviewState;
  /** "As of", RFC 3339, when set. */
  now: string | null;
  stats?: EntityStats[];
  /** Switches to another data source (opening a segment saved on it). */
  openData?: (path: string) => Promise<void>;
};

export function BuilderScreen({ source, tree, preview, now, stats, openData }: Props) {
  const { segment } = tree;
  const problems = useMemo(() => problemsByNode(segment, shownProblems(preview)), [segment, preview]);
  // Samples and overlaps explore what is counted: incomplete conditions left out there too.
  const counted = useMemo(() => countable(segment).segment, [segment]);
  // Per-node counts of the newest preview; hidden while a newer one is pending (paths may have moved).
  const nodeCounts = nodeCountMap(preview.pending ? undefined : preview.response?.nodes);
  return (
    <StatsContext.Provider value={{ stats, entity: segment.entity ?? undefined }}>
      <main className="layout">
        <section className="builder" aria-label="Segment conditions" data-testid="builder" tabIndex={-1} onBlur={tree.seal}>
          <SegmentBar source={source} segment={segment} setSegment={tree.setSegment} preview={preview} asOf={now} openData={openData} />
          <Conditions source={source} tree={tree} problems={problems} nodeCounts={nodeCounts} />
        </section>
        <SidePanel label="Count and definition">
          <CountPanel state={preview} entity={segment.entity ?? "records"} source={source.path} />
          <Audience source={source} segment={counted} now={now} valid={preview.response?.count != null} />
          <Explore segment={counted} now={now} valid={preview.response?.count != null} />
          <Insight segment={counted} now={now} valid={preview.response?.count != null} />
          <SqlPane sql={preview.response?.sql} dialect={preview.response?.sql_dialect} />
          <DefinitionPane segment={segment} />
          <FormatsPane segment={segment} now={now} onImport={(s) => tree.replace(s, "imported a definition")} />
        </SidePanel>
      </main>
    </StatsContext.Provider>
  );
}
