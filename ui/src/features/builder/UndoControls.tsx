// Undo and Redo beside "Clear all", and the toast after a destructive edit or an undo
// ("Undone: deleted group · Redo").
import { useEffect } from "react";
import { keyLabel } from "../../shared/shortcuts";
import type { SegmentTree } from "./useSegmentTree";

type Props = Pick<SegmentTree, "undo" | "redo" | "canUndo" | "canRedo" | "undoLabel" | "redoLabel">;

export function UndoButtons({ undo, redo, canUndo, canRedo, undoLabel, redoLabel }: Props) {
  return (
    <span className="undo-buttons">
      <button type="button" className="btn small" disabled={!canUndo} onClick={undo} data-testid="undo" title={`Undo${undoLabel ? ` ${undoLabel}` : ""} (${keyLabel("Mod+Z")})`}>
        ↶ Undo
      </button>
      <button type="button" className="btn small" disabled={!canRedo} onClick={redo} data-testid="redo" title={`Redo${redoLabel ? ` ${redoLabel}` : ""} (${keyLabel("Mod+Shift+Z")})`}>
        ↷ Redo
      </button>
    </span>
  );
}

/** Hides itself after a while; its button reverses what it reports. */
export function UndoToast({ tree }: { tree: Pick<SegmentTree, "toast" | "dismissToast" | "undo" | "redo"> }) {
  const { toast, dismissToast } = tree;
  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(dismissToast, 8000);
    return () => clearTimeout(timer);
  }, [toast, dismissToast]);
  if (!toast) return null;
  const reverse = toast.action === "undo" ? tree.undo : tree.redo;
  return (
    <div className="undo-toast" role="status" data-testid="undo-toast">
      <span data-testid="undo-toast-text">{toast.text}</span>
      <button type="button" className="link" data-testid={`toast-${toast.action}`} onClick={reverse}>
        {toast.action === "undo" ? "Undo" : "Redo"}
      </button>
      <button type="button" className="icon-button" aria-label="Dismiss" onClick={dismissToast}>
        ×
      </button>
    </div>
  );
}
