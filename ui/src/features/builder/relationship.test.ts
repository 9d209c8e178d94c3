import { describe, expect, it } from "vitest";
import type { Entity } from "../../bindings/Entity";
import { aggregateColumns, defaultWindow, withCountOperator, withMeasure } from "./relationship";

const orders: Entity = {
  name: "orders",
  key: "order_id",
  columns: [
    { name: "order_id", data_type: "number" },
    { name: "profile_id", data_type: "number" },
    { name: "amount", data_type: "number" },
    { name: "status", data_type: "text" },
  ],
} as unknown as Entity;

describe("related-records constraint", () => {
  it("a measure keeps the comparison and picks a measure-like column", () => {
    const sum = withMeasure({ type: "occurrences", operator: "at_least", value: 2 }, "sum", orders);
    expect(sum).toEqual({ type: "aggregate", function: "sum", attribute: "amount", operator: "at_least", value: 2 });
    expect(withMeasure(sum, "count_distinct", orders)).toMatchObject({ function: "count_distinct", attribute: "amount" });
    expect(withMeasure(sum, "count", orders)).toEqual({ type: "occurrences", operator: "at_least", value: 2 });
    expect(aggregateColumns(sum, orders).map((c) => c.name)).toEqual(["order_id", "profile_id", "amount"]);
  });

  it("between takes a pair, other comparisons one number", () => {
    const between = withCountOperator({ type: "occurrences", operator: "at_least", value: 3 }, "between");
    expect(between.value).toEqual([3, 8]);
    expect(withCountOperator(between, "exactly").value).toBe(3);
  });

  it("time windows start from sensible defaults", () => {
    expect(defaultWindow("in_the_last")).toEqual({ type: "in_the_last", amount: 30, unit: "day" });
    expect(defaultWindow("any_time")).toEqual({ type: "any_time" });
  });
});
