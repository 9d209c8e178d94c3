import { describe, expect, it } from "vitest";
import { errorSpan, guessFamily, languageOf, tokenize, withoutPath } from "./formats";

const kinds = (text: string, lang: "sql" | "json" | "text") =>
  tokenize(text, lang).filter((t) => t.kind !== "text" && t.kind !== "punct").map((t) => `${t.kind}:${t.text}`);

describe("tokenize", () => {
  it("round-trips any text", () => {
    for (const [t, l] of [
      ['SELECT COUNT(*) FROM "profiles" WHERE country = \'U\'\'S\' AND age >= 21.5', "sql"],
      ['{"a": [1, -2.5e3, true, null, "x\\"y"]}', "json"],
      ["country eq 'US' and (age gt 3", "text"],
      ["'unterminated", "sql"],
    ] as const) {
      expect(tokenize(t, l).map((x) => x.text).join("")).toBe(t);
    }
  });
  it("marks SQL keywords, strings and numbers", () => {
    expect(kinds("SELECT COUNT(*) FROM t WHERE c = 'it''s' AND n >= 21", "sql")).toEqual([
      "keyword:SELECT", "keyword:COUNT", "keyword:FROM", "keyword:WHERE", "string:'it''s'", "keyword:AND", "number:21",
    ]);
  });
  it("does not take a quoted SQL name for a string or digits in a name for a number", () => {
    expect(kinds('SELECT "col1" FROM t2', "sql")).toEqual(["keyword:SELECT", "keyword:FROM"]);
  });
  it("tells JSON keys from values", () => {
    expect(kinds('{"version": 1, "entity": "profiles", "x": false}', "json")).toEqual([
      "key:\"version\"", "number:1", "key:\"entity\"", "string:\"profiles\"", "key:\"x\"", "literal:false",
    ]);
  });
  it("knows PQL and OData words", () => {
    expect(kinds("country eq 'US' and not (age gt 30)", "text")).toEqual([
      "keyword:eq", "string:'US'", "keyword:and", "keyword:not", "keyword:gt", "number:30",
    ]);
  });
});

describe("auto-detect and error positions", () => {
  it("guesses the family from the first character", () => {
    expect(guessFamily('  {"root": {}}')).toBe("json");
    expect(guessFamily("[1]")).toBe("json");
    expect(guessFamily("country eq 'US'")).toBe("text");
    expect(guessFamily("  \n")).toBe("empty");
  });
  it("maps formats to highlighters", () => {
    expect(languageOf("sql-duckdb")).toBe("sql");
    expect(languageOf("pql-json")).toBe("json");
    expect(languageOf("odata")).toBe("text");
  });
  it("underlines the token at a 1-based line and column", () => {
    expect(errorSpan("a eq 1 and\n  (age gt )", 2, 11)).toEqual({ lineText: "  (age gt )", start: 10, length: 1 });
    expect(errorSpan("country eq 'US' annd x", 1, 17)).toEqual({ lineText: "country eq 'US' annd x", start: 16, length: 4 });
    expect(errorSpan("abc", 1, 99)).toEqual({ lineText: "abc", start: 3, length: 1 });
    expect(errorSpan("abc", 3, 1)).toBeNull();
  });
});

describe("withoutPath", () => {
  it("drops the place a message repeats when it is shown apart", () => {
    const path = "/root/children/1";
    expect(withoutPath("OData $filter cannot express related records (at /root/children/1)", path)).toBe("OData $filter cannot express related records");
    expect(withoutPath("Bad value at /root/children/1", path)).toBe("Bad value");
    expect(withoutPath("Bad value (at /root/children/10)", path)).toBe("Bad value (at /root/children/10)");
    expect(withoutPath("Bad value", null)).toBe("Bad value");
  });
});
