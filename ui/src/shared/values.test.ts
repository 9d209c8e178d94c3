import { describe, expect, it } from "vitest";
import { defaultValue, takesCase, valueKind } from "./values";

describe("value editors", () => {
  it("pick the editor from the operator", () => {
    expect(valueKind("is_null")).toBe("none");
    expect(valueKind("is_one_of")).toBe("list");
    expect(valueKind("between")).toBe("range");
    expect(valueKind("in_the_last")).toBe("relative");
    expect(valueKind("between_ago")).toBe("relative_range");
    expect(valueKind("this_period")).toBe("period");
    expect(valueKind("date_part_is")).toBe("date_part");
    expect(valueKind("on_or_after")).toBe("date");
  });

  it("write the shapes validation reads", () => {
    expect(defaultValue("is_null", "text", "US")).toBeNull();
    expect(defaultValue("is_not", "text", "US")).toBe("US");
    expect(defaultValue("is_one_of", "text", "US")).toEqual(["US"]);
    expect(defaultValue("between", "number", 3)).toEqual([0, 100]);
    expect(defaultValue("in_the_last", "datetime", null)).toEqual({ amount: 30, unit: "day" });
    expect(defaultValue("between_ago", "datetime", null)).toEqual({ from: 30, to: 7, unit: "day" });
    expect(defaultValue("last_period", "datetime", null)).toBe("month");
    expect(defaultValue("date_part_is", "datetime", null)).toMatchObject({ part: "month" });
    const dates = defaultValue("between", "datetime", null) as string[];
    expect(dates).toHaveLength(2);
    expect(dates[0]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("offer the case toggle on text comparisons only", () => {
    expect(takesCase("is", "text")).toBe(true);
    expect(takesCase("matches_regex", "text")).toBe(false);
    expect(takesCase("is_one_of", "number")).toBe(false);
  });
});
