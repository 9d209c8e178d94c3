// @vitest-environment jsdom
import { act, cleanup, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PreviewResponse } from "../../bindings/PreviewResponse";
import { appError } from "../../ipc";
import { CANCELLED_MESSAGE, PreviewSequencer } from "./preview";
import { CountPanel, sourceLabel } from "./Preview";

afterEach(cleanup);

const segment = { version: 1, root: { combinator: "and" as const, children: [] } };

function response(id: number, count: number): PreviewResponse {
  return { request_id: id, problems: [], count, total: 100, engine: "sql", notice: null, nodes: [], sql: "SELECT", now: "2026-11-01T00:00:00Z", elapsed_ms: 1 };
}

describe("where a count runs", () => {
  it("names a warehouse's database and kind, and a file by its name", () => {
    expect(sourceLabel("postgresql://ann@db.example.com:5432/shop?sslmode=require")).toBe("PostgreSQL shop at db.example.com:5432");
    expect(sourceLabel("postgresql://postgres@%2Ftmp%2Fpg:54329/postgres")).toBe("PostgreSQL postgres");
    expect(sourceLabel("sc://spark.example.com:15002/;user_id=ann")).toBe("Spark at spark.example.com:15002");
    expect(sourceLabel("/home/ann/data/shop.sqlite")).toBe("shop.sqlite");
  });
});

describe("a running count", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("shows where it runs and for how long once it takes a while, with Cancel", async () => {
    const cancel = vi.fn();
    const sentAt = Date.now();
    render(<CountPanel state={{ requested: 1, pending: true, sentAt, cancel }} entity="profiles" source="postgresql://ann@db:5432/shop" />);
    // An in-memory count answers before this shows.
    expect(screen.getByTestId("preview-status").textContent).toBe("Counting…");
    await act(async () => {
      await vi.advanceTimersByTimeAsync(1200);
    });
    expect(screen.getByTestId("counting-on").textContent).toContain("Counting on PostgreSQL shop at db:5432 … 1.2 s");
    act(() => screen.getByTestId("count-cancel").click());
    expect(cancel).toHaveBeenCalledOnce();
  });

  it("once cancelled shows no count and no share of the older answer", () => {
    render(<CountPanel state={{ requested: 2, pending: false, response: response(1, 7), error: appError("cancelled", CANCELLED_MESSAGE) }} entity="profiles" source="postgresql://ann@db:5432/shop" />);
    expect(screen.getByTestId("count").textContent).toBe("—");
    expect(screen.queryByTestId("share")).toBeNull();
    expect(screen.getByTestId("preview-status").textContent).toBe(CANCELLED_MESSAGE);
  });

  it("is cancelled by the user: the data source is asked to stop, its late answer is not shown", async () => {
    let answer: (r: PreviewResponse) => void = () => {};
    const stop = vi.fn();
    const s = new PreviewSequencer(() => new Promise((resolve) => (answer = resolve)), () => {}, 10, 0);
    s.schedule({ segment, entity: null, now: null });
    await vi.advanceTimersByTimeAsync(20);
    expect(s.state.sentAt).toBeDefined();
    s.cancel(stop);
    await vi.advanceTimersByTimeAsync(0);
    expect(stop).toHaveBeenCalledOnce();
    expect(s.state.pending).toBe(false);
    expect(s.state.error).toEqual(appError("cancelled", CANCELLED_MESSAGE));
    answer(response(1, 7));
    await vi.advanceTimersByTimeAsync(0);
    expect(s.state.response).toBeUndefined();
    // The next edit counts as usual.
    s.schedule({ segment, entity: null, now: null });
    await vi.advanceTimersByTimeAsync(20);
    answer(response(2, 9));
    await vi.advanceTimersByTimeAsync(0);
    expect(s.state.response?.count).toBe(9);
    expect(s.state.error).toBeUndefined();
    expect(s.state.sentAt).toBeUndefined();
  });

  it("cancelling a count not yet sent only stops its pause", async () => {
    const sent = vi.fn();
    const stop = vi.fn();
    const s = new PreviewSequencer(async (r) => (sent(r), response(r.request_id, 1)), () => {}, 250, 0);
    s.schedule({ segment, entity: null, now: null });
    s.cancel(stop);
    await vi.advanceTimersByTimeAsync(300);
    expect(sent).not.toHaveBeenCalled();
    expect(stop).not.toHaveBeenCalled();
    expect(s.state.pending).toBe(false);
  });
});
