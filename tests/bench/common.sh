# tests/bench/common.sh: shared set-up for the benchmarks (sourced).
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${BUILD_DIR:-$top/build}
cli=${CW_CLI_PATH:-$build/src/corewave-cli}
ref=${COREWAVE_REFERENCE:-$top/../shared/reference}
runs=${RUNS:-5}
py=/usr/bin/python3
# tmpfs: ext4 writeback makes timings noisy
work=$(mktemp -d /dev/shm/corewave-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

[ -x "$cli" ] || { echo "build first: meson compile -C $build" >&2; exit 1; }

# median of the "wall_s" (pool start to exit) of N runs of corewave-cli --json
median_wall () {
  local n=$1; shift
  for _ in $(seq "$n"); do "$cli" --json -q "$@" | tail -n 1; done |
    $py -c 'import json,sys,statistics as st; print("%.4f" % st.median(json.loads(l)["wall_s"] for l in sys.stdin))'
}

# paired A/B timing of whole commands, medians and the pair-by-pair ratio;
# paired A B PREP_A PREP_B: the preparations (removing old outputs) run
# before each command, outside the timing
paired () {
  $py "$top/tests/bench/paired.py" "$runs" "$1" "$2" --prep-a "${3:-}" --prep-b "${4:-}" | sed 's/^/    /'
}
