// @vitest-environment jsdom
import { render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { PreviewResponse } from "../../bindings/PreviewResponse";
import type { Segment } from "../../bindings/Segment";
import { renderBuilder } from "../../test/BuilderHarness";
import { absentValues } from "./absent";
import { countable } from "./incomplete";
import { CountPanel } from "./Preview";
import { previewCountable } from "./usePreview";

const seg = (children: Segment["root"]["children"]): Segment => ({ version: 1, entity: "profiles", root: { combinator: "and", children } });
const STATS = [
  {
    name: "profiles",
    key: "id",
    rows: 3,
    columns: [{ name: "country", data_type: "text", storage: "text", declared_type: "TEXT", nulls: 0, null_share: 0, distinct: 3, top: [{ value: "France", count: 2 }, { value: "US", count: 1 }, { value: "Canada", count: 1 }] }],
  },
] as never;

describe("incomplete conditions", () => {
  const blank = { type: "condition", attribute: "country", operator: "is", value: "" } as const;
  const us = { type: "condition", attribute: "country", operator: "is", value: "US" } as const;

  it("are left out of what is counted, and paths map back to the builder's rows", async () => {
    const segment = seg([blank, { type: "group", combinator: "or", children: [{ ...us, operator: "is_one_of", value: [] }, us] }]);
    const c = countable(segment);
    expect(c.incomplete).toEqual(["/root/children/0", "/root/children/1/children/0"]);
    expect(c.segment.root.children).toEqual([{ type: "group", combinator: "or", children: [us] }]);
    const send = vi.fn(async (): Promise<PreviewResponse> => ({
      request_id: 1, count: 5, total: 10, engine: "memory", notice: null, sql: "SELECT", now: "2026-11-01T00:00:00Z", elapsed_ms: 1,
      problems: [{ path: "/root/children/0/children/0/value", message: "bad" }],
      nodes: [{ path: "/root/children/0/children/0", count: 5, without: 10 }],
    }));
    const r = await previewCountable({ request_id: 1, segment, entity: "profiles", now: null }, send);
    expect(send.mock.calls[0]).toEqual([expect.objectContaining({ segment: c.segment })]);
    expect(r.problems).toEqual([{ path: "/root/children/1/children/1/value", message: "bad" }]);
    expect(r.nodes).toEqual([{ path: "/root/children/1/children/1", count: 5, without: 10 }]);
  });

  it("a group whose every condition waits for a value is left out too, not counted as an empty group", () => {
    const segment: Segment = { ...seg([{ type: "group", combinator: "and", children: [blank] }, us]), root: { combinator: "or", children: [{ type: "group", combinator: "and", children: [blank, { type: "group", combinator: "and", children: [blank] }] }, us] } };
    const c = countable(segment);
    expect(c.segment.root.children).toEqual([us]);
    expect(c.incomplete).toEqual(["/root/children/0/children/0", "/root/children/0/children/1/children/0"]);
    expect(c.toBuilder("/root/children/0/value")).toBe("/root/children/1/value");
    // an empty group the user made stays as it is
    expect(countable(seg([{ type: "group", combinator: "and", children: [] }, blank])).segment.root.children).toEqual([{ type: "group", combinator: "and", children: [] }]);
  });

  it("a new condition without its value is marked at its row and in the count panel", () => {
    renderBuilder(seg([blank, us]));
    const rows = screen.getAllByTestId("condition");
    expect(rows[0].getAttribute("data-incomplete")).toBe("true");
    expect(rows[0].querySelector("[data-testid=incomplete]")?.textContent).toBe("needs a value · not counted");
    expect(rows[1].getAttribute("data-incomplete")).toBeNull();
    render(<CountPanel state={{ requested: 1, pending: false, incomplete: ["/root/children/0"] }} entity="profiles" />);
    expect(screen.getByTestId("count-incomplete").textContent).toBe("1 condition is incomplete and not counted");
  });

  it("typing a value makes it complete", async () => {
    const { user, segment } = renderBuilder(seg([blank]));
    await user.type(screen.getByTestId("value"), "US");
    expect(segment().root.children[0]).toMatchObject({ value: "US" });
    expect(screen.getByTestId("condition").getAttribute("data-incomplete")).toBeNull();
    expect(countable(segment()).incomplete).toEqual([]);
  });

  it("a value absent from the data gets a gentle warning with the closest values, one click away", async () => {
    const { user, segment } = renderBuilder(seg([{ ...us, value: "Frnace" }]), { stats: STATS });
    expect(screen.getByTestId("absent-value").textContent).toBe("“Frnace” is not in the data, so it matches no record. Did you mean France?");
    await user.click(screen.getAllByTestId("absent-suggestion")[0]);
    expect(segment().root.children[0]).toMatchObject({ value: "France" });
    expect(screen.queryByTestId("absent-value")).toBeNull();
  });

  it("no warning when the value is in the data (case folded when Aa is off) or the statistics are partial", () => {
    renderBuilder(seg([{ ...us, value: "france", case_sensitive: false }]), { stats: STATS });
    expect(screen.queryByTestId("absent-value")).toBeNull();
  });

  it("with only the most frequent values known, the condition's own count of 0 says it is absent", () => {
    const partial = [{ ...(STATS as never as { columns: object[] }[])[0].columns[0], distinct: 40 }][0] as never;
    expect(absentValues(partial, "is", "UX", true, 0)).toEqual([{ value: "UX", suggestions: ["US"] }]);
    expect(absentValues(partial, "is", "UX", true, 12)).toEqual([]); // it matches records: a value beyond the top ten
    expect(absentValues(partial, "is", "UX", true, undefined)).toEqual([]); // not counted yet
    expect(absentValues(partial, "is_not", "UX", true, 0)).toEqual([]);
  });

  it("the builder offers an explicit empty test by name", () => {
    renderBuilder(seg([us]));
    const ops = [...(screen.getByTestId("operator") as HTMLSelectElement).options].map((o) => o.textContent);
    expect(ops.some((o) => /blank|empty/.test(o ?? ""))).toBe(true);
  });
});
