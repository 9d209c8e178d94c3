import { describe, expect, it, vi } from "vitest";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));
vi.mock("@tauri-apps/api/event", () => ({ listen: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { call, toAppError } from "./ipc";

describe("one error shape", () => {
  it("keeps an IpcError's kind, message and path", () => {
    expect(toAppError({ kind: "cancelled", message: "newer request", path: "/root" })).toEqual({ kind: "cancelled", message: "newer request", path: "/root" });
  });

  it("keeps a LibraryError's status and problems", () => {
    const e = toAppError({ kind: "revision_conflict", status: 409, message: "conflict", problems: [] });
    expect(e).toEqual({ kind: "revision_conflict", message: "conflict", path: null, status: 409, problems: [] });
  });

  it("keeps a DefinitionError whole, as `definition`", () => {
    const d = { message: "unexpected token", format: "odata", line: 1, column: 5, path: null, hint: "quote text" };
    expect(toAppError(d)).toEqual({ kind: "definition", message: "unexpected token", path: null, definition: d });
  });

  it("is idempotent: normalising an AppError again keeps it whole", () => {
    const shapes = [
      { kind: "cancelled", message: "newer request", path: "/root" },
      { kind: "revision_conflict", status: 409, message: "conflict", problems: [] },
      { message: "unexpected token", format: "odata", line: 2, column: 11, path: null, hint: null },
      "boom",
    ];
    for (const e of shapes) expect(toAppError(toAppError(e))).toEqual(toAppError(e));
  });

  it("turns strings and Errors into internal errors", () => {
    expect(toAppError("boom")).toEqual({ kind: "internal", message: "boom", path: null });
    expect(toAppError(new Error("bad"))).toEqual({ kind: "internal", message: "bad", path: null });
  });

  it("call rejects with the normalised error", async () => {
    vi.mocked(invoke).mockRejectedValueOnce("no such command");
    await expect(call("nope")).rejects.toEqual({ kind: "internal", message: "no such command", path: null });
    vi.mocked(invoke).mockResolvedValueOnce(42);
    await expect(call<number>("answer", { q: 1 })).resolves.toBe(42);
    expect(invoke).toHaveBeenLastCalledWith("answer", { q: 1 });
  });
});
