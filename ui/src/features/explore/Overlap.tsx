// The current segment (A) against one or two others, pasted as JSON or picked from the library.
import { useEffect, useState } from "react";
import type { OverlapResponse } from "../../bindings/OverlapResponse";
import type { Segment } from "../../bindings/Segment";
import type { SegmentRecord } from "../../bindings/SegmentRecord";
import { toAppError } from "../../ipc";
import { parseSegment } from "../../shared/counts";
import { libraryApi } from "../library/api";
import { exploreApi } from "./api";
import type { Props } from "./Explore";
import { COLORS, NAMES, Venn } from "./Venn";


/** The other segments (pasted JSON, one or two), whether all parse, and their overlap with
 * `segment` (dropped when it or `now` changes); saved segments on the same entity to pick from. */
function useOverlap(segment: Segment, now: string | null, valid: boolean) {
  const [others, setOthers] = useState<string[]>([""]);
  // What each other segment is called: its library name when picked there.
  const [otherNames, setOtherNames] = useState<(string | undefined)[]>([]);
  const [result, setResult] = useState<OverlapResponse>();
  const [resultNames, setResultNames] = useState<string[]>([]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<SegmentRecord[]>([]);
  useEffect(() => setResult(undefined), [segment, now]);
  // Saved segments over the same records, to pick instead of pasting (none if the library fails).
  useEffect(() => {
    libraryApi
      .list({ sort: [], entity: segment.entity ?? undefined, size: 100 })
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
      setResultNames(["This segment", ...others.map((_, i) => otherNames[i] ?? "pasted segment")]);
    } catch (e) {
      setError(toAppError(e).message);
    } finally {
      setBusy(false);
    }
  };
  const set = (i: number, text: string, name?: string) => {
    setOthers((o) => o.map((t, j) => (j === i ? text : t)));
    setOtherNames((n) => Object.assign([...n], { [i]: name }));
  };
  return { others, setOthers, set, parsed, ready, result, resultNames, error, busy, saved, compare };
}

export function Overlap({ segment, now, valid }: Props) {
  const { others, setOthers, set, parsed, ready, result, resultNames, error, busy, saved, compare } = useOverlap(segment, now, valid);
  return (
    <div className="overlap" data-testid="overlap">
      <p className="muted small">
        <b>A</b> is the segment being built. Pick one or two others from the library, or paste their JSON (a segment file, or “Definition (JSON)” of another segment).
      </p>
      {others.map((text, i) => (
        <div key={i} className="overlap-input">
          <div className="overlap-input-head">
            <b style={{ color: COLORS[i + 1] }}>{NAMES[i + 1]}</b>
            <button type="button" className="link small" data-testid={`overlap-use-current-${i + 1}`} onClick={() => set(i, JSON.stringify(segment, null, 2), "copy of this segment")}>
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
                  if (r?.definition) set(i, JSON.stringify(r.definition, null, 2), r.name);
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
      {result && <Venn result={result} names={resultNames} />}
    </div>
  );
}

