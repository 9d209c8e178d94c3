// @vitest-environment jsdom
// The theme picker: System follows prefers-color-scheme (and its changes), Light and Dark force
// a theme, the choice is remembered in localStorage and applied as <html data-theme>.
import { act, cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ThemePicker } from "./TopBar";
import { resolveTheme, storedChoice, THEME_KEY } from "./theme";

let prefersDark = false;
const listeners = new Set<() => void>();

beforeEach(() => {
  localStorage.clear();
  prefersDark = false;
  listeners.clear();
  vi.stubGlobal("matchMedia", (query: string) => ({
    media: query,
    get matches() {
      return prefersDark;
    },
    addEventListener: (_: string, f: () => void) => listeners.add(f),
    removeEventListener: (_: string, f: () => void) => listeners.delete(f),
  }));
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const html = () => document.documentElement.dataset.theme;

describe("theme", () => {
  it("resolves a choice against the system preference", () => {
    expect(resolveTheme("system", true)).toBe("dark");
    expect(resolveTheme("system", false)).toBe("light");
    expect(resolveTheme("light", true)).toBe("light");
    expect(resolveTheme("dark", false)).toBe("dark");
  });

  it("follows the system by default, also when the system changes", () => {
    prefersDark = true;
    render(<ThemePicker />);
    expect(screen.getByLabelText("Theme")).toHaveProperty("value", "system");
    expect(html()).toBe("dark");
    prefersDark = false;
    act(() => listeners.forEach((f) => f()));
    expect(html()).toBe("light");
    expect(localStorage.getItem(THEME_KEY)).toBeNull();
  });

  it("forces and remembers Light or Dark, and goes back to the system", async () => {
    render(<ThemePicker />);
    expect(html()).toBe("light");
    await userEvent.selectOptions(screen.getByLabelText("Theme"), "dark");
    expect(html()).toBe("dark");
    expect(localStorage.getItem(THEME_KEY)).toBe("dark");
    // A forced theme ignores the system's changes.
    prefersDark = false;
    act(() => listeners.forEach((f) => f()));
    expect(html()).toBe("dark");
    cleanup();
    // The next start reads it back.
    expect(storedChoice()).toBe("dark");
    render(<ThemePicker />);
    expect(screen.getByLabelText("Theme")).toHaveProperty("value", "dark");
    await userEvent.selectOptions(screen.getByLabelText("Theme"), "system");
    expect(html()).toBe("light");
    expect(localStorage.getItem(THEME_KEY)).toBeNull();
  });
});
