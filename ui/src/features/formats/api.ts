// The segment in every format, and reading a definition written in one of them.
import type { ImportedDefinition } from "../../bindings/ImportedDefinition";
import type { RenderedFormat } from "../../bindings/RenderedFormat";
import type { Segment } from "../../bindings/Segment";
import { call } from "../../ipc";

export const formatsApi = {
  render: (segment: Segment, entity: string | null, now: string | null) => call<RenderedFormat[]>("render_formats", { segment, entity, now }),
  /** Rejects with an `AppError` whose `definition` says where the text stops reading.
   * `withoutData`: attributes as written, typed by the definition (not checked against the data).
   * `odataIgnoreCase`: an OData filter compares text ignoring case, as Microsoft Graph does. */
  importDefinition: (text: string, format: string | null, entity: string | null, withoutData = false, odataIgnoreCase = false) =>
    call<ImportedDefinition>("import_definition", {
      text,
      format,
      entity,
      ...(withoutData ? { withoutData } : {}),
      ...(odataIgnoreCase ? { odataIgnoreCase } : {}),
    }),
};
