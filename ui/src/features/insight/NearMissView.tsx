// Near misses: for each condition, how many more records the segment would have without it,
// and for thresholds and time windows a small curve of the count as the value moves.
import type { Curve } from "../../bindings/Curve";
import type { NearMisses } from "../../bindings/NearMisses";
import { insightApi } from "./api";
import type { InsightProps } from "./Insight";
import { curveTitle, describeNode, formatCount, linePoints } from "./insight";
import { useInsight } from "./useInsight";

const W = 240;
const H = 54;

export function NearMissView({ segment, now, valid }: InsightProps) {
  const { result, error, busy, run } = useInsight<NearMisses>(segment, now);
  const show = () => run(() => insightApi.nearMisses({ segment, entity: segment.entity ?? null, now }));
  return (
    <div className="insight-view" data-testid="near-misses">
      <div className="explore-actions">
        <button type="button" className="button" disabled={!valid || busy} data-testid="near-show" onClick={show}>
          {result ? "Refresh" : "Show near misses"}
        </button>
        {busy && <span className="muted">Counting…</span>}
      </div>
      {!valid && <p className="small muted">Complete the segment to see its near misses.</p>}
      {error && (
        <div className="explore-error" role="alert">
          {error.message}
        </div>
      )}
      {result && (
        <ul className="near-list">
          {result.nodes
            .filter((n) => !n.path.endsWith("/filter"))
            .map((n) => (
              <li key={n.path} className="near-item" data-testid="near-node" data-path={n.path}>
                <div className="near-head">
                  <span className="near-label">{describeNode(segment, n.path)}</span>
                  <span className={"near-more" + (n.more_if_dropped > 0 ? " some" : "")}>{n.more_if_dropped > 0 ? `+${formatCount(n.more_if_dropped)} without it` : "no more without it"}</span>
                </div>
                {n.curves.map((c) => (
                  <CurveChart key={c.pointer} curve={c} />
                ))}
              </li>
            ))}
        </ul>
      )}
    </div>
  );
}

function CurveChart({ curve }: { curve: Curve }) {
  const line = linePoints(
    curve.points.map((p) => p.count),
    W,
    H,
  );
  return (
    <figure className="near-curve" data-testid="near-curve">
      <figcaption className="small muted">
        {curveTitle(curve.kind, curve.unit)} (now {curve.current}: {formatCount(curve.points.find((p) => p.value === curve.current)?.count ?? 0)})
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H + 14}`} className="near-svg" role="img" aria-label={curve.points.map((p) => `${p.value}: ${formatCount(p.count)}`).join(", ")}>
        <polyline points={line.map((p) => `${p.x},${p.y}`).join(" ")} className="trend-line" />
        {line.map((p, i) => {
          const point = curve.points[i];
          const current = point.value === curve.current;
          return (
            <g key={point.value}>
              <circle cx={p.x} cy={p.y} r={current ? 3.5 : 2.2} className={current ? "near-current" : "trend-dot"}>
                <title>{`${point.value}: ${formatCount(point.count)}${current ? " (now)" : ""}`}</title>
              </circle>
              <text x={p.x} y={H + 11} className="near-tick" textAnchor="middle">
                {point.value}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
