// @vitest-environment jsdom
// The count chart: axes labelled with counts and dates, and a point's value on hover.
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { CountRecord } from "../../bindings/CountRecord";
import { axisCount, CountChart } from "./CountChart";

afterEach(cleanup);

const c = (count: number, computedAt: string, revision: number) => ({ count, computedAt, revision, total: null }) as unknown as CountRecord;

describe("count chart", () => {
  it("labels its axes and shows a point's value on hover", () => {
    render(<CountChart counts={[c(3862, "2026-11-01T10:00:00Z", 0), c(12500, "2026-11-03T10:00:00Z", 1)]} />);
    const chart = screen.getByTestId("count-chart");
    const ticks = [...chart.querySelectorAll("text.tick")].map((t) => t.textContent);
    expect(ticks).toEqual(expect.arrayContaining(["0", "12.5k", "2026-11-01", "2026-11-03"]));
    fireEvent.mouseEnter(screen.getAllByTestId("count-point")[0]);
    expect(screen.getByTestId("count-tip").textContent).toBe("3,862 · rev. 0");
  });

  it("writes axis counts compactly", () => {
    expect(axisCount(950)).toBe("950");
    expect(axisCount(9999)).toBe("9,999");
    expect(axisCount(12500)).toBe("12.5k");
    expect(axisCount(3_100_000)).toBe("3.1M");
  });
});
