// Small wording helpers shared by several screens: plurals and the line above a related-records
// filter, worded like the All / Any toggle under it.
import type { Group } from "./bindings/Group";

/** "1 event", "3 events", "1,200 members" (`plural` defaults to `singular` + "s"). */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? singular : pluralForm}`;
}

/** The line above the conditions on related records: "counting all orders (add a condition to count only some)",
 * "counting only orders that match all of:", "…any of:", "…none of:" (as the toggle says). */
export function relatedFilterLabel(records: string, filter: Pick<Group, "combinator" | "children" | "negated">): string {
  if (filter.children.length === 0) return `counting all ${records} (add a condition to count only some)`;
  if (filter.children.length === 1) return `counting only ${records} that match:`;
  const which = filter.combinator === "or" ? (filter.negated ? "none" : "any") : filter.negated ? "not all" : "all";
  return `counting only ${records} that match ${which} of:`;
}
