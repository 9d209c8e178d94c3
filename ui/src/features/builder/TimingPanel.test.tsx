// @vitest-environment jsdom
import { act, cleanup, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import type { PreviewResponse } from "../../bindings/PreviewResponse";
import { editTimings } from "../../shared/timing";
import { CountPanel } from "./Preview";
import { ShortcutSheet } from "./ShortcutSheet";

afterEach(cleanup);

function response(id: number): PreviewResponse {
  return { request_id: id, problems: [], count: 42, total: 100, engine: "memory", notice: null, nodes: [], sql: "SELECT", now: "2026-11-01T00:00:00Z", elapsed_ms: 1 };
}

describe("the timing panel", () => {
  it("measures an answer once its count is on screen, and Ctrl+Shift+D shows it", async () => {
    const user = userEvent.setup();
    const before = editTimings.list().length;
    editTimings.edited();
    editTimings.sent(501);
    editTimings.answered(501, "memory");
    const { rerender } = render(<CountPanel state={{ requested: 500, pending: true }} entity="profiles" />);
    expect(screen.queryByTestId("timing-panel")).toBeNull(); // hidden by default
    rerender(<CountPanel state={{ requested: 501, pending: false, response: response(501) }} entity="profiles" />);
    await waitFor(() => expect(editTimings.list().length).toBe(before + 1));
    const m = editTimings.list().at(-1)!;
    expect(m.requestId).toBe(501);
    expect(m.engine).toBe("memory");
    expect(m.totalMs).toBeCloseTo(m.editToDebounceMs + m.debounceToResponseMs + m.responseToPaintMs, 5);
    expect(window.__segmentTimings?.at(-1)?.requestId).toBe(501);

    await user.keyboard("{Control>}{Shift>}D{/Shift}{/Control}");
    const panel = screen.getByTestId("timing-panel");
    expect(panel.getAttribute("aria-label")).toBe("Timing: last edits");
    expect(screen.getAllByTestId("timing-row")[0].textContent).toContain("in memory");

    // A newer measurement shows up in the open panel.
    const rows = screen.getAllByTestId("timing-row").length;
    act(() => {
      editTimings.edited();
      editTimings.sent(502);
      editTimings.answered(502, "sql");
      editTimings.painted(502);
    });
    expect(screen.getAllByTestId("timing-row").length).toBe(Math.min(rows + 1, 8));
    expect(screen.getAllByTestId("timing-row")[0].textContent).toContain("SQL");

    await user.click(screen.getByTestId("timing-close"));
    expect(screen.queryByTestId("timing-panel")).toBeNull();
  });

  it("is listed in the shortcut sheet", () => {
    render(<ShortcutSheet onClose={() => {}} />);
    const sheet = screen.getByTestId("shortcut-sheet");
    expect(sheet.textContent).toContain("Timing: last edits");
    expect(sheet.textContent).toContain("Ctrl+Shift+D");
  });
});
