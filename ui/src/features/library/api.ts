// The segment-library commands (src-tauri/src/library.rs, library_io.rs).
import type { CountInput } from "../../bindings/CountInput";
import type { CountRecord } from "../../bindings/CountRecord";
import type { FileImport } from "../../bindings/FileImport";
import type { ListQuery } from "../../bindings/ListQuery";
import type { MembersOutcome } from "../../bindings/MembersOutcome";
import type { Membership } from "../../bindings/Membership";
import type { MembershipChange } from "../../bindings/MembershipChange";
import type { Operation } from "../../bindings/Operation";
import type { Page } from "../../bindings/Page";
import type { Revision } from "../../bindings/Revision";
import type { RevisionDiff } from "../../bindings/RevisionDiff";
import type { RevisionInfo } from "../../bindings/RevisionInfo";
import type { Saved } from "../../bindings/Saved";
import type { SegmentDraft } from "../../bindings/SegmentDraft";
import type { SegmentRecord } from "../../bindings/SegmentRecord";
import { call, pickFile } from "../../ipc";

const paging = (page = 0, size = 50) => ({ page, size });

export const libraryApi = {
  list: (query: ListQuery) => call<Page<SegmentRecord>>("library_list", { query }),
  get: (id: string) => call<SegmentRecord>("library_get", { id }),
  save: (draft: SegmentDraft) => call<Saved>("library_save", { draft }),
  remove: (id: string) => call<string[]>("library_delete", { id }),
  history: (id: string) => call<RevisionInfo[]>("library_history", { id }),
  revision: (id: string, revision: number) => call<Revision>("library_revision", { id, revision }),
  diff: (id: string, from: number, to: number) => call<RevisionDiff>("library_diff", { id, from, to }),
  restore: (id: string, revision: number, expectedRevision?: number) =>
    call<Saved>("library_restore", { id, revision, expectedRevision: expectedRevision ?? null }),
  recordCount: (id: string, count: CountInput) => call<CountRecord>("library_record_count", { id, count }),
  counts: (id: string, size = 200) => call<Page<CountRecord>>("library_counts", { id, paging: paging(0, size) }),
  membersAdd: (id: string, members: string[]) => call<MembersOutcome>("members_add", { id, members, options: null }),
  membersRemove: (id: string, members: string[]) => call<MembersOutcome>("members_remove", { id, members }),
  members: (id: string, page = 0, size = 50) => call<Page<Membership>>("members_list", { id, filter: { page, size } }),
  changes: (id: string, operation: Operation | null, page = 0, size = 50) =>
    call<Page<MembershipChange>>("members_changes", { id, operation, paging: paging(page, size) }),
  freeze: (id: string, into: string, name: string | null, now: string | null) =>
    call<MembersOutcome>("library_freeze", { id, into, name, now }),
  exportFile: (id: string, path: string) => call<string>("library_export", { id, path }),
  importFile: (path: string, overwrite: boolean) => call<FileImport>("library_import", { path, overwrite }),
};

/** The native dialog for a segment file: `undefined` when it is unavailable (the caller then asks
 * for a path in a text field), `null` when the user cancelled. */
export const pickSegmentFile = (kind: "save" | "open", defaultPath?: string) =>
  pickFile(kind, [{ name: "Segment definition", extensions: ["json"] }], defaultPath);
