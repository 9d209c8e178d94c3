// The builder's keyboard shortcuts (the list is shared/shortcuts.ts): undo/redo, add, delete,
// move and duplicate the row with the focus, save, the library, the panes and the sheet.
import { useEffect, useRef } from "react";
import { shortcutFor, type ShortcutId } from "../../shared/shortcuts";
import { isTextEntry, rowOf } from "./focus";
import type { SegmentTree } from "./useSegmentTree";

type Options = { tree: SegmentTree; openSheet: () => void; sheetOpen: boolean };

const click = (selector: string, within: ParentNode = document) => {
  const el = within.querySelector<HTMLButtonElement>(selector);
  if (!el || el.disabled) return false;
  el.click();
  return true;
};

/** The group holding the focus (the root when the focus is elsewhere). */
function groupOfFocus(): Element | null {
  return document.activeElement?.closest('[data-testid="group"]') ?? document.querySelector('[data-testid="group"][data-path="/root"]');
}

function addIn(kind: "add-condition" | "add-group") {
  const group = groupOfFocus();
  if (group) click(`:scope > .group-actions [data-testid="${kind}"]`, group);
}

/** Toggles the focus between the conditions and the side panel. */
function nextPane() {
  const side = document.querySelector<HTMLElement>('[data-testid="side-panel"]');
  const builder = document.querySelector<HTMLElement>('[data-testid="builder"]');
  (side?.contains(document.activeElement) ? builder : side)?.focus();
}

export function useBuilderShortcuts({ tree, openSheet, sheetOpen }: Options) {
  const latest = useRef(tree);
  latest.current = tree;
  useEffect(() => {
    const run = (id: ShortcutId, typing: boolean): boolean => {
      const t = latest.current;
      const row = rowOf(document.activeElement);
      switch (id) {
        case "undo":
        case "redo":
          if (typing && t.typing) return false; // the text field's own undo, until it is left
          (id === "undo" ? t.undo : t.redo)();
          return true;
        case "addCondition":
          addIn("add-condition");
          return true;
        case "addGroup":
          addIn("add-group");
          return true;
        case "deleteRow":
          if (row) t.act("delete", row);
          return !!row;
        case "moveUp":
        case "moveDown":
        case "duplicate":
          if (row) t.act(id === "moveUp" ? "up" : id === "moveDown" ? "down" : "duplicate", row);
          return !!row;
        case "save":
          click('[data-testid="seg-save"]');
          return true;
        case "searchLibrary":
          click('[data-testid="open-library"]');
          return true;
        case "nextPane":
          nextPane();
          return true;
        case "help":
          openSheet();
          return true;
        default:
          return false; // the app's (switching screens)
      }
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || sheetOpen || document.querySelector(".overlay")) return;
      const typing = isTextEntry(document.activeElement);
      const id = shortcutFor(e, typing);
      if (id && run(id, typing)) e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [openSheet, sheetOpen]);
}
