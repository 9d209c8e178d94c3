import { useCallback, useMemo, useRef, useState } from "react";
import type { Group } from "../../bindings/Group";
import type { Node } from "../../bindings/Node";
import type { Segment } from "../../bindings/Segment";
import * as H from "../../shared/history";
import { get } from "../../shared/pointer";
import {
  duplicateNode,
  emptySegment,
  kindWord,
  moveBy,
  moveIntoGroupAbove,
  moveNode,
  moveOutOfGroup,
  parentOf,
  removeNode,
  updateGroup as updateGroupIn,
  updateNode as updateNodeIn,
  wrapInGroup,
  type Placed,
} from "../../shared/tree";
import { typingKey } from "./focus";

/** What a row's menu (and its shortcuts) can do with the node. */
export type RowAction = "up" | "down" | "into" | "out" | "duplicate" | "wrap" | "delete";

/** The message shown after a destructive edit or an undo/redo, with the button that reverses it. */
export type Toast = { text: string; action: "undo" | "redo"; seq: number };

/** Where focus goes after an edit: the first field of the row at `at` (or the add button of the
 * group at `group` when the row is gone and nothing follows it). */
export type FocusRequest = { at: string; seq: number };

const VERBS: Record<RowAction, string> = { up: "moved", down: "moved", into: "moved", out: "moved", duplicate: "duplicated", wrap: "wrapped", delete: "deleted" };

/** The tree after a row action other than delete, and where the node ends up. */
function placeAfter(action: RowAction, s: Segment, at: string): Placed | null {
  switch (action) {
    case "up":
      return moveBy(s, at, -1);
    case "down":
      return moveBy(s, at, 1);
    case "into":
      return moveIntoGroupAbove(s, at);
    case "out":
      return moveOutOfGroup(s, at);
    case "duplicate":
      return duplicateNode(s, at);
    case "wrap":
      return wrapInGroup(s, at);
    case "delete":
      return null;
  }
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The segment being built, replaced whole on every edit, with its undo history. Edits made in the
 * builder are undoable; `setSegment` (opening a segment, a new one, another entity or data source)
 * starts a fresh history, unless it sets the same tree (e.g. saving under a new name).
 */
export function useSegmentTree(initial?: Segment) {
  const [history, setHistory] = useState(() => H.start<Segment | undefined>(initial));
  const [toast, setToast] = useState<Toast | null>(null);
  const [focus, setFocus] = useState<FocusRequest | null>(null);
  const ref = useRef(history);
  const seq = useRef(0);
  const commit = useCallback((next: H.History<Segment | undefined>) => {
    ref.current = next;
    setHistory(next);
  }, []);
  const focusOn = useCallback((at: string) => setFocus({ at, seq: ++seq.current }), []);
  const say = useCallback((text: string, action: Toast["action"]) => setToast({ text, action, seq: ++seq.current }), []);

  /** One undoable edit of the current segment; `fn` returns the new segment or null (no change). */
  const edit = useCallback(
    (fn: (s: Segment) => Segment | null, label: string, mergeKey?: string) => {
      const present = ref.current.present;
      const next = present ? fn(present) : null;
      if (next && next !== present) commit(H.record(ref.current, next, { label, mergeKey }));
      return next;
    },
    [commit],
  );

  const setSegment = useCallback(
    (value: Segment | undefined | ((old: Segment | undefined) => Segment | undefined)) => {
      const old = ref.current.present;
      const next = typeof value === "function" ? value(old) : value;
      if (next === old) return;
      if (old && next && JSON.stringify(old) === JSON.stringify(next)) return commit({ ...ref.current, present: next });
      commit(H.start(next));
      setToast(null);
    },
    [commit],
  );

  const updateNode = useCallback(
    (pointer: string, fn: (node: Node) => Node) => {
      const node = ref.current.present && (get(ref.current.present, pointer) as Node | undefined);
      edit((s) => updateNodeIn(s, pointer, fn), `edited ${kindWord(node)}`, typingKey(pointer));
    },
    [edit],
  );
  const updateGroup = useCallback(
    (pointer: string, fn: (group: Group) => Group) => {
      edit((s) => updateGroupIn(s, pointer, fn), pointer.endsWith("/filter") ? "edited related records condition" : "edited group", typingKey(pointer));
    },
    [edit],
  );
  /** Appends `node` to the group at `pointer` and focuses it. */
  const add = useCallback(
    (pointer: string, node: Node) => {
      const count = (get(ref.current.present, pointer) as Group | undefined)?.children.length ?? 0;
      if (edit((s) => updateGroupIn(s, pointer, (g) => ({ ...g, children: [...g.children, node] })), `added ${kindWord(node)}`)) {
        focusOn(`${pointer}/children/${count}`);
      }
    },
    [edit, focusOn],
  );
  const remove = useCallback(
    (pointer: string) => {
      const present = ref.current.present;
      const label = `deleted ${kindWord(present && (get(present, pointer) as Node | undefined))}`;
      if (!edit((s) => removeNode(s, pointer), label)) return;
      const [group, index] = parentOf(pointer);
      const left = (get(ref.current.present, group) as Group | undefined)?.children.length ?? 0;
      // The next row takes the deleted one's place; after the last row, the one before it.
      focusOn(index < left ? pointer : index > 0 ? `${group}/children/${index - 1}` : group);
      say(capital(label), "undo");
    },
    [edit, focusOn, say],
  );
  const clearAll = useCallback(() => {
    if (edit((s) => (s.root.children.length ? emptySegment(s.entity) : null), "cleared all")) say("Cleared all conditions", "undo");
  }, [edit, say]);
  /** Replaces the whole tree as one undoable edit (e.g. a definition imported from a format). */
  const replace = useCallback((next: Segment, label: string) => void edit(() => next, label), [edit]);

  const place = useCallback(
    (placed: Placed | null, label: string) => {
      if (!placed) return;
      commit(H.record(ref.current, placed.segment, { label }));
      focusOn(placed.at);
    },
    [commit, focusOn],
  );
  const moveTo = useCallback(
    (from: string, toGroup: string, index: number) => {
      const s = ref.current.present;
      if (s) place(moveNode(s, from, toGroup, index), `moved ${kindWord(get(s, from) as Node)}`);
    },
    [place],
  );
  const act = useCallback(
    (action: RowAction, at: string) => {
      const s = ref.current.present;
      if (!s) return;
      if (action === "delete") return remove(at);
      place(placeAfter(action, s, at), `${VERBS[action]} ${kindWord(get(s, at) as Node | undefined)}`);
    },
    [place, remove],
  );
  const can = useCallback((action: RowAction, at: string) => {
    const s = ref.current.present;
    return !!s && (action === "delete" || placeAfter(action, s, at) !== null);
  }, []);

  const step = useCallback(
    (dir: "undo" | "redo") => {
      const done = (dir === "undo" ? H.undo : H.redo)(ref.current);
      if (!done) return;
      commit(done[0]);
      say(`${dir === "undo" ? "Undone" : "Redone"}: ${done[1]}`, dir === "undo" ? "redo" : "undo");
    },
    [commit, say],
  );
  const undo = useCallback(() => step("undo"), [step]);
  const redo = useCallback(() => step("redo"), [step]);
  const seal = useCallback(() => commit(H.seal(ref.current)), [commit]);
  const dismissToast = useCallback(() => setToast(null), []);

  return useMemo(
    () => ({
      segment: history.present,
      setSegment,
      updateNode,
      updateGroup,
      add,
      remove,
      clearAll,
      replace,
      moveTo,
      act,
      can,
      undo,
      redo,
      seal,
      /** Text typed in a field is not committed yet (the field keeps its own Ctrl+Z meanwhile). */
      typing: history.open !== undefined,
      canUndo: H.canUndo(history),
      canRedo: H.canRedo(history),
      undoLabel: H.undoLabel(history),
      redoLabel: H.redoLabel(history),
      toast,
      dismissToast,
      focus,
    }),
    [history, setSegment, updateNode, updateGroup, add, remove, clearAll, replace, moveTo, act, can, undo, redo, seal, toast, dismissToast, focus],
  );
}

export type SegmentTree = ReturnType<typeof useSegmentTree>;
