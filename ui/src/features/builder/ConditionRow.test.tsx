// @vitest-environment jsdom
import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Segment } from "../../bindings/Segment";
import { renderBuilder } from "../../test/BuilderHarness";

const one = (condition: Segment["root"]["children"][number]): Segment => ({ version: 1, entity: "profiles", root: { combinator: "and", children: [condition] } });

describe("condition row", () => {
  it("lists the entity's columns with their type and the column's operators", () => {
    renderBuilder(one({ type: "condition", attribute: "country", operator: "is", value: "US" }));
    const attribute = screen.getByTestId("attribute") as HTMLSelectElement;
    expect([...attribute.options].map((o) => o.textContent)).toEqual(["id · number", "country · text", "age · number", "signed_up · date"]);
    const operator = screen.getByTestId("operator") as HTMLSelectElement;
    expect([...operator.options].map((o) => o.value)).toEqual(["is", "is_one_of", "contains", "is_null"]);
  });

  it("another attribute keeps the operator where it applies, else takes the column's first", async () => {
    const { user, segment } = renderBuilder(one({ type: "condition", attribute: "country", operator: "is", value: "US" }));
    await user.selectOptions(screen.getByTestId("attribute"), "age");
    expect(segment().root.children[0]).toEqual({ type: "condition", attribute: "age", operator: "equals", value: 0 });
    expect((screen.getByTestId("value") as HTMLInputElement).value).toBe("0");
  });

  it("another operator reshapes the value: one text → a list", async () => {
    const { user, segment } = renderBuilder(one({ type: "condition", attribute: "country", operator: "is", value: "US" }));
    await user.selectOptions(screen.getByTestId("operator"), "is_one_of");
    expect(segment().root.children[0]).toMatchObject({ operator: "is_one_of", value: ["US"] });
    expect(screen.getAllByTestId("chip").map((c) => c.firstChild!.textContent)).toEqual(["US"]);
    await user.selectOptions(screen.getByTestId("operator"), "is_null");
    expect(screen.queryByTestId("value")).toBeNull();
    expect(screen.queryByTestId("chips")).toBeNull();
  });

  it("typing edits the value; Aa toggles case-sensitivity on text", async () => {
    const { user, segment } = renderBuilder(one({ type: "condition", attribute: "country", operator: "is", value: "" }));
    await user.type(screen.getByTestId("value"), "CA");
    expect(segment().root.children[0]).toMatchObject({ value: "CA" });
    const toggle = screen.getByTestId("case-toggle");
    expect(toggle.getAttribute("aria-pressed")).toBe("true");
    await user.click(toggle);
    expect(segment().root.children[0]).toMatchObject({ case_sensitive: false });
    await user.click(screen.getByTestId("case-toggle"));
    expect(segment().root.children[0]).not.toHaveProperty("case_sensitive", false);
  });

  it("a number compared with a part of today: one choice of what it is compared with, no number field", async () => {
    const { user, segment } = renderBuilder(one({ type: "condition", attribute: "age", operator: "equals", value: { today: "month" } }));
    expect(screen.getAllByRole("combobox", { name: "Compare with" })).toHaveLength(1);
    expect((screen.getByTestId("compare-source") as HTMLSelectElement).value).toBe("today:month");
    expect(screen.queryByTestId("value")).toBeNull();
    await user.selectOptions(screen.getByTestId("compare-source"), "value");
    expect(segment().root.children[0]).toMatchObject({ value: 0 });
    expect(screen.queryByTestId("value-today")).toBeNull();
    expect((screen.getByTestId("value") as HTMLInputElement).value).toBe("0");
  });

  it("an unknown attribute is shown as such", () => {
    renderBuilder(one({ type: "condition", attribute: "gone", operator: "is", value: "x" }));
    const attribute = screen.getByTestId("attribute") as HTMLSelectElement;
    expect(attribute.value).toBe("");
    expect(attribute.options[0].textContent).toBe("gone (unknown)");
    expect(screen.queryByTestId("value")).toBeNull();
  });

  it("suggests the most frequent values of a text column and shows a number column's range", () => {
    const stats = [
      {
        name: "profiles",
        key: "id",
        rows: 3,
        columns: [
          { name: "country", data_type: "text", storage: "text", declared_type: "TEXT", nulls: 0, null_share: 0, distinct: 2, top: [{ value: "US", count: 2 }, { value: "CA", count: 1 }] },
          { name: "age", data_type: "number", storage: "integer", declared_type: "INTEGER", nulls: 0, null_share: 0, distinct: 3, min: 18, max: 90, top: [] },
        ],
      },
    ] as never;
    renderBuilder(
      { version: 1, entity: "profiles", root: { combinator: "and", children: [{ type: "condition", attribute: "country", operator: "is", value: "" }, { type: "condition", attribute: "age", operator: "equals", value: 1 }] } },
      { stats },
    );
    const list = screen.getByTestId("value-suggestions");
    expect([...list.querySelectorAll("option")].map((o) => o.getAttribute("value"))).toEqual(["US", "CA"]);
    expect(screen.getAllByTestId("value")[0].getAttribute("list")).toBe(list.id);
    expect(screen.getByTestId("value-range").textContent).toBe("from 18 to 90");
  });
});
