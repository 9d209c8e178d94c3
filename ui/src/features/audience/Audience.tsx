// Who the members are and what to do with them, as a card beside the count: a breakdown by any
// attribute (bars, updated as the segment changes; "compare with everyone" ranks by lift), a
// split into groups with a stable assignment (holdouts), and priority tiers of saved segments.
import { useState } from "react";
import type { Segment } from "../../bindings/Segment";
import type { SourceInfo } from "../../bindings/SourceInfo";
import "./audience.css";
import { BreakdownView } from "./BreakdownView";
import { SplitView } from "./SplitView";
import { TiersView } from "./TiersView";

export type AudienceProps = { source: SourceInfo; segment: Segment; now: string | null; valid: boolean };

type Tab = "breakdown" | "split" | "tiers";

const TABS: { id: Tab; label: string }[] = [
  { id: "breakdown", label: "Breakdown" },
  { id: "split", label: "Split" },
  { id: "tiers", label: "Tiers" },
];

export function Audience(props: AudienceProps) {
  const [tab, setTab] = useState<Tab>("breakdown");
  return (
    <section className="card audience-card" aria-label="Audience" data-testid="audience">
      <div className="segmented audience-tabs" role="tablist">
        {TABS.map((t) => (
          <button key={t.id} type="button" role="tab" aria-selected={tab === t.id} className={tab === t.id ? "on" : ""} data-testid={`tab-${t.id}`} onClick={() => setTab(t.id)}>
            {t.label}
          </button>
        ))}
      </div>
      {tab === "breakdown" && <BreakdownView {...props} />}
      {tab === "split" && <SplitView {...props} />}
      {tab === "tiers" && <TiersView now={props.now} />}
    </section>
  );
}
