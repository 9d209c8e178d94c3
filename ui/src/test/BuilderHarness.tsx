// Renders the tree editor over a live segment (the real hook and context), for component tests:
// `segment()` is the segment after the edits made through the UI.
import { cleanup, render } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useEffect } from "react";
import { afterEach } from "vitest";
import type { EntityStats } from "../bindings/EntityStats";
import type { Problem } from "../bindings/Problem";
import type { Segment } from "../bindings/Segment";
import type { SourceInfo } from "../bindings/SourceInfo";
import { BuilderContext, type Builder } from "../features/builder/context";
import { GroupEditor } from "../features/builder/GroupEditor";
import { StatsContext } from "../features/builder/stats";
import { useSegmentTree } from "../features/builder/useSegmentTree";
import { entityOf, problemsByNode } from "../shared/tree";
import { SOURCE } from "./fixtures";

afterEach(cleanup);

type Options = { source?: SourceInfo; problems?: Problem[]; stats?: EntityStats[] };

function Harness({ initial, source, problems, stats, onChange }: Required<Omit<Options, "stats">> & { initial: Segment; stats?: EntityStats[]; onChange: (s: Segment) => void }) {
  const tree = useSegmentTree(initial);
  const segment = tree.segment!;
  useEffect(() => {
    onChange(segment);
  }, [segment, onChange]);
  const builder: Builder = {
    source,
    problems: problemsByNode(segment, problems),
    updateNode: tree.updateNode,
    updateGroup: tree.updateGroup,
    remove: tree.remove,
    add: tree.add,
    act: tree.act,
    can: tree.can,
    moveTo: tree.moveTo,
  };
  return (
    <BuilderContext.Provider value={builder}>
      <StatsContext.Provider value={{ stats, entity: segment.entity }}>
        <GroupEditor group={segment.root} at="/root" entity={entityOf(source.schema, segment.entity)!} depth={0} isRoot />
      </StatsContext.Provider>
    </BuilderContext.Provider>
  );
}

export function renderBuilder(initial: Segment, { source = SOURCE, problems = [], stats }: Options = {}) {
  let current = initial;
  const user = userEvent.setup();
  const view = render(<Harness initial={initial} source={source} problems={problems} stats={stats} onChange={(s) => (current = s)} />);
  return { ...view, user, segment: () => current };
}
