// The only module that talks to the Tauri runtime: commands (`call`), events, the native file
// dialogs and files dropped on the window. Every command's rejection becomes one `AppError`,
// whichever Rust error type it came from (IpcError, LibraryError, DefinitionError). The typed
// per-feature API objects (features/*/api.ts) are built on `call`; tests mock this module.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { DefinitionError } from "./bindings/DefinitionError";
import type { LineProblem } from "./bindings/LineProblem";

/** Any failure of a command, in one shape. */
export type AppError = {
  /** The `ErrorKind` of the app's commands (`invalid_request`, `cancelled`…), the library's kind
   * (`revision_conflict`, `not_found`…), or `definition` for a definition that does not import. */
  kind: string;
  message: string;
  /** JSON Pointer of the node concerned, when there is one. */
  path: string | null;
  /** Library calls: 400 bad input, 404 not found, 409 conflict, 500 otherwise. */
  status?: number;
  /** Library calls: each problem of a rejected input with its line. */
  problems?: LineProblem[];
  /** `import_definition`: where the input stops reading (format, line/column, hint). */
  definition?: DefinitionError;
};

const isObject = (e: unknown): e is Record<string, unknown> => typeof e === "object" && e !== null;

/** Whatever a command rejected with, as an `AppError`. */
export function toAppError(e: unknown): AppError {
  if (isObject(e) && typeof e.message === "string") {
    const message = e.message;
    // Already an AppError (a caller normalising again): as it is, its `definition` kept.
    if (e.kind === "definition" && isObject(e.definition)) return { ...(e as unknown as AppError) };
    if ("line" in e && "hint" in e) {
      const definition = e as unknown as DefinitionError;
      return { kind: "definition", message, path: definition.path, definition };
    }
    const path = typeof e.path === "string" ? e.path : null;
    const kind = typeof e.kind === "string" ? e.kind : "internal";
    const out: AppError = { kind, message, path };
    if (typeof e.status === "number") out.status = e.status;
    if (Array.isArray(e.problems)) out.problems = e.problems as LineProblem[];
    return out;
  }
  return { kind: "internal", message: e instanceof Error ? e.message : String(e), path: null };
}

/** An error made on this side (input checked before calling), in the same shape. */
export function appError(kind: string, message: string, status?: number): AppError {
  return status === undefined ? { kind, message, path: null } : { kind, message, path: null, status, problems: [] };
}

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

type Filter = { name: string; extensions: string[] };

/** A native save/open dialog when the dialog plugin is available; `undefined` when it is not
 * (the caller then asks for a path in a text field), `null` when the user cancelled. */
export async function pickFile(kind: "save" | "open", filters: Filter[], defaultPath?: string): Promise<string | null | undefined> {
  try {
    const dialog = await import("@tauri-apps/plugin-dialog");
    if (kind === "save") return await dialog.save({ defaultPath, filters });
    const picked = await dialog.open({ multiple: false, directory: false, filters });
    return typeof picked === "string" ? picked : null;
  } catch {
    return undefined;
  }
}

/** Several files from the native open dialog (none when cancelled or unavailable). */
export async function pickFiles(title: string, filters: Filter[], multiple: boolean): Promise<string[]> {
  try {
    const { open } = await import("@tauri-apps/plugin-dialog");
    const picked = await open({ multiple, title, filters });
    return picked === null ? [] : Array.isArray(picked) ? picked : [picked];
  } catch {
    return [];
  }
}
