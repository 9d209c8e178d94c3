// Warehouses beside the local files: saved connections (address and schema, never a password)
// and a small form to test, connect and save one. A password typed here stays in this page's
// memory for the session and is sent with each connect; it is never saved.
import { useEffect, useState } from "react";
import type { ConnectionProfile } from "../../bindings/ConnectionProfile";
import type { ConnectionRequest } from "../../bindings/ConnectionRequest";
import type { ConnectionTest } from "../../bindings/ConnectionTest";
import { toAppError } from "../../ipc";
import { connectionsApi } from "./connectionsApi";
import { isPostgres, readTls, TLS_MODES, type TlsMode, withTls } from "./tlsMode";

/** Passwords typed this session, by address (memory only). */
const sessionPasswords = new Map<string, string>();

type Props = {
  /** The open data source's address or path. */
  current: string;
  onConnect: (request: ConnectionRequest) => Promise<void>;
};

export function ConnectionPanel({ current, onConnect }: Props) {
  const [profiles, setProfiles] = useState<ConnectionProfile[]>([]);
  const [url, setUrl] = useState("");
  const [schema, setSchema] = useState("");
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [note, setNote] = useState<{ ok: boolean; text: string }>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    connectionsApi.profiles().then(setProfiles, () => setProfiles([]));
  }, []);

  const request = (): ConnectionRequest => {
    const typed = password || sessionPasswords.get(url.trim());
    return { url: url.trim(), schema: schema.trim() || undefined, password: typed || undefined };
  };
  const run = async (what: () => Promise<void>) => {
    setBusy(true);
    setNote(undefined);
    try {
      await what();
    } catch (e) {
      setNote({ ok: false, text: toAppError(e).message });
    } finally {
      setBusy(false);
    }
  };
  const remember = () => {
    if (password) sessionPasswords.set(url.trim(), password);
  };
  const test = () =>
    run(async () => {
      const result: ConnectionTest = await connectionsApi.test(request());
      if (result.ok) remember();
      setNote({ ok: result.ok, text: result.message });
    });
  const connect = () =>
    run(async () => {
      await onConnect(request());
      remember();
    });
  const save = () =>
    run(async () => {
      setProfiles(await connectionsApi.save({ name: name.trim() || url.trim(), url: url.trim(), schema: schema.trim() || undefined }));
      setNote({ ok: true, text: "Saved (without the password)." });
    });
  const pick = (p: ConnectionProfile) => {
    setUrl(p.url);
    setSchema(p.schema ?? "");
    setName(p.name);
    setPassword("");
    setNote(undefined);
  };

  return (
    <div className="connections" data-testid="connections">
      {profiles.length > 0 && (
        <ul className="source-list">
          {profiles.map((p) => (
            <li key={p.name}>
              <button type="button" className={"source-item" + (current.startsWith(p.url) ? " on" : "")} data-testid="connection-item" title={p.url} onClick={() => pick(p)}>
                <span className="source-name">{p.name}</span>
                <span className="muted small">{p.url.startsWith("sc://") ? "Spark" : "PostgreSQL"}{p.schema ? `, ${p.schema}` : ""}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        className="col"
        onSubmit={(e) => {
          e.preventDefault();
          void connect();
        }}
      >
        <label className="field col">
          <span>Address</span>
          <input className="input" data-testid="connection-url" placeholder="postgresql://user@host:5432/database" value={url} onChange={(e) => setUrl(e.target.value)} />
        </label>
        {isPostgres(url) && <TlsFields url={url} onChange={setUrl} />}
        <label className="field col">
          <span>Schema</span>
          <input className="input" data-testid="connection-schema" placeholder="public" value={schema} onChange={(e) => setSchema(e.target.value)} />
        </label>
        <label className="field col">
          <span>Password (this session only)</span>
          <input className="input" type="password" data-testid="connection-password" autoComplete="off" value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <div className="row">
          <button type="button" className="btn" data-testid="connection-test" disabled={busy || !url.trim()} onClick={() => void test()}>
            Test connection
          </button>
          <button type="submit" className="btn primary" data-testid="connection-connect" disabled={busy || !url.trim()}>
            Connect
          </button>
        </div>
        <div className="row">
          <input className="input grow" data-testid="connection-name" placeholder="Name to save it under" value={name} onChange={(e) => setName(e.target.value)} />
          <button type="button" className="btn" data-testid="connection-save" disabled={busy || !url.trim()} onClick={() => void save()}>
            Save
          </button>
        </div>
      </form>
      {busy && <p className="muted small">Connecting…</p>}
      {note && (
        <p className={note.ok ? "muted small" : "error-text"} role={note.ok ? "status" : "alert"} data-testid="connection-note">
          {note.text}
        </p>
      )}
    </div>
  );
}

/** PostgreSQL's encryption, written into the address as `sslmode` / `sslrootcert`. */
function TlsFields({ url, onChange }: { url: string; onChange: (url: string) => void }) {
  const { mode, rootCert } = readTls(url);
  const checked = mode === "verify-ca" || mode === "verify-full";
  return (
    <>
      <label className="field col">
        <span>Encryption (TLS)</span>
        <select className="input" data-testid="connection-tls" value={mode} onChange={(e) => onChange(withTls(url, e.target.value as TlsMode, rootCert))}>
          {TLS_MODES.map((m) => (
            <option key={m.value} value={m.value}>
              {m.label}
            </option>
          ))}
        </select>
      </label>
      {checked && (
        <label className="field col">
          <span>CA certificate file (PEM; empty: ~/.postgresql/root.crt, else the public authorities)</span>
          <input className="input" data-testid="connection-root-cert" placeholder="/path/to/ca.pem" value={rootCert} onChange={(e) => onChange(withTls(url, mode, e.target.value))} />
        </label>
      )}
    </>
  );
}
