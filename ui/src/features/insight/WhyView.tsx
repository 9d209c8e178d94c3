// "Why is … (not) in it?": a record's key typed in; every node of the tree met or not by that
// record, with its own value of each condition and its related records.
import { useState } from "react";
import type { NodeVerdict } from "../../bindings/NodeVerdict";
import type { RecordExplanation } from "../../bindings/RecordExplanation";
import type { Segment } from "../../bindings/Segment";
import { insightApi } from "./api";
import type { InsightProps } from "./Insight";
import { depthOf, describeNode, formatCount, shortDate, showValue } from "./insight";
import { useInsight } from "./useInsight";

export function WhyView({ segment, now, valid }: InsightProps) {
  const [key, setKey] = useState("");
  const { result, error, busy, run } = useInsight<RecordExplanation>(segment, now);
  const entity = segment.entity ?? "records";
  const explain = () => run(() => insightApi.explainRecord({ segment, entity: segment.entity ?? null, now, key }));
  return (
    <div className="insight-view" data-testid="why">
      <form
        className="explore-actions"
        onSubmit={(e) => {
          e.preventDefault();
          if (valid && key.trim()) explain();
        }}
      >
        <label className="insight-field why-key">
          Key of a record
          <input value={key} onChange={(e) => setKey(e.target.value)} placeholder="e.g. 42" data-testid="why-key" aria-label={`Key of a record of ${entity}`} />
        </label>
        <button type="submit" className="button" disabled={!valid || busy || !key.trim()} data-testid="why-explain">
          Explain
        </button>
      </form>
      {!valid && <p className="small muted">Complete the segment to ask about a record.</p>}
      {error && (
        <div className="explore-error" role="alert">
          {error.message}
        </div>
      )}
      {result && <Explanation explanation={result} segment={segment} entity={entity} />}
    </div>
  );
}

function Explanation({ explanation, segment, entity }: { explanation: RecordExplanation; segment: Segment; entity: string }) {
  const key = String(explanation.key);
  if (!explanation.found) {
    return (
      <p className="small why-verdict out" data-testid="why-verdict">
        No record of {entity} has the key {key}.
      </p>
    );
  }
  return (
    <div data-testid="why-result">
      <p className={"small why-verdict " + (explanation.member ? "in" : "out")} data-testid="why-verdict">
        {key} is {explanation.member ? "in the segment" : "not in the segment"}.
      </p>
      <ul className="why-tree">
        {explanation.nodes.map((node) => (
          <VerdictRow key={node.path} node={node} segment={segment} />
        ))}
      </ul>
      {explanation.notice && <p className="small muted">Judged with SQL, without the related records' details: {explanation.notice}</p>}
    </div>
  );
}

function VerdictRow({ node, segment }: { node: NodeVerdict; segment: Segment }) {
  const depth = node.path === "/root" ? 0 : depthOf(node.path) + 1;
  return (
    <li className={"why-node " + (node.met ? "met" : "unmet")} style={{ paddingLeft: depth * 14 }} data-testid="why-node" data-path={node.path} data-met={node.met}>
      <span className="why-mark" aria-hidden="true">
        {node.met ? "✓" : "✗"}
      </span>
      <span className="why-label">
        {describeNode(segment, node.path)}
        <span className="sr-only">{node.met ? " (met)" : " (not met)"}</span>
      </span>
      {node.value !== undefined && <span className="why-fact">its value: {showValue(node.value)}</span>}
      {node.related && (
        <span className="why-fact">
          {formatCount(node.related.records)} related record{node.related.records === 1 ? "" : "s"}
          {node.related.aggregate != null && `, value ${round(node.related.aggregate)}`}
          {node.related.last_time && `, latest ${shortDate(node.related.last_time)}`}
        </span>
      )}
    </li>
  );
}

const round = (n: number) => (Number.isInteger(n) ? formatCount(n) : n.toFixed(2));
