// The "Data" screen: data sources side by side (demo, imported, opened SQLite files; one click
// switches; the fast-start copies kept of them, with Remove), "Add data" (file dialog, drag and
// drop, or a typed path), the relationships editor and the schema browser of the open data source.
import { useState } from "react";
import type { EntityStats } from "../../bindings/EntityStats";
import type { SourceInfo } from "../../bindings/SourceInfo";
import { baseName } from "../../shared/data";
import type { ConnectionRequest } from "../../bindings/ConnectionRequest";
import { ConnectionPanel } from "./ConnectionPanel";
import { FastStartCopies } from "./FastStartCopies";
import { isWarehouse } from "./connectionsApi";
import { ImportFlow } from "./ImportFlow";
import { LinksEditor } from "./LinksEditor";
import { SchemaBrowser } from "./SchemaBrowser";
import { pickDataFiles, useDataSources, type DataSourcesState } from "./useDataSources";

type Props = {
  source: SourceInfo;
  stats?: EntityStats[];
  /** Opens (or reloads) a data source; the builder follows. */
  onOpen: (path: string) => Promise<void>;
  /** Connects to a warehouse; absent where the page cannot. */
  onConnect?: (request: ConnectionRequest) => Promise<void>;
  /** Files dropped on the window, handed over once. */
  dropped: string[];
  onDroppedTaken: () => void;
};

export function DataView({ source, stats, onOpen, onConnect, dropped, onDroppedTaken }: Props) {
  const d = useDataSources(source, onOpen, dropped, onDroppedTaken);
  return (
    <div className="data-view" data-testid="data-view">
      <aside className="sources">
        <SourceList d={d} current={source.path} />
        <FastStartCopies refreshKey={source.path} />
        <div className="card-title" style={{ marginTop: 18 }}>
          Add data
        </div>
        <AddData d={d} current={source.path} />
        {onConnect && (
          <>
            <div className="card-title" style={{ marginTop: 18 }}>
              Warehouses
            </div>
            <ConnectionPanel current={source.path} onConnect={onConnect} />
          </>
        )}
        {d.error && (
          <p className="error-text" role="alert" data-testid="data-error">
            {d.error.message}
          </p>
        )}
      </aside>
      <section className="data-main">
        <h1>
          {source.demo ? "Demo data" : baseName(source.path)} <span className="muted small">{source.path}</span>
        </h1>
        {isWarehouse(source.path) && (
          <p className="muted small" data-testid="warehouse-note">
            Counted where the data is: every count runs as SQL on the server. Declared foreign keys are relationships already; relate other tables below (kept in this app, never written to the warehouse).
          </p>
        )}
        <LinksEditor key={`${source.path}#${d.imports}`} source={source} onChanged={() => d.open(source.path)} />
        <SchemaBrowser source={source} stats={stats} onLabel={() => d.open(source.path)} />
      </section>
      {d.queue.length > 0 && d.into && <ImportFlow key={d.queue[0]} file={d.queue[0]} into={d.into} onDone={d.importDone} onClose={d.nextFile} />}
    </div>
  );
}

/** The demo data, the imported data sources and the SQLite files opened before: one click opens. */
function SourceList({ d, current }: { d: DataSourcesState; current: string }) {
  const item = (path: string, label: string, note: string) => (
    <li key={path}>
      <button
        type="button"
        className={"source-item" + (path === current ? " on" : "")}
        data-testid="source-item"
        data-path={path}
        title={path}
        onClick={() => path !== current && d.open(path)}
      >
        <span className="source-name">{label}</span>
        <span className="muted small">{note}</span>
      </button>
    </li>
  );
  return (
    <>
      <div className="card-title">Data sources</div>
      <ul className="source-list">
        {d.sources && item(d.sources.demo, "Demo data", "built in")}
        {d.imported.map((p) => item(p, baseName(p).replace(/\.sqlite$/, ""), "imported"))}
        {d.opened.filter((p) => p !== d.sources?.demo && !d.imported.includes(p)).map((p) => item(p, baseName(p), "SQLite, read-only"))}
      </ul>
    </>
  );
}

/** Import files (dialog or typed path) into a new or an imported data source, or open a SQLite file. */
function AddData({ d, current }: { d: DataSourcesState; current: string }) {
  const [typedPath, setTypedPath] = useState("");
  return (
    <div className="add-data">
      <button type="button" className="btn primary" data-testid="add-data" onClick={async () => d.enqueue(await pickDataFiles(false))}>
        Import CSV / NDJSON…
      </button>
      <button type="button" className="btn" data-testid="open-sqlite" onClick={async () => d.enqueue(await pickDataFiles(true))}>
        Open SQLite file…
      </button>
      <p className="muted small">or drop files on the window, or type a path:</p>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (typedPath.trim()) d.enqueue([typedPath.trim()]);
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
        <select className="select" data-testid="import-into" value={d.target ?? (d.currentIsImported ? current : "")} onChange={(e) => d.setTarget(e.target.value || undefined)}>
          <option value="">a new data source…</option>
          {d.imported.map((p) => (
            <option key={p} value={p}>
              {baseName(p).replace(/\.sqlite$/, "")}
            </option>
          ))}
        </select>
      </label>
      {!d.target && !d.currentIsImported && (
        <label className="field col">
          <span>New data source name</span>
          <input className="input" data-testid="new-source-name" value={d.newName} onChange={(e) => d.setNewName(e.target.value)} />
        </label>
      )}
    </div>
  );
}
