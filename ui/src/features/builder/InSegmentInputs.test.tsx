// @vitest-environment jsdom
import { invoke } from "@tauri-apps/api/core";
import { screen } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Segment } from "../../bindings/Segment";
import type { SegmentRecord } from "../../bindings/SegmentRecord";
import { renderBuilder } from "../../test/BuilderHarness";
import { fakeCall } from "../../test/ipcMock";
import { countable } from "./incomplete";
import { segmentLabel } from "./InSegmentInputs";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

const record = (patch: Partial<SegmentRecord>): SegmentRecord =>
  ({
    id: "us",
    name: "US buyers",
    description: "",
    segmentType: "DYNAMIC",
    status: "ACTIVE",
    scope: "USER",
    entity: "profiles",
    revision: 2,
    dateCreated: "2026-11-01T00:00:00Z",
    dateModified: "2026-11-01T00:00:00Z",
    recordCount: { count: 1234, total: 5000, computedAt: "2026-11-01T00:00:00Z", revision: 2, dataSource: null, asOf: null },
    individualCount: null,
    ...patch,
  }) as SegmentRecord;

const LIBRARY = [
  record({}),
  record({ id: "vip", name: "vip", segmentType: "STATIC", recordCount: null, individualCount: 42 }),
  record({ id: "big_orders", name: "Big orders", entity: "orders" }),
];

const empty = (): Segment => ({ version: 1, entity: "profiles", root: { combinator: "and", children: [] } });

beforeEach(() => {
  vi.mocked(invoke).mockReset();
  vi.mocked(invoke).mockImplementation(
    fakeCall({ library_list: () => ({ items: LIBRARY, page: { size: 200, totalElements: 3, totalPages: 1, number: 0 } }) }),
  );
});

describe("is in segment", () => {
  it("adds a membership condition and picks a library segment of the entity", async () => {
    const { user, segment } = renderBuilder(empty());
    await user.click(screen.getByTestId("add-in-segment"));
    expect(segment().root.children).toEqual([{ type: "in_segment", segment: "" }]);
    const picker = (await screen.findByRole("option", { name: "US buyers (us) · dynamic · 1,234" })).closest("select")!;
    // Segments of another entity are not offered.
    expect(Array.from(picker.options).map((o) => o.value)).toEqual(["", "us", "vip"]);
    await user.selectOptions(picker, "vip");
    expect(segment().root.children[0]).toEqual({ type: "in_segment", segment: "vip" });
    await user.selectOptions(screen.getByTestId("in-segment-negated"), "not");
    expect(segment().root.children[0]).toEqual({ type: "in_segment", segment: "vip", negated: true });
    expect(vi.mocked(invoke).mock.calls[0][0]).toBe("library_list");
  });

  it("shows a problem at the row and keeps an id the library does not list", async () => {
    const seg: Segment = { ...empty(), root: { combinator: "and", children: [{ type: "in_segment", segment: "gone", revision: 3 }] } };
    renderBuilder(seg, { problems: [{ path: "/root/children/0/segment", message: "There is no segment “gone” in the library." }] });
    expect(await screen.findByText("There is no segment “gone” in the library.")).toBeTruthy();
    expect((screen.getByTestId("in-segment-segment") as HTMLSelectElement).value).toBe("gone");
    expect(screen.getByTestId("in-segment").textContent).toContain("revision 3");
  });

  it("is not counted before a segment is chosen", () => {
    const seg: Segment = { ...empty(), root: { combinator: "and", children: [{ type: "in_segment", segment: "" }, { type: "in_segment", segment: "us" }] } };
    const c = countable(seg);
    expect(c.incomplete).toEqual(["/root/children/0"]);
    expect(c.segment.root.children).toEqual([{ type: "in_segment", segment: "us" }]);
  });

  it("pins a dynamic segment to one of its saved revisions, or follows it", async () => {
    const saved = (revision: number, action: string) => ({
      revision,
      action,
      restoredFrom: null,
      dateSaved: `2026-11-0${revision}T10:00:00Z`,
      name: "US buyers",
      status: "ACTIVE",
      segmentType: "DYNAMIC",
      count: null,
    });
    vi.mocked(invoke).mockImplementation(
      fakeCall({
        library_list: () => ({ items: LIBRARY, page: { size: 200, totalElements: 3, totalPages: 1, number: 0 } }),
        library_history: () => [saved(1, "create"), saved(2, "update")],
      }),
    );
    const seg: Segment = { ...empty(), root: { combinator: "and", children: [{ type: "in_segment", segment: "us" }] } };
    const { user, segment } = renderBuilder(seg);
    const picker = (await screen.findByRole("option", { name: "revision 1 · saved 2026-11-01" })).closest("select")!;
    expect(Array.from(picker.options).map((o) => o.text)).toEqual([
      "as it is now (follows its edits)",
      "revision 2 · saved 2026-11-02",
      "revision 1 · saved 2026-11-01",
    ]);
    await user.selectOptions(picker, "1");
    expect(segment().root.children[0]).toEqual({ type: "in_segment", segment: "us", revision: 1 });
    await user.selectOptions(picker, "");
    expect(segment().root.children[0]).toEqual({ type: "in_segment", segment: "us" });
    // A static segment is its members: nothing to pin.
    await user.selectOptions(screen.getByTestId("in-segment-segment"), "vip");
    expect(screen.queryByTestId("in-segment-revision")).toBeNull();
  });

  it("labels static segments by their members", () => {
    expect(segmentLabel(LIBRARY[1])).toBe("vip · static · 42");
  });
});
