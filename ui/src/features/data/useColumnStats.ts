import { useEffect, useState } from "react";
import type { EntityStats } from "../../bindings/EntityStats";
import type { SourceInfo } from "../../bindings/SourceInfo";
import { dataApi } from "./api";

/** Column statistics of the open data source (schema browser, value suggestions); undefined
 * while they are computed, empty when they cannot be. */
export function useColumnStats(source: SourceInfo | undefined): EntityStats[] | undefined {
  const [stats, setStats] = useState<EntityStats[]>();
  useEffect(() => {
    // The statistics of a data source switched away from (a slow one) must not replace these.
    let current = true;
    setStats(undefined);
    if (source)
      dataApi
        .stats(source.path)
        .then((s) => current && setStats(s))
        .catch(() => current && setStats([]));
    return () => {
      current = false;
    };
  }, [source]);
  return stats;
}
