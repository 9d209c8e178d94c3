// @vitest-environment jsdom
import { act, cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EngineLoading, engineWasLoading } from "./EngineLoading";

afterEach(cleanup);

describe("EngineLoading", () => {
  it("recognises the notice of a count made while the engine loads", () => {
    expect(engineWasLoading("the count engine is still loading the data (1.0M of 9.6M rows); counted with SQL")).toBe(true);
    expect(engineWasLoading("data this large in memory (about 10.4 GiB needed)")).toBe(false);
    expect(engineWasLoading(null)).toBe(false);
  });

  it("shows how far the load has come, then asks for a count in memory once loaded", async () => {
    vi.useFakeTimers();
    const answers = [
      { percent: 12.5, seconds_left: null, text: "1.2M of 9.6M rows (0 of 3 tables)" },
      { percent: 38.2, seconds_left: 25, text: "3.7M of 9.6M rows (1 of 3 tables), about 25 s left" },
      null,
    ];
    const poll = vi.fn(async () => answers.shift() ?? null);
    const onLoaded = vi.fn();
    render(<EngineLoading poll={poll} onLoaded={onLoaded} everyMs={1000} />);
    expect(screen.getByTestId("engine-loading").textContent).toContain("Loading the data into memory…");
    await act(async () => {
      await vi.advanceTimersByTimeAsync(0);
    });
    expect(screen.getByTestId("engine-loading").textContent).toContain("Loading the data into memory: 12%");
    await act(async () => {
      await vi.advanceTimersByTimeAsync(1000);
    });
    const text = screen.getByTestId("engine-loading").textContent;
    expect(text).toContain("38% · about 25 s left");
    expect(text).toContain("Counts use SQL until then");
    expect(onLoaded).not.toHaveBeenCalled();
    await act(async () => {
      await vi.advanceTimersByTimeAsync(1000);
    });
    expect(onLoaded).toHaveBeenCalledTimes(1);
    expect(poll).toHaveBeenCalledTimes(3);
    vi.useRealTimers();
  });
});
