import type { Entity } from "../../bindings/Entity";
import { ofKind, type SqlNode } from "../../shared/tree";
import { RemoveButton } from "./ConditionRow";
import { useBuilder } from "./context";
import { Problems } from "./Problems";

/** A raw SQL condition: a boolean expression over the entity's columns. */
export function SqlRow({ node, at, entity }: { node: SqlNode; at: string; entity: Entity }) {
  const { updateNode, remove, problems } = useBuilder();
  const mine = problems.get(at);
  return (
    <div className={"node sql-condition" + (mine ? " has-problem" : "")} data-testid="sql-condition" data-path={at}>
      <div className="node-line">
      <div className="row">
        <span className="tag">SQL</span>
        <textarea
          className={"input sql-input" + (mine ? " invalid" : "")}
          aria-label="SQL condition"
          data-testid="sql-input"
          rows={2}
          spellCheck={false}
          placeholder={`A condition on ${entity.name}, e.g. ${entity.columns[1]?.name ?? "id"} IS NOT NULL`}
          value={node.sql}
          onChange={(e) => updateNode(at, ofKind("sql", (old) => ({ ...old, sql: e.target.value })))}
        />
      </div>
        <RemoveButton onClick={() => remove(at)} what="SQL condition" />
      </div>
      <Problems at={at} problems={mine} />
    </div>
  );
}
