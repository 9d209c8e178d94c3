import { describe, expect, it } from "vitest";
import type { OverlapResponse } from "../bindings/OverlapResponse";
import type { Segment } from "../bindings/Segment";
import { nodeCountMap, nodeLabel, pairs, parseSegment, vennLayout } from "./counts";

const segment = {
  version: 1,
  entity: "profiles",
  root: {
    combinator: "and",
    children: [
      { type: "condition", attribute: "country", operator: "is_one_of", value: ["US", "CA"] },
      { type: "group", combinator: "or", negated: true, children: [{ type: "condition", attribute: "age", operator: "is_null" }] },
    ],
  },
} as unknown as Segment;

describe("node counts", () => {
  it("maps counts by pointer", () => {
    const m = nodeCountMap([{ path: "/root/children/0", count: 3, without: 7 }]);
    expect(m.get("/root/children/0")?.without).toBe(7);
    expect(nodeCountMap(null).size).toBe(0);
  });
  it("labels nodes", () => {
    expect(nodeLabel(segment, "/root/children/0")).toBe("country is one of US, CA");
    expect(nodeLabel(segment, "/root/children/1")).toBe("NOT any of 1 condition");
    expect(nodeLabel(segment, "/root/children/1/children/0")).toBe("age is null");
  });
});

describe("pasted segments", () => {
  it("accepts a segment and explains what is not one", () => {
    expect("segment" in parseSegment(JSON.stringify(segment))).toBe(true);
    expect(parseSegment("")).toEqual({ error: "Paste a segment's JSON here." });
    expect((parseSegment("{nope") as { error: string }).error).toMatch(/^Not JSON/);
    expect((parseSegment("[1]") as { error: string }).error).toMatch(/Not a segment/);
  });
});

describe("overlap", () => {
  const two: OverlapResponse = {
    counts: [10, 6],
    regions: [
      { segments: [0], count: 7 },
      { segments: [1], count: 3 },
      { segments: [0, 1], count: 3 },
    ],
    jaccard: [
      [1, 0.23],
      [0.23, 1],
    ],
    total: 100,
  };
  it("puts every region's count in the picture", () => {
    const { circles, labels } = vennLayout(two);
    expect(circles).toHaveLength(2);
    expect(labels.map((l) => [l.segments.join(","), l.count])).toEqual([
      ["0", 7],
      ["1", 3],
      ["0,1", 3],
    ]);
  });
  it("has seven regions for three segments, missing ones at zero", () => {
    const three = { ...two, counts: [1, 1, 1], regions: [{ segments: [0, 1, 2], count: 1 }], jaccard: [[1, 1, 1], [1, 1, 1], [1, 1, 1]] };
    const { circles, labels } = vennLayout(three);
    expect(circles).toHaveLength(3);
    expect(labels).toHaveLength(7);
    expect(labels.find((l) => l.segments.length === 3)?.count).toBe(1);
    expect(labels.filter((l) => l.count === 0)).toHaveLength(6);
  });
  it("sums intersections per pair", () => {
    expect(pairs(two, ["A", "B"])).toEqual([{ name: "A ∩ B", both: 3, jaccard: 0.23 }]);
  });
});
