// The only module that talks to the Tauri runtime: commands (`call`), events, the native file
// dialogs (shown by the Rust side, which grants the chosen files) and files dropped on the window. Every command rejects with the one `AppError` of the
// Rust side (generated into bindings/, kinds typed by `ErrorKind`). The typed
// per-feature API objects (features/*/api.ts) are built on `call`; tests mock this module.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { AppError } from "./bindings/AppError";
import type { ErrorKind } from "./bindings/ErrorKind";
import type { FileFilter } from "./bindings/FileFilter";

export type { AppError, ErrorKind };

const isObject = (e: unknown): e is Record<string, unknown> => typeof e === "object" && e !== null;

/** Whether `e` is already an `AppError` (what every command rejects with). */
export function isAppError(e: unknown): e is AppError {
  return isObject(e) && typeof e.kind === "string" && typeof e.message === "string" && typeof e.status === "number";
}

/** Whatever a command rejected with, as an `AppError`: the command's own error as it is (so
 * converting twice changes nothing), anything else (the runtime's own failures) as `internal`. */
export function toAppError(e: unknown): AppError {
  if (isAppError(e)) return e;
  const message = isObject(e) && typeof e.message === "string" ? e.message : e instanceof Error ? e.message : String(e);
  return appError("internal", message);
}

/** An error made on this side (input checked before calling), in the same shape, with the
 * status its kind has on the Rust side. */
export function appError(kind: ErrorKind, message: string): AppError {
  return { kind, message, path: null, status: STATUS[kind] ?? 500, problems: [], definition: null };
}

const STATUS: Partial<Record<ErrorKind, number>> = {
  invalid_request: 400,
  invalid: 400,
  invalid_id: 400,
  malformed_input: 400,
  definition: 400,
  path_not_allowed: 403,
  not_found: 404,
  already_exists: 409,
  revision_conflict: 409,
};

/** Runs a command; a rejection is thrown as an `AppError`. */
export async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toAppError(e);
  }
}

/** Whether the page runs inside the desktop app (and not in a plain browser). */
export function insideApp(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

/** Subscribes to an event of the Rust side; resolves to the unsubscribe function. */
export function subscribe<T>(event: string, f: (payload: T) => void): Promise<() => void> {
  return listen<T>(event, (e) => f(e.payload));
}

/** Files dropped anywhere on the window (paths); resolves to the unsubscribe function. */
export async function onFilesDropped(f: (paths: string[]) => void): Promise<() => void> {
  const { getCurrentWebview } = await import("@tauri-apps/api/webview");
  return getCurrentWebview().onDragDropEvent((e) => {
    if (e.payload.type === "drop" && e.payload.paths.length) f(e.payload.paths);
  });
}

type Filter = FileFilter;

/** A native save/open dialog, shown by the Rust side (which then lets the commands use the chosen
 * file): the path, `null` when the user cancelled, `undefined` when no dialog can be shown (outside
 * the app; the caller then asks for a path in a text field). */
export async function pickFile(kind: "save" | "open", filters: Filter[], defaultPath?: string): Promise<string | null | undefined> {
  try {
    if (kind === "save") {
      const defaultName = defaultPath?.split(/[\\/]/).pop() || null;
      return await invoke<string | null>("pick_save", { default_name: defaultName, filters });
    }
    const picked = await invoke<string[]>("pick_open", { title: "Open", filters, multiple: false });
    return picked[0] ?? null;
  } catch {
    return undefined;
  }
}

/** Several files from the native open dialog (none when cancelled or unavailable). */
export async function pickFiles(title: string, filters: Filter[], multiple: boolean): Promise<string[]> {
  try {
    return await invoke<string[]>("pick_open", { title, filters, multiple });
  } catch {
    return [];
  }
}
