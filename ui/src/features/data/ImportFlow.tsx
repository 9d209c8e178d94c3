// Import one or more files: preview (first rows, detected dialect, inferred types with an override
// per column), then the import with a progress bar and Cancel, then the report. Bad values stop
// the import (with their lines and columns) and offer to import them as NULL instead.
import { useEffect, useRef, useState } from "react";
import type { ColumnType } from "../../bindings/ColumnType";
import type { ImportReport } from "../../bindings/ImportReport";
import type { ImportRequest } from "../../bindings/ImportRequest";
import type { AppError } from "../../ipc";
import type { Preview } from "../../bindings/Preview";
import type { Progress } from "../../bindings/Progress";
import { baseName, formatBytes, formatCount, formatDuration, percent } from "../../shared/data";
import { dataApi } from "./api";

const TYPES: [ColumnType, string][] = [
  ["integer", "Whole number"],
  ["real", "Number"],
  ["boolean", "Yes / no"],
  ["date", "Date"],
  ["datetime", "Date and time"],
  ["json_array", "List (JSON array)"],
  ["text", "Text"],
];

const PHASES: Record<Progress["phase"], string> = {
  scanning: "Reading the file (pass 1 of 2)",
  loading: "Writing the rows (pass 2 of 2)",
  indexing: "Building indexes",
  analyzing: "Analyzing",
};

type Step =
  | { kind: "preview"; preview?: Preview; error?: AppError }
  | { kind: "running"; progress?: Progress }
  | { kind: "failed"; error: AppError; badValues: boolean }
  | { kind: "done"; report: ImportReport };

let nextImportId = Date.now();

export function ImportFlow({ file, into, onDone, onClose }: { file: string; into: string; onDone: (r: ImportReport) => void; onClose: () => void }) {
  const [types, setTypes] = useState<Record<string, ColumnType>>({});
  const [table, setTable] = useState("");
  const [step, setStep] = useState<Step>({ kind: "preview" });
  const importId = useRef(0);

  const request = (onError: "abort" | "null" = "abort"): ImportRequest => ({
    file,
    into,
    table: table || undefined,
    csv: {},
    types,
    on_error: onError,
    replace: false,
  } as ImportRequest);

  useEffect(() => {
    let live = true;
    dataApi
      .importPreview({ ...request(), types })
      .then((preview) => {
        if (!live) return;
        setStep({ kind: "preview", preview });
        setTable((t) => t || preview.table);
      })
      .catch((error) => live && setStep({ kind: "preview", error }));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [file, JSON.stringify(types)]);

  async function run(onError: "abort" | "null") {
    const id = ++nextImportId;
    importId.current = id;
    setStep({ kind: "running" });
    const unlisten = await dataApi.onProgress((e) => {
      if (e.import_id === id) setStep({ kind: "running", progress: e.progress });
    });
    try {
      const report = await dataApi.importFile(request(onError), id);
      setStep({ kind: "done", report });
      onDone(report);
    } catch (e) {
      const error = e as AppError;
      setStep({ kind: "failed", error, badValues: /do not fit the column type/.test(error.message) });
    } finally {
      unlisten();
    }
  }

  return (
    <div className="modal-backdrop" role="dialog" aria-modal="true" aria-label="Import a file" data-testid="import-dialog">
      <div className="modal">
        <div className="modal-head">
          <h2>Import {baseName(file)}</h2>
          <span className="muted small">into {baseName(into)}</span>
        </div>
        {step.kind === "preview" && step.error && <p className="error-text" data-testid="import-error">{step.error.message}</p>}
        {step.kind === "preview" && !step.preview && !step.error && <p className="muted">Reading the first rows…</p>}
        {step.kind === "preview" && step.preview && (
          <>
            <div className="row dialect" data-testid="import-dialect">
              <span className="tag">{step.preview.dialect.format.toUpperCase()}</span>
              {step.preview.dialect.format === "csv" && (
                <span className="muted small">
                  delimiter {JSON.stringify(step.preview.dialect.delimiter)}, {step.preview.dialect.has_header ? "header row" : "no header row"}
                </span>
              )}
              <span className="muted small">{formatBytes(Number(step.preview.dialect.total_bytes))}</span>
              <label className="field" style={{ marginLeft: "auto" }}>
                <span>Table</span>
                <input className="input" data-testid="import-table" value={table} onChange={(e) => setTable(e.target.value)} />
              </label>
            </div>
            <div className="preview-table">
              <table>
                <thead>
                  <tr>
                    {step.preview.columns.map((c) => (
                      <th key={c.name} title={c.header}>
                        <div>{c.name}</div>
                        <select
                          className="select small"
                          aria-label={`Type of ${c.name}`}
                          data-testid={`type-${c.name}`}
                          value={types[c.name] ?? c.type}
                          onChange={(e) => setTypes({ ...types, [c.name]: e.target.value as ColumnType })}
                        >
                          {TYPES.map(([t, label]) => (
                            <option key={t} value={t}>
                              {label}
                            </option>
                          ))}
                        </select>
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {step.preview.rows.map((r, i) => (
                    <tr key={i}>
                      {r.map((v, j) => (
                        <td key={j} className={v === null ? "null" : ""}>
                          {v ?? "NULL"}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <p className="muted small">Types are inferred from the whole file when importing; a type chosen here is used as is.</p>
          </>
        )}
        {step.kind === "running" && (
          <div data-testid="import-progress">
            <div className="bar big">
              <div className="bar-fill" style={{ width: `${step.progress && step.progress.total_bytes ? (100 * step.progress.bytes) / step.progress.total_bytes : 0}%` }} />
            </div>
            <p className="muted small">
              {step.progress
                ? `${PHASES[step.progress.phase]}: ${formatCount(step.progress.rows)} rows, ${formatBytes(step.progress.bytes)} of ${formatBytes(step.progress.total_bytes)}, ${formatCount(Math.round(step.progress.rows_per_second))} rows/s, ${formatDuration(step.progress.eta_ms)} left`
                : "Starting…"}
            </p>
          </div>
        )}
        {step.kind === "failed" && (
          <div className="error-box" data-testid="import-error" role="alert">
            <p>{step.error.kind === "cancelled" ? "Import cancelled: nothing was written." : step.error.message.replace(/ \(import them as NULL with on-error null[^)]*\)/, "")}</p>
            {step.badValues && <p className="muted small">Nothing was written. Import the values that do not fit as empty (NULL), or choose the column's type (e.g. Text) and try again.</p>}
          </div>
        )}
        {step.kind === "done" && (
          <div data-testid="import-report">
            <p>
              <strong>{formatCount(step.report.rows)}</strong> rows imported into <strong>{step.report.table}</strong> ({step.report.columns.length} columns, {formatBytes(step.report.bytes)}, {step.report.timings.total.toFixed(1)} s).
            </p>
            {step.report.bad_values.total > 0 && (
              <div className="error-box" data-testid="bad-values">
                <p>{formatCount(step.report.bad_values.total)} values did not fit their column and were imported as NULL:</p>
                <ul>
                  {step.report.bad_values.first.map((b, i) => (
                    <li key={i}>
                      line {b.line}, column {b.column} ({b.column_name}): “{b.value}” is not {b.expected}
                    </li>
                  ))}
                </ul>
              </div>
            )}
            {step.report.proposals.length > 0 && (
              <p className="muted small">
                Possible relationships:{" "}
                {step.report.proposals.map((p) => `${p.child}.${p.child_column} → ${p.parent}.${p.parent_column} (${percent(p.matched_share)} of keys found)`).join("; ")}. Confirm them under Relationships.
              </p>
            )}
          </div>
        )}
        <div className="modal-actions">
          {step.kind === "preview" && (
            <>
              <button type="button" className="btn" onClick={onClose}>
                Cancel
              </button>
              <button type="button" className="btn primary" data-testid="import-start" disabled={!step.preview} onClick={() => run("abort")}>
                Import
              </button>
            </>
          )}
          {step.kind === "running" && (
            <button type="button" className="btn" data-testid="import-cancel" onClick={() => dataApi.cancelImport(importId.current)}>
              Cancel
            </button>
          )}
          {step.kind === "failed" && (
            <>
              <button type="button" className="btn" data-testid="import-abort" onClick={onClose}>
                {step.badValues ? "Abort" : "Close"}
              </button>
              {step.badValues && (
                <button type="button" className="btn primary" data-testid="import-as-null" onClick={() => run("null")}>
                  Import bad values as NULL
                </button>
              )}
              {!step.badValues && (
                <button type="button" className="btn" onClick={() => setStep({ kind: "preview" })}>
                  Back
                </button>
              )}
            </>
          )}
          {step.kind === "done" && (
            <button type="button" className="btn primary" data-testid="import-close" onClick={onClose}>
              Done
            </button>
          )}
        </div>
      </div>
    </div>
  );
}
