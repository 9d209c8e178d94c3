import { useCallback, useEffect, useMemo, useState } from "react";
import type { DataType } from "../../bindings/DataType";
import type { Membership } from "../../bindings/Membership";
import type { MembershipChange } from "../../bindings/MembershipChange";
import type { Operation } from "../../bindings/Operation";
import type { Page } from "../../bindings/Page";
import type { SegmentRecord } from "../../bindings/SegmentRecord";
import { appError, toAppError, type AppError } from "../../ipc";
import { libraryApi } from "./api";
import { compareKeys } from "../explore/fields";
import { idProblem, newestFirst, num, parseMembers } from "./library";

export const MEMBERS_PAGE = 20;
/** Up to this many members are read at once and ordered here by the key's type (the store
 * orders identifiers as text: 10096 before 481); beyond, pages come in the store's order. */
export const SORTED_MEMBERS_MAX = 10_000;

/** Page `page` of `all` ordered by key type, as a page of the collection. */
export function sortedPage(all: Page<Membership>, keyType: DataType | undefined, page: number, size: number): Page<Membership> {
  const items = [...all.items].sort((a, b) => compareKeys(a.individualIdentifier, b.individualIdentifier, keyType));
  return { items: items.slice(page * size, (page + 1) * size), page: all.page };
}

/** Page `page` of the change log counted from the newest entry (the store pages oldest first). */
const newestChanges = (id: string, operation: Operation | null, page: number) =>
  newestFirst((p) => libraryApi.changes(id, operation, p, MEMBERS_PAGE), page, MEMBERS_PAGE);

/** A static segment's members and change log (paged), adding and removing members; freezing a
 * dynamic one into a new static segment. `onChanged` gets the record changed or created. */
export function useMembers(record: SegmentRecord, asOf: string | null, onChanged: (r: SegmentRecord) => void, keyType?: DataType) {
  const [fetched, setFetched] = useState<{ page: Page<Membership>; whole: boolean }>();
  const [changes, setChanges] = useState<Page<MembershipChange>>();
  const [mPage, setMPage] = useState(0);
  const [cPage, setCPage] = useState(0);
  const [text, setText] = useState("");
  const [error, setError] = useState<AppError>();
  const [note, setNote] = useState("");
  const [frozenId, setFrozenId] = useState(`${record.id}_frozen`);
  const [busy, setBusy] = useState(false);
  const [operation, setOperation] = useState<Operation | "">("");
  const isStatic = record.segmentType === "STATIC";

  // The members: all at once when few enough to order here, else the page asked for.
  const whole = num(record.individualCount) <= SORTED_MEMBERS_MAX;
  const pageToFetch = whole ? 0 : mPage;
  const loadMembers = useCallback(() => {
    if (!isStatic) return;
    libraryApi
      .members(record.id, pageToFetch, whole ? SORTED_MEMBERS_MAX : MEMBERS_PAGE)
      .then((page) => setFetched({ page, whole }))
      .catch((e) => setError(toAppError(e)));
  }, [record.id, isStatic, pageToFetch, whole]);
  useEffect(loadMembers, [loadMembers, record.revision, record.individualCount]);
  const loadChanges = useCallback(() => {
    if (!isStatic) return;
    newestChanges(record.id, operation || null, cPage).then(setChanges).catch((e) => setError(toAppError(e)));
  }, [record.id, isStatic, cPage, operation]);
  useEffect(loadChanges, [loadChanges, record.revision, record.individualCount]);
  const members = useMemo(
    () => fetched && (fetched.whole ? sortedPage(fetched.page, keyType, mPage, MEMBERS_PAGE) : fetched.page),
    [fetched, keyType, mPage],
  );

  const apply = async (what: "add" | "remove") => {
    const ids = parseMembers(text);
    if (ids.length === 0) return setError(appError("invalid", "Type or paste member identifiers first."));
    try {
      const out = what === "add" ? await libraryApi.membersAdd(record.id, ids) : await libraryApi.membersRemove(record.id, ids);
      setNote(
        what === "add"
          ? `Added ${num(out.added)}${num(out.updated) ? `, ${num(out.updated)} already members` : ""}.`
          : `Removed ${num(out.removed)}${num(out.notMembers) ? `, ${num(out.notMembers)} were not members` : ""}.`,
      );
      setText("");
      setError(undefined);
      onChanged(await libraryApi.get(record.id));
    } catch (e) {
      setError(toAppError(e));
    }
  };

  const freeze = async () => {
    const problem = idProblem(frozenId);
    if (problem) return setError(appError("invalid_id", problem));
    setBusy(true);
    try {
      await libraryApi.freeze(record.id, frozenId, `${record.name} (frozen)`, asOf);
      setError(undefined);
      onChanged(await libraryApi.get(frozenId));
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setBusy(false);
    }
  };

  const filterChanges = (op: Operation | "") => (setOperation(op), setCPage(0));

  return { isStatic, members, changes, mPage, setMPage, cPage, setCPage, text, setText, error, note, frozenId, setFrozenId, busy, operation, filterChanges, apply, freeze };
}

export type MembersState = ReturnType<typeof useMembers>;
