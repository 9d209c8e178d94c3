import { useEffect, useRef, useState } from "react";
import type { ColumnType } from "../../bindings/ColumnType";
import type { ImportReport } from "../../bindings/ImportReport";
import type { ImportRequest } from "../../bindings/ImportRequest";
import type { Preview } from "../../bindings/Preview";
import type { Progress } from "../../bindings/Progress";
import { toAppError, type AppError } from "../../ipc";
import { dataApi } from "./api";

export type Step =
  | { kind: "preview"; preview?: Preview; error?: AppError }
  | { kind: "running"; progress?: Progress }
  | { kind: "failed"; error: AppError; badValues: boolean }
  | { kind: "done"; report: ImportReport };

let nextImportId = Date.now();

/** Importing `file` into `into`: the preview (again after each type override), the import with
 * its progress events, cancel, and the outcome (bad values offer "import them as NULL"). */
export function useImport(file: string, into: string, onDone: (r: ImportReport) => void) {
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
      .catch((e) => live && setStep({ kind: "preview", error: toAppError(e) }));
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
      const error = toAppError(e);
      setStep({ kind: "failed", error, badValues: error.kind === "bad_values" });
    } finally {
      unlisten();
    }
  }

  const cancel = () => dataApi.cancelImport(importId.current);
  const setType = (column: string, type: ColumnType) => setTypes({ ...types, [column]: type });
  const back = () => setStep({ kind: "preview" });

  return { step, types, setType, table, setTable, run, cancel, back };
}
