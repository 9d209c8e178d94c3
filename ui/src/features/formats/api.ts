// The segment in every format, and reading a definition written in one of them.
import type { ImportedDefinition } from "../../bindings/ImportedDefinition";
import type { RenderedFormat } from "../../bindings/RenderedFormat";
import type { Segment } from "../../bindings/Segment";
import { call } from "../../ipc";

export const formatsApi = {
  render: (segment: Segment, entity: string | null, now: string | null) => call<RenderedFormat[]>("render_formats", { segment, entity, now }),
  /** Rejects with an `AppError` whose `definition` says where the text stops reading. */
  importDefinition: (text: string, format: string | null, entity: string | null) =>
    call<ImportedDefinition>("import_definition", { text, format, entity }),
};
