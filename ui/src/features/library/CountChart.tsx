import { useState } from "react";
import type { CountRecord } from "../../bindings/CountRecord";
import { plural } from "../../wording";
import { chartPoints, shortDate } from "./library";

const W = 340;
const H = 150;
/** Room for the count axis (left) and the date axis (below). */
const LEFT = 48;
const BOTTOM = 22;
const TOP = 10;
const RIGHT = 10;

const fmt = (n: number) => n.toLocaleString("en-US");
/** A compact count for an axis: 950, 12.5k, 3.1M. */
export function axisCount(n: number): string {
  if (n >= 1e6) return `${+(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${+(n / 1e3).toFixed(1)}k`;
  return fmt(n);
}

/** The segment's count over time (every count recorded, oldest left): axes with counts and
 * dates, and each point's value, revision and time on hover or focus. */
export function CountChart({ counts }: { counts: CountRecord[] }) {
  const [hover, setHover] = useState<number>();
  const plotW = W - LEFT - RIGHT;
  const plotH = H - TOP - BOTTOM;
  const pts = chartPoints(counts, plotW, plotH, 6).map((p) => ({ ...p, x: p.x + LEFT, y: p.y + TOP }));
  if (pts.length === 0) return <div className="hint" data-testid="count-chart-empty">No counts recorded yet: saving records the live count.</div>;
  const line = pts.map((p, i) => `${i ? "L" : "M"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
  const max = Math.max(1, ...pts.map((p) => p.count));
  const yOf = (v: number) => TOP + plotH - 6 - (v / max) * (plotH - 12);
  const ticks = [0, max / 2, max];
  const h = hover != null ? pts[hover] : undefined;
  // Dates on the axis; with the time when every count is of the same day.
  const oneDay = shortDate(pts[0].at).slice(0, 10) === shortDate(pts[pts.length - 1].at).slice(0, 10);
  const when = (at: string) => (oneDay ? shortDate(at) : shortDate(at).slice(0, 10));
  return (
    <figure className="count-chart" data-testid="count-chart">
      <svg width="100%" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Count over time: ${plural(pts.length, "count")}, newest ${fmt(pts[pts.length - 1].count)}`} onMouseLeave={() => setHover(undefined)}>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={LEFT} x2={W - RIGHT} y1={yOf(t)} y2={yOf(t)} className={t === 0 ? "axis" : "grid"} />
            <text x={LEFT - 6} y={yOf(t)} className="tick" textAnchor="end" dominantBaseline="middle">
              {axisCount(Math.round(t))}
            </text>
          </g>
        ))}
        <line x1={LEFT} x2={LEFT} y1={TOP} y2={TOP + plotH} className="axis" />
        <text x={LEFT} y={H - 6} className="tick" textAnchor="start">
          {when(pts[0].at)}
        </text>
        {pts.length > 1 && (
          <text x={W - RIGHT} y={H - 6} className="tick" textAnchor="end">
            {when(pts[pts.length - 1].at)}
          </text>
        )}
        <path d={line} className="series" fill="none" />
        {pts.map((p, i) => (
          <circle
            key={i}
            cx={p.x}
            cy={p.y}
            r={hover === i ? 5 : 3.5}
            className="dot"
            tabIndex={0}
            data-testid="count-point"
            onMouseEnter={() => setHover(i)}
            onFocus={() => setHover(i)}
            onBlur={() => setHover(undefined)}
          >
            <title>{`${fmt(p.count)} at revision ${p.revision}, ${shortDate(p.at)}`}</title>
          </circle>
        ))}
        {h && (
          <g className="chart-tip" pointerEvents="none" transform={`translate(${Math.min(Math.max(h.x, LEFT + 60), W - RIGHT - 60)}, ${Math.max(h.y - 12, TOP + 14)})`}>
            <rect x={-60} y={-14} width={120} height={18} rx={4} />
            <text x={0} y={-1} textAnchor="middle" data-testid="count-tip">
              {fmt(h.count)} · rev. {h.revision}
            </text>
          </g>
        )}
      </svg>
      <figcaption className="hint">
        {plural(pts.length, "count")} from {shortDate(pts[0].at)} to {shortDate(pts[pts.length - 1].at)}; highest {fmt(max)}. Hover a point for its value.
      </figcaption>
    </figure>
  );
}
