// @vitest-environment jsdom
// "Treat as…" in the schema browser: a proposal is one click, a choice declares it, "As stored"
// removes it, and a refusal shows the values that do not fit.
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { call } from "../../ipc";
import { fakeCall } from "../../test/ipcMock";
import { TreatAs } from "./TreatAs";

vi.mock("../../ipc", async (importOriginal) => ({ ...(await importOriginal<typeof import("../../ipc")>()), call: vi.fn() }));

const declared = vi.fn();

beforeEach(() => {
  declared.mockReset();
  vi.mocked(call).mockImplementation(
    fakeCall({
      declare_meaning: (args) => {
        declared(args);
        if (args.column === "name") {
          throw { kind: "invalid_request", message: "cannot treat events.name as date & time (ISO text): 5 of its 5 values are not ISO date-times: “login”", path: null };
        }
        return { declared: [], proposals: [] };
      },
    }),
  );
});
afterEach(cleanup);

describe("TreatAs", () => {
  it("declares a proposal in one click, then reloads", async () => {
    const onChanged = vi.fn();
    render(
      <TreatAs
        data="/d/own.sqlite"
        table="events"
        column="ts"
        proposal={{ table: "events", column: "ts", meaning: "epoch-millis", reason: "named like a time" }}
        onChanged={onChanged}
      />,
    );
    const suggestion = screen.getByRole("button", { name: "Treat as date & time (milliseconds since 1970)?" });
    expect(suggestion.getAttribute("title")).toBe("named like a time");
    await userEvent.click(suggestion);
    expect(declared).toHaveBeenCalledWith({ data: "/d/own.sqlite", table: "events", column: "ts", meaning: "epoch-millis" });
    expect(onChanged).toHaveBeenCalledTimes(1);
  });

  it("shows the declared meaning, and As stored removes it", async () => {
    const onChanged = vi.fn();
    render(<TreatAs data="/d/own.sqlite" table="events" column="ts" declared={{ table: "events", column: "ts", meaning: "epoch-seconds" }} onChanged={onChanged} />);
    const select = screen.getByRole<HTMLSelectElement>("combobox", { name: "Treat ts as" });
    expect(select.value).toBe("epoch-seconds");
    expect(screen.queryByTestId("meaning-proposal")).toBeNull();
    await userEvent.selectOptions(select, "");
    expect(declared).toHaveBeenCalledWith({ data: "/d/own.sqlite", table: "events", column: "ts", meaning: null });
    expect(onChanged).toHaveBeenCalledTimes(1);
  });

  it("says which values do not fit when the choice is refused", async () => {
    const onChanged = vi.fn();
    render(<TreatAs data="/d/own.sqlite" table="events" column="name" onChanged={onChanged} />);
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Treat name as" }), "iso-datetime");
    expect((await screen.findByRole("alert")).textContent).toContain("5 of its 5 values are not ISO date-times: “login”");
    expect(onChanged).not.toHaveBeenCalled();
    expect(screen.getByRole<HTMLSelectElement>("combobox", { name: "Treat name as" }).value).toBe("");
  });
});
