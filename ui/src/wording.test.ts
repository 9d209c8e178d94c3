import { describe, expect, it } from "vitest";
import type { Group } from "./bindings/Group";
import { plural, relatedFilterLabel } from "./wording";

describe("wording", () => {
  it("pluralises counts", () => {
    expect(plural(1, "event")).toBe("1 event");
    expect(plural(0, "event")).toBe("0 events");
    expect(plural(1200, "member")).toBe("1,200 members");
    expect(plural(2, "activity", "activities")).toBe("2 activities");
  });

  it("words a related-records filter as its All / Any toggle does", () => {
    const cond = { type: "condition", attribute: "amount", operator: "greater_than", value: 10 } as Group["children"][number];
    expect(relatedFilterLabel("orders", { combinator: "and", children: [] })).toBe("counting all orders (add a condition to count only some)");
    expect(relatedFilterLabel("orders", { combinator: "and", children: [cond] })).toBe("counting only orders that match:");
    expect(relatedFilterLabel("orders", { combinator: "and", children: [cond, cond] })).toBe("counting only orders that match all of:");
    expect(relatedFilterLabel("orders", { combinator: "or", children: [cond, cond] })).toBe("counting only orders that match any of:");
    expect(relatedFilterLabel("orders", { combinator: "or", children: [cond, cond], negated: true })).toBe("counting only orders that match none of:");
  });
});
