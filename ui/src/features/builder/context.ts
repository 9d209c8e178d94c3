import { createContext, useContext } from "react";
import type { Group } from "../../bindings/Group";
import type { Node } from "../../bindings/Node";
import type { NodeCountInfo } from "../../bindings/NodeCountInfo";
import type { Problem } from "../../bindings/Problem";
import type { SourceInfo } from "../../bindings/SourceInfo";
import type { RowAction } from "./useSegmentTree";

export type Builder = {
  source: SourceInfo;
  /** Problems by the pointer of the node they are about. */
  problems: Map<string, Problem[]>;
  /** Replace the node at `pointer` (condition, SQL, relationship, nested group) with `fn(node)`;
   * `ofKind` (shared/tree.ts) types `fn` for one kind of node. */
  updateNode: (pointer: string, fn: (node: Node) => Node) => void;
  /** Replace the group at `pointer` (root, nested group, relationship filter) with `fn(group)`. */
  updateGroup: (pointer: string, fn: (group: Group) => Group) => void;
  /** Remove the node at `pointer` from its parent group. */
  remove: (pointer: string) => void;
  /** Append `node` to the group at `pointer` (and focus it). */
  add: (pointer: string, node: Node) => void;
  /** A row menu's action on the node at `at` (move, duplicate, wrap, delete). */
  act: (action: RowAction, at: string) => void;
  /** Whether `action` is possible for the node at `at` (a menu item is disabled otherwise). */
  can: (action: RowAction, at: string) => boolean;
  /** Drag and drop: the node at `from` into the group at `toGroup`, before its child `index`. */
  moveTo: (from: string, toGroup: string, index: number) => void;
  /** The newest preview's count of every node alone and of the segment without it. */
  nodeCounts?: Map<string, NodeCountInfo>;
};

export const BuilderContext = createContext<Builder | null>(null);

export function useBuilder(): Builder {
  const b = useContext(BuilderContext);
  if (!b) throw new Error("useBuilder outside BuilderContext");
  return b;
}
