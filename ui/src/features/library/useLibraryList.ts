import { useCallback, useEffect, useState } from "react";
import type { FileImport } from "../../bindings/FileImport";
import type { Page } from "../../bindings/Page";
import type { Scope } from "../../bindings/Scope";
import type { SegmentRecord } from "../../bindings/SegmentRecord";
import type { SegmentType } from "../../bindings/SegmentType";
import type { Status } from "../../bindings/Status";
import { toAppError, type AppError } from "../../ipc";
import { libraryApi, pickSegmentFile } from "./api";
import { type Sort } from "./library";

export type Filters = { search: string; status: Status | ""; type: SegmentType | ""; scope: Scope | "" };

/** The library's list: search and filters (debounced), sorting, paging, and importing segment
 * files (native dialog, or a typed path when there is none). */
export function useLibraryList() {
  const [filters, setFilters] = useState<Filters>({ search: "", status: "", type: "", scope: "" });
  const [sort, setSort] = useState<Sort>(["dateModified", "desc"]);
  const [pageNo, setPageNo] = useState(0);
  const [size, setSize] = useState(20);
  const [page, setPage] = useState<Page<SegmentRecord>>();
  const [error, setError] = useState<AppError>();
  const [importPath, setImportPath] = useState<string | null>(null);
  const [overwrite, setOverwrite] = useState(false);
  const [imported, setImported] = useState<FileImport>();
  const [reload, setReload] = useState(0);
  const { search, status, type, scope } = filters;

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
          page: pageNo,
          size: size,
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

  return {
    filters, setFilters, sort, setSort, pageNo, setPageNo, size, setSize, page, error,
    importPath, setImportPath, overwrite, setOverwrite, imported, runImport, startImport,
  };
}
