#!/usr/bin/env bash
# Installs what building, running and testing Segment Builder needs on Debian 12 (as root, or
# with sudo). Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Tauri (webkit2gtk 4.1 …), Xvfb + WebKitWebDriver for the end-to-end test (xdotool: the real
# mouse for drag and drop), ImageMagick for screenshots, PostgreSQL for the engine-agreement
# tests, python3-venv for the WebDriver client.
APT_PACKAGES=(
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev libssl-dev
  pkg-config build-essential file patchelf
  xvfb xauth webkit2gtk-driver imagemagick xdotool
  postgresql python3 python3-venv ca-certificates curl
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Node 20.19+ (Vite 7).
node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error("setup: Node "+process.versions.node+" is too old: Vite 7 needs 20.19+"); process.exit(1) }'

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: Rust (cargo) is required: install it with rustup" >&2
  exit 1
fi

# UI dependencies, from the lock file; skipped when the lock file has not changed since.
stamp=ui/node_modules/.setup-stamp
want="$(sha256sum ui/package-lock.json | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  (cd ui && npm ci --no-audit --no-fund)
  echo "$want" > "$stamp"
fi

# tauri-driver: the WebDriver bridge for Tauri apps (uses /usr/bin/WebKitWebDriver).
if ! command -v tauri-driver >/dev/null 2>&1; then
  cargo install tauri-driver --locked
fi

# The end-to-end test's Python WebDriver client, in a venv under target/.
venv=target/e2e-venv
req_stamp="$venv/.requirements-sha"
want="$(sha256sum tests/e2e/requirements.txt | cut -d' ' -f1)"
if [ ! -x "$venv/bin/python" ] || [ ! -f "$req_stamp" ] || [ "$(cat "$req_stamp")" != "$want" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/e2e/requirements.txt
  echo "$want" > "$req_stamp"
fi
# DuckDB (Python package, pinned) for segment-sql's DuckDB execution test, in its own venv.
duckdb_version=2.0.0
duckdb_venv=target/duckdb-venv
if ! "$duckdb_venv/bin/python" -c "import duckdb, sys; sys.exit(duckdb.__version__ != '$duckdb_version')" 2>/dev/null; then
  python3 -m venv "$duckdb_venv"
  "$duckdb_venv/bin/pip" install --quiet --disable-pip-version-check "duckdb==$duckdb_version"
fi
echo "setup: done"
