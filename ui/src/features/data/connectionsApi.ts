// Warehouse connections (src-tauri/src/connections.rs).
import type { ConnectionProfile } from "../../bindings/ConnectionProfile";
import type { ConnectionRequest } from "../../bindings/ConnectionRequest";
import type { ConnectionTest } from "../../bindings/ConnectionTest";
import type { SourceInfo } from "../../bindings/SourceInfo";
import { call } from "../../ipc";

export const connectionsApi = {
  test: (request: ConnectionRequest) => call<ConnectionTest>("test_connection", { request }),
  connect: (request: ConnectionRequest) => call<SourceInfo>("connect_source", { request }),
  profiles: () => call<ConnectionProfile[]>("connection_profiles"),
  save: (profile: ConnectionProfile) => call<ConnectionProfile[]>("connection_save", { profile }),
  remove: (name: string) => call<ConnectionProfile[]>("connection_delete", { name }),
};

/** Whether a data source is a warehouse address rather than a local file. */
export function isWarehouse(path: string): boolean {
  return /^(postgres(ql)?|sc):\/\//i.test(path);
}
