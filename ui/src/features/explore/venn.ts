// Area-proportional Venn geometry for 2–3 segments: each circle's area is its count, each pair's
// overlap area its shared count (exact for two circles; for three, the pairwise overlaps are
// exact and the triple region follows from where the circles fall). Labels go at the point of
// their region farthest from any edge, or outside with a leader line when the region is too
// small for its number. Pure: tested in venn.test.ts.

export type Circle = { cx: number; cy: number; r: number };
export type RegionLabel = { segments: number[]; count: number; x: number; y: number; inside: boolean; anchorX: number; anchorY: number };
export type VennGeometry = { circles: Circle[]; labels: RegionLabel[]; width: number; height: number };

/** The overlap area of two circles of radii `r1`, `r2` whose centres are `d` apart. */
export function lensArea(r1: number, r2: number, d: number): number {
  if (d >= r1 + r2) return 0;
  if (d <= Math.abs(r1 - r2)) return Math.PI * Math.min(r1, r2) ** 2;
  const a = r1 * r1 * Math.acos((d * d + r1 * r1 - r2 * r2) / (2 * d * r1));
  const b = r2 * r2 * Math.acos((d * d + r2 * r2 - r1 * r1) / (2 * d * r2));
  const c = 0.5 * Math.sqrt((-d + r1 + r2) * (d + r1 - r2) * (d - r1 + r2) * (d + r1 + r2));
  return a + b - c;
}

/** The distance between centres that makes the overlap area `overlap` (bisection: the area
 * shrinks as the circles move apart). Disjoint sets get a small gap. */
export function distanceFor(r1: number, r2: number, overlap: number): number {
  if (overlap <= 0) return r1 + r2 + Math.max(4, 0.06 * (r1 + r2));
  const full = Math.PI * Math.min(r1, r2) ** 2;
  if (overlap >= full * 0.9999) return Math.abs(r1 - r2);
  let lo = Math.abs(r1 - r2);
  let hi = r1 + r2;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (lensArea(r1, r2, mid) > overlap) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** How many records are in both `i` and `j` (whatever else they are in). */
function shared(regions: { segments: number[]; count: number }[], i: number, j: number): number {
  return regions.filter((g) => g.segments.includes(i) && g.segments.includes(j)).reduce((s, g) => s + Number(g.count), 0);
}

/** Centres for the circles (unscaled): the first at the origin, the second on the x axis, the
 * third where its two distances meet (the nearest feasible point when they cannot). */
function place(radii: number[], dist: (i: number, j: number) => number): { x: number; y: number }[] {
  const pts = [{ x: 0, y: 0 }, { x: dist(0, 1), y: 0 }];
  if (radii.length === 3) {
    const d01 = dist(0, 1);
    const d02 = dist(0, 2);
    const d12 = dist(1, 2);
    const x = d01 > 0 ? (d02 * d02 - d12 * d12 + d01 * d01) / (2 * d01) : 0;
    const y = Math.sqrt(Math.max(0, d02 * d02 - x * x));
    pts.push({ x, y });
  }
  return pts.slice(0, radii.length);
}

const LABEL_ROOM = 9;

/** The circles and label positions in a `width`×`height` box (a margin `top` above for the names
 * and `bottom` below for labels placed outside). */
export function vennGeometry(
  counts: number[],
  regions: { segments: number[]; count: number }[],
  width = 300,
  height = 220,
  top = 24,
  bottom = 30,
): VennGeometry {
  const radii = counts.map((c) => Math.sqrt(Math.max(0, Number(c)) / Math.PI));
  const dist = (i: number, j: number) => distanceFor(radii[i], radii[j], shared(regions, i, j));
  const centres = place(radii, dist);
  // Fit the picture into the box.
  const minX = Math.min(...centres.map((p, i) => p.x - radii[i]));
  const maxX = Math.max(...centres.map((p, i) => p.x + radii[i]));
  const minY = Math.min(...centres.map((p, i) => p.y - radii[i]));
  const maxY = Math.max(...centres.map((p, i) => p.y + radii[i]));
  const boxW = width - 16;
  const boxH = height - top - bottom;
  const scale = Math.min(boxW / Math.max(maxX - minX, 1e-9), boxH / Math.max(maxY - minY, 1e-9));
  const offX = (width - (maxX - minX) * scale) / 2 - minX * scale;
  const offY = top + (boxH - (maxY - minY) * scale) / 2 - minY * scale;
  const circles = centres.map((p, i) => ({ cx: p.x * scale + offX, cy: p.y * scale + offY, r: Math.max(radii[i] * scale, counts[i] > 0 ? 1.5 : 0) }));
  return { circles, labels: labels(circles, regions, width, height), width, height };
}

/** Every region's label: at its most interior point (sampled on a grid), or outside below. */
function labels(circles: Circle[], regions: { segments: number[]; count: number }[], width: number, height: number): RegionLabel[] {
  const n = circles.length;
  const best = new Map<string, { x: number; y: number; margin: number }>();
  const step = 2;
  for (let y = 0; y <= height; y += step)
    for (let x = 0; x <= width; x += step) {
      const inside: number[] = [];
      let margin = Infinity;
      circles.forEach((c, i) => {
        const d = Math.hypot(x - c.cx, y - c.cy);
        if (d < c.r) inside.push(i);
        margin = Math.min(margin, Math.abs(d - c.r));
      });
      if (inside.length === 0) continue;
      const key = inside.join(",");
      const b = best.get(key);
      if (!b || margin > b.margin) best.set(key, { x, y, margin });
    }
  const all = allRegions(n);
  const count = (s: number[]) => Number(regions.find((g) => g.segments.slice().sort().join(",") === s.join(","))?.count ?? 0);
  let outside = 0;
  const outsideTotal = all.filter((s) => !((best.get(s.join(","))?.margin ?? 0) >= LABEL_ROOM)).length;
  return all.map((s) => {
    const b = best.get(s.join(","));
    const c = count(s);
    if (b && b.margin >= LABEL_ROOM) return { segments: s, count: c, x: b.x, y: b.y, inside: true, anchorX: b.x, anchorY: b.y };
    // Too small to hold its number: below the picture, spread out, with a line to the region.
    const slot = width * ((outside++ + 1) / (outsideTotal + 1));
    const anchor = b ?? centreOf(circles, s);
    return { segments: s, count: c, x: slot, y: height - 10, inside: false, anchorX: anchor.x, anchorY: anchor.y };
  });
}

function centreOf(circles: Circle[], s: number[]): { x: number; y: number } {
  const cs = s.map((i) => circles[i]);
  return { x: cs.reduce((a, c) => a + c.cx, 0) / cs.length, y: cs.reduce((a, c) => a + c.cy, 0) / cs.length };
}

/** Every non-empty subset of 0..n-1 ("0", "1", "0,1", …), as sorted index lists. */
function allRegions(n: number): number[][] {
  const out: number[][] = [];
  for (let mask = 1; mask < 1 << n; mask++) out.push([...Array(n).keys()].filter((i) => mask & (1 << i)));
  return out.sort((a, b) => a.length - b.length || a.join().localeCompare(b.join()));
}
