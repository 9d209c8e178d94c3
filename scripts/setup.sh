#!/usr/bin/env bash
# Installs what Segment Builder needs on Debian 12 (as root, or with sudo). Idempotent: a second
# run only checks. Usage: bash scripts/setup.sh [app|package|tests]
#   app      what building and running the app needs: Tauri's system libraries, Node, the UI's
#            npm packages (Rust must be installed: rustup)
#   package  the above and the Tauri bundler (npm packages of packaging/) for scripts/package.sh
#   tests    (default) all the above, plus the test tooling: Xvfb, WebKitWebDriver + tauri-driver,
#          xdotool, ImageMagick, PostgreSQL, the Python venvs for the WebDriver client and DuckDB
# Package managers' output goes to target/logs/setup.log; one line per step is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
source scripts/lib/quiet.sh
export QUIET_LOG=setup

mode="${1:-tests}"
case "$mode" in app | package | tests) ;; *) echo "usage: setup.sh [app|package|tests]" >&2; exit 2 ;; esac

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Tauri's build dependencies (webkit2gtk 4.1 …; libappindicator3-dev does not exist on Debian 12,
# the ayatana one replaces it). xdotool (100 kB) tells run-app.sh when the window is up.
APP_PACKAGES=(
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev libssl-dev
  pkg-config build-essential file patchelf ca-certificates curl xdotool
)
# Without a display the app runs under Xvfb (ImageMagick's `import` takes its screenshot).
HEADLESS_PACKAGES=(xvfb xauth imagemagick)
# Tests: WebKitWebDriver for the end-to-end test, PostgreSQL for the engine-agreement tests,
# python3-venv for the WebDriver client and DuckDB.
TEST_PACKAGES=(webkit2gtk-driver postgresql python3 python3-venv)
# Java 17 for the Spark Connect server of the Spark tests (scripts/with-spark.sh).
TEST_PACKAGES+=(openjdk-17-jre-headless)
# openssl makes the throwaway CA and certificate of the encrypted PostgreSQL tests (with-postgres.sh --tls).
TEST_PACKAGES+=(openssl)

wanted=("${APP_PACKAGES[@]}")
if [ "$mode" = tests ] || { [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; }; then
  wanted+=("${HEADLESS_PACKAGES[@]}")
fi
[ "$mode" = tests ] && wanted+=("${TEST_PACKAGES[@]}")
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
if [ "${#missing[@]}" -gt 0 ]; then
  quiet "setup: apt-get update" $SUDO apt-get update
  quiet "setup: installing ${#missing[@]} Debian packages (${missing[*]:0:4} …)" \
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

# Node 20.19+ (Vite 7).
node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error("setup: Node "+process.versions.node+" is too old: Vite 7 needs 20.19+"); process.exit(1) }'

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: Rust (cargo) is required: install it with rustup (https://rustup.rs)" >&2
  exit 1
fi

# npm packages from a lock file; skipped when the lock file has not changed since.
npm_ci() {
  local dir="$1" stamp="$1/node_modules/.setup-stamp" want
  want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    quiet "setup: npm packages of $dir/ (from its lock file)" \
      npm ci --prefix "$dir" --no-audit --no-fund --loglevel=warn
    echo "$want" > "$stamp"
  fi
}
npm_ci ui

if [ "$mode" = app ]; then echo "setup: done (app)"; exit 0; fi


# The Tauri bundler (npm's @tauri-apps/cli: a prebuilt binary) for scripts/package.sh.
npm_ci packaging
if [ "$mode" = package ]; then echo "setup: done (package)"; exit 0; fi

# tauri-driver: the WebDriver bridge for Tauri apps (uses /usr/bin/WebKitWebDriver).
if ! command -v tauri-driver >/dev/null 2>&1; then
  quiet "setup: cargo install tauri-driver" cargo install tauri-driver --locked
fi

# The end-to-end test's Python WebDriver client, in a venv under target/.
venv=target/e2e-venv
req_stamp="$venv/.requirements-sha"
want="$(sha256sum tests/e2e/requirements.txt | cut -d' ' -f1)"
if [ ! -x "$venv/bin/python" ] || [ ! -f "$req_stamp" ] || [ "$(cat "$req_stamp")" != "$want" ]; then
  quiet "setup: Python venv for the end-to-end test" sh -c \
    "python3 -m venv '$venv' && '$venv/bin/pip' install --quiet --disable-pip-version-check -r tests/e2e/requirements.txt"
  echo "$want" > "$req_stamp"
fi
# DuckDB (Python package, pinned) for segment-sql's DuckDB execution test, in its own venv.
duckdb_version=2.0.0
duckdb_venv=target/duckdb-venv
if ! "$duckdb_venv/bin/python" -c "import duckdb, sys; sys.exit(duckdb.__version__ != '$duckdb_version')" 2>/dev/null; then
  quiet "setup: Python venv with DuckDB $duckdb_version" sh -c \
    "python3 -m venv '$duckdb_venv' && '$duckdb_venv/bin/pip' install --quiet --disable-pip-version-check 'duckdb==$duckdb_version'"
fi
# pyspark (pinned; PyPI serves a source package pip builds in about a minute) for the Spark
# Connect server of scripts/with-spark.sh, in its own venv.
spark_venv() {
  local version=4.3.0 venv=target/spark-venv
  if ! "$venv/bin/python" -c "import pyspark, sys; sys.exit(pyspark.__version__ != '$version')" 2>/dev/null; then
    quiet "setup: Python venv with pyspark $version (Spark Connect server)" sh -c \
      "python3 -m venv '$venv' && '$venv/bin/pip' install --quiet --disable-pip-version-check 'pyspark==$version'"
  fi
}
spark_venv
echo "setup: done"
