// The tree of conditions with its tools: Undo/Redo, Clear all, the shortcut sheet, the toast,
// the keyboard shortcuts and where focus goes after each edit.
import { useCallback, useEffect, useState } from "react";
import type { NodeCountInfo } from "../../bindings/NodeCountInfo";
import type { Problem } from "../../bindings/Problem";
import type { SourceInfo } from "../../bindings/SourceInfo";
import { entityOf } from "../../shared/tree";
import "./builder.css";
import { BuilderContext, type Builder } from "./context";
import { focusRow } from "./focus";
import { GroupEditor } from "./GroupEditor";
import { Problems } from "./Problems";
import { ShortcutSheet } from "./ShortcutSheet";
import { UndoButtons, UndoToast } from "./UndoControls";
import { useBuilderShortcuts } from "./useBuilderShortcuts";
import type { SegmentTree } from "./useSegmentTree";

type Props = {
  source: SourceInfo;
  tree: SegmentTree & { segment: NonNullable<SegmentTree["segment"]> };
  problems: Map<string, Problem[]>;
  nodeCounts?: Map<string, NodeCountInfo>;
};

export function Conditions({ source, tree, problems, nodeCounts }: Props) {
  const { segment, updateNode, updateGroup, remove, add, act, can, moveTo } = tree;
  const entity = entityOf(source.schema, segment.entity);
  const builder: Builder = { source, problems, updateNode, updateGroup, remove, add, act, can, moveTo, nodeCounts };
  const [sheet, setSheet] = useState(false);
  const openSheet = useCallback(() => setSheet(true), []);
  useBuilderShortcuts({ tree, openSheet, sheetOpen: sheet });
  useEffect(() => {
    if (tree.focus) focusRow(tree.focus.at);
  }, [tree.focus]);
  return (
    <BuilderContext.Provider value={builder}>
      <div className="builder-title">
        <h1>
          {segment.entity} <span className="muted">who match</span>
        </h1>
        <span className="builder-tools">
          <UndoButtons {...tree} />
          <button type="button" className="link" data-testid="clear" onClick={tree.clearAll}>
            Clear all
          </button>
          <button type="button" className="icon-button shortcuts-button" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" data-testid="shortcuts-open" onClick={openSheet}>
            ?
          </button>
        </span>
      </div>
      <UndoToast tree={tree} />
      <Problems at="" problems={problems.get("")} />
      {entity ? <GroupEditor group={segment.root} at="/root" entity={entity} depth={0} isRoot /> : <div className="empty">Choose which records to select.</div>}
      {sheet && <ShortcutSheet onClose={() => setSheet(false)} />}
    </BuilderContext.Provider>
  );
}
