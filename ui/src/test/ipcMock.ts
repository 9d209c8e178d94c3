// A fake of the Tauri runtime's `invoke` (or of the IPC module's `call`) for component tests: each command answers from a handler
// (a function of its arguments; throwing rejects, as the Rust side would); calls are
// recorded by the mock it is installed in: vi.mock of @tauri-apps/api/core, then
// `vi.mocked(invoke).mockImplementation(fakeCall({...}))` (see the dialog tests).
export type Handlers = Record<string, (args: Record<string, unknown>) => unknown>;

export function fakeCall(handlers: Handlers) {
  return async <T,>(command: string, args?: unknown): Promise<T> => {
    const h = handlers[command];
    if (!h) throw { kind: "internal", message: `unexpected command ${command}`, path: null };
    return h((args ?? {}) as Record<string, unknown>) as T;
  };
}
