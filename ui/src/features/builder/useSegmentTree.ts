import { useCallback, useState } from "react";
import type { Group } from "../../bindings/Group";
import type { Node } from "../../bindings/Node";
import type { Segment } from "../../bindings/Segment";
import { removeNode, updateGroup as updateGroupIn, updateNode as updateNodeIn } from "../../shared/tree";

/** The segment being built, replaced whole on every edit; the typed edits are stable callbacks. */
export function useSegmentTree(initial?: Segment) {
  const [segment, setSegment] = useState<Segment | undefined>(initial);
  const updateNode = useCallback((pointer: string, fn: (node: Node) => Node) => {
    setSegment((s) => (s ? updateNodeIn(s, pointer, fn) : s));
  }, []);
  const updateGroup = useCallback((pointer: string, fn: (group: Group) => Group) => {
    setSegment((s) => (s ? updateGroupIn(s, pointer, fn) : s));
  }, []);
  const remove = useCallback((pointer: string) => {
    setSegment((s) => (s ? removeNode(s, pointer) : s));
  }, []);
  return { segment, setSegment, updateNode, updateGroup, remove };
}

export type SegmentTree = ReturnType<typeof useSegmentTree>;
