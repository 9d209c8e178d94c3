import { describe, expect, it } from "vitest";
import type { ColumnStats } from "../bindings/ColumnStats";
import { bars, formatBytes, formatDuration, importable, percent, rangeHint, sourceFileName, suggestions } from "./data";

const country = {
  name: "country", label: null, data_type: "text", storage: "text", declared_type: "TEXT",
  nulls: 1, null_share: 0.1, distinct: 3, min: "CA", max: "US",
  top: [{ value: "US", count: 6 }, { value: "FR", count: 2 }, { value: "CA", count: 1 }],
} as unknown as ColumnStats;

describe("data helpers", () => {
  it("formats progress", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(50 * 1024 * 1024)).toBe("50 MB");
    expect(formatDuration(65_000)).toBe("1 m 05 s");
    expect(formatDuration(null)).toBe("…");
    expect(percent(0.0004)).toBe("< 0.1%");
    expect(percent(0.5)).toBe("50%");
  });
  it("scales bars to the largest value", () => {
    const b = bars(country.top);
    expect(b.map((x) => x.width)).toEqual([1, 2 / 6, 1 / 6]);
    expect(b[0].label).toBe("US");
  });
  it("suggests values matching what is typed, most frequent first", () => {
    expect(suggestions(country)).toEqual(["US", "FR", "CA"]);
    expect(suggestions(country, "f")).toEqual(["FR"]);
    expect(suggestions(undefined)).toEqual([]);
    expect(rangeHint(country)).toBe("from CA to US");
  });
  it("names data sources and filters dropped files", () => {
    expect(sourceFileName(" Shop data ")).toBe("shop_data.sqlite");
    expect(sourceFileName("")).toBe("imported.sqlite");
    expect(importable(["/a/x.csv", "/a/y.png", "/a/z.NDJSON"])).toEqual(["/a/x.csv", "/a/z.NDJSON"]);
  });
});
