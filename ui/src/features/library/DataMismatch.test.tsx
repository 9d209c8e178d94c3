// @vitest-environment jsdom
// Opening a segment saved on another data source: the library says which data each segment was
// built on, and opening one of other data offers to switch (or says what is missing) instead of
// an empty builder with an error.
import { cleanup, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { invoke } from "@tauri-apps/api/core";
import type { Segment } from "../../bindings/Segment";
import type { SegmentRecord } from "../../bindings/SegmentRecord";
import { SOURCE } from "../../test/fixtures";
import { fakeCall } from "../../test/ipcMock";
import { missingInSchema } from "./dataFit";
import { SegmentBar } from "./SegmentBar";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

const onCrm: Segment = { version: 1, entity: "customers", root: { combinator: "and", children: [{ type: "condition", attribute: "tier", operator: "is", value: "gold" }] } };
const fits: Segment = { version: 1, entity: "profiles", root: { combinator: "and", children: [{ type: "condition", attribute: "country", operator: "is", value: "US" }] } };
const record = (id: string, definition: Segment, dataSource: string | null) =>
  ({
    id, name: id === "gold" ? "Gold customers" : "US profiles", description: "", segmentType: "DYNAMIC", status: "ACTIVE", scope: "USER", author: null,
    entity: definition.entity, dataSource, definition, revision: 1, recordCount: null, individualCount: null,
    dateCreated: "2026-11-01T10:00:00Z", dateModified: "2026-11-01T10:00:00Z",
  }) as unknown as SegmentRecord;
const RECORDS = [record("gold", onCrm, "/data/imported/crm.sqlite"), record("us", fits, "/data/imported/crm.sqlite"), record("here", fits, SOURCE.path)];

beforeEach(() => {
  vi.mocked(invoke).mockReset();
  vi.mocked(invoke).mockImplementation(
    fakeCall({ library_list: () => ({ items: RECORDS, page: { size: 20, totalElements: 3, totalPages: 1, number: 0 } }) }),
  );
});
afterEach(cleanup);

function renderBar() {
  const setSegment = vi.fn();
  const openData = vi.fn(async () => undefined);
  render(<SegmentBar source={SOURCE} segment={{ version: 1, entity: "profiles", root: { combinator: "and", children: [] } }} setSegment={setSegment} preview={{ requested: 0, pending: false }} asOf={null} openData={openData} />);
  return { user: userEvent.setup(), setSegment, openData };
}

describe("segments know their data", () => {
  it("the library shows each segment's data source and marks other data", async () => {
    const { user } = renderBar();
    await user.click(screen.getByTestId("open-library"));
    const gold = await screen.findByTestId("lib-data-gold");
    expect(gold.textContent).toBe("crm.sqliteother data");
    expect(gold.getAttribute("title")).toBe("Saved on /data/imported/crm.sqlite — not the open data");
    expect(screen.getByTestId("lib-data-here").textContent).toBe("demo.sqlite");
    expect(screen.getByTestId("lib-data-here").getAttribute("data-other")).toBeNull();
  });

  it("opening a segment of other data offers to switch, says what is missing, and switching opens it", async () => {
    const { user, setSegment, openData } = renderBar();
    await user.click(screen.getByTestId("open-library"));
    await user.click(await screen.findByTestId("lib-open-gold"));
    const offer = screen.getByTestId("data-mismatch");
    expect(within(offer).getByRole("heading").textContent).toBe("“Gold customers” was built on other data");
    expect(screen.getByTestId("mismatch-saved-on").textContent).toBe("It was saved on crm.sqlite; the open data is demo.sqlite.");
    expect([...screen.getByTestId("mismatch-missing").querySelectorAll("li")].map((li) => li.textContent)).toEqual(["table customers"]);
    expect(screen.getByTestId("mismatch-switch").textContent).toBe("Switch to crm.sqlite");
    expect(setSegment).not.toHaveBeenCalled(); // never an empty builder with an error
    await user.click(screen.getByTestId("mismatch-switch"));
    expect(openData).toHaveBeenCalledWith("/data/imported/crm.sqlite");
    expect(setSegment).toHaveBeenLastCalledWith(onCrm);
    expect(screen.queryByTestId("data-mismatch")).toBeNull();
    expect(screen.getByTestId("seg-name").textContent).toBe("Gold customers");
  });

  it("a segment of other data that fits the open data can be opened here too", async () => {
    const { user, setSegment, openData } = renderBar();
    await user.click(screen.getByTestId("open-library"));
    await user.click(await screen.findByTestId("lib-open-us"));
    expect(screen.queryByTestId("mismatch-missing")).toBeNull();
    await user.click(screen.getByTestId("mismatch-open-here"));
    expect(openData).not.toHaveBeenCalled();
    expect(setSegment).toHaveBeenLastCalledWith(fits);
  });

  it("a segment of the open data opens at once", async () => {
    const { user, setSegment } = renderBar();
    await user.click(screen.getByTestId("open-library"));
    await user.click(await screen.findByTestId("lib-open-here"));
    expect(screen.queryByTestId("data-mismatch")).toBeNull();
    expect(setSegment).toHaveBeenLastCalledWith(fits);
  });

  it("names the columns and related records the open data lacks", () => {
    const seg: Segment = {
      version: 1, entity: "profiles",
      root: { combinator: "and", children: [
        { type: "condition", attribute: "email", operator: "is", value: "a" },
        { type: "group", combinator: "or", children: [{ type: "condition", attribute: "country", operator: "is", value: "US" }, { type: "condition", attribute: "email", operator: "is_null", value: null }] },
        { type: "relationship", relationship: "visits", filter: { combinator: "and", children: [] } },
      ] },
    };
    expect(missingInSchema(seg, SOURCE.schema)).toEqual(["column profiles.email", "related records “visits” of profiles"]);
  });
});
