// @vitest-environment jsdom
// A static segment's members: ordered by the key's type (481 before 10096), each with its name
// from the data, and members absent from the data said so.
import { cleanup, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { SegmentRecord } from "../../bindings/SegmentRecord";
import type { SourceInfo } from "../../bindings/SourceInfo";
import { call } from "../../ipc";
import { SOURCE } from "../../test/fixtures";
import { fakeCall } from "../../test/ipcMock";
import { MembersView } from "./MembersView";

vi.mock("../../ipc", async (importOriginal) => ({ ...(await importOriginal<typeof import("../../ipc")>()), call: vi.fn() }));

const source: SourceInfo = {
  ...SOURCE,
  schema: {
    ...SOURCE.schema,
    entities: SOURCE.schema.entities.map((e) =>
      e.name === "profiles" ? { ...e, columns: [...e.columns, { name: "first_name", data_type: "text", storage: "text", declared_type: "TEXT", nullable: true }] } : e,
    ),
  },
};

const record = {
  id: "vip",
  name: "VIP",
  description: "",
  segmentType: "STATIC",
  status: "ACTIVE",
  scope: "USER",
  author: null,
  entity: "profiles",
  dataSource: null,
  definition: null,
  revision: 1,
  dateCreated: "2026-11-01T10:00:00Z",
  dateModified: "2026-11-01T10:00:00Z",
  recordCount: null,
  individualCount: 4,
} as SegmentRecord;

const membership = (id: string) => ({ individualSegmentIdentifier: "vip", individualIdentifier: id, status: "ACTIVE", dateCreated: "2026-11-01T10:00:00Z", dateRemoved: null, expiresAt: null, dataBag: null });
const page = <T,>(items: T[]) => ({ items, page: { size: items.length, totalElements: items.length, totalPages: 1, number: 0 } });
let sampled: unknown;

beforeEach(() => {
  vi.mocked(call).mockImplementation(
    fakeCall({
      // The store orders identifiers as text.
      members_list: () => page(["10096", "481", "9", "zz_not_a_profile"].map(membership)),
      members_changes: () => page([]),
      samples: ({ request }) => {
        sampled = request;
        return { key: "id", samples: [{ key: 481, met: [], record: { id: 481, first_name: "Ada" } }, { key: 10096, met: [], record: { id: 10096, first_name: "Grace" } }, { key: 9, met: [], record: { id: 9, first_name: "Alan" } }] };
      },
    }),
  );
});
afterEach(cleanup);

describe("members", () => {
  it("orders number keys numerically and names each member from the data", async () => {
    render(<MembersView record={record} source={source} asOf={null} onChanged={() => undefined} onClose={() => undefined} />);
    const table = await screen.findByTestId("members-table");
    await waitFor(() => expect(table.querySelectorAll("tbody tr")).toHaveLength(4));
    const ids = [...table.querySelectorAll("tbody tr td:first-child")].map((td) => td.textContent);
    expect(ids).toEqual(["9", "481", "10096", "zz_not_a_profile"]);
    await waitFor(() => expect(screen.getAllByTestId("member-name").map((td) => td.textContent)).toEqual(["Alan", "Ada", "Grace", "not in the data"]));
    // The names are read with the keys as numbers (a key that is not one cannot be in the data).
    expect(sampled).toMatchObject({ segment: { root: { children: [{ attribute: "id", operator: "is_one_of", value: [9, 481, 10096] }] } } });
  });
});
