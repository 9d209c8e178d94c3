import { expect, it } from "vitest";
import { describe as say, humanize } from "./messages";

it("says problems in the builder's words", () => {
  expect(humanize("unknown variant `xor`, expected `and` or `or`")).toBe("“xor” is not one of the choices");
  expect(humanize("missing field `operator`")).toBe("Operator is missing");
  expect(say({ path: "/root/children/0/value", message: "Enter a number." }, "value")).toBe("Value: Enter a number.");
  expect(say({ path: "/root/children/0", message: "Value is missing" }, "value")).toBe("Value is missing");
});
