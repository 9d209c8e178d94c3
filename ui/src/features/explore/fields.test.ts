import { describe, expect, it } from "vitest";
import { compareKeys, displayColumns, displayName, formatField, typedKey } from "./fields";

describe("formatField", () => {
  it("shows Unix seconds as dates, midnights without a time", () => {
    expect(formatField(1767225600, { data_type: "datetime", storage: "unix_seconds" })).toBe("2026-01-01");
    expect(formatField(1767273900, { data_type: "datetime", storage: "unix_seconds" })).toBe("2026-01-01 13:25 UTC");
    expect(formatField("2026-03-05", { data_type: "datetime", storage: "iso_date" })).toBe("2026-03-05");
    expect(formatField("2026-03-05T08:15:00Z", { data_type: "datetime", storage: "iso_date_time" })).toBe("2026-03-05 08:15 UTC");
  });

  it("shows booleans as Yes / No, not 0 / 1", () => {
    expect(formatField(1, { data_type: "boolean", storage: "boolean" })).toBe("Yes");
    expect(formatField(0, { data_type: "boolean", storage: "boolean" })).toBe("No");
    expect(formatField(true)).toBe("Yes");
  });

  it("groups quantities but not identifiers, rounds decimals, joins lists", () => {
    expect(formatField(1234567, { data_type: "number", storage: "integer" }, "lifetime_value")).toBe("1,234,567");
    expect(formatField(10096, { data_type: "number", storage: "integer" }, "id")).toBe("10096");
    expect(formatField(10096, { data_type: "number", storage: "integer" }, "customer_id")).toBe("10096");
    expect(formatField(19.987, { data_type: "number", storage: "real" }, "amount")).toBe("19.99");
    expect(formatField('["vip","newsletter"]', { data_type: "array", storage: "json_array" })).toBe("vip, newsletter");
    expect(formatField("[]", { data_type: "array", storage: "json_array" })).toBe("(none)");
    expect(formatField(null)).toBe("—");
    expect(formatField("US", { data_type: "text", storage: "text" })).toBe("US");
  });
});

describe("records and keys", () => {
  it("names a record", () => {
    expect(displayName({ first_name: "Ada", last_name: "Lovelace", email: "a@x.io" })).toBe("Ada Lovelace");
    expect(displayName({ email: "a@x.io" })).toBe("a@x.io");
    expect(displayName({ amount: 3 })).toBe("");
    expect(displayColumns([{ name: "id" }, { name: "first_name" }, { name: "last_name" }])).toEqual(["first_name", "last_name"]);
    expect(displayColumns([{ name: "id" }, { name: "email" }])).toEqual(["email"]);
  });

  it("sorts number keys numerically and text keys naturally", () => {
    expect(["10096", "481", "zz_not_a_profile", "9"].sort((a, b) => compareKeys(a, b, "number"))).toEqual(["9", "481", "10096", "zz_not_a_profile"]);
    expect(["user10", "user2", "admin"].sort((a, b) => compareKeys(a, b, "text"))).toEqual(["admin", "user2", "user10"]);
    expect(typedKey("481", "number")).toBe(481);
    expect(typedKey("zz", "number")).toBeNull();
    expect(typedKey("481", "text")).toBe("481");
  });
});
