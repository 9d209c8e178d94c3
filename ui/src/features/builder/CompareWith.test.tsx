// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { afterEach, describe, expect, it } from "vitest";
import type { Column } from "../../bindings/Column";
import type { JsonValue } from "../../bindings/serde_json/JsonValue";
import { CompareWith, compares, otherAttribute } from "./CompareWith";

afterEach(cleanup);

const col = (name: string, data_type: Column["data_type"]): Column =>
  ({ name, data_type, storage: data_type === "number" ? "integer" : "text", declared_type: "", nullable: true }) as Column;
const columns = [col("home_state", "text"), col("work_state", "text"), col("age", "number"), col("start", "datetime"), col("end", "datetime")];

function editor(column: Column, initial: JsonValue) {
  let value: JsonValue | null = initial;
  function Controlled() {
    const [v, setV] = useState<JsonValue>(initial);
    return <CompareWith column={column} columns={columns} value={v} onChange={(next) => ((value = next), setV(next ?? ""))} />;
  }
  render(<Controlled />);
  return { user: userEvent.setup(), value: () => value };
}

describe("comparing with another attribute", () => {
  it("offers it for the operators that compare two attributes", () => {
    expect(compares("is", "text")).toBe(true);
    expect(compares("contains", "text")).toBe(false);
    expect(compares("before", "datetime")).toBe(true);
    expect(compares("is_true", "boolean")).toBe(false);
    expect(otherAttribute({ attribute: "b", date_only: true })).toEqual({ attribute: "b", date_only: true });
    expect(otherAttribute("b")).toBeUndefined();
  });

  it("switches a text condition to another attribute of the same type, and back", async () => {
    const { user, value } = editor(columns[0], "CA");
    expect(screen.queryByTestId("other-attribute")).toBeNull();
    await user.selectOptions(screen.getByTestId("compare-source"), "attribute");
    expect(value()).toEqual({ attribute: "work_state" });
    const choices = [...(screen.getByTestId("other-attribute") as HTMLSelectElement).options].map((o) => o.value);
    expect(choices).toEqual(["work_state"]);
    await user.selectOptions(screen.getByTestId("compare-source"), "value");
    expect(value()).toBeNull();
  });

  it("compares dates by the day when asked", async () => {
    const { user, value } = editor(columns[3], { attribute: "end" });
    await user.click(screen.getByTestId("date-only-toggle"));
    expect(value()).toEqual({ attribute: "end", date_only: true });
  });

  it("offers a number the parts of today's date in the same choice, worded plainly", async () => {
    const { user, value } = editor(columns[2], 30);
    const source = screen.getByTestId("compare-source") as HTMLSelectElement;
    expect([...source.options].map((o) => o.textContent)).toEqual(["a number", "this year", "this month (1–12)", "today's day of month", "another attribute"]);
    await user.selectOptions(source, "today:month");
    expect(value()).toEqual({ today: "month" });
    expect((screen.getByTestId("compare-source") as HTMLSelectElement).value).toBe("today:month");
    await user.selectOptions(screen.getByTestId("compare-source"), "value");
    expect(value()).toBeNull();
  });

  it("shows a number compared with today's year as such", () => {
    editor(columns[2], { today: "year" });
    expect((screen.getByTestId("compare-source") as HTMLSelectElement).value).toBe("today:year");
    expect(screen.queryByTestId("other-attribute")).toBeNull();
  });

  it("offers no parts of today to text or dates", () => {
    editor(columns[3], "2024-01-01");
    const options = [...(screen.getByTestId("compare-source") as HTMLSelectElement).options].map((o) => o.textContent);
    expect(options).toEqual(["a date", "another attribute"]);
  });

  it("says in words that only the dates count", () => {
    editor(columns[3], { attribute: "end" });
    expect(screen.getByTestId("date-only-toggle").textContent).toBe("dates only");
  });
});
