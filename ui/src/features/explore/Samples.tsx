// Sample records of the segment (first or random), each with the conditions it met and its fields.
import { useEffect, useState } from "react";
import type { SampleResponse } from "../../bindings/SampleResponse";
import type { Segment } from "../../bindings/Segment";
import { toAppError, type AppError } from "../../ipc";
import { nodeLabel } from "../../shared/counts";
import { nodePointers } from "../../shared/tree";
import { useStats } from "../builder/stats";
import { exploreApi } from "./api";
import type { Props } from "./Explore";
import { displayName, formatField, type ColumnType } from "./fields";

const N = 10;

/** Samples of `segment` as of `now`: drawn on demand (first or random), dropped when either changes. */
function useSamples(segment: Segment, now: string | null) {
  const [result, setResult] = useState<SampleResponse>();
  const [error, setError] = useState<AppError>();
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState<number>();
  // Samples belong to the segment they were drawn from.
  useEffect(() => {
    setResult(undefined);
    setError(undefined);
  }, [segment, now]);
  const draw = async (random: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      const seed = random ? Math.floor(Math.random() * 2 ** 31) : null;
      setResult(await exploreApi.samples({ segment, entity: segment.entity ?? null, now, n: N, seed }));
      setOpen(undefined);
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setBusy(false);
    }
  };
  return { result, error, busy, open, setOpen, draw };
}

export function Samples({ segment, now, valid }: Props) {
  const { result, error, busy, open, setOpen, draw } = useSamples(segment, now);
  const nodes = nodePointers(segment).filter((p) => p !== "/root" && !p.endsWith("/filter"));
  // Column types (and labels) of the records' entity, to show each value as its type reads.
  const { stats } = useStats();
  const columns = new Map<string, ColumnType & { label?: string }>((stats?.find((e) => e.name === segment.entity)?.columns ?? []).map((c) => [c.name, c]));
  return (
    <div className="samples" data-testid="samples">
      <div className="explore-actions">
        <button type="button" className="button" disabled={!valid || busy} data-testid="samples-first" onClick={() => draw(false)}>
          First {N}
        </button>
        <button type="button" className="button" disabled={!valid || busy} data-testid="samples-random" onClick={() => draw(true)}>
          Random {N}
        </button>
        {busy && <span className="muted">Picking…</span>}
      </div>
      {error && (
        <div className="explore-error" role="alert">
          {error.message}
        </div>
      )}
      {result && result.samples.length === 0 && <div className="muted">No record matches.</div>}
      {result && result.samples.length > 0 && (
        <ol className="sample-list" data-testid="sample-list">
          {result.samples.map((s, i) => (
            <li key={s.key} className="sample" data-testid="sample" data-key={s.key}>
              <button type="button" className="sample-head" aria-expanded={open === i} onClick={() => setOpen(open === i ? undefined : i)}>
                <span className="sample-key">
                  {result.key} {s.key}
                </span>
                <span className="sample-name">{displayName(s.record)}</span>
                <span className="sample-met" title="Conditions this record meets on its own">
                  {s.met.filter((m) => nodes.includes(m)).length}/{nodes.length} met
                </span>
              </button>
              {open === i && (
                <div className="sample-body">
                  <ul className="met-list">
                    {nodes.map((p) => {
                      const met = s.met.includes(p);
                      return (
                        <li key={p} className={met ? "met" : "unmet"} data-testid={met ? "met" : "unmet"}>
                          <span aria-hidden="true">{met ? "✓" : "✗"}</span> {nodeLabel(segment, p)}
                        </li>
                      );
                    })}
                  </ul>
                  <table className="fields" data-testid="sample-fields">
                    <tbody>
                      {Object.entries(s.record ?? {}).map(([k, v]) => (
                        <tr key={k}>
                          <th title={columns.get(k)?.label || undefined}>{k}</th>
                          <td className={typeof v === "number" ? "num" : undefined} title={v === null ? undefined : String(v)}>
                            {v === null ? <span className="muted">empty</span> : formatField(v, columns.get(k), k)}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
