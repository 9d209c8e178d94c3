import { describe, expect, it } from "vitest";
import { canRedo, canUndo, LIMIT, record, redo, redoLabel, seal, start, undo, undoLabel } from "./history";

describe("undo history", () => {
  it("undoes and redoes edits in order, with their labels", () => {
    let h = start("a");
    h = record(h, "ab", { label: "added condition" });
    h = record(h, "abc", { label: "added group" });
    expect(undoLabel(h)).toBe("added group");
    const [u1, label1] = undo(h)!;
    expect([u1.present, label1]).toEqual(["ab", "added group"]);
    const [u2, label2] = undo(u1)!;
    expect([u2.present, label2, canUndo(u2)]).toEqual(["a", "added condition", false]);
    expect(undo(u2)).toBeNull();
    const [r1, label3] = redo(u2)!;
    expect([r1.present, label3, redoLabel(r1)]).toEqual(["ab", "added condition", "added group"]);
    expect(redo(redo(r1)![0])).toBeNull();
  });

  it("drops the undone edits when a new edit is made", () => {
    let h = record(start(1), 2, { label: "x" });
    h = undo(h)![0];
    expect(canRedo(h)).toBe(true);
    h = record(h, 3, { label: "y" });
    expect([h.present, canRedo(h), h.past.map((e) => e.state)]).toEqual([3, false, [1]]);
  });

  it("keeps typing in one field as one edit until sealed", () => {
    let h = start("");
    for (const text of ["a", "ag", "age"]) h = record(h, text, { label: "edited condition", mergeKey: "/root/children/0 value" });
    expect(h.past.map((e) => e.state)).toEqual([""]);
    h = record(h, "age>", { label: "edited condition", mergeKey: "/root/children/1 value" });
    expect(h.past.map((e) => e.state)).toEqual(["", "age"]);
    h = seal(h);
    h = record(h, "age>1", { label: "edited condition", mergeKey: "/root/children/1 value" });
    expect(h.past.map((e) => e.state)).toEqual(["", "age", "age>"]);
    expect(undo(h)![0].present).toBe("age>");
  });

  it("ignores a no-op edit and keeps at most LIMIT steps", () => {
    const h0 = start({ n: 0 });
    expect(record(h0, h0.present, { label: "x" })).toBe(h0);
    let h = start(0);
    for (let i = 1; i <= LIMIT + 10; i++) h = record(h, i, { label: "x" });
    expect(h.past.length).toBe(LIMIT);
    expect(h.past[0].state).toBe(10);
  });
});
