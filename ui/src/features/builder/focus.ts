// Focus in the builder: which row has it, moving it to a row's first field after an edit, and
// whether the user is typing in a text field (where Ctrl+Z belongs to the field).

const ROW = '[data-testid="condition"], [data-testid="sql-condition"], [data-testid="relationship"], [data-testid="group"]';
const FIELD = "select, input, textarea, button";

/** Whether `el` takes typed text (its own Ctrl+Z, Delete and letters). */
export function isTextEntry(el: Element | null): el is HTMLInputElement | HTMLTextAreaElement {
  if (el instanceof HTMLTextAreaElement) return true;
  if (!(el instanceof HTMLInputElement)) return false;
  return !["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"].includes(el.type);
}

/** The merge key of an edit made while typing in a text field (one undo step per field visit). */
export function typingKey(pointer: string): string | undefined {
  const el = typeof document === "undefined" ? null : document.activeElement;
  if (!isTextEntry(el)) return undefined;
  return `${pointer} ${el.dataset.testid ?? el.getAttribute("aria-label") ?? ""}`;
}

/** The pointer of the row (condition, SQL, related records or nested group) holding `el`. */
export function rowOf(el: Element | null): string | undefined {
  const row = el?.closest(ROW);
  const at = row?.getAttribute("data-path") ?? undefined;
  return at === "/root" ? undefined : at;
}

/** Focuses the first field of the row at `at`; a group without rows gets its "+ Condition". */
export function focusRow(at: string, root: ParentNode = document) {
  const row = root.querySelector(`[data-path="${at.replace(/["\\]/g, "\\$&")}"]`);
  if (!row) return;
  const isEmptyGroup = row.getAttribute("data-testid") === "group" && !row.querySelector(".group-body [data-path]");
  const target = isEmptyGroup ? row.querySelector<HTMLElement>('[data-testid="add-condition"]') : row.querySelector<HTMLElement>(FIELD);
  (target ?? (row as HTMLElement)).focus();
}
