import { createContext, useContext } from "react";
import type { EntityStats } from "../../bindings/EntityStats";

/** The open data source's column statistics (for value suggestions); empty until loaded. */
export const StatsContext = createContext<{ stats?: EntityStats[]; entity?: string }>({});
export const useStats = () => useContext(StatsContext);
