// @vitest-environment jsdom
// Sample records read as a marketer reads them: dates, Yes / No, grouped numbers, a name.
import { cleanup, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ColumnStats } from "../../bindings/ColumnStats";
import type { EntityStats } from "../../bindings/EntityStats";
import type { Segment } from "../../bindings/Segment";
import { call } from "../../ipc";
import { fakeCall } from "../../test/ipcMock";
import { StatsContext } from "../builder/stats";
import { Samples } from "./Samples";

vi.mock("../../ipc", async (importOriginal) => ({ ...(await importOriginal<typeof import("../../ipc")>()), call: vi.fn() }));

const column = (name: string, data_type: ColumnStats["data_type"], storage: ColumnStats["storage"]): ColumnStats =>
  ({ name, data_type, storage, declared_type: "", nulls: 0, null_share: 0, distinct: 1, top: [] }) as ColumnStats;

const stats: EntityStats[] = [
  {
    name: "profiles",
    key: "id",
    rows: 10,
    columns: [
      column("id", "number", "integer"),
      column("first_name", "text", "text"),
      column("last_name", "text", "text"),
      column("signed_up_at", "datetime", "unix_seconds"),
      column("is_subscribed", "boolean", "boolean"),
      column("lifetime_value", "number", "real"),
      column("tags", "array", "json_array"),
    ],
  },
];

const segment = { version: 1, entity: "profiles", root: { combinator: "and", children: [] } } as unknown as Segment;

beforeEach(() => {
  vi.mocked(call).mockImplementation(
    fakeCall({
      samples: () => ({
        key: "id",
        samples: [
          {
            key: 10096,
            met: [],
            record: { id: 10096, first_name: "Ada", last_name: "Lovelace", signed_up_at: 1767273900, is_subscribed: 1, lifetime_value: 12345.678, tags: '["vip","newsletter"]' },
          },
        ],
      }),
    }),
  );
});
afterEach(cleanup);

describe("sample records", () => {
  it("formats each field by its column's type", async () => {
    render(
      <StatsContext.Provider value={{ stats, entity: "profiles" }}>
        <Samples segment={segment} now={null} valid />
      </StatsContext.Provider>,
    );
    await userEvent.click(screen.getByTestId("samples-first"));
    const sample = await screen.findByTestId("sample");
    expect(sample.textContent).toContain("Ada Lovelace");
    await userEvent.click(within(sample).getByRole("button"));
    const row = (name: string) => within(screen.getByTestId("sample-fields")).getByText(name).closest("tr")!.querySelector("td")!.textContent;
    expect(row("signed_up_at")).toBe("2026-01-01 13:25 UTC");
    expect(row("is_subscribed")).toBe("Yes");
    expect(row("lifetime_value")).toBe("12,345.68");
    expect(row("id")).toBe("10096");
    expect(row("tags")).toBe("vip, newsletter");
  });
});
