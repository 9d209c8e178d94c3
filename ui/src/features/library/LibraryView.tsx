import { useCallback, useEffect, useState } from "react";
import type { FileImport } from "../../bindings/FileImport";
import { toAppError, type AppError } from "../../ipc";
import type { Page } from "../../bindings/Page";
import type { Scope } from "../../bindings/Scope";
import type { SegmentRecord } from "../../bindings/SegmentRecord";
import type { SegmentType } from "../../bindings/SegmentType";
import type { SortField } from "../../bindings/SortField";
import type { Status } from "../../bindings/Status";
import { big, nextSort, num, pageLabel, shortDate, type Sort } from "./library";
import { libraryApi, pickSegmentFile } from "./api";

const COLUMNS: [SortField, string][] = [
  ["name", "Name"],
  ["id", "Id"],
  ["segmentType", "Type"],
  ["status", "Status"],
  ["scope", "Scope"],
  ["author", "Author"],
  ["revision", "Rev."],
  ["recordCount", "Count"],
  ["dateModified", "Modified"],
];

/** The saved segments: search, filters, sorting by any column, paging; open one into the builder. */
export function LibraryView({ onOpen, onClose, currentId }: { onOpen: (r: SegmentRecord) => void; onClose: () => void; currentId?: string }) {
  const [search, setSearch] = useState("");
  const [status, setStatus] = useState<Status | "">("");
  const [type, setType] = useState<SegmentType | "">("");
  const [scope, setScope] = useState<Scope | "">("");
  const [sort, setSort] = useState<Sort>(["dateModified", "desc"]);
  const [pageNo, setPageNo] = useState(0);
  const [size, setSize] = useState(20);
  const [page, setPage] = useState<Page<SegmentRecord>>();
  const [error, setError] = useState<AppError>();
  const [importPath, setImportPath] = useState<string | null>(null);
  const [overwrite, setOverwrite] = useState(false);
  const [imported, setImported] = useState<FileImport>();
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      libraryApi
        .list({
          search: search.trim() || undefined,
          status: status || undefined,
          segmentType: type || undefined,
          scope: scope || undefined,
          sort: [sort],
          page: big(pageNo),
          size: big(size),
        })
        .then((p) => live && (setPage(p), setError(undefined)))
        .catch((e) => live && setError(toAppError(e)));
    }, 150);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [search, status, type, scope, sort, pageNo, size, reload]);

  // A new search or filter starts at the first page.
  useEffect(() => setPageNo(0), [search, status, type, scope, size]);

  const runImport = useCallback(
    async (path: string) => {
      try {
        setImported(await libraryApi.importFile(path, overwrite));
        setImportPath(null);
        setError(undefined);
        setReload((n) => n + 1);
      } catch (e) {
        setError(toAppError(e));
      }
    },
    [overwrite],
  );

  const startImport = async () => {
    const picked = await pickSegmentFile("open");
    if (picked === undefined) setImportPath("");
    else if (picked) await runImport(picked);
  };

  const total = num(page?.page.totalElements);
  const pages = Math.max(1, num(page?.page.totalPages));
  return (
    <div className="overlay" role="dialog" aria-label="Segment library" data-testid="library-view">
      <div className="sheet wide">
        <div className="sheet-head">
          <h2>Segment library</h2>
          <button type="button" className="btn" onClick={startImport} data-testid="lib-import">
            Import…
          </button>
          <label className="check small">
            <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} /> overwrite changed segments
          </label>
          <button type="button" className="icon-button" aria-label="Close the library" onClick={onClose} data-testid="lib-close">
            ×
          </button>
        </div>
        {importPath !== null && (
          <form className="row path-row" onSubmit={(e) => (e.preventDefault(), runImport(importPath))}>
            <input className="input grow" placeholder="Path of a segment .json file or a folder of them" value={importPath} onChange={(e) => setImportPath(e.target.value)} data-testid="lib-import-path" autoFocus />
            <button className="btn primary" type="submit">Import</button>
            <button className="btn" type="button" onClick={() => setImportPath(null)}>Cancel</button>
          </form>
        )}
        {imported && (
          <div className="notice" data-testid="lib-import-report">
            Imported: {imported.created.length} new, {imported.updated.length} updated, {imported.unchanged.length} unchanged
            {imported.conflicts.map((c) => (
              <div key={c.id} className="error-text">
                {c.id}: differs from the saved one ({c.differs.join(", ")}); tick “overwrite” to import it as a new revision.
              </div>
            ))}
          </div>
        )}
        <div className="row filters">
          <input className="input grow" type="search" placeholder="Search by name or id" value={search} onChange={(e) => setSearch(e.target.value)} data-testid="lib-search" autoFocus />
          <select className="select" value={status} onChange={(e) => setStatus(e.target.value as Status | "")} data-testid="lib-status" aria-label="Status">
            <option value="">Any status</option>
            <option value="ACTIVE">Active</option>
            <option value="INACTIVE">Inactive</option>
          </select>
          <select className="select" value={type} onChange={(e) => setType(e.target.value as SegmentType | "")} data-testid="lib-type" aria-label="Type">
            <option value="">Any type</option>
            <option value="DYNAMIC">Dynamic</option>
            <option value="STATIC">Static</option>
          </select>
          <select className="select" value={scope} onChange={(e) => setScope(e.target.value as Scope | "")} data-testid="lib-scope" aria-label="Scope">
            <option value="">Any scope</option>
            <option value="USER">User</option>
            <option value="PROJECT">Project</option>
          </select>
        </div>
        {error && <div className="error-box" role="alert">{error.message}</div>}
        <div className="table-wrap">
          <table className="table" data-testid="lib-table">
            <thead>
              <tr>
                {COLUMNS.map(([field, label]) => (
                  <th key={field} aria-sort={sort[0] === field ? (sort[1] === "asc" ? "ascending" : "descending") : undefined}>
                    <button type="button" className="th-sort" onClick={() => setSort((s) => nextSort(s, field))} data-testid={`lib-sort-${field}`}>
                      {label}
                      <span className="sort-mark">{sort[0] === field ? (sort[1] === "asc" ? "▲" : "▼") : ""}</span>
                    </button>
                  </th>
                ))}
                <th />
              </tr>
            </thead>
            <tbody>
              {page?.items.map((r) => (
                <tr key={r.id} className={r.id === currentId ? "current" : ""} data-testid={`lib-row-${r.id}`} onDoubleClick={() => onOpen(r)}>
                  <td className="strong">{r.name}</td>
                  <td className="mono">{r.id}</td>
                  <td>{r.segmentType === "STATIC" ? "Static" : "Dynamic"}</td>
                  <td>
                    <span className={`pill ${r.status === "ACTIVE" ? "ok" : ""}`}>{r.status === "ACTIVE" ? "Active" : "Inactive"}</span>
                  </td>
                  <td>{r.scope === "USER" ? "User" : "Project"}</td>
                  <td>{r.author?.name ?? r.author?.identifier ?? "—"}</td>
                  <td className="num">{num(r.revision)}</td>
                  <td className="num" title={r.recordCount ? `computed ${shortDate(r.recordCount.computedAt)}` : "not counted yet"}>
                    {r.segmentType === "STATIC" ? num(r.individualCount).toLocaleString("en-US") : r.recordCount ? num(r.recordCount.count).toLocaleString("en-US") : "—"}
                  </td>
                  <td>{shortDate(r.dateModified)}</td>
                  <td>
                    <button type="button" className="btn small" onClick={() => onOpen(r)} data-testid={`lib-open-${r.id}`}>
                      Open
                    </button>
                  </td>
                </tr>
              ))}
              {page && page.items.length === 0 && (
                <tr>
                  <td colSpan={COLUMNS.length + 1} className="empty">
                    {search || status || type || scope ? "No segment matches." : "No saved segments yet: build one and press Save."}
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
        <div className="row pager">
          <span data-testid="lib-total">{pageLabel(pageNo, size, total)}</span>
          <button type="button" className="btn small" disabled={pageNo === 0} onClick={() => setPageNo((p) => p - 1)} data-testid="lib-prev">
            ‹ Previous
          </button>
          <span className="hint">
            page {Math.min(pageNo + 1, pages)} of {pages}
          </span>
          <button type="button" className="btn small" disabled={pageNo + 1 >= pages} onClick={() => setPageNo((p) => p + 1)} data-testid="lib-next">
            Next ›
          </button>
          <select className="select" value={size} onChange={(e) => setSize(Number(e.target.value))} aria-label="Per page">
            {[10, 20, 50, 100].map((n) => (
              <option key={n} value={n}>
                {n} per page
              </option>
            ))}
          </select>
        </div>
      </div>
    </div>
  );
}
