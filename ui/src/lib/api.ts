// Typed IPC client: the only place the UI talks to the Rust commands. Every type comes from the
// bindings generated from the Rust definitions (see src/bindings, checked for drift by a test).
import { invoke } from "@tauri-apps/api/core";
import type { IpcError } from "../bindings/IpcError";
import type { OverlapRequest } from "../bindings/OverlapRequest";
import type { OverlapResponse } from "../bindings/OverlapResponse";
import type { SampleRequest } from "../bindings/SampleRequest";
import type { SampleResponse } from "../bindings/SampleResponse";
import type { PreviewRequest } from "../bindings/PreviewRequest";
import type { PreviewResponse } from "../bindings/PreviewResponse";
import type { SourceInfo } from "../bindings/SourceInfo";

export function isIpcError(e: unknown): e is IpcError {
  return typeof e === "object" && e !== null && "kind" in e && "message" in e;
}

/** Whatever an invoke rejected with, as an `IpcError`. */
export function toIpcError(e: unknown): IpcError {
  if (isIpcError(e)) return e;
  return { kind: "internal", message: e instanceof Error ? e.message : String(e), path: null };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toIpcError(e);
  }
}

/** Whether the page runs inside the desktop app (and not in a plain browser). */
export function insideApp(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

export const api = {
  getSource: () => call<SourceInfo>("get_source"),
  preview: (request: PreviewRequest) => call<PreviewResponse>("preview", { request }),
  samples: (request: SampleRequest) => call<SampleResponse>("samples", { request }),
  overlap: (request: OverlapRequest) => call<OverlapResponse>("overlap", { request }),
};
