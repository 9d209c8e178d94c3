// The library's segments (id and name), for choosing tiers and where a split's groups come from.
import { useEffect, useState } from "react";
import type { SegmentRecord } from "../../bindings/SegmentRecord";
import { toAppError, type AppError } from "../../ipc";
import { libraryApi } from "../library/api";

export function useSavedSegments() {
  const [segments, setSegments] = useState<SegmentRecord[]>([]);
  const [error, setError] = useState<AppError>();
  useEffect(() => {
    let live = true;
    libraryApi
      .list({ sort: [["name", "asc"]], size: 200 })
      .then((page) => live && setSegments(page.items))
      .catch((e) => live && setError(toAppError(e)));
    return () => {
      live = false;
    };
  }, []);
  return { segments, error };
}
