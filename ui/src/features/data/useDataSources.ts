import { useCallback, useEffect, useState } from "react";
import type { DataSources } from "../../bindings/DataSources";
import type { ImportReport } from "../../bindings/ImportReport";
import type { SourceInfo } from "../../bindings/SourceInfo";
import { appError, pickFiles, toAppError, type AppError } from "../../ipc";
import { baseName, importable, isSqlite, sourceFileName } from "../../shared/data";
import { dataApi } from "./api";

const OPENED_KEY = "segment-builder.opened-sqlite";

function openedFiles(): string[] {
  try {
    return JSON.parse(localStorage.getItem(OPENED_KEY) ?? "[]");
  } catch {
    return [];
  }
}

export function pickDataFiles(sqlite: boolean): Promise<string[]> {
  return sqlite
    ? pickFiles("Open a SQLite file (read-only)", [{ name: "SQLite", extensions: ["sqlite", "sqlite3", "db"] }], false)
    : pickFiles("Import CSV or NDJSON files", [{ name: "Data files", extensions: ["csv", "tsv", "txt", "ndjson", "jsonl", "json"] }], true);
}

/** The Data screen's state: the data sources (demo, imported, SQLite files opened before), the
 * queue of files to import and where they go, switching sources, and files dropped on the window. */
export function useDataSources(source: SourceInfo, onOpen: (path: string) => Promise<void>, dropped: string[], onDroppedTaken: () => void) {
  const [sources, setSources] = useState<DataSources>();
  const [opened, setOpened] = useState<string[]>(openedFiles);
  const [queue, setQueue] = useState<string[]>([]);
  const [target, setTarget] = useState<string>();
  const [newName, setNewName] = useState("my data");
  const [error, setError] = useState<AppError>();
  /** Bumped after each import, so the relationships editor looks for new proposals. */
  const [imports, setImports] = useState(0);

  const refresh = useCallback(() => dataApi.sources().then(setSources).catch((e) => setError(toAppError(e))), []);
  useEffect(() => void refresh(), [refresh, source.path]);

  const imported = sources?.imported ?? [];
  const currentIsImported = imported.includes(source.path);
  // Where imports go: the open data source if it is one of the app's imported ones, else a new one.
  const into = target ?? (currentIsImported ? source.path : sources ? `${sources.imports_dir}/${sourceFileName(newName)}` : undefined);

  async function open(path: string) {
    setError(undefined);
    try {
      await onOpen(path);
    } catch (e) {
      setError(toAppError(e));
    }
  }

  async function openSqlite(path: string) {
    await open(path);
    const next = [path, ...openedFiles().filter((p) => p !== path)].slice(0, 10);
    localStorage.setItem(OPENED_KEY, JSON.stringify(next));
    setOpened(next);
  }

  function enqueue(paths: string[]) {
    const sqlite = paths.filter(isSqlite);
    const files = importable(paths);
    if (sqlite.length) void openSqlite(sqlite[0]);
    if (files.length) setQueue((q) => [...q, ...files]);
    if (!sqlite.length && !files.length && paths.length) setError(appError("invalid_request", `Cannot import ${paths.map(baseName).join(", ")}: CSV, TSV, NDJSON or SQLite files only.`));
  }

  useEffect(() => {
    if (dropped.length) {
      enqueue(dropped);
      onDroppedTaken();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [dropped]);

  async function importDone(report: ImportReport) {
    await refresh();
    setImports((n) => n + 1);
    setTarget(report.data_source);
    await open(report.data_source);
  }

  const nextFile = () => setQueue((q) => q.slice(1));

  return { sources, opened, imported, currentIsImported, queue, into, target, setTarget, newName, setNewName, error, imports, open, enqueue, importDone, nextFile };
}

export type DataSourcesState = ReturnType<typeof useDataSources>;
