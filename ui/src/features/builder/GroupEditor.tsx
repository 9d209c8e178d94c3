import { Fragment, useState } from "react";
import type { Entity } from "../../bindings/Entity";
import type { Group } from "../../bindings/Group";
import type { Node } from "../../bindings/Node";
import { join } from "../../shared/pointer";
import { newCondition, newGroup, newInSegment, newRelationship, newSql, relationshipsFrom } from "../../shared/tree";
import { ConditionRow, RemoveButton } from "./ConditionRow";
import { useBuilder } from "./context";
import { useGroupEndDrop, useRowDrop } from "./dnd";
import { DragHandle, RowMenu } from "./RowTools";
import { Toggle } from "./inputs";
import { Problems } from "./Problems";
import { RelationshipEditor } from "./RelationshipEditor";
import { NodeCountBadge } from "./NodeCountBadge";
import { SqlRow } from "./SqlRow";
import { InSegmentRow } from "./InSegmentInputs";

type Props = {
  group: Group;
  at: string;
  entity: Entity;
  depth: number;
  /** The root group of the segment (cannot be removed). */
  isRoot?: boolean;
  /** The filter of a relationship condition (cannot be removed either). */
  isFilter?: boolean;
  /** Shown as a nested group node (has a `type`). */
  nested?: boolean;
};

export function GroupEditor({ group, at, entity, depth, isRoot, isFilter, nested }: Props) {
  const { source, updateGroup, remove, problems, add: addTo, moveTo } = useBuilder();
  const rels = relationshipsFrom(source.schema, entity.name);
  const add = (node: Node) => addTo(at, node);
  const setGroup = (patch: Partial<Group>) => updateGroup(at, (old) => ({ ...old, ...patch }));
  const word = group.combinator === "and" ? "AND" : "OR";
  const mine = problems.get(at);
  const movable = nested && !isRoot && !isFilter;
  const [collapsed, setCollapsed] = useState(false);
  const rowDrop = useRowDrop(at, moveTo);
  const endDrop = useGroupEndDrop(at, group.children.length, moveTo);
  const { className: dropClass, ...dropProps } = rowDrop;
  const { className: endClass, ...endProps } = endDrop;
  const folded = movable && collapsed;
  return (
    <div
      {...endProps}
      className={`group depth-${depth % 4}` + (group.negated ? " negated" : "") + (isRoot ? " root" : "") + (mine ? " has-problem" : "") + endClass + (folded ? " collapsed" : "")}
      data-testid="group"
      data-path={at}
      role="group"
      aria-label={isRoot ? "All conditions" : "Group of conditions"}
    >
      <div className={"group-head" + (movable ? dropClass : "")} {...(movable ? dropProps : {})}>
        {movable && <DragHandle at={at} what="group" />}
        {movable && (
          <button
            type="button"
            className="icon-button collapse-toggle"
            aria-expanded={!collapsed}
            aria-label={collapsed ? "Show the group's conditions" : "Hide the group's conditions"}
            title={collapsed ? "Show conditions" : "Hide conditions"}
            data-testid="group-collapse"
            onClick={() => setCollapsed((c) => !c)}
          >
            {collapsed ? "▸" : "▾"}
          </button>
        )}
        <Toggle
          pressed={!!group.negated}
          onChange={(on) => setGroup({ negated: on ? true : undefined })}
          label="NOT: exclude records matching this group"
          title="NOT: exclude records matching this group"
          testid="group-not"
        >
          NOT
        </Toggle>
        <div className="segmented" role="group" aria-label="Combine conditions with">
          {(["and", "or"] as const).map((c) => (
            <button
              key={c}
              type="button"
              aria-pressed={group.combinator === c}
              className={group.combinator === c ? "on" : ""}
              data-testid={`group-${c}`}
              onClick={() => setGroup({ combinator: c })}
            >
              {c === "and" ? "All (AND)" : "Any (OR)"}
            </button>
          ))}
        </div>
        <span className="group-hint">
          {group.negated ? "exclude " : ""}
          {entity.name} matching {group.combinator === "and" ? "all" : "any"} of these
        </span>
        {!isRoot && !isFilter && <NodeCountBadge at={at} />}
        {movable && <RowMenu at={at} what="group" />}
        {movable && <RemoveButton onClick={() => remove(at)} what="group" />}
      </div>
      <Problems at={at} problems={mine} />
      {folded ? (
        <button type="button" className="link collapsed-summary" data-testid="group-collapsed" onClick={() => setCollapsed(false)}>
          {group.children.length === 1 ? "1 condition hidden" : `${group.children.length} conditions hidden`} · show
        </button>
      ) : (
      <>
      <div className="group-body">
        {group.children.length === 0 && (
          <div className="empty">{isFilter ? "No conditions: every related record counts." : `No conditions yet: every record of ${entity.name} matches.`}</div>
        )}
        {group.children.map((child, i) => {
          const childAt = join(at, "children", i);
          return (
            <Fragment key={i}>
              {i > 0 && (
                <div className="joiner" aria-hidden="true">
                  <span>{word}</span>
                </div>
              )}
              <NodeEditor node={child} at={childAt} entity={entity} depth={depth} />
              {child.type !== "group" && <NodeCountBadge at={childAt} below />}
            </Fragment>
          );
        })}
      </div>
      <div className="group-actions">
        <button type="button" className="add" data-testid="add-condition" onClick={() => add(newCondition(source, entity))}>
          + Condition
        </button>
        <button type="button" className="add" data-testid="add-group" onClick={() => add(newGroup())}>
          + Group
        </button>
        {rels.length > 0 && (
          <button type="button" className="add" data-testid="add-relationship" onClick={() => add(newRelationship(rels[0]))}>
            + Related records
          </button>
        )}
        {!isFilter && (
          <button type="button" className="add" data-testid="add-in-segment" onClick={() => add(newInSegment())}>
            + In segment
          </button>
        )}
        <button type="button" className="add" data-testid="add-sql" onClick={() => add(newSql())}>
          + SQL
        </button>
      </div>
      </>
      )}
    </div>
  );
}

function NodeEditor({ node, at, entity, depth }: { node: Node; at: string; entity: Entity; depth: number }) {
  switch (node.type) {
    case "group":
      return <GroupEditor group={node} at={at} entity={entity} depth={depth + 1} nested />;
    case "condition":
      return <ConditionRow node={node} at={at} entity={entity} />;
    case "sql":
      return <SqlRow node={node} at={at} entity={entity} />;
    case "relationship":
      return <RelationshipEditor node={node} at={at} entity={entity} depth={depth} />;
    case "in_segment":
      return <InSegmentRow node={node} at={at} entity={entity} />;
  }
}
