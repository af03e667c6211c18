#!/bin/bash
# build-aux/test.sh: install what is missing, build, and run the whole test
# suite (GUI tests under xvfb-run). Ends with "N passed, N failed, N skipped".
#
#   build-aux/test.sh              # the normal build, in ./build
#   build-aux/test.sh --sanitize   # AddressSanitizer + UBSan, in ./build-asan
#   build-aux/test.sh --flatpak-build  # only the offline Flatpak build and run,
#                                      # in ./build (docs/install.md, "Flatpak")
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/build-aux/deps.sh"
corewave_install_missing "${COREWAVE_BUILD_PACKAGES[@]}" "${COREWAVE_TEST_PACKAGES[@]}"

build=${BUILD_DIR:-$top/build}
setup_args=()
test_args=()
if [ "${1:-}" = "--flatpak-build" ]; then
  corewave_install_missing "${COREWAVE_FLATPAK_PACKAGES[@]}"
  test_args=(--suite flatpak-build)
elif [ "${1:-}" = "--sanitize" ]; then
  build=${BUILD_DIR:-$top/build-asan}
  setup_args=(-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug)
fi
if [ "${CI:-}" = "true" ]; then
  setup_args+=(--werror)
fi

if [ -f "$build/build.ninja" ]; then
  meson setup --reconfigure "$build" "$top" "${setup_args[@]}" >/dev/null
else
  meson setup "$build" "$top" "${setup_args[@]}"
fi
meson compile -C "$build"

unset WAYLAND_DISPLAY
status=0
xvfb-run -a -s "-screen 0 1280x1024x24" meson test -C "$build" --print-errorlogs --num-processes 2 "${test_args[@]}" || status=$?

python3 - "$build/meson-logs/testlog.json" <<'PY'
import json, sys
counts = {"passed": 0, "failed": 0, "skipped": 0}
for line in open(sys.argv[1]):
    r = json.loads(line).get("result")
    if r in ("OK", "EXPECTEDFAIL"):
        counts["passed"] += 1
    elif r == "SKIP":
        counts["skipped"] += 1
    else:
        counts["failed"] += 1
print(f'{counts["passed"]} passed, {counts["failed"]} failed, {counts["skipped"]} skipped')
PY
exit $status
