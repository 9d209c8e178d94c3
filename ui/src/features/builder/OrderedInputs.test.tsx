// @vitest-environment jsdom
import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Segment } from "../../bindings/Segment";
import { renderBuilder } from "../../test/BuilderHarness";

const hasEvents = (): Segment => ({
  version: 1,
  entity: "profiles",
  root: {
    combinator: "and",
    children: [
      {
        type: "relationship",
        relationship: "events",
        constraint: { type: "occurrences", operator: "at_least", value: 1 },
        window: { type: "any_time" },
        filter: { combinator: "and", children: [] },
      },
    ],
  },
});

describe("related records in time order", () => {
  it("the first one was in the last 30 days; the last one more than 90 days ago", async () => {
    const { user, segment } = renderBuilder(hasEvents());
    await user.selectOptions(screen.getByTestId("constraint-measure"), "first_time");
    expect(segment().root.children[0]).toMatchObject({ constraint: { type: "first_time", operator: "in_the_last", value: { amount: 30, unit: "day" } } });
    expect(screen.getByTestId("relationship").textContent).toContain("where the");
    expect(screen.getByTestId("relationship").textContent).toContain("was");
    await user.selectOptions(screen.getByTestId("constraint-measure"), "last_time");
    expect(segment().root.children[0]).toMatchObject({ constraint: { type: "last_time", operator: "more_than_ago", value: { amount: 90, unit: "day" } } });
    // NULL tests are not offered for a time that always exists.
    const ops = Array.from((screen.getByTestId("ordered-operator") as HTMLSelectElement).options).map((o) => o.value);
    expect(ops).toContain("before");
    expect(ops).not.toContain("is_null");
    await user.selectOptions(screen.getByTestId("ordered-operator"), "before");
    expect(segment().root.children[0]).toMatchObject({ constraint: { type: "last_time", operator: "before" } });
  });

  it("the most recent one's attribute takes every operator of that attribute", async () => {
    const { user, segment } = renderBuilder(hasEvents());
    await user.selectOptions(screen.getByTestId("constraint-measure"), "last_record");
    expect(segment().root.children[0]).toMatchObject({ constraint: { type: "last_record", condition: { attribute: "name", operator: "is", value: "" } } });
    await user.type(screen.getByTestId("value"), "shoes");
    expect(segment().root.children[0]).toMatchObject({ constraint: { type: "last_record", condition: { attribute: "name", operator: "is", value: "shoes" } } });
    await user.selectOptions(screen.getByTestId("constraint-measure"), "first_record");
    expect(segment().root.children[0]).toMatchObject({ constraint: { type: "first_record", condition: { attribute: "name", value: "shoes" } } });
    await user.selectOptions(screen.getByTestId("ordered-attribute"), "at");
    expect(segment().root.children[0]).toMatchObject({ constraint: { type: "first_record", condition: { attribute: "at" } } });
  });

  it("on at least N distinct days, and back to a count", async () => {
    const { user, segment } = renderBuilder(hasEvents());
    await user.selectOptions(screen.getByTestId("constraint-measure"), "distinct_day");
    expect(segment().root.children[0]).toMatchObject({ constraint: { type: "distinct_periods", unit: "day", operator: "at_least", value: 1 } });
    await user.clear(screen.getByTestId("constraint-value"));
    await user.type(screen.getByTestId("constraint-value"), "5");
    await user.selectOptions(screen.getByTestId("constraint-measure"), "distinct_week");
    expect(segment().root.children[0]).toMatchObject({ constraint: { type: "distinct_periods", unit: "week", operator: "at_least", value: 5 } });
    await user.selectOptions(screen.getByTestId("constraint-measure"), "count");
    expect(segment().root.children[0]).toMatchObject({ constraint: { type: "occurrences", operator: "at_least", value: 5 } });
  });
});
