// Size over time, "why / why not" for one record, near misses: the thin commands of
// src-tauri/src/insight.rs.
import type { ExplainRecordRequest } from "../../bindings/ExplainRecordRequest";
import type { NearMissRequest } from "../../bindings/NearMissRequest";
import type { NearMisses } from "../../bindings/NearMisses";
import type { RecordExplanation } from "../../bindings/RecordExplanation";
import type { Trend } from "../../bindings/Trend";
import type { TrendRequest } from "../../bindings/TrendRequest";
import { call } from "../../ipc";

export const insightApi = {
  trend: (request: TrendRequest) => call<Trend>("insight_trend", { request }),
  explainRecord: (request: ExplainRecordRequest) => call<RecordExplanation>("insight_explain_record", { request }),
  nearMisses: (request: NearMissRequest) => call<NearMisses>("insight_near_misses", { request }),
};
