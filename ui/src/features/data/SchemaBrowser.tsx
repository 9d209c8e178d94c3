// Every entity and column of the open data source with its statistics: type, share of NULLs,
// distinct values, min/max, the most frequent values as small SVG bars. Labels and what a
// column's values mean ("Treat as…") are editable (kept in the sidecar store beside the data
// source, never in the file).
import { useState } from "react";
import type { ColumnStats } from "../../bindings/ColumnStats";
import type { EntityStats } from "../../bindings/EntityStats";
import type { SourceInfo } from "../../bindings/SourceInfo";
import { bars, formatCount, percent, showValue } from "../../shared/data";
import { dataApi } from "./api";
import { isWarehouse } from "./connectionsApi";
import { TreatAs, useColumnMeanings } from "./TreatAs";

/** Where a large table's figures come from: a file's distinct counts and top values, every
 * figure of a warehouse's table (read where the data is, through TABLESAMPLE). */
function sampleNote(path: string, rows: number): string {
  return isWarehouse(path)
    ? ` · estimated from a sample of ${formatCount(rows)} rows`
    : ` · distinct counts and top values from a sample of ${formatCount(rows)} rows`;
}

export function Distribution({ column }: { column: ColumnStats }) {
  const b = bars(column.top, 6);
  if (!b.length) return null;
  if (b.every((x) => x.count === 1)) return <span className="muted small">all values differ</span>;
  const h = 12;
  return (
    <svg className="dist" width={200} height={b.length * (h + 3)} role="img" aria-label={`Most frequent values of ${column.name}`}>
      {b.map((bar, i) => (
        <g key={i} transform={`translate(0, ${i * (h + 3)})`}>
          <rect x={0} y={0} width={Math.max(2, bar.width * 80)} height={h} rx={2} className="dist-bar" />
          <text x={86} y={h - 2} className="dist-label">
            {bar.label.length > 14 ? bar.label.slice(0, 13) + "…" : bar.label} · {formatCount(bar.count)}
          </text>
        </g>
      ))}
    </svg>
  );
}

function Label({ data, table, column, initial, onSaved }: { data: string; table: string; column: string; initial: string; onSaved: () => void }) {
  const [value, setValue] = useState(initial);
  return (
    <input
      className="input label-input"
      aria-label={`Label of ${column}`}
      placeholder="add a label"
      value={value}
      onChange={(e) => setValue(e.target.value)}
      onBlur={() => value !== initial && dataApi.setLabel(data, table, column, value).then(onSaved)}
      onKeyDown={(e) => e.key === "Enter" && (e.target as HTMLInputElement).blur()}
    />
  );
}

/** `onLabel`: reloads the data source after a label or a column's meaning changed. */
export function SchemaBrowser({ source, stats, onLabel }: { source: SourceInfo; stats?: EntityStats[]; onLabel: () => void }) {
  const meanings = useColumnMeanings(source);
  if (!stats) return <div className="card muted">Computing column statistics…</div>;
  const declared = (table: string, column: string) => meanings?.declared.find((d) => d.table === table && d.column === column);
  const proposal = (table: string, column: string) => meanings?.proposals.find((p) => p.table === table && p.column === column);
  return (
    <div className="schema-browser" data-testid="schema-browser">
      {stats.map((e) => (
        <div className="card" key={e.name} data-testid="schema-entity" data-entity={e.name}>
          <div className="card-title">
            {e.name} <span className="muted">· {formatCount(e.rows)} rows · key {e.key}{e.sampled_rows != null && sampleNote(source.path, e.sampled_rows)}</span>
          </div>
          <table className="schema-table">
            <thead>
              <tr>
                <th>Column</th>
                <th>Label</th>
                <th>Type</th>
                <th>Empty</th>
                <th>Distinct</th>
                <th>Range</th>
                <th>Most frequent</th>
              </tr>
            </thead>
            <tbody>
              {e.columns.map((c) => (
                <tr key={c.name}>
                  <td className="mono">{c.name}</td>
                  <td>
                    <Label key={source.path + c.label} data={source.path} table={e.name} column={c.name} initial={c.label ?? ""} onSaved={onLabel} />
                  </td>
                  <td title={c.declared_type}>
                    {c.data_type}
                    {/* A warehouse's columns have native types; declaring what stored values mean is a local file's. */}
                    {c.name !== e.key && !isWarehouse(source.path) && (
                      <TreatAs
                        key={source.path + e.name + c.name + (declared(e.name, c.name)?.meaning ?? "")}
                        data={source.path}
                        table={e.name}
                        column={c.name}
                        declared={declared(e.name, c.name)}
                        proposal={proposal(e.name, c.name)}
                        onChanged={onLabel}
                      />
                    )}
                  </td>
                  <td>{percent(c.null_share)}</td>
                  <td>{formatCount(c.distinct)}</td>
                  <td className="small">{c.min != null ? `${showValue(c.min)} … ${showValue(c.max)}` : ""}</td>
                  <td>
                    <Distribution column={c} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </div>
  );
}
