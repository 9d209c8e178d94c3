// @vitest-environment jsdom
// The SQL pane says which database's SQL it shows: the connected source's.
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { SqlPane } from "./Preview";

afterEach(cleanup);

describe("SqlPane", () => {
  it("names the dialect of the source the segment is counted on", () => {
    render(<SqlPane sql={'SELECT COUNT(*) FROM "profiles" AS t0'} dialect="PostgreSQL" />);
    expect(screen.getByTestId("sql-pane-title").textContent).toBe("SQL (PostgreSQL)");
    expect(screen.getByTestId("sql-pane").textContent).toContain('FROM "profiles"');
  });

  it("says only SQL while no dialect is known", () => {
    render(<SqlPane sql={null} />);
    expect(screen.getByTestId("sql-pane-title").textContent).toBe("SQL");
    expect(screen.getByTestId("sql-pane").textContent).toContain("once the segment is valid");
  });
});
