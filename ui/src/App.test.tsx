// @vitest-environment jsdom
// The whole window over a fake IPC: the data source loads, the builder shows the entity, an edit
// is counted (the newest preview shown), and the Data tab switches screens.
import { cleanup, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PreviewRequest } from "./bindings/PreviewRequest";
import { App } from "./App";
import { call } from "./ipc";
import { SOURCE } from "./test/fixtures";
import { fakeCall } from "./test/ipcMock";

vi.mock("./ipc", async (importOriginal) => ({
  ...(await importOriginal<typeof import("./ipc")>()),
  call: vi.fn(),
  insideApp: () => true,
  onFilesDropped: async () => () => undefined,
}));

const emptyPage = { items: [], page: { size: 0, totalElements: 0, totalPages: 0, number: 0 } };

beforeEach(() => {
  vi.mocked(call).mockReset();
  vi.mocked(call).mockImplementation(
    fakeCall({
      get_source: () => SOURCE,
      schema_stats: () => [],
      render_formats: () => [{ format: "pql-text", label: "PQL (text)", parses: true, text: "country = 'US'", error: null }],
      library_list: () => emptyPage,
      data_sources: () => ({ demo: SOURCE.path, imported: [], imports_dir: "/data/imported" }),
      relationships: () => ({ schema: SOURCE.schema, confirmed: [], proposals: [] }),
      preview: ({ request }) => {
        const r = request as PreviewRequest;
        const n = r.segment.root.children.length;
        return { request_id: r.request_id, problems: [], count: 1000 - n, total: 1000, engine: "memory", notice: null, nodes: [], sql: `-- ${n} conditions`, now: "2024-06-01T00:00:00Z", elapsed_ms: 3 };
      },
    }),
  );
});
afterEach(cleanup);

describe("the app", () => {
  it("loads the data source, counts the segment and recounts after an edit", async () => {
    const user = userEvent.setup();
    render(<App />);
    expect(screen.getByTestId("loading")).toBeTruthy();
    await screen.findByTestId("builder");
    expect((screen.getByTestId("entity-picker") as HTMLSelectElement).value).toBe("profiles");
    expect((screen.getByTestId("as-of") as HTMLInputElement).value).toBe("2024-06-01 00:00");
    expect(screen.getByTestId("source-path").textContent).toBe("Data: demo.sqlite");
    await waitFor(() => expect(screen.getByTestId("count").textContent).toBe("1,000"));
    expect(screen.getByTestId("count-panel").getAttribute("data-state")).toBe("ready");
    await user.click(screen.getByTestId("add-condition"));
    // A new condition waits for its value: not counted until it has one.
    await waitFor(() => expect(screen.getByTestId("count-incomplete").textContent).toBe("1 condition is incomplete and not counted"));
    expect(screen.getByTestId("count").textContent).toBe("1,000");
    await user.type(screen.getByTestId("value"), "US");
    await waitFor(() => expect(screen.getByTestId("count").textContent).toBe("999"));
    expect(screen.queryByTestId("count-incomplete")).toBeNull();
    expect(screen.getByTestId("sql-pane").textContent).toBe("-- 1 conditions");
    const sent = vi.mocked(call).mock.calls.filter((c) => c[0] === "preview").map((c) => (c[1]!.request as PreviewRequest));
    expect(sent.at(-1)).toMatchObject({ entity: "profiles", now: "2024-06-01T00:00:00Z" });
    expect(sent.map((r) => r.request_id)).toEqual([...sent.map((r) => r.request_id)].sort((a, b) => a - b));
  });

  it("switches to the Data screen and back", async () => {
    const user = userEvent.setup();
    render(<App />);
    await screen.findByTestId("builder");
    await user.click(screen.getByTestId("tab-data"));
    expect(screen.getByTestId("data-view")).toBeTruthy();
    expect(screen.getByTestId("tab-data").getAttribute("aria-selected")).toBe("true");
    await user.click(screen.getByTestId("tab-builder"));
    expect(screen.getByTestId("builder")).toBeTruthy();
  });

  it("another entity starts an empty segment on it", async () => {
    const user = userEvent.setup();
    render(<App />);
    await screen.findByTestId("builder");
    await user.click(screen.getByTestId("add-condition"));
    await user.selectOptions(screen.getByTestId("entity-picker"), "events");
    expect(screen.getByTestId("builder").querySelector("h1")!.textContent).toBe("events who match");
    expect(screen.queryByTestId("condition")).toBeNull();
  });
});
