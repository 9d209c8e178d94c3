import { describe, expect, it } from "vitest";
import type { Node } from "../bindings/Node";
import type { Segment } from "../bindings/Segment";
import { duplicateNode, moveBy, moveIntoGroupAbove, moveNode, moveOutOfGroup, scopeOf, wrapInGroup } from "./tree";

const c = (value: string): Node => ({ type: "condition", attribute: "country", operator: "is", value });
const seg = (children: Node[]): Segment => ({ version: 1, entity: "profiles", root: { combinator: "and", children } });
/** The tree's shape in short: condition values, groups as arrays. */
const shape = (nodes: Node[]): unknown[] =>
  nodes.map((n) => (n.type === "group" ? shape(n.children) : n.type === "condition" ? n.value : n.type === "relationship" ? { rel: shape(n.filter.children) } : "sql"));

const tree = seg([
  c("a"),
  c("b"),
  { type: "group", combinator: "or", children: [c("g1"), c("g2")] },
  c("d"),
  { type: "relationship", relationship: "events", constraint: { type: "occurrences", operator: "at_least", value: 1 }, window: { type: "any_time" }, filter: { combinator: "and", children: [c("f")] } },
]);

describe("moving nodes", () => {
  it("reorders among siblings, forwards and backwards", () => {
    const down = moveNode(tree, "/root/children/0", "/root", 2)!;
    expect(shape(down.segment.root.children)).toEqual(["b", "a", ["g1", "g2"], "d", { rel: ["f"] }]);
    expect(down.at).toBe("/root/children/1");
    const up = moveNode(tree, "/root/children/3", "/root", 0)!;
    expect(shape(up.segment.root.children)).toEqual(["d", "a", "b", ["g1", "g2"], { rel: ["f"] }]);
    expect(up.at).toBe("/root/children/0");
  });

  it("moves into a later group, whose index shifts when the node leaves", () => {
    const moved = moveNode(tree, "/root/children/0", "/root/children/2", 1)!;
    expect(shape(moved.segment.root.children)).toEqual(["b", ["g1", "a", "g2"], "d", { rel: ["f"] }]);
    expect(moved.at).toBe("/root/children/1/children/1");
  });

  it("moves out of a group to the outer group", () => {
    const moved = moveNode(tree, "/root/children/2/children/1", "/root", 0)!;
    expect(shape(moved.segment.root.children)).toEqual(["g2", "a", "b", ["g1"], "d", { rel: ["f"] }]);
  });

  it("refuses moves that mean nothing: into itself, across a relationship, to where it is", () => {
    expect(moveNode(tree, "/root/children/2", "/root/children/2", 0)).toBeNull();
    expect(moveNode(tree, "/root/children/0", "/root/children/4/filter", 0)).toBeNull();
    expect(moveNode(tree, "/root/children/4/filter/children/0", "/root", 0)).toBeNull();
    expect(moveNode(tree, "/root/children/1", "/root", 1)).toBeNull();
    expect(moveNode(tree, "/root/children/1", "/root", 2)).toBeNull();
    expect(scopeOf("/root/children/4/filter/children/0")).toBe("/root/children/4/filter");
  });

  it("steps up and down, stopping at the ends", () => {
    expect(shape(moveBy(tree, "/root/children/1", -1)!.segment.root.children).slice(0, 2)).toEqual(["b", "a"]);
    expect(shape(moveBy(tree, "/root/children/1", 1)!.segment.root.children).slice(0, 3)).toEqual(["a", ["g1", "g2"], "b"]);
    expect(moveBy(tree, "/root/children/0", -1)).toBeNull();
    expect(moveBy(tree, "/root/children/4", 1)).toBeNull();
  });

  it("goes into the group above and back out after it", () => {
    const into = moveIntoGroupAbove(tree, "/root/children/3")!;
    expect(shape(into.segment.root.children)).toEqual(["a", "b", ["g1", "g2", "d"], { rel: ["f"] }]);
    expect(into.at).toBe("/root/children/2/children/2");
    const out = moveOutOfGroup(into.segment, into.at)!;
    expect(shape(out.segment.root.children)).toEqual(shape(tree.root.children));
    expect(out.at).toBe("/root/children/3");
    expect(moveIntoGroupAbove(tree, "/root/children/1")).toBeNull(); // "a" is no group
    expect(moveOutOfGroup(tree, "/root/children/0")).toBeNull(); // already in the root
    expect(moveOutOfGroup(tree, "/root/children/4/filter/children/0")).toBeNull();
  });
});

describe("duplicate and wrap", () => {
  it("duplicates a node right after it, as an independent copy", () => {
    const d = duplicateNode(tree, "/root/children/2")!;
    expect(shape(d.segment.root.children)).toEqual(["a", "b", ["g1", "g2"], ["g1", "g2"], "d", { rel: ["f"] }]);
    expect(d.at).toBe("/root/children/3");
    expect(d.segment.root.children[3]).not.toBe(d.segment.root.children[2]);
  });

  it("wraps a node in an AND group in its place", () => {
    const w = wrapInGroup(tree, "/root/children/1")!;
    expect(shape(w.segment.root.children)).toEqual(["a", ["b"], ["g1", "g2"], "d", { rel: ["f"] }]);
    expect(w.segment.root.children[1]).toMatchObject({ type: "group", combinator: "and" });
    expect(w.at).toBe("/root/children/1/children/0");
  });

  it("leaves the original segment untouched", () => {
    const before = JSON.stringify(tree);
    moveNode(tree, "/root/children/0", "/root/children/2", 0);
    duplicateNode(tree, "/root/children/0");
    wrapInGroup(tree, "/root/children/0");
    expect(JSON.stringify(tree)).toBe(before);
  });
});
