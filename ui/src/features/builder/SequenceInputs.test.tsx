// @vitest-environment jsdom
import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Segment } from "../../bindings/Segment";
import { renderBuilder } from "../../test/BuilderHarness";
import { countable } from "./incomplete";

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

  it("a step takes more conditions joined by 'and'; 'any record' clears the first", async () => {
    const { user, segment } = renderBuilder(hasEvents());
    await user.selectOptions(screen.getByTestId("constraint-measure"), "sequence");
    // "+ and" needs a first condition.
    expect(screen.queryByTestId("sequence-and-1")).toBeNull();
    await user.selectOptions(screen.getByTestId("sequence-attribute-1"), "name");
    await user.type(within(screen.getByTestId("sequence-condition-1-0")).getByTestId("value"), "purchase");
    await user.click(screen.getByTestId("sequence-and-1"));
    const step = () => (segment().root.children[0] as { constraint: { steps: { filter: { children: unknown[] } }[] } }).constraint.steps[1];
    // The new condition starts on the first attribute that is not a key, waiting for its value.
    expect(step().filter.children).toEqual([
      { type: "condition", attribute: "name", operator: "is", value: "purchase" },
      { type: "condition", attribute: "name", operator: "is", value: "" },
    ]);
    expect(within(screen.getByTestId("sequence-condition-1-1")).getByTestId("incomplete").textContent).toContain("not counted");
    expect(within(screen.getByTestId("sequence-step-1")).getByText("and")).toBeTruthy();
    await user.selectOptions(screen.getByTestId("sequence-attribute-1-1"), "at");
    expect(step().filter.children[1]).toMatchObject({ attribute: "at" });
    // The extra condition offers no "any record" (it is removed with its ×).
    const options = Array.from((screen.getByTestId("sequence-attribute-1-1") as HTMLSelectElement).options).map((o) => o.value);
    expect(options).not.toContain("");
    await user.click(screen.getByRole("button", { name: "Remove condition 2 of step 2" }));
    expect(step().filter.children).toHaveLength(1);
    await user.selectOptions(screen.getByTestId("sequence-attribute-1"), "");
    expect(step().filter.children).toEqual([]);
  });

  it("'and no … in between' excludes records between two steps; a waiting one is marked, not counted", async () => {
    const { user, segment } = renderBuilder(hasEvents());
    await user.selectOptions(screen.getByTestId("constraint-measure"), "sequence");
    // The first step has nothing before it.
    expect(screen.queryByTestId("sequence-exclude-0")).toBeNull();
    await user.click(screen.getByTestId("sequence-exclude-1"));
    const step = () => (segment().root.children[0] as { constraint: { steps: { excluding?: unknown }[] } }).constraint.steps[1];
    expect(step().excluding).toEqual({ combinator: "and", negated: false, children: [{ type: "condition", attribute: "name", operator: "is", value: "" }] });
    expect(screen.getByTestId("sequence-excluding-1").textContent).toMatch(/and no.*in between/);
    expect(within(screen.getByTestId("sequence-excluding-1")).getByTestId("incomplete")).toBeTruthy();
    // Waiting for its value, the exclusion is not counted (the sequence is).
    let counted = countable(segment());
    expect(counted.incomplete).toEqual(["/root/children/0/constraint/steps/1/excluding/children/0"]);
    expect(counted.segment.root.children[0]).toMatchObject({ type: "relationship" });
    expect((counted.segment.root.children[0] as { constraint: { steps: object[] } }).constraint.steps[1]).not.toHaveProperty("excluding");
    await user.type(within(screen.getByTestId("sequence-excluding-1-0")).getByTestId("value"), "login");
    expect(step().excluding).toMatchObject({ children: [{ attribute: "name", operator: "is", value: "login" }] });
    counted = countable(segment());
    expect(counted.incomplete).toEqual([]);
    expect(screen.queryByTestId("incomplete")).toBeNull();
    await user.click(screen.getByRole("button", { name: "Add a condition to the records excluded before step 2" }));
    expect(step().excluding).toMatchObject({ children: [{ value: "login" }, { attribute: "name", value: "" }] });
    // The waiting one is left out, the exclusion kept with the other; paths map back.
    counted = countable(segment());
    expect(counted.incomplete).toEqual(["/root/children/0/constraint/steps/1/excluding/children/1"]);
    expect((counted.segment.root.children[0] as { constraint: { steps: { excluding?: { children: unknown[] } }[] } }).constraint.steps[1].excluding?.children).toHaveLength(1);
    await user.click(screen.getByTestId("sequence-exclude-remove-1"));
    expect(step()).not.toHaveProperty("excluding");
    expect(screen.getByTestId("sequence-exclude-1")).toBeTruthy();
  });

  it("a step whose every condition waits leaves the whole sequence out of the count", async () => {
    const { user, segment } = renderBuilder(hasEvents());
    await user.selectOptions(screen.getByTestId("constraint-measure"), "sequence");
    await user.selectOptions(screen.getByTestId("sequence-attribute-0"), "name");
    expect(within(screen.getByTestId("sequence-step-0")).getByTestId("incomplete")).toBeTruthy();
    // "any record" would count something else than was meant.
    expect(countable(segment()).incomplete).toEqual(["/root/children/0"]);
    expect(countable(segment()).segment.root.children).toEqual([]);
    await user.type(within(screen.getByTestId("sequence-condition-0-0")).getByTestId("value"), "page_view");
    expect(countable(segment()).incomplete).toEqual([]);
  });

  it("filters a definition wrote with OR or nesting are kept as written", () => {
    const segment = hasEvents();
    const name = (value: string) => ({ type: "condition" as const, attribute: "name", operator: "is" as const, value });
    segment.root.children[0] = {
      ...(segment.root.children[0] as object),
      type: "relationship",
      relationship: "events",
      constraint: {
        type: "sequence",
        steps: [
          { filter: { combinator: "or", children: [name("a"), name("b")] } },
          { filter: { combinator: "and", children: [name("c")] }, excluding: { combinator: "and", negated: true, children: [name("d")] } },
        ],
      },
    } as never;
    renderBuilder(segment);
    expect(screen.getByTestId("sequence-step-0").textContent).toContain("(conditions written in the definition)");
    expect(screen.getByTestId("sequence-excluding-1").textContent).toContain("(records as written in the definition)");
    expect((screen.getByTestId("sequence-attribute-1") as HTMLSelectElement).value).toBe("name");
  });
});
