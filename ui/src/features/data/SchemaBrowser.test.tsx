// @vitest-environment jsdom
// Where a large table's figures come from: a warehouse's are all estimated from a sample read
// where the data is; a file's only distinct counts and top values are.
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { EntityStats } from "../../bindings/EntityStats";
import type { SourceInfo } from "../../bindings/SourceInfo";
import { call } from "../../ipc";
import { fakeCall } from "../../test/ipcMock";
import { SchemaBrowser } from "./SchemaBrowser";

vi.mock("../../ipc", async (importOriginal) => ({ ...(await importOriginal<typeof import("../../ipc")>()), call: vi.fn() }));

beforeEach(() => {
  vi.mocked(call).mockImplementation(fakeCall({ column_meanings: () => ({ declared: [], proposals: [] }) }));
});
afterEach(cleanup);

const events: EntityStats = { name: "events", key: "id", rows: 969060, sampled_rows: 100744, columns: [] };

describe("SchemaBrowser", () => {
  it("says a warehouse table's figures are estimated from a sample", () => {
    render(<SchemaBrowser source={{ path: "postgresql://ann@db:5432/shop" } as SourceInfo} stats={[events]} onLabel={() => {}} />);
    const title = screen.getByTestId("schema-entity").textContent ?? "";
    expect(title).toContain("estimated from a sample of");
    expect(title).toMatch(/100.744 rows/);
  });

  it("says a file's distinct counts and top values come from a sample", () => {
    render(<SchemaBrowser source={{ path: "/data/own.sqlite" } as SourceInfo} stats={[events]} onLabel={() => {}} />);
    expect(screen.getByTestId("schema-entity").textContent).toContain("distinct counts and top values from a sample of");
  });
});
