#!/usr/bin/env bash
# Sets up and runs every test: Rust (all crates, the app's commands, the bindings drift check),
# the UI's type check and unit tests, and the end-to-end test of the real app under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# A one-off build (CI) gains nothing from incremental caches, which cost gigabytes of disk.
if [ -n "${CI:-}" ]; then export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"; fi

step() { printf '\n== %s (%s)\n' "$1" "$(date +%H:%M:%S)"; }

step "setup"
bash scripts/setup.sh

step "UI: type check and build"
npm --prefix ui run build

step "Rust: cargo test --workspace (includes the TypeScript bindings drift check), beside a PostgreSQL server (also on TLS), a Spark Connect server and DuckDB"
SEGMENT_SQL_DUCKDB=1 bash scripts/with-postgres.sh --tls bash scripts/with-spark.sh cargo test --workspace

step "UI: unit tests"
npm --prefix ui test

step "build the app (UI embedded) and the CLI"
cargo build -p segment-builder-desktop --features tauri/custom-protocol
cargo build -p segment-cli

step "end-to-end: the real app through tauri-driver under Xvfb, beside a PostgreSQL server"
bash scripts/with-postgres.sh xvfb-run -a -s "-screen 0 1280x800x24" \
  target/e2e-venv/bin/python -m pytest tests/e2e -v -p no:cacheprovider
echo "screenshots: target/e2e/"
