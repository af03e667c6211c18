#!/bin/bash
# build-aux/check.sh: CI's checks beyond the test suite. Ends with
# "N passed, N failed, N skipped" (one test per check), like test.sh.
#
#   valgrind   corewave-cli on a small batch (2 files, 2 workers), workers
#              traced too: no memcheck error, no definite leak
#   scan-build the clang static analyser over a fresh build: no report
#
# Needs ./build (build-aux/test.sh makes it). BUILD_DIR overrides it.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/build-aux/deps.sh"
corewave_install_missing "${COREWAVE_BUILD_PACKAGES[@]}" "${COREWAVE_CHECK_PACKAGES[@]}" || exit 1

build=${BUILD_DIR:-$top/build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

echo "== valgrind memcheck: corewave-cli, 2 files, 2 workers"
meson compile -C "$build" corewave-cli corewave-worker >/dev/null
cli=$build/src/corewave-cli
export CW_WORKER_PATH=$build/src/corewave-worker
"$cli" --demo "$tmp/in" --demo-count 2 --demo-seconds 1 >/dev/null
if valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
     --show-leak-kinds=definite --trace-children=yes --child-silent-after-fork=yes \
     --suppressions="$top/tests/valgrind.supp" \
     "$cli" -j 2 -o "$tmp/out" "$tmp"/in/*.wav; then
  n=$(find "$tmp/out" -name '*.wav' | wc -l)
  if [ "$n" -eq 2 ]; then
    echo "valgrind: OK"
    pass=$((pass + 1))
  else
    echo "valgrind: FAILED: $n outputs, not 2"
    fail=$((fail + 1))
  fi
else
  echo "valgrind: FAILED"
  fail=$((fail + 1))
fi

echo "== scan-build: the clang static analyser"
# unix.Malloc is off: clang 14's analyser does not run the cleanup
# attribute behind g_autoptr/g_autofree, so every early return after one
# reads as a leak. Leaks are ASan's, LSan's and valgrind's job above.
scan=$tmp/build-scan
if scan-build meson setup "$scan" "$top" >/dev/null \
   && scan-build --status-bugs -o "$tmp/scan-report" -disable-checker unix.Malloc \
        meson compile -C "$scan" 2>&1 | tee "$tmp/scan.log" | grep -E 'warning:|scan-build:'; \
   [ "${PIPESTATUS[0]}" -eq 0 ]; then
  echo "scan-build: OK (no report)"
  pass=$((pass + 1))
else
  echo "scan-build: FAILED (reports above)"
  fail=$((fail + 1))
fi

echo "$pass passed, $fail failed, 0 skipped"
[ "$fail" -eq 0 ]
