// A row's handle for dragging it and its "⋯" menu: the keyboard way to move, duplicate, wrap and
// delete (each item also has a shortcut, listed in the sheet).
import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import { keyLabel } from "../../shared/shortcuts";
import { useBuilder } from "./context";
import { dragHandle } from "./dnd";
import type { RowAction } from "./useSegmentTree";

const ITEMS: { action: RowAction; label: string; keys?: string }[] = [
  { action: "up", label: "Move up", keys: "Alt+ArrowUp" },
  { action: "down", label: "Move down", keys: "Alt+ArrowDown" },
  { action: "into", label: "Move into the group above" },
  { action: "out", label: "Move out of this group" },
  { action: "duplicate", label: "Duplicate", keys: "Alt+D" },
  { action: "wrap", label: "Wrap in a group" },
  { action: "delete", label: "Delete", keys: "Alt+Delete" },
];

export function DragHandle({ at, what }: { at: string; what: string }) {
  return (
    <span className="drag-handle" title={`Drag to move this ${what}`} aria-hidden="true" data-testid="drag-handle" {...dragHandle(at)}>
      ⠿
    </span>
  );
}

export function RowMenu({ at, what }: { at: string; what: string }) {
  const { act, can } = useBuilder();
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (open) menu.current?.querySelector<HTMLButtonElement>("button:not(:disabled)")?.focus();
  }, [open]);
  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const items = [...(menu.current?.querySelectorAll<HTMLButtonElement>("button:not(:disabled)") ?? [])];
    const i = items.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === "Escape") close(true);
    else if (e.key === "ArrowDown") items[(i + 1) % items.length]?.focus();
    else if (e.key === "ArrowUp") items[(i - 1 + items.length) % items.length]?.focus();
    else return;
    e.preventDefault();
    e.stopPropagation();
  };
  return (
    <span className="row-menu-wrap" onBlur={(e) => !e.currentTarget.contains(e.relatedTarget as Node | null) && setOpen(false)}>
      <button
        ref={button}
        type="button"
        className="icon-button row-menu-button"
        aria-label={`More actions for this ${what}`}
        title="Move, duplicate, wrap in a group"
        aria-haspopup="menu"
        aria-expanded={open}
        data-testid="row-menu"
        onClick={() => setOpen((o) => !o)}
      >
        ⋯
      </button>
      {open && (
        <div className="row-menu" role="menu" ref={menu} onKeyDown={onKey} data-testid="row-menu-list">
          {ITEMS.map(({ action, label, keys }) => (
            <button
              key={action}
              type="button"
              role="menuitem"
              className={"row-menu-item" + (action === "delete" ? " danger" : "")}
              disabled={!can(action, at)}
              data-testid={`row-${action}`}
              onClick={() => {
                close(false);
                act(action, at);
              }}
            >
              <span>{label}</span>
              {keys && <kbd>{keyLabel(keys)}</kbd>}
            </button>
          ))}
        </div>
      )}
    </span>
  );
}
