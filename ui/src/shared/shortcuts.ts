// Keyboard shortcuts as data: what each does and its keys. "Mod" is Cmd on a Mac and Ctrl
// elsewhere. A plain key ("Delete", "?") is the text field's own while typing; combinations work
// everywhere. The sheet (`?`) lists them from here.

export type ShortcutId =
  | "undo"
  | "redo"
  | "addCondition"
  | "addGroup"
  | "deleteRow"
  | "moveUp"
  | "moveDown"
  | "duplicate"
  | "save"
  | "searchLibrary"
  | "showBuilder"
  | "showData"
  | "nextPane"
  | "help"
  | "timing";

export type Shortcut = { id: ShortcutId; keys: string[]; label: string };

export const SHORTCUTS: Shortcut[] = [
  { id: "undo", keys: ["Mod+Z"], label: "Undo" },
  { id: "redo", keys: ["Mod+Shift+Z", "Mod+Y"], label: "Redo" },
  { id: "addCondition", keys: ["Alt+N"], label: "Add a condition (to the group you are in)" },
  { id: "addGroup", keys: ["Alt+G"], label: "Add a group" },
  { id: "deleteRow", keys: ["Alt+Delete", "Delete"], label: "Delete the condition you are in" },
  { id: "moveUp", keys: ["Alt+ArrowUp"], label: "Move the condition up" },
  { id: "moveDown", keys: ["Alt+ArrowDown"], label: "Move the condition down" },
  { id: "duplicate", keys: ["Alt+D"], label: "Duplicate the condition" },
  { id: "save", keys: ["Mod+S"], label: "Save the segment" },
  { id: "searchLibrary", keys: ["Mod+K"], label: "Search the segment library" },
  { id: "showBuilder", keys: ["Mod+1"], label: "Show the builder" },
  { id: "showData", keys: ["Mod+2"], label: "Show the data" },
  { id: "nextPane", keys: ["F6"], label: "Move between the conditions and the count panel" },
  { id: "help", keys: ["?"], label: "Show these shortcuts" },
  { id: "timing", keys: ["Mod+Shift+D"], label: "Timing: last edits (how long each count took to appear)" },
];

export type KeyInput = { key: string; code?: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean; shiftKey: boolean };

export const IS_MAC = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform);

/** Whether the key event is the combination `combo` ("Mod+Shift+Z", "Alt+ArrowUp", "?"). */
export function matches(e: KeyInput, combo: string, mac = IS_MAC): boolean {
  const parts = combo.split("+");
  const key = parts[parts.length - 1];
  const mods = new Set(parts.slice(0, -1));
  const mod = mac ? e.metaKey : e.ctrlKey;
  if (key === "?") return e.key === "?" && !e.ctrlKey && !e.metaKey && !e.altKey;
  if (mod !== mods.has("Mod") || e.altKey !== mods.has("Alt") || e.shiftKey !== mods.has("Shift")) return false;
  if ((mac ? e.ctrlKey : e.metaKey) && !mods.has("Mod")) return false;
  if (key.length === 1) {
    // By the physical key too: Alt+N types "ñ" on a Mac, Shift+Z reports "Z".
    const code = /[A-Z]/.test(key) ? `Key${key}` : /[0-9]/.test(key) ? `Digit${key}` : undefined;
    return e.key.toLowerCase() === key.toLowerCase() || (code !== undefined && e.code === code);
  }
  return e.key === key;
}

/** The shortcut a key event triggers, if any; `typing`: the focus is in a text field. */
export function shortcutFor(e: KeyInput, typing: boolean, mac = IS_MAC): ShortcutId | undefined {
  return SHORTCUTS.find((s) => s.keys.some((k) => (!typing || !isPlain(k)) && matches(e, k, mac)))?.id;
}

/** A key without modifier that types or edits text (not a function key). */
function isPlain(combo: string): boolean {
  return !combo.includes("+") && !/^F\d+$/.test(combo);
}

/** The keys as shown to people: "Ctrl+Shift+Z", "⌘⇧Z" on a Mac, "Alt+↑". */
export function keyLabel(combo: string, mac = IS_MAC): string {
  const names: Record<string, string> = mac
    ? { Mod: "⌘", Shift: "⇧", Alt: "⌥", ArrowUp: "↑", ArrowDown: "↓", Delete: "⌦" }
    : { Mod: "Ctrl", ArrowUp: "↑", ArrowDown: "↓" };
  return combo
    .split("+")
    .map((p) => names[p] ?? p)
    .join(mac ? "" : "+");
}
