import { describe, expect, it } from "vitest";
import { get, join, split, tokens, update } from "./pointer";

describe("JSON Pointers", () => {
  it("split into unescaped tokens and join back", () => {
    expect(tokens("")).toEqual([]);
    expect(tokens("/root/children/1")).toEqual(["root", "children", "1"]);
    expect(tokens("/a~1b/c~0d")).toEqual(["a/b", "c~d"]);
    expect(join("/root", "children", 2)).toBe("/root/children/2");
    expect(join("", "a/b")).toBe("/a~1b");
    expect(split("/root/children/2")).toEqual(["/root/children", "2"]);
  });

  it("update copies only the path to the change", () => {
    const doc = { root: { children: [{ v: 1 }, { v: 2 }] }, other: { x: 1 } };
    const next = update(doc, "/root/children/1/v", () => 3);
    expect(get(next, "/root/children/1/v")).toBe(3);
    expect(doc.root.children[1].v).toBe(2);
    expect(next.other).toBe(doc.other);
    expect(next.root.children[0]).toBe(doc.root.children[0]);
    expect(Array.isArray(next.root.children)).toBe(true);
  });
});
