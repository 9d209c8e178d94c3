// @vitest-environment jsdom
import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Segment } from "../../bindings/Segment";
import { renderBuilder } from "../../test/BuilderHarness";
import { emptyProfiles } from "../../test/fixtures";

const two = (): Segment => ({
  version: 1,
  entity: "profiles",
  root: {
    combinator: "and",
    children: [
      { type: "condition", attribute: "country", operator: "is", value: "US" },
      { type: "condition", attribute: "age", operator: "equals", value: 30 },
    ],
  },
});

describe("group editor", () => {
  it("starts empty and adds a condition on the first column that is not the key", async () => {
    const { user, segment } = renderBuilder(emptyProfiles());
    expect(screen.getByTestId("group").textContent).toContain("No conditions yet: every record of profiles matches.");
    await user.click(screen.getByTestId("add-condition"));
    expect(segment().root.children).toEqual([{ type: "condition", attribute: "country", operator: "is", value: "" }]);
    expect((screen.getByTestId("attribute") as HTMLSelectElement).value).toBe("country");
  });

  it("adds a nested group, a related-records condition and a SQL condition", async () => {
    const { user, segment } = renderBuilder(emptyProfiles());
    await user.click(screen.getByTestId("add-group"));
    await user.click(screen.getAllByTestId("add-relationship").at(-1)!); // the root's actions come last
    await user.click(screen.getAllByTestId("add-sql").at(-1)!);
    expect(segment().root.children.map((c) => c.type)).toEqual(["group", "relationship", "sql"]);
    expect(screen.getAllByTestId("group")).toHaveLength(3); // root, nested, the relationship's filter
    expect(screen.getByTestId("relationship").getAttribute("data-path")).toBe("/root/children/1");
    await user.type(screen.getByTestId("sql-input"), "age > 1");
    expect(segment().root.children[2]).toEqual({ type: "sql", sql: "age > 1" });
  });

  it("removes a condition and a nested group", async () => {
    const s = two();
    s.root.children.push({ type: "group", combinator: "or", children: [] });
    const { user, segment } = renderBuilder(s);
    const nested = screen.getAllByTestId("group")[1];
    await user.click(within(nested).getByTestId("remove-node"));
    expect(segment().root.children).toHaveLength(2);
    await user.click(screen.getAllByTestId("remove-node")[0]);
    expect(segment().root.children).toEqual([{ type: "condition", attribute: "age", operator: "equals", value: 30 }]);
  });

  it("the root cannot be removed", () => {
    renderBuilder(emptyProfiles());
    expect(within(screen.getByTestId("group")).queryByTestId("remove-node")).toBeNull();
  });

  it("NOT negates the group and toggles back", async () => {
    const { user, segment } = renderBuilder(two());
    const not = screen.getByTestId("group-not");
    expect(not.getAttribute("aria-pressed")).toBe("false");
    await user.click(not);
    expect(segment().root.negated).toBe(true);
    expect(screen.getByTestId("group").className).toContain("negated");
    expect(screen.getByTestId("group-not").getAttribute("aria-pressed")).toBe("true");
    expect(screen.getByTestId("group").textContent).toContain("exclude profiles matching all of these");
    await user.click(screen.getByTestId("group-not"));
    expect(segment().root.negated).toBeUndefined();
    expect(screen.getByTestId("group").className).not.toContain("negated");
  });

  it("AND / OR switch the combinator and the joiner between conditions", async () => {
    const { user, segment, container } = renderBuilder(two());
    expect(container.querySelector(".joiner")!.textContent).toBe("AND");
    expect(screen.getByTestId("group-and").getAttribute("aria-pressed")).toBe("true");
    await user.click(screen.getByTestId("group-or"));
    expect(segment().root.combinator).toBe("or");
    expect(container.querySelector(".joiner")!.textContent).toBe("OR");
    expect(screen.getByTestId("group-or").className).toBe("on");
    await user.click(screen.getByTestId("group-and"));
    expect(segment().root.combinator).toBe("and");
  });

  it("a nested group edits its own combinator and stays a group node", async () => {
    const s = emptyProfiles();
    s.root.children.push({ type: "group", combinator: "and", children: [] });
    const { user, segment } = renderBuilder(s);
    await user.click(screen.getAllByTestId("group-or")[1]);
    await user.click(screen.getAllByTestId("group-not")[1]);
    expect(segment().root).toEqual({ combinator: "and", children: [{ type: "group", combinator: "or", negated: true, children: [] }] });
  });

  it("shows the problems of a node under it", () => {
    renderBuilder(two(), { problems: [{ path: "/root/children/0/value", message: "expected a country code" }] });
    const row = screen.getAllByTestId("condition")[0];
    expect(row.className).toContain("has-problem");
    expect(within(row).getByTestId("problem").getAttribute("data-problem-path")).toBe("/root/children/0/value");
    expect(row.querySelector(".value-wrap")!.className).toContain("invalid");
  });
});
