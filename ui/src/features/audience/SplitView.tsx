// Split the segment into named groups by percentages (e.g. 45/45/10 with a holdout): each
// member's group comes from a hash of its key and the salt, so it stays the same on every
// evaluation. Exact counts per group, the balance of one attribute between groups, and each
// group kept as a static segment of the library.
import { useEffect, useMemo, useState } from "react";
import type { KeptSegment } from "../../bindings/KeptSegment";
import type { SplitGroup } from "../../bindings/SplitGroup";
import type { SplitResult } from "../../bindings/SplitResult";
import { toAppError, type AppError } from "../../ipc";
import { audienceApi } from "./api";
import type { AudienceProps } from "./Audience";
import { formatCount } from "../../shared/counts";
import { balanceValue, checkGroups, dimensionOptions, percent, slug } from "./audience";
import { useSavedSegments } from "./useSavedSegments";

const HOLDOUT: SplitGroup[] = [
  { name: "Group A", percent: 45 },
  { name: "Group B", percent: 45 },
  { name: "Holdout", percent: 10 },
];

export function SplitView(props: AudienceProps) {
  const { segment, now, valid, source } = props;
  const [groups, setGroups] = useState<SplitGroup[]>(HOLDOUT);
  const [salt, setSalt] = useState("holdout");
  const entity = segment.entity ?? source.default_entity ?? "";
  const options = useMemo(() => dimensionOptions(source.schema, entity).filter((o) => o.dimension.kind === "attribute"), [source.schema, entity]);
  const [balanceKey, setBalanceKey] = useState("");
  const [result, setResult] = useState<SplitResult>();
  const [error, setError] = useState<AppError>();
  const [busy, setBusy] = useState(false);
  const [kept, setKept] = useState<KeptSegment[]>();
  const { segments: saved } = useSavedSegments();
  const [sourceId, setSourceId] = useState("");
  const [prefix, setPrefix] = useState("split");
  const problem = checkGroups(groups);
  // An answer belongs to the segment and split it was made for.
  useEffect(() => {
    setResult(undefined);
    setKept(undefined);
  }, [segment, now, groups, salt, balanceKey]);
  const request = () => ({
    segment,
    entity: segment.entity ?? null,
    now,
    split: { groups, salt, balance: balanceKey ? [JSON.parse(balanceKey)] : [] },
    source_id: sourceId || null,
    prefix: prefix || null,
  });
  const run = async (keep: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      if (keep) setKept(await audienceApi.keepSplit(request()));
      else setResult(await audienceApi.split(request()));
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setBusy(false);
    }
  };
  const edit = (i: number, change: Partial<SplitGroup>) => setGroups(groups.map((g, j) => (j === i ? { ...g, ...change } : g)));
  return (
    <div className="split" data-testid="split">
      <table className="split-groups">
        <thead>
          <tr>
            <th>Group</th>
            <th>%</th>
            <th className="num">Members</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {groups.map((g, i) => (
            <tr key={i} data-testid="split-group">
              <td>
                <input className="input" aria-label={`Name of group ${i + 1}`} value={g.name} onChange={(e) => edit(i, { name: e.target.value })} />
              </td>
              <td>
                <input aria-label={`Percent of group ${i + 1}`} className="input percent-input" type="number" min={0.01} max={100} step={0.01} value={Number.isFinite(g.percent) ? g.percent : ""} onChange={(e) => edit(i, { percent: e.target.valueAsNumber })} />
              </td>
              <td className="num" data-testid="split-count">
                {result?.groups[i] ? formatCount(result.groups[i].count) : ""}
              </td>
              <td>
                <button type="button" className="icon-button" aria-label={`Remove group ${i + 1}`} title="Remove this group" disabled={groups.length <= 2} onClick={() => setGroups(groups.filter((_, j) => j !== i))}>
                  ✕
                </button>
              </td>
            </tr>
          ))}
        </tbody>
        {result && (
          <tfoot>
            <tr>
              <td>All</td>
              <td>100</td>
              <td className="num" data-testid="split-total">
                {formatCount(result.count)}
              </td>
              <td />
            </tr>
          </tfoot>
        )}
      </table>
      <div className="audience-controls">
        <button type="button" className="button" disabled={groups.length >= 20} onClick={() => setGroups([...groups, { name: `Group ${String.fromCharCode(65 + groups.length)}`, percent: 0 }])}>
          Add group
        </button>
        <label className="field" title="Any text kept with the split: the same salt puts every person in the same group again, here or in a warehouse">
          Salt
          <input className="input" value={salt} data-testid="split-salt" onChange={(e) => setSalt(e.target.value)} />
        </label>
        <label className="field">
          Check balance of
          <select className="select" value={balanceKey} data-testid="split-balance-by" onChange={(e) => setBalanceKey(e.target.value)}>
            <option value="">nothing</option>
            {options.map((o) => (
              <option key={o.key} value={o.key}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {problem && <div className="explore-error">{problem}</div>}
      <div className="audience-controls">
        <button type="button" className="button primary" disabled={!valid || busy || !!problem || !salt.trim()} data-testid="split-run" onClick={() => run(false)}>
          Split
        </button>
        {busy && <span className="muted">Working…</span>}
      </div>
      {error && (
        <div className="explore-error" role="alert">
          {error.message}
        </div>
      )}
      {result && result.balance.length > 0 && (
        <table className="balance" data-testid="split-balance">
          <thead>
            <tr>
              <th>Attribute</th>
              {result.groups.map((g) => (
                <th key={g.name} className="num">
                  {g.name}
                </th>
              ))}
              <th className="num" title="The largest standardised difference between two groups: below 0.1 is usually read as balanced">
                Difference
              </th>
            </tr>
          </thead>
          <tbody>
            {result.balance.map((b) => (
              <tr key={b.attribute} className={b.balanced ? "" : "imbalanced"}>
                <td>{b.attribute}</td>
                {b.values.map((v, i) => (
                  <td key={i} className="num">
                    {balanceValue(v, b.measure)}
                  </td>
                ))}
                <td className="num">{b.difference === undefined ? "–" : `${b.difference.toFixed(2)} ${b.balanced ? "✓" : "⚠"}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {result && (
        <div className="keep">
          <div className="muted">Keep each group as a static segment of the library (members fixed now):</div>
          <div className="audience-controls">
            <label className="field">
              From saved segment
              <select className="select" value={sourceId} data-testid="split-source" onChange={(e) => setSourceId(e.target.value)}>
                <option value="">choose…</option>
                {saved.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              Ids start with
              <input className="input" value={prefix} onChange={(e) => setPrefix(e.target.value)} />
            </label>
            <button type="button" className="button" disabled={busy || !sourceId || !prefix.trim()} data-testid="split-keep" onClick={() => run(true)}>
              Keep groups
            </button>
          </div>
          {!sourceId && <div className="muted">Save the segment first, then choose it here: the groups record where they came from.</div>}
          {sourceId && <div className="muted">Will create {groups.map((g) => `${slug(prefix)}_${slug(g.name)}`).join(", ")}.</div>}
          {kept && (
            <ul className="kept" data-testid="split-kept">
              {kept.map((k) => (
                <li key={k.id}>
                  {k.id}: {formatCount(k.count)} members ({result.count ? percent(k.count / result.count) : "0%"})
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
