import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PreviewRequest } from "../../bindings/PreviewRequest";
import type { PreviewResponse } from "../../bindings/PreviewResponse";
import { DEBOUNCE_MS, debounceFor, ENGINE_DEBOUNCE_MS, PreviewSequencer } from "./preview";

const segment = { version: 1, root: { combinator: "and" as const, children: [] } };

function response(id: number, engine: "memory" | "sql"): PreviewResponse {
  return { request_id: id, problems: [], count: 1, total: 10, engine, notice: null, nodes: [], sql: "SELECT", now: "2026-11-01T00:00:00Z", elapsed_ms: 1 };
}

describe("the pause before counting", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("is short for the in-memory engine and longer for SQL or before the first count", () => {
    expect(debounceFor("memory")).toBe(ENGINE_DEBOUNCE_MS);
    expect(debounceFor("sql")).toBe(DEBOUNCE_MS);
    expect(debounceFor(undefined)).toBe(DEBOUNCE_MS);
    expect(debounceFor(null)).toBe(DEBOUNCE_MS);
    expect(ENGINE_DEBOUNCE_MS).toBeLessThan(DEBOUNCE_MS);
  });

  it("follows the engine of the last count", async () => {
    const sent: PreviewRequest[] = [];
    let engine: "memory" | "sql" = "memory";
    const s: PreviewSequencer = new PreviewSequencer(
      async (r) => (sent.push(r), response(r.request_id, engine)),
      () => {},
      () => debounceFor(s.state.response?.engine),
      0,
    );
    // Before any count: the long pause.
    s.schedule({ segment, entity: null, now: null });
    await vi.advanceTimersByTimeAsync(ENGINE_DEBOUNCE_MS + 5);
    expect(sent).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    expect(sent).toHaveLength(1);
    // Counted in memory: the next edit is asked after the short pause.
    engine = "sql";
    s.schedule({ segment, entity: null, now: null });
    await vi.advanceTimersByTimeAsync(ENGINE_DEBOUNCE_MS + 5);
    expect(sent).toHaveLength(2);
    // That one was counted in SQL: back to the long pause.
    s.schedule({ segment, entity: null, now: null });
    await vi.advanceTimersByTimeAsync(ENGINE_DEBOUNCE_MS + 5);
    expect(sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    expect(sent).toHaveLength(3);
  });
});
