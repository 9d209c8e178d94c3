// @vitest-environment jsdom
import { cleanup, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Segment } from "../../bindings/Segment";
import type { SegmentDraft } from "../../bindings/SegmentDraft";
import type { SegmentRecord } from "../../bindings/SegmentRecord";
import { invoke } from "@tauri-apps/api/core";
import { SOURCE } from "../../test/fixtures";
import { fakeCall, type Handlers } from "../../test/ipcMock";
import { SegmentBar } from "./SegmentBar";

// The Tauri runtime is faked, so the real `call` normalises what a command rejects with.
vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

const segment: Segment = { version: 1, entity: "profiles", root: { combinator: "and", children: [{ type: "condition", attribute: "country", operator: "is", value: "US" }] } };
const notFound = { kind: "not_found", status: 404, message: "no segment", problems: [] };

/** The library's store, as far as these dialogs need it. */
function library() {
  const saved = new Map<string, SegmentRecord>();
  const handlers: Handlers = {
    library_get: ({ id }) => {
      const r = saved.get(id as string);
      if (!r) throw notFound;
      return r;
    },
    library_save: ({ draft }) => {
      const d = draft as SegmentDraft;
      const old = saved.get(d.id);
      if (old && d.expectedRevision != null && Number(d.expectedRevision) !== Number(old.revision))
        throw { kind: "revision_conflict", status: 409, message: "Someone saved revision 2 meanwhile.", problems: [] };
      const revision = (old ? Number(old.revision) : 0) + 1;
      const record = {
        ...(old ?? { description: "", status: "ACTIVE", author: null, dataSource: null, recordCount: null, individualCount: null, dateCreated: "2024-06-01T10:00:00Z" }),
        ...(d as object),
        id: d.id,
        name: d.name ?? old?.name ?? "",
        segmentType: d.segmentType ?? old?.segmentType ?? "DYNAMIC",
        scope: d.scope ?? old?.scope ?? "USER",
        entity: d.entity ?? old?.entity ?? null,
        definition: d.definition ?? old?.definition ?? null,
        revision,
        dateModified: "2024-06-01T10:05:00Z",
      } as unknown as SegmentRecord;
      saved.set(d.id, record);
      return { id: d.id, revision, created: !old, changed: true };
    },
    library_delete: ({ id }) => (saved.delete(id as string), [id]),
  };
  return { saved, handlers };
}

let store: ReturnType<typeof library>;
beforeEach(() => {
  store = library();
  vi.mocked(invoke).mockReset();
  vi.mocked(invoke).mockImplementation(fakeCall(store.handlers));
});
afterEach(cleanup);

function renderBar() {
  const setSegment = vi.fn();
  render(<SegmentBar source={SOURCE} segment={segment} setSegment={setSegment} preview={{ requested: 0, pending: false }} asOf={null} />);
  return { user: userEvent.setup(), setSegment };
}

const dialog = () => screen.getByTestId("seg-dialog");
const commands = () => vi.mocked(invoke).mock.calls.map((c) => c[0]);

async function saveAs(user: ReturnType<typeof userEvent.setup>, name: string) {
  await user.click(screen.getByTestId("seg-save-as"));
  await user.type(screen.getByTestId("seg-name-input"), name);
  await user.click(screen.getByTestId("seg-dialog-confirm"));
}

describe("save as", () => {
  it("suggests the id from the name, saves, and shows the saved segment", async () => {
    const { user } = renderBar();
    expect(screen.getByTestId("segment-bar").textContent).toContain("New segment (not saved)");
    await user.click(screen.getByTestId("seg-save-as"));
    expect(within(dialog()).getByRole("heading").textContent).toBe("Save as a new segment");
    await user.type(screen.getByTestId("seg-name-input"), "US buyers (30d)");
    expect((screen.getByTestId("seg-id-input") as HTMLInputElement).value).toBe("us_buyers_30d");
    await user.selectOptions(screen.getByTestId("seg-type-input"), "STATIC");
    await user.click(screen.getByTestId("seg-dialog-confirm"));
    expect(screen.queryByTestId("seg-dialog")).toBeNull();
    const draft = (vi.mocked(invoke).mock.calls.find((c) => c[0] === "library_save")![1] as { draft: SegmentDraft }).draft;
    expect(draft).toMatchObject({ id: "us_buyers_30d", name: "US buyers (30d)", segmentType: "STATIC", scope: "USER", definition: segment, entity: "profiles", dataSource: SOURCE.path });
    expect(screen.getByTestId("seg-name").textContent).toBe("US buyers (30d)");
    expect(screen.getByTestId("seg-revision").textContent).toBe("1");
    expect(screen.getByTestId("seg-note").textContent).toBe("Saved us_buyers_30d, revision 1.");
  });

  it("refuses a bad id without calling the library, and shows why under the id", async () => {
    const { user } = renderBar();
    await user.click(screen.getByTestId("seg-save-as"));
    await user.type(screen.getByTestId("seg-name-input"), "Buyers");
    await user.clear(screen.getByTestId("seg-id-input"));
    await user.type(screen.getByTestId("seg-id-input"), "9 lives");
    const hint = screen.getByTestId("seg-id-hint");
    expect(hint.className).toBe("error-text");
    expect(hint.textContent).toBe("An id cannot contain spaces: use _ instead, e.g. us_buyers.");
    await user.click(screen.getByTestId("seg-dialog-confirm"));
    expect(commands()).not.toContain("library_save");
    expect(dialog()).toBeTruthy();
    expect(screen.queryByTestId("seg-dialog-error")).toBeNull(); // said once, under the id
  });

  it("refuses an id that exists and a missing name", async () => {
    const { user } = renderBar();
    await saveAs(user, "Buyers");
    await user.click(screen.getByTestId("seg-save-as"));
    await user.clear(screen.getByTestId("seg-name-input"));
    await user.clear(screen.getByTestId("seg-id-input"));
    await user.type(screen.getByTestId("seg-id-input"), "buyers");
    await user.click(screen.getByTestId("seg-dialog-confirm"));
    expect(screen.getByTestId("seg-dialog-error").textContent).toBe("Give the segment a name.");
    await user.type(screen.getByTestId("seg-name-input"), "Again");
    await user.click(screen.getByTestId("seg-dialog-confirm"));
    expect(screen.getByTestId("seg-dialog-error").textContent).toContain("A segment “buyers” already exists");
    await user.click(screen.getByTestId("seg-dialog-cancel"));
    expect(screen.queryByTestId("seg-dialog")).toBeNull();
    expect(screen.queryByTestId("seg-error")).toBeNull();
  });
});

describe("rename, delete, conflict", () => {
  it("renames with the expected revision; the id stays", async () => {
    const { user } = renderBar();
    await saveAs(user, "Buyers");
    await user.click(screen.getByTestId("seg-rename"));
    expect(within(dialog()).getByRole("heading").textContent).toBe("Rename segment");
    expect(dialog().textContent).toContain("The id (buyers) stays");
    await user.clear(screen.getByTestId("seg-name-input"));
    await user.type(screen.getByTestId("seg-name-input"), "Best buyers");
    await user.click(screen.getByTestId("seg-dialog-confirm"));
    const rename = (vi.mocked(invoke).mock.calls.filter((c) => c[0] === "library_save").at(-1)![1] as { draft: SegmentDraft }).draft;
    expect(rename).toEqual({ id: "buyers", name: "Best buyers", expectedRevision: 1 });
    expect(screen.getByTestId("seg-name").textContent).toBe("Best buyers");
    expect(screen.getByTestId("seg-id").textContent).toBe("buyers");
    expect(screen.getByTestId("seg-note").textContent).toBe("Renamed (revision 2).");
  });

  it("asks before deleting, then deletes", async () => {
    const { user } = renderBar();
    await saveAs(user, "Buyers");
    await user.click(screen.getByTestId("seg-delete"));
    expect(within(dialog()).getByRole("heading").textContent).toBe("Delete segment?");
    expect(dialog().textContent).toContain("Delete Buyers (buyers)?");
    const confirm = screen.getByTestId("seg-dialog-confirm");
    expect(confirm.className).toBe("btn danger-fill");
    expect(confirm.textContent).toBe("Delete");
    await user.click(confirm);
    expect(commands()).toContain("library_delete");
    expect(screen.getByTestId("segment-bar").textContent).toContain("New segment (not saved)");
    expect(screen.getByTestId("seg-note").textContent).toContain("Deleted buyers");
  });

  it("a save that races another writer shows the conflict", async () => {
    const { user } = renderBar();
    await saveAs(user, "Buyers");
    // Someone else saves revision 2 meanwhile.
    store.saved.set("buyers", { ...store.saved.get("buyers")!, revision: 2, definition: { ...segment, root: { combinator: "or", children: [] } } });
    // The bar still holds revision 1: renaming with it as the expected revision is refused.
    await user.click(screen.getByTestId("seg-rename"));
    await user.click(screen.getByTestId("seg-dialog-confirm"));
    expect(screen.getByTestId("seg-dialog-error").textContent).toBe("Someone saved revision 2 meanwhile.");
  });
});
