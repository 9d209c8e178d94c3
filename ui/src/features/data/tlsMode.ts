// The encryption of a PostgreSQL connection lives in its address (libpq's `sslmode` and
// `sslrootcert` options), so a saved profile keeps it and the CLI reads the same address.
// These read and rewrite those two options, leaving the rest of the address as written.

export type TlsMode = "" | "disable" | "prefer" | "require" | "verify-ca" | "verify-full";

export const TLS_MODES: { value: TlsMode; label: string }[] = [
  { value: "", label: "Default (encrypt when the server offers it)" },
  { value: "disable", label: "Off" },
  { value: "require", label: "Required, certificate not checked" },
  { value: "verify-ca", label: "Required, certificate checked" },
  { value: "verify-full", label: "Required, certificate and host name checked" },
  { value: "prefer", label: "When the server offers it" },
];

export function isPostgres(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url.trim());
}

function split(url: string): { base: string; pairs: [string, string][] } {
  const at = url.indexOf("?");
  if (at < 0) return { base: url, pairs: [] };
  const pairs = url
    .slice(at + 1)
    .split("&")
    .filter((p) => p !== "")
    .map((p): [string, string] => {
      const eq = p.indexOf("=");
      return eq < 0 ? [p, ""] : [p.slice(0, eq), p.slice(eq + 1)];
    });
  return { base: url.slice(0, at), pairs };
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The address's TLS mode ("" when it names none) and root certificate file. */
export function readTls(url: string): { mode: TlsMode; rootCert: string } {
  const { pairs } = split(url.trim());
  const mode = decode(pairs.find(([k]) => k === "sslmode")?.[1] ?? "");
  const known = TLS_MODES.some((m) => m.value === mode);
  return { mode: known ? (mode as TlsMode) : "", rootCert: decode(pairs.find(([k]) => k === "sslrootcert")?.[1] ?? "") };
}

/** The address with this mode and root certificate (both left out when empty). */
export function withTls(url: string, mode: TlsMode, rootCert: string): string {
  const { base, pairs } = split(url.trim());
  const rest = pairs.filter(([k]) => k !== "sslmode" && k !== "sslrootcert");
  if (mode) rest.push(["sslmode", mode]);
  const checksCertificate = mode === "verify-ca" || mode === "verify-full" || mode === "require";
  if (rootCert.trim() && checksCertificate) rest.push(["sslrootcert", encodeURIComponent(rootCert.trim())]);
  return rest.length ? `${base}?${rest.map(([k, v]) => `${k}=${v}`).join("&")}` : base;
}
