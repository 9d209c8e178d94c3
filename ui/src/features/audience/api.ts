// Breakdowns, splits and priority tiers (src-tauri/src/audience.rs).
import type { Breakdown } from "../../bindings/Breakdown";
import type { BreakdownRequest } from "../../bindings/BreakdownRequest";
import type { KeptSegment } from "../../bindings/KeptSegment";
import type { SplitCommand } from "../../bindings/SplitCommand";
import type { SplitResult } from "../../bindings/SplitResult";
import type { Tiers } from "../../bindings/Tiers";
import type { TiersRequest } from "../../bindings/TiersRequest";
import { call } from "../../ipc";

export const audienceApi = {
  breakdown: (request: BreakdownRequest) => call<Breakdown>("audience_breakdown", { request }),
  split: (request: SplitCommand) => call<SplitResult>("audience_split", { request }),
  keepSplit: (request: SplitCommand) => call<KeptSegment[]>("audience_split_keep", { request }),
  tiers: (request: TiersRequest) => call<Tiers>("audience_tiers", { request }),
  keepTiers: (request: TiersRequest) => call<KeptSegment[]>("audience_tiers_keep", { request }),
};
