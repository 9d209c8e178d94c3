import { describe, expect, it } from "vitest";
import { distanceFor, lensArea, vennGeometry } from "./venn";

const area = (r: number) => Math.PI * r * r;

describe("Venn geometry", () => {
  it("computes the overlap of two circles", () => {
    expect(lensArea(1, 1, 2)).toBe(0);
    expect(lensArea(2, 1, 0.5)).toBeCloseTo(Math.PI);
    // Two unit circles one radius apart overlap by 2π/3 − √3/2.
    expect(lensArea(1, 1, 1)).toBeCloseTo((2 * Math.PI) / 3 - Math.sqrt(3) / 2, 6);
  });

  it("finds the distance that gives an overlap", () => {
    const d = distanceFor(3, 2, 5);
    expect(lensArea(3, 2, d)).toBeCloseTo(5, 4);
    expect(distanceFor(3, 2, 0)).toBeGreaterThan(5);
    expect(distanceFor(3, 2, area(2))).toBeCloseTo(1);
  });

  it("draws areas proportional to the counts (3,862 and 27 are not equal circles)", () => {
    const g = vennGeometry([3862, 27], [
      { segments: [0], count: 3850 },
      { segments: [1], count: 15 },
      { segments: [0, 1], count: 12 },
    ]);
    const [a, b] = g.circles;
    expect(area(a.r) / area(b.r)).toBeCloseTo(3862 / 27, 1);
    // The overlap's share of the small circle is 12 / 27.
    const d = Math.hypot(a.cx - b.cx, a.cy - b.cy);
    expect(lensArea(a.r, b.r, d) / area(b.r)).toBeCloseTo(12 / 27, 2);
    // Everything fits the box.
    for (const c of g.circles) {
      expect(c.cx - c.r).toBeGreaterThanOrEqual(0);
      expect(c.cx + c.r).toBeLessThanOrEqual(g.width);
      expect(c.cy + c.r).toBeLessThanOrEqual(g.height);
    }
  });

  it("labels every region once, inside when it has room, and keeps the counts", () => {
    const g = vennGeometry([500, 400], [
      { segments: [0], count: 300 },
      { segments: [1], count: 200 },
      { segments: [0, 1], count: 200 },
    ]);
    expect(g.labels.map((l) => [l.segments.join(","), l.count])).toEqual([["0", 300], ["1", 200], ["0,1", 200]]);
    expect(g.labels.every((l) => l.inside)).toBe(true);
    const [a, b] = g.circles;
    const both = g.labels[2];
    expect(Math.hypot(both.x - a.cx, both.y - a.cy)).toBeLessThan(a.r);
    expect(Math.hypot(both.x - b.cx, both.y - b.cy)).toBeLessThan(b.r);
  });

  it("places three circles with exact pairwise overlaps and seven labels", () => {
    const regions = [
      { segments: [0], count: 400 },
      { segments: [1], count: 300 },
      { segments: [2], count: 200 },
      { segments: [0, 1], count: 100 },
      { segments: [0, 2], count: 80 },
      { segments: [1, 2], count: 60 },
      { segments: [0, 1, 2], count: 40 },
    ];
    const counts = [620, 500, 380];
    const g = vennGeometry(counts, regions);
    const [a, b, c] = g.circles;
    const ratio = area(a.r) / 620;
    expect(area(b.r) / ratio).toBeCloseTo(500, 0);
    expect(lensArea(a.r, b.r, Math.hypot(a.cx - b.cx, a.cy - b.cy)) / ratio).toBeCloseTo(140, 0);
    expect(lensArea(b.r, c.r, Math.hypot(b.cx - c.cx, b.cy - c.cy)) / ratio).toBeCloseTo(100, 0);
    expect(g.labels).toHaveLength(7);
  });

  it("puts a region too small for its number outside, pointing at it", () => {
    const g = vennGeometry([3862, 27], [
      { segments: [0], count: 3862 - 5 },
      { segments: [1], count: 22 },
      { segments: [0, 1], count: 5 },
    ]);
    const small = g.labels.filter((l) => !l.inside);
    expect(small.length).toBeGreaterThan(0);
    for (const l of small) expect(l.y).toBeGreaterThan(g.height - 30);
  });
});
