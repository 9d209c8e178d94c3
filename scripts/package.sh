#!/usr/bin/env bash
# Builds the installable packages (.deb and .rpm) of the desktop app with the Tauri bundler
# (npm's @tauri-apps/cli, pinned in packaging/package-lock.json; neither format downloads
# anything more). Usage: bash scripts/package.sh [--debug]
#   --debug  a debug-profile package from the debug build (quicker; what CI checks)
# Prints the packages' paths. Build output goes to target/logs/package.log.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
source scripts/lib/quiet.sh

profile=release
case "${1:-}" in
  "") ;;
  --debug) profile=debug ;;
  *) echo "usage: package.sh [--debug]" >&2; exit 2 ;;
esac
cargo_profile=(); bundle_debug=()
if [ "$profile" = release ]; then cargo_profile=(--release); else bundle_debug=(--debug); fi

bash scripts/setup.sh package

# The same build as `tauri build` makes (UI embedded), by cargo so that a debug build made
# before (tests, CI) is reused; `tauri bundle` then only packs it. The UI is rebuilt only if its
# sources changed since its last build: a rebuilt ui/dist would make cargo rebuild the app.
if [ ! -f ui/dist/index.html ] \
  || [ -n "$(find ui/src ui/index.html ui/package-lock.json ui/vite.config.* -newer ui/dist/index.html 2>/dev/null | head -n 1)" ]; then
  quiet "package: building the UI" npm --prefix ui run build
fi
quiet "package: building the app ($profile)" \
  cargo build -p segment-builder-desktop --features tauri/custom-protocol "${cargo_profile[@]}"
# The bundler packs a copy of the binary in a target directory of its own: it rewrites the
# binary it packs (also with), which fails while the tests run that one.
stage=target/package
out="$stage/$profile/bundle"
rm -rf "$out/deb" "$out/rpm"
mkdir -p "$stage/$profile"
cp "target/$profile/segment-builder-desktop" "$stage/$profile/"
quiet "package: bundling .deb and .rpm" env CARGO_TARGET_DIR="$stage" \
  packaging/node_modules/.bin/tauri bundle --ci --bundles deb,rpm "${bundle_debug[@]}"

for f in "$out"/deb/*.deb "$out"/rpm/*.rpm; do
  echo "package: $f ($(du -h "$f" | cut -f1))"
done
