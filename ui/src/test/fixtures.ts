// Shared test data: a small schema (profiles with events) and the operators the editors offer.
import type { Segment } from "../bindings/Segment";
import type { SourceInfo } from "../bindings/SourceInfo";

export const SOURCE: SourceInfo = {
  path: "/data/demo.sqlite",
  demo: true,
  default_entity: "profiles",
  default_now: "2024-06-01T00:00:00Z",
  schema: {
    entities: [
      {
        name: "profiles",
        key: "id",
        columns: [
          { name: "id", data_type: "number", storage: "integer", declared_type: "INTEGER", nullable: false },
          { name: "country", data_type: "text", storage: "text", declared_type: "TEXT", nullable: true },
          { name: "age", data_type: "number", storage: "integer", declared_type: "INTEGER", nullable: true },
          { name: "signed_up", data_type: "datetime", storage: "text", declared_type: "DATETIME", nullable: true },
        ],
      },
      {
        name: "events",
        key: "id",
        columns: [
          { name: "id", data_type: "number", storage: "integer", declared_type: "INTEGER", nullable: false },
          { name: "profile_id", data_type: "number", storage: "integer", declared_type: "INTEGER", nullable: false },
          { name: "name", data_type: "text", storage: "text", declared_type: "TEXT", nullable: true },
          { name: "at", data_type: "datetime", storage: "text", declared_type: "DATETIME", nullable: true },
        ],
      },
    ],
    relationships: [
      { id: 1, name: "events", from_entity: "profiles", from_column: "id", to_entity: "events", to_column: "profile_id", cardinality: "one_to_many", time_column: "at" },
    ],
  },
  types: [
    {
      data_type: "text",
      label: "text",
      operators: [
        { operator: "is", label: "is", unary: false },
        { operator: "is_one_of", label: "is one of", unary: false },
        { operator: "contains", label: "contains", unary: false },
        { operator: "is_null", label: "is empty", unary: true },
      ],
    },
    {
      data_type: "number",
      label: "number",
      operators: [
        { operator: "equals", label: "=", unary: false },
        { operator: "between", label: "between", unary: false },
        { operator: "is_null", label: "is empty", unary: true },
      ],
    },
    {
      data_type: "datetime",
      label: "date",
      operators: [
        { operator: "before", label: "before", unary: false },
        { operator: "in_the_last", label: "in the last", unary: false },
        { operator: "is_null", label: "is empty", unary: true },
      ],
    },
  ],
};

export const emptyProfiles = (): Segment => ({ version: 1, entity: "profiles", root: { combinator: "and", children: [] } });
