import { describe, expect, it } from "vitest";
import type { Segment } from "../bindings/Segment";
import type { SourceInfo } from "../bindings/SourceInfo";
import { addChild, newCondition, nodePointers, ofKind, operatorsFor, problemField, problemsByNode, removeNode, updateGroup, updateNode, withAttribute } from "./tree";

const segment: Segment = {
  version: 1,
  entity: "profiles",
  root: {
    combinator: "and",
    children: [
      { type: "condition", attribute: "country", operator: "is", value: "US" },
      {
        type: "relationship",
        relationship: "events",
        filter: { combinator: "and", children: [{ type: "condition", attribute: "name", operator: "is", value: "x" }] },
      },
      { type: "group", combinator: "or", children: [{ type: "sql", sql: "1" }] },
    ],
  },
};

const source: SourceInfo = {
  path: "demo.sqlite",
  demo: true,
  default_entity: "profiles",
  default_now: null,
  schema: {
    entities: [
      {
        name: "profiles",
        key: "id",
        columns: [
          { name: "id", data_type: "number", storage: "integer", declared_type: "INTEGER", nullable: false },
          { name: "country", data_type: "text", storage: "text", declared_type: "TEXT", nullable: true },
          { name: "age", data_type: "number", storage: "integer", declared_type: "INTEGER", nullable: true },
        ],
      },
    ],
    relationships: [],
  },
  types: [
    {
      data_type: "text",
      label: "text",
      operators: [
        { operator: "is_null", label: "is null", unary: true },
        { operator: "is", label: "is", unary: false },
      ],
    },
    {
      data_type: "number",
      label: "number",
      operators: [
        { operator: "is_null", label: "is null", unary: true },
        { operator: "equals", label: "=", unary: false },
        { operator: "between", label: "between", unary: false },
      ],
    },
  ],
};

describe("node pointers", () => {
  it("lists every node, relationship filters included", () => {
    expect(nodePointers(segment)).toEqual([
      "/root",
      "/root/children/0",
      "/root/children/1",
      "/root/children/1/filter",
      "/root/children/1/filter/children/0",
      "/root/children/2",
      "/root/children/2/children/0",
    ]);
  });

  it("places each problem at the deepest node it is about", () => {
    const problems = [
      { path: "/root/children/0/value", message: "a" },
      { path: "/root/children/1/constraint/value", message: "b" },
      { path: "/root/children/1/filter/children/0/attribute", message: "c" },
      { path: "/entity", message: "d" },
      { path: "/root/children/2/children/0/sql", message: "e" },
    ];
    const byNode = problemsByNode(segment, problems);
    expect(byNode.get("/root/children/0")?.map((p) => p.message)).toEqual(["a"]);
    expect(byNode.get("/root/children/1")?.map((p) => p.message)).toEqual(["b"]);
    expect(byNode.get("/root/children/1/filter/children/0")?.map((p) => p.message)).toEqual(["c"]);
    expect(byNode.get("")?.map((p) => p.message)).toEqual(["d"]);
    expect(byNode.get("/root/children/2/children/0")?.map((p) => p.message)).toEqual(["e"]);
    expect(problemField("/root/children/1", problems[1])).toBe("constraint");
    expect(problemField("/root/children/0", { path: "/root/children/0", message: "" })).toBeUndefined();
  });
});

describe("conditions", () => {
  it("start on the first non-key column with a valued operator", () => {
    const c = newCondition(source, source.schema.entities[0]);
    expect(c).toEqual({ type: "condition", attribute: "country", operator: "is", value: "" });
  });

  it("keep the operator and value when the new attribute allows them", () => {
    const entity = source.schema.entities[0];
    const age = entity.columns[2];
    const c = withAttribute(source, { type: "condition", attribute: "id", operator: "between", value: [1, 5] }, age);
    expect(c).toMatchObject({ attribute: "age", operator: "between", value: [1, 5] });
    const t = withAttribute(source, c, entity.columns[1]);
    expect(t).toMatchObject({ attribute: "country", operator: "is", value: "" });
  });
});

describe("typed edits of the tree", () => {
  it("updateNode with ofKind changes a node of that kind only", () => {
    const next = updateNode(segment, "/root/children/0", ofKind("condition", (c) => ({ ...c, value: "CA" })));
    expect(next.root.children[0]).toEqual({ type: "condition", attribute: "country", operator: "is", value: "CA" });
    expect(next.root.children[1]).toBe(segment.root.children[1]);
    const same = updateNode(segment, "/root/children/0", ofKind("sql", (n) => ({ ...n, sql: "2" })));
    expect(same.root.children[0]).toBe(segment.root.children[0]);
  });

  it("updateGroup edits the root, a nested group (still a group node) and a relationship's filter", () => {
    expect(updateGroup(segment, "/root", (g) => ({ ...g, negated: true })).root.negated).toBe(true);
    const nested = updateGroup(segment, "/root/children/2", (g) => ({ combinator: "and", children: g.children }));
    expect(nested.root.children[2]).toEqual({ type: "group", combinator: "and", children: [{ type: "sql", sql: "1" }] });
    expect(Object.keys(nested.root.children[2])[0]).toBe("type");
    const filter = addChild(segment, "/root/children/1/filter", { type: "sql", sql: "x" });
    expect(nodePointers(filter)).toContain("/root/children/1/filter/children/1");
  });

  it("addChild appends, removeNode removes by pointer", () => {
    const added = addChild(segment, "/root", { type: "sql", sql: "2" });
    expect(added.root.children).toHaveLength(4);
    const removed = removeNode(segment, "/root/children/1");
    expect(removed.root.children.map((c) => c.type)).toEqual(["condition", "group"]);
    expect(removeNode(segment, "/root/children/2/children/0").root.children[2]).toEqual({ type: "group", combinator: "or", children: [] });
    expect(segment.root.children).toHaveLength(3);
  });
});

describe("operator labels", () => {
  const ordered = [
    { operator: "is" as const, label: "is", unary: false },
    { operator: "less_than" as const, label: "<", unary: false },
    { operator: "less_than_or_equal" as const, label: "≤", unary: false },
    { operator: "greater_than" as const, label: ">", unary: false },
    { operator: "greater_than_or_equal" as const, label: "≥", unary: false },
  ];
  const source = {
    types: [
      { data_type: "text", label: "text", operators: ordered },
      { data_type: "number", label: "number", operators: ordered.slice(1) },
    ],
  } as unknown as SourceInfo;
  const column = (data_type: "text" | "number") => ({ name: "x", data_type, storage: "text", declared_type: "", nullable: true }) as const;

  it("reads text order in words, and leaves numbers' signs alone", () => {
    expect(operatorsFor(source, column("text")).map((o) => o.label)).toEqual(["is", "comes before", "is or comes before", "comes after", "is or comes after"]);
    expect(operatorsFor(source, column("number")).map((o) => o.label)).toEqual(["<", "≤", ">", "≥"]);
  });
});
