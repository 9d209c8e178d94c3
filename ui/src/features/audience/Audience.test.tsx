// @vitest-environment jsdom
// The audience card as a marketer uses it: a breakdown's bars (and "compare with everyone"
// asking for lift ranking), a split's group counts summing to the count with its balance, a
// percentage problem said before asking, and tiers counted in order; the pure helpers.
import { cleanup, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Segment } from "../../bindings/Segment";
import { call } from "../../ipc";
import { SOURCE } from "../../test/fixtures";
import { fakeCall } from "../../test/ipcMock";
import { Audience } from "./Audience";
import { barWidth, checkGroups, defaultDimension, dimensionOptions, liftText, percent, slug } from "./audience";

vi.mock("../../ipc", async (importOriginal) => ({ ...(await importOriginal<typeof import("../../ipc")>()), call: vi.fn() }));

const segment = {
  version: 1,
  entity: "profiles",
  root: { combinator: "and", children: [{ type: "condition", attribute: "age", operator: "between", value: [20, 40] }] },
} as unknown as Segment;

const row = (label: string, count: number, base: number, kind = "value") => ({
  label,
  kind,
  count,
  base,
  share: count / 100,
  base_share: base / 1000,
  lift: count / 100 / (base / 1000),
});

const asked: Record<string, unknown>[] = [];

beforeEach(() => {
  asked.length = 0;
  vi.mocked(call).mockImplementation(
    fakeCall({
      audience_breakdown: (args) => {
        asked.push(args.request as Record<string, unknown>);
        return {
          dimension: "country",
          shape: "values",
          count: 100,
          total: 1000,
          rows: [row("US", 60, 400), row("CA", 30, 100), row("Other (3 values)", 10, 500, "other")],
          method: "memory",
          ms: 1,
        };
      },
      audience_split: (args) => {
        asked.push(args.request as Record<string, unknown>);
        return {
          salt: "holdout",
          count: 100,
          groups: [
            { name: "Group A", percent: 45, first_bucket: 0, end_bucket: 4500, count: 44 },
            { name: "Group B", percent: 45, first_bucket: 4500, end_bucket: 9000, count: 46 },
            { name: "Holdout", percent: 10, first_bucket: 9000, end_bucket: 10000, count: 10 },
          ],
          balance: [{ attribute: "age", values: [30.5, 31.2, 29.9], measure: "number", difference: 0.04, balanced: true }],
          method: "memory",
          ms: 1,
        };
      },
      library_list: () => ({
        items: [
          { id: "vip", name: "VIPs" },
          { id: "us", name: "US buyers" },
        ],
        page: { size: 200, totalElements: 2, totalPages: 1, number: 0 },
      }),
      audience_tiers: (args) => {
        asked.push(args.request as Record<string, unknown>);
        return {
          tiers: [
            { name: "vip", matched: 50, count: 50, lost: 0, lost_to: [] },
            { name: "us", matched: 300, count: 280, lost: 20, lost_to: [20] },
          ],
          union: 330,
          total: 1000,
          method: "memory",
          ms: 1,
        };
      },
    }),
  );
});

afterEach(cleanup);

describe("Audience", () => {
  it("shows a breakdown as bars and asks for lift ranking when compared with everyone", async () => {
    render(<Audience source={SOURCE} segment={segment} now={null} valid />);
    const rows = await screen.findAllByTestId("breakdown-row");
    expect(rows.map((r) => r.getAttribute("data-count"))).toEqual(["60", "30", "10"]);
    expect(rows[0].textContent).toContain("US");
    expect(rows[0].textContent).toContain("60 · 60.0%");
    expect(asked[0]).toMatchObject({ dimension: { kind: "attribute", column: "country" }, options: { by_lift: false } });
    await userEvent.click(screen.getByTestId("breakdown-compare"));
    await waitFor(() => expect(asked.at(-1)).toMatchObject({ options: { by_lift: true } }));
    await waitFor(() => expect(screen.getAllByTestId("breakdown-row")[1].textContent).toContain("×3.00"));
  });

  it("splits into groups whose counts sum to the count, with the balance", async () => {
    render(<Audience source={SOURCE} segment={segment} now={null} valid />);
    await userEvent.click(screen.getByTestId("tab-split"));
    await userEvent.selectOptions(screen.getByTestId("split-balance-by"), screen.getByRole("option", { name: "age" }));
    await userEvent.click(screen.getByTestId("split-run"));
    const counts = await screen.findAllByTestId("split-count");
    expect(counts.map((c) => c.textContent)).toEqual(["44", "46", "10"]);
    expect(screen.getByTestId("split-total").textContent).toBe("100");
    expect(asked.at(-1)).toMatchObject({ split: { salt: "holdout", balance: [{ kind: "attribute", column: "age" }] } });
    expect(within(screen.getByTestId("split-balance")).getByText("0.04 ✓")).toBeTruthy();
  });

  it("says what is wrong with the percentages before splitting", async () => {
    render(<Audience source={SOURCE} segment={segment} now={null} valid />);
    await userEvent.click(screen.getByTestId("tab-split"));
    const percent = screen.getByLabelText("Percent of group 3");
    await userEvent.clear(percent);
    await userEvent.type(percent, "5");
    expect(screen.getByText("The percentages add up to 95%, not 100%.")).toBeTruthy();
    expect((screen.getByTestId("split-run") as HTMLButtonElement).disabled).toBe(true);
  });

  it("counts tiers in order with what each lost to those above", async () => {
    render(<Audience source={SOURCE} segment={segment} now={null} valid />);
    await userEvent.click(screen.getByTestId("tab-tiers"));
    const choice = screen.getByTestId("tier-choice");
    await screen.findByRole("option", { name: "VIPs" });
    await userEvent.selectOptions(choice, "vip");
    await userEvent.click(screen.getByTestId("tier-add"));
    await userEvent.selectOptions(choice, "us");
    await userEvent.click(screen.getByTestId("tier-add"));
    await waitFor(() => expect(screen.getAllByTestId("tier-count").map((c) => c.textContent)).toEqual(["50", "280"]));
    expect(asked.at(-1)).toMatchObject({ ids: ["vip", "us"] });
    expect(screen.getByTestId("tier-union").textContent).toContain("330 of 1,000");
    await userEvent.click(screen.getByLabelText("Move US buyers up"));
    await waitFor(() => expect(asked.at(-1)).toMatchObject({ ids: ["us", "vip"] }));
  });
});

describe("audience helpers", () => {
  it("offers the attributes and related aggregates of the entity", () => {
    const labels = dimensionOptions(SOURCE.schema, "profiles").map((o) => o.label);
    expect(labels).toEqual(["country", "age", "signed_up", "number of events", "latest at of events"]);
  });

  it("starts with an attribute of few values", () => {
    const option = (column: string) => ({ key: column, label: column, dimension: { kind: "attribute" as const, column } });
    const options = [option("email"), option("age"), option("plan")];
    expect(defaultDimension(options)).toBe("age");
    const stats = [
      { name: "email", data_type: "text", distinct: 5000 },
      { name: "age", data_type: "number", distinct: 70 },
      { name: "plan", data_type: "text", distinct: 4 },
    ];
    expect(defaultDimension(options, stats)).toBe("plan");
  });

  it("words shares, lifts and bars", () => {
    expect(percent(0.3821)).toBe("38.2%");
    expect(percent(0.0004)).toBe("<0.1%");
    expect(liftText(1.349)).toBe("×1.35");
    const rows = [row("a", 50, 100), row("b", 25, 800)] as never;
    expect(barWidth(0.5, rows, false)).toBe(100);
    expect(barWidth(0.25, rows, false)).toBe(50);
    expect(barWidth(0.5, rows, true)).toBe(62.5);
    expect(slug("Holdout 10%")).toBe("holdout_10_");
  });

  it("checks a split's percentages", () => {
    const g = (percent: number, name = `g${percent}`) => ({ name, percent });
    expect(checkGroups([g(45), g(45, "b"), g(10)])).toBeNull();
    expect(checkGroups([g(50)])).toBe("A split needs at least 2 groups.");
    expect(checkGroups([g(50, "x"), g(50, "x")])).toBe("Two groups have the same name.");
    expect(checkGroups([g(33.333), g(66.667)])).toBe("Each percentage is above 0, with at most two decimals.");
    expect(checkGroups([g(33.33), g(66.67)])).toBeNull();
  });
});
