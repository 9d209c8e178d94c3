// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useEffect } from "react";
import { afterEach, describe, expect, it } from "vitest";
import type { Node } from "../../bindings/Node";
import type { Segment } from "../../bindings/Segment";
import { problemsByNode } from "../../shared/tree";
import { SOURCE } from "../../test/fixtures";
import { Conditions } from "./Conditions";
import { useSegmentTree } from "./useSegmentTree";

afterEach(cleanup);

const c = (value: string): Node => ({ type: "condition", attribute: "country", operator: "is", value });
const seg = (children: Node[]): Segment => ({ version: 1, entity: "profiles", root: { combinator: "and", children } });
/** Condition values in order, groups as arrays. */
const shape = (nodes: Node[]): unknown[] => nodes.map((n) => (n.type === "group" ? shape(n.children) : n.type === "condition" ? n.value : n.type));

function Harness({ initial, onChange }: { initial: Segment; onChange: (s: Segment) => void }) {
  const tree = useSegmentTree(initial);
  const segment = tree.segment!;
  useEffect(() => {
    onChange(segment);
  }, [segment, onChange]);
  return (
    <section onBlur={tree.seal}>
      <Conditions source={SOURCE} tree={{ ...tree, segment }} problems={problemsByNode(segment, [])} />
    </section>
  );
}

function setup(initial: Segment) {
  let current = initial;
  const user = userEvent.setup();
  render(<Harness initial={initial} onChange={(s) => (current = s)} />);
  return { user, segment: () => current, values: () => shape(current.root.children) };
}

const rows = () => screen.getAllByTestId("condition");

describe("undo and redo", () => {
  it("brings a deleted group back from the toast, then redoes it", async () => {
    const { user, values } = setup(seg([c("a"), { type: "group", combinator: "or", children: [c("g")] }]));
    const group = screen.getAllByTestId("group")[1];
    await user.click(within(group).getByLabelText("Remove group"));
    expect(values()).toEqual(["a"]);
    expect(screen.getByTestId("undo-toast-text").textContent).toBe("Deleted group");
    await user.click(screen.getByTestId("toast-undo"));
    expect(values()).toEqual(["a", ["g"]]);
    expect(screen.getByTestId("undo-toast-text").textContent).toBe("Undone: deleted group");
    await user.click(screen.getByTestId("toast-redo"));
    expect(values()).toEqual(["a"]);
  });

  it("undoes Clear all and edits with the keyboard and the toolbar", async () => {
    const { user, values } = setup(seg([c("a"), c("b")]));
    expect((screen.getByTestId("undo") as HTMLButtonElement).disabled).toBe(true);
    await user.click(screen.getByTestId("clear"));
    expect(values()).toEqual([]);
    expect(screen.getByTestId("undo-toast-text").textContent).toBe("Cleared all conditions");
    await user.keyboard("{Control>}z{/Control}");
    expect(values()).toEqual(["a", "b"]);
    await user.keyboard("{Control>}{Shift>}z{/Shift}{/Control}");
    expect(values()).toEqual([]);
    await user.keyboard("{Control>}z{/Control}");
    await user.click(screen.getByTestId("redo"));
    expect(values()).toEqual([]);
    await user.keyboard("{Control>}y{/Control}"); // nothing left to redo
    expect(values()).toEqual([]);
  });

  it("leaves Ctrl+Z to a text field while typing, then undoes the typing as one edit", async () => {
    const { user, values } = setup(seg([c("a")]));
    const input = screen.getByTestId("value");
    await user.click(input);
    await user.type(input, "bc");
    expect(values()).toEqual(["abc"]);
    await user.keyboard("{Control>}z{/Control}");
    expect(values()).toEqual(["abc"]); // not the builder's undo: the field's own
    await user.click(screen.getByTestId("attribute")); // leaving the field commits the edit
    await user.keyboard("{Control>}z{/Control}");
    expect(values()).toEqual(["a"]);
  });
});

describe("moving, duplicating, wrapping", () => {
  it("moves a row down and up from its menu and with Alt+arrows, keeping the focus on it", async () => {
    const { user, values } = setup(seg([c("a"), c("b"), c("c")]));
    await user.click(within(rows()[0]).getByTestId("row-menu"));
    expect(screen.getByTestId("row-up")).toHaveProperty("disabled", true);
    await user.click(screen.getByTestId("row-down"));
    expect(values()).toEqual(["b", "a", "c"]);
    expect(document.activeElement).toBe(within(rows()[1]).getByTestId("attribute"));
    await user.keyboard("{Alt>}{ArrowDown}{/Alt}");
    expect(values()).toEqual(["b", "c", "a"]);
    expect(document.activeElement).toBe(within(rows()[2]).getByTestId("attribute"));
    await user.keyboard("{Alt>}{ArrowUp}{/Alt}");
    expect(values()).toEqual(["b", "a", "c"]);
  });

  it("moves a condition into the group above and back out of it", async () => {
    const { user, values } = setup(seg([{ type: "group", combinator: "or", children: [c("g")] }, c("x")]));
    const x = () => rows().find((r) => within(r).getByTestId<HTMLInputElement>("value").value === "x")!;
    await user.click(within(x()).getByTestId("row-menu"));
    await user.click(screen.getByTestId("row-into"));
    expect(values()).toEqual([["g", "x"]]);
    await user.click(within(x()).getByTestId("row-menu"));
    expect(screen.getByTestId("row-into")).toHaveProperty("disabled", true);
    await user.click(screen.getByTestId("row-out"));
    expect(values()).toEqual([["g"], "x"]);
  });

  it("duplicates a condition and wraps one in a group; each is one undo step", async () => {
    const { user, values } = setup(seg([c("a"), c("b")]));
    await user.click(within(rows()[0]).getByTestId("row-menu"));
    await user.click(screen.getByTestId("row-duplicate"));
    expect(values()).toEqual(["a", "a", "b"]);
    await user.click(within(rows()[2]).getByTestId("row-menu"));
    await user.click(screen.getByTestId("row-wrap"));
    expect(values()).toEqual(["a", "a", ["b"]]);
    await user.click(screen.getByTestId("undo"));
    await user.click(screen.getByTestId("undo"));
    expect(values()).toEqual(["a", "b"]);
  });

  it("collapses a group to a summary and opens it again", async () => {
    const { user } = setup(seg([{ type: "group", combinator: "or", children: [c("g1"), c("g2")] }]));
    await user.click(screen.getByTestId("group-collapse"));
    expect(screen.queryAllByTestId("condition")).toHaveLength(0);
    expect(screen.getByTestId("group-collapsed").textContent).toContain("2 conditions hidden");
    await user.click(screen.getByTestId("group-collapsed"));
    expect(rows()).toHaveLength(2);
  });

  it("drops a dragged row into another group", () => {
    const { values } = setup(seg([c("a"), { type: "group", combinator: "or", children: [c("g")] }]));
    const data = new Map<string, string>();
    const dataTransfer = { setData: (k: string, v: string) => data.set(k, v), getData: (k: string) => data.get(k), effectAllowed: "", dropEffect: "" };
    fireEvent.dragStart(within(rows()[0]).getByTestId("drag-handle"), { dataTransfer });
    const target = rows()[1]; // "g", inside the group
    target.getBoundingClientRect = () => ({ top: 0, height: 40, bottom: 40, left: 0, right: 100, width: 100, x: 0, y: 0, toJSON: () => ({}) });
    fireEvent.dragOver(target, { dataTransfer, clientY: 30 });
    expect(target.className).toContain("drop-after");
    fireEvent.drop(target, { dataTransfer, clientY: 30 });
    expect(values()).toEqual([["g", "a"]]);
  });

  it("appends a row dropped on a group's empty space, and not on the row's own group", () => {
    const { values } = setup(seg([c("a"), { type: "group", combinator: "or", children: [] }]));
    const data = new Map<string, string>();
    const dataTransfer = { setData: (k: string, v: string) => data.set(k, v), getData: (k: string) => data.get(k), effectAllowed: "", dropEffect: "" };
    const nested = () => screen.getAllByTestId("group")[1];
    fireEvent.dragStart(within(nested()).getByTestId("drag-handle"), { dataTransfer });
    fireEvent.dragOver(within(nested()).getByText(/No conditions yet/), { dataTransfer });
    expect(nested().className).not.toContain("drop-into");
    fireEvent.dragEnd(within(nested()).getByTestId("drag-handle"), { dataTransfer });
    fireEvent.dragStart(within(rows()[0]).getByTestId("drag-handle"), { dataTransfer });
    fireEvent.dragOver(within(nested()).getByText(/No conditions yet/), { dataTransfer });
    expect(nested().className).toContain("drop-into");
    fireEvent.drop(within(nested()).getByText(/No conditions yet/), { dataTransfer });
    expect(values()).toEqual([["a"]]);
  });

  it("accepts a drop from the moment the pointer enters the target, before any dragover", () => {
    // WebKit answers a release right after entering an element with the dragenter's answer.
    const { values } = setup(seg([c("a"), { type: "group", combinator: "or", children: [] }]));
    const data = new Map<string, string>();
    const dataTransfer = { setData: (k: string, v: string) => data.set(k, v), getData: (k: string) => data.get(k), effectAllowed: "", dropEffect: "" };
    const nested = () => screen.getAllByTestId("group")[1];
    fireEvent.dragStart(within(rows()[0]).getByTestId("drag-handle"), { dataTransfer });
    const empty = within(nested()).getByText(/No conditions yet/);
    expect(fireEvent.dragEnter(empty, { dataTransfer })).toBe(false); // cancelled: the drop is accepted
    expect(nested().className).toContain("drop-into");
    fireEvent.drop(empty, { dataTransfer });
    expect(values()).toEqual([["a"]]);
  });

  it("does not accept a row over itself (released there, it stays where it was)", () => {
    setup(seg([c("a"), c("b")]));
    const data = new Map<string, string>();
    const dataTransfer = { setData: (k: string, v: string) => data.set(k, v), getData: (k: string) => data.get(k), effectAllowed: "", dropEffect: "" };
    fireEvent.dragStart(within(rows()[0]).getByTestId("drag-handle"), { dataTransfer });
    expect(fireEvent.dragEnter(rows()[0], { dataTransfer })).toBe(true);
    expect(fireEvent.dragOver(rows()[0], { dataTransfer })).toBe(true);
    expect(rows()[0].className).not.toMatch(/drop-/);
    expect(screen.getAllByTestId("group")[0].className).not.toContain("drop-into");
    fireEvent.dragEnd(within(rows()[0]).getByTestId("drag-handle"), { dataTransfer });
  });
});

describe("keyboard", () => {
  it("adds a condition with Alt+N and puts the focus in its first field", async () => {
    const { user, values } = setup(seg([c("a")]));
    await user.click(screen.getByTestId("value"));
    await user.keyboard("{Alt>}n{/Alt}");
    expect(values()).toEqual(["a", ""]);
    expect(document.activeElement).toBe(within(rows()[1]).getByTestId("attribute"));
    await user.keyboard("{Alt>}g{/Alt}");
    expect(values()).toEqual(["a", "", []]);
  });

  it("deletes the row with the focus and moves the focus to the next row", async () => {
    const { user, values } = setup(seg([c("a"), c("b"), c("c")]));
    act(() => within(rows()[1]).getByTestId("attribute").focus());
    await user.keyboard("{Delete}");
    expect(values()).toEqual(["a", "c"]);
    expect(document.activeElement).toBe(within(rows()[1]).getByTestId("attribute"));
    await user.keyboard("{Delete}"); // the last row: the focus goes to the one before
    expect(values()).toEqual(["a"]);
    expect(document.activeElement).toBe(within(rows()[0]).getByTestId("attribute"));
    await user.keyboard("{Delete}"); // none left: the group's "+ Condition"
    expect(document.activeElement).toBe(screen.getByTestId("add-condition"));
  });

  it("keeps Delete and ? for the text field while typing", async () => {
    const { user, values } = setup(seg([c("ab")]));
    await user.click(screen.getByTestId("value"));
    await user.keyboard("{Delete}?");
    expect(values()).toEqual(["ab?"]);
    expect(screen.queryByTestId("shortcut-sheet")).toBeNull();
  });

  it("opens the shortcut sheet with ? and closes it with Escape", async () => {
    const { user } = setup(seg([c("a")]));
    act(() => screen.getByTestId("attribute").focus());
    await user.keyboard("?");
    const sheet = screen.getByTestId("shortcut-sheet");
    expect(sheet.textContent).toContain("Undo");
    expect(sheet.textContent).toContain("Ctrl+Shift+Z");
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("shortcut-sheet")).toBeNull();
    expect(document.activeElement).toBe(screen.getByTestId("attribute"));
  });
});
