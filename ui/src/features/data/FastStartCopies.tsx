// "Fast-start copies of your data: 1 (691 MB) · Remove": the copies of local data files the
// count engine keeps in the app's data folder (segment_service::snapshots), so people can see
// that they exist, how much room they take, and remove them. Hidden when copies are off.
import { useEffect, useState } from "react";
import type { SnapshotList } from "../../bindings/SnapshotList";
import { formatBytes } from "../../shared/data";
import { toAppError } from "../../ipc";
import { dataApi } from "./api";

/** `refreshKey` changes when another data source opens (its copy may be written). */
export function FastStartCopies({ refreshKey }: { refreshKey: string }) {
  const [list, setList] = useState<SnapshotList | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    dataApi.snapshots().then(
      (l) => live && setList(l),
      (e) => live && setNote(toAppError(e).message),
    );
    return () => {
      live = false;
    };
  }, [refreshKey]);

  if (!list?.dir && !note) return null;
  const n = list?.snapshots.length ?? 0;
  const remove = async () => {
    setBusy(true);
    try {
      const cleared = await dataApi.clearSnapshots();
      setNote(`Removed ${cleared.snapshots === 1 ? "1 copy" : `${cleared.snapshots} copies`}, ${formatBytes(cleared.bytes)} freed.`);
      setList(await dataApi.snapshots());
    } catch (e) {
      setNote(toAppError(e).message);
    } finally {
      setBusy(false);
    }
  };
  const title = list
    ? [`Kept in ${list.dir} so a file opens fast next time; the next open reads the file again if they are removed.`, ...list.snapshots.map((s) => `${s.source ?? s.file} — ${formatBytes(s.bytes)}`)].join("\n")
    : undefined;
  return (
    <p className="muted small fast-start" style={{ marginTop: 6 }} data-testid="fast-start-copies" title={title}>
      Fast-start copies of your data: {n === 0 ? "none" : `${n} (${formatBytes(list?.bytes ?? 0)})`}
      {n > 0 && (
        <>
          {" · "}
          <button type="button" className="link small" data-testid="fast-start-remove" disabled={busy} onClick={remove}>
            Remove
          </button>
        </>
      )}
      {note && (
        <span style={{ display: "block" }} data-testid="fast-start-note" role="status">
          {note}
        </span>
      )}
    </p>
  );
}
