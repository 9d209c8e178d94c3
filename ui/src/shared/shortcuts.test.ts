import { describe, expect, it } from "vitest";
import { keyLabel, matches, shortcutFor, type KeyInput } from "./shortcuts";

const key = (k: string, mods: Partial<KeyInput> = {}): KeyInput => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods });

describe("shortcuts", () => {
  it("matches Ctrl on Linux and Cmd on a Mac", () => {
    expect(shortcutFor(key("z", { ctrlKey: true }), false, false)).toBe("undo");
    expect(shortcutFor(key("z", { metaKey: true }), false, false)).toBeUndefined();
    expect(shortcutFor(key("z", { metaKey: true }), false, true)).toBe("undo");
    expect(shortcutFor(key("Z", { ctrlKey: true, shiftKey: true }), false, false)).toBe("redo");
    expect(shortcutFor(key("y", { ctrlKey: true }), false, false)).toBe("redo");
    expect(shortcutFor(key("s", { ctrlKey: true }), true, false)).toBe("save");
  });

  it("reads letters by the physical key when Alt changes the character", () => {
    expect(matches(key("ñ", { altKey: true, code: "KeyN" }), "Alt+N", true)).toBe(true);
    expect(shortcutFor(key("ArrowUp", { altKey: true }), true, false)).toBe("moveUp");
    expect(shortcutFor(key("ArrowUp"), false, false)).toBeUndefined();
  });

  it("leaves plain keys to a text field", () => {
    expect(shortcutFor(key("?", { shiftKey: true }), false, false)).toBe("help");
    expect(shortcutFor(key("?", { shiftKey: true }), true, false)).toBeUndefined();
    expect(shortcutFor(key("Delete"), false, false)).toBe("deleteRow");
    expect(shortcutFor(key("Delete"), true, false)).toBeUndefined();
    expect(shortcutFor(key("Delete", { altKey: true }), true, false)).toBe("deleteRow");
  });

  it("shows keys in the platform's words", () => {
    expect(keyLabel("Mod+Shift+Z", false)).toBe("Ctrl+Shift+Z");
    expect(keyLabel("Mod+Shift+Z", true)).toBe("⌘⇧Z");
    expect(keyLabel("Alt+ArrowUp", false)).toBe("Alt+↑");
  });
});
