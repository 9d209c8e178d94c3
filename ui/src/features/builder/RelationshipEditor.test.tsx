// @vitest-environment jsdom
import { screen, within } from "@testing-library/react";
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

describe("related-records condition", () => {
  it("measures, comparisons and values edit the constraint", async () => {
    const { user, segment } = renderBuilder(hasEvents());
    await user.selectOptions(screen.getByTestId("constraint-operator"), "between");
    expect(segment().root.children[0]).toMatchObject({ constraint: { type: "occurrences", operator: "between", value: [1, 6] } });
    await user.clear(screen.getByTestId("constraint-value-high"));
    await user.type(screen.getByTestId("constraint-value-high"), "9");
    expect(segment().root.children[0]).toMatchObject({ constraint: { value: [1, 9] } });
    await user.selectOptions(screen.getByTestId("constraint-measure"), "count_distinct");
    expect(segment().root.children[0]).toMatchObject({ constraint: { type: "aggregate", function: "count_distinct", attribute: "name", operator: "between" } });
    expect((screen.getByTestId("constraint-attribute") as HTMLSelectElement).value).toBe("name");
  });

  it("a time window when the related records have a time column", async () => {
    const { user, segment } = renderBuilder(hasEvents());
    await user.selectOptions(screen.getByTestId("window-type"), "in_the_last");
    expect(segment().root.children[0]).toMatchObject({ window: { type: "in_the_last", amount: 30, unit: "day" } });
    await user.selectOptions(screen.getByTestId("window-unit"), "week");
    expect(segment().root.children[0]).toMatchObject({ window: { type: "in_the_last", amount: 30, unit: "week" } });
  });

  it("its filter is a group editor over the related entity", async () => {
    const { user, segment } = renderBuilder(hasEvents());
    const filter = screen.getAllByTestId("group")[1];
    expect(filter.getAttribute("data-path")).toBe("/root/children/0/filter");
    expect(filter.textContent).toContain("No conditions: every related record counts.");
    expect(within(filter).queryByTestId("remove-node")).toBeNull();
    await user.click(within(filter).getByTestId("add-condition"));
    expect(segment().root.children[0]).toMatchObject({ filter: { combinator: "and", children: [{ type: "condition", attribute: "profile_id" }] } });
  });
});
