import { describe, expect, it } from "vitest";
import type { CountRecord } from "../../bindings/CountRecord";
import type { Segment } from "../../bindings/Segment";
import { chartPoints, newestFirst, copyId, deltaLabel, differs, idProblem, nextSort, pageLabel, parseMembers, shortDate, suggestId } from "./library";

describe("segment ids", () => {
  it("accepts [a-z][a-z0-9_]* and explains every refusal", () => {
    expect(idProblem("us_buyers_30d")).toBeNull();
    expect(idProblem("")).toMatch(/Give the segment an id/);
    expect(idProblem("con")).toMatch(/reserved file name on Windows/);
    expect(idProblem("lpt3")).toMatch(/reserved/);
    expect(idProblem("console")).toBeNull();
    expect(idProblem("a".repeat(128))).toBeNull();
    expect(idProblem("a".repeat(129))).toMatch(/128/);
    expect(idProblem("us buyers")).toMatch(/spaces/);
    expect(idProblem("9lives")).toMatch(/starts with a letter/);
    expect(idProblem("_x")).toMatch(/starts with a letter/);
    expect(idProblem("us-buyers")).toMatch(/only lowercase letters, digits and _/);
    expect(idProblem("UsBuyers")).toMatch(/lowercase/);
  });

  it("suggests ids from names and free ids for copies", () => {
    expect(suggestId("US buyers (30d)")).toBe("us_buyers_30d");
    expect(suggestId("2024 leads")).toBe("segment_2024_leads");
    expect(idProblem(suggestId("Été à Paris!"))).toBeNull();
    expect(copyId("vip", ["vip", "vip_copy"])).toBe("vip_copy2");
    expect(copyId("vip", [])).toBe("vip_copy");
  });
});

describe("list", () => {
  it("toggles a column's direction and starts dates descending", () => {
    expect(nextSort(["name", "asc"], "name")).toEqual(["name", "desc"]);
    expect(nextSort(["name", "desc"], "name")).toEqual(["name", "asc"]);
    expect(nextSort(["name", "asc"], "dateModified")).toEqual(["dateModified", "desc"]);
    expect(nextSort(["dateModified", "desc"], "status")).toEqual(["status", "asc"]);
  });

  it("labels pages with totals", () => {
    expect(pageLabel(0, 20, 0)).toBe("No segments");
    expect(pageLabel(0, 20, 57)).toBe("1–20 of 57");
    expect(pageLabel(2, 20, 57)).toBe("41–57 of 57");
  });

  it("shows stored instants briefly", () => {
    expect(shortDate("2026-11-01T14:05:09.123Z")).toBe("2026-11-01 14:05");
    expect(shortDate(null)).toBe("—");
  });
});

describe("changes", () => {
  const seg = (value: string, negated?: boolean): Segment => ({
    version: 1,
    entity: "profiles",
    root: { combinator: "and", ...(negated === undefined ? {} : { negated }), children: [{ type: "condition", attribute: "country", operator: "is", value }] } as Segment["root"],
  });

  it("ignores key order and defaults when telling whether the builder has unsaved changes", () => {
    expect(differs(seg("US"), seg("US", false))).toBe(false);
    expect(differs(seg("US"), seg("CA"))).toBe(true);
    expect(differs(seg("US"), null)).toBe(true);
  });

  it("words diff entries and count deltas", () => {
    expect(deltaLabel(1200)).toBe("+1,200");
    expect(deltaLabel(-3)).toBe("−3");
    expect(deltaLabel(0)).toBe("±0");
    expect(deltaLabel(null)).toBe("");
  });
});

describe("count chart", () => {
  const c = (count: number, computedAt: string, revision = 0): CountRecord => ({
    revision: revision,
    count: count,
    total: null,
    computedAt,
    dataSource: null,
    asOf: null,
  });

  it("places counts by time, oldest left, from a zero baseline", () => {
    const pts = chartPoints([c(50, "2026-01-03T00:00:00Z", 1), c(100, "2026-01-01T00:00:00Z"), c(0, "2026-01-02T00:00:00Z")], 104, 54, 2);
    expect(pts.map((p) => p.count)).toEqual([100, 0, 50]);
    expect(pts.map((p) => p.x)).toEqual([2, 52, 102]);
    expect(pts.map((p) => p.y)).toEqual([2, 52, 27]);
    expect(pts[2].revision).toBe(1);
  });

  it("centres a single count and spreads counts computed at the same instant", () => {
    expect(chartPoints([c(5, "2026-01-01T00:00:00Z")], 100, 50, 0)[0].x).toBe(50);
    expect(chartPoints([c(5, "2026-01-01T00:00:00Z"), c(6, "2026-01-01T00:00:00Z")], 100, 50, 0).map((p) => p.x)).toEqual([0, 100]);
    expect(chartPoints([], 100, 50)).toEqual([]);
  });
});

describe("members", () => {
  it("splits pasted identifiers on lines, commas and spaces, once each", () => {
    expect(parseMembers("a1\nb2, c3 ;a1\n\n")).toEqual(["a1", "b2", "c3"]);
  });
});

describe("newest first", () => {
  const all = Array.from({ length: 45 }, (_, i) => i);
  const fetch = async (page: number) => ({
    items: all.slice(page * 20, page * 20 + 20),
    page: { size: 20, totalElements: 45, totalPages: 3, number: page },
  });

  it("pages a collection stored oldest first from its newest entry", async () => {
    expect((await newestFirst(fetch, 0, 20)).items).toEqual(all.slice(25).reverse());
    expect((await newestFirst(fetch, 1, 20)).items).toEqual(all.slice(5, 25).reverse());
    expect((await newestFirst(fetch, 2, 20)).items).toEqual([4, 3, 2, 1, 0]);
    expect((await newestFirst(fetch, 3, 20)).items).toEqual([]);
  });
});
