// The segment in every format (a tab per format, copy, highlighted read-only code) and
// "Import definition" (paste or open a file, a format picker with auto-detection, located errors).
import { useMemo, useState } from "react";
import { createPortal } from "react-dom";
import type { Segment } from "../../bindings/Segment";
import { nodeLabel } from "../../shared/counts";
import { languageOf, tokenize, withoutPath } from "./formats";
import { ImportDefinitionDialog } from "./ImportDefinitionDialog";
import { useFormats } from "./useFormats";

export function CodeView({ text, language, testId }: { text: string; language: ReturnType<typeof languageOf>; testId?: string }) {
  const tokens = useMemo(() => tokenize(text, language), [text, language]);
  return (
    <pre className="sql code-view" data-testid={testId} tabIndex={0}>
      {tokens.map((t, i) => (t.kind === "text" ? t.text : <span key={i} className={`tok-${t.kind}`}>{t.text}</span>))}
    </pre>
  );
}

export function FormatsPane({ segment, now, onImport }: { segment: Segment; now: string | null; onImport: (s: Segment) => void }) {
  const { formats, failure, tab, setTab, current, copied, copy } = useFormats(segment, now);
  const [importing, setImporting] = useState(false);

  return (
    <section className="card formats-card" data-testid="formats-pane" aria-label="Formats">
      <div className="formats-head">
        <div className="card-title">Formats</div>
        <button type="button" className="btn small" data-testid="import-definition" onClick={() => setImporting(true)}>
          Import definition…
        </button>
      </div>
      <div className="format-tabs" role="tablist">
        {(formats ?? []).map((f) => (
          <button
            key={f.format}
            type="button"
            role="tab"
            aria-selected={f.format === tab}
            className={`format-tab${f.format === tab ? " on" : ""}${f.error ? " unavailable" : ""}`}
            data-testid={`format-tab-${f.format}`}
            title={f.error ? withoutPath(f.error.message, f.error.path) : `${f.label} (${f.format})`}
            onClick={() => setTab(f.format)}
          >
            {f.label}
          </button>
        ))}
      </div>
      {failure && <div className="problem" role="alert">{failure}</div>}
      {current && (
        <div className="format-body" data-testid="format-body" data-format={current.format}>
          <div className="format-bar">
            <span className="muted" title="The name the command line uses for this format">
              {current.label} · <span className="mono">{current.format}</span>
            </span>
            {current.text != null && (
              <button type="button" className="link small" data-testid="format-copy" onClick={copy}>
                {copied === "ok" ? "Copied" : copied === "failed" ? "Copy failed" : "Copy"}
              </button>
            )}
          </div>
          {current.text != null ? (
            <CodeView text={current.text} language={languageOf(current.format)} testId="format-code" />
          ) : (
            <div className="format-error" data-testid="format-error" role="note">
              {withoutPath(current.error?.message ?? "", current.error?.path)}
              {current.error?.path && <div className="muted small">In: {nodeLabel(segment, current.error.path)}</div>}
            </div>
          )}
        </div>
      )}
      {importing &&
        createPortal(
        <ImportDefinitionDialog
          entity={segment.entity ?? null}
          onClose={() => setImporting(false)}
          onImported={(s) => {
            setImporting(false);
            onImport(s);
          }}
        />,
          document.body,
        )}
    </section>
  );
}

