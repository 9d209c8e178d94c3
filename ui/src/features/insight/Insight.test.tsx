// @vitest-environment jsdom
// The insight card as a marketer uses it: the size over time with entered/left and the note on
// attributes, "why (not)" for a key with every condition met or not and the deciding values,
// near misses with their curves; and the pure helpers behind them.
import { cleanup, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Segment } from "../../bindings/Segment";
import { call } from "../../ipc";
import { fakeCall } from "../../test/ipcMock";
import { Insight } from "./Insight";
import { changeWords, churn, depthOf, describeNode, linePoints } from "./insight";

vi.mock("../../ipc", async (importOriginal) => ({ ...(await importOriginal<typeof import("../../ipc")>()), call: vi.fn() }));

const segment = {
  version: 1,
  entity: "profiles",
  root: {
    combinator: "and",
    children: [
      { type: "condition", attribute: "country", operator: "is", value: "US" },
      {
        type: "relationship",
        relationship: "events",
        constraint: { type: "occurrences", operator: "at_least", value: 2 },
        window: { type: "in_the_last", amount: 30, unit: "day" },
        filter: { combinator: "and", children: [{ type: "condition", attribute: "name", operator: "is", value: "purchase" }] },
      },
    ],
  },
} as unknown as Segment;

const asked: Record<string, unknown>[] = [];

beforeEach(() => {
  asked.length = 0;
  vi.mocked(call).mockImplementation(
    fakeCall({
      insight_trend: (args) => {
        asked.push(args);
        return {
          points: [
            { at: "2026-10-30T00:00:00Z", count: 100, entered: null, left: null },
            { at: "2026-10-31T00:00:00Z", count: 110, entered: 15, left: 5 },
            { at: "2026-11-01T00:00:00Z", count: 120, entered: 12, left: 2 },
          ],
          total: 1000,
          method: "memory",
          notice: null,
          note: "Dates and related records (events, orders) are replayed as of each step; attributes of the records themselves are as they are now.",
          elapsed_ms: 3,
        };
      },
      insight_explain_record: (args) => {
        const key = (args.request as { key: string }).key;
        if (key === "404") return { key: 404, found: false, member: false, record: null, nodes: [], method: "memory", notice: null, elapsed_ms: 0 };
        return {
          key: Number(key),
          found: true,
          member: false,
          record: { id: 7, country: "US" },
          nodes: [
            { path: "/root", met: false, related: null },
            { path: "/root/children/0", met: true, value: "US", related: null },
            { path: "/root/children/1", met: false, related: { records: 1, aggregate: null, first_time: "2026-10-20T10:00:00Z", last_time: "2026-10-20T10:00:00Z" } },
            { path: "/root/children/1/filter/children/0", met: false, related: { records: 1, aggregate: null, first_time: null, last_time: null } },
          ],
          method: "memory",
          notice: null,
          elapsed_ms: 1,
        };
      },
      insight_near_misses: () => ({
        count: 120,
        total: 1000,
        method: "memory",
        notice: null,
        elapsed_ms: 4,
        nodes: [
          { path: "/root/children/0", alone: 300, without: 400, more_if_dropped: 280, curves: [] },
          {
            path: "/root/children/1",
            alone: 200,
            without: 300,
            more_if_dropped: 180,
            curves: [{ kind: "occurrences", pointer: "/root/children/1/constraint/value", current: 2, unit: null, points: [{ value: 0, count: 300 }, { value: 1, count: 200 }, { value: 2, count: 120 }, { value: 3, count: 50 }] }],
          },
        ],
      }),
    }),
  );
});
afterEach(cleanup);

describe("insight", () => {
  it("shows the size over time with entered and left, and that attributes are as they are now", async () => {
    render(<Insight segment={segment} now="2026-11-01T00:00:00Z" valid />);
    await userEvent.selectOptions(screen.getByTestId("trend-step"), "week");
    await userEvent.click(screen.getByTestId("trend-show"));
    const chart = await screen.findByTestId("trend-chart");
    expect(chart.textContent).toContain("120 as of Nov 1");
    expect(chart.textContent).toContain("grew by 20 (+20%)");
    expect(chart.textContent).toContain("27 entered");
    expect(chart.textContent).toContain("7 left");
    expect(screen.getByTestId("trend-note").textContent).toContain("as they are now");
    expect(asked[0]).toEqual({ request: { segment, entity: "profiles", now: "2026-11-01T00:00:00Z", days: 90, step: "week" } });
  });

  it("tells why a record is not in it, condition by condition", async () => {
    render(<Insight segment={segment} now={null} valid />);
    await userEvent.click(screen.getByTestId("tab-why"));
    await userEvent.type(screen.getByTestId("why-key"), "7{Enter}");
    expect((await screen.findByTestId("why-verdict")).textContent).toBe("7 is not in the segment.");
    const rows = screen.getAllByTestId("why-node");
    expect(rows.map((r) => r.getAttribute("data-met"))).toEqual(["false", "true", "false", "false"]);
    expect(rows[1].textContent).toContain("its value: US");
    expect(rows[2].textContent).toContain("events: at least 2 times, in the last 30 days");
    expect(rows[2].textContent).toContain("1 related record, latest Oct 20");
    await userEvent.clear(screen.getByTestId("why-key"));
    await userEvent.type(screen.getByTestId("why-key"), "404");
    await userEvent.click(screen.getByTestId("why-explain"));
    expect((await screen.findByTestId("why-verdict")).textContent).toBe("No record of profiles has the key 404.");
  });

  it("lists near misses with a curve per threshold", async () => {
    render(<Insight segment={segment} now={null} valid />);
    await userEvent.click(screen.getByTestId("tab-near"));
    await userEvent.click(screen.getByTestId("near-show"));
    const nodes = await screen.findAllByTestId("near-node");
    expect(nodes[0].textContent).toContain("+280 without it");
    expect(within(nodes[1]).getByTestId("near-curve").textContent).toContain("If the number of times were");
  });

  it("waits for a complete segment", () => {
    render(<Insight segment={segment} now={null} valid={false} />);
    expect((screen.getByTestId("trend-show") as HTMLButtonElement).disabled).toBe(true);
  });
});

describe("insight helpers", () => {
  it("draws from zero to the largest count and words the change", () => {
    expect(linePoints([0, 5, 10], 100, 50, 0)).toEqual([
      { x: 0, y: 50 },
      { x: 50, y: 25 },
      { x: 100, y: 0 },
    ]);
    const points = [
      { at: "a", count: 50, entered: null, left: null },
      { at: "b", count: 40, entered: 2, left: 12 },
    ];
    expect(changeWords(points)).toBe("shrank by 10 (−20%)");
    expect(churn(points)).toEqual({ entered: 2, left: 12 });
    expect(depthOf("/root/children/1/filter/children/0")).toBe(1);
    expect(describeNode(segment, "/root")).toBe("The whole segment");
  });
});
