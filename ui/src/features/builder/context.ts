import { createContext, useContext } from "react";
import type { NodeCountInfo } from "../../bindings/NodeCountInfo";
import type { Problem } from "../../bindings/Problem";
import type { SourceInfo } from "../../bindings/SourceInfo";

export type Builder = {
  source: SourceInfo;
  /** Problems by the pointer of the node they are about. */
  problems: Map<string, Problem[]>;
  /** Replace the value at `pointer` in the segment with `fn(old)`. */
  update: (pointer: string, fn: (old: any) => unknown) => void;
  /** Remove the node at `pointer` from its parent group. */
  remove: (pointer: string) => void;
  /** The newest preview's count of every node alone and of the segment without it. */
  nodeCounts?: Map<string, NodeCountInfo>;
};

export const BuilderContext = createContext<Builder | null>(null);

export function useBuilder(): Builder {
  const b = useContext(BuilderContext);
  if (!b) throw new Error("useBuilder outside BuilderContext");
  return b;
}
