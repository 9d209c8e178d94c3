// Import one or more files: preview (first rows, detected dialect, inferred types with an override
// per column), then the import with a progress bar and Cancel, then the report. Bad values stop
// the import (with their lines and columns) and offer to import them as NULL instead.
import type { ColumnType } from "../../bindings/ColumnType";
import type { ImportReport } from "../../bindings/ImportReport";
import type { Preview } from "../../bindings/Preview";
import { useImport, type Step } from "./useImport";
import type { Progress } from "../../bindings/Progress";
import { baseName, formatBytes, formatCount, formatDuration, percent } from "../../shared/data";

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

type Props = { file: string; into: string; onDone: (r: ImportReport) => void; onClose: () => void };

export function ImportFlow({ file, into, onDone, onClose }: Props) {
  const flow = useImport(file, into, onDone);
  const { step } = flow;
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
          <PreviewStep preview={step.preview} types={flow.types} onType={flow.setType} table={flow.table} onTable={flow.setTable} />
        )}
        {step.kind === "running" && <ProgressStep progress={step.progress} />}
        {step.kind === "failed" && (
          <div className="error-box" data-testid="import-error" role="alert">
            <p>{step.error.kind === "cancelled" ? "Import cancelled: nothing was written." : step.error.message}</p>
            {step.badValues && <p className="muted small">Nothing was written. Import the values that do not fit as empty (NULL), or choose the column's type (e.g. Text) and try again.</p>}
          </div>
        )}
        {step.kind === "done" && <ReportStep report={step.report} />}
        <div className="modal-actions">
          <StepActions step={step} onClose={onClose} run={flow.run} cancel={flow.cancel} back={flow.back} />
        </div>
      </div>
    </div>
  );
}

type PreviewProps = { preview: Preview; types: Record<string, ColumnType>; onType: (column: string, t: ColumnType) => void; table: string; onTable: (t: string) => void };

/** The detected dialect, the table name, the first rows with a type picker per column. */
function PreviewStep({ preview, types, onType, table, onTable }: PreviewProps) {
  return (
    <>
      <div className="row dialect" data-testid="import-dialect">
        <span className="tag">{preview.dialect.format.toUpperCase()}</span>
        {preview.dialect.format === "csv" && (
          <span className="muted small">
            delimiter {JSON.stringify(preview.dialect.delimiter)}, {preview.dialect.has_header ? "header row" : "no header row"}
          </span>
        )}
        <span className="muted small">{formatBytes(Number(preview.dialect.total_bytes))}</span>
        <label className="field" style={{ marginLeft: "auto" }}>
          <span>Table</span>
          <input className="input" data-testid="import-table" value={table} onChange={(e) => onTable(e.target.value)} />
        </label>
      </div>
      <div className="preview-table">
        <table>
          <thead>
            <tr>
              {preview.columns.map((c) => (
                <th key={c.name} title={c.header}>
                  <div>{c.name}</div>
                  <select
                    className="select small"
                    aria-label={`Type of ${c.name}`}
                    data-testid={`type-${c.name}`}
                    value={types[c.name] ?? c.type}
                    onChange={(e) => onType(c.name, e.target.value as ColumnType)}
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
            {preview.rows.map((r, i) => (
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
  );
}

function ProgressStep({ progress }: { progress?: Progress }) {
  return (
    <div data-testid="import-progress">
      <div className="bar big">
        <div className="bar-fill" style={{ width: `${progress && progress.total_bytes ? (100 * progress.bytes) / progress.total_bytes : 0}%` }} />
      </div>
      <p className="muted small">
        {progress
          ? `${PHASES[progress.phase]}: ${formatCount(progress.rows)} rows, ${formatBytes(progress.bytes)} of ${formatBytes(progress.total_bytes)}, ${formatCount(Math.round(progress.rows_per_second))} rows/s, ${formatDuration(progress.eta_ms)} left`
          : "Starting…"}
      </p>
    </div>
  );
}

function ReportStep({ report }: { report: ImportReport }) {
  return (
    <div data-testid="import-report">
      <p>
        <strong>{formatCount(report.rows)}</strong> rows imported into <strong>{report.table}</strong> ({report.columns.length} columns, {formatBytes(report.bytes)}, {report.timings.total.toFixed(1)} s).
      </p>
      {report.bad_values.total > 0 && (
        <div className="error-box" data-testid="bad-values">
          <p>{formatCount(report.bad_values.total)} values did not fit their column and were imported as NULL:</p>
          <ul>
            {report.bad_values.first.map((b, i) => (
              <li key={i}>
                line {b.line}, column {b.column} ({b.column_name}): “{b.value}” is not {b.expected}
              </li>
            ))}
          </ul>
        </div>
      )}
      {report.proposals.length > 0 && (
        <p className="muted small">
          Possible relationships:{" "}
          {report.proposals.map((p) => `${p.child}.${p.child_column} → ${p.parent}.${p.parent_column} (${percent(p.matched_share)} of keys found)`).join("; ")}. Confirm them under Relationships.
        </p>
      )}
    </div>
  );
}

type ActionsProps = { step: Step; onClose: () => void; run: (onError: "abort" | "null") => void; cancel: () => void; back: () => void };

function StepActions({ step, onClose, run, cancel, back }: ActionsProps) {
  switch (step.kind) {
    case "preview":
      return (
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn primary" data-testid="import-start" disabled={!step.preview} onClick={() => run("abort")}>
            Import
          </button>
        </>
      );
    case "running":
      return (
        <button type="button" className="btn" data-testid="import-cancel" onClick={cancel}>
          Cancel
        </button>
      );
    case "failed":
      return (
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
            <button type="button" className="btn" onClick={back}>
              Back
            </button>
          )}
        </>
      );
    case "done":
      return (
        <button type="button" className="btn primary" data-testid="import-close" onClick={onClose}>
          Done
        </button>
      );
  }
}
