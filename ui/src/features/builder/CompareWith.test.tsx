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
});
