import { useEffect, useState } from "react";
import { insideApp, onFilesDropped } from "../../ipc";

/** Files dropped anywhere on the window, for the import flow on the Data screen: the paths
 * (until taken) and `take` to clear them. `onDrop` hears each drop. */
export function useDroppedFiles(onDrop: () => void) {
  const [dropped, setDropped] = useState<string[]>([]);
  useEffect(() => {
    if (!insideApp()) return;
    let unlisten: (() => void) | undefined;
    onFilesDropped((paths) => {
      setDropped(paths);
      onDrop();
    }).then((u) => (unlisten = u));
    return () => unlisten?.();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return { dropped, take: () => setDropped([]) };
}
