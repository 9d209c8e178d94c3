// The builder's commands: the open data source's schema and the live count.
import type { PreviewRequest } from "../../bindings/PreviewRequest";
import type { PreviewResponse } from "../../bindings/PreviewResponse";
import type { SourceInfo } from "../../bindings/SourceInfo";
import type { EngineProgress } from "../../bindings/EngineProgress";
import { call } from "../../ipc";

export const builderApi = {
  getSource: () => call<SourceInfo>("get_source"),
  preview: (request: PreviewRequest) => call<PreviewResponse>("preview", { request }),
  /** Stops the newest preview's count (a warehouse is sent a cancel request). */
  cancelPreview: () => call<void>("cancel_preview"),
  /** How far the count engine's load of the data has come; null when it is not loading. */
  engineProgress: () => call<EngineProgress | null>("engine_progress"),
};
