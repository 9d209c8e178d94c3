// @vitest-environment jsdom
// The warehouse form: "Test connection" shows what failed in the app's words, Connect sends the
// address, schema and the session's password, and Save keeps the profile without the password.
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { call } from "../../ipc";
import { fakeCall } from "../../test/ipcMock";
import { ConnectionPanel } from "./ConnectionPanel";

vi.mock("../../ipc", async (importOriginal) => ({ ...(await importOriginal<typeof import("../../ipc")>()), call: vi.fn() }));

const saved = vi.fn();

beforeEach(() => {
  saved.mockReset();
  vi.mocked(call).mockImplementation(
    fakeCall({
      connection_profiles: () => [{ name: "Shop", url: "postgresql://ann@db:5432/shop", schema: "crm" }],
      test_connection: () => ({
        ok: false,
        failure: "authentication",
        message: "PostgreSQL ann@db:5432/shop refused user ann: password authentication failed. Check the user name and password",
        tables: 0,
      }),
      connection_save: (args) => {
        saved(args);
        return [args.profile];
      },
    }),
  );
});
afterEach(cleanup);

describe("ConnectionPanel", () => {
  it("tests, connects with the session password and saves without it", async () => {
    const user = userEvent.setup();
    const onConnect = vi.fn(async () => undefined);
    render(<ConnectionPanel current="/data/demo.sqlite" onConnect={onConnect} />);
    await user.click(await screen.findByText("Shop"));
    expect(screen.getByTestId("connection-url")).toHaveProperty("value", "postgresql://ann@db:5432/shop");
    expect(screen.getByTestId("connection-schema")).toHaveProperty("value", "crm");

    await user.click(screen.getByTestId("connection-test"));
    expect((await screen.findByTestId("connection-note")).textContent).toContain("refused user ann");

    await user.type(screen.getByTestId("connection-password"), "s3cret");
    await user.click(screen.getByTestId("connection-connect"));
    expect(onConnect).toHaveBeenCalledWith({ url: "postgresql://ann@db:5432/shop", schema: "crm", password: "s3cret" });

    await user.click(screen.getByTestId("connection-save"));
    expect(saved).toHaveBeenCalledWith({ profile: { name: "Shop", url: "postgresql://ann@db:5432/shop", schema: "crm" } });
    expect(JSON.stringify(saved.mock.calls)).not.toContain("s3cret");
  });

  it("writes the encryption chosen into the address as sslmode and sslrootcert", async () => {
    const user = userEvent.setup();
    const onConnect = vi.fn(async () => undefined);
    render(<ConnectionPanel current="/data/demo.sqlite" onConnect={onConnect} />);
    expect(screen.queryByTestId("connection-tls")).toBeNull();
    await user.click(await screen.findByText("Shop"));
    const tls = screen.getByTestId("connection-tls");
    expect(tls).toHaveProperty("value", "");
    expect(screen.queryByTestId("connection-root-cert")).toBeNull();

    await user.selectOptions(tls, "verify-full");
    expect(screen.getByTestId("connection-url")).toHaveProperty("value", "postgresql://ann@db:5432/shop?sslmode=verify-full");
    await user.type(screen.getByTestId("connection-root-cert"), "/etc/ca.pem");
    expect(screen.getByTestId("connection-url")).toHaveProperty("value", "postgresql://ann@db:5432/shop?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem");
    expect(screen.getByTestId("connection-root-cert")).toHaveProperty("value", "/etc/ca.pem");

    await user.click(screen.getByTestId("connection-connect"));
    expect(onConnect).toHaveBeenCalledWith({ url: "postgresql://ann@db:5432/shop?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem", schema: "crm", password: undefined });

    await user.selectOptions(screen.getByTestId("connection-tls"), "disable");
    expect(screen.getByTestId("connection-url")).toHaveProperty("value", "postgresql://ann@db:5432/shop?sslmode=disable");
    await user.selectOptions(screen.getByTestId("connection-tls"), "");
    expect(screen.getByTestId("connection-url")).toHaveProperty("value", "postgresql://ann@db:5432/shop");
  });
});
