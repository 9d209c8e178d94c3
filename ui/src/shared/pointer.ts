// JSON Pointers (RFC 6901) name every node of the canonical tree: "/root/children/1" is the second
// child of the root group. The Rust side reports problems with the same pointers, so the UI can
// show each problem at the node it is about.

export function tokens(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new Error(`not a JSON Pointer: ${pointer}`);
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

export function join(pointer: string, ...more: (string | number)[]): string {
  return pointer + more.map((t) => "/" + String(t).replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

export function get(doc: unknown, pointer: string): unknown {
  let cur: unknown = doc;
  for (const t of tokens(pointer)) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[t];
  }
  return cur;
}

/** A copy of `doc` with the value at `pointer` replaced by `fn(old)`; other branches are shared.
 * Untyped on purpose (any JSON document); the typed edits of the segment tree are in tree.ts. */
export function update<T>(doc: T, pointer: string, fn: (old: unknown) => unknown): T {
  const ts = tokens(pointer);
  const go = (cur: unknown, i: number): unknown => {
    if (i === ts.length) return fn(cur);
    const key = ts[i];
    if (Array.isArray(cur)) {
      const copy = cur.slice();
      copy[Number(key)] = go(cur[Number(key)], i + 1);
      return copy;
    }
    const obj = cur !== null && typeof cur === "object" ? (cur as Record<string, unknown>) : {};
    return { ...obj, [key]: go(obj[key], i + 1) };
  };
  return go(doc, 0) as T;
}

/** The parent pointer and last token: "/root/children/2" → ["/root/children", "2"]. */
export function split(pointer: string): [string, string] {
  const i = pointer.lastIndexOf("/");
  return [pointer.slice(0, i), pointer.slice(i + 1).replace(/~1/g, "/").replace(/~0/g, "~")];
}
