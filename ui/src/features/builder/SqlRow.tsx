import type { Entity } from "../../bindings/Entity";
import { ofKind, type SqlNode } from "../../shared/tree";
import { RemoveButton } from "./ConditionRow";
import { useBuilder } from "./context";
import { useRowDrop } from "./dnd";
import { DragHandle, RowMenu } from "./RowTools";
import { Problems } from "./Problems";

/** A raw SQL condition: a boolean expression over the entity's columns. */
export function SqlRow({ node, at, entity }: { node: SqlNode; at: string; entity: Entity }) {
  const { updateNode, remove, problems, moveTo } = useBuilder();
  const drop = useRowDrop(at, moveTo);
  const mine = problems.get(at);
  return (
    <div {...drop} className={"node sql-condition" + (mine ? " has-problem" : "") + drop.className} data-testid="sql-condition" data-path={at}>
      <div className="node-line">
      <DragHandle at={at} what="SQL condition" />
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
        <RowMenu at={at} what="SQL condition" />
        <RemoveButton onClick={() => remove(at)} what="SQL condition" />
      </div>
      <Problems at={at} problems={mine} />
    </div>
  );
}
