// Insight into the segment being built, as a card of the side panel: its size over time, why a
// record is or is not in it, and the near misses of each condition. Each view runs on demand
// (a button) and drops its answer when the segment or "as of" changes.
import { useState } from "react";
import type { Segment } from "../../bindings/Segment";
import "./insight.css";
import { NearMissView } from "./NearMissView";
import { TrendView } from "./TrendView";
import { WhyView } from "./WhyView";

export type InsightProps = { segment: Segment; now: string | null; valid: boolean };

type Tab = "trend" | "why" | "near";

const TABS: { id: Tab; label: string }[] = [
  { id: "trend", label: "Over time" },
  { id: "why", label: "Why (not)?" },
  { id: "near", label: "Near misses" },
];

const TITLES: Record<Tab, string> = {
  trend: "The segment's size as of each day or week",
  why: "Why is a record in the segment, or not?",
  near: "How many more would match without each condition, or with another threshold",
};

export function Insight({ segment, now, valid }: InsightProps) {
  const [tab, setTab] = useState<Tab>("trend");
  return (
    <section className="card insight-card" aria-label="Insight" data-testid="insight">
      <div className="segmented insight-tabs" role="tablist">
        {TABS.map((t) => (
          <button key={t.id} type="button" role="tab" title={TITLES[t.id]} aria-selected={tab === t.id} className={tab === t.id ? "on" : ""} data-testid={`tab-${t.id}`} onClick={() => setTab(t.id)}>
            {t.label}
          </button>
        ))}
      </div>
      {tab === "trend" && <TrendView segment={segment} now={now} valid={valid} />}
      {tab === "why" && <WhyView segment={segment} now={now} valid={valid} />}
      {tab === "near" && <NearMissView segment={segment} now={now} valid={valid} />}
    </section>
  );
}
