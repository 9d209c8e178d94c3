#!/usr/bin/env bash
# Checks the .deb that scripts/package.sh built: installs it with apt (which pulls the Depends it
# declares), starts the installed app under Xvfb with a fresh home (so the demo data is generated
# anew), waits for its window and its first painted screen, saves a screenshot, stops it, and
# removes the package and whatever apt installed with it. Needs root (or sudo), Xvfb, xdotool and
# ImageMagick (scripts/setup.sh). Usage: bash scripts/check-package.sh [--debug | FILE.deb]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/quiet.sh
source scripts/lib/window.sh

case "${1:-}" in
  "") deb="$(ls target/package/release/bundle/deb/*.deb 2>/dev/null | head -n 1)" ;;
  --debug) deb="$(ls target/package/debug/bundle/deb/*.deb 2>/dev/null | head -n 1)" ;;
  *.deb) deb="$1" ;;
  *) echo "usage: check-package.sh [--debug | FILE.deb]" >&2; exit 2 ;;
esac
if [ -z "$deb" ] || [ ! -f "$deb" ]; then
  echo "check-package: no .deb ${deb:+at $deb }(scripts/package.sh builds one)" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

name="$(dpkg-deb -f "$deb" Package)"
if dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q "install ok installed"; then
  echo "check-package: $name is already installed here; remove it first (dpkg -r $name)" >&2
  exit 1
fi
echo "check-package: $deb ($(du -h "$deb" | cut -f1); Depends: $(dpkg-deb -f "$deb" Depends))"

home="$(mktemp -d)"
shot=target/package-check.png
installed_before="$(mktemp)"
dpkg-query -W -f='${Package}\n' | sort > "$installed_before"
# Leaves the machine as found: the package and what apt installed for it go.
cleanup() {
  local added
  added="$(dpkg-query -W -f='${Package}\n' | sort | comm -13 "$installed_before" - | paste -sd' ')"
  if [ -n "$added" ]; then
    # shellcheck disable=SC2086 # one word per package
    quiet "check-package: removing $added" $SUDO dpkg -r $added || true
  fi
  rm -rf "$home" "$installed_before"
}
trap cleanup EXIT

quiet "check-package: apt-get install ./$(basename "$deb")" \
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$(realpath "$deb")"

# Where the package put the app, its menu entry and its icon.
bin="$(dpkg -L "$name" | grep -m1 '^/usr/bin/')"
dpkg -L "$name" | grep -q '^/usr/share/applications/.*\.desktop$' \
  || { echo "check-package: no menu entry (.desktop file) in the package" >&2; exit 1; }
dpkg -L "$name" | grep -q '^/usr/share/icons/' \
  || { echo "check-package: no icon in the package" >&2; exit 1; }

# Every library the binary links is on the machine (the Depends pulled them, or they were here).
if ldd "$bin" | grep -q 'not found'; then
  echo "check-package: libraries missing for $bin:" >&2
  ldd "$bin" | grep 'not found' >&2
  exit 1
fi

# Under Xvfb: the installed binary with a fresh home, its window, a painted screen, then stop.
rm -f "$shot"
started=$SECONDS
xvfb-run -a -s "-screen 0 1280x800x24" env -u XDG_DATA_HOME -u SEGMENT_BUILDER_DATA HOME="$home" bash -c '
  source scripts/lib/window.sh
  bin="$1"; shot="$2"; log="$3"
  "$bin" >"$log" 2>&1 & pid=$!
  rc=0
  wait_window "$pid" 300 || rc=$?
  case $rc in
    1) echo "check-package: the app ended before showing a window (log: $log)" >&2 ;;
    2) echo "check-package: no window after 300 s (log: $log)" >&2 ;;
  esac
  if [ "$rc" -eq 0 ] && ! wait_painted "$shot" 120; then
    echo "check-package: the window stayed blank (screenshot: $shot)" >&2; rc=3
  fi
  # The demo data generated on first start into the fresh home (not a fixed sleep: polled).
  demo="$HOME/.local/share/dev.segmentbuilder.desktop/demo.sqlite"
  deadline=$((SECONDS + 180))
  while [ "$rc" -eq 0 ] && [ ! -s "$demo" ]; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "check-package: no demo data in $demo" >&2; rc=4; }
    sleep 0.5
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ "$rc" -ne 0 ]; then
    # What the app said and the room left on the disk: the likeliest causes, in the CI log.
    echo "check-package: the app'"'"'s last lines:" >&2; tail -n 20 "$log" >&2 || true
    df -h "$HOME" >&2 || true
  fi
  exit "$rc"' check-package "$bin" "$shot" target/logs/check-package-app.log
echo "check-package: $bin started with a fresh home: window up, builder painted and demo data generated in $((SECONDS - started)) s; screenshot: $shot"
