// Samples and overlap: a card under the count. Samples lists matching records (first or random)
// with the conditions each one met; overlap compares the current segment with one or two others
// (pasted as JSON) and draws the Venn picture with exact region counts.
import { useState } from "react";
import type { Segment } from "../../bindings/Segment";
import "./explore.css";
import { Overlap } from "./Overlap";
import { Samples } from "./Samples";

export type Props = { segment: Segment; now: string | null; valid: boolean };

export function Explore({ segment, now, valid }: Props) {
  const [tab, setTab] = useState<"samples" | "overlap">("samples");
  return (
    <section className="card explore-card" aria-label="Samples and overlap" data-testid="explore">
      <div className="segmented explore-tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === "samples"} className={tab === "samples" ? "on" : ""} data-testid="tab-samples" onClick={() => setTab("samples")}>
          Sample records
        </button>
        <button type="button" role="tab" aria-selected={tab === "overlap"} className={tab === "overlap" ? "on" : ""} data-testid="tab-overlap" onClick={() => setTab("overlap")}>
          Overlap
        </button>
      </div>
      {tab === "samples" ? <Samples segment={segment} now={now} valid={valid} /> : <Overlap segment={segment} now={now} valid={valid} />}
    </section>
  );
}

