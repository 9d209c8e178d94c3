// The Formats pane's pure logic: a small syntax tokenizer for the read-only code view, the
// input family guess for "Import definition", and locating a parse error in the pasted text.
import type { DefinitionError } from "../../bindings/DefinitionError";

export type TokenKind = "keyword" | "string" | "number" | "key" | "punct" | "comment" | "literal" | "text";
export type Token = { kind: TokenKind; text: string };
export type Language = "sql" | "json" | "text";

/** Which highlighter a format's text gets. */
export function languageOf(format: string): Language {
  if (format.startsWith("sql-")) return "sql";
  if (["canonical", "census", "pql-json", "odp"].includes(format)) return "json";
  return "text";
}

const SQL_KEYWORDS = new Set(
  (
    "select from where and or not in is null as on join left right inner outer exists count distinct " +
    "case when then else end between like ilike escape group by having order limit offset with union " +
    "all any cast true false interval date timestamp current_date current_timestamp lower upper coalesce " +
    "regexp glob similar to asc desc substr length extract year month day array unnest"
  ).split(" "),
);
// PQL text and OData words (and, or, not, eq, gt, …).
const TEXT_KEYWORDS = new Set(
  "and or not eq ne gt ge lt le in has any all true false null contains startswith endswith exists select count".split(" "),
);

/** Splits `text` into tokens whose texts concatenate back to `text` exactly. */
export function tokenize(text: string, language: Language): Token[] {
  const out: Token[] = [];
  const push = (kind: TokenKind, t: string) => {
    const last = out[out.length - 1];
    if (last && last.kind === kind && kind === "text") last.text += t;
    else out.push({ kind, text: t });
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const rest = text.slice(i);
    // Strings: '…' (SQL doubles the quote), "…" (JSON escapes with a backslash), `…`.
    if (c === "'" || c === '"' || c === "`") {
      let j = i + 1;
      while (j < text.length) {
        if (text[j] === "\\" && language !== "sql") j += 2;
        else if (text[j] === c && text[j + 1] === c && language !== "json") j += 2;
        else if (text[j] === c) break;
        else j++;
      }
      const s = text.slice(i, Math.min(j + 1, text.length));
      // A JSON string followed by ':' is a key; a double-quoted SQL name is an identifier.
      const after = text.slice(i + s.length).match(/^\s*:/);
      const kind: TokenKind =
        language === "json" && c === '"' && after ? "key" : language === "sql" && c !== "'" ? "text" : "string";
      push(kind, s);
      i += s.length;
      continue;
    }
    if (language === "sql" && rest.startsWith("--")) {
      const end = rest.indexOf("\n");
      const s = end < 0 ? rest : rest.slice(0, end);
      push("comment", s);
      i += s.length;
      continue;
    }
    const num = rest.match(/^-?\d+(\.\d+)?([eE][+-]?\d+)?/);
    if (num && !/[\w$]/.test(text[i - 1] ?? "")) {
      push("number", num[0]);
      i += num[0].length;
      continue;
    }
    const word = rest.match(/^[A-Za-z_][\w$]*/);
    if (word) {
      const w = word[0];
      const lower = w.toLowerCase();
      const kind: TokenKind =
        language === "json"
          ? ["true", "false", "null"].includes(w) ? "literal" : "text"
          : (language === "sql" ? SQL_KEYWORDS : TEXT_KEYWORDS).has(lower)
            ? ["true", "false", "null"].includes(lower) ? "literal" : "keyword"
            : "text";
      push(kind, w);
      i += w.length;
      continue;
    }
    if ("{}[](),:;=<>!".includes(c)) {
      push("punct", c);
      i++;
      continue;
    }
    push("text", c);
    i++;
  }
  return out;
}

/** Whether pasted text is one of the JSON formats or a text one (PQL text, OData). */
export function guessFamily(text: string): "json" | "text" | "empty" {
  const t = text.trimStart();
  if (!t) return "empty";
  return t.startsWith("{") || t.startsWith("[") ? "json" : "text";
}

/** The formats "Import definition" reads (the CLI's names), for the picker. */
export const IMPORT_FORMATS: { value: string; label: string }[] = [
  { value: "", label: "Detect automatically" },
  { value: "canonical", label: "Segment JSON" },
  { value: "census", label: "Census" },
  { value: "pql-text", label: "Adobe PQL" },
  { value: "pql-json", label: "PQL JSON" },
  { value: "odata", label: "OData filter" },
  { value: "odp", label: "Optimizely ODP" },
];

/** The offending line of a located error and where to underline it (0-based, in characters). */
export function errorSpan(text: string, line: number, column: number): { lineText: string; start: number; length: number } | null {
  const lines = text.split("\n");
  if (line < 1 || line > lines.length) return null;
  const lineText = lines[line - 1].replace(/\r$/, "");
  const chars = Array.from(lineText);
  const start = Math.max(0, Math.min(column - 1, chars.length));
  // Underline the token at the column (to the next space or bracket), at least one character.
  let end = start;
  while (end < chars.length && !/[\s()]/.test(chars[end])) end++;
  return { lineText, start, length: Math.max(1, end - start) };
}

/** "line 2, column 5" or "at /root/children/0", for the error banner. */
/** A message without the "(at /root/…)" its Rust error appends, when the place is shown apart
 * (otherwise every error would print its path twice). */
export function withoutPath(message: string, path: string | null | undefined): string {
  if (!path) return message;
  const m = message.split(` (at ${path})`).join("");
  return (m.endsWith(` at ${path}`) ? m.slice(0, -` at ${path}`.length) : m).trim();
}

export function describeWhere(e: DefinitionError): string {
  if (e.line != null && e.column != null) return `line ${e.line}, column ${e.column}`;
  if (e.path) return `at ${e.path}`;
  return "";
}


/** Copies text, falling back to a hidden textarea and execCommand where the clipboard API is missing or refused. */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through
  }
  try {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  } catch {
    return false;
  }
}
