import type { FileImport } from "../../bindings/FileImport";
import type { Scope } from "../../bindings/Scope";
import type { SegmentRecord } from "../../bindings/SegmentRecord";
import type { SegmentType } from "../../bindings/SegmentType";
import type { SortField } from "../../bindings/SortField";
import type { Status } from "../../bindings/Status";
import { sourceName } from "./dataFit";
import { nextSort, num, pageLabel, shortDate, type Sort } from "./library";
import { useLibraryList, type Filters } from "./useLibraryList";

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
export function LibraryView({ onOpen, onClose, currentId, sourcePath }: { onOpen: (r: SegmentRecord) => void; onClose: () => void; currentId?: string; sourcePath?: string }) {
  const l = useLibraryList();
  const { filters, importPath } = l;
  const total = num(l.page?.page.totalElements);
  const pages = Math.max(1, num(l.page?.page.totalPages));
  const filtered = !!(filters.search || filters.status || filters.type || filters.scope);
  return (
    <div className="overlay" role="dialog" aria-label="Segment library" data-testid="library-view">
      <div className="sheet wide">
        <div className="sheet-head">
          <h2>Segment library</h2>
          <button type="button" className="btn" onClick={l.startImport} data-testid="lib-import">
            Import…
          </button>
          <label className="check small">
            <input type="checkbox" checked={l.overwrite} onChange={(e) => l.setOverwrite(e.target.checked)} /> overwrite changed segments
          </label>
          <button type="button" className="icon-button" aria-label="Close the library" onClick={onClose} data-testid="lib-close">
            ×
          </button>
        </div>
        {importPath !== null && (
          <form className="row path-row" onSubmit={(e) => (e.preventDefault(), l.runImport(importPath))}>
            <input className="input grow" placeholder="Path of a segment .json file or a folder of them" value={importPath} onChange={(e) => l.setImportPath(e.target.value)} data-testid="lib-import-path" autoFocus />
            <button className="btn primary" type="submit">Import</button>
            <button className="btn" type="button" onClick={() => l.setImportPath(null)}>Cancel</button>
          </form>
        )}
        {l.imported && <ImportReport imported={l.imported} />}
        <LibraryFilters filters={filters} onChange={l.setFilters} />
        {l.error && <div className="error-box" role="alert">{l.error.message}</div>}
        <div className="table-wrap">
          <table className="table" data-testid="lib-table">
            <thead>
              <tr>
                {COLUMNS.map(([field, label]) => (
                  <SortHeader key={field} field={field} label={label} sort={l.sort} onSort={() => l.setSort((s) => nextSort(s, field))} />
                ))}
                <th>Data</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {l.page?.items.map((r) => <LibraryRow key={r.id} record={r} current={r.id === currentId} sourcePath={sourcePath} onOpen={onOpen} />)}
              {l.page && l.page.items.length === 0 && (
                <tr>
                  <td colSpan={COLUMNS.length + 2} className="empty">
                    {filtered ? "No segment matches." : "No saved segments yet: build one and press Save."}
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
        <div className="row pager">
          <span data-testid="lib-total">{pageLabel(l.pageNo, l.size, total)}</span>
          <button type="button" className="btn small" disabled={l.pageNo === 0} onClick={() => l.setPageNo((p) => p - 1)} data-testid="lib-prev">
            ‹ Previous
          </button>
          <span className="hint">
            page {Math.min(l.pageNo + 1, pages)} of {pages}
          </span>
          <button type="button" className="btn small" disabled={l.pageNo + 1 >= pages} onClick={() => l.setPageNo((p) => p + 1)} data-testid="lib-next">
            Next ›
          </button>
          <select className="select" value={l.size} onChange={(e) => l.setSize(Number(e.target.value))} aria-label="Per page">
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

function ImportReport({ imported }: { imported: FileImport }) {
  return (
    <div className="notice" data-testid="lib-import-report">
      Imported: {imported.created.length} new, {imported.updated.length} updated, {imported.unchanged.length} unchanged
      {imported.conflicts.map((c) => (
        <div key={c.id} className="error-text">
          {c.id}: differs from the saved one ({c.differs.join(", ")}); tick “overwrite” to import it as a new revision.
        </div>
      ))}
    </div>
  );
}

function LibraryFilters({ filters, onChange }: { filters: Filters; onChange: (f: Filters) => void }) {
  return (
    <div className="row filters">
      <input className="input grow" type="search" placeholder="Search by name or id" value={filters.search} onChange={(e) => onChange({ ...filters, search: e.target.value })} data-testid="lib-search" autoFocus />
      <select className="select" value={filters.status} onChange={(e) => onChange({ ...filters, status: e.target.value as Status | "" })} data-testid="lib-status" aria-label="Status">
        <option value="">Any status</option>
        <option value="ACTIVE">Active</option>
        <option value="INACTIVE">Inactive</option>
      </select>
      <select className="select" value={filters.type} onChange={(e) => onChange({ ...filters, type: e.target.value as SegmentType | "" })} data-testid="lib-type" aria-label="Type">
        <option value="">Any type</option>
        <option value="DYNAMIC">Dynamic</option>
        <option value="STATIC">Static</option>
      </select>
      <select className="select" value={filters.scope} onChange={(e) => onChange({ ...filters, scope: e.target.value as Scope | "" })} data-testid="lib-scope" aria-label="Scope">
        <option value="">Any scope</option>
        <option value="USER">User</option>
        <option value="PROJECT">Project</option>
      </select>
    </div>
  );
}

function SortHeader({ field, label, sort, onSort }: { field: SortField; label: string; sort: Sort; onSort: () => void }) {
  return (
    <th aria-sort={sort[0] === field ? (sort[1] === "asc" ? "ascending" : "descending") : undefined}>
      <button type="button" className="th-sort" onClick={onSort} data-testid={`lib-sort-${field}`}>
        {label}
        <span className="sort-mark">{sort[0] === field ? (sort[1] === "asc" ? "▲" : "▼") : ""}</span>
      </button>
    </th>
  );
}

function LibraryRow({ record: r, current, sourcePath, onOpen }: { record: SegmentRecord; current: boolean; sourcePath?: string; onOpen: (r: SegmentRecord) => void }) {
  const other = !!r.dataSource && !!sourcePath && r.dataSource !== sourcePath;
  return (
    <tr className={current ? "current" : ""} data-testid={`lib-row-${r.id}`} onDoubleClick={() => onOpen(r)}>
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
      <td className={other ? "other-data" : ""} title={r.dataSource ? `Saved on ${r.dataSource}${other ? " — not the open data" : ""}` : "Data source not recorded"} data-testid={`lib-data-${r.id}`} data-other={other || undefined}>
        {r.dataSource ? sourceName(r.dataSource) : "—"}
        {other && <span className="pill warn small">other data</span>}
      </td>
      <td>
        <button type="button" className="btn small" onClick={() => onOpen(r)} data-testid={`lib-open-${r.id}`}>
          Open
        </button>
      </td>
    </tr>
  );
}
