// The colour theme: "system" follows the operating system (prefers-color-scheme), "light" and
// "dark" force one. The choice is remembered in localStorage; the theme in use is the
// data-theme attribute of <html>, which styles.css reads ([data-theme="dark"]).
import { useEffect, useState } from "react";

export type ThemeChoice = "system" | "light" | "dark";
export type Theme = "light" | "dark";

export const THEME_KEY = "segment-builder.theme";
const DARK_QUERY = "(prefers-color-scheme: dark)";

export function storedChoice(): ThemeChoice {
  try {
    const v = localStorage.getItem(THEME_KEY);
    return v === "light" || v === "dark" ? v : "system";
  } catch {
    return "system";
  }
}

function systemPrefersDark(): boolean {
  return typeof matchMedia === "function" && matchMedia(DARK_QUERY).matches;
}

/** The theme a choice means now. */
export function resolveTheme(choice: ThemeChoice, prefersDark: boolean = systemPrefersDark()): Theme {
  return choice === "system" ? (prefersDark ? "dark" : "light") : choice;
}

export function applyTheme(choice: ThemeChoice): Theme {
  const theme = resolveTheme(choice);
  document.documentElement.dataset.theme = theme;
  return theme;
}

/** The remembered choice, applied; changing it applies and stores it; with "system" the theme
 * follows the operating system's setting as it changes. */
export function useTheme() {
  const [choice, setChoice] = useState<ThemeChoice>(storedChoice);
  const [theme, setTheme] = useState<Theme>(() => resolveTheme(choice));
  useEffect(() => {
    setTheme(applyTheme(choice));
    try {
      if (choice === "system") localStorage.removeItem(THEME_KEY);
      else localStorage.setItem(THEME_KEY, choice);
    } catch {
      // Storage refused (private mode): the choice holds for this session.
    }
    if (choice !== "system" || typeof matchMedia !== "function") return;
    const query = matchMedia(DARK_QUERY);
    const follow = () => setTheme(applyTheme("system"));
    query.addEventListener?.("change", follow);
    return () => query.removeEventListener?.("change", follow);
  }, [choice]);
  return { choice, setChoice, theme };
}

// Before the first paint (the loading screen too): the remembered theme.
if (typeof document !== "undefined") applyTheme(storedChoice());
