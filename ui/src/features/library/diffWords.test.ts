import { describe, expect, it } from "vitest";
import type { Segment } from "../../bindings/Segment";
import { describeChange, describeField, showValue } from "./diffWords";

const tree = (orders: number, country = "US"): Segment =>
  ({
    version: 1,
    entity: "profiles",
    root: {
      combinator: "and",
      children: [
        { type: "condition", attribute: "country", operator: "is", value: country },
        {
          type: "relationship",
          relationship: "orders",
          constraint: { type: "occurrences", operator: "at_least", value: orders },
          window: { type: "in_the_last", amount: 30, unit: "day" },
          filter: { combinator: "and", children: [{ type: "condition", attribute: "amount", operator: "greater_than", value: 10 }] },
        },
      ],
    },
  }) as unknown as Segment;

describe("the revision diff in words", () => {
  it("names the node a changed value belongs to, with its operator", () => {
    const c = { change: "changed" as const, path: "/root/children/1/constraint/value", before: 3, after: 2 };
    expect(describeChange(c, tree(3), tree(2))).toBe("Orders: at least 3 → 2");
    const v = { change: "changed" as const, path: "/root/children/0/value", before: "US", after: "CA" };
    expect(describeChange(v, tree(3, "US"), tree(3, "CA"))).toBe('country: is "US" → "CA"');
  });

  it("names conditions inside related records after their relationship", () => {
    const c = { change: "changed" as const, path: "/root/children/1/filter/children/0/value", before: 10, after: 20 };
    expect(describeChange(c, tree(3), tree(3))).toBe("Orders › amount: greater than 10 → 20");
  });

  it("says which node was added or removed, from the tree it is in", () => {
    const added = { change: "added" as const, path: "/root/children/0", node: "condition" };
    expect(describeChange(added, null, tree(3))).toBe('Added condition: country is US');
    const removed = { change: "removed" as const, path: "/root/children/1", node: "relationship" };
    expect(describeChange(removed, tree(3), null)).toBe("Removed related-records condition: related orders");
  });

  it("words operators, combinators, negation and windows", () => {
    expect(describeChange({ change: "changed", path: "/root/children/0/operator", before: "is", after: "is_not" }, tree(3), tree(3))).toBe("country: is → is not");
    expect(describeChange({ change: "changed", path: "/root/combinator", before: "and", after: "or" }, tree(3), tree(3))).toBe("The top group: match all → any");
    expect(
      describeChange(
        { change: "changed", path: "/root/children/1/window", before: { type: "in_the_last", amount: 30, unit: "day" }, after: { type: "any_time" } },
        tree(3),
        tree(3),
      ),
    ).toBe("Orders: when: in the last 30 days → any time");
  });

  it("falls back to the values without the trees, never to a pointer", () => {
    const text = describeChange({ change: "changed", path: "/root/children/0/value", before: "US", after: "CA" });
    expect(text).toBe('"US" → "CA"');
    expect(text).not.toContain("/root");
    expect(text).toContain('"US" → "CA"');
  });

  it("words the segment's own fields and values", () => {
    expect(describeField({ field: "name", before: "US buyers", after: "US and CA buyers" })).toBe('Name: "US buyers" → "US and CA buyers"');
    expect(describeField({ field: "status", before: "ACTIVE", after: "INACTIVE" })).toBe("Status: active → inactive");
    expect(showValue(["US", "CA"])).toBe('"US", "CA"');
    expect(showValue(null)).toBe("empty");
  });
});
