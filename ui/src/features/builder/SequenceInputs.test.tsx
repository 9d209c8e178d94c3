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

describe("a sequence of related records", () => {
  it("viewed, then bought within 7 days: steps, gaps, a third step, the whole span, and back to a count", async () => {
    const { user, segment } = renderBuilder(hasEvents());
    await user.selectOptions(screen.getByTestId("constraint-measure"), "sequence");
    expect(segment().root.children[0]).toMatchObject({
      constraint: { type: "sequence", steps: [{ filter: { children: [] } }, { filter: { children: [] }, within: { amount: 7, unit: "day" } }] },
    });
    expect(screen.getByTestId("relationship").textContent).toContain("then");
    await user.selectOptions(screen.getByTestId("sequence-attribute-0"), "name");
    expect(segment().root.children[0]).toMatchObject({
      constraint: { steps: [{ filter: { children: [{ type: "condition", attribute: "name", operator: "is" }] } }, { within: { amount: 7 } }] },
    });
    // Months vary in length: "within" offers minutes to weeks only.
    const units = Array.from((screen.getByTestId("sequence-within-1-unit") as HTMLSelectElement).options).map((o) => o.value);
    expect(units).toEqual(["minute", "hour", "day", "week"]);
    await user.selectOptions(screen.getByTestId("sequence-within-1-unit"), "hour");
    await user.click(screen.getByTestId("sequence-add"));
    const sequence = () => (segment().root.children[0] as { constraint: { steps: unknown[]; within?: unknown } }).constraint;
    expect(sequence().steps).toHaveLength(3);
    expect(sequence().steps[1]).toMatchObject({ within: { amount: 7, unit: "hour" } });
    await user.type(screen.getByTestId("sequence-within-all"), "30");
    expect(sequence().within).toEqual({ amount: 30, unit: "day" });
    await user.click(screen.getByRole("button", { name: "Remove step 1" }));
    // The new first step has no gap.
    expect(sequence().steps).toHaveLength(2);
    expect(sequence().steps[0]).not.toHaveProperty("within");
    await user.selectOptions(screen.getByTestId("constraint-measure"), "count");
    expect(segment().root.children[0]).toMatchObject({ constraint: { type: "occurrences" } });
  });
});
