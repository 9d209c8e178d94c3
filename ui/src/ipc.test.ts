import { describe, expect, it, vi } from "vitest";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));
vi.mock("@tauri-apps/api/event", () => ({ listen: vi.fn() }));

import { invoke } from "@tauri-apps/api/core";
import { appError, call, pickFile, pickFiles, toAppError, type AppError } from "./ipc";

const conflict: AppError = { kind: "revision_conflict", message: "conflict", path: null, status: 409, problems: [], definition: null };

describe("one error shape (the Rust side's AppError)", () => {
  it("keeps a command's AppError as it is, also when converted twice", () => {
    expect(toAppError(conflict)).toBe(conflict);
    const definition: AppError = {
      kind: "definition",
      message: "unexpected token",
      path: null,
      status: 400,
      problems: [],
      definition: { message: "unexpected token", format: "odata", line: 1, column: 5, path: null, hint: "quote text" },
    };
    expect(toAppError(toAppError(definition))).toEqual(definition);
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
    expect(toAppError("boom")).toEqual(appError("internal", "boom"));
    expect(toAppError(new Error("bad"))).toEqual(appError("internal", "bad"));
    expect(appError("invalid_id", "no").status).toBe(400);
  });

  it("call rejects with the normalised error", async () => {
    vi.mocked(invoke).mockRejectedValueOnce("no such command");
    await expect(call("nope")).rejects.toEqual(appError("internal", "no such command"));
    vi.mocked(invoke).mockRejectedValueOnce(conflict);
    await expect(call("save")).rejects.toBe(conflict);
    vi.mocked(invoke).mockResolvedValueOnce(42);
    await expect(call<number>("answer", { q: 1 })).resolves.toBe(42);
    expect(invoke).toHaveBeenLastCalledWith("answer", { q: 1 });
  });
});

describe("native dialogs (shown by the Rust side, which grants what is chosen)", () => {
  const json = [{ name: "Segment definition", extensions: ["json"] }];

  it("asks pick_open for files and passes the answer on", async () => {
    vi.mocked(invoke).mockResolvedValueOnce(["/home/ann/a.csv", "/home/ann/b.csv"]);
    await expect(pickFiles("Import", [{ name: "Data", extensions: ["csv"] }], true)).resolves.toEqual(["/home/ann/a.csv", "/home/ann/b.csv"]);
    expect(invoke).toHaveBeenLastCalledWith("pick_open", { title: "Import", filters: [{ name: "Data", extensions: ["csv"] }], multiple: true });
    vi.mocked(invoke).mockResolvedValueOnce([]);
    await expect(pickFile("open", json)).resolves.toBeNull();
  });

  it("asks pick_save with the suggested file name only", async () => {
    vi.mocked(invoke).mockResolvedValueOnce("/home/ann/us.json");
    await expect(pickFile("save", json, "exports/us.json")).resolves.toBe("/home/ann/us.json");
    expect(invoke).toHaveBeenLastCalledWith("pick_save", { default_name: "us.json", filters: json });
    vi.mocked(invoke).mockResolvedValueOnce(null);
    await expect(pickFile("save", json)).resolves.toBeNull();
  });

  it("says a dialog is unavailable (undefined, or no files) when the command fails", async () => {
    vi.mocked(invoke).mockRejectedValueOnce("no such command");
    await expect(pickFile("save", json)).resolves.toBeUndefined();
    vi.mocked(invoke).mockRejectedValueOnce("no such command");
    await expect(pickFiles("Import", json, false)).resolves.toEqual([]);
  });

  it("knows a refused file's status", () => {
    expect(appError("path_not_allowed", "Choose the file with Open… or drop it on the window").status).toBe(403);
  });
});
