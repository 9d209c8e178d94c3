// Whether a saved segment fits the open data: what it needs (its table, its columns, its
// related records) and what of that the open data lacks, in words.
import type { Group } from "../../bindings/Group";
import type { Schema } from "../../bindings/Schema";
import type { Segment } from "../../bindings/Segment";
import type { SegmentRecord } from "../../bindings/SegmentRecord";

/** What `segment` uses that `schema` does not have: "table profiles", "column profiles.email",
 * "related records orders (profiles → orders)". Empty when it fits. */
export function missingInSchema(segment: Segment | null | undefined, schema: Schema): string[] {
  const missing: string[] = [];
  const note = (what: string) => missing.includes(what) || missing.push(what);
  const walk = (g: Group, entityName: string) => {
    const entity = schema.entities.find((e) => e.name === entityName);
    if (!entity) return void note(`table ${entityName}`);
    for (const n of g.children) {
      if (n.type === "group") walk(n, entityName);
      else if (n.type === "condition") {
        if (n.attribute && !entity.columns.some((c) => c.name === n.attribute)) note(`column ${entityName}.${n.attribute}`);
      } else if (n.type === "relationship") {
        const rel = schema.relationships.find((r) => r.name === n.relationship && (r.from_entity === entityName || r.to_entity === entityName));
        if (!rel) note(`related records “${n.relationship}” of ${entityName}`);
        else walk(n.filter, rel.from_entity === entityName ? rel.to_entity : rel.from_entity);
      }
    }
  };
  if (segment?.entity) walk(segment.root, segment.entity);
  return missing;
}

/** The file name of a data source path ("crm.sqlite"). */
export function sourceName(path: string | null | undefined): string {
  return path ? (path.split(/[\\/]/).pop() ?? path) : "";
}

export type DataFit = { record: SegmentRecord; savedOn: string | null; missing: string[] };

/** Why opening `record` on the open data needs a word first, or null when it fits: saved on
 * another data source, or needing tables or columns the open data lacks. */
export function dataFit(record: SegmentRecord, sourcePath: string, schema: Schema): DataFit | null {
  const savedOn = record.dataSource && record.dataSource !== sourcePath ? record.dataSource : null;
  const missing = missingInSchema(record.definition, schema);
  return savedOn || missing.length ? { record, savedOn, missing } : null;
}
