// "Import definition": paste or open a file, a format picker with auto-detection, and the error
// located in the text (the line, the token at the column underlined, a hint).
import { useState } from "react";
import type { DefinitionError } from "../../bindings/DefinitionError";
import type { Segment } from "../../bindings/Segment";
import { toAppError, type AppError } from "../../ipc";
import { formatsApi } from "./api";
import { describeWhere, errorSpan, guessFamily, IMPORT_FORMATS, withoutPath } from "./formats";

type Props = { entity: string | null; onClose: () => void; onImported: (s: Segment) => void };

export function ImportDefinitionDialog({ entity, onClose, onImported }: Props) {
  const [text, setText] = useState("");
  const [format, setFormat] = useState("");
  const [error, setError] = useState<DefinitionError>();
  const [busy, setBusy] = useState(false);
  const [checked, setChecked] = useState("");
  const [asWritten, setAsWritten] = useState(false);
  const [graph, setGraph] = useState(false);
  const family = guessFamily(text);
  const span = error?.line != null && error.column != null ? errorSpan(checked, error.line, error.column) : null;

  const openFile = (file: File | undefined) => {
    if (!file) return;
    file.text().then((t) => {
      setText(t);
      setError(undefined);
    });
  };
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    setChecked(text);
    try {
      const result = await formatsApi.importDefinition(text, format || null, asWritten ? null : entity, asWritten, graph);
      onImported(result.segment);
    } catch (e) {
      setError(asDefinitionError(toAppError(e)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal import-def" role="dialog" aria-label="Import definition" data-testid="import-dialog" onClick={(e) => e.stopPropagation()}>
        <div className="modal-head">
          <h2>Import definition</h2>
          <span className="muted">Segment JSON, Census, Adobe PQL (text or JSON), OData filter or Optimizely ODP</span>
        </div>
        <div className="import-def-row">
          <label className="field">
            <span>Format</span>
            <select className="select" data-testid="import-format" value={format} onChange={(e) => setFormat(e.target.value)}>
              {IMPORT_FORMATS.map((f) => (
                <option key={f.value} value={f.value}>{f.label}</option>
              ))}
            </select>
          </label>
          {!format && family !== "empty" && (
            <span className="muted small" data-testid="import-family">
              {family === "json" ? "JSON: tries canonical, Census, PQL JSON, ODP" : "text: tries PQL text, then OData"}
            </span>
          )}
          <label className="btn small file-btn">
            Open file…
            <input type="file" accept=".json,.txt,.pql,.odata,text/*,application/json" data-testid="import-file" onChange={(e) => openFile(e.target.files?.[0])} hidden />
          </label>
        </div>
        <label className="check small" title="For a definition from another system: its attributes are not checked against the open data">
          <input type="checkbox" data-testid="import-without-data" checked={asWritten} onChange={(e) => setAsWritten(e.target.checked)} />
          <span>Take the attributes as written (don't check them against the data)</span>
        </label>
        {(format === "odata" || (!format && family === "text")) && (
          <label className="check small" title="Microsoft Graph compares text ignoring case (eq, ne, in, startswith…); standard OData does not">
            <input type="checkbox" data-testid="import-odata-ignore-case" checked={graph} onChange={(e) => setGraph(e.target.checked)} />
            <span>OData from Microsoft Graph: compare text ignoring case</span>
          </label>
        )}
        <textarea
          className="import-text"
          data-testid="import-text"
          spellCheck={false}
          placeholder={"Paste a definition, e.g.  country eq 'US' and age ge 21"}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) submit();
          }}
          rows={10}
        />
        {error && (
          <div className="import-error" role="alert" data-testid="import-error">
            <div>
              {error.format && <strong>{error.format}: </strong>}
              <span data-testid="import-error-message">{withoutPath(error.message, error.path)}</span>
              {describeWhere(error) && (
                <span className="where" data-testid="import-error-where"> ({describeWhere(error)})</span>
              )}
            </div>
            {span && (
              <pre className="error-line" data-testid="import-error-line">
                <span className="muted">{String(error.line).padStart(3)} │ </span>
                {Array.from(span.lineText).slice(0, span.start).join("")}
                <span className="squiggle" data-testid="import-error-mark">
                  {Array.from(span.lineText).slice(span.start, span.start + span.length).join("") || " "}
                </span>
                {Array.from(span.lineText).slice(span.start + span.length).join("")}
              </pre>
            )}
            {error.hint && <div className="muted" data-testid="import-error-hint">{error.hint}</div>}
          </div>
        )}
        <div className="modal-actions">
          <button type="button" className="btn" onClick={onClose} data-testid="import-cancel">Cancel</button>
          <button type="button" className="btn primary" disabled={busy || family === "empty"} onClick={submit} data-testid="import-submit">
            {busy ? "Reading…" : "Import"}
          </button>
        </div>
      </div>
    </div>
  );
}

/** Where a definition does not import; any other failure of the command as a message alone. */
function asDefinitionError(e: AppError): DefinitionError {
  return e.definition ?? { message: e.message, format: null, line: null, column: null, path: e.path, hint: null };
}
