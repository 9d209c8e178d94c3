import { useEffect, useState } from "react";
import type { EntityStats } from "../../bindings/EntityStats";
import type { SourceInfo } from "../../bindings/SourceInfo";
import { dataApi } from "./api";

/** Column statistics of the open data source (schema browser, value suggestions); undefined
 * while they are computed, empty when they cannot be. */
export function useColumnStats(source: SourceInfo | undefined): EntityStats[] | undefined {
  const [stats, setStats] = useState<EntityStats[]>();
  useEffect(() => {
    setStats(undefined);
    if (source) dataApi.stats(source.path).then(setStats).catch(() => setStats([]));
  }, [source]);
  return stats;
}
