import { expect, it } from "vitest";
import { describe as say, humanize } from "./messages";

it("says problems in the builder's words", () => {
  expect(humanize("“xor” is not one of the choices")).toBe("“xor” is not one of the choices");
  expect(humanize("value must be a number")).toBe("Value must be a number");
  expect(say({ path: "/root/children/0/value", message: "Enter a number." }, "value")).toBe("Value: Enter a number.");
  expect(say({ path: "/root/children/0", message: "Value is missing" }, "value")).toBe("Value is missing");
});
