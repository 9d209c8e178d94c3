// Record values as a marketer reads them: dates as dates (not Unix seconds), booleans as Yes / No
// (not 0 / 1), numbers grouped, lists joined; a record's display name; keys ordered by their type
// (numbers numerically: 481 before 10096). Pure, unit-tested in fields.test.ts.
import type { DataType } from "../../bindings/DataType";
import type { Storage } from "../../bindings/Storage";

export type ColumnType = { data_type: DataType; storage: Storage };

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

/** "2026-10-04" for a midnight, "2026-10-04 13:05 UTC" otherwise (all stored instants are UTC). */
export function formatInstant(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return String(ms);
  const iso = d.toISOString();
  return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** Identifiers and codes are not quantities: no thousands separators. */
const isIdentifier = (name: string) => /(^id$|_id$|^key$|_key$|code$|zip|postal|phone|year$)/i.test(name);

/** One field's value as text, by its column's type (`column` unknown: by the value alone). */
export function formatField(value: unknown, column?: ColumnType, name = ""): string {
  if (value === null || value === undefined) return "—";
  const type = column?.data_type;
  if (type === "boolean" || typeof value === "boolean") {
    if (value === 1 || value === true || value === "1" || value === "true") return "Yes";
    if (value === 0 || value === false || value === "0" || value === "false") return "No";
  }
  if (type === "datetime") {
    if (typeof value === "number") return formatInstant(column?.storage === "unix_seconds" || value < 1e11 ? value * 1000 : value);
    if (typeof value === "string") {
      const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]00:?00)?)?$/.exec(value.trim());
      if (m) return m[2] && m[2] !== "00:00" ? `${m[1]} ${m[2]}${m[3] ? " UTC" : ""}` : m[1];
      return value;
    }
  }
  if (type === "array" || Array.isArray(value)) {
    let items = value;
    if (typeof value === "string") {
      try {
        items = JSON.parse(value);
      } catch {
        return value;
      }
    }
    if (Array.isArray(items)) return items.length === 0 ? "(none)" : items.map((v) => formatField(v)).join(", ");
  }
  if (typeof value === "number") {
    if (isIdentifier(name)) return String(value);
    return Number.isInteger(value) ? integer.format(value) : decimal.format(value);
  }
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** A short name for a record: first and last name, or a name, e-mail, title… ("" when none). */
export function displayName(record: Record<string, unknown> | null | undefined): string {
  if (!record) return "";
  const text = (k: string) => (typeof record[k] === "string" ? (record[k] as string).trim() : "");
  const full = [text("first_name"), text("last_name")].filter(Boolean).join(" ");
  if (full) return full;
  for (const k of ["full_name", "name", "display_name", "email", "title", "label", "company"]) if (text(k)) return text(k);
  return "";
}

/** The column that names records of an entity, when it has one (for a display column). */
export function displayColumns(columns: { name: string }[]): string[] {
  const names = new Set(columns.map((c) => c.name));
  if (names.has("first_name") || names.has("last_name")) return ["first_name", "last_name"].filter((n) => names.has(n));
  const one = ["full_name", "name", "display_name", "email", "title", "label", "company"].find((n) => names.has(n));
  return one ? [one] : [];
}

/** Orders keys as their type says: numbers numerically (non-numbers after them), text naturally
 * ("user2" before "user10"). */
export function compareKeys(a: string, b: string, keyType: DataType | undefined): number {
  if (keyType === "number") {
    const x = Number(a);
    const y = Number(b);
    const xn = a.trim() !== "" && Number.isFinite(x);
    const yn = b.trim() !== "" && Number.isFinite(y);
    if (xn && yn) return x - y || a.localeCompare(b);
    if (xn !== yn) return xn ? -1 : 1;
  }
  return a.localeCompare(b, "en", { numeric: true });
}

/** A key typed as the entity's key column reads it (a number key as a number), or null when it
 * cannot be one (such a member is not in the data). */
export function typedKey(id: string, keyType: DataType | undefined): string | number | null {
  if (keyType !== "number") return id;
  const n = Number(id);
  return id.trim() !== "" && Number.isFinite(n) ? n : null;
}
