import { describe, expect, it } from "vitest";
import { EditTimings, KEPT, median } from "./timing";

/** A measurement clock that reads the values given, in order. */
function clock(...times: number[]) {
  let i = 0;
  return () => times[Math.min(i++, times.length - 1)];
}

describe("edit timings", () => {
  it("splits an edit's time into the pause, the count and the paint, adding up to the total", () => {
    const t = new EditTimings(clock(1000, 1070.04, 1082.5, 1099.25), false);
    t.edited();
    t.sent(7);
    t.answered(7, "memory");
    t.painted(7);
    expect(t.list()).toEqual([
      { requestId: 7, engine: "memory", editToDebounceMs: 70, debounceToResponseMs: 12.5, responseToPaintMs: 16.8, totalMs: 99.3 },
    ]);
  });

  it("measures from the last edit before the request, not the first keystroke", () => {
    const t = new EditTimings(clock(0, 40, 90, 160, 170, 180), false);
    t.edited(); // 0
    t.edited(); // 40
    t.edited(); // 90: the last keystroke
    t.sent(1); // 160
    t.answered(1, "sql"); // 170
    t.painted(1); // 180
    expect(t.list()[0]).toMatchObject({ editToDebounceMs: 70, debounceToResponseMs: 10, responseToPaintMs: 10, totalMs: 90, engine: "sql" });
  });

  it("records nothing for a request that was never answered or painted, and drops superseded ones", () => {
    let now = 0;
    const t = new EditTimings(() => (now += 10), false);
    t.edited();
    t.sent(1); // superseded: a newer answer is painted first
    t.edited();
    t.sent(2);
    t.painted(2); // not answered yet: nothing
    expect(t.list()).toEqual([]);
    t.answered(2, "memory");
    t.painted(2);
    t.answered(1, "memory");
    t.painted(1); // forgotten once 2 was painted
    expect(t.list().map((m) => m.requestId)).toEqual([2]);
  });

  it("keeps the newest measurements and tells listeners", () => {
    let now = 0;
    const t = new EditTimings(() => (now += 1), false);
    let heard = 0;
    const stop = t.subscribe(() => heard++);
    for (let id = 1; id <= KEPT + 5; id++) {
      t.edited();
      t.sent(id);
      t.answered(id, "memory");
      t.painted(id);
    }
    stop();
    t.edited();
    t.sent(99);
    t.answered(99, "memory");
    t.painted(99);
    expect(heard).toBe(KEPT + 5);
    expect(t.list()).toHaveLength(KEPT);
    expect(t.list()[0].requestId).toBe(7);
    expect(t.list()[KEPT - 1].requestId).toBe(99);
  });

  it("takes the middle value", () => {
    expect(median([])).toBe(0);
    expect(median([30, 10, 20])).toBe(20);
    expect(median([40, 10, 20, 30])).toBe(25);
  });
});
