// Samples and overlap of the segment being built.
import type { OverlapRequest } from "../../bindings/OverlapRequest";
import type { OverlapResponse } from "../../bindings/OverlapResponse";
import type { SampleRequest } from "../../bindings/SampleRequest";
import type { SampleResponse } from "../../bindings/SampleResponse";
import { call } from "../../ipc";

export const exploreApi = {
  samples: (request: SampleRequest) => call<SampleResponse>("samples", { request }),
  overlap: (request: OverlapRequest) => call<OverlapResponse>("overlap", { request }),
};
