// The "Data" screen: data sources side by side (demo, imported, opened SQLite files; one click
// switches), "Add data" (file dialog, drag and drop, or a typed path), the relationships editor
// and the schema browser of the open data source.
import { useCallback, useEffect, useState } from "react";
import type { DataSources } from "../../bindings/DataSources";
import type { EntityStats } from "../../bindings/EntityStats";
import type { ImportReport } from "../../bindings/ImportReport";
import { pickFiles, type AppError } from "../../ipc";
import type { SourceInfo } from "../../bindings/SourceInfo";
import { baseName, importable, isSqlite, sourceFileName } from "../../shared/data";
import { dataApi } from "./api";
import { ImportFlow } from "./ImportFlow";
import { LinksEditor } from "./LinksEditor";
import { SchemaBrowser } from "./SchemaBrowser";

const OPENED_KEY = "segment-builder.opened-sqlite";

function openedFiles(): string[] {
  try {
    return JSON.parse(localStorage.getItem(OPENED_KEY) ?? "[]");
  } catch {
    return [];
  }
}

function pickDataFiles(sqlite: boolean): Promise<string[]> {
  return sqlite
    ? pickFiles("Open a SQLite file (read-only)", [{ name: "SQLite", extensions: ["sqlite", "sqlite3", "db"] }], false)
    : pickFiles("Import CSV or NDJSON files", [{ name: "Data files", extensions: ["csv", "tsv", "txt", "ndjson", "jsonl", "json"] }], true);
}

type Props = {
  source: SourceInfo;
  stats?: EntityStats[];
  /** Opens (or reloads) a data source; the builder follows. */
  onOpen: (path: string) => Promise<void>;
  /** Files dropped on the window, handed over once. */
  dropped: string[];
  onDroppedTaken: () => void;
};

export function DataView({ source, stats, onOpen, dropped, onDroppedTaken }: Props) {
  const [sources, setSources] = useState<DataSources>();
  const [opened, setOpened] = useState<string[]>(openedFiles);
  const [queue, setQueue] = useState<string[]>([]);
  const [target, setTarget] = useState<string>();
  const [newName, setNewName] = useState("my data");
  const [typedPath, setTypedPath] = useState("");
  const [error, setError] = useState<AppError>();
  /** Bumped after each import, so the relationships editor looks for new proposals. */
  const [imports, setImports] = useState(0);

  const refresh = useCallback(() => dataApi.sources().then(setSources).catch(setError), []);
  useEffect(() => void refresh(), [refresh, source.path]);

  const imported = sources?.imported ?? [];
  const currentIsImported = imported.includes(source.path);
  // Where imports go: the open data source if it is one of the app's imported ones, else a new one.
  const into = target ?? (currentIsImported ? source.path : sources ? `${sources.imports_dir}/${sourceFileName(newName)}` : undefined);

  function enqueue(paths: string[]) {
    const sqlite = paths.filter(isSqlite);
    const files = importable(paths);
    if (sqlite.length) void openSqlite(sqlite[0]);
    if (files.length) setQueue((q) => [...q, ...files]);
    if (!sqlite.length && !files.length && paths.length) setError({ kind: "invalid_request", message: `Cannot import ${paths.map(baseName).join(", ")}: CSV, TSV, NDJSON or SQLite files only.`, path: null });
  }

  useEffect(() => {
    if (dropped.length) {
      enqueue(dropped);
      onDroppedTaken();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [dropped]);

  async function open(path: string) {
    setError(undefined);
    try {
      await onOpen(path);
    } catch (e) {
      setError(e as AppError);
    }
  }

  async function openSqlite(path: string) {
    await open(path);
    const next = [path, ...openedFiles().filter((p) => p !== path)].slice(0, 10);
    localStorage.setItem(OPENED_KEY, JSON.stringify(next));
    setOpened(next);
  }

  async function imported_(report: ImportReport) {
    await refresh();
    setImports((n) => n + 1);
    setTarget(report.data_source);
    await open(report.data_source);
  }

  const item = (path: string, label: string, note: string) => (
    <li key={path}>
      <button
        type="button"
        className={"source-item" + (path === source.path ? " on" : "")}
        data-testid="source-item"
        data-path={path}
        title={path}
        onClick={() => path !== source.path && open(path)}
      >
        <span className="source-name">{label}</span>
        <span className="muted small">{note}</span>
      </button>
    </li>
  );

  return (
    <div className="data-view" data-testid="data-view">
      <aside className="sources">
        <div className="card-title">Data sources</div>
        <ul className="source-list">
          {sources && item(sources.demo, "Demo data", "built in")}
          {imported.map((p) => item(p, baseName(p).replace(/\.sqlite$/, ""), "imported"))}
          {opened.filter((p) => p !== sources?.demo && !imported.includes(p)).map((p) => item(p, baseName(p), "SQLite, read-only"))}
        </ul>
        <div className="card-title" style={{ marginTop: 18 }}>
          Add data
        </div>
        <div className="add-data">
          <button type="button" className="btn primary" data-testid="add-data" onClick={async () => enqueue(await pickDataFiles(false))}>
            Import CSV / NDJSON…
          </button>
          <button type="button" className="btn" data-testid="open-sqlite" onClick={async () => enqueue(await pickDataFiles(true))}>
            Open SQLite file…
          </button>
          <p className="muted small">or drop files on the window, or type a path:</p>
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              if (typedPath.trim()) enqueue([typedPath.trim()]);
              setTypedPath("");
            }}
          >
            <input className="input grow" data-testid="import-path" placeholder="/path/to/file.csv" value={typedPath} onChange={(e) => setTypedPath(e.target.value)} />
            <button type="submit" className="btn" data-testid="import-path-go">
              Add
            </button>
          </form>
          <label className="field col">
            <span>Import into</span>
            <select className="select" data-testid="import-into" value={target ?? (currentIsImported ? source.path : "")} onChange={(e) => setTarget(e.target.value || undefined)}>
              <option value="">a new data source…</option>
              {imported.map((p) => (
                <option key={p} value={p}>
                  {baseName(p).replace(/\.sqlite$/, "")}
                </option>
              ))}
            </select>
          </label>
          {!target && !currentIsImported && (
            <label className="field col">
              <span>New data source name</span>
              <input className="input" data-testid="new-source-name" value={newName} onChange={(e) => setNewName(e.target.value)} />
            </label>
          )}
        </div>
        {error && (
          <p className="error-text" role="alert" data-testid="data-error">
            {error.message}
          </p>
        )}
      </aside>
      <section className="data-main">
        <h1>
          {source.demo ? "Demo data" : baseName(source.path)} <span className="muted small">{source.path}</span>
        </h1>
        <LinksEditor key={`${source.path}#${imports}`} source={source} onChanged={() => open(source.path)} />
        <SchemaBrowser source={source} stats={stats} onLabel={() => open(source.path)} />
      </section>
      {queue.length > 0 && into && (
        <ImportFlow
          key={queue[0]}
          file={queue[0]}
          into={into}
          onDone={imported_}
          onClose={() => setQueue((q) => q.slice(1))}
        />
      )}
    </div>
  );
}
