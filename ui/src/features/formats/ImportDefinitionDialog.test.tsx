// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Segment } from "../../bindings/Segment";
import { invoke } from "@tauri-apps/api/core";
import { appError } from "../../ipc";
import { fakeCall } from "../../test/ipcMock";
import { ImportDefinitionDialog } from "./ImportDefinitionDialog";

// The Tauri runtime is faked, so the real `call` normalises what a command rejects with.
vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

const imported: Segment = { version: 1, entity: "profiles", root: { combinator: "and", children: [{ type: "condition", attribute: "country", operator: "is", value: "US" }] } };

beforeEach(() => {
  vi.mocked(invoke).mockReset();
});
afterEach(cleanup);

function renderDialog() {
  const onClose = vi.fn();
  const onImported = vi.fn();
  render(<ImportDefinitionDialog entity="profiles" onClose={onClose} onImported={onImported} />);
  return { user: userEvent.setup(), onClose, onImported };
}

async function paste(user: ReturnType<typeof userEvent.setup>, text: string) {
  await user.click(screen.getByTestId("import-text"));
  await user.paste(text);
}

describe("import definition", () => {
  it("Import waits for text, and says which formats auto-detection tries", async () => {
    const { user } = renderDialog();
    expect((screen.getByTestId("import-submit") as HTMLButtonElement).disabled).toBe(true);
    expect(screen.queryByTestId("import-family")).toBeNull();
    await paste(user, '{"version": 1}');
    expect(screen.getByTestId("import-family").textContent).toBe("JSON: tries canonical, Census, PQL JSON, ODP");
    await user.clear(screen.getByTestId("import-text"));
    await paste(user, "country eq 'US'");
    expect(screen.getByTestId("import-family").textContent).toBe("text: tries PQL text, then OData");
    await user.selectOptions(screen.getByTestId("import-format"), "odata");
    expect(screen.queryByTestId("import-family")).toBeNull();
  });

  it("imports: the text, the chosen format and the builder's entity go to the command", async () => {
    vi.mocked(invoke).mockImplementation(fakeCall({ import_definition: () => ({ segment: imported, format: "odata", label: "OData $filter" }) }));
    const { user, onImported } = renderDialog();
    await paste(user, "country eq 'US'");
    await user.selectOptions(screen.getByTestId("import-format"), "odata");
    await user.click(screen.getByTestId("import-submit"));
    expect(invoke).toHaveBeenCalledWith("import_definition", { text: "country eq 'US'", format: "odata", entity: "profiles" });
    expect(onImported).toHaveBeenCalledWith(imported);
  });

  it("reads an OData filter as Microsoft Graph does (text ignoring case) when asked", async () => {
    vi.mocked(invoke).mockImplementation(fakeCall({ import_definition: () => ({ segment: imported, format: "odata", label: "OData $filter" }) }));
    const { user } = renderDialog();
    expect(screen.queryByTestId("import-odata-ignore-case")).toBeNull();
    await paste(user, "mail eq 'A@x.org'");
    await user.selectOptions(screen.getByTestId("import-format"), "odata");
    await user.click(screen.getByTestId("import-odata-ignore-case"));
    await user.click(screen.getByTestId("import-submit"));
    expect(invoke).toHaveBeenCalledWith("import_definition", { text: "mail eq 'A@x.org'", format: "odata", entity: "profiles", odataIgnoreCase: true });
  });

  it("can read a definition without the data: attributes as written, the entity from the format", async () => {
    vi.mocked(invoke).mockImplementation(fakeCall({ import_definition: () => ({ segment: imported, format: "pql-text", label: "Adobe PQL" }) }));
    const { user, onImported } = renderDialog();
    await paste(user, 'homeAddress.countryISO = "CA"');
    await user.click(screen.getByTestId("import-without-data"));
    await user.click(screen.getByTestId("import-submit"));
    expect(invoke).toHaveBeenCalledWith("import_definition", { text: 'homeAddress.countryISO = "CA"', format: null, entity: null, withoutData: true });
    expect(onImported).toHaveBeenCalledWith(imported);
  });

  it("shows where the text stops reading: the line, the token underlined, the hint", async () => {
    vi.mocked(invoke).mockImplementation(
      fakeCall({
        import_definition: () => {
          const definition = { message: "unknown operator 'eqq'", format: "odata", line: 2, column: 9, path: null, hint: "Comparisons are eq, ne, gt, ge, lt, le." };
          throw { ...appError("definition", definition.message), definition };
        },
      }),
    );
    const { user, onImported } = renderDialog();
    await paste(user, "age ge 21 and\ncountry eqq 'US'");
    await user.click(screen.getByTestId("import-submit"));
    expect(onImported).not.toHaveBeenCalled();
    expect(screen.getByTestId("import-error").textContent).toContain("odata: ");
    expect(screen.getByTestId("import-error-message").textContent).toBe("unknown operator 'eqq'");
    expect(screen.getByTestId("import-error-where").textContent).toBe(" (line 2, column 9)");
    expect(screen.getByTestId("import-error-line").textContent).toContain("country eqq 'US'");
    expect(screen.getByTestId("import-error-mark").textContent).toBe("eqq");
    expect(screen.getByTestId("import-error-hint").textContent).toBe("Comparisons are eq, ne, gt, ge, lt, le.");
  });

  it("any other failure of the command is shown as its message", async () => {
    vi.mocked(invoke).mockImplementation(fakeCall({ import_definition: () => { throw appError("internal", "the app is busy"); } }));
    const { user } = renderDialog();
    await paste(user, "x");
    await user.click(screen.getByTestId("import-submit"));
    expect(screen.getByTestId("import-error-message").textContent).toBe("the app is busy");
    expect(screen.queryByTestId("import-error-line")).toBeNull();
  });

  it("Cancel and a click outside close it", async () => {
    const { user, onClose } = renderDialog();
    await user.click(screen.getByTestId("import-cancel"));
    expect(onClose).toHaveBeenCalledTimes(1);
    await user.click(screen.getByTestId("import-dialog"));
    expect(onClose).toHaveBeenCalledTimes(1); // inside the dialog: stays open
    await user.click(document.querySelector(".modal-backdrop")!);
    expect(onClose).toHaveBeenCalledTimes(2);
  });
});
