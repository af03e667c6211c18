#!/bin/bash
# build-aux/run.sh: install what is missing, build, and start Corewave.
#
# The window opens with the demo set one click away ("Try the Demo Set").
# Arguments go to the app: build-aux/run.sh --workers 2 --start ~/Music/raw
# Without a display (an ssh session, a server), it runs corewave-cli on the
# demo set instead, so the pool is still seen at work.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/build-aux/deps.sh"
corewave_install_missing "${COREWAVE_BUILD_PACKAGES[@]}" "${COREWAVE_RUN_PACKAGES[@]}"

build=${BUILD_DIR:-$top/build}
[ -f "$build/build.ninja" ] || meson setup "$build" "$top"
meson compile -C "$build"

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  # run from the build tree: its settings schema, its worker
  export GSETTINGS_SCHEMA_DIR="$build/data${GSETTINGS_SCHEMA_DIR:+:$GSETTINGS_SCHEMA_DIR}"
  exec "$build/src/corewave" "$@"
fi

echo "No display found: running corewave-cli on the demo set instead." >&2
cli=$build/src/corewave-cli
cache=${XDG_CACHE_HOME:-$HOME/.cache}/corewave
# the window's and the Lab's demo set (cw_demo_set_dir ())
[ -f "$cache/demo-24x240s/example23.wav" ] || "$cli" --demo "$cache/demo-24x240s"
exec "$cli" "$cache/demo-24x240s" -o "$cache/demo-out" --overwrite
