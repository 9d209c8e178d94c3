// Priority tiers (a waterfall): saved segments in order, each person in the first tier they
// match. Per tier what it matches alone, what it keeps and what it lost to the tiers above;
// each tier kept as a static segment.
import { useEffect, useState } from "react";
import type { KeptSegment } from "../../bindings/KeptSegment";
import type { Tiers } from "../../bindings/Tiers";
import { toAppError, type AppError } from "../../ipc";
import { audienceApi } from "./api";
import { formatCount } from "../../shared/counts";
import { percent } from "./audience";
import { useSavedSegments } from "./useSavedSegments";

export function TiersView({ now }: { now: string | null }) {
  const { segments, error: listError } = useSavedSegments();
  const [ids, setIds] = useState<string[]>([]);
  const [adding, setAdding] = useState("");
  const [result, setResult] = useState<Tiers>();
  const [error, setError] = useState<AppError>();
  const [busy, setBusy] = useState(false);
  const [kept, setKept] = useState<KeptSegment[]>();
  const [prefix, setPrefix] = useState("tier");
  const name = (id: string) => segments.find((s) => s.id === id)?.name ?? id;
  // Counted again whenever the list or "as of" changes.
  useEffect(() => {
    setKept(undefined);
    if (ids.length === 0) {
      setResult(undefined);
      return;
    }
    let live = true;
    setBusy(true);
    audienceApi
      .tiers({ ids, now, prefix: null })
      .then((r) => live && (setResult(r), setError(undefined)))
      .catch((e) => live && setError(toAppError(e)))
      .finally(() => live && setBusy(false));
    return () => {
      live = false;
    };
  }, [ids, now]);
  const move = (i: number, by: number) => {
    const next = [...ids];
    [next[i], next[i + by]] = [next[i + by], next[i]];
    setIds(next);
  };
  const keep = async () => {
    setBusy(true);
    try {
      setKept(await audienceApi.keepTiers({ ids, now, prefix }));
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setBusy(false);
    }
  };
  const rows = result && result.tiers.length === ids.length ? result.tiers : undefined;
  return (
    <div className="tiers" data-testid="tiers">
      <div className="muted">Each person goes to the first tier they match, top to bottom.</div>
      <div className="audience-controls">
        <select className="select" value={adding} aria-label="Saved segment to add as a tier" data-testid="tier-choice" onChange={(e) => setAdding(e.target.value)}>
          <option value="">Add a saved segment…</option>
          {segments
            .filter((s) => !ids.includes(s.id))
            .map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
        </select>
        <button type="button" className="button" disabled={!adding || ids.length >= 20} data-testid="tier-add" onClick={() => (setIds([...ids, adding]), setAdding(""))}>
          Add tier
        </button>
        {busy && <span className="muted">Counting…</span>}
      </div>
      {listError && <div className="explore-error">{listError.message}</div>}
      {segments.length === 0 && !listError && <div className="muted">Save segments in the library to rank them here.</div>}
      {error && (
        <div className="explore-error" role="alert">
          {error.message}
        </div>
      )}
      {ids.length > 0 && (
        <table className="tier-table" data-testid="tier-table">
          <thead>
            <tr>
              <th>#</th>
              <th>Segment</th>
              <th className="num" title="Records the segment matches on its own">
                Matches
              </th>
              <th className="num" title="Records this tier keeps: matched by no tier above">
                Keeps
              </th>
              <th className="num" title="Records a tier above took">
                Lost
              </th>
              <th />
            </tr>
          </thead>
          <tbody>
            {ids.map((id, i) => {
              const t = rows?.[i];
              const lostTo = t?.lost_to.map((n, j) => (n > 0 ? `${formatCount(n)} to ${name(ids[j])}` : "")).filter(Boolean);
              return (
                <tr key={id} data-testid="tier-row">
                  <td>{i + 1}</td>
                  <td>{name(id)}</td>
                  <td className="num">{t ? formatCount(t.matched) : ""}</td>
                  <td className="num" data-testid="tier-count">
                    {t ? formatCount(t.count) : ""}
                  </td>
                  <td className="num" title={lostTo?.join("; ")}>
                    {t ? formatCount(t.lost) : ""}
                  </td>
                  <td className="tier-tools">
                    <button type="button" className="icon-button" aria-label={`Move ${name(id)} up`} disabled={i === 0} onClick={() => move(i, -1)}>
                      ↑
                    </button>
                    <button type="button" className="icon-button" aria-label={`Move ${name(id)} down`} disabled={i === ids.length - 1} onClick={() => move(i, 1)}>
                      ↓
                    </button>
                    <button type="button" className="icon-button" aria-label={`Remove ${name(id)}`} onClick={() => setIds(ids.filter((x) => x !== id))}>
                      ✕
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {rows && result && (
        <>
          <div className="muted" data-testid="tier-union">
            {formatCount(result.union)} of {formatCount(result.total)} records ({percent(result.total ? result.union / result.total : 0)}) are in a tier.
          </div>
          <div className="audience-controls">
            <label className="field">
              Ids start with
              <input className="input" value={prefix} onChange={(e) => setPrefix(e.target.value)} />
            </label>
            <button type="button" className="button" disabled={busy || !prefix.trim()} data-testid="tier-keep" onClick={keep}>
              Keep tiers as static segments
            </button>
          </div>
          {kept && (
            <ul className="kept" data-testid="tier-kept">
              {kept.map((k) => (
                <li key={k.id}>
                  {k.id}: {formatCount(k.count)} members
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}
