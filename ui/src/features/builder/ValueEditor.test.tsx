// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { afterEach, describe, expect, it } from "vitest";
import type { ColumnStats } from "../../bindings/ColumnStats";
import type { DataType } from "../../bindings/DataType";
import type { Operator } from "../../bindings/Operator";
import type { JsonValue } from "../../bindings/serde_json/JsonValue";
import { ValueEditor } from "./ValueEditor";

afterEach(cleanup);

/** The value editor over a value held in state, as the condition row holds it. */
function editor(type: DataType, operator: Operator, initial: JsonValue) {
  let value = initial;
  function Controlled() {
    const [v, setV] = useState(initial);
    return <ValueEditor type={type} operator={operator} value={v} onChange={(next) => (value = next, setV(next))} />;
  }
  const view = render(<Controlled />);
  return { ...view, user: userEvent.setup(), value: () => value };
}

describe("value editor, per kind of value", () => {
  it("none: unary operators have no value", () => {
    const { container } = editor("text", "is_null", null);
    expect(container.innerHTML).toBe("");
  });

  it("text: one text, with a placeholder fit for the operator", async () => {
    const { user, value } = editor("text", "like", "");
    const input = screen.getByTestId("value") as HTMLInputElement;
    expect(input.placeholder).toBe("e.g. %@gmail.com");
    await user.type(input, "%@x.org");
    expect(value()).toBe("%@x.org");
  });

  it("number: numbers as numbers, anything else passed on as text for validation", async () => {
    const { user, value } = editor("number", "equals", null);
    await user.type(screen.getByTestId("value"), "-1.5");
    expect(value()).toBe(-1.5);
    await user.clear(screen.getByTestId("value"));
    await user.type(screen.getByTestId("value"), "abc");
    expect(value()).toBe("abc");
  });

  it("number: compared with a part of today's date, or back with a number", async () => {
    const { user, value } = editor("number", "equals", 3);
    await user.selectOptions(screen.getByTestId("value-today"), "month");
    expect(value()).toEqual({ today: "month" });
    expect(screen.queryByTestId("value")).toBeNull();
    await user.selectOptions(screen.getByTestId("value-today"), "number");
    await user.type(screen.getByTestId("value"), "12");
    expect(value()).toBe(12);
  });

  it("text ordered by character: a text value for < and >", async () => {
    const { user, value } = editor("text", "greater_than", "");
    expect(screen.queryByTestId("value-today")).toBeNull();
    await user.type(screen.getByTestId("value"), "Milk");
    expect(value()).toBe("Milk");
  });

  it("date part: the hour of the day as numbers, each shown as the hour it spans", async () => {
    const { user, value } = editor("datetime", "date_part_is", { part: "month", values: [] });
    await user.selectOptions(screen.getByTestId("value-part"), "hour");
    expect(value()).toEqual({ part: "hour", values: [] });
    expect((screen.getByTestId("chips-input") as HTMLInputElement).placeholder).toBe("0–23, press Enter");
    await user.type(screen.getByTestId("chips-input"), "13{Enter}");
    expect(value()).toEqual({ part: "hour", values: [13] });
    expect(screen.getByTestId("chip").firstChild!.textContent).toBe("13:00–13:59");
    expect(screen.getByRole("button", { name: "Remove 13:00–13:59" })).toBeTruthy();
  });

  it("date part: no range of the dates beside it (it is not the range of the part)", () => {
    const hints = { min: "2024-01-01T00:00:00Z", max: "2024-12-31T00:00:00Z" } as unknown as ColumnStats;
    render(<ValueEditor type="datetime" operator="date_part_is" value={{ part: "hour", values: [9] }} onChange={() => {}} hints={hints} />);
    expect(screen.queryByTestId("value-range")).toBeNull();
  });

  it("text order: says which order", () => {
    editor("text", "less_than", "M");
    expect(screen.getByTestId("text-order-hint").textContent).toBe("in character order: 0–9, then A–Z, then a–z");
  });

  it("number in a row that offers today's parts itself: just the number", () => {
    render(<ValueEditor type="number" operator="equals" value={3} onChange={() => {}} withToday={false} />);
    expect(screen.queryByTestId("value-today")).toBeNull();
    expect((screen.getByTestId("value") as HTMLInputElement).value).toBe("3");
  });

  it("list: chips added with Enter or comma, removed with × or Backspace", async () => {
    const { user, value } = editor("number", "is_one_of" as Operator, []);
    const input = screen.getByTestId("chips-input");
    await user.type(input, "1,2{Enter}");
    expect(value()).toEqual([1, 2]);
    await user.type(input, "x{Enter}");
    expect(value()).toEqual([1, 2, "x"]);
    await user.click(screen.getByRole("button", { name: "Remove 1" }));
    expect(value()).toEqual([2, "x"]);
    await user.type(input, "{Backspace}");
    expect(value()).toEqual([2]);
  });

  it("range: two numbers, or two dates", async () => {
    const numbers = editor("number", "between", [1, 5]);
    await numbers.user.clear(screen.getByTestId("value-high"));
    await numbers.user.type(screen.getByTestId("value-high"), "9");
    expect(numbers.value()).toEqual([1, 9]);
    cleanup();
    editor("datetime", "between", ["2024-01-01", "2024-02-01T10:00:00Z"]);
    expect((screen.getByTestId("value-low") as HTMLInputElement).type).toBe("date");
    expect((screen.getByTestId("value-high") as HTMLInputElement).value).toBe("2024-02-01");
  });

  it("relative: an amount and a unit, with “ago” for the operators that look back", async () => {
    const { user, value, container } = editor("datetime", "more_than_ago", { amount: 30, unit: "day" });
    expect(container.textContent).toContain("ago");
    await user.selectOptions(screen.getByTestId("value-unit"), "week");
    expect(value()).toEqual({ amount: 30, unit: "week" });
    cleanup();
    const last = editor("datetime", "in_the_last", { amount: 30, unit: "day" });
    expect(last.container.textContent).not.toContain("ago");
    await last.user.clear(screen.getByTestId("value-amount"));
    await last.user.type(screen.getByTestId("value-amount"), "7");
    expect(last.value()).toEqual({ amount: 7, unit: "day" });
  });

  it("relative range: between two amounts ago", async () => {
    const { user, value } = editor("datetime", "between_ago", { from: 30, to: 7, unit: "day" });
    await user.clear(screen.getByTestId("value-low"));
    await user.type(screen.getByTestId("value-low"), "60");
    expect(value()).toEqual({ from: 60, to: 7, unit: "day" });
  });

  it("date and period", async () => {
    editor("datetime", "before", "2024-03-01T00:00:00Z");
    expect((screen.getByTestId("value") as HTMLInputElement).value).toBe("2024-03-01");
    cleanup();
    const { user, value } = editor("datetime", "this_period", "month");
    await user.selectOptions(screen.getByTestId("value-period"), "year");
    expect(value()).toBe("year");
  });

  it("date part: months as toggles, kept sorted; another part starts empty", async () => {
    const { user, value } = editor("datetime", "date_part_is", { part: "month", values: [3] });
    await user.click(screen.getByRole("button", { name: "Jan" }));
    expect(value()).toEqual({ part: "month", values: [1, 3] });
    expect(screen.getByRole("button", { name: "Jan" }).getAttribute("aria-pressed")).toBe("true");
    await user.click(screen.getByRole("button", { name: "Mar" }));
    expect(value()).toEqual({ part: "month", values: [1] });
    await user.selectOptions(screen.getByTestId("value-part"), "weekday");
    expect(value()).toEqual({ part: "weekday", values: [] });
    expect(screen.getByRole("button", { name: "Mon" })).toBeTruthy();
  });
});
