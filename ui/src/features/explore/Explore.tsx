// Samples and overlap: a card under the count. Samples lists matching records (first or random)
// with the conditions each one met; overlap compares the current segment with one or two others
// (pasted as JSON) and draws the Venn picture with exact region counts.
import { useEffect, useState } from "react";
import { toAppError, type AppError } from "../../ipc";
import type { OverlapResponse } from "../../bindings/OverlapResponse";
import type { SampleResponse } from "../../bindings/SampleResponse";
import type { Segment } from "../../bindings/Segment";
import type { SegmentRecord } from "../../bindings/SegmentRecord";
import { exploreApi } from "./api";
import { formatCount, nodeLabel, pairs, parseSegment, vennLayout } from "../../shared/counts";
import { libraryApi } from "../library/api";
import { nodePointers } from "../../shared/tree";
import "./explore.css";

type Props = { segment: Segment; now: string | null; valid: boolean };

export function Explore({ segment, now, valid }: Props) {
  const [tab, setTab] = useState<"samples" | "overlap">("samples");
  return (
    <section className="card explore-card" aria-label="Samples and overlap" data-testid="explore">
      <div className="segmented explore-tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === "samples"} className={tab === "samples" ? "on" : ""} data-testid="tab-samples" onClick={() => setTab("samples")}>
          Sample records
        </button>
        <button type="button" role="tab" aria-selected={tab === "overlap"} className={tab === "overlap" ? "on" : ""} data-testid="tab-overlap" onClick={() => setTab("overlap")}>
          Overlap
        </button>
      </div>
      {tab === "samples" ? <Samples segment={segment} now={now} valid={valid} /> : <Overlap segment={segment} now={now} valid={valid} />}
    </section>
  );
}

const N = 10;

function Samples({ segment, now, valid }: Props) {
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
  const nodes = nodePointers(segment).filter((p) => p !== "/root" && !p.endsWith("/filter"));
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
                <span className="sample-name">{recordName(s.record)}</span>
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
                          <th>{k}</th>
                          <td>{v === null ? <span className="muted">null</span> : String(v)}</td>
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

function recordName(record: Record<string, unknown> | null): string {
  if (!record) return "";
  const first = record.first_name ?? record.name ?? record.email ?? record.title;
  const last = record.last_name;
  return [first, last].filter((x) => typeof x === "string" && x).join(" ");
}

const NAMES = ["A", "B", "C"];
const COLORS = ["#4f6bed", "#e8833a", "#2ba84a"];

function Overlap({ segment, now, valid }: Props) {
  const [others, setOthers] = useState<string[]>([""]);
  const [result, setResult] = useState<OverlapResponse>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<SegmentRecord[]>([]);
  useEffect(() => setResult(undefined), [segment, now]);
  // Saved segments over the same records, to pick instead of pasting (none if the library fails).
  useEffect(() => {
    libraryApi
      .list({ sort: [], entity: segment.entity ?? undefined, size: 100 as unknown as bigint })
      .then((page) => setSaved(page.items.filter((r) => r.definition)))
      .catch(() => setSaved([]));
  }, [segment.entity]);
  const parsed = others.map(parseSegment);
  const ready = valid && parsed.every((p) => "segment" in p);
  const compare = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const segments = [segment, ...parsed.map((p) => (p as { segment: Segment }).segment)];
      setResult(await exploreApi.overlap({ segments, entity: segment.entity ?? null, now }));
    } catch (e) {
      setError(toAppError(e).message);
    } finally {
      setBusy(false);
    }
  };
  const set = (i: number, text: string) => setOthers((o) => o.map((t, j) => (j === i ? text : t)));
  return (
    <div className="overlap" data-testid="overlap">
      <p className="muted small">
        <b>A</b> is the segment being built. Paste the JSON of one or two others (a segment file, or “Definition (JSON)” of another segment).
      </p>
      {others.map((text, i) => (
        <div key={i} className="overlap-input">
          <div className="overlap-input-head">
            <b style={{ color: COLORS[i + 1] }}>{NAMES[i + 1]}</b>
            <button type="button" className="link small" data-testid={`overlap-use-current-${i + 1}`} onClick={() => set(i, JSON.stringify(segment, null, 2))}>
              copy A here
            </button>
            {saved.length > 0 && (
              <select
                className="select small"
                aria-label={`Saved segment as ${NAMES[i + 1]}`}
                data-testid={`overlap-saved-${i + 1}`}
                value=""
                onChange={(e) => {
                  const r = saved.find((x) => x.id === e.target.value);
                  if (r?.definition) set(i, JSON.stringify(r.definition, null, 2));
                }}
              >
                <option value="">from the library…</option>
                {saved.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name}
                  </option>
                ))}
              </select>
            )}
            {i === 1 && (
              <button type="button" className="link small" onClick={() => setOthers((o) => o.slice(0, 1))}>
                remove
              </button>
            )}
          </div>
          <textarea
            className="input overlap-json"
            rows={4}
            spellCheck={false}
            data-testid={`overlap-json-${i + 1}`}
            placeholder='{"version": 1, "entity": "profiles", "root": {…}}'
            value={text}
            onChange={(e) => set(i, e.target.value)}
          />
          {text.trim() && "error" in parsed[i] && <div className="explore-error">{(parsed[i] as { error: string }).error}</div>}
        </div>
      ))}
      <div className="explore-actions">
        {others.length < 2 && (
          <button type="button" className="link small" data-testid="overlap-add" onClick={() => setOthers((o) => [...o, ""])}>
            + a third segment
          </button>
        )}
        <button type="button" className="button" disabled={!ready || busy} data-testid="overlap-run" onClick={compare}>
          Compare
        </button>
      </div>
      {error && (
        <div className="explore-error" role="alert">
          {error}
        </div>
      )}
      {result && <Venn result={result} />}
    </div>
  );
}

function Venn({ result }: { result: OverlapResponse }) {
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
