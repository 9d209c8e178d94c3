// Drag and drop of rows with the browser's own drag events (no library): a row is dragged by its
// handle and dropped before or after another row, or into a group's empty space. The pointer of
// the row being dragged is kept here, since a drag-over event cannot read the dragged data.
// A target accepts the drop on dragenter as well as dragover (as HTML's drag and drop asks):
// WebKit takes the answer of the dragenter when the pointer has just entered an element and no
// dragover followed yet, so a row released right after entering its target is dropped too.
import { useState, type DragEvent } from "react";
import { parentOf, scopeOf } from "../../shared/tree";

let dragging: string | null = null;
const MIME = "application/x-segment-node";

// A row dropped anywhere else must not reach the browser's default, which would open the dragged
// text as a page (and reload the app).
if (typeof document !== "undefined") {
  for (const type of ["dragover", "drop"] as const) {
    document.addEventListener(type, (e) => {
      if (dragging) e.preventDefault();
      if (type === "drop") dragging = null;
    });
  }
}

/** Props of a row's drag handle. */
export function dragHandle(at: string) {
  return {
    draggable: true,
    onDragStart: (e: DragEvent<HTMLElement>) => {
      dragging = at;
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData(MIME, at);
      const row = e.currentTarget.closest("[data-path]");
      if (row && e.dataTransfer.setDragImage) e.dataTransfer.setDragImage(row, 12, 12);
    },
    onDragEnd: () => {
      dragging = null;
    },
  };
}

/** Whether the dragged row may land in the group at `group` (same entity, not inside itself). */
function accepts(group: string): string | null {
  const from = dragging;
  if (!from) return null;
  if (group === from || group.startsWith(from + "/")) return null;
  return scopeOf(parentOf(from)[0]) === scopeOf(group) ? from : null;
}

type Drop = (from: string, toGroup: string, index: number) => void;

/** Props making the row at `at` (a nested group: its head) a drop target: the upper half drops
 * before it, the lower half after it. */
export function useRowDrop(at: string, drop: Drop) {
  const [side, setSide] = useState<"before" | "after" | null>(null);
  const [group, index] = parentOf(at);
  const over = (e: DragEvent<HTMLElement>) => {
    if (dragging === at) return e.stopPropagation(); // over itself: no drop (not "to the end of its group")
    if (!accepts(group)) return;
    e.preventDefault();
    e.stopPropagation();
    const box = e.currentTarget.getBoundingClientRect();
    setSide(e.clientY < box.top + box.height / 2 ? "before" : "after");
  };
  return {
    className: side ? ` drop-${side}` : "",
    onDragEnter: over,
    onDragOver: over,
    onDragLeave: (e: DragEvent<HTMLElement>) => {
      if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setSide(null);
    },
    onDrop: (e: DragEvent<HTMLElement>) => {
      const from = accepts(group);
      setSide(null);
      if (!from) return;
      e.preventDefault();
      e.stopPropagation();
      dragging = null;
      drop(from, group, side === "before" ? index : index + 1);
    },
  };
}

/** Props making the group at `group` a drop target that appends to it (where no row inside
 * takes the drop first). */
export function useGroupEndDrop(group: string, size: number, drop: Drop) {
  const [into, setInto] = useState(false);
  const over = (e: DragEvent<HTMLElement>) => {
    if (dragging && (group === dragging || group.startsWith(dragging + "/"))) return e.stopPropagation(); // over itself: no drop
    if (!accepts(group)) return;
    e.preventDefault();
    e.stopPropagation();
    setInto(true);
  };
  return {
    className: into ? " drop-into" : "",
    onDragEnter: over,
    onDragOver: over,
    onDragLeave: (e: DragEvent<HTMLElement>) => {
      if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setInto(false);
    },
    onDrop: (e: DragEvent<HTMLElement>) => {
      const from = accepts(group);
      setInto(false);
      if (!from) return;
      e.preventDefault();
      e.stopPropagation();
      dragging = null;
      drop(from, group, size);
    },
  };
}
