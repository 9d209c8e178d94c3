// "Treat as…": what a column's values mean when the file's own type cannot say it (times stored
// as seconds or milliseconds since 1970, ISO dates in text, lists as JSON arrays). Kept beside
// the data (never in the file); a meaning the values contradict is refused with the values
// that do not fit. Proposals from the column's name and values are one click away.
import { useEffect, useState } from "react";
import type { ColumnMeaning } from "../../bindings/ColumnMeaning";
import type { ColumnMeanings } from "../../bindings/ColumnMeanings";
import type { DeclaredMeaning } from "../../bindings/DeclaredMeaning";
import type { MeaningProposal } from "../../bindings/MeaningProposal";
import type { SourceInfo } from "../../bindings/SourceInfo";
import { toAppError } from "../../ipc";
import { dataApi } from "./api";

export const MEANING_LABELS: Record<ColumnMeaning, string> = {
  "epoch-seconds": "Date & time: seconds since 1970",
  "epoch-millis": "Date & time: milliseconds since 1970",
  "iso-datetime": "Date & time: ISO text",
  "json-array": "List (JSON array)",
};

/** A proposal's words: "Treat as date & time (seconds since 1970)?". */
const SUGGESTIONS: Record<ColumnMeaning, string> = {
  "epoch-seconds": "date & time (seconds since 1970)",
  "epoch-millis": "date & time (milliseconds since 1970)",
  "iso-datetime": "date & time (ISO text)",
  "json-array": "list (JSON array)",
};

/** The declared and proposed meanings of the open data source (reloaded with it). */
export function useColumnMeanings(source: SourceInfo): ColumnMeanings | undefined {
  const [meanings, setMeanings] = useState<ColumnMeanings>();
  useEffect(() => {
    // An answer for a data source switched away from is dropped.
    let current = true;
    setMeanings(undefined);
    dataApi
      .meanings(source.path)
      .then((m) => current && setMeanings(m))
      .catch(() => current && setMeanings({ declared: [], proposals: [] }));
    return () => {
      current = false;
    };
  }, [source]);
  return meanings;
}

type Props = {
  data: string;
  table: string;
  column: string;
  declared?: DeclaredMeaning;
  proposal?: MeaningProposal;
  /** After a change: the data source reloads, and the builder offers the column's new operators. */
  onChanged: () => void;
};

export function TreatAs({ data, table, column, declared, proposal, onChanged }: Props) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const choose = async (meaning: ColumnMeaning | null) => {
    setBusy(true);
    setError(undefined);
    try {
      await dataApi.declareMeaning(data, table, column, meaning);
      onChanged();
    } catch (e) {
      setError(toAppError(e).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="treat-as" data-testid="treat-as" data-column={column} style={{ display: "flex", flexDirection: "column", alignItems: "flex-start", gap: 4, marginTop: 4 }}>
      <select
        className="select small"
        aria-label={`Treat ${column} as`}
        value={declared?.meaning ?? ""}
        disabled={busy}
        onChange={(e) => choose((e.target.value || null) as ColumnMeaning | null)}
      >
        <option value="">As stored</option>
        {(Object.keys(MEANING_LABELS) as ColumnMeaning[]).map((m) => (
          <option key={m} value={m}>
            {MEANING_LABELS[m]}
          </option>
        ))}
      </select>
      {!declared && proposal && (
        <button type="button" className="btn small" data-testid="meaning-proposal" title={proposal.reason} disabled={busy} onClick={() => choose(proposal.meaning)}>
          Treat as {SUGGESTIONS[proposal.meaning]}?
        </button>
      )}
      {declared?.not_applied && <p className="muted small">Not in effect: {declared.not_applied}</p>}
      {error && (
        <p className="error-text small" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
