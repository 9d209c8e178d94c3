// @vitest-environment jsdom
// The Data screen's line on the copies of local data kept for fast starts: how many and how
// much room, Remove removes them and says what was freed; nothing when copies are off.
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { call } from "../../ipc";
import { fakeCall } from "../../test/ipcMock";
import { FastStartCopies } from "./FastStartCopies";

vi.mock("../../ipc", async (importOriginal) => ({ ...(await importOriginal<typeof import("../../ipc")>()), call: vi.fn() }));

afterEach(cleanup);

const copy = { source: "/data/shop.sqlite", file: "/app/snapshots/ab.snapshot", bytes: 691 * 1024 * 1024, last_used: 1796170000 };

describe("FastStartCopies", () => {
  it("says how many copies and how much room, and Remove removes them", async () => {
    let kept = [copy];
    const cleared = vi.fn();
    vi.mocked(call).mockImplementation(
      fakeCall({
        engine_snapshots: () => ({ dir: "/app/snapshots", snapshots: kept, bytes: kept.reduce((n, s) => n + s.bytes, 0) }),
        clear_engine_snapshots: () => {
          cleared();
          kept = [];
          return { snapshots: 1, bytes: copy.bytes };
        },
      }),
    );
    const user = userEvent.setup();
    render(<FastStartCopies refreshKey="/data/shop.sqlite" />);
    const line = await screen.findByTestId("fast-start-copies");
    await screen.findByText(/: 1 \(691 MB\)/);
    expect(line.textContent).toBe("Fast-start copies of your data: 1 (691 MB) · Remove");
    expect(line.getAttribute("title")).toContain("/data/shop.sqlite — 691 MB");

    await user.click(screen.getByTestId("fast-start-remove"));
    expect(cleared).toHaveBeenCalledTimes(1);
    expect((await screen.findByTestId("fast-start-note")).textContent).toBe("Removed 1 copy, 691 MB freed.");
    expect(screen.getByTestId("fast-start-copies").textContent).toContain("Fast-start copies of your data: none");
    expect(screen.queryByTestId("fast-start-remove")).toBeNull();
  });

  it("shows nothing when copies are off", async () => {
    const listed = vi.fn(() => ({ dir: null, snapshots: [], bytes: 0 }));
    vi.mocked(call).mockImplementation(fakeCall({ engine_snapshots: listed }));
    const { container } = render(<FastStartCopies refreshKey="x" />);
    await vi.waitFor(() => expect(listed).toHaveBeenCalled());
    expect(container.textContent).toBe("");
  });
});
