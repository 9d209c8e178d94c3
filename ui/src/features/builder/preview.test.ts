import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PreviewRequest } from "../../bindings/PreviewRequest";
import type { PreviewResponse } from "../../bindings/PreviewResponse";
import { appError } from "../../ipc";
import { PreviewSequencer, shownProblems, type PreviewState } from "./preview";

const segment = { version: 1, root: { combinator: "and" as const, children: [] } };

function response(id: number, count: number): PreviewResponse {
  return { request_id: id, problems: [], count, total: 100, engine: "memory", notice: null, nodes: [], sql: "SELECT", now: "2026-11-01T00:00:00Z", elapsed_ms: 1 };
}

describe("the preview sequencer", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("debounces edits into one numbered request", async () => {
    const sent: PreviewRequest[] = [];
    const s = new PreviewSequencer(async (r) => (sent.push(r), response(r.request_id, 5)), () => {}, 250, 0);
    s.schedule({ segment, entity: null, now: null });
    s.schedule({ segment, entity: null, now: null });
    await vi.advanceTimersByTimeAsync(100);
    s.schedule({ segment, entity: "profiles", now: null });
    await vi.advanceTimersByTimeAsync(300);
    expect(sent.map((r) => [r.request_id, r.entity])).toEqual([[1, "profiles"]]);
    expect(s.state.response?.count).toBe(5);
    expect(s.state.pending).toBe(false);
  });

  it("numbers requests from the clock by default, so ids grow across reloads", async () => {
    const sent: number[] = [];
    const s = new PreviewSequencer(async (r) => (sent.push(r.request_id), response(r.request_id, 1)), () => {}, 10);
    s.schedule({ segment, entity: null, now: null });
    await vi.advanceTimersByTimeAsync(20);
    expect(sent[0]).toBeGreaterThan(1_000_000_000);
  });

  it("drops a response older than the one shown", async () => {
    const resolvers = new Map<number, (r: PreviewResponse) => void>();
    const states: PreviewState[] = [];
    const s = new PreviewSequencer(
      (r) => new Promise((resolve) => resolvers.set(r.request_id, resolve)),
      (st) => states.push(st),
      10,
      0,
    );
    s.schedule({ segment, entity: null, now: null });
    await vi.advanceTimersByTimeAsync(20);
    s.schedule({ segment, entity: null, now: null });
    await vi.advanceTimersByTimeAsync(20);
    resolvers.get(2)!(response(2, 20));
    await vi.advanceTimersByTimeAsync(0);
    resolvers.get(1)!(response(1, 10));
    await vi.advanceTimersByTimeAsync(0);
    expect(s.state.response?.request_id).toBe(2);
    expect(s.state.response?.count).toBe(20);
    expect(s.state.pending).toBe(false);
  });

  it("ignores cancelled requests and shows other errors", async () => {
    let n = 0;
    const s = new PreviewSequencer(
      async () => {
        n += 1;
        throw n === 1 ? appError("cancelled", "replaced") : appError("query", "boom");
      },
      () => {},
      10,
      0,
    );
    s.schedule({ segment, entity: null, now: null });
    await vi.advanceTimersByTimeAsync(20);
    expect(s.state.error).toBeUndefined();
    s.schedule({ segment, entity: null, now: null });
    await vi.advanceTimersByTimeAsync(20);
    expect(s.state.error).toEqual(appError("query", "boom"));
  });
});

describe("asOfToRfc3339", () => {
  it("reads a datetime-local value as UTC", async () => {
    const { asOfToRfc3339 } = await import("./preview");
    expect(asOfToRfc3339("2024-05-01T12:00")).toBe("2024-05-01T12:00:00Z");
    expect(asOfToRfc3339("2024-05-01T12:00:30")).toBe("2024-05-01T12:00:30Z");
    expect(asOfToRfc3339("")).toBeNull();
    expect(asOfToRfc3339("2024-05-01 12:00")).toBe("2024-05-01T12:00:00Z");
    expect(asOfToRfc3339("2024-05-01")).toBe("2024-05-01T00:00:00Z");
    expect(asOfToRfc3339("2024-05-0")).toBeUndefined(); // half typed: not sent
    expect(asOfToRfc3339("05/01/2024")).toBeUndefined();
  });

  it("belongs to the data: the demo's end date, the clock on other data, typed kept on reload", async () => {
    const { asOfAfterLoad, isoAsOf } = await import("./preview");
    const END = "2026-11-01T00:00:00Z";
    expect(isoAsOf(END)).toBe("2026-11-01 00:00");
    expect(asOfAfterLoad("", END, false)).toBe("2026-11-01 00:00"); // first start on the demo
    expect(asOfAfterLoad("2026-11-01 00:00", null, false)).toBe(""); // switched to imported data: the clock
    expect(asOfAfterLoad("2026-03-15 12:00", null, false)).toBe("");
    expect(asOfAfterLoad("2026-03-15 12:00", null, true)).toBe("2026-03-15 12:00"); // same file reloaded
    expect(asOfAfterLoad("2026-03-15 12:00", END, true)).toBe("2026-03-15 12:00");
    expect(asOfAfterLoad("", END, true)).toBe("2026-11-01 00:00");
    expect(asOfAfterLoad("", null, false)).toBe("");
  });
});

describe("problems shown at the nodes", () => {
  const stale: PreviewResponse = { ...response(1, 0), count: null, problems: [{ path: "/root/children/0/sql", message: "Write a SQL condition or remove this row." }] };

  it("shows a failing raw SQL condition's own error at it, not the older response's problem", () => {
    const error = { ...appError("query", 'near ">": syntax error (at character 8)'), path: "/root/children/0" };
    expect(shownProblems({ requested: 2, response: stale, error, pending: false })).toEqual([
      { path: "/root/children/0", message: 'SQL error: near ">": syntax error (at character 8)' },
    ]);
  });

  it("shows no stale problem for a failure about no node, and the response's otherwise", () => {
    expect(shownProblems({ requested: 2, response: stale, error: appError("internal", "boom"), pending: false })).toEqual([]);
    expect(shownProblems({ requested: 1, response: stale, pending: false })).toEqual(stale.problems);
  });
});
