import type { CountRecord } from "../../bindings/CountRecord";
import { chartPoints, shortDate } from "./library";

const W = 320;
const H = 90;

/** The segment's count over time (every count recorded, oldest left), as a small SVG. */
export function CountChart({ counts }: { counts: CountRecord[] }) {
  const pts = chartPoints(counts, W, H, 8);
  if (pts.length === 0) return <div className="hint" data-testid="count-chart-empty">No counts recorded yet: saving records the live count.</div>;
  const line = pts.map((p, i) => `${i ? "L" : "M"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
  const max = Math.max(...pts.map((p) => p.count));
  return (
    <figure className="count-chart" data-testid="count-chart">
      <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Count over time: ${pts.length} counts, newest ${pts[pts.length - 1].count.toLocaleString("en-US")}`}>
        <line x1={8} y1={H - 8} x2={W - 8} y2={H - 8} className="axis" />
        <path d={line} className="series" fill="none" />
        {pts.map((p, i) => (
          <circle key={i} cx={p.x} cy={p.y} r={3.5} className="dot">
            <title>{`${p.count.toLocaleString("en-US")} at revision ${p.revision}, ${shortDate(p.at)}`}</title>
          </circle>
        ))}
      </svg>
      <figcaption className="hint">
        {pts.length} count{pts.length === 1 ? "" : "s"} from {shortDate(pts[0].at)} to {shortDate(pts[pts.length - 1].at)}; highest {max.toLocaleString("en-US")}
      </figcaption>
    </figure>
  );
}
