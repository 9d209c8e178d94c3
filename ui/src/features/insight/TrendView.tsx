// The segment's size as of each day or week of a range, with records entered and left.
import { useState } from "react";
import type { Trend } from "../../bindings/Trend";
import type { TrendStep } from "../../bindings/TrendStep";
import { insightApi } from "./api";
import type { InsightProps } from "./Insight";
import { changeWords, churn, formatCount, linePoints, shortDate } from "./insight";
import { useInsight } from "./useInsight";

const RANGES = [30, 90, 180, 365];
const W = 320;
const H = 110;

export function TrendView({ segment, now, valid }: InsightProps) {
  const [days, setDays] = useState(90);
  const [step, setStep] = useState<TrendStep>("day");
  const { result, error, busy, run } = useInsight<Trend>(segment, now);
  const show = () => run(() => insightApi.trend({ segment, entity: segment.entity ?? null, now, days, step }));
  return (
    <div className="insight-view" data-testid="trend">
      <div className="explore-actions">
        <label className="insight-field">
          Last
          <select value={days} onChange={(e) => setDays(Number(e.target.value))} data-testid="trend-days">
            {RANGES.map((d) => (
              <option key={d} value={d}>
                {d} days
              </option>
            ))}
          </select>
        </label>
        <label className="insight-field">
          by
          <select value={step} onChange={(e) => setStep(e.target.value as TrendStep)} data-testid="trend-step">
            <option value="day">day</option>
            <option value="week">week</option>
          </select>
        </label>
        <button type="button" className="button" disabled={!valid || busy} data-testid="trend-show" onClick={show}>
          {result ? "Refresh" : "Show"}
        </button>
        {busy && <span className="muted">Counting…</span>}
      </div>
      {!valid && <p className="small muted">Complete the segment to see its size over time.</p>}
      {error && (
        <div className="explore-error" role="alert">
          {error.message}
        </div>
      )}
      {result && <TrendChart trend={result} />}
    </div>
  );
}

function TrendChart({ trend }: { trend: Trend }) {
  const points = trend.points;
  if (points.length === 0) return null;
  const line = linePoints(
    points.map((p) => p.count),
    W,
    H,
  );
  const last = points[points.length - 1];
  const { entered, left } = churn(points);
  return (
    <div className="trend-chart" data-testid="trend-chart">
      <p className="small">
        <strong data-testid="trend-last">{formatCount(last.count)}</strong> as of {shortDate(last.at)}; since {shortDate(points[0].at)} it {changeWords(points)}:{" "}
        <span className="trend-entered">{formatCount(entered)} entered</span>, <span className="trend-left">{formatCount(left)} left</span>.
      </p>
      <svg viewBox={`0 0 ${W} ${H}`} className="trend-svg" role="img" aria-label={`Count over time, from ${formatCount(points[0].count)} to ${formatCount(last.count)}`}>
        <line x1={0} x2={W} y1={H - 4} y2={H - 4} className="trend-axis" />
        <text x={2} y={10} className="trend-scale">
          {formatCount(Math.max(...points.map((p) => p.count)))}
        </text>
        <polyline points={line.map((p) => `${p.x},${p.y}`).join(" ")} className="trend-line" />
        {line.map((p, i) => (
          <circle key={points[i].at} cx={p.x} cy={p.y} r={points.length > 60 ? 1.2 : 2.2} className="trend-dot">
            <title>
              {`${shortDate(points[i].at)}: ${formatCount(points[i].count)}` + (points[i].entered != null ? ` (+${points[i].entered} entered, −${points[i].left} left)` : "")}
            </title>
          </circle>
        ))}
      </svg>
      <div className="trend-axis-labels small muted">
        <span>{shortDate(points[0].at)}</span>
        <span>{shortDate(last.at)}</span>
      </div>
      <p className="small muted trend-note" data-testid="trend-note">
        {trend.note}
        {trend.method === "sql" && trend.notice ? ` Counted with SQL: ${trend.notice}` : ""}
      </p>
      <p className="small muted">The counts recorded when the segment was saved are in its History.</p>
    </div>
  );
}
