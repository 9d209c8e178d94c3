// The Venn picture of 2–3 segments with exact region counts, and the pairs' overlap table.
import type { OverlapResponse } from "../../bindings/OverlapResponse";
import { formatCount, pairs, vennLayout } from "../../shared/counts";

export const NAMES = ["A", "B", "C"];
export const COLORS = ["#4f6bed", "#e8833a", "#2ba84a"];

export function Venn({ result }: { result: OverlapResponse }) {
  const { circles, labels } = vennLayout(result);
  const names = NAMES.slice(0, circles.length);
  return (
    <div className="venn" data-testid="overlap-result">
      <svg viewBox="0 0 300 220" width="100%" role="img" aria-label="Venn diagram of the segments" data-testid="venn">
        {circles.map((c, i) => (
          <g key={i}>
            <circle cx={c.cx} cy={c.cy} r={c.r} fill={COLORS[i]} fillOpacity={0.16} stroke={COLORS[i]} strokeWidth={1.5} />
          </g>
        ))}
        {circles.map((c, i) => {
          // Names outside the regions' labels: top-left, top-right, bottom-left.
          const bottom = c.cy > 120;
          const dx = bottom || c.cx < 150 ? -c.r * 0.78 : c.r * 0.72;
          const dy = bottom ? c.r * 0.82 : -c.r * 0.72;
          return (
            <text key={`n${i}`} x={c.cx + dx} y={c.cy + dy} className="venn-name" fill={COLORS[i]} textAnchor="middle">
              {names[i]}
            </text>
          );
        })}
        {labels.map((l) => (
          <text key={l.segments.join()} x={l.x} y={l.y} className="venn-count" textAnchor="middle" dominantBaseline="middle" data-testid="venn-region" data-segments={l.segments.join(",")}>
            {formatCount(l.count)}
          </text>
        ))}
      </svg>
      <table className="overlap-table">
        <tbody>
          {result.counts.map((c, i) => (
            <tr key={i}>
              <th style={{ color: COLORS[i] }}>{names[i]}</th>
              <td data-testid={`overlap-count-${i}`}>{formatCount(Number(c))}</td>
              <td className="muted">of {formatCount(result.total)}</td>
            </tr>
          ))}
          {pairs(result, names).map((p) => (
            <tr key={p.name}>
              <th>{p.name}</th>
              <td data-testid="overlap-both">{formatCount(p.both)}</td>
              <td className="muted">Jaccard {p.jaccard.toFixed(3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

