// The bring-your-own-data commands (src-tauri/src/data.rs).
import type { ColumnMeaning } from "../../bindings/ColumnMeaning";
import type { ColumnMeanings } from "../../bindings/ColumnMeanings";
import type { DataSources } from "../../bindings/DataSources";
import type { EntityStats } from "../../bindings/EntityStats";
import type { ImportProgressEvent } from "../../bindings/ImportProgressEvent";
import type { ImportReport } from "../../bindings/ImportReport";
import type { ImportRequest } from "../../bindings/ImportRequest";
import type { Link } from "../../bindings/Link";
import type { Preview } from "../../bindings/Preview";
import type { RelationshipsResponse } from "../../bindings/RelationshipsResponse";
import type { SnapshotList } from "../../bindings/SnapshotList";
import type { SourceInfo } from "../../bindings/SourceInfo";
import type { Cleared } from "../../bindings/Cleared";
import { call, subscribe } from "../../ipc";

export const dataApi = {
  sources: () => call<DataSources>("data_sources"),
  open: (data: string) => call<SourceInfo>("open_data", { data }),
  importPreview: (request: ImportRequest, rows = 20) => call<Preview>("import_preview", { request, rows }),
  importFile: (request: ImportRequest, importId: number) => call<ImportReport>("import_file", { request, import_id: importId }),
  cancelImport: (importId: number) => call<void>("cancel_import", { import_id: importId }),
  onProgress: (f: (e: ImportProgressEvent) => void) => subscribe<ImportProgressEvent>("import-progress", f),
  relationships: (data: string) => call<RelationshipsResponse>("relationships", { data }),
  relate: (data: string, link: Link, remove = false, timeColumn?: string) =>
    call<RelationshipsResponse>("relate", { request: { data, link, remove, time_column: timeColumn } }),
  setTimeColumn: (data: string, table: string, column: string | null) => call<RelationshipsResponse>("set_time_column", { data, table, column }),
  setLabel: (data: string, table: string, column: string, label: string) => call<void>("set_label", { data, table, column, label }),
  stats: (data: string) => call<EntityStats[]>("schema_stats", { data }),
  meanings: (data: string) => call<ColumnMeanings>("column_meanings", { data }),
  /** Declares what a column's values mean; `null` goes back to the column as stored. */
  declareMeaning: (data: string, table: string, column: string, meaning: ColumnMeaning | null) =>
    call<ColumnMeanings>("declare_meaning", { data, table, column, meaning }),
  /** The copies of local data kept for fast starts, and their removal. */
  snapshots: () => call<SnapshotList>("engine_snapshots"),
  clearSnapshots: () => call<Cleared>("clear_engine_snapshots"),
};
