// Undo/redo of edits as a pure value: the present state, the edits before it and the undone
// edits after it, each with a label in words ("deleted group"). Typing in one field is one edit:
// consecutive edits with the same `mergeKey` replace the newest entry until the history is
// sealed (the field loses focus).

export type Entry<T> = { state: T; label: string };

export type History<T> = {
  /** States before the present, oldest first, each with the label of the edit that left it. */
  past: Entry<T>[];
  present: T;
  /** Undone edits, the next to redo last. */
  future: Entry<T>[];
  /** The merge key of the newest edit while it is still open (typing). */
  open?: string;
};

export const LIMIT = 200;

export function start<T>(present: T): History<T> {
  return { past: [], present, future: [] };
}

export type EditOptions = { label: string; mergeKey?: string };

/** `next` as the new present. An edit with the open merge key amends the newest entry. */
export function record<T>(h: History<T>, next: T, { label, mergeKey }: EditOptions): History<T> {
  if (next === h.present) return h;
  if (mergeKey !== undefined && mergeKey === h.open && h.past.length > 0) {
    return { ...h, present: next, future: [] };
  }
  const past = [...h.past, { state: h.present, label }].slice(-LIMIT);
  return { past, present: next, future: [], open: mergeKey };
}

/** Closes the open edit: the next edit is a new entry even with the same merge key. */
export function seal<T>(h: History<T>): History<T> {
  return h.open === undefined ? h : { ...h, open: undefined };
}

export function canUndo<T>(h: History<T>): boolean {
  return h.past.length > 0;
}

export function canRedo<T>(h: History<T>): boolean {
  return h.future.length > 0;
}

/** The history one edit back and the label of the edit undone (null when nothing to undo). */
export function undo<T>(h: History<T>): [History<T>, string] | null {
  const last = h.past[h.past.length - 1];
  if (!last) return null;
  return [{ past: h.past.slice(0, -1), present: last.state, future: [...h.future, { state: h.present, label: last.label }] }, last.label];
}

/** The history one undone edit forward and its label (null when nothing to redo). */
export function redo<T>(h: History<T>): [History<T>, string] | null {
  const next = h.future[h.future.length - 1];
  if (!next) return null;
  return [{ past: [...h.past, { state: h.present, label: next.label }], present: next.state, future: h.future.slice(0, -1) }, next.label];
}

/** The label of the edit Undo would revert, and of the one Redo would apply. */
export function undoLabel<T>(h: History<T>): string | undefined {
  return h.past[h.past.length - 1]?.label;
}

export function redoLabel<T>(h: History<T>): string | undefined {
  return h.future[h.future.length - 1]?.label;
}
