// The Venn picture of 2–3 segments, areas to scale, with exact region counts and the segments'
// names, and the pairs' overlap table.
import type { OverlapResponse } from "../../bindings/OverlapResponse";
import { formatCount, pairs } from "../../shared/counts";
import { vennGeometry } from "./venn";

export const NAMES = ["A", "B", "C"];
/** The segments' colours, from the theme (styles.css: --venn-a, --venn-b, --venn-c). */
export const COLORS = ["var(--venn-a)", "var(--venn-b)", "var(--venn-c)"];

const short = (s: string, n = 22) => (s.length > n ? s.slice(0, n - 1) + "…" : s);

export function Venn({ result, names }: { result: OverlapResponse; names: string[] }) {
  const counts = result.counts.map(Number);
  const g = vennGeometry(counts, result.regions.map((r) => ({ segments: r.segments, count: Number(r.count) })));
  const label = (i: number) => `${NAMES[i]} · ${names[i] ?? NAMES[i]}`;
  return (
    <div className="venn" data-testid="overlap-result">
      <svg viewBox={`0 0 ${g.width} ${g.height}`} width="100%" role="img" aria-label={`Overlap of ${counts.map((c, i) => `${names[i] ?? NAMES[i]} (${formatCount(c)})`).join(" and ")}, areas to scale`} data-testid="venn">
        {g.circles.map((c, i) => (
          <circle key={i} cx={c.cx} cy={c.cy} r={c.r} style={{ fill: COLORS[i], stroke: COLORS[i] }} className="venn-circle">
            <title>{`${label(i)}: ${formatCount(counts[i])}`}</title>
          </circle>
        ))}
        {g.circles.map((c, i) => {
          // Each name above its circle (the third, lower one, below it when there is room).
          const below = i === 2 && c.cy + c.r + 14 < g.height - 22;
          const y = below ? c.cy + c.r + 13 : Math.max(12, c.cy - c.r - 6);
          const x = Math.min(g.width - 40, Math.max(40, c.cx));
          return (
            <text key={`n${i}`} x={x} y={y} className="venn-name" style={{ fill: COLORS[i] }} textAnchor="middle">
              {short(label(i))}
            </text>
          );
        })}
        {g.labels.map((l) => (
          <g key={l.segments.join()}>
            {!l.inside && <line x1={l.anchorX} y1={l.anchorY} x2={l.x} y2={l.y - 8} className="venn-leader" />}
            <text x={l.x} y={l.y} className="venn-count" textAnchor="middle" dominantBaseline="middle" data-testid="venn-region" data-segments={l.segments.join(",")}>
              {formatCount(l.count)}
            </text>
          </g>
        ))}
      </svg>
      <table className="overlap-table">
        <tbody>
          {counts.map((c, i) => (
            <tr key={i}>
              <th>
                <span className="venn-swatch" style={{ background: COLORS[i] }} aria-hidden="true" />
                {label(i)}
              </th>
              <td data-testid={`overlap-count-${i}`}>{formatCount(c)}</td>
              <td className="muted">of {formatCount(result.total)}</td>
            </tr>
          ))}
          {pairs(result, NAMES.slice(0, counts.length)).map((p) => (
            <tr key={p.name}>
              <th>{p.name} (in both)</th>
              <td data-testid="overlap-both">{formatCount(p.both)}</td>
              <td className="muted" title="Jaccard index: in both ÷ in either">similarity {p.jaccard.toFixed(3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
