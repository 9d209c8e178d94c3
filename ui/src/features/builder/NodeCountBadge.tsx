import { formatCount } from "../../shared/counts";
import { useBuilder } from "./context";

/** The node's own count and the segment's count without it, from the newest preview. */
export function NodeCountBadge({ at, below }: { at: string; below?: boolean }) {
  const { nodeCounts } = useBuilder();
  const n = nodeCounts?.get(at);
  if (!n) return null;
  return (
    <div className={"node-counts" + (below ? " below" : "")} data-testid="node-counts" data-path={at}>
      <span
        className="node-count"
        data-testid="node-count"
        title="Records matching this condition on its own (inside its related-records condition, if any)"
      >
        {formatCount(n.count)}
      </span>
      <span className="node-without" data-testid="node-without" data-value={n.without} title="Records the whole segment would match without this condition">
        without: {formatCount(n.without)}
      </span>
    </div>
  );
}
