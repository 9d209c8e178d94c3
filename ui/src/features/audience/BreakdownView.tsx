// The members by one attribute: a bar per value (or range, or period), updated as the segment
// changes; "compare with everyone" adds everyone's bar and ranks the values by lift.
import { useEffect, useMemo, useRef, useState } from "react";
import type { Breakdown } from "../../bindings/Breakdown";
import { toAppError, type AppError } from "../../ipc";
import { useStats } from "../builder/stats";
import { audienceApi } from "./api";
import type { AudienceProps } from "./Audience";
import { formatCount } from "../../shared/counts";
import { barWidth, defaultDimension, dimensionOptions, liftText, percent } from "./audience";

/** Waits this long after the last change before asking (the count's own pace). */
const SETTLE_MS = 300;

function useBreakdown({ segment, now, valid }: AudienceProps, dimensionKey: string, compare: boolean) {
  const [result, setResult] = useState<Breakdown>();
  const [error, setError] = useState<AppError>();
  const [busy, setBusy] = useState(false);
  const latest = useRef(0);
  useEffect(() => {
    if (!valid || !dimensionKey) return;
    const ticket = ++latest.current;
    setBusy(true);
    const timer = setTimeout(async () => {
      try {
        const answer = await audienceApi.breakdown({
          segment,
          entity: segment.entity ?? null,
          now,
          dimension: JSON.parse(dimensionKey),
          options: { top: 10, by_lift: compare },
        });
        if (ticket === latest.current) {
          setResult(answer);
          setError(undefined);
        }
      } catch (e) {
        if (ticket === latest.current) setError(toAppError(e));
      } finally {
        if (ticket === latest.current) setBusy(false);
      }
    }, SETTLE_MS);
    return () => clearTimeout(timer);
  }, [segment, now, valid, dimensionKey, compare]);
  return { result, error, busy };
}

export function BreakdownView(props: AudienceProps) {
  const entity = props.segment.entity ?? props.source.default_entity ?? "";
  const options = useMemo(() => dimensionOptions(props.source.schema, entity), [props.source.schema, entity]);
  const [chosen, setChosen] = useState<string>();
  const [compare, setCompare] = useState(false);
  const { stats } = useStats();
  const columns = stats?.find((e) => e.name === entity)?.columns;
  const dimensionKey = chosen && options.some((o) => o.key === chosen) ? chosen : defaultDimension(options, columns);
  const { result, error, busy } = useBreakdown(props, dimensionKey, compare);
  const rows = result?.rows ?? [];
  return (
    <div className="breakdown" data-testid="breakdown">
      <div className="audience-controls">
        <label className="field">
          By
          <select className="select" value={dimensionKey} data-testid="breakdown-by" onChange={(e) => setChosen(e.target.value)}>
            {options.map((o) => (
              <option key={o.key} value={o.key}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field" title="Show everyone's share beside the segment's and rank values by lift (share in the segment ÷ share in everyone)">
          <input type="checkbox" checked={compare} data-testid="breakdown-compare" onChange={(e) => setCompare(e.target.checked)} />
          Compare with everyone
        </label>
        {busy && <span className="muted">Updating…</span>}
      </div>
      {!props.valid && <div className="muted">Fix the segment to see who is in it.</div>}
      {error?.kind === "cancelled" && (
        <div className="muted" data-testid="breakdown-cancelled">
          Breakdown stopped with the count. Change the segment to break it down again.
        </div>
      )}
      {error && error.kind !== "cancelled" && (
        <div className="explore-error" role="alert">
          {error.message}
        </div>
      )}
      {result && props.valid && (
        <>
          <div className="muted breakdown-summary">
            {formatCount(result.count)} members by {result.dimension}
            {result.period ? `, by ${result.period}` : ""}
            {compare ? "; most distinctive first" : ""}
          </div>
          {compare && (
            <div className="breakdown-legend muted">
              <span className="swatch segment-swatch" /> this segment <span className="swatch base-swatch" /> everyone
            </div>
          )}
          <ol className="aud-bars" data-testid="breakdown-bars">
            {rows.map((r) => (
              <li key={`${r.kind}:${r.label}`} className={"aud-row" + (r.kind === "value" ? "" : " aud-rest")} data-testid="breakdown-row" data-count={r.count}>
                <span className="aud-label" title={r.label}>
                  {r.label}
                </span>
                <span className="aud-track" aria-hidden="true">
                  <span className="aud-bar aud-mine" style={{ width: `${barWidth(r.share, rows, compare)}%` }} />
                  {compare && <span className="aud-bar aud-base" style={{ width: `${barWidth(r.base_share, rows, compare)}%` }} />}
                </span>
                <span className="aud-figure" title={`${formatCount(r.count)} members; ${formatCount(r.base)} of everyone (${percent(r.base_share)})`}>
                  {formatCount(r.count)} · {percent(r.share)}
                  {compare && r.count > 0 && <span className={"lift" + ((r.lift ?? 1) >= 1 ? " up" : " down")}> {liftText(r.lift)}</span>}
                </span>
              </li>
            ))}
          </ol>
        </>
      )}
    </div>
  );
}
