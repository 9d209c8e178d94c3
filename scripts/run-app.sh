#!/usr/bin/env bash
# Sets up, builds the UI and the desktop app (with the UI embedded), and runs it on the demo
# data (generated on first start into the app's data directory; SEGMENT_BUILDER_DATA=FILE to use
# another SQLite file).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

bash scripts/setup.sh
npm --prefix ui run build
cargo build -p segment-builder-desktop --features tauri/custom-protocol

app=target/debug/segment-builder-desktop
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run-app: no display; running under Xvfb (a screenshot goes to target/run-app.png after 10 s)"
  exec xvfb-run -a -s "-screen 0 1280x800x24" sh -c \
    "$app & p=\$!; sleep 10; import -window root target/run-app.png; wait \$p"
fi
exec "$app"
