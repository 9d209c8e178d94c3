#!/usr/bin/env bash
# Sets up what the app needs (not the test tooling), builds the UI and the desktop app (with the
# UI embedded), and runs it on the demo data (generated on first start into the app's data
# directory; SEGMENT_BUILDER_DATA=FILE to use another SQLite file). Build output goes to
# target/logs/run-app.log; VERBOSE=1 shows it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
source scripts/lib/quiet.sh

bash scripts/setup.sh app
quiet "run-app: building the UI" npm --prefix ui run build
quiet "run-app: building the app (a few minutes the first time)" \
  cargo build -p segment-builder-desktop --features tauri/custom-protocol

app=target/debug/segment-builder-desktop
data="${SEGMENT_BUILDER_DATA:-${XDG_DATA_HOME:-$HOME/.local/share}/dev.segmentbuilder.desktop}"

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  # No display: a virtual one, and a screenshot once the window has painted; stop with Ctrl-C.
  exec xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
    source scripts/lib/window.sh
    data="$1"; app="$2"; shot=target/run-app.png
    "$app" & pid=$!
    trap "kill $pid 2>/dev/null" INT TERM
    if wait_window "$pid" 300 && wait_painted "$shot"; then
      echo "Segment Builder is running (data: $data)"
      echo "run-app: no display, so it runs under Xvfb; a screenshot: $shot"
    elif kill -0 "$pid" 2>/dev/null; then
      echo "run-app: the window has not shown the builder yet (screenshot: $shot)" >&2
    fi
    wait "$pid"' run-app "$data" "$app"
fi
"$app" &
pid=$!
trap 'kill "$pid" 2>/dev/null' INT TERM
# On X the window is waited for; on Wayland xdotool cannot see it, the start is all we know.
if [ -z "${DISPLAY:-}" ] || { source scripts/lib/window.sh && wait_window "$pid" 300; }; then
  echo "Segment Builder is running (data: $data)"
fi
wait "$pid"
